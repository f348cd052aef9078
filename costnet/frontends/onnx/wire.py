"""Reads what a cost analysis needs from an ONNX file, straight from the protobuf wire format.

costnet does not import onnx or google.protobuf: their native extensions take most of a second to load,
longer than the whole analysis. Field numbers are those of onnx/onnx.proto. Weight data is never
copied; only small integer tensors (shapes, axes, split sizes) and small float tensors are decoded.

The bytes may be hostile. Anything truncated, corrupt or not ONNX raises WireError and nothing else.
Lengths are checked against the bytes left before anything is sliced, and no decoder recurses into a
message of its own kind (subgraphs are noted, not read), so nesting is bounded by the schema.
A message field given twice is taken from its last occurrence (protobuf would merge the two).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from ...inputfiles import TooLarge, read_bytes

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
MAX_INT_ELEMENTS = 1024
MAX_FLOAT_ELEMENTS = 64

# TensorProto.DataType
FLOAT, INT32, INT64 = 1, 6, 7
EXTERNAL = 1  # TensorProto.DataLocation

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
_WIRE_NAMES = {3: "group start", 4: "group end", 6: "wire type 6", 7: "wire type 7"}
_FIXED_WIDTH = {FIXED64: 8, FIXED32: 4}
_VALUE_FORMATS = {INT64: ("q", 8), INT32: ("i", 4), FLOAT: ("f", 4)}
_FLOAT = struct.Struct("<f")


class WireError(ValueError):
    """The bytes are not a well-formed ONNX model: truncated, corrupt, or something else entirely."""


class TooManyNodes(WireError):
    """A graph of more nodes than the reader was told to take: refused before the rest is decoded."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"more than {limit:,} nodes")


@dataclass(frozen=True, slots=True)
class Tensor:
    name: str
    data_type: int  # TensorProto.DataType
    dims: tuple[int, ...]
    # Only for INT64 and INT32 tensors of at most 1,024 elements and FLOAT ones of at most 64; else None.
    values: tuple[int, ...] | tuple[float, ...] | None
    external: bool  # the data lives in another file (data_location = EXTERNAL)


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    type: int  # AttributeProto.AttributeType
    # The field its type names, as onnx.helper.get_attribute_value gives it (a float, int, bytes, Tensor, or a
    # tuple of floats, ints or bytes); None for the types not read: graphs, sparse tensors, type protos.
    value: float | int | bytes | Tensor | tuple | None
    has_graph: bool  # a subgraph (field g or graphs), which is not read


@dataclass(frozen=True, slots=True)
class Node:
    op_type: str
    name: str
    domain: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: tuple[Attribute, ...]

    def attribute(self, name: str) -> Attribute | None:
        return next((attribute for attribute in self.attributes if attribute.name == name), None)

    @property
    def has_subgraph(self) -> bool:
        return any(attribute.has_graph for attribute in self.attributes)


@dataclass(frozen=True, slots=True)
class ValueInfo:
    name: str
    elem_type: int | None  # None when the value is not a tensor, or has no type
    # One entry per dimension: its size, its symbolic name, or None if unknown. None when the rank is unknown.
    shape: tuple[int | str | None, ...] | None


@dataclass(frozen=True, slots=True)
class Graph:
    name: str
    nodes: tuple[Node, ...]
    initializers: tuple[Tensor, ...]
    inputs: tuple[ValueInfo, ...]
    outputs: tuple[ValueInfo, ...]
    value_infos: tuple[ValueInfo, ...]


@dataclass(frozen=True, slots=True)
class Model:
    ir_version: int
    opset_imports: tuple[tuple[str, int], ...]  # (domain, version); "" is the default ONNX domain
    producer_name: str
    graph: Graph


def read_model_file(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES,
                    max_nodes: int | None = None) -> Model:
    """Read an ONNX file, refusing one over max_bytes before reading it. OSError if it cannot be opened
    (inputfiles.FifoWithoutWriter for a FIFO nobody writes to)."""
    try:
        data = read_bytes(path, max_bytes)
    except TooLarge as exc:
        raise WireError(f"{exc.size:,} bytes, over the limit of {max_bytes:,}") from None
    if len(data) > max_bytes:
        raise WireError(f"over the limit of {max_bytes:,} bytes")
    return read_model(data, max_nodes)


def read_model(data: bytes, max_nodes: int | None = None) -> Model:
    """The model in `data`; TooManyNodes as soon as its graph has more than `max_nodes` nodes (if given)."""
    try:
        return _model(bytes(data), max_nodes)  # bytes(data) is data when it is bytes already
    except UnicodeDecodeError as error:
        raise WireError(f"a string that is not UTF-8: {error.reason}") from None


def _model(data: bytes, max_nodes: int | None = None) -> Model:
    ir_version, producer_name, opset_imports, graph = 0, "", [], None
    for number, wire, value, stop in _fields(data, 0, len(data)):
        if number == 1 and wire == VARINT:
            ir_version = _int64(value)
        elif number == 2 and wire == LENGTH_DELIMITED:
            producer_name = data[value:stop].decode()
        elif number == 7 and wire == LENGTH_DELIMITED:
            graph = _graph(data, value, stop, max_nodes)
        elif number == 8 and wire == LENGTH_DELIMITED:
            opset_imports.append(_opset_import(data, value, stop))
    if graph is None:
        raise WireError("no graph: not an ONNX model")
    return Model(ir_version, tuple(opset_imports), producer_name, graph)


def _opset_import(data: bytes, start: int, end: int) -> tuple[str, int]:
    domain, version = "", 0
    for number, wire, value, stop in _fields(data, start, end):
        if number == 1 and wire == LENGTH_DELIMITED:
            domain = data[value:stop].decode()
        elif number == 2 and wire == VARINT:
            version = _int64(value)
    return domain, version


def _graph(data: bytes, start: int, end: int, max_nodes: int | None = None) -> Graph:
    if max_nodes is not None:  # counted before any node is decoded: a pass that skips over each node's bytes
        count = 0
        for number, wire, _, _ in _fields(data, start, end):
            if number == 1 and wire == LENGTH_DELIMITED:
                count += 1
                if count > max_nodes:
                    raise TooManyNodes(max_nodes)
    name, nodes, initializers, inputs, outputs, value_infos = "", [], [], [], [], []
    for number, wire, value, stop in _fields(data, start, end):
        if wire != LENGTH_DELIMITED:
            continue
        if number == 1:
            nodes.append(_node(data, value, stop))
        elif number == 2:
            name = data[value:stop].decode()
        elif number == 5:
            initializers.append(_tensor(data, value, stop))
        elif number == 11:
            inputs.append(_value_info(data, value, stop))
        elif number == 12:
            outputs.append(_value_info(data, value, stop))
        elif number == 13:
            value_infos.append(_value_info(data, value, stop))
    return Graph(name, tuple(nodes), tuple(initializers), tuple(inputs), tuple(outputs), tuple(value_infos))


def _node(data: bytes, start: int, end: int) -> Node:
    op_type, name, domain, inputs, outputs, attributes = "", "", "", [], [], []
    for number, wire, value, stop in _fields(data, start, end):
        if wire != LENGTH_DELIMITED:
            continue
        if number == 1:
            inputs.append(data[value:stop].decode())
        elif number == 2:
            outputs.append(data[value:stop].decode())
        elif number == 3:
            name = data[value:stop].decode()
        elif number == 4:
            op_type = data[value:stop].decode()
        elif number == 5:
            attributes.append(_attribute(data, value, stop))
        elif number == 7:
            domain = data[value:stop].decode()
    return Node(op_type, name, domain, tuple(inputs), tuple(outputs), tuple(attributes))


def _attribute(data: bytes, start: int, end: int) -> Attribute:
    name, kind, f, i, s, t, has_graph = "", 0, 0.0, 0, b"", None, False
    floats, ints, strings = [], [], []
    for number, wire, value, stop in _fields(data, start, end):
        if number == 1 and wire == LENGTH_DELIMITED:
            name = data[value:stop].decode()
        elif number == 20 and wire == VARINT:
            kind = _int32(value)
        elif number == 2 and wire == FIXED32:
            f = _FLOAT.unpack_from(data, value)[0]
        elif number == 3 and wire == VARINT:
            i = _int64(value)
        elif number == 4 and wire == LENGTH_DELIMITED:
            s = data[value:stop]
        elif number == 5 and wire == LENGTH_DELIMITED:
            t = _tensor(data, value, stop)
        elif number in (6, 11) and wire == LENGTH_DELIMITED:
            has_graph = True
        elif number == 7:
            _add_floats(floats, data, wire, value, stop)
        elif number == 8:
            _add_ints(ints, data, wire, value, stop)
        elif number == 9 and wire == LENGTH_DELIMITED:
            strings.append(data[value:stop])
    value = {1: f, 2: i, 3: s, 4: t, 6: floats, 7: ints, 8: strings}.get(kind)
    return Attribute(name, kind, tuple(value) if isinstance(value, list) else value, has_graph)


def _tensor(data: bytes, start: int, end: int) -> Tensor:
    name, data_type, dims, external, raw = "", 0, [], False, None
    for number, wire, value, stop in _fields(data, start, end):
        if number == 1:
            _add_ints(dims, data, wire, value, stop)
        elif number == 2 and wire == VARINT:
            data_type = _int32(value)
        elif number == 8 and wire == LENGTH_DELIMITED:
            name = data[value:stop].decode()
        elif number == 9 and wire == LENGTH_DELIMITED:
            raw = (value, stop)
        elif number == 14 and wire == VARINT:
            external = _int32(value) == EXTERNAL
    shape = tuple(dims)
    if shape and min(shape) < 0:
        raise WireError(f"tensor {name!r} has a negative dimension")
    limit = MAX_FLOAT_ELEMENTS if data_type == FLOAT else MAX_INT_ELEMENTS
    count = _element_count(shape, limit)
    decodable = data_type in _VALUE_FORMATS and count <= limit and not external
    values = _tensor_values(data, start, end, name, data_type, count, raw) if decodable else None
    return Tensor(name, data_type, shape, values, external)


def _element_count(dims: tuple[int, ...], limit: int) -> int:
    """The product of dims, or a number over limit as soon as it is known to pass it.

    Stopping early matters: a hostile tensor of a million huge dims would take hours to multiply out.
    """
    if 0 in dims:
        return 0
    count = 1
    for size in dims:
        count *= size
        if count > limit:
            break
    return count


def _tensor_values(
    data: bytes, start: int, end: int, name: str, data_type: int, count: int, raw: tuple[int, int] | None
) -> tuple | None:
    """The values of a small tensor, from raw_data or its typed field; None if it holds no data."""
    code, width = _VALUE_FORMATS[data_type]
    if raw is not None:
        raw_start, raw_stop = raw
        if raw_stop - raw_start != count * width:
            raise WireError(f"tensor {name!r}: raw_data of {raw_stop - raw_start} bytes for {count} elements")
        return struct.unpack_from(f"<{count}{code}", data, raw_start)
    typed_field = {FLOAT: 4, INT32: 5, INT64: 7}[data_type]
    values = []
    for number, wire, value, stop in _fields(data, start, end):
        if number == typed_field:
            (_add_floats if data_type == FLOAT else _add_ints)(values, data, wire, value, stop)
            if len(values) > count:
                break
    if not values:
        return () if count == 0 else None
    if len(values) != count:
        raise WireError(f"tensor {name!r}: {len(values)} values for {count} elements")
    return tuple(map(_int32, values)) if data_type == INT32 else tuple(values)


def _value_info(data: bytes, start: int, end: int) -> ValueInfo:
    name, elem_type, shape = "", None, None
    for number, wire, value, stop in _fields(data, start, end):
        if number == 1 and wire == LENGTH_DELIMITED:
            name = data[value:stop].decode()
        elif number == 2 and wire == LENGTH_DELIMITED:
            elem_type, shape = _type(data, value, stop)
    return ValueInfo(name, elem_type, shape)


def _type(data: bytes, start: int, end: int) -> tuple[int | None, tuple | None]:
    """TypeProto: the element type and shape of a tensor type; (None, None) for any other type."""
    elem_type, shape = None, None
    for number, wire, value, stop in _fields(data, start, end):
        if number == 1 and wire == LENGTH_DELIMITED:
            elem_type, shape = 0, None
            for inner, inner_wire, inner_value, inner_stop in _fields(data, value, stop):
                if inner == 1 and inner_wire == VARINT:
                    elem_type = _int32(inner_value)
                elif inner == 2 and inner_wire == LENGTH_DELIMITED:
                    shape = _shape(data, inner_value, inner_stop)
        elif number in (4, 5, 7, 8, 9) and wire == LENGTH_DELIMITED:  # another kind in the oneof
            elem_type, shape = None, None
    return elem_type, shape


def _shape(data: bytes, start: int, end: int) -> tuple[int | str | None, ...]:
    return tuple(
        _dimension(data, value, stop)
        for number, wire, value, stop in _fields(data, start, end)
        if number == 1 and wire == LENGTH_DELIMITED
    )


def _dimension(data: bytes, start: int, end: int) -> int | str | None:
    if start < end and data[start] == 0x08:  # nearly always a lone dim_value: read it without a field loop
        size, stop = _varint(data, start + 1, end)
        if stop == end:
            return _int64(size)
    size = None
    for number, wire, value, stop in _fields(data, start, end):
        if number == 1 and wire == VARINT:
            size = _int64(value)
        elif number == 2 and wire == LENGTH_DELIMITED:
            size = data[value:stop].decode()
    return size


def _fields(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, value, stop) for each field of the message in data[start:end].

    A varint's value is its integer and stop the offset after it; for the other wire types the field's
    bytes are data[value:stop].
    """
    pos = start
    while pos < end:
        # Keys, lengths and most values are single-byte varints: read those without a call.
        key = data[pos]
        if key < 0x80:
            pos += 1
        else:
            key, pos = _varint(data, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError(f"field number 0 at byte {pos}")
        if wire == VARINT or wire == LENGTH_DELIMITED:
            if pos >= end:
                raise WireError(f"truncated varint at byte {pos}")
            value = data[pos]
            if value < 0x80:
                stop = pos + 1
            else:
                value, stop = _varint(data, pos, end)
            if wire == LENGTH_DELIMITED:
                value, stop = stop, stop + value
                if stop > end:
                    raise WireError(f"truncated length-delimited field at byte {pos}")
            yield number, wire, value, stop
            pos = stop
        elif wire in _FIXED_WIDTH:
            stop = pos + _FIXED_WIDTH[wire]
            if stop > end:
                raise WireError(f"truncated fixed-width field at byte {pos}")
            yield number, wire, pos, stop
            pos = stop
        else:
            raise WireError(f"{_WIRE_NAMES[wire]} at byte {pos}: not ONNX")


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """The unsigned varint at data[pos] and the offset after it; it must end before end."""
    result = shift = 0
    for index in range(pos, min(pos + 10, end)):
        byte = data[index]
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, index + 1
        shift += 7
    if end - pos < 10:
        raise WireError(f"truncated varint at byte {pos}")
    raise WireError(f"varint longer than 10 bytes at byte {pos}")


def _add_ints(values: list[int], data: bytes, wire: int, value: int, stop: int) -> None:
    """Append a repeated int64 field's elements, packed (one length-delimited run) or not (one varint)."""
    if wire == VARINT:
        values.append(_int64(value))
    elif wire == LENGTH_DELIMITED:
        pos = value
        while pos < stop:
            element = data[pos]
            if element < 0x80:
                pos += 1
            else:
                element, pos = _varint(data, pos, stop)
                element = _int64(element)
            values.append(element)


def _add_floats(values: list[float], data: bytes, wire: int, value: int, stop: int) -> None:
    """Append a repeated float field's elements, packed or not."""
    if wire == FIXED32:
        values.append(_FLOAT.unpack_from(data, value)[0])
    elif wire == LENGTH_DELIMITED:
        if (stop - value) % 4:
            raise WireError(f"packed floats of {stop - value} bytes at byte {value}")
        values.extend(struct.unpack_from(f"<{(stop - value) // 4}f", data, value))


def _int64(value: int) -> int:
    """A varint read as int64: negatives come sign-extended to ten bytes; bits past 64 are dropped."""
    value &= 0xFFFF_FFFF_FFFF_FFFF
    return value - (1 << 64) if value >> 63 else value


def _int32(value: int) -> int:
    value &= 0xFFFF_FFFF
    return value - (1 << 32) if value >> 31 else value

