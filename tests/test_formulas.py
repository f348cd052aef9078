"""Cost formulas against hand-computed values and invariants over grids of shapes."""

import itertools

import pytest

from costnet.graph import formulas as f
from conftest import make_spec


@pytest.mark.parametrize("size,kernel,stride,padding,ceil,expected", [
    (224, 3, 2, "same", False, 112),
    (7, 3, 2, "same", False, 4),  # ⌈7/2⌉
    (224, 11, 4, 2, False, 55),  # AlexNet conv1 in torchvision
    (55, 3, 2, "valid", False, 27),
    (112, 3, 2, "valid", True, 56),  # GoogLeNet's maxpool with ceil_mode: (112-3)/2 → 55.5 → 56
    (14, 3, 2, "valid", True, 7),
    (5, 5, 1, "valid", False, 1),
    (4, 5, 1, "valid", False, 0),  # does not fit
], ids=lambda v: str(v))
def test_output_size(size, kernel, stride, padding, ceil, expected):
    assert f.output_size(size, kernel, stride, padding, ceil) == expected


def test_conv_by_hand():
    # 3×3 conv, 16 → 32 channels, on 8×8 output: 32·16·9 weights, each used 64 times.
    assert f.conv_weights(16, 32, 3) == 32 * 16 * 9 == 4608
    assert f.conv_macs(16, 32, 3, 1, 64) == 32 * 16 * 9 * 64 == 294912
    # depthwise: one 3×3 filter per channel
    assert f.conv_weights(16, 16, 3, groups=16) == 16 * 9 == 144


@pytest.mark.parametrize("total,groups,expected", [  # timm's _split_channels: total // groups each, the rest first
    (48, 3, (16, 16, 16)), (50, 3, (16 + 2, 16, 16)), (144, 5, (28 + 4, 28, 28, 28, 28)), (7, 1, (7,)),
])
def test_split_equal_remainder_on_first_group(total, groups, expected):
    assert f.split_equal(total, groups) == expected


@pytest.mark.parametrize("total,groups,expected", [
    (32, 4, (16, 8, 4, 4)),  # the MixConv paper's example
    (32, 1, (32,)), (30, 3, (30 // 2, 30 // 4, 30 - 15 - 7)),  # halving, floored; the last takes the rest
])
def test_split_exponential(total, groups, expected):
    assert f.split_exponential(total, groups) == expected
    assert sum(expected) == total


@pytest.mark.parametrize("c_in,c_out,k,g", list(itertools.product([8, 24, 96], [16, 48], [1, 3, 5], [1, 2, 4, 8])))
def test_grouped_conv_costs_one_gth_of_dense(c_in, c_out, k, g):
    dense = f.conv_macs(c_in, c_out, k, 1, 49)
    assert f.conv_macs(c_in, c_out, k, g, 49) * g == dense
    assert f.conv_weights(c_in, c_out, k, g) * g == f.conv_weights(c_in, c_out, k)


SEPARABLE_GRID = list(itertools.product([8, 32, 64], [16, 128], [3, 5, 7], [1, 2]))


@pytest.mark.parametrize("m,n,k,stride", SEPARABLE_GRID, ids=lambda v: str(v))
def test_separable_ratio_is_one_over_n_plus_one_over_dk_squared(analyze_text, m, n, k, stride):
    result = analyze_text(make_spec(f"- {{type: separable, out: {n}, kernel: {k}, stride: {stride}}}",
                                    resolution=28, channels=m))
    (pair,) = result.separable
    expected = 1 / n + 1 / k**2  # the MobileNet paper, section 3.1
    assert pair.ratio == pytest.approx(expected, rel=1e-12)
    assert pair.formula == pytest.approx(expected, rel=1e-12)
    out = (28 + stride - 1) // stride
    assert pair.standard_macs == k * k * m * n * out * out


@pytest.mark.parametrize("kernels,channels", [([3, 5, 7], 48), ([3, 5], 50), ([3, 5, 7, 9, 11], 144)])
@pytest.mark.parametrize("pw_groups", [1, 2])
def test_mixed_separable_ratio_matches_general_closed_form(analyze_text, kernels, channels, pw_groups):
    body = f"""\
    - {{type: dwconv, kernel: {kernels}}}
    - {{type: pwconv, out: 64, groups: {pw_groups}}}
    """
    (pair,) = analyze_text(make_spec(body, resolution=14, channels=channels)).separable
    split = f.split_equal(channels, len(kernels))
    mean_k2 = sum(c * k * k for c, k in zip(split, kernels)) / channels
    assert pair.ratio == pytest.approx(1 / 64 + 1 / (pw_groups * mean_k2), rel=1e-12)
    assert pair.formula == pytest.approx(pair.ratio, rel=1e-12)


@pytest.mark.parametrize("pointwise", ["stride: 2", "padding: 1", "stride: 2, padding: valid"])
def test_a_pointwise_convolution_that_resizes_is_no_separable_pair(analyze_text, pointwise):
    # found by tests/test_properties.py: 1×1 dw then a 1×1 at stride 2 measured 2.33 against 1/N + 1/Dk² = 1.33
    body = f"""\
    - {{type: dwconv, kernel: 1}}
    - {{type: pwconv, out: {{times_input: 1}}, {pointwise}}}
    """
    assert analyze_text(make_spec(body, resolution=8, channels=3)).separable == ()


@pytest.mark.parametrize("channels,out,groups", [(3, 3, 2), (50, 7, 3), (10, 7, 4)])
def test_the_closed_form_holds_for_pointwise_groups_that_split_unevenly(analyze_text, channels, out, groups):
    # found by tests/test_properties.py: 3 → 3 channels in 2 groups (2+1 each) measured 0.889 against 0.833
    body = f"""\
    - {{type: dwconv, kernel: [1, 3]}}
    - {{type: pwconv, out: {out}, groups: {groups}}}
    """
    (pair,) = analyze_text(make_spec(body, resolution=8, channels=channels)).separable
    assert pair.formula == pytest.approx(pair.ratio, rel=1e-12)


def test_pooling_output_sizes_are_pytorchs():
    """Every kernel/stride/padding/ceil_mode combination at sizes 1–40 against PyTorch's own answers
    (tests/data/pooling_sizes.json, from benchmarks/oracle_pooling.py); 0 is PyTorch refusing the input."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "data" / "pooling_sizes.json").read_text())
    checked = 0
    for case in data["cases"]:
        for size, expected in enumerate(case["sizes"], start=1):
            got = f.output_size(size, case["kernel"], case["stride"], case["padding"], case["ceil_mode"])
            assert max(got, 0) == expected, (case, size)
            checked += 1
    assert checked == 152 * 40


def test_repeated_transposed_convolution_upsamples_once(analyze_text):
    # Worked by hand as PyTorch's ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1) on 4×4, then
    # ConvTranspose2d(8, 8, 3, padding=1) on 8×8: H_out = (H − 1)·s − 2p + k + output_padding. The repeat runs at
    # stride 1, where an output_padding of 1 would be refused, so it takes none.
    result = analyze_text(make_spec("""\
        - {type: deconv, out: 8, kernel: 3, stride: 2, padding: 1, output_padding: 1, bias: false, norm: none,
           repeat: 2}
        """, resolution=4, channels=16))
    shapes = [(l.output_shape.channels, l.output_shape.height) for l in result.layers]
    assert shapes == [(8, 8), (8, 8)]
    assert [l.macs for l in result.layers] == [16 * 8 * 9 * 4 * 4, 8 * 8 * 9 * 8 * 8]  # 18,432 and 36,864
