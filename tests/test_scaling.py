"""Width, resolution and depth scaling: the rounding rules of the reference implementations."""

import textwrap

import pytest

import costnet
from costnet.frontends.spec.scaling import make_divisible, slim_depth
from conftest import make_spec
from independent import reference


@pytest.mark.parametrize("value,expected", [
    (32 * 0.35, 16),  # 11.2 → 8 is more than 10% below, so 16 (MobileNetV2 0.35's stem)
    (24 * 1.3, 32), (32 * 1.3, 40), (40 * 1.3, 56), (80 * 1.3, 104), (120 * 1.3, 160), (200 * 1.3, 264),  # MixNet-L
    (1280 * 1.4, 1792), (96 * 0.75, 72), (3.0, 8),
])
def test_make_divisible(value, expected):
    assert make_divisible(value, 8) == expected


@pytest.mark.parametrize("value,expected", [(32 * 0.75, 24), (1024 * 0.25, 256), (32 * 0.25, 8), (64 * 0.3, 19)])
def test_slim_depth(value, expected):
    assert slim_depth(value, 8) == expected


BODY = """\
- {type: conv, out: 32, kernel: 3}
- {type: conv, out: 64, kernel: 1, width_scaling: fixed}
- {type: conv, out: 128, kernel: 1, width_scaling: grow_only}
- {type: separable, out: 40, repeat: 3}
- {type: global_pool}
- {type: fc, out: 10}
"""


def widths(result):
    return [l.output_shape.channels for l in result.layers if l.type in ("conv", "pwconv", "fc")]


def test_width_scaling_respects_opt_outs_and_never_scales_classes(analyze_text):
    text = make_spec(BODY)
    assert widths(analyze_text(text)) == [32, 64, 128, 40, 40, 40, 10]
    assert widths(analyze_text(text, width=0.5)) == [16, 64, 128, 24, 24, 24, 10]  # 20 → 24 (10% rule)
    assert widths(analyze_text(text, width=1.5)) == [48, 64, 192, 64, 64, 64, 10]  # 60 → 64


DEPTH_SPEC = """\
version: 1
name: depth-test
input: {channels: 3, resolution: 32}
depth: {multiplier: 1.0, rule: RULE}
body:
  - name: stem
    blocks: [{type: conv, out: 8, kernel: 3, stride: 2}]
  - name: stage1
    depth_scaling: scaled
    blocks:
      - {type: separable, out: 16, stride: 2}
      - {type: separable, out: 16, repeat: 3}
  - name: head
    blocks: [{type: global_pool}, {type: fc, out: 10}]
"""


def rows_per_entry(result):
    """(stem convs, stage1 blocks by entry, fc layers)."""
    names = [l.name for l in result.layers]
    stage = sorted({n.split(".")[1] for n in names if n.startswith("stage1.")}, key=int)
    return (sum(n.startswith("stem.") for n in names), len(stage), sum(l.type == "fc" for l in result.layers))


@pytest.mark.parametrize("rule,depth,blocks", [
    # ceil, each entry on its own (TF's round_repeats): ⌈1·d⌉ + ⌈3·d⌉
    ("ceil", 1.0, 1 + 3), ("ceil", 0.5, 1 + 2), ("ceil", 0.7, 1 + 3), ("ceil", 1.2, 2 + 4), ("ceil", 1.4, 2 + 5),
    ("ceil", 2.0, 2 + 6),
    # stage_round (timm's _scale_stage_depth, depth_trunc='round'): total T = max(1, round(4d)); the last entry
    # gets max(1, round(3/4 · T)), the first max(1, round(T − that)); round() takes halves to even.
    ("stage_round", 0.2, 1 + 1),  # T = round(0.8) = 1; last max(1, round(0.75)) = 1; first max(1, 0) = 1
    ("stage_round", 0.5, 1 + 2),  # T = 2; last round(1.5) = 2; first max(1, 0) = 1
    ("stage_round", 0.7, 1 + 2),  # T = round(2.8) = 3; last round(2.25) = 2; first 1
    ("stage_round", 1.2, 1 + 4),  # T = round(4.8) = 5; last round(3.75) = 4; first 1
    ("stage_round", 1.3, 1 + 4),  # T = round(5.2) = 5, as at 1.2
    ("stage_round", 1.5, 2 + 4),  # T = 6; last round(4.5) = 4 (half to even); first 2
    ("stage_round", 2.0, 2 + 6),
])
def test_depth_scales_only_the_stages_of_blocks(rule, depth, blocks):
    spec = costnet.parse_spec(DEPTH_SPEC.replace("RULE", rule), "depth.yaml")
    result = costnet.analyze(costnet.scale(spec, depth=depth))
    assert rows_per_entry(result) == (1, blocks, 1)  # one stem conv and one classifier, whatever the depth


def test_repeats_that_shrink_the_map_can_make_a_deeper_network_cheaper():
    # docs/spec.md, "Scaling": MACs never decrease with depth only while repeats keep their input's shape
    text = """\
        version: 1
        name: shrinking
        input: {channels: 8, resolution: 16}
        body:
          - name: s
            depth_scaling: scaled
            blocks: [{type: conv, out: 8, kernel: 3, padding: valid}]
          - name: head
            blocks: [{type: conv, out: 1024, kernel: 1}]
        """
    spec = costnet.parse_spec(textwrap.dedent(text), "shrinking.yaml")
    macs = [costnet.analyze(costnet.scale(spec, depth=d)).totals.macs for d in (1, 2, 3)]
    assert macs == [1_718_528, 1_375_488, 1_072_640]  # 14×14, 12×12, 10×10 under the 1024-channel head


def test_depth_on_a_network_without_block_stages_is_refused():
    with pytest.raises(costnet.UsageError, match="no stage that scales with depth"):
        costnet.scale(costnet.parse_spec(make_spec("- {type: conv, out: 8, kernel: 3}"), "t.yaml"), depth=2)


def test_repeats_take_the_stride_only_once(analyze_text):
    result = analyze_text(make_spec("- {type: separable, out: 16, stride: 2, repeat: 3}", resolution=32))
    assert [l.output_shape.height for l in result.layers if l.type == "dwconv"] == [16, 16, 16]


def test_spec_default_width_applies_and_cli_width_overrides_it():
    large = costnet.load("mixnet_l")
    assert large.width.multiplier == 1.3
    assert costnet.analyze(large).scaling.width == 1.3
    medium = costnet.analyze(costnet.load("mixnet_m"))
    narrowed = costnet.analyze(costnet.scale(large, width=1.0)).totals
    assert narrowed == medium.totals
    assert narrowed.macs == reference("mixnet_m")["macs"]  # timm's mixnet_m, not only costnet's own MixNet-M


def test_scale_composes():
    """A second scale() keeps what the first set: 0.5 MobileNet-160 is timm's 76,524,800 MACs (TF-slim README:
    77M)."""
    spec = costnet.load("mobilenet_v1")
    twice = costnet.scale(costnet.scale(spec, width=0.5), resolution=160)
    assert twice.scaling == costnet.scale(spec, width=0.5, resolution=160).scaling
    assert costnet.analyze(twice).totals.macs == reference("mobilenet_v1", width=0.5, resolution=160)["macs"]


@pytest.mark.parametrize("arguments,message", [
    (dict(resolution=160.5), r"resolution must be a whole number of pixels from 1 to 8,192 \(got 160.5\)"),
    (dict(resolution=0), r"from 1 to 8,192 \(got 0\)"),
    (dict(width=float("nan")), r"width multiplier must be a number above 0, at most 16 \(got nan\)"),
    (dict(width=float("inf")), r"at most 16 \(got inf\)"),
    (dict(width="0.5"), r"\(got '0.5'\)"),
    (dict(depth=True), r"depth multiplier .* \(got True\)"),
])
def test_the_api_validates_its_arguments(arguments, message):
    with pytest.raises(costnet.UsageError, match=message):
        costnet.scale(costnet.load("mobilenet_v1"), **arguments)


@pytest.mark.parametrize("call", [
    lambda: costnet.analyze(42), lambda: costnet.analyze("mixnet_m"), lambda: costnet.load(3),
    lambda: costnet.analyze(costnet.load("mixnet_m"), "bogus"), lambda: costnet.parse_spec(b"version: 1"),
    lambda: costnet.scale(None),
])
def test_wrong_argument_types_are_costnet_errors(call):
    with pytest.raises(costnet.UsageError):
        call()


def test_exponential_split_in_a_spec(analyze_text):
    body = "- {type: dwconv, kernel: [3, 5, 7, 9], split: exponential}"
    (dw,) = analyze_text(make_spec(body, channels=32)).layers
    assert [c.weights for c in dw.costs] == [16 * 9, 8 * 25, 4 * 49, 4 * 81]
