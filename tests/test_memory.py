"""Peak activation memory, worked out by hand for small graphs and pinned to MCUNetV2's figure.

Each expected list is the live elements of every row (its inputs, its output, and every earlier tensor a
later row still reads), computed in the comments from the shapes alone.
"""

import pytest

import costnet
from costnet.analysis.memory import MEMORY_MODELS
from conftest import make_spec


def live(text, model, **scaling):
    result = costnet.analyze(costnet.scale(costnet.parse_spec(text, "m.yaml"), **scaling))
    return [layer.live[model] for layer in result.layers], result


def test_a_chain():
    # input 3×8×8 = 192; conv → 8×8×8 = 512; dw → 512; pw → 4×8×8 = 256
    text = make_spec("- {type: conv, out: 8, kernel: 3}\n- {type: dwconv, kernel: 3}\n- {type: pwconv, out: 4}",
                     resolution=8, channels=3)
    assert live(text, "plain")[0] == [192 + 512, 512 + 512, 512 + 256]
    # in place, the depthwise convolution overwrites the conv's output (its only reader): max(512, 512)
    assert live(text, "in-place")[0] == [192 + 512, 512, 512 + 256]


def test_a_residual_block_keeps_its_input_alive_across_the_branch():
    # input 8×8×8 = 512 read by the expansion and by the add; expand → 16×8×8 = 1024; dw → 1024;
    # project → 512; add → 512
    text = make_spec("- {type: inverted_residual, out: 8, expand: 2}", resolution=8, channels=8)
    plain, result = live(text, "plain")
    assert [layer.name for layer in result.layers] == ["s.0.expand", "s.0.dw", "s.0.project", "s.0.add"]
    assert plain == [512 + 1024, 512 + 1024 + 1024, 512 + 1024 + 512, 512 + 512 + 512]
    assert live(text, "in-place")[0] == [512 + 1024, 512 + 1024, 512 + 1024 + 512, 512 + 512 + 512]
    assert result.peaks["plain"].bytes == 4 * 2560 and result.peaks["plain"].layer == "s.0.dw"
    assert result.peaks["in-place"].bytes == 4 * 2048 and result.peaks["in-place"].layer == "s.0.project"


def test_squeeze_and_excitation_writes_a_new_tensor_under_both_models():
    # input 8×4×4 = 128; dw → 128; se → 128 (its pooled 8 and reduced 2 are inside the row); pw → 4×4×4 = 64
    text = make_spec("- {type: dwconv, kernel: 3}\n- {type: se, reduced: 2}\n- {type: pwconv, out: 4}",
                     resolution=4, channels=8)
    assert live(text, "plain")[0] == [256, 256, 192]
    assert live(text, "in-place")[0] == [128, 256, 192]


def test_an_inception_module_keeps_every_branch_output_until_the_concatenation():
    # input 4×4×4 = 64, read by the four branches; outputs 1×1: 2·16 = 32; 3×3: 1·16 → 2·16; 5×5: 1·16 → 2·16;
    # pool: 64 → 1×1 conv 2·16 = 32; concat 8·16 = 128
    body = "- {type: inception, name: a, b1: 2, b2_reduce: 1, b2: 2, b3_reduce: 1, b3: 2, pool_proj: 2}"
    plain, result = live(make_spec(body, resolution=4, channels=4), "plain")
    assert [layer.name for layer in result.layers] == [
        "s.a.branch1.conv", "s.a.branch2.conv1", "s.a.branch2.conv2", "s.a.branch3.conv1", "s.a.branch3.conv2",
        "s.a.branch4.pool", "s.a.branch4.conv", "s.a.concat"]
    assert plain == [
        64 + 32,                # branch 1
        64 + 32 + 16,           # branch 2's reduction; branch 1's output waits for the concat
        64 + 32 + 16 + 32,
        64 + 32 + 32 + 16,      # branch 3
        64 + 32 + 32 + 16 + 32,
        64 + 32 + 32 + 32 + 64,  # the pool is the input's last reader
        32 + 32 + 32 + 64 + 32,
        32 + 32 + 32 + 32 + 128,
    ]


def test_a_shufflenet_unit_reads_half_of_its_input_and_keeps_all_of_it():
    # input 8×4×4 = 128, split in halves of 4×4×4 = 64; the pass-through half is read by the concat
    text = make_spec("- {type: shuffle_unit, out: 8}", resolution=4, channels=8)
    plain, result = live(text, "plain")
    assert [layer.type for layer in result.layers] == ["pwconv", "dwconv", "pwconv", "concat", "shuffle"]
    assert plain == [128 + 64, 128 + 64 + 64, 128 + 64 + 64, 128 + 64 + 128, 128 + 128]
    assert live(text, "in-place")[0] == [128 + 64, 128 + 64, 128 + 64 + 64, 128 + 64 + 128, 128 + 128]


def test_a_batch_norm_whose_input_a_later_concatenation_reads_writes_a_new_tensor():
    # DenseNet's layer: bn reads the block input, which the concatenation also reads: no overwriting
    text = make_spec("- {type: dense_layer, growth: 2, bn_size: 1}", resolution=4, channels=4)
    plain, result = live(text, "plain")
    assert [layer.type for layer in result.layers] == ["bn", "conv", "conv", "concat"]
    assert live(text, "in-place")[0] == plain


def test_mobilenet_v2_peaks_as_mcunetv2_figure_1_says():
    """Lin et al. 2021 (MCUNetV2), Figure 1: 1,372 kB of int8 activations, set by the first blocks. By hand:
    the second block's expansion reads 16×112×112 (200,704) and writes 96×112×112 (1,204,224): 1,404,928
    bytes = 1,372 KiB. Without in-place, its depthwise convolution holds 96×112×112 + 96×56×56 (301,056)."""
    result = costnet.analyze(costnet.load("mobilenet_v2"), dtype="int8")
    assert result.peaks["in-place"].bytes == 16 * 112 * 112 + 96 * 112 * 112 == 1_404_928
    assert result.peaks["in-place"].layer == "features.1.expand"
    assert result.peaks["plain"].bytes == 96 * 112 * 112 + 96 * 56 * 56 == 1_505_280
    assert result.peaks["plain"].layer == "features.1.dw"
    assert costnet.analyze(costnet.load("mobilenet_v2"), dtype="fp32").peaks["in-place"].bytes == 4 * 1_404_928


def test_the_order_of_branches_can_change_the_peak():
    """Rows run in the table's order, so a branch listed first leaves its output alive while the next runs
    (docs/output.md says so). Input 1×1×1; one branch a 32-channel 1×1 conv, the other 1 → 40 → 1."""
    wide_last = """\
    - type: parallel
      merge: concat
      branches:
        - [{type: conv, out: 32, kernel: 1}]
        - [{type: conv, out: 1, kernel: 1}, {type: conv, out: 40, kernel: 1}, {type: conv, out: 1, kernel: 1}]
    """
    wide_first = """\
    - type: parallel
      merge: concat
      branches:
        - [{type: conv, out: 1, kernel: 1}, {type: conv, out: 40, kernel: 1}, {type: conv, out: 1, kernel: 1}]
        - [{type: conv, out: 32, kernel: 1}]
    """
    plain, _ = live(make_spec(wide_last, resolution=1, channels=1), "plain")
    # 32-conv: 1 + 32; then the 32 wait beside the other branch: 1 + 32 + 1, 32 + 1 + 40, 32 + 40 + 1; concat 33 + 33
    assert plain == [33, 34, 73, 73, 66]
    plain, _ = live(make_spec(wide_first, resolution=1, channels=1), "plain")
    # 1 + 1; the input waits for the second branch: 1 + 1 + 40, 1 + 40 + 1; 32-conv 1 + 1 + 32; concat 33 + 33
    assert plain == [2, 42, 42, 34, 66]


@pytest.mark.parametrize("name", ["mobilenet_v1", "mixnet_m", "densenet121", "shufflenet_v2", "googlenet",
                                  "resnet50", "squeezenet1_0"])
def test_invariants(name):
    result = costnet.analyze(costnet.load(name))
    sizes = {layer.name: layer.output_shape.elements for layer in result.layers}
    sizes["input"] = result.input.elements
    everything = sum(sizes.values())
    for layer in result.layers:
        own = sum(sizes[n] for n in set(layer.inputs)) + layer.output_shape.elements
        assert layer.live["plain"] >= own
        assert layer.live["in-place"] <= layer.live["plain"] <= everything
    # plain, from the dataflow alone (docs/conventions.md, "Memory"): a row holds its output and every tensor
    # produced before it that it or a later row reads
    last_reader = {name: i for i, layer in enumerate(result.layers) for name in layer.inputs}
    produced = {"input": -1, **{layer.name: i for i, layer in enumerate(result.layers)}}
    plain = [layer.output_shape.elements + sum(sizes[name] for name, at in produced.items()
                                               if at < i and last_reader.get(name, -1) >= i)
             for i, layer in enumerate(result.layers)]
    assert [layer.live["plain"] for layer in result.layers] == plain
    assert result.peaks["plain"].bytes == 4 * max(plain)
    assert result.peaks["plain"].layer == result.layers[plain.index(max(plain))].name
    for model in MEMORY_MODELS:
        assert result.peaks[model].bytes == 4 * max(layer.live[model] for layer in result.layers)
