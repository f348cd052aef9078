"""Every figure that docs/conventions.md and README.md quote has a provenance: the costnet computation that gives
it, and where the same integer comes from outside costnet (timm's or torchvision's PyTorch figures committed in
tests/data, a published figure, or arithmetic worked out here or in tests/independent.py).

A figure is an integer of five digits or more, written with thousands separators (4,867,293,184 or 76_524_800)
or without (15300). README.md's text between `<!-- BEGIN … -->` and `<!-- END … -->` is costnet's own output,
regenerated and compared by tests/test_docs.py, and is left out here.

When a doc quotes a figure that PROVENANCE lacks, the test fails: add an entry that says how costnet obtains it
and where it comes from independently. An entry that no doc quotes any more fails too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pytest

import costnet
from costnet.analysis.published import exact_figures
from independent import (MOBILENET_V1_FC, googlenet_paper_by_hand, mobilenet_v1_by_hand, onnx_layers, reference,
                         reference_paper_params, shufflenet_v2_megvii_by_hand, squeezenet1_0_by_hand_at_227)

ROOT = Path(__file__).parent.parent
DOCS = ("docs/conventions.md", "README.md")

FIGURE = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[,_]\d{3})+|\d{5,})(?![\w]|[.,]\d)")
GENERATED = re.compile(r"<!-- BEGIN [^>]*-->.*?<!-- END [^>]*-->", re.S)

# Numbers that the scan finds and that are no figure, per doc, with what they are.
NOT_FIGURES = {
    "README.md": {"224,192,160,128": "the resolutions of a `costnet sweep` command line",
                  "10,000": "the number of points of the sweep that benchmarks/bench.py times"},
}


def quoted(text: str) -> list[str]:
    """The figures of a Markdown text, as written, generated blocks left out."""
    return [m.group() for m in FIGURE.finditer(GENERATED.sub("", text))
            if len(re.sub(r"[,_]", "", m.group())) >= 5]


def value(written: str) -> int:
    return int(re.sub(r"[,_]", "", written))


# ---- costnet's side -------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def analysis(name: str, convention: str = "paper", dtype: str = "fp32", **scaling) -> costnet.Analysis:
    spec = costnet.load(name)
    return costnet.analyze(costnet.scale(spec, **scaling) if scaling else spec, convention, dtype)


def macs(name: str, **scaling) -> int:
    return analysis(name, **scaling).totals.macs


def params(name: str, convention: str = "paper", **scaling) -> int:
    return analysis(name, convention, **scaling).totals.params


def fc_macs(name: str, **scaling) -> int:
    return sum(layer.macs for layer in analysis(name, **scaling).layers if layer.type == "fc")


def type_macs(name: str, kind: str) -> int:
    return next(share.macs for share in analysis(name).by_type() if share.kind == kind)


def tf_slim_checkpoint_params() -> int:
    """The parameters costnet checks TF-slim's README 4.24 M against: its 1.0-224 entry (1001 classes,
    checkpoint variables)."""
    spec = costnet.load("mobilenet_v1")
    entry = next(r for r in spec.reported if r.convention == "checkpoint" and r.width in (None, 1.0)
                 and r.resolution in (None, 224))
    return exact_figures(entry, costnet.analyze(spec, "checkpoint"))["params"]


@lru_cache(maxsize=None)
def googlenet_as_the_paper_builds_it() -> costnet.Analysis:
    """The bundled GoogLeNet (torchvision's) with the paper's 5×5 branches, biases and no batch norm, as
    archs/googlenet.yaml's note describes it."""
    text = (ROOT / "archs" / "googlenet.yaml").read_text(encoding="utf-8")
    text = text.replace("b3_kernel: 3", "b3_kernel: 5, bias: true, norm: none")
    text = re.sub(r"(\{type: conv, [^}]*)\}", r"\1, bias: true, norm: none}", text)
    assert text.count("bias: true, norm: none") == 3 + 9  # the stem's three convolutions, nine modules
    return costnet.analyze(costnet.parse_spec(text, "googlenet_paper.yaml"))


# ---- the provenance table -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Provenance:
    what: str
    costnet: tuple[Callable[[], int], ...]  # how costnet obtains the figure (each must give it)
    source: str  # where it comes from outside costnet
    independent: tuple[Callable[[], int], ...]  # that source, read or worked out (each must give it)


def ref(spec: str, key: str = "macs", **variant) -> Callable[[], int]:
    return lambda: reference(spec, **variant)[key]


def ref_paper(spec: str, **variant) -> Callable[[], int]:
    return lambda: reference_paper_params(spec, **variant)


TIMM = "timm's model in PyTorch (tests/data/reference_figures.json)"
TORCHVISION = "torchvision's model in PyTorch (tests/data/reference_figures.json)"
BOTH = "timm's and torchvision's models in PyTorch, which agree (tests/data/reference_figures.json)"
PAPER_PARAMS = "sum(p.numel()) less batch-norm γ and β"
MOBILENET_V1 = mobilenet_v1_by_hand  # Howard et al. 2017, Table 1, worked out in tests/independent.py
B = {1: (1.0, 1.1, 240), 2: (1.1, 1.2, 260), 3: (1.2, 1.4, 300), 4: (1.4, 1.8, 380), 5: (1.6, 2.2, 456),
     7: (2.0, 3.1, 600)}  # EfficientNet-Bn's width, depth and resolution (Tan & Le 2019, Table 2 and its code)
SHUFFLENET_V2 = {0.5: ((48, 96, 192), 1024), 1.0: ((116, 232, 464), 1024), 1.5: ((176, 352, 704), 1024),
                 2.0: ((244, 488, 976), 2048)}  # Ma et al. 2018, Table 5: stage widths and the last 1×1 conv


def efficientnet(n: int, key: str = "macs") -> Callable[[], int]:
    width, depth, resolution = B[n]
    return ref(f"efficientnet_b{n}", key, width=width, depth=depth, resolution=resolution)


def megvii(width: float, which: int) -> Callable[[], int]:
    return lambda: shufflenet_v2_megvii_by_hand(*SHUFFLENET_V2[width])[which]


PROVENANCE: dict[int, Provenance] = {
    # MixNet (docs/conventions.md, the `torch` row; README)
    4_134_606: Provenance("MixNet-S's parameters under `torch`", (lambda: params("mixnet_s", "torch"),),
                          TIMM + ": mixnet_s, sum(p.numel())", (ref("mixnet_s", "params"),)),
    5_014_382: Provenance("MixNet-M's parameters under `torch`", (lambda: params("mixnet_m", "torch"),),
                          TIMM + ": mixnet_m, sum(p.numel())", (ref("mixnet_m", "params"),)),
    7_329_252: Provenance("MixNet-L's parameters under `torch`", (lambda: params("mixnet_l", "torch"),),
                          TIMM + ": mixnet_l, sum(p.numel())", (ref("mixnet_l", "params", width=1.3),)),
    239_173_360: Provenance("MixNet-S's MACs", (lambda: macs("mixnet_s"),), TIMM, (ref("mixnet_s"),)),
    339_172_672: Provenance("MixNet-M's MACs", (lambda: macs("mixnet_m"),), TIMM, (ref("mixnet_m"),)),
    555_251_792: Provenance("MixNet-L's MACs", (lambda: macs("mixnet_l"),), TIMM, (ref("mixnet_l", width=1.3),)),

    # MobileNetV1
    3_185_088: Provenance(
        "MobileNet 1.0-224's weights without the classifier (`weights`)",
        (lambda: sum(l.params for l in analysis("mobilenet_v1", "weights").layers if l.type != "fc"),),
        "TF-slim's mobilenet_v1.py docstring; Table 1 worked out: 864 + Σ (9·M + M·N)",
        (lambda: MOBILENET_V1()["body_weights"],)),
    10_838_016: Provenance(
        "MobileNet's one 3×3 convolution, the stem: its MACs", (lambda: type_macs("mobilenet_v1", "conv 3×3"),),
        "3·3·3·32 weights × 112·112 outputs; timm's conv_stem measured (tests/data/onnx/reference.json)",
        (lambda: 3 * 3 * 3 * 32 * 112 * 112,
         lambda: next(l["macs"] for l in onnx_layers("mobilenetv1_100") if l["module"] == "conv_stem"))),
    568_740_352: Provenance("MobileNet 1.0-224's MACs", (lambda: macs("mobilenet_v1"),),
                            TIMM + "; Table 1 worked out", (ref("mobilenet_v1"), lambda: MOBILENET_V1()["macs"])),
    4_867_293_184: Provenance("Table 4's Conv MobileNet: every separable pair a full 3×3 convolution, MACs",
                              (lambda: analysis("mobilenet_v1").standard.macs,),
                              "Table 1 worked out: 10,838,016 + Σ 9·M·N·D_F² + 1,024,000",
                              (lambda: MOBILENET_V1()["standard_macs"],)),
    4_866_269_184: Provenance("Conv MobileNet's MACs without the classifier",
                              (lambda: analysis("mobilenet_v1").standard.macs - fc_macs("mobilenet_v1"),),
                              "Table 1 worked out: 10,838,016 + Σ 9·M·N·D_F²",
                              (lambda: MOBILENET_V1()["standard_conv_macs"],)),
    1_024_000: Provenance("MobileNet's classifier's MACs", (lambda: fc_macs("mobilenet_v1"),),
                          "Table 1's FC 1024 × 1000; timm's classifier measured (tests/data/onnx/reference.json)",
                          (lambda: MOBILENET_V1_FC,
                           lambda: next(l["macs"] for l in onnx_layers("mobilenetv1_100") if l["kind"] == "linear"))),
    290_675_200: Provenance("MobileNet 1.0-160's MACs", (lambda: macs("mobilenet_v1", resolution=160),),
                            TIMM, (ref("mobilenet_v1", resolution=160),)),
    76_524_800: Provenance("MobileNet 0.5-160's MACs", (lambda: macs("mobilenet_v1", width=0.5, resolution=160),),
                           TIMM + ": mobilenetv1_050 at 160", (ref("mobilenet_v1", width=0.5, resolution=160),)),
    1_320_648: Provenance("MobileNet 0.5-160's parameters (`paper`)",
                          (lambda: params("mobilenet_v1", width=0.5, resolution=160),),
                          TIMM + ": mobilenetv1_050, " + PAPER_PARAMS,
                          (ref_paper("mobilenet_v1", width=0.5, resolution=160),)),
    4_210_088: Provenance("MobileNet 1.0-224's parameters (`paper`)", (lambda: params("mobilenet_v1"),),
                          TIMM + ", " + PAPER_PARAMS + "; Table 1 worked out with the classifier's biases",
                          (ref_paper("mobilenet_v1"), lambda: MOBILENET_V1()["params"])),
    10_944: Provenance("MobileNet's batch-norm channels", (lambda: analysis("mobilenet_v1").totals.norm_params // 2,),
                       TIMM + ": bn_params / 2 (γ and β per channel); Table 1: 32 + Σ (M + N)",
                       (lambda: reference("mobilenet_v1")["bn_params"] // 2, lambda: MOBILENET_V1()["norm_channels"])),
    4_243_945: Provenance(
        "TF-slim's checkpoint variables at 1001 classes (README 4.24 M)", (tf_slim_checkpoint_params,),
        "arithmetic on timm's figures: 4,210,088 + 1,024 weights and 1 bias of the extra class + β, moving mean and "
        "moving variance per batch-norm channel",
        (lambda: (reference_paper_params("mobilenet_v1") + 1024 + 1
                  + 3 * (reference("mobilenet_v1")["bn_params"] // 2)),)),

    # MobileNetV2 (MCUNetV2's memory; the paper's figures)
    1_404_928: Provenance("MobileNetV2's int8 peak in place", (lambda: analysis("mobilenet_v2", dtype="int8")
                                                               .peaks["in-place"].bytes,),
                          "the second block's expansion: 16×112×112 in, 96×112×112 out",
                          (lambda: 16 * 112 * 112 + 96 * 112 * 112,)),
    1_505_280: Provenance("MobileNetV2's int8 peak, plain", (lambda: analysis("mobilenet_v2", dtype="int8")
                                                             .peaks["plain"].bytes,),
                          "the second block's depthwise convolution: 96×112×112 in, 96×56×56 out",
                          (lambda: 96 * 112 * 112 + 96 * 56 * 56,)),
    300_774_272: Provenance("MobileNetV2's MACs", (lambda: macs("mobilenet_v2"),), BOTH, (ref("mobilenet_v2"),)),
    3_470_760: Provenance("MobileNetV2's parameters (`paper`)", (lambda: params("mobilenet_v2"),),
                          BOTH + ", " + PAPER_PARAMS, (ref_paper("mobilenet_v2"),)),
    582_195_824: Provenance("MobileNetV2 1.4's MACs", (lambda: macs("mobilenet_v2", width=1.4),), BOTH,
                            (ref("mobilenet_v2", width=1.4),)),
    6_060_840: Provenance("MobileNetV2 1.4's parameters (`paper`)", (lambda: params("mobilenet_v2", width=1.4),),
                          BOTH + ", " + PAPER_PARAMS, (ref_paper("mobilenet_v2", width=1.4),)),

    # MobileNetV3
    5_458_632: Provenance("MobileNetV3-Large's parameters (`paper`)", (lambda: params("mobilenet_v3_large"),),
                          BOTH + ", " + PAPER_PARAMS, (ref_paper("mobilenet_v3_large"),)),
    216_589_760: Provenance("MobileNetV3-Large's MACs", (lambda: macs("mobilenet_v3_large"),), BOTH,
                            (ref("mobilenet_v3_large"),)),
    56_510_400: Provenance("MobileNetV3-Small's MACs", (lambda: macs("mobilenet_v3_small"),), BOTH,
                           (ref("mobilenet_v3_small"),)),

    # EfficientNet (README: B0 scaled to B3)
    686_802_832: Provenance("EfficientNet-B1's MACs", (lambda: macs("efficientnet_b1"),), BOTH, (efficientnet(1),)),
    4_393_771_024: Provenance("EfficientNet-B4's MACs", (lambda: macs("efficientnet_b4"),), BOTH, (efficientnet(4),)),
    10_266_384_752: Provenance("EfficientNet-B5's MACs", (lambda: macs("efficientnet_b5"),), BOTH,
                               (efficientnet(5),)),
    37_745_884_192: Provenance("EfficientNet-B7's MACs", (lambda: macs("efficientnet_b7"),), BOTH,
                               (efficientnet(7),)),
    9_109_994: Provenance("EfficientNet-B2's parameters under `torch`", (lambda: params("efficientnet_b2", "torch"),),
                          BOTH + ": sum(p.numel())", (efficientnet(2, "params"),)),
    1_827_141_392: Provenance(
        "EfficientNet-B0 at width 1.2, depth 1.4, 300 px: EfficientNet-B3's MACs",
        (lambda: macs("efficientnet_b0", width=1.2, depth=1.4, resolution=300), lambda: macs("efficientnet_b3")),
        BOTH + ": efficientnet_b3, and B0's builder at (1.2, 1.4) and 300 px",
        (efficientnet(3), ref("efficientnet_b0", width=1.2, depth=1.4, resolution=300))),

    # The comparison networks
    4_089_184_256: Provenance("ResNet-50's MACs (torchvision's v1.5)", (lambda: macs("resnet50"),), TORCHVISION,
                              (ref("resnet50"),)),
    15300: Provenance(
        "MobileNet Table 8's VGG-16 Mult-Adds in millions: the convolutions, printed to three significant figures",
        (lambda: round(macs("vgg16") - fc_macs("vgg16"), -8) // 10**6,),
        "Howard et al. 2017, Table 8, as printed; torchvision's convolutions measured, rounded alike",
        (lambda: 15300,
         lambda: round(sum(l["macs"] for l in onnx_layers("vgg16") if l["kind"] == "conv"), -8) // 10**6)),
    15_346_630_656: Provenance("VGG-16's convolutions' MACs", (lambda: macs("vgg16") - fc_macs("vgg16"),),
                               "torchvision's vgg16, every Conv2d measured (tests/data/onnx/reference.json)",
                               (lambda: sum(l["macs"] for l in onnx_layers("vgg16") if l["kind"] == "conv"),)),
    123_633_664: Provenance("VGG-16's classifier's MACs", (lambda: fc_macs("vgg16"),),
                            "7·7·512 → 4096 → 4096 → 1000; torchvision's Linear layers measured",
                            (lambda: 7 * 7 * 512 * 4096 + 4096 * 4096 + 4096 * 1000,
                             lambda: sum(l["macs"] for l in onnx_layers("vgg16") if l["kind"] == "linear"))),
    832_667_936: Provenance("SqueezeNet 1.0's MACs at 227×227", (lambda: macs("squeezenet1_0", resolution=227),),
                            "Iandola et al. 2016, Table 1, worked out at 227 (tests/independent.py)",
                            (lambda: squeezenet1_0_by_hand_at_227()[0],)),
    1_582_671_872: Provenance("The paper's GoogLeNet's MACs", (lambda: googlenet_as_the_paper_builds_it().totals.macs,),
                              "Szegedy et al. 2015, Table 1, worked out (tests/independent.py)",
                              (lambda: googlenet_paper_by_hand()[0],)),
    6_998_552: Provenance("The paper's GoogLeNet's parameters",
                          (lambda: googlenet_as_the_paper_builds_it().totals.params,),
                          "Szegedy et al. 2015, Table 1, worked out (tests/independent.py)",
                          (lambda: googlenet_paper_by_hand()[1],)),

    # ShuffleNetV2: the authors' units (shufflenet_v2_megvii) and torchvision's (shufflenet_v2)
    40_476_448: Provenance("ShuffleNetV2 0.5×'s MACs, the authors' units and torchvision's alike",
                           (lambda: macs("shufflenet_v2_megvii", width=0.5), lambda: macs("shufflenet_v2", width=0.5)),
                           "the authors' units worked out (tests/independent.py); " + TORCHVISION,
                           (megvii(0.5, 0), ref("shufflenet_v2", width=0.5))),
    145_814_296: Provenance("ShuffleNetV2 1.0×'s MACs, the authors' units",
                            (lambda: macs("shufflenet_v2_megvii", width=1.0),),
                            "the authors' units worked out (tests/independent.py)", (megvii(1.0, 0),)),
    298_970_656: Provenance("ShuffleNetV2 1.5×'s MACs, the authors' units",
                            (lambda: macs("shufflenet_v2_megvii", width=1.5),),
                            "the authors' units worked out (tests/independent.py)", (megvii(1.5, 0),)),
    590_783_000: Provenance("ShuffleNetV2 2.0×'s MACs, the authors' units",
                            (lambda: macs("shufflenet_v2_megvii", width=2.0),),
                            "the authors' units worked out (tests/independent.py)", (megvii(2.0, 0),)),
    1_357_840: Provenance("ShuffleNetV2 0.5×'s parameters, the authors' units",
                          (lambda: params("shufflenet_v2_megvii", width=0.5),),
                          "the authors' units worked out; torchvision's shufflenet_v2_x0_5, " + PAPER_PARAMS
                          + ", less its classifier's 1,000 biases (the authors' classifier has none)",
                          (megvii(0.5, 1), lambda: reference_paper_params("shufflenet_v2", width=0.5) - 1000)),
    2_262_580: Provenance("ShuffleNetV2 1.0×'s parameters, the authors' units",
                          (lambda: params("shufflenet_v2_megvii", width=1.0),),
                          "the authors' units worked out (tests/independent.py)", (megvii(1.0, 1),)),
    3_483_280: Provenance("ShuffleNetV2 1.5×'s parameters, the authors' units",
                          (lambda: params("shufflenet_v2_megvii", width=1.5),),
                          "the authors' units worked out (tests/independent.py)", (megvii(1.5, 1),)),
    7_368_884: Provenance("ShuffleNetV2 2.0×'s parameters, the authors' units",
                          (lambda: params("shufflenet_v2_megvii", width=2.0),),
                          "the authors' units worked out (tests/independent.py)", (megvii(2.0, 1),)),
    144_907_992: Provenance("torchvision's ShuffleNetV2 1.0×'s MACs", (lambda: macs("shufflenet_v2", width=1.0),),
                            TORCHVISION, (ref("shufflenet_v2", width=1.0),)),
    295_759_392: Provenance("torchvision's ShuffleNetV2 1.5×'s MACs", (lambda: macs("shufflenet_v2", width=1.5),),
                            TORCHVISION, (ref("shufflenet_v2", width=1.5),)),
    583_253_464: Provenance("torchvision's ShuffleNetV2 2.0×'s MACs", (lambda: macs("shufflenet_v2", width=2.0),),
                            TORCHVISION, (ref("shufflenet_v2", width=2.0),)),
}


def doc_figures(doc: str) -> list[str]:
    return [f for f in quoted((ROOT / doc).read_text(encoding="utf-8")) if f not in NOT_FIGURES.get(doc, {})]


# ---- the tests ------------------------------------------------------------------------------------------------

def test_the_scan_finds_figures_as_the_docs_write_them():
    text = ("4,867,293,184 MACs; `76_524_800`; 15300 M; (239,173,360 / 339,172,672, equal; 1,372 kB; 4.24 M; "
            "arXiv 1907.09595; 0.017–0.153; 10,944.\n<!-- BEGIN X -->\n1,234,567\n<!-- END X -->\n")
    assert quoted(text) == ["4,867,293,184", "76_524_800", "15300", "239,173,360", "339,172,672", "10,944"]


@pytest.mark.parametrize("doc", DOCS)
def test_every_figure_a_doc_quotes_has_a_provenance(doc):
    missing = sorted({f for f in doc_figures(doc) if value(f) not in PROVENANCE}, key=value)
    assert not missing, f"{doc} quotes figures without an entry in PROVENANCE: {', '.join(missing)}"
    text = GENERATED.sub("", (ROOT / doc).read_text(encoding="utf-8"))
    assert all(written in text for written in NOT_FIGURES.get(doc, {})), "a NOT_FIGURES entry is stale"


def test_every_provenance_entry_is_quoted_by_a_doc():
    everywhere = {value(f) for doc in DOCS for f in doc_figures(doc)}
    assert not sorted(set(PROVENANCE) - everywhere), "PROVENANCE has figures no doc quotes any more"


@pytest.mark.parametrize("figure", sorted(PROVENANCE), ids=lambda n: f"{n:,}")
def test_costnet_gives_the_quoted_figure(figure):
    entry = PROVENANCE[figure]
    assert [compute() for compute in entry.costnet] == [figure] * len(entry.costnet), entry.what


@pytest.mark.parametrize("figure", sorted(PROVENANCE), ids=lambda n: f"{n:,}")
def test_the_quoted_figure_has_its_independent_source(figure):
    entry = PROVENANCE[figure]
    assert entry.costnet and entry.independent and entry.source
    assert [obtain() for obtain in entry.independent] == [figure] * len(entry.independent), (entry.what, entry.source)
