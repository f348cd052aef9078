"""MixNet-S/M/L against the reference implementations' exact counts.

The integers below were obtained independently of costnet: timm 1.0.31's mixnet_s/m/l (and tf_mixnet_*,
identical), built in PyTorch 2.13 CPU with num_classes=1000, `sum(p.numel() for p in model.parameters())`,
and MACs counted with forward hooks on every Conv2d/Linear at 224×224, cross-checked with
torch.utils.flop_counter.FlopCounterMode (whose FLOPs are exactly twice these MACs).
"""

import pytest

import costnet

TIMM = {  # name: (sum(p.numel()), conv+linear MACs at 224, BN γ+β, biases)
    "mixnet_s": (4_134_606, 239_173_360, 32_192, 7_926),
    "mixnet_m": (5_014_382, 339_172_672, 41_712, 10_198),
    "mixnet_l": (7_329_252, 555_251_792, 54_272, 13_196),
}
PUBLISHED_PARAMS = {"mixnet_s": 4.1, "mixnet_m": 5.0, "mixnet_l": 7.3}  # Tan & Le 2019, Table 2


@pytest.mark.parametrize("name", TIMM)
def test_params_and_macs_equal_the_reference_pytorch_model(name):
    params, macs, norm, biases = TIMM[name]
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
    for resolution, macs in [(192, 249_879_936), (256, 442_202_752)]:  # timm, same method
        assert costnet.analyze(costnet.scale(spec, resolution=resolution)).totals.macs == macs


def test_mixnet_l_is_mixnet_m_widened_by_1_3_with_an_unscaled_head():
    large = costnet.analyze(costnet.load("mixnet_l"))
    medium_13 = costnet.analyze(costnet.scale(costnet.load("mixnet_m"), width=1.3))
    assert large.totals == medium_13.totals
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
