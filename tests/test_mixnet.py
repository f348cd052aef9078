"""MixNet-S/M/L against the reference implementations' exact counts.

The expected integers are timm 1.0.31's mixnet_s/m/l built in PyTorch 2.13 (tests/data/reference_figures.json:
sum(p.numel()), batch-norm γ + β, MACs by forward hooks on every Conv2d/Linear) and the same models' per-layer
measurements (tests/data/onnx/reference.json), read through tests/independent.py.
"""

import pytest

import costnet
from independent import onnx_biases, reference

PUBLISHED_PARAMS = {"mixnet_s": 4.1, "mixnet_m": 5.0, "mixnet_l": 7.3}  # Tan & Le 2019, Table 2


@pytest.mark.parametrize("name", PUBLISHED_PARAMS)
def test_params_and_macs_equal_the_reference_pytorch_model(name):
    timm = reference(name, width=1.3 if name == "mixnet_l" else 1.0)  # MixNet-L is MixNet-M at width 1.3
    params, macs, norm = timm["params"], timm["macs"], timm["bn_params"]
    biases = onnx_biases(name)  # each measured layer's parameters less its weights out · in / groups · kh · kw
    result = costnet.analyze(costnet.load(name), "torch")
    assert result.totals.params == params
    assert result.totals.macs == macs
    assert result.totals.norm_params == norm
    assert result.totals.biases == biases
    assert round(params / 1e6, 1) == PUBLISHED_PARAMS[name]
    paper = costnet.analyze(costnet.load(name), "paper").totals.params
    assert paper == params - norm and round(paper / 1e6, 1) == PUBLISHED_PARAMS[name]


def test_mixnet_m_at_other_resolutions():
    spec = costnet.load("mixnet_m")
    for resolution in (192, 256):  # timm's mixnet_m at 192 and 256 (tests/data/reference_figures.json)
        macs = reference("mixnet_m", resolution=resolution)["macs"]
        assert costnet.analyze(costnet.scale(spec, resolution=resolution)).totals.macs == macs


def test_mixnet_l_is_mixnet_m_widened_by_1_3_with_an_unscaled_head():
    large = costnet.analyze(costnet.load("mixnet_l"), "torch")
    medium_13 = costnet.analyze(costnet.scale(costnet.load("mixnet_m"), width=1.3), "torch")
    assert large.totals == medium_13.totals
    # timm's _gen_mixnet_m(channel_multiplier=1.3) is the same network as its mixnet_l (tests/data)
    timm = reference("mixnet_m", width=1.3)
    timm_l = reference("mixnet_l", width=1.3)
    assert (timm["params"], timm["macs"]) == (timm_l["params"], timm_l["macs"])
    assert (large.totals.params, large.totals.macs) == (timm["params"], timm["macs"])
    widths = [l.output_shape.channels for l in large.layers if l.name.endswith("project") or l.name == "stem.0"]
    # timm/TF: stem 24→32; stage widths 24→32, 32→40, 40→56, 80→104, 120→160, 200→264
    assert widths[0] == 32 and sorted(set(widths)) == [32, 40, 56, 104, 160, 264]
    assert next(l for l in large.layers if l.name == "head.0").output_shape.channels == 1536


def test_mixconv_splits_channels_equally_with_remainder_first():
    result = costnet.analyze(costnet.load("mixnet_s"))
    dw = next(l for l in result.layers if l.name == "stage5.0.dw")  # 720 channels over 3,5,7,9,11
    assert [c.kind for c in dw.costs] == [f"depthwise {k}×{k}" for k in (3, 5, 7, 9, 11)]
    assert dw.weights == 144 * (9 + 25 + 49 + 81 + 121)


def test_se_reduces_from_the_block_input_not_the_expanded_width():
    result = costnet.analyze(costnet.load("mixnet_m"))
    se = next(l for l in result.layers if l.name == "stage3.0.se")  # in 40, expanded 240, ratio 0.25
    assert se.input_shape.channels == 240
    assert se.weights == 2 * 240 * 10 and se.biases == 10 + 240


def test_grouped_pointwise_halves_the_dense_cost():
    result = costnet.analyze(costnet.load("mixnet_m"))
    expand = next(l for l in result.layers if l.name == "stage2.1.expand")  # 40 → 240 in two groups
    assert expand.weights == 2 * 20 * 120
