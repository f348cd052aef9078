"""Figures obtained outside costnet, for the tests to compare costnet with. Nothing here imports costnet.

- `reference()`: a case of tests/data/reference_figures.json, written by benchmarks/oracle_reference.py from timm
  1.0.31 and torchvision 0.28 models built in PyTorch 2.13: params = sum(p.numel()), bn_params = batch-norm γ + β,
  macs = every Conv2d and Linear by forward hooks, activations = their output elements.
- `onnx_layers()`: the per-layer measurements of tests/data/onnx/reference.json (benchmarks/export_onnx.py: the
  same libraries at 3×224×224; each Conv2d and Linear call with its shapes, parameters and MACs).
- The `*_by_hand` functions: arithmetic over an architecture as its paper tabulates it, written out here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def _reference_cases() -> tuple[dict, ...]:
    return tuple(json.loads((DATA / "reference_figures.json").read_text())["cases"])


def reference(spec: str, *, resolution: int = 224, width: float = 1.0, depth: float = 1.0,
              library: str | None = None) -> dict:
    """The PyTorch figures of `spec`'s reference at one width, depth and resolution: params, bn_params, macs,
    activations. Where timm and torchvision both build the network they must agree (else name `library`)."""
    cases = [c for c in _reference_cases()
             if c["spec"] == spec and c["resolution"] == resolution and c["width"] == width and c["depth"] == depth
             and "error" not in c and (library is None or c["reference"].split()[0] == library)]
    figures = {tuple((k, c[k]) for k in ("params", "bn_params", "macs", "activations")) for c in cases}
    if len(figures) != 1:
        raise LookupError(f"{len(figures)} distinct reference figures for {spec} w{width} d{depth} r{resolution}"
                          f"{' ' + library if library else ''} in tests/data/reference_figures.json")
    return dict(next(iter(figures)))


def reference_paper_params(spec: str, **variant) -> int:
    """Weights + biases (the `paper` convention): every parameter of these PyTorch models is a weight, a bias or
    a batch-norm γ or β, so it is sum(p.numel()) minus the batch-norm parameters."""
    case = reference(spec, **variant)
    return case["params"] - case["bn_params"]


@lru_cache(maxsize=None)
def _onnx_models() -> dict:
    return json.loads((DATA / "onnx" / "reference.json").read_text())["models"]


def onnx_layers(model: str) -> list[dict]:
    """The Conv2d and Linear calls of a reference model at 224 (`kind` conv or linear), with shapes and MACs."""
    return _onnx_models()[model]["layers"]


def onnx_weights(layer: dict) -> int:
    """A measured layer's weights from its shapes: out · in / groups · kh · kw, or out · in for a Linear."""
    if layer["kind"] == "linear":
        return layer["out_shape"][0] * layer["in_shape"][0]
    kh, kw = layer["kernel"]
    return layer["out_shape"][0] * layer["in_shape"][0] // layer["groups"] * kh * kw


def onnx_biases(model: str) -> int:
    """A reference model's biases: each layer's measured parameters less its weights."""
    return sum(layer["params"] - onnx_weights(layer) for layer in onnx_layers(model))


# ---- MobileNetV1 (Howard et al. 2017, arXiv 1704.04861, Table 1) ---------------------------------------------

# The 13 depthwise separable layers of Table 1: (M input channels, N output channels, stride, input size).
MOBILENET_V1_TABLE_1 = (
    [(32, 64, 1, 112), (64, 128, 2, 112), (128, 128, 1, 56), (128, 256, 2, 56), (256, 256, 1, 28),
     (256, 512, 2, 28)] + [(512, 512, 1, 14)] * 5 + [(512, 1024, 2, 14), (1024, 1024, 1, 7)])
MOBILENET_V1_STEM = (3 * 3 * 3 * 32, 112 * 112)  # Conv / s2, 3×3×3×32, on a 112×112 output: (weights, pixels)
MOBILENET_V1_FC = 1024 * 1000  # FC / s1, 1024 × 1000: its weights, and its MACs


def mobilenet_v1_by_hand() -> dict[str, int]:
    """MobileNet 1.0-224 from Table 1: the body (no classifier), the classifier with its 1,000 biases, and the
    counterfactual of Table 4 with every separable pair a full 3×3 convolution (weights only, as TF-slim's
    convolutions have no bias)."""
    stem_weights, stem_pixels = MOBILENET_V1_STEM
    body_weights, body_macs = stem_weights, stem_weights * stem_pixels
    standard_weights, standard_macs = stem_weights, stem_weights * stem_pixels
    norm_channels = 32  # the stem's batch norm
    for m, n, stride, size in MOBILENET_V1_TABLE_1:
        pixels = (size // stride) ** 2
        body_weights += 3 * 3 * m + m * n  # depthwise 3×3, then pointwise 1×1
        body_macs += (3 * 3 * m + m * n) * pixels
        standard_weights += 3 * 3 * m * n
        standard_macs += 3 * 3 * m * n * pixels
        norm_channels += m + n
    return {
        "body_weights": body_weights, "body_macs": body_macs,
        "params": body_weights + MOBILENET_V1_FC + 1000, "macs": body_macs + MOBILENET_V1_FC,
        "standard_params": standard_weights + MOBILENET_V1_FC + 1000, "standard_macs": standard_macs + MOBILENET_V1_FC,
        "standard_conv_macs": standard_macs, "norm_channels": norm_channels,
    }


# ---- ShuffleNetV2 as its authors build it (Ma et al. 2018, arXiv 1807.11164, Table 5; megvii-model) ----------

def shufflenet_v2_megvii_by_hand(stage_widths: tuple[int, int, int], head: int) -> tuple[int, int]:
    """(MACs, weights) at 224. Stem 3×3/2 conv to 24 and a max pool (56×56); stages of 4, 8, 4 units at 28, 14,
    7. A stride-2 unit from `inp` to `out`: a 3×3/2 depthwise and a 1×1 inp → inp on one side; a 1×1 inp → out/2
    (at the input's size), a 3×3/2 depthwise and a 1×1 out/2 → out − inp on the other. A stride-1 unit passes
    half of its channels c = out/2 and runs 1×1, 3×3 depthwise, 1×1 on the rest. Then a 1×1 to `head` at 7×7 and
    a fully connected layer without bias; the convolutions have none either (batch norm follows)."""
    macs, weights = 3 * 24 * 9 * 112 * 112, 3 * 24 * 9
    inp, size = 24, 28
    for out, units in zip(stage_widths, (4, 8, 4)):
        mid = out // 2
        side = inp * 9 + inp * inp
        main_at_output = mid * 9 + mid * (out - inp)
        macs += side * size * size + inp * mid * (2 * size) ** 2 + main_at_output * size * size
        weights += side + inp * mid + main_at_output
        c = out // 2
        unit = c * c + c * 9 + c * c
        macs += (units - 1) * unit * size * size
        weights += (units - 1) * unit
        inp, size = out, size // 2
    macs += inp * head * 7 * 7 + head * 1000
    weights += inp * head + head * 1000
    return macs, weights


# ---- SqueezeNet 1.0 (Iandola et al. 2016, arXiv 1602.07360, Table 1) at its Caffe input, 227×227 -------------

def squeezenet1_0_by_hand_at_227() -> tuple[int, int]:
    """(MACs, weights + biases). conv1 7×7/2, 96 filters, no padding: (227 − 7) / 2 + 1 = 111; max pools 3×3/2
    with ceil_mode: ⌈(111 − 3) / 2⌉ + 1 = 55, ⌈(55 − 3) / 2⌉ + 1 = 27, ⌈(27 − 3) / 2⌉ + 1 = 13. A fire module with
    `c` inputs: squeeze 1×1 c → s, expand 1×1 s → e and 3×3 s → e, every convolution with bias. conv10: 1×1 to
    1000 classes at 13×13."""
    def fire(c, s, e):
        return c * s + s * e + s * e * 9, (c * s + s) + (s * e + e) + (s * e * 9 + e)

    macs, params = 3 * 96 * 49 * 111 * 111, 3 * 96 * 49 + 96
    for size, modules in ((55, [(96, 16, 64), (128, 16, 64), (128, 32, 128)]),
                          (27, [(256, 32, 128), (256, 48, 192), (384, 48, 192), (384, 64, 256)]),
                          (13, [(512, 64, 256)])):
        for c, s, e in modules:
            weights, module_params = fire(c, s, e)
            macs, params = macs + weights * size * size, params + module_params
    return macs + 512 * 1000 * 13 * 13, params + 512 * 1000 + 1000


# ---- GoogLeNet as its paper builds it (Szegedy et al. 2015, arXiv 1409.4842, Table 1) -------------------------

# Inception modules: (b1 "#1×1", b2_reduce "#3×3 reduce", b2 "#3×3", b3_reduce "#5×5 reduce", b3 "#5×5",
# pool_proj "pool proj"), by output size.
GOOGLENET_TABLE_1 = (
    (28, [(64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64)]),
    (14, [(192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64),
          (112, 144, 288, 32, 64, 64), (256, 160, 320, 32, 128, 128)]),
    (7, [(256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128)]),
)


def googlenet_paper_by_hand() -> tuple[int, int]:
    """(MACs, weights + biases) of Table 1's network without auxiliary classifiers: 7×7/2 conv to 64 (112×112),
    1×1 conv 64 and 3×3 conv 192 at 56×56, inception modules with 5×5 branches, every convolution with bias and
    no batch norm, and a 1024 → 1000 fully connected layer."""
    macs, params = 3 * 64 * 49 * 112 * 112, 3 * 64 * 49 + 64
    macs, params = macs + 64 * 64 * 56 * 56, params + 64 * 64 + 64
    macs, params = macs + 64 * 192 * 9 * 56 * 56, params + 64 * 192 * 9 + 192
    channels = 192
    for size, modules in GOOGLENET_TABLE_1:
        for b1, r2, b2, r3, b3, pool_proj in modules:
            weights = (channels * b1 + channels * r2 + r2 * b2 * 9 + channels * r3 + r3 * b3 * 25
                       + channels * pool_proj)
            macs += weights * size * size
            params += weights + b1 + r2 + b2 + r3 + b3 + pool_proj
            channels = b1 + b2 + b3 + pool_proj
    return macs + channels * 1000, params + channels * 1000 + 1000
