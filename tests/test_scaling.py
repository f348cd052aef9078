"""Width, resolution and depth scaling: the rounding rules of the reference implementations."""

import pytest

import costnet
from costnet.frontends.spec.scaling import make_divisible, slim_depth
from conftest import make_spec


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


def test_depth_multiplier_rounds_repeats_up(analyze_text):
    text = make_spec(BODY)
    count = lambda result: sum(1 for l in result.layers if l.type == "dwconv")
    assert count(analyze_text(text)) == 3
    assert count(analyze_text(text, depth=1.2)) == 4  # ⌈3.6⌉
    assert count(analyze_text(text, depth=0.5)) == 2  # ⌈1.5⌉


def test_repeats_take_the_stride_only_once(analyze_text):
    result = analyze_text(make_spec("- {type: separable, out: 16, stride: 2, repeat: 3}", resolution=32))
    assert [l.output_shape.height for l in result.layers if l.type == "dwconv"] == [16, 16, 16]


def test_spec_default_width_applies_and_cli_width_overrides_it():
    large = costnet.load("mixnet_l")
    assert large.width.multiplier == 1.3
    assert costnet.analyze(large).scaling.width == 1.3
    medium = costnet.analyze(costnet.load("mixnet_m"))
    assert costnet.analyze(costnet.scale(large, width=1.0)).totals == medium.totals


def test_scale_twice_is_refused():
    spec = costnet.scale(costnet.load("mobilenet_v1"))
    with pytest.raises(ValueError):
        costnet.scale(spec)


def test_exponential_split_in_a_spec(analyze_text):
    body = "- {type: dwconv, kernel: [3, 5, 7, 9], split: exponential}"
    (dw,) = analyze_text(make_spec(body, channels=32)).layers
    assert [c.weights for c in dw.costs] == [16 * 9, 8 * 25, 4 * 49, 4 * 81]
