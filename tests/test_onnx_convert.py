"""The ONNX front end on small graphs built with onnx.helper: each operator's rows, shapes and costs, worked
by hand from the ONNX operator definitions, and the one-line errors of what costnet cannot read."""

import json
import re

import pytest
from click.testing import CliRunner

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

from costnet import analyze, read_onnx  # noqa: E402
from costnet.cli import cli  # noqa: E402
from costnet.errors import CostnetError  # noqa: E402


def weight(name, *dims):
    """An initializer of these dims; its data is zeros (costnet reads only the dims)."""
    count = 1
    for d in dims:
        count *= d
    return helper.make_tensor(name, TensorProto.FLOAT, dims, [0.0] * count)


def constant(name, values, kind=TensorProto.INT64):
    return helper.make_tensor(name, kind, [len(values)], list(values))


def save(tmp_path, nodes, initializers=(), input_shape=(1, 3, 8, 8), output="y", name="net.onnx",
         value_info=(), extra_inputs=()):
    graph = helper.make_graph(
        list(nodes), "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_shape)),
                           *extra_inputs],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)], list(initializers),
        value_info=list(value_info))
    path = tmp_path / name
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def conv(x, y, w, kernel, stride=1, pads=(0, 0, 0, 0), group=1, name=None, bias=None, **attrs):
    inputs = [x, w] + ([bias] if bias else [])
    return helper.make_node("Conv", inputs, [y], name=name or f"/{y}/Conv", kernel_shape=[kernel, kernel],
                            strides=[stride, stride], pads=list(pads), group=group, **attrs)


def bn(x, y, channels, prefix):
    names = [f"{prefix}.{k}" for k in ("weight", "bias", "mean", "var")]
    return helper.make_node("BatchNormalization", [x, *names], [y], name=f"/{prefix}/BatchNormalization"), \
        [weight(n, channels) for n in names]


def rows(path, **options):
    return analyze(read_onnx(path, **options), "torch").layers


# ---- convolutions, batch norm, activations ---------------------------------------------------------------

def test_conv_bn_relu_is_one_row_and_its_costs_are_the_torch_formulas(tmp_path):
    norm, stats = bn("c", "b", 8, "block.bn")
    path = save(tmp_path, [conv("x", "c", "w", 3, stride=2, pads=(1, 1, 1, 1), name="/block/conv/Conv"), norm,
                           helper.make_node("Relu", ["b"], ["y"], name="/block/act/Relu")],
                [weight("w", 8, 3, 3, 3), *stats])
    (layer,) = rows(path)
    # out = floor((8 + 2 - 3) / 2) + 1 = 4; MACs = 8 out × 3 in × 3 × 3 × 16 pixels
    assert (layer.name, layer.type, layer.fields["act"], layer.fields["norm"]) == ("block.conv", "conv", "relu", "bn")
    assert (layer.output_shape.channels, layer.output_shape.height, layer.output_shape.width) == (8, 4, 4)
    assert (layer.macs, layer.weights, layer.biases, layer.norm_params) == (3456, 216, 0, 16)
    assert analyze(read_onnx(path), "paper").totals.params == 216
    assert analyze(read_onnx(path), "torch").totals.params == 232  # + γ and β, not the mean and variance


@pytest.mark.parametrize("pads, auto_pad, size, expected", [
    ((1, 1, 1, 1), None, 7, 4),            # floor((7 + 2 - 3) / 2) + 1
    (None, "SAME_UPPER", 7, 4),            # ceil(7 / 2)
    (None, "VALID", 7, 3),                 # floor((7 - 3) / 2) + 1
    ((0, 0, 1, 1), None, 8, 4),            # TF's uneven 'same': floor((8 + 1 - 3) / 2) + 1 = 4 = ceil(8 / 2)
    ((1, 1, 0, 0), None, 8, 4),
])
def test_padding_rules(tmp_path, pads, auto_pad, size, expected):
    attrs = {"auto_pad": auto_pad} if auto_pad else {}
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="/c/Conv", kernel_shape=[3, 3], strides=[2, 2],
                            **({"pads": list(pads)} if pads else {}), **attrs)
    path = save(tmp_path, [node], [weight("w", 4, 3, 3, 3)], input_shape=(1, 3, size, size))
    (layer,) = rows(path)
    assert (layer.output_shape.height, layer.output_shape.width) == (expected, expected)
    assert layer.macs == 4 * 3 * 9 * expected * expected


def test_uneven_padding_that_is_not_same_is_an_error(tmp_path):
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="/c/Conv", kernel_shape=[3, 3], pads=[0, 0, 1, 0])
    path = save(tmp_path, [node], [weight("w", 4, 3, 3, 3)])
    with pytest.raises(CostnetError, match=r"node /c/Conv: padding .* is neither even on every side nor"):
        read_onnx(path)


def test_dilated_conv_reaches_further_and_costs_its_taps(tmp_path):
    node = conv("x", "y", "w", 3, pads=(2, 2, 2, 2), dilations=[2, 2])
    path = save(tmp_path, [node], [weight("w", 4, 3, 3, 3)], input_shape=(1, 3, 10, 10))
    (layer,) = rows(path)
    # reach 2·(3−1)+1 = 5: out = 10 + 4 − 5 + 1 = 10; MACs = 4 × 3 × 9 × 100
    assert (layer.output_shape.height, layer.fields["dilation"], layer.macs) == (10, 2, 10800)
    assert layer.detail == "3×3 d2"


def test_a_pad_before_a_conv_is_folded_into_its_padding(tmp_path):
    path = save(tmp_path, [
        helper.make_node("Pad", ["x", "pads"], ["p"], name="/c/Pad"),
        conv("p", "y", "w", 3, stride=2, name="/c/Conv"),
    ], [weight("w", 4, 3, 3, 3), constant("pads", [0, 0, 0, 0, 0, 0, 1, 1])])
    (layer,) = rows(path)  # timm's Conv2dSame: right and bottom padded by one, TF's 'same'
    assert (layer.output_shape.height, layer.fields["padding"], layer.macs) == (4, "same", 4 * 3 * 9 * 16)


def test_pads_computed_at_run_time_ask_for_constant_folding(tmp_path):
    path = save(tmp_path, [  # as timm's Conv2dSame exports: pads from the input's shape, by float arithmetic
        helper.make_node("Shape", ["x"], ["s"], name="/c/Shape"),
        helper.make_node("Sub", ["s", "s"], ["z"], name="/c/Sub"),
        helper.make_node("Cast", ["z"], ["f"], name="/c/Cast", to=TensorProto.FLOAT),
        helper.make_node("Ceil", ["f"], ["c"], name="/c/Ceil"),
        helper.make_node("Cast", ["c"], ["i"], name="/c/Cast_1", to=TensorProto.INT64),
        helper.make_node("Concat", ["i", "i"], ["pads"], name="/c/Concat", axis=0),
        helper.make_node("Pad", ["x", "pads"], ["p"], name="/c/Pad"),
        conv("p", "y", "w", 3, stride=2, name="/c/Conv"),
    ], [weight("w", 4, 3, 3, 3)])
    with pytest.raises(CostnetError, match=r"node /c/Pad: a Pad whose pads are computed at run time .*fold the "
                                           r"graph's constants first"):
        read_onnx(path)


def test_pads_from_integer_shape_arithmetic_are_folded(tmp_path):
    path = save(tmp_path, [  # Shape(x) − Shape(x) = (0, 0, 0, 0), twice: no padding
        helper.make_node("Shape", ["x"], ["s"], name="/c/Shape"),
        helper.make_node("Sub", ["s", "s"], ["z"], name="/c/Sub"),
        helper.make_node("Concat", ["z", "z"], ["pads"], name="/c/Concat", axis=0),
        helper.make_node("Pad", ["x", "pads"], ["p"], name="/c/Pad"),
        conv("p", "y", "w", 3, stride=2, name="/c/Conv"),
    ], [weight("w", 4, 3, 3, 3)])
    (layer,) = rows(path)  # floor((8 − 3) / 2) + 1 = 3
    assert (layer.output_shape.height, layer.fields["padding"], layer.macs) == (3, 0, 4 * 3 * 9 * 9)


def test_depthwise_and_pointwise_convolutions_make_a_separable_pair(tmp_path):
    path = save(tmp_path, [
        conv("x", "d", "wd", 3, pads=(1, 1, 1, 1), group=8, name="/dw/Conv"),
        conv("d", "y", "wp", 1, name="/pw/Conv"),
    ], [weight("wd", 8, 1, 3, 3), weight("wp", 16, 8, 1, 1)], input_shape=(1, 8, 8, 8))
    a = analyze(read_onnx(path))
    assert [l.type for l in a.layers] == ["dwconv", "pwconv"]
    (pair,) = a.separable
    # depthwise 8 × 9 × 64 + pointwise 8 × 16 × 64 against a full 3×3: 8 × 16 × 9 × 64
    assert (pair.macs, pair.standard_macs) == (4608 + 8192, 73728)
    assert pair.formula == pytest.approx(1 / 16 + 1 / 9)


def test_mixconv_from_split_convs_concat_is_one_mixed_depthwise_row(tmp_path):
    parts = [conv(f"s{i}", f"c{i}", f"w{i}", k, pads=(k // 2,) * 4, group=4, name=f"/mix/convs.{i}/Conv")
             for i, k in enumerate((3, 5, 7))]
    path = save(tmp_path, [
        helper.make_node("Split", ["x", "sizes"], ["s0", "s1", "s2"], name="/mix/Split", axis=1),
        *parts,
        helper.make_node("Concat", ["c0", "c1", "c2"], ["y"], name="/mix/Concat", axis=1),
    ], [weight(f"w{i}", 4, 1, k, k) for i, k in enumerate((3, 5, 7))] + [constant("sizes", [4, 4, 4])],
        input_shape=(1, 12, 8, 8))
    (layer,) = rows(path)
    assert (layer.name, layer.type, tuple(layer.fields["kernel"])) == ("mix", "dwconv", (3, 5, 7))
    assert layer.macs == 4 * (9 + 25 + 49) * 64 and layer.weights == 4 * (9 + 25 + 49)


def test_grouped_pointwise_from_split_convs_concat(tmp_path):
    path = save(tmp_path, [
        helper.make_node("Split", ["x", "sizes"], ["s0", "s1"], name="/pw/Split", axis=1),
        conv("s0", "c0", "w0", 1, name="/pw/0/Conv"), conv("s1", "c1", "w1", 1, name="/pw/1/Conv"),
        helper.make_node("Concat", ["c0", "c1"], ["y"], name="/pw/Concat", axis=1),
    ], [weight("w0", 12, 5, 1, 1), weight("w1", 12, 5, 1, 1), constant("sizes", [5, 5])],
        input_shape=(1, 10, 4, 4))
    (layer,) = rows(path)
    assert (layer.type, layer.fields["groups"], layer.fields["out"]) == ("pwconv", 2, 24)
    assert layer.macs == 2 * 5 * 12 * 16


def test_squeeze_excitation_is_one_row(tmp_path):
    path = save(tmp_path, [
        helper.make_node("GlobalAveragePool", ["x"], ["p"], name="/se/GlobalAveragePool"),
        conv("p", "r", "w1", 1, name="/se/conv_reduce/Conv", bias="b1"),
        helper.make_node("Relu", ["r"], ["ra"], name="/se/act/Relu"),
        conv("ra", "e", "w2", 1, name="/se/conv_expand/Conv", bias="b2"),
        helper.make_node("Sigmoid", ["e"], ["g"], name="/se/gate/Sigmoid"),
        helper.make_node("Mul", ["x", "g"], ["y"], name="/se/Mul"),
    ], [weight("w1", 4, 16, 1, 1), weight("b1", 4), weight("w2", 16, 4, 1, 1), weight("b2", 16)],
        input_shape=(1, 16, 8, 8))
    (layer,) = rows(path)
    assert (layer.name, layer.type, layer.fields["reduced"]) == ("se", "se", 4)
    assert (layer.macs, layer.params) == (16 * 4 + 4 * 16, 64 + 4 + 64 + 16)


def test_swish_as_x_times_sigmoid_x_is_the_conv_rows_activation(tmp_path):
    path = save(tmp_path, [
        conv("x", "c", "w", 1, name="/c/Conv"),
        helper.make_node("Sigmoid", ["c"], ["s"], name="/act/Sigmoid"),
        helper.make_node("Mul", ["c", "s"], ["y"], name="/act/Mul"),
    ], [weight("w", 4, 3, 1, 1)])
    (layer,) = rows(path)
    assert layer.fields["act"] == "swish"


def test_clip_bounds_are_relu6_and_not_parameters(tmp_path):
    path = save(tmp_path, [
        conv("x", "c", "w", 1, name="/c/Conv"),
        helper.make_node("Clip", ["c", "low", "high"], ["y"], name="/c/Clip"),
    ], [weight("w", 4, 3, 1, 1), helper.make_tensor("low", TensorProto.FLOAT, [], [0.0]),
        helper.make_tensor("high", TensorProto.FLOAT, [], [6.0])])
    (layer,) = rows(path)
    assert layer.fields["act"] == "relu6"
    assert analyze(read_onnx(path), "torch").totals.params == 12  # 4 × 3 weights; the two bounds are not


def test_gemm_after_global_pool_and_flatten(tmp_path):
    path = save(tmp_path, [
        helper.make_node("GlobalAveragePool", ["x"], ["p"], name="/pool/GlobalAveragePool"),
        helper.make_node("Flatten", ["p"], ["f"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "w", "b"], ["y"], name="/fc/Gemm", transB=1),
    ], [weight("w", 10, 16), weight("b", 10)], input_shape=(1, 16, 7, 7))
    layers = rows(path)
    assert [l.type for l in layers] == ["global_pool", "fc"]
    assert (layers[1].macs, layers[1].params) == (160, 170)


def test_matmul_then_add_of_a_constant_is_a_fully_connected_layer_with_bias(tmp_path):
    path = save(tmp_path, [
        helper.make_node("GlobalAveragePool", ["x"], ["p"], name="/pool/GlobalAveragePool"),
        helper.make_node("Flatten", ["p"], ["f"], name="/Flatten", axis=1),
        helper.make_node("MatMul", ["f", "w"], ["m"], name="/fc/MatMul"),
        helper.make_node("Add", ["m", "b"], ["y"], name="/fc/Add"),
    ], [weight("w", 16, 10), weight("b", 10)], input_shape=(1, 16, 7, 7))
    fc = rows(path)[-1]
    assert (fc.type, fc.macs, fc.weights, fc.biases) == ("fc", 160, 160, 10)


def test_conv_transpose_spreads_each_input_pixel(tmp_path):
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="/up/ConvTranspose", kernel_shape=[4, 4],
                            strides=[2, 2], pads=[1, 1, 1, 1])
    path = save(tmp_path, [node], [weight("w", 8, 4, 4, 4)], input_shape=(1, 8, 4, 4))
    (layer,) = rows(path)
    # out = (4 − 1)·2 − 2 + 4 = 8; MACs = 8 in × 4 out × 16 taps × 16 input pixels
    assert (layer.type, layer.output_shape.channels, layer.output_shape.height) == ("deconv", 4, 8)
    assert (layer.macs, layer.weights) == (8192, 512)


def test_channel_shuffle(tmp_path):
    path = save(tmp_path, [
        helper.make_node("Reshape", ["x", "s5"], ["r"], name="/shuffle/Reshape"),
        helper.make_node("Transpose", ["r"], ["t"], name="/shuffle/Transpose", perm=[0, 2, 1, 3, 4]),
        helper.make_node("Reshape", ["t", "s4"], ["y"], name="/shuffle/Reshape_1"),
    ], [constant("s5", [1, 2, 4, 8, 8]), constant("s4", [1, 8, 8, 8])], input_shape=(1, 8, 8, 8))
    (layer,) = rows(path)
    assert (layer.type, layer.fields["groups"], layer.macs) == ("shuffle", 2, 0)


def test_residual_add_and_pooling(tmp_path):
    path = save(tmp_path, [
        helper.make_node("MaxPool", ["x"], ["m"], name="/pool/MaxPool", kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1], ceil_mode=1),
        conv("m", "c", "w", 3, pads=(1, 1, 1, 1), name="/block/conv/Conv"),
        helper.make_node("Add", ["c", "m"], ["y"], name="/block/Add"),
    ], [weight("w", 3, 3, 3, 3)], input_shape=(1, 3, 9, 9))
    layers = rows(path)
    assert [(l.name, l.type) for l in layers] == [("pool", "pool"), ("block.conv", "conv"), ("block.add", "add")]
    # ceil((9 + 2 − 3) / 2) + 1 = 5, and the last window starts inside the input: 5
    assert layers[0].output_shape.height == 5


# ---- what costnet cannot read: one line, naming the node -----------------------------------------------

def test_an_unknown_operator_is_an_error_naming_it_and_its_node(tmp_path):
    path = save(tmp_path, [helper.make_node("Erf", ["x"], ["y"], name="/gelu/Erf")],
                value_info=[helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 8, 8])])
    with pytest.raises(CostnetError, match=r"cannot cost the ONNX operator Erf \(node /gelu/Erf\); analyze and diff "
                                           r"take --allow-unknown .* \(check does not: a gate passes only on what"):
        read_onnx(path)


def test_allow_unknown_keeps_the_operator_visibly_at_zero(tmp_path):
    path = save(tmp_path, [
        conv("x", "c", "w", 1, name="/c/Conv"),
        helper.make_node("Erf", ["c"], ["y"], name="/gelu/Erf"),
    ], [weight("w", 4, 3, 1, 1)], value_info=[helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])])
    a = analyze(read_onnx(path, allow_unknown=True))
    assert [(n.op, n.node) for n in a.not_costed] == [("Erf", "/gelu/Erf")]
    assert a.layers[-1].macs == 0 and a.totals.macs == 4 * 3 * 64
    result = CliRunner().invoke(cli, ["analyze", str(path), "--allow-unknown"])
    assert result.exit_code == 0 and "NOT COSTED (--allow-unknown): 1 operator" in result.output
    data = json.loads(CliRunner().invoke(cli, ["analyze", str(path), "--allow-unknown", "-f", "json"]).output)
    assert data["not_costed"] == [{"layer": "gelu.unknown", "op": "Erf", "onnx_node": "/gelu/Erf"}]


def test_check_refuses_an_unknown_operator(tmp_path):
    path = save(tmp_path, [helper.make_node("Erf", ["x"], ["y"], name="/gelu/Erf")],
                value_info=[helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 8, 8])])
    result = CliRunner().invoke(cli, ["check", str(path), "--max-macs", "1G"])
    assert result.exit_code == 2 and "Erf" in result.output
    result = CliRunner().invoke(cli, ["check", str(path), "--max-macs", "1G", "--allow-unknown"])
    assert result.exit_code == 2 and "No such option" in result.output


def test_a_dynamic_input_names_the_input_and_the_option(tmp_path):
    path = save(tmp_path, [conv("x", "y", "w", 1, name="/c/Conv")], [weight("w", 4, 3, 1, 1)],
                input_shape=("batch", 3, "height", "width"))
    with pytest.raises(CostnetError, match=r"input 'x' has a dynamic size .*pass --input-shape 1,3,224,224"):
        read_onnx(path)
    (layer,) = rows(path, input_shape=(1, 3, 16, 16))
    assert layer.macs == 4 * 3 * 256
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert CliRunner().invoke(cli, ["analyze", str(path), "--input-shape", "1,3,16,16"]).exit_code == 0


@pytest.mark.parametrize("shape, message", [
    ("1,3,224", "give N,C,H,W as four integers"), ("0,3,8,8", "four integers from 1"), ("a,b,c,d", "four integers"),
])
def test_input_shape_option_is_checked(tmp_path, shape, message):
    path = save(tmp_path, [conv("x", "y", "w", 1, name="/c/Conv")], [weight("w", 4, 3, 1, 1)])
    result = CliRunner().invoke(cli, ["analyze", str(path), "--input-shape", shape])
    assert result.exit_code == 2 and message in result.output


def test_a_node_missing_an_input_is_named(tmp_path):
    path = save(tmp_path, [helper.make_node("Conv", ["x"], ["y"], name="/c/Conv", kernel_shape=[3, 3])])
    with pytest.raises(CostnetError, match=r"node /c/Conv: a Conv takes 2 to 3 inputs \(the first 2 given\)"):
        read_onnx(path)


def test_a_group_of_zero_is_refused(tmp_path):
    path = save(tmp_path, [conv("x", "y", "w", 1, group=0, name="/c/Conv")], [weight("w", 4, 3, 1, 1)])
    with pytest.raises(CostnetError, match=r"node /c/Conv: group 0 is not an integer from 1"):
        read_onnx(path)


def test_a_batch_other_than_one_is_refused(tmp_path):
    path = save(tmp_path, [conv("x", "y", "w", 1, name="/c/Conv")], [weight("w", 4, 3, 1, 1)],
                input_shape=(8, 3, 8, 8))
    with pytest.raises(CostnetError, match="batch of 8; costnet counts one image"):
        read_onnx(path)


def test_two_inputs_are_refused(tmp_path):
    path = save(tmp_path, [helper.make_node("Add", ["x", "z"], ["y"], name="/Add")],
                extra_inputs=[helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 3, 8, 8])])
    with pytest.raises(CostnetError, match=r"networks of one input; this graph has 2 \(x, z\)"):
        read_onnx(path)


def test_a_recorded_shape_that_disagrees_is_an_error(tmp_path):
    path = save(tmp_path, [conv("x", "y", "w", 3, name="/c/Conv")], [weight("w", 4, 3, 3, 3)],
                value_info=[helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])])
    with pytest.raises(CostnetError, match="costnet computes 1×4×6×6 where the file records 1×4×8×8"):
        read_onnx(path)


def test_a_reshape_to_a_computed_shape_is_an_error(tmp_path):
    path = save(tmp_path, [
        helper.make_node("ReduceMax", ["x"], ["m"], name="/ReduceMax", keepdims=0),  # data, not a shape
        helper.make_node("Cast", ["m"], ["shape"], name="/Cast", to=TensorProto.INT64),
        helper.make_node("Reshape", ["x", "shape"], ["y"], name="/Reshape"),
    ])
    with pytest.raises(CostnetError, match="ReduceMax"):  # the first thing costnet cannot read
        read_onnx(path)
    path = save(tmp_path, [
        helper.make_node("Cast", ["x"], ["shape"], name="/Cast", to=TensorProto.INT64),
        helper.make_node("Reshape", ["x", "shape"], ["y"], name="/Reshape"),
    ])
    with pytest.raises(CostnetError, match="node /Reshape: a Reshape to a shape computed at run time"):
        read_onnx(path)


def test_a_file_that_is_not_onnx_is_one_line_exit_2(tmp_path):
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"\xff\xfe not a protobuf at all")
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 2 and "not an ONNX model" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_scaling_options_are_refused_for_an_onnx_graph(tmp_path):
    path = save(tmp_path, [conv("x", "y", "w", 1, name="/c/Conv")], [weight("w", 4, 3, 1, 1)])
    result = CliRunner().invoke(cli, ["analyze", str(path), "--width", "0.5"])
    assert result.exit_code == 2 and "width scales a spec; an ONNX graph is costed as exported" in result.output
    result = CliRunner().invoke(cli, ["analyze", "mixnet_m", "--input-shape", "1,3,224,224"])
    assert result.exit_code == 2 and "--input-shape is for ONNX files" in result.output


# ---- verify: a spec against a graph -------------------------------------------------------------------

TINY_SPEC = """\
version: 1
name: Tiny
family: Tiny
input: {channels: 3, resolution: 8}
body:
  - name: stem
    blocks:
      - {type: conv, out: 8, kernel: 3, stride: 2, padding: 1, act: relu}
"""


def test_verify_accepts_a_batch_norm_folded_into_the_convolution(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_SPEC)
    kept, stats = bn("c", "b", 8, "stem.bn")
    with_bn = save(tmp_path, [conv("x", "c", "w", 3, stride=2, pads=(1, 1, 1, 1), name="/stem/Conv"), kept,
                              helper.make_node("Relu", ["b"], ["y"], name="/stem/Relu")],
                   [weight("w", 8, 3, 3, 3), *stats], name="with_bn.onnx")
    folded = save(tmp_path, [conv("x", "c", "w", 3, stride=2, pads=(1, 1, 1, 1), name="/stem/Conv", bias="b"),
                             helper.make_node("Relu", ["c"], ["y"], name="/stem/Relu")],
                  [weight("w", 8, 3, 3, 3), weight("b", 8)], name="folded.onnx")
    plain = CliRunner().invoke(cli, ["verify", str(spec), str(with_bn)])
    assert plain.exit_code == 0 and plain.output.strip().endswith("verified: all 1 layers agree")
    result = CliRunner().invoke(cli, ["verify", str(spec), str(folded), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["layers"]["batch_norms_folded"] == 1
    wider = save(tmp_path, [conv("x", "c", "w", 3, stride=2, pads=(1, 1, 1, 1), name="/stem/Conv", bias="b")],
                 [weight("w", 16, 3, 3, 3), weight("b", 16)], output="c", name="wider.onnx")
    result = CliRunner().invoke(cli, ["verify", str(spec), str(wider)])
    assert result.exit_code == 1
    assert f"{spec}:8:" in result.output and "(node /stem/Conv)" in result.output
    assert re.search(r"output\s+8×4×4\s+16×4×4\s+≠", result.output)


# ---- found in review: each of these was a silent wrong figure or a crash --------------------------------

def test_a_cast_between_layers_is_a_view_and_the_layer_after_it_is_counted(tmp_path):
    path = save(tmp_path, [
        conv("x", "a", "w1", 3, pads=(1, 1, 1, 1), name="/c1/Conv"),
        helper.make_node("Cast", ["a"], ["b"], name="/Cast", to=TensorProto.FLOAT16),
        conv("b", "y", "w2", 3, pads=(1, 1, 1, 1), name="/c2/Conv"),
    ], [weight("w1", 8, 3, 3, 3), weight("w2", 16, 8, 3, 3)])
    layers = rows(path)
    # 8 × 3 × 9 × 64 + 16 × 8 × 9 × 64: both convolutions, the second no longer dropped
    assert [l.name for l in layers] == ["c1", "c2"] and sum(l.macs for l in layers) == 13824 + 73728


def test_squeezes_after_a_global_pool_lead_to_the_classifier(tmp_path):
    """As torch exports `pool(x).squeeze(-1).squeeze(-1)` before a Linear: the Linear's 16 × 1000 MACs and
    16,000 + 1,000 parameters are counted."""
    path = save(tmp_path, [
        helper.make_node("GlobalAveragePool", ["x"], ["p"], name="/pool/GlobalAveragePool"),
        helper.make_node("Squeeze", ["p", "a3"], ["q"], name="/Squeeze"),
        helper.make_node("Squeeze", ["q", "a2"], ["f"], name="/Squeeze_1"),
        helper.make_node("Gemm", ["f", "w", "b"], ["y"], name="/fc/Gemm", transB=1),
    ], [weight("w", 1000, 16), weight("b", 1000), constant("a3", [-1]), constant("a2", [-1])],
        input_shape=(1, 16, 7, 7))
    fc = rows(path)[-1]
    assert (fc.type, fc.macs, fc.params) == ("fc", 16000, 17000)


def test_an_operator_on_the_data_that_is_not_followed_is_an_error_not_a_gap(tmp_path):
    path = save(tmp_path, [
        conv("x", "a", "w1", 1, name="/c1/Conv"),
        helper.make_node("Gather", ["a", "idx"], ["b"], name="/Gather", axis=1),
        conv("b", "y", "w2", 1, name="/c2/Conv"),
    ], [weight("w1", 8, 3, 1, 1), weight("w2", 8, 4, 1, 1), constant("idx", [0, 1, 2, 3])])
    with pytest.raises(CostnetError, match=r"cannot cost the Gather of the network's data \(node /Gather\)"):
        read_onnx(path)


def test_every_graph_output_must_be_reached(tmp_path):
    graph = helper.make_graph(
        [conv("x", "a", "w", 1, name="/c/Conv"), helper.make_node("Shape", ["a"], ["s"], name="/Shape")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("s", TensorProto.INT64, None)], [weight("w", 4, 3, 1, 1)])
    path = tmp_path / "two_outputs.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    assert len(rows(path)) == 1  # a shape among the outputs is made by a Shape of a tensor: fine
    graph.node.append(helper.make_node("RandomNormal", [], ["r"], name="/RandomNormal", shape=[1, 4, 8, 8]))
    graph.output.append(helper.make_tensor_value_info("r", TensorProto.FLOAT, None))
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(CostnetError, match=r"the graph's output 'r' \(made by node /RandomNormal, RandomNormal\) "
                                           r"is not computed from its input"):
        read_onnx(path)


@pytest.mark.parametrize("group", [0, -1])
def test_conv_transpose_groups_are_checked(tmp_path, group):
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="/up/ConvTranspose", kernel_shape=[2, 2],
                            strides=[2, 2], group=group)
    path = save(tmp_path, [node], [weight("w", 4, 2, 2, 2)], input_shape=(1, 4, 8, 8))
    with pytest.raises(CostnetError, match=f"group {group} is not an integer from 1"):
        read_onnx(path)


def _se(tmp_path, reduce_bias, expand_bias, pool="GlobalAveragePool", pads=(0, 0, 0, 0)):
    nodes = [helper.make_node(pool, ["x"], ["p"], name=f"/se/{pool}"),
             conv("p", "r", "w1", 1, pads=pads, name="/se/conv_reduce/Conv", bias="b1" if reduce_bias else None),
             helper.make_node("Relu", ["r"], ["ra"], name="/se/act/Relu"),
             conv("ra", "e", "w2", 1, name="/se/conv_expand/Conv", bias="b2" if expand_bias else None),
             helper.make_node("Sigmoid", ["e"], ["g"], name="/se/gate/Sigmoid"),
             helper.make_node("Mul", ["x", "g"], ["y"], name="/se/Mul")]
    return save(tmp_path, nodes, [weight("w1", 4, 16, 1, 1), weight("b1", 4), weight("w2", 16, 4, 1, 1),
                                  weight("b2", 16)], input_shape=(1, 16, 8, 8))


@pytest.mark.parametrize("reduce_bias, expand_bias, pool, pads", [
    (True, False, "GlobalAveragePool", (0, 0, 0, 0)),   # one bias: SE's fields cannot say so
    (False, True, "GlobalAveragePool", (0, 0, 0, 0)),
    (True, True, "GlobalMaxPool", (0, 0, 0, 0)),        # a max-pooled gate is no SE
    (True, True, "GlobalAveragePool", (1, 1, 1, 1)),    # a padded "1×1" grows the map: no SE
])
def test_what_only_looks_like_squeeze_excitation_is_not_read_as_one(tmp_path, reduce_bias, expand_bias, pool,
                                                                    pads):
    with pytest.raises(CostnetError, match="a Mul that is neither SE's scaling"):
        read_onnx(_se(tmp_path, reduce_bias, expand_bias, pool, pads))
    assert [l.type for l in rows(_se(tmp_path, True, True))] == ["se"]


def test_a_mixconv_of_even_kernels_is_not_forced_to_same_padding(tmp_path):
    parts = [conv(f"s{i}", f"c{i}", f"w{i}", k, pads=(p,) * 4, group=4, name=f"/mix/{i}/Conv")
             for i, (k, p) in enumerate(((2, 0), (4, 1)))]
    path = save(tmp_path, [
        helper.make_node("Split", ["x", "sizes"], ["s0", "s1"], name="/mix/Split", axis=1), *parts,
        helper.make_node("Concat", ["c0", "c1"], ["y"], name="/mix/Concat", axis=1),
    ], [weight("w0", 4, 1, 2, 2), weight("w1", 4, 1, 4, 4), constant("sizes", [4, 4])], input_shape=(1, 8, 8, 8))
    layers = rows(path)
    # (8 − 2)/1 + 1 = 7 and (8 + 2 − 4) + 1 = 7: 4 × 4 × 49 + 4 × 16 × 49 MACs, 8×7×7 out
    assert sum(l.macs for l in layers) == 784 + 3136
    assert (layers[-1].output_shape.height, layers[-1].output_shape.channels) == (7, 8)


def test_gemm_bias_must_be_a_constant_per_output_and_beta_zero_drops_it(tmp_path):
    pool = [helper.make_node("GlobalAveragePool", ["x"], ["p"], name="/pool/GlobalAveragePool"),
            helper.make_node("Flatten", ["p"], ["f"], name="/Flatten", axis=1)]
    path = save(tmp_path, [*pool, helper.make_node("Gemm", ["f", "w", "f"], ["y"], name="/fc/Gemm", transB=1)],
                [weight("w", 16, 16)], input_shape=(1, 16, 4, 4))
    with pytest.raises(CostnetError, match="a Gemm whose C input is not a bias of 16 constants"):
        read_onnx(path)
    path = save(tmp_path, [*pool, helper.make_node("Gemm", ["f", "w", "b"], ["y"], name="/fc/Gemm", transB=1,
                                                   beta=0.0)], [weight("w", 10, 16), weight("b", 10)],
                input_shape=(1, 16, 4, 4))
    assert rows(path)[-1].params == 160


def test_verify_compares_dilation_and_reads_a_grouped_conv_as_depthwise(tmp_path):
    spec = tmp_path / "dw.yaml"
    spec.write_text("version: 1\nname: Dw\nfamily: Dw\ninput: {channels: 8, resolution: 8}\nbody:\n"
                    "  - name: s\n    blocks:\n      - {type: conv, out: 8, kernel: 3, padding: 1, groups: 8, "
                    "norm: none}\n")
    depthwise = save(tmp_path, [conv("x", "y", "w", 3, pads=(1, 1, 1, 1), group=8, name="/dw/Conv")],
                     [weight("w", 8, 1, 3, 3)], input_shape=(1, 8, 8, 8), name="dw.onnx")
    assert CliRunner().invoke(cli, ["verify", str(spec), str(depthwise)]).exit_code == 0
    dilated = save(tmp_path, [conv("x", "y", "w", 3, pads=(2, 2, 2, 2), group=8, name="/dw/Conv",
                                   dilations=[2, 2])], [weight("w", 8, 1, 3, 3)], input_shape=(1, 8, 8, 8),
                   name="dilated.onnx")
    result = CliRunner().invoke(cli, ["verify", str(spec), str(dilated), "-f", "json"])
    assert result.exit_code == 1  # same shapes, MACs and weights: only the dilation tells them apart
    assert [a["aspect"] for a in json.loads(result.output)["difference"]["aspects"]] == ["dilation"]


def test_diff_by_order_pairs_a_widened_layer_with_its_counterpart(tmp_path):
    spec = tmp_path / "three.yaml"
    spec.write_text("version: 1\nname: Three\nfamily: Three\ninput: {channels: 3, resolution: 8}\nbody:\n"
                    "  - name: s\n    blocks:\n      - {type: conv, out: 8, kernel: 3, padding: 1}\n"
                    "      - {type: conv, out: 16, kernel: 3, padding: 1}\n"
                    "      - {type: conv, out: 16, kernel: 3, padding: 1}\n")
    nodes, weights, previous, channels = [], [], "x", 3
    for i, out in enumerate((16, 16, 16)):  # the first widened from 8 to 16
        nodes.append(conv(previous, f"c{i}", f"w{i}", 3, pads=(1, 1, 1, 1), name=f"/c{i}/Conv"))
        norm, stats = bn(f"c{i}", f"b{i}", out, f"bn{i}")
        nodes.append(norm)
        weights += [weight(f"w{i}", out, channels, 3, 3), *stats]
        previous, channels = f"b{i}", out
    nodes[-1].output[0] = "y"
    path = save(tmp_path, nodes, weights, name="three.onnx")
    data = json.loads(CliRunner().invoke(cli, ["diff", str(spec), str(path), "-f", "json", "--all"]).output)
    assert data["matched_by"] == "order"
    assert [(l["name"], l["name_b"]) for l in data["layers"]] == [("s.0", "c0"), ("s.1", "c1"), ("s.2", "c2")]


# ---- found by review (review 11) ---------------------------------------------------------------------------

def relu_chain(count, names=None):
    return [helper.make_node("Relu", [f"v{i}" if i else "x"], [f"v{i + 1}" if i + 1 < count else "y"],
                             name=(names[i] if names else "")) for i in range(count)]


def test_anonymous_rows_are_numbered_after_the_names_already_taken(tmp_path):
    # Four Relus, the second named as a module "act.3": the others take act, then act.2 (free), then act.4
    # (act.3 is taken), as the name-uniquing did before it became linear.
    path = save(tmp_path, relu_chain(4, ["", "/act.3/Relu", "", ""]))
    assert [layer.name for layer in rows(path)] == ["act", "act.3", "act.2", "act.4"]


def test_twenty_thousand_anonymous_rows_are_named_in_linear_time(tmp_path):
    import time

    path = save(tmp_path, relu_chain(20_000))
    start = time.perf_counter()
    layers = rows(path)
    elapsed = time.perf_counter() - start
    assert [layer.name for layer in layers[:3]] == ["act", "act.2", "act.3"] and layers[-1].name == "act.20000"
    assert elapsed < 15  # quadratic naming took over 20 s here (8,000 rows: 5.8 s); linear takes about 1 s


def test_more_nodes_than_max_layers_are_refused_before_the_graph_is_built(tmp_path, monkeypatch):
    from costnet.frontends.onnx import convert, wire

    monkeypatch.setattr(convert, "MAX_LAYERS", 10)
    assert len(rows(save(tmp_path, relu_chain(10), name="ten.onnx"))) == 10
    path = save(tmp_path, relu_chain(11), name="eleven.onnx")
    with pytest.raises(CostnetError, match=r"eleven\.onnx: the graph has more than 10 nodes, the most layers"):
        read_onnx(path)
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    with pytest.raises(wire.TooManyNodes):  # counted before a node is decoded
        wire.read_model(path.read_bytes(), max_nodes=10)
    assert len(wire.read_model(path.read_bytes(), max_nodes=11).graph.nodes) == 11


def test_max_layers_bounds_onnx_nodes_as_it_bounds_spec_rows():
    from costnet.frontends.onnx import convert
    from costnet.limits import MAX_LAYERS

    assert convert.MAX_LAYERS is MAX_LAYERS == 2_000_000


def test_conv_transpose_kernel_shape_must_be_the_weights(tmp_path):
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="ct", kernel_shape=[1, 1])
    path = save(tmp_path, [node], [weight("w", 16, 16, 7, 7)], input_shape=(1, 16, 8, 8))
    with pytest.raises(CostnetError, match=r"node ct: weight \(16, 16, 7, 7\) does not fit its kernel_shape \(1, 1\)"):
        read_onnx(path)
    result = CliRunner().invoke(cli, ["check", str(path), "--max-params", "1000", "--max-macs", "100K"])
    assert result.exit_code == 2  # the gate passed before: the 12,544 weights were costed as 256
    # Without kernel_shape the kernel is the weight's (ONNX): out = (8 − 1) + 7 = 14, 16·16·49 weights, and
    # each of the 64 input pixels spreads over 16·16·49 taps.
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="ct")
    (layer,) = rows(save(tmp_path, [node], [weight("w", 16, 16, 7, 7)], input_shape=(1, 16, 8, 8), name="b.onnx"))
    assert (layer.fields["kernel"], layer.output_shape.height, layer.weights, layer.macs) == \
        (7, 14, 12_544, 12_544 * 64)


@pytest.mark.parametrize("path, message", [
    (None, r"read_onnx\(\) takes the path of an ONNX file \(a str or os.PathLike\), got NoneType"),
    (5, r"read_onnx\(\) takes the path of an ONNX file \(a str or os.PathLike\), got int"),
    (b"a.onnx", r"got bytes"),
    ("a\0.onnx", r"^a\\0\.onnx: not a file name \(it holds a NUL character\)$"),
])
def test_read_onnx_refuses_what_is_no_path_with_costnets_error(path, message):
    with pytest.raises(CostnetError, match=message):
        read_onnx(path)


def test_load_of_an_onnx_path_with_a_nul_is_costnets_error():
    import costnet

    with pytest.raises(CostnetError, match=r"x\\0\.onnx: not a file name"):
        costnet.load("x\0.onnx")


def test_a_node_that_reads_a_value_before_it_is_made_is_refused(tmp_path):
    # The Erf reads y, which the Conv listed after it makes: it was skipped as shape arithmetic, uncounted.
    path = save(tmp_path, [
        helper.make_node("Erf", ["c"], ["e"], name="/gelu/Erf"),
        conv("x", "c", "w", 1, name="/c/Conv"),
        helper.make_node("Relu", ["c"], ["y"], name="/act/Relu"),
    ], [weight("w", 4, 3, 1, 1)])
    with pytest.raises(CostnetError, match=r"node /gelu/Erf \(Erf\) reads 'c' before it is made \(node /c/Conv makes "
                                           r"it after\); ONNX lists the nodes of a graph in topological order"):
        read_onnx(path, allow_unknown=True)
    path = save(tmp_path, [helper.make_node("Add", ["x", "z"], ["y"], name="a"),  # a cycle
                           helper.make_node("Relu", ["y"], ["z"], name="r")], name="cycle.onnx")
    with pytest.raises(CostnetError, match=r"node a \(Add\) reads 'z' before it is made \(node r makes it after\)"):
        read_onnx(path)
    path = save(tmp_path, [helper.make_node("Add", ["x", "nowhere"], ["y"], name="a")], name="dangling.onnx")
    with pytest.raises(CostnetError, match=r"reads 'nowhere' before it is made \(no input, initializer or node"):
        read_onnx(path)
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_two_nodes_writing_one_value_are_refused(tmp_path):
    path = save(tmp_path, [conv("x", "y", "w", 1, name="c1"), helper.make_node("Relu", ["x"], ["y"], name="r")],
                [weight("w", 4, 3, 1, 1)])
    with pytest.raises(CostnetError, match=r"node r \(Relu\) writes 'y', which is already written by node c1 \(Conv\); "
                                           r"an ONNX value is assigned once"):
        read_onnx(path)
    path = save(tmp_path, [helper.make_node("Relu", ["x"], ["x"], name="r")], output="x", name="input.onnx")
    with pytest.raises(CostnetError, match=r"node r \(Relu\) writes 'x', which is already an input of the graph"):
        read_onnx(path)


@pytest.mark.parametrize("make", [
    lambda: [helper.make_node("Split", ["x", "s"], ["a", "b"], name="n", axis=5),
             helper.make_node("Concat", ["a", "b"], ["y"], name="cat", axis=1)],
    lambda: [helper.make_node("Relu", ["x"], ["a"], name="r"), helper.make_node("Relu", ["x"], ["b"], name="r2"),
             helper.make_node("Concat", ["a", "b"], ["y"], name="n", axis=-5)],
    lambda: [helper.make_node("ReduceMean", ["x"], ["y"], name="n", axes=[6, 7])],  # 6 % 4, 7 % 4 were H, W
    lambda: [helper.make_node("Slice", ["x", "st", "en", "ax"], ["y"], name="n")],
])
def test_an_axis_outside_the_tensors_rank_is_refused(tmp_path, make):
    path = save(tmp_path, make(), [constant("s", [2, 2]), constant("st", [0]), constant("en", [2]),
                                   constant("ax", [5])], input_shape=(1, 4, 8, 8))
    with pytest.raises(CostnetError, match=r"node n: axis (5|-5|6) of a \w+ on a rank-4 tensor; ONNX's axes are "
                                           r"from -4 to 3"):
        read_onnx(path)


def test_negative_axes_within_the_rank_are_still_read(tmp_path):
    path = save(tmp_path, [
        helper.make_node("Split", ["x", "s"], ["a", "b"], name="/sp/Split", axis=-3),  # −3 + 4 = 1: channels
        helper.make_node("Relu", ["a"], ["ra"], name="/r/Relu"),
        helper.make_node("Concat", ["ra", "b"], ["c"], name="/cat/Concat", axis=-3),
        helper.make_node("ReduceMean", ["c"], ["y"], name="/pool/ReduceMean", axes=[-2, -1], keepdims=1),
    ], [constant("s", [1, 3])], input_shape=(1, 4, 8, 8))
    layers = rows(path)
    assert [(layer.type, layer.output_shape.channels, layer.output_shape.height) for layer in layers] == \
        [("act", 1, 8), ("concat", 4, 8), ("global_pool", 4, 1)]


def test_slice_bounds_from_shape_arithmetic_are_folded(tmp_path):
    # The legacy TorchScript exporter's ShuffleNetV2 channel split: C = Shape(x)[1]; half = (C + 1) / 2 (ONNX's
    # Div of integers truncates: (6 + 1) / 2 = 3); Slice [0·half, 1·half) and [1·half, 2·half) of channels.
    path = save(tmp_path, [
        helper.make_node("Shape", ["x"], ["s"], name="/b/Shape"),
        helper.make_node("Gather", ["s", "one"], ["c"], name="/b/Gather", axis=0),
        helper.make_node("Add", ["c", "one"], ["c1"], name="/b/Add"),
        helper.make_node("Div", ["c1", "two"], ["half"], name="/b/Div"),
        helper.make_node("Mul", ["half", "one"], ["m1"], name="/b/Mul"),
        helper.make_node("Mul", ["half", "two"], ["m2"], name="/b/Mul_1"),
        helper.make_node("Slice", ["x", "zero", "m1", "one"], ["a"], name="/b/Slice"),
        helper.make_node("Slice", ["x", "m1", "m2", "one"], ["b"], name="/b/Slice_1"),
        conv("a", "ca", "wa", 1, name="/b/left/Conv"),
        conv("b", "cb", "wb", 1, name="/b/right/Conv"),
        helper.make_node("Concat", ["ca", "cb"], ["y"], name="/b/Concat", axis=1),
    ], [constant("zero", [0]), constant("one", [1]), constant("two", [2]), weight("wa", 2, 3, 1, 1),
        weight("wb", 5, 3, 1, 1)], input_shape=(1, 6, 4, 4))
    layers = rows(path)
    # each half is 3 channels: 2 × 3 × 16 and 5 × 3 × 16 MACs; the concatenation 2 + 5 channels
    assert [(layer.name, layer.input_shape.channels, layer.macs) for layer in layers] == \
        [("b.left", 3, 96), ("b.right", 3, 240), ("b.concat", 2, 0)]
    assert layers[-1].output_shape.channels == 7


def test_integer_division_of_shapes_truncates_toward_zero(tmp_path):
    # end = (0 − 7) / 2 = −3 (ONNX; floor division would give −4): channels [0, 6 − 3) = 3 of 6
    path = save(tmp_path, [
        helper.make_node("Sub", ["zero", "seven"], ["n"], name="/s/Sub"),
        helper.make_node("Div", ["n", "two"], ["end"], name="/s/Div"),
        helper.make_node("Cast", ["end"], ["end64"], name="/s/Cast", to=TensorProto.INT64),
        helper.make_node("Unsqueeze", ["end64", "zero"], ["ends"], name="/s/Unsqueeze"),
        helper.make_node("Concat", ["zero", "ends"], ["bounds"], name="/s/Concat", axis=0),  # (0, −3)
        helper.make_node("Gather", ["bounds", "one"], ["e"], name="/s/Gather", axis=0),
        helper.make_node("Slice", ["x", "zero", "e", "one"], ["a"], name="/s/Slice"),
        conv("a", "y", "w", 1, name="/c/Conv"),
    ], [constant("zero", [0]), constant("one", [1]), constant("two", [2]), constant("seven", [7]),
        weight("w", 4, 3, 1, 1)], input_shape=(1, 6, 4, 4))
    (layer,) = rows(path)
    assert (layer.input_shape.channels, layer.macs) == (3, 4 * 3 * 16)


def test_shape_arithmetic_that_cannot_be_folded_still_asks_for_constants(tmp_path):
    path = save(tmp_path, [  # a division by zero is no bound costnet can know
        helper.make_node("Div", ["one", "zero"], ["e"], name="/s/Div"),
        helper.make_node("Slice", ["x", "zero", "e", "one"], ["a"], name="/s/Slice"),
        conv("a", "y", "w", 1, name="/c/Conv"),
    ], [constant("zero", [0]), constant("one", [1]), weight("w", 4, 3, 1, 1)], input_shape=(1, 6, 4, 4))
    with pytest.raises(CostnetError, match=r"node /s/Slice: a Slice whose bounds are not constants of the graph"):
        read_onnx(path)


def test_folding_is_bounded_so_a_chain_of_shape_arithmetic_costs_little(tmp_path):
    # 3,000 Muls of a 64-element constant would hold 192,000 folded integers; the budget is 65,536 in all, so the
    # chain's end is unknown, and a Slice bounded by it asks for constants instead of costnet holding them
    nodes = [helper.make_node("Mul", ["c0" if k == 0 else f"m{k - 1}", "c0"], [f"m{k}"], name=f"/m{k}/Mul")
             for k in range(3000)]
    nodes += [helper.make_node("Gather", ["m2999", "zero"], ["e"], name="/g/Gather", axis=0),
              helper.make_node("Slice", ["x", "zero", "e", "one"], ["a"], name="/s/Slice"),
              conv("a", "y", "w", 1, name="/c/Conv")]
    path = save(tmp_path, nodes, [constant("c0", [1] * 64), constant("zero", [0]), constant("one", [1]),
                                  weight("w", 4, 3, 1, 1)], input_shape=(1, 6, 4, 4))
    with pytest.raises(CostnetError, match=r"node /s/Slice: a Slice whose bounds are not constants of the graph"):
        read_onnx(path)
    short = save(tmp_path, nodes[:10] + [
        helper.make_node("Gather", ["m9", "zero"], ["e"], name="/g/Gather", axis=0), *nodes[-2:]],
        [constant("c0", [3] + [1] * 63), constant("zero", [0]), constant("one", [1]), weight("w", 4, 6, 1, 1)],
        input_shape=(1, 6, 4, 4), name="short.onnx")
    (layer,) = rows(short)  # 3¹¹ = 177,147 clamps to the 6 channels there are: 4 × 6 × 16 MACs
    assert (layer.input_shape.channels, layer.macs) == (6, 4 * 6 * 16)


@pytest.mark.parametrize("to, values, expected", [
    (TensorProto.INT8, (300, -129, 5), (44, 127, 5)),        # wraps: 300 − 256, −129 + 256
    (TensorProto.UINT8, (-1, 256), (255, 0)),
    (TensorProto.INT32, (2**31, -7), (-2**31, -7)),
    (TensorProto.INT64, (-2.7, 2.7), (-2, 2)),               # a float truncates toward zero
    (TensorProto.BOOL, (5, 0, -1), (1, 0, 1)),
    (TensorProto.INT64, (float("nan"),), None),              # no integer value
    (TensorProto.STRING, (1,), None),
])
def test_cast_of_known_values_follows_onnx(to, values, expected):
    from costnet.frontends.onnx.convert import _cast

    assert _cast(values, to) == expected
