"""The ONNX wire reader: against onnx.load on the exported fixtures, and on hand-built and hostile bytes."""

import random
import struct
from pathlib import Path

import pytest

from costnet.frontends.onnx import wire
from costnet.frontends.onnx.wire import WireError, read_model, read_model_file

FIXTURE_DIR = Path(__file__).parent / "data" / "onnx"
FIXTURES = sorted(FIXTURE_DIR.glob("*.onnx"))


# A few protobuf encoders, enough to write ONNX messages by hand.

def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative numbers as ten-byte two's complement, as protobuf writes int64
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out) + bytes([value])


def integer(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def nested(number: int, *fields: bytes) -> bytes:
    payload = b"".join(fields)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def text(number: int, value: str) -> bytes:
    return nested(number, value.encode())


def float32(number: int, value: float) -> bytes:
    return varint(number << 3 | 5) + struct.pack("<f", value)


def packed(number: int, values: list[int]) -> bytes:
    return nested(number, *map(varint, values))


def model(*graph_fields: bytes) -> bytes:
    opset = nested(8, text(1, ""), integer(2, 17))
    return integer(1, 8) + text(2, "hand") + nested(7, text(2, "g"), *graph_fields) + opset


def node_with(*attribute_fields: bytes) -> bytes:
    """A Conv node from x to y, with one attribute made of these fields, or none."""
    attribute = nested(5, *attribute_fields) if attribute_fields else b""
    return nested(1, text(1, "x"), text(2, "y"), text(3, "n"), text(4, "Conv"), attribute)


def tensor_with(*fields: bytes) -> bytes:
    return nested(5, text(8, "t"), *fields)


# Against onnx.load, on every fixture.

def expected_tensor(proto) -> tuple:
    from onnx import TensorProto, numpy_helper

    count = 1
    for size in proto.dims:
        count *= size
    limits = {TensorProto.INT64: wire.MAX_INT_ELEMENTS, TensorProto.INT32: wire.MAX_INT_ELEMENTS}
    limit = {**limits, TensorProto.FLOAT: wire.MAX_FLOAT_ELEMENTS}.get(proto.data_type, -1)
    holds_data = proto.HasField("raw_data") or proto.int64_data or proto.int32_data or proto.float_data
    external = proto.data_location == TensorProto.EXTERNAL
    values = None
    if count <= limit and not external and (holds_data or count == 0):
        values = tuple(numpy_helper.to_array(proto).ravel().tolist())
    return proto.name, proto.data_type, tuple(proto.dims), values, external


def actual_tensor(tensor: wire.Tensor) -> tuple:
    return tensor.name, tensor.data_type, tensor.dims, tensor.values, tensor.external


def expected_value_info(proto) -> tuple:
    if proto.type.WhichOneof("value") != "tensor_type":
        return proto.name, None, None
    tensor_type = proto.type.tensor_type
    if not tensor_type.HasField("shape"):
        return proto.name, tensor_type.elem_type, None
    return proto.name, tensor_type.elem_type, tuple(map(expected_dimension, tensor_type.shape.dim))


def expected_dimension(proto) -> int | str | None:
    field = proto.WhichOneof("value")
    return getattr(proto, field) if field else None


def expected_attribute(proto) -> tuple:
    from onnx import AttributeProto, helper

    if proto.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS):
        return proto.name, proto.type, None, True
    value = helper.get_attribute_value(proto)
    if proto.type == AttributeProto.TENSOR:
        value = expected_tensor(value)
    elif isinstance(value, list):
        value = tuple(value)
    return proto.name, proto.type, value, False


def actual_attribute(attribute: wire.Attribute) -> tuple:
    value = actual_tensor(attribute.value) if isinstance(attribute.value, wire.Tensor) else attribute.value
    return attribute.name, attribute.type, value, attribute.has_graph


def expected_node(proto) -> tuple:
    attributes = tuple(map(expected_attribute, proto.attribute))
    return proto.op_type, proto.name, proto.domain, tuple(proto.input), tuple(proto.output), attributes


def actual_node(node: wire.Node) -> tuple:
    attributes = tuple(map(actual_attribute, node.attributes))
    return node.op_type, node.name, node.domain, node.inputs, node.outputs, attributes


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_reader_agrees_with_onnx_load(path):
    onnx = pytest.importorskip("onnx")
    expected = onnx.load(path, load_external_data=False)
    actual = read_model_file(path)

    assert actual.ir_version == expected.ir_version
    assert actual.producer_name == expected.producer_name
    assert actual.opset_imports == tuple((opset.domain, opset.version) for opset in expected.opset_import)
    graph, expected_graph = actual.graph, expected.graph
    assert graph.name == expected_graph.name
    assert len(graph.nodes) == len(expected_graph.node)
    for node, expected_node_proto in zip(graph.nodes, expected_graph.node):
        assert actual_node(node) == expected_node(expected_node_proto)
    assert list(map(actual_tensor, graph.initializers)) == list(map(expected_tensor, expected_graph.initializer))
    for values, expected_values in [
        (graph.inputs, expected_graph.input),
        (graph.outputs, expected_graph.output),
        (graph.value_infos, expected_graph.value_info),
    ]:
        assert [(v.name, v.elem_type, v.shape) for v in values] == list(map(expected_value_info, expected_values))


def test_fixtures_keep_their_shape_constants():
    """Guards the comparison above: the fixtures do hold small integer tensors and shapes to compare."""
    path = FIXTURE_DIR / "shufflenet_v2_x1_0.onnx"
    if not path.exists():
        pytest.skip("no ONNX fixtures")
    shufflenet = read_model_file(path).graph
    assert any(t.values for t in shufflenet.initializers if t.data_type == wire.INT64)
    assert all(isinstance(size, int) for v in shufflenet.value_infos for size in v.shape)


# Hand-built messages: no onnx needed.

def test_a_hand_built_model():
    dims = nested(1, integer(1, 3)), nested(1, text(2, "N")), nested(1)
    shape = nested(2, nested(1, integer(1, 1), nested(2, *dims)))  # type { tensor_type { elem_type, shape } }
    data = model(
        node_with(text(1, "alpha"), integer(20, 1), float32(2, 0.25)),
        nested(11, text(1, "x"), shape),
        nested(12, text(1, "y")),
    )
    result = read_model(data)
    assert (result.ir_version, result.producer_name, result.opset_imports) == (8, "hand", (("", 17),))
    node = result.graph.nodes[0]
    assert (node.op_type, node.name, node.inputs, node.outputs) == ("Conv", "n", ("x",), ("y",))
    assert node.attribute("alpha").value == 0.25
    assert node.attribute("beta") is None
    assert result.graph.inputs[0] == wire.ValueInfo("x", 1, (3, "N", None))
    assert result.graph.outputs[0] == wire.ValueInfo("y", None, None)


@pytest.mark.parametrize("encode", [
    lambda ints: packed(8, ints),
    lambda ints: b"".join(integer(8, i) for i in ints),
    lambda ints: packed(8, ints[:2]) + b"".join(integer(8, i) for i in ints[2:]),
], ids=["packed", "unpacked", "mixed"])
def test_ints_packed_or_not(encode):
    ints = [1, 2, 300, -1, -(2**63), 2**63 - 1]
    data = model(node_with(text(1, "pads"), integer(20, 7), encode(ints)))
    assert read_model(data).graph.nodes[0].attribute("pads").value == tuple(ints)


def test_negative_int64_varints():
    assert varint(-5) == b"\xfb" + b"\xff" * 8 + b"\x01"
    data = model(
        node_with(text(1, "axis"), integer(20, 2), integer(3, -5)),
        tensor_with(integer(2, wire.INT64), integer(7, -9)),
    )
    graph = read_model(data).graph
    assert graph.nodes[0].attribute("axis").value == -5
    assert graph.initializers[0].values == (-9,)


def test_small_tensors_are_decoded_and_large_ones_skipped():
    data = model(
        tensor_with(packed(1, [2, 2]), integer(2, wire.INT64), packed(7, [4, -3, 0, 1])),
        tensor_with(packed(1, [3]), integer(2, wire.INT32), nested(9, struct.pack("<3i", -1, 0, 7))),
        tensor_with(integer(2, wire.FLOAT), nested(4, struct.pack("<f", 1.5))),
        tensor_with(packed(1, [2000]), integer(2, wire.INT64), nested(9, bytes(16000))),
        tensor_with(packed(1, [65]), integer(2, wire.FLOAT), nested(9, bytes(260))),
        tensor_with(packed(1, [4]), integer(2, wire.INT64)),
        tensor_with(packed(1, [4]), integer(2, wire.INT64), integer(14, 1)),
    )
    tensors = read_model(data).graph.initializers
    assert [t.values for t in tensors] == [(4, -3, 0, 1), (-1, 0, 7), (1.5,), None, None, None, None]
    assert tensors[0].dims == (2, 2)
    assert [t.external for t in tensors] == [False] * 6 + [True]


def test_subgraphs_are_noted_not_read():
    branch = nested(6, node_with())
    node = read_model(model(node_with(text(1, "then_branch"), integer(20, 5), branch))).graph.nodes[0]
    assert node.has_subgraph
    assert node.attribute("then_branch").value is None


def test_unknown_fields_of_every_wire_type_are_skipped():
    unknown = integer(99, 5) + varint(98 << 3 | 1) + bytes(8) + nested(97, b"\xff\xff") + float32(96, 1.0)
    data = unknown + model(nested(1, unknown, text(4, "Relu"))) + unknown
    assert read_model(data).graph.nodes[0].op_type == "Relu"


# Hostile bytes: WireError, never anything else.

def test_a_truncated_file():
    data = model(node_with(text(1, "pads"), integer(20, 7), packed(8, [1, 2])))
    with pytest.raises(WireError, match="truncated length-delimited field at byte"):
        read_model(data[: len(data) // 2])
    for end in range(len(data)):
        try:
            read_model(data[:end])
        except WireError:
            pass


@pytest.mark.parametrize("data, message", [
    (b"", "no graph"),
    (b"hello, world", "not ONNX"),
    (b"\x08" + b"\xff" * 10 + b"\x01", "varint longer than 10 bytes"),
    (b"\x08\xff", "truncated varint"),
    (b"\x3a\xff\xff\xff\xff\xff\xff\xff\xff\x0f", "truncated length-delimited"),  # a 2**63-byte graph
    (b"\x0b\x0c", "group start"),
    (b"\x00\x01", "field number 0"),
    (model(nested(1, nested(4, b"Re\xffu"))), "not UTF-8"),
    (model(tensor_with(packed(1, [3, -1]))), "negative dimension"),
    (model(tensor_with(packed(1, [3]), integer(2, wire.INT64), packed(7, [1, 2]))), "2 values for 3"),
    (model(tensor_with(packed(1, [3]), integer(2, wire.INT32), nested(9, bytes(5)))), "raw_data of 5 bytes"),
])
def test_corrupt_bytes(data, message):
    with pytest.raises(WireError, match=message):
        read_model(data)


def test_a_bomb_of_nested_messages():
    """Subgraphs nested far deeper than the recursion limit: skipped by length, never recursed into."""
    graph = b""
    for _ in range(3000):
        graph = nested(6, nested(1, nested(5, text(1, "body"), integer(20, 5), graph)))  # g { node { attribute {
    loop = nested(1, text(4, "Loop"), nested(5, text(1, "body"), integer(20, 5), graph))
    assert read_model(model(loop)).graph.nodes[0].has_subgraph


def test_a_tensor_of_many_huge_dims_is_not_multiplied_out():
    data = model(tensor_with(packed(1, [2**62] * 100_000), integer(2, wire.INT64)))
    assert read_model(data).graph.initializers[0].values is None


def read_or_wire_error(data: bytes) -> None:
    try:
        read_model(data)
    except WireError:
        pass


@pytest.mark.parametrize("seed", range(300))
def test_random_bytes_raise_only_wire_error(seed):
    rng = random.Random(seed)
    read_or_wire_error(rng.randbytes(rng.randrange(1, 2000)))
    read_or_wire_error(model(rng.randbytes(rng.randrange(1, 200))))


@pytest.mark.parametrize("seed", range(300))
def test_corrupted_models_raise_only_wire_error(seed):
    rng = random.Random(seed)
    smallest = min(FIXTURES, key=lambda path: path.stat().st_size, default=None)
    original = smallest.read_bytes() if smallest else model(node_with(text(1, "pads"), packed(8, [1, 2])))
    data = bytearray(original)
    for _ in range(rng.randrange(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    read_or_wire_error(bytes(data))


def test_a_file_over_the_size_cap_is_refused(tmp_path):
    path = tmp_path / "big.onnx"
    path.write_bytes(model() + integer(99, 0) * 600)
    with pytest.raises(WireError, match="over the limit of 1,000"):
        read_model_file(path, max_bytes=1000)
    assert read_model_file(path).graph.name == "g"
