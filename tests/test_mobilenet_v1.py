"""MobileNetV1 against the paper (Howard et al. 2017, arXiv 1704.04861) and TF-slim's exact integers."""

import pytest

import costnet
from costnet.graph import formulas as f
from independent import MOBILENET_V1_FC, MOBILENET_V1_TABLE_1, mobilenet_v1_by_hand, reference, reference_paper_params

FC_MACS = MOBILENET_V1_FC  # Table 1's FC / s1, 1024 × 1000: the classifier's MACs at α = 1
BY_HAND = mobilenet_v1_by_hand()  # Table 1's layers, worked out in tests/independent.py


def mobilenet(width=None, resolution=None, convention="paper"):
    return costnet.analyze(costnet.scale(costnet.load("mobilenet_v1"), width=width, resolution=resolution),
                           convention)


def test_tf_slim_docstring_exact_integers():
    # research/slim/nets/mobilenet_v1.py docstring: the base network without classifier, batch norm or biases.
    for width, resolution, params, macs in [(1.0, 224, 3_185_088, 567_716_352), (0.75, 128, 1_800_144, 106_002_432)]:
        result = mobilenet(width, resolution, convention="weights")
        body = [layer for layer in result.layers if layer.type != "fc"]
        assert sum(layer.params for layer in body) == params
        assert sum(layer.macs for layer in body) == macs
    # the docstring's 1.0-224 figures are Table 1's layers worked out (tests/independent.py)
    assert (BY_HAND["body_weights"], BY_HAND["body_macs"]) == (3_185_088, 567_716_352)


def test_28_layers_counting_depthwise_and_pointwise_separately():
    # Section 3.2: "Counting depthwise and pointwise convolutions as separate layers, MobileNet has 28 layers."
    result = mobilenet()
    assert sum(1 for layer in result.layers if layer.type in ("conv", "dwconv", "pwconv", "fc")) == 28


def test_table_2_resource_per_layer_type():
    result = costnet.analyze(costnet.load("mobilenet_v1"), "weights")  # the table counts weights only
    total_macs, total_params = result.totals.macs, result.totals.params
    shares = {s.kind: (100 * s.macs / total_macs, 100 * s.params / total_params) for s in result.by_type()}
    published = {  # Mult-Adds %, Parameters %
        "conv 1×1": (94.86, 74.59),
        "depthwise 3×3": (3.06, 1.06),
        "conv 3×3": (1.91, 0.02),  # printed 1.19%: digits transposed (the printed column sums to 99.29%)
        "fully connected": (0.18, 24.33),
    }
    assert set(shares) == set(published)
    for kind, (macs_share, params_share) in published.items():
        assert shares[kind][0] == pytest.approx(macs_share, abs=0.005), kind
        assert shares[kind][1] == pytest.approx(params_share, abs=0.005), kind


def test_table_3_one_layer_modifications():
    # D_K = 3, M = N = 512, D_F = 14; then α = 0.75; then ρ = 0.714 (14 → 10).
    full = f.conv_macs(512, 512, 3, 1, 14 * 14)
    separable = f.conv_macs(512, 512, 3, 512, 196) + f.conv_macs(512, 512, 1, 1, 196)
    narrow = f.conv_macs(384, 384, 3, 384, 196) + f.conv_macs(384, 384, 1, 1, 196)
    low_res = f.conv_macs(384, 384, 3, 384, 100) + f.conv_macs(384, 384, 1, 1, 100)
    assert [round(x / 1e6, 1) for x in (full, separable, narrow, low_res)] == [462.4, 52.3, 29.6, 15.1]
    assert round(f.conv_weights(512, 512, 3) / 1e6, 2) == 2.36
    assert round((f.conv_weights(512, 512, 3, 512) + f.conv_weights(512, 512, 1)) / 1e6, 2) == 0.27
    assert round((f.conv_weights(384, 384, 3, 384) + f.conv_weights(384, 384, 1)) / 1e6, 2) == 0.15


def test_table_4_conv_mobilenet_counterfactual():
    result = mobilenet()
    assert len(result.separable) == len(MOBILENET_V1_TABLE_1) == 13
    # By hand from Table 1, every separable pair a full 3×3 convolution: 864 + Σ 9·M·N + 1,025,000 parameters
    # (29.3 M in Table 4) and 10,838,016 + Σ 9·M·N·D_F² + 1,024,000 MACs.
    assert result.standard.params == BY_HAND["standard_params"] == 29_282_120
    assert result.standard.macs == BY_HAND["standard_macs"] == 4_867_293_184
    # The published 4866 M is the convolutions alone: the classifier's 1.02 M MACs are left out.
    assert round((result.standard.macs - FC_MACS) / 1e6) == 4866
    assert round(result.totals.macs / 1e6) == 569 and round(result.totals.params / 1e5) == 42


@pytest.mark.parametrize("width,macs,params", [(1.0, 569, 4.2), (0.75, 325, 2.6), (0.5, 149, 1.3), (0.25, 41, 0.5)])
def test_table_6_width_multiplier(width, macs, params):
    result = mobilenet(width=width)
    assert round(result.totals.macs / 1e6) == macs
    assert round(result.totals.params / 1e6, 1) == params


@pytest.mark.parametrize("resolution,macs", [(224, 569), (192, 418), (128, 186)])
def test_table_7_resolution_multiplier(resolution, macs):
    result = mobilenet(resolution=resolution)
    assert round(result.totals.macs / 1e6) == macs
    # independent of resolution: TF-slim's 3,185,088 body weights + the 1024 × 1000 classifier and its 1,000
    # biases, which timm's mobilenetv1_100 has too (sum(p.numel()) less batch norm, tests/data)
    assert result.totals.params == BY_HAND["params"] == reference_paper_params("mobilenet_v1") == 4_210_088


def test_table_7_at_160_is_rounded_down_in_the_paper():
    # timm's mobilenetv1_100 at 160 by forward hooks (tests/data/reference_figures.json): 290,675,200 MACs;
    # the paper prints 290, TF-slim's README 291
    exact = reference("mobilenet_v1", resolution=160)["macs"]
    assert mobilenet(resolution=160).totals.macs == exact
    assert round(exact / 1e6) == 291 and exact // 10**6 == 290


def test_slim_readme_params_are_checkpoint_variables():
    """README 4.24/2.59/1.34/0.47 M: 1001 classes, and β, moving mean and moving variance per BN channel."""
    for width, published in [(1.0, 4.24), (0.75, 2.59), (0.5, 1.34), (0.25, 0.47)]:
        t = mobilenet(width=width).totals
        last_width = max(8, int(1024 * width))
        checkpoint = t.weights + t.biases + (last_width + 1) + 3 * (t.norm_params // 2)
        assert round(checkpoint / 1e6, 2) == published


def test_resolution_scales_macs_quadratically_apart_from_classifier():
    small, large = mobilenet(resolution=224), mobilenet(resolution=448)
    assert large.totals.macs - FC_MACS == 4 * (small.totals.macs - FC_MACS)


def test_slim_width_rule_floors_and_keeps_min_depth():
    result = mobilenet(width=0.25)
    assert result.layers[0].output_shape.channels == 8  # max(int(32 · 0.25), 8)
    result = mobilenet(width=0.3)
    assert result.layers[0].output_shape.channels == 9  # int(9.6), not rounded to a multiple of 8
