"""The model zoo against its reference implementations, and the graph building blocks by hand.

The reference integers are tests/data/reference_figures.json (benchmarks/oracle_reference.py: torchvision 0.28
and timm 1.0.31 models in PyTorch 2.13, num_classes=1000; P = sum(p.numel()), BN = batch-norm weight + bias, MACs
counted with forward hooks on every Conv2d/Linear at 224×224), read through tests/independent.py. The by-hand
figures are arithmetic over the published architectures, written out here or in tests/independent.py.
"""

import textwrap

import pytest

import costnet
from costnet import SpecError, UsageError
from conftest import make_spec
from independent import reference, shufflenet_v2_megvii_by_hand

REFERENCE = [  # (spec, width) of each zoo network checked against its PyTorch reference
    ("mobilenet_v2", 1.0), ("mobilenet_v2", 1.4), ("mobilenet_v2", 1.3), ("mobilenet_v2", 0.75),
    ("mobilenet_v2", 0.5), ("mobilenet_v2", 0.35),
    ("mobilenet_v3_large", 1.0), ("mobilenet_v3_small", 1.0),
    ("mnasnet_b1", 0.5), ("mnasnet_b1", 0.75), ("mnasnet_b1", 1.0), ("mnasnet_b1", 1.3),
    ("mnasnet_a1", 1.0),  # timm semnasnet_100
    ("efficientnet_b0", 1.0),
    ("shufflenet_v2", 0.5), ("shufflenet_v2", 1.0), ("shufflenet_v2", 1.5), ("shufflenet_v2", 2.0),
    ("squeezenet1_0", None), ("squeezenet1_1", None),
    ("googlenet", None),  # aux_logits=False, as published
    ("vgg16", None), ("alexnet", None), ("resnet18", None), ("resnet50", None), ("densenet121", None),
]


@pytest.mark.parametrize("name,width", REFERENCE, ids=lambda v: str(v))
def test_exact_against_reference_implementation(name, width):
    case = reference(name, width=1.0 if width is None else width)
    params, norm, macs = case["params"], case["bn_params"], case["macs"]
    result = costnet.analyze(costnet.scale(costnet.load(name), width=width), "torch")
    assert (result.totals.params, result.totals.norm_params, result.totals.macs) == (params, norm, macs)
    paper = costnet.analyze(costnet.scale(costnet.load(name), width=width), "paper")
    assert paper.totals.params == params - norm


def layers_of(text, **scaling):
    return costnet.analyze(costnet.scale(costnet.parse_spec(text, "t.yaml"), **scaling), "torch").layers


def test_fire_module_by_hand():
    # SqueezeNet 1.0's fire2 on 96×54×54: squeeze 16, expand 64 (1×1) + 64 (3×3), biases, no BN.
    rows = layers_of(make_spec("- {type: fire, squeeze: 16, expand1x1: 64, expand3x3: 64, name: fire2}",
                               resolution=54, channels=96))
    assert [r.name for r in rows] == ["s.fire2.squeeze", "s.fire2.expand1x1.conv", "s.fire2.expand3x3.conv",
                                      "s.fire2.concat"]
    assert [r.params for r in rows[:3]] == [96 * 16 + 16, 16 * 64 + 64, 16 * 64 * 9 + 64]
    assert sum(r.macs for r in rows) == 54 * 54 * (96 * 16 + 16 * 64 + 16 * 64 * 9)
    assert rows[-1].output_shape.channels == 128


def test_inception_module_by_hand():
    # torchvision's inception3a on 192×28×28 (branch 3 is 3×3 there).
    body = ("- {type: inception, name: a, b1: 64, b2_reduce: 96, b2: 128, b3_reduce: 16, b3: 32, b3_kernel: 3, "
            "pool_proj: 32}")
    rows = layers_of(make_spec(body, resolution=28, channels=192))
    weights = 192 * 64 + (192 * 96 + 96 * 128 * 9) + (192 * 16 + 16 * 32 * 9) + 192 * 32
    assert sum(r.weights for r in rows) == weights == 155_136
    assert sum(r.norm_params for r in rows) == 2 * (64 + 96 + 128 + 16 + 32 + 32)
    assert sum(r.macs for r in rows) == 28 * 28 * weights
    assert "s.a.branch2.conv2" in [r.name for r in rows]
    assert rows[-1].type == "concat" and rows[-1].output_shape.channels == 64 + 128 + 32 + 32


def test_shuffle_units_by_hand():
    stride1 = layers_of(make_spec("- {type: shuffle_unit, out: 116}", resolution=28, channels=116))
    # half the channels pass through; the other 58 go 1×1, 3×3 depthwise, 1×1
    assert sum(r.weights for r in stride1) == 58 * 58 + 58 * 9 + 58 * 58
    assert sum(r.macs for r in stride1) == 28 * 28 * (58 * 58 + 58 * 9 + 58 * 58)
    assert stride1[0].input_shape.channels == 58
    assert [r.type for r in stride1][-2:] == ["concat", "shuffle"]
    stride2 = layers_of(make_spec("- {type: shuffle_unit, out: 116, stride: 2}", resolution=56, channels=24))
    side = (24 * 9 + 24 * 58) * 28 * 28
    main = 24 * 58 * 56 * 56 + (58 * 9 + 58 * 58) * 28 * 28
    assert sum(r.macs for r in stride2) == side + main
    assert stride2[-1].output_shape.channels == 116 and stride2[-1].output_shape.height == 28


def megvii_shufflenet(stage_widths, head):
    """ShuffleNetV2 as the paper's authors build it: a stride-2 unit's main branch outputs out − in channels."""
    stages, inp = [], 24
    for name, out, repeats in zip(("stage2", "stage3", "stage4"), stage_widths, (4, 8, 4)):
        stages.append(textwrap.dedent(f"""\
            - name: {name}
              blocks:
                - type: parallel
                  merge: concat
                  branches:
                    - [{{type: dwconv, kernel: 3, stride: 2}}, {{type: pwconv, out: {inp}, act: relu}}]
                    - [{{type: pwconv, out: {out // 2}, act: relu}}, {{type: dwconv, kernel: 3, stride: 2}}, {{type: pwconv, out: {out - inp}, act: relu}}]
                - {{type: shuffle, groups: 2}}
                - {{type: shuffle_unit, out: {out}, repeat: {repeats - 1}}}
            """))
        inp = out
    text = textwrap.dedent("""\
        version: 1
        name: ShuffleNetV2 (authors' units)
        input: {channels: 3, resolution: 224}
        body:
          - name: stem
            blocks:
              - {type: conv, out: 24, kernel: 3, stride: 2, act: relu}
              - {type: pool, mode: max, kernel: 3, stride: 2, padding: 1}
        """) + textwrap.indent("".join(stages), "  ") + (
        "  - name: head\n"
        "    blocks:\n"
        f"      - {{type: pwconv, out: {head}, act: relu}}\n"
        "      - {type: global_pool}\n"
        "      - {type: fc, out: 1000, bias: false}\n")
    return costnet.analyze(costnet.parse_spec(text, "megvii.yaml"))


@pytest.mark.parametrize("widths,head,printed_macs,printed_params", [  # Ma et al. 2018, Table 5: 1.0×, 1.5×, 2.0×
    ((116, 232, 464), 1024, 146, 2.3),
    ((176, 352, 704), 1024, 299, 3.5),
    ((244, 488, 976), 2048, 591, 7.4),
])
def test_shufflenet_v2_paper_figures_are_the_authors_implementation(widths, head, printed_macs, printed_params):
    macs, weights = shufflenet_v2_megvii_by_hand(widths, head)  # tests/independent.py
    result = megvii_shufflenet(widths, head)
    assert result.totals.macs == macs and round(macs / 1e6) == printed_macs
    assert result.totals.params == weights  # no biases: the classifier has none, batch norm follows each conv
    assert round(result.totals.params / 1e6, 1) == printed_params


def test_non_scalable_network_says_so():
    with pytest.raises(UsageError, match="ResNet-50 defines no width multiplier"):
        costnet.scale(costnet.load("resnet50"), width=0.5)
    with pytest.raises(UsageError, match=r"defined at widths 0.5, 1, 1.5, 2 only"):
        costnet.scale(costnet.load("shufflenet_v2"), width=0.75)


@pytest.mark.parametrize("name", ["mobilenet_v2", "mnasnet_b1", "mnasnet_a1"])
@pytest.mark.parametrize("width", [1.4, 1.3, 1.0, 0.75, 0.5, 0.35])
def test_width_and_resolution_sweep_the_mobile_families(name, width):
    previous = 0
    for resolution in (96, 128, 160, 192, 224):
        result = costnet.analyze(costnet.scale(costnet.load(name), width=width, resolution=resolution))
        assert result.totals.macs > previous
        previous = result.totals.macs


def test_merge_errors_name_both_inputs():
    body = """\
    - type: parallel
      name: mix
      merge: concat
      branches:
        - [{type: conv, out: 8, kernel: 3, stride: 2}]
        - [{type: conv, out: 8, kernel: 3}]
    """
    with pytest.raises(SpecError, match=r"cannot concat branch1 \(8×16×16\) and branch2 \(8×32×32\) at s.mix"):
        layers_of(make_spec(body))
    with pytest.raises(SpecError, match=r"cannot split 9 channels equally into 2 branches"):
        layers_of(make_spec("- {type: parallel, merge: concat, split: equal, branches: [[], []]}", channels=9))


def test_dense_block_grows_by_the_growth_rate():
    rows = layers_of(make_spec("- {type: dense_layer, growth: 32, repeat: 3}", channels=64))
    concats = [r for r in rows if r.type == "concat"]
    assert [r.output_shape.channels for r in concats] == [96, 128, 160]


def test_resnet_projection_shortcut_only_where_shapes_change():
    rows = layers_of(make_spec("- {type: resnet_bottleneck, out: 256, repeat: 2}", channels=64))
    assert [r.name for r in rows if "downsample" in r.name] == ["s.0.downsample.conv"]


BLOCK_SAMPLES = {  # fields that make each block type expand to the most rows it can
    "separable": "{type: separable, out: 16, se: 0.25, skip: true}",
    "inverted_residual": "{type: inverted_residual, out: 16, expand: 6, se: 0.25}",
    "mixnet": "{type: mixnet, out: 16, expand: 6, kernel: [3, 5], se: 0.5}",
    "fire": "{type: fire, squeeze: 4, expand1x1: 8, expand3x3: 8}",
    "inception": "{type: inception, b1: 4, b2_reduce: 4, b2: 4, b3_reduce: 4, b3: 4, pool_proj: 4}",
    "resnet_basic": "{type: resnet_basic, out: 32, stride: 2}",
    "resnet_bottleneck": "{type: resnet_bottleneck, out: 64, stride: 2}",
    "dense_layer": "{type: dense_layer, growth: 8}",
    "shuffle_unit": "{type: shuffle_unit, out: 32, stride: 2}",
}


def test_block_samples_cover_every_block_type():
    from costnet.frontends.spec.blocks import BLOCK_TYPES

    assert set(BLOCK_SAMPLES) == set(BLOCK_TYPES)


@pytest.mark.parametrize("kind", sorted(BLOCK_SAMPLES))
def test_a_block_never_expands_beyond_its_declared_bound(kind):
    """The bound `repeat: 10**9` is refused by: each block's max_layers, reached by its sample."""
    from costnet.frontends.spec.blocks import BLOCK_TYPES

    rows = layers_of(make_spec(f"- {BLOCK_SAMPLES[kind]}", resolution=16, channels=16))
    assert len(rows) == BLOCK_TYPES[kind].max_layers


def test_a_network_too_large_to_build_is_refused_before_building():
    with pytest.raises(SpecError, match=r"repeat: must be an integer from 1 to 16,777,216 \(got 1000000000\)"):
        layers_of(make_spec("- {type: conv, out: 8, kernel: 1, repeat: 1000000000}"))
    # 1,000,000 inverted residuals of up to 5 rows each: refused at once, nothing built
    with pytest.raises(SpecError, match=r"unrolls to up to 5,000,000 layers, more than costnet's limit of 2,000,000"):
        layers_of(make_spec("- {type: inverted_residual, out: 8, repeat: 1000000}"))
