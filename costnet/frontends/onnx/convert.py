"""An ONNX graph → costnet's graph: the rows a spec of the same network would have.

Exporters spell one layer as several operators. These are put back together, so that a network exported
from PyTorch gives the same rows, costs and separable pairs as its spec:

- Conv, then BatchNormalization, then an activation (Relu, Clip(0, 6), HardSwish, HardSigmoid, Sigmoid, or
  swish written as Mul(x, Sigmoid(x))), each the only reader of the one before: one convolution row with
  `norm: bn` and `act`. A convolution is `pwconv` when it is 1×1 and dense, `dwconv` when it has one group
  per channel, `conv` otherwise.
- Split → one Conv per part → Concat: a MixConv (`dwconv` with a list of kernel sizes) when every part is
  depthwise, a grouped 1×1 convolution (`pwconv` with groups) when every part is 1×1 and dense; the parts
  must be split as costnet splits (equally, the remainder on the first; or exponentially).
- GlobalAveragePool (or ReduceMean over H×W) → 1×1 Conv → activation → 1×1 Conv → Sigmoid/HardSigmoid →
  Mul with the pooled tensor: one squeeze-and-excitation row.
- Reshape → Transpose(0, 2, 1, 3, 4) → Reshape: ShuffleNet's channel shuffle.
- Gemm, or MatMul followed by an Add of a constant: a fully connected row.
- Slice and Split along channels, Identity, Dropout, Cast, and Flatten, Squeeze or Unsqueeze of a C×1×1
  tensor are views: the readers read the tensor they view, and see the part they take. A Pad before a Conv
  or a pooling is folded into its padding.
- Arithmetic on shapes and constants is folded where costnet can, and is never a row.
Shapes are costnet's own (its layer types' shape functions), checked against the shapes the file records,
and every output of the graph must be reached. An operator costnet cannot cost is an error naming it and
its node; with `allow_unknown` it becomes a row that costs nothing and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ...errors import Origin, UsageError
from ...inputfiles import FifoWithoutWriter
from ...graph.formulas import Shape, SPLITS
from ...limits import MAX_INTEGER, MAX_LAYERS
from ...graph.layers import LAYER_TYPES, ShapeError
from ...graph.network import INPUT, Graph, Node as GraphNode
from . import wire

ACTIVATION_OPS = {"Relu": "relu", "HardSwish": "hard_swish", "HardSigmoid": "hard_sigmoid", "Sigmoid": "sigmoid",
                  "Softmax": "softmax"}
FUNCTIONAL_TYPES = ("add", "concat", "mul", "shuffle", "unknown")
# Operators whose first input is the network's data: never skipped as shape arithmetic, whatever they read.
READS_A_TENSOR = frozenset({
    "Conv", "ConvTranspose", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool",
    "GlobalMaxPool", "ReduceMean", "LRN", "Gemm", "MatMul", "Relu", "HardSwish", "HardSigmoid", "Sigmoid",
    "Softmax", "Clip", "Pad", "Flatten", "Dropout",
})
SHAPE_OPS = ("Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Cast", "ConstantOfShape", "Range")


class OnnxError(UsageError):
    """A graph costnet cannot read: the message names the node and what is wrong."""


@dataclass
class _Tensor:
    """What a value of the ONNX graph is to costnet: the row that produced the tensor it is (or views), and
    the shape seen through it."""

    producer: str  # a row's name, or INPUT
    shape: Shape
    rank: int  # 4 for N×C×H×W, 2 for N×F (a flat vector, as Shape(F, 1, 1))


@dataclass
class _Row:
    name: str
    type: str
    fields: dict[str, Any]
    inputs: list[str]  # ONNX values read
    output: str  # the ONNX value it produces
    nodes: list[str] = field(default_factory=list)  # the ONNX nodes it stands for


def read_onnx(path: str | Path, input_shape: tuple[int, ...] | None = None, allow_unknown: bool = False) -> Graph:
    """The graph of an ONNX file. `input_shape` (N, C, H, W) replaces a dynamic or a different input shape."""
    if "\0" in str(path):  # open() would raise ValueError
        shown = str(path).replace("\0", "\\0")
        raise UsageError(f"{shown}: not a file name (it holds a NUL character)")
    try:
        model = wire.read_model_file(path, max_nodes=MAX_LAYERS)
    except wire.TooManyNodes as exc:
        raise OnnxError(too_many_nodes(path, exc.limit)) from None
    except FifoWithoutWriter:
        raise UsageError(FifoWithoutWriter.message(str(path))) from None
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not an ONNX file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    except wire.WireError as exc:
        raise OnnxError(f"{path}: not an ONNX model ({exc})") from None
    return graph_of_model(model, str(path), input_shape, allow_unknown)


def graph_of_model(model: wire.Model, file: str, input_shape: tuple[int, ...] | None = None,
                   allow_unknown: bool = False) -> Graph:
    """The graph of a model already read (from standard input or a pipe); `file` names it in messages."""
    return _Converter(model, file, input_shape, allow_unknown).convert()


def too_many_nodes(file, limit: int) -> str:
    return (f"{file}: the graph has more than {limit:,} nodes, the most layers costnet takes for one network "
            "(every row costnet makes stands for at least one node)")


class _Converter:
    def __init__(self, model: wire.Model, file: str, input_shape, allow_unknown: bool):
        self.model, self.file, self.allow_unknown = model, file, allow_unknown
        graph = model.graph
        self.nodes = graph.nodes
        if len(self.nodes) > MAX_LAYERS:  # a model not read through read_model_file's bound
            raise OnnxError(too_many_nodes(file, MAX_LAYERS))
        self._check_order(graph)
        # Weights and constants: the initializers, and the tensors of Constant nodes (an exporter's choice).
        self.initializers = {t.name: t for t in graph.initializers}
        for node in self.nodes:
            value = node.attribute("value") if node.op_type == "Constant" and node.outputs else None
            if value is not None and isinstance(value.value, wire.Tensor):
                self.initializers.setdefault(node.outputs[0], value.value)
        self.recorded = {v.name: v.shape for v in (*graph.value_infos, *graph.outputs) if v.shape is not None}
        self.readers: dict[str, list[int]] = {}
        for i, node in enumerate(self.nodes):
            for name in node.inputs:
                if name:
                    self.readers.setdefault(name, []).append(i)
        self.producer = {out: i for i, node in enumerate(self.nodes) for out in node.outputs}
        self.outputs = {v.name for v in graph.outputs}
        self.constants: dict[str, tuple] = {name: t.values for name, t in self.initializers.items()
                                            if t.values is not None}
        for node in self.nodes:  # before the walk, so that any reader finds its value
            if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
                _constant(self, node)
        self.folded_elements = 0  # of every value folded so far (FOLD_BUDGET)
        self.tensors: dict[str, _Tensor] = {}
        self.padded: dict[str, tuple[int, int, int, int]] = {}  # a Pad's output → the pads the reader adds
        self.built: list[GraphNode] = []
        self.used: set[int] = set()  # nodes already part of a row or a view
        self.names: set[str] = set()
        self.suffixes: dict[str, int] = {}  # a base name → the suffix its last duplicate took
        self.input_name, self.input = self._input(graph, input_shape)

    def _check_order(self, graph: wire.Graph) -> None:
        """ONNX lists nodes in topological order and assigns each value once: every value a node reads is a graph
        input, an initializer or an earlier node's output, and no two writers share a name. A graph that breaks
        either is refused (a node read out of order would else be skipped as shape arithmetic: a gap)."""
        made: dict[str, str] = {v.name: "an input of the graph" for v in graph.inputs}
        for t in graph.initializers:
            made.setdefault(t.name, "an initializer")
        for i, node in enumerate(self.nodes):
            label = f"node {node.name or i} ({node.op_type})"
            for name in node.inputs:
                if name and name not in made:
                    later = next((j for j in range(i + 1, len(self.nodes)) if name in self.nodes[j].outputs), None)
                    by = f"node {self.nodes[later].name or later} makes it after" if later is not None else \
                        "no input, initializer or node makes it"
                    raise OnnxError(f"{self.file}: {label} reads {name!r} before it is made ({by}); ONNX lists "
                                    "the nodes of a graph in topological order")
            for name in node.outputs:
                if not name:
                    continue
                if name in made:
                    raise OnnxError(f"{self.file}: {label} writes {name!r}, which is already {made[name]}; an ONNX "
                                    "value is assigned once")
                made[name] = f"written by node {node.name or i} ({node.op_type})"

    # ---- the network input ----------------------------------------------------------------------------

    def _input(self, graph: wire.Graph, given) -> tuple[str, Shape]:
        inputs = [v for v in graph.inputs if v.name not in self.initializers]
        if len(inputs) != 1:
            names = ", ".join(v.name for v in inputs) or "none"
            raise OnnxError(f"{self.file}: costnet analyses networks of one input; this graph has {len(inputs)} "
                            f"({names})")
        value = inputs[0]
        dims = tuple(given) if given is not None else value.shape
        if given is not None and tuple(given) != value.shape:
            self.recorded = {}  # the file's shapes are those of its own input size
        if dims is None or len(dims) != 4:
            raise OnnxError(f"{self.file}: input {value.name!r} is not an N×C×H×W image tensor "
                            f"({'unknown rank' if dims is None else f'rank {len(dims)}'}); "
                            "pass --input-shape 1,3,224,224")
        unknown = [str(d) if d is not None else "?" for d in dims if not isinstance(d, int)]
        if unknown:
            raise OnnxError(f"{self.file}: input {value.name!r} has a dynamic size ({', '.join(unknown)} in "
                            f"{'×'.join(str(d) for d in dims)}); pass --input-shape 1,3,224,224")
        if dims[0] != 1:
            raise OnnxError(f"{self.file}: input {value.name!r} has a batch of {dims[0]}; costnet counts one "
                            "image: pass --input-shape 1,C,H,W")
        if not all(1 <= d <= MAX_INTEGER for d in dims[1:]):
            raise OnnxError(f"{self.file}: input {value.name!r} of {'×'.join(map(str, dims))}: each size must be "
                            f"from 1 to {MAX_INTEGER:,}")
        shape = Shape(*dims[1:])
        self.tensors[value.name] = _Tensor(INPUT, shape, 4)
        return value.name, shape

    # ---- the whole graph ------------------------------------------------------------------------------

    def convert(self) -> Graph:
        for node in self.nodes:  # before any pattern looks ahead at a node
            if node.op_type in OPERATORS and node.domain in ("", "ai.onnx"):
                self._check_arity(node, OPERATORS[node.op_type])
        for i, node in enumerate(self.nodes):
            if i in self.used:
                continue
            if node.domain not in ("", "ai.onnx"):
                self._unknown(i, f"operator {node.domain}.{node.op_type}")
                continue
            if node.has_subgraph:
                self._unknown(i, f"operator {node.op_type} with a subgraph")
                continue
            if node.op_type not in READS_A_TENSOR and not any(name in self.tensors for name in node.inputs if name):
                # Arithmetic on shapes or constants, not on the network's tensors (a size computed at run time):
                # no row. Its value is folded where costnet can compute it; a reader that needs a value costnet
                # could not fold says so, and a layer that reads it refuses it (a layer's input must be a tensor
                # of known shape).
                _fold(self, node)
                self.used.add(i)
                continue
            operator = OPERATORS.get(node.op_type)
            if operator is None:
                self._unknown(i, f"ONNX operator {node.op_type}")
                continue
            operator.read(self, i, node)
        if not self.built:
            raise OnnxError(f"{self.file}: the graph has no layer costnet reads")
        for value in self.model.graph.outputs:  # nothing that computes on the network may be left behind
            if value.name not in self.tensors and value.name not in self.constants:
                made_by = self.producer.get(value.name)
                by = f" (made by node {self.nodes[made_by].name or made_by}, {self.nodes[made_by].op_type})" \
                    if made_by is not None else ""
                raise OnnxError(f"{self.file}: the graph's output {value.name!r}{by} is not computed from its "
                                "input as costnet follows it: some operator between them is one costnet does not "
                                "read as a layer")
        model = Path(self.file).stem  # exporters name every graph alike ("main_graph", "torch_jit")
        return Graph(model=model, family="", file=self.file, input=self.input, nodes=tuple(self.built))

    def _check_arity(self, node: wire.Node, operator: "Operator") -> None:
        low, high = operator.inputs
        count = len(node.inputs)
        if count < low or (high is not None and count > high) or not all(node.inputs[:operator.required]) \
                or not node.outputs or not node.outputs[0]:
            takes = f"{low}" if low == high else f"{low} to {high}" if high is not None else f"at least {low}"
            raise OnnxError(f"{self.file}: node {node.name or node.op_type}: a {node.op_type} takes {takes} inputs "
                            f"(the first {operator.required} given) and one output; this one has {count} inputs "
                            f"({', '.join(repr(n) for n in node.inputs)}) and {len(node.outputs)} outputs")

    def _graph_node(self, row: _Row) -> GraphNode:
        seen = [self.tensor(name, row) for name in row.inputs]
        kind = LAYER_TYPES[row.type]
        try:
            out = kind.infer_many(row.fields, tuple(t.shape for t in seen)) if row.type != "unknown" else \
                self.tensors[row.output].shape
        except ShapeError as exc:
            raise OnnxError(f"{self.file}: node {row.nodes[0]}: {exc}") from None
        self._check_recorded(row, out)
        self.tensors[row.output] = _Tensor(row.name, out, 2 if row.type in ("fc", "flatten") else
                                           (seen[0].rank if seen else 4))
        return GraphNode(row.name, row.type, row.fields, tuple(t.producer for t in seen),
                         tuple(t.shape for t in seen), out, Origin(self.file, 0, 0, node=row.nodes[0]),
                         _scope(row.name))

    def tensor(self, name: str, row: _Row | None = None) -> _Tensor:
        if name not in self.tensors:
            where = f" (read by {row.nodes[0]})" if row else ""
            raise OnnxError(f"{self.file}: the value {name!r}{where} has no shape costnet can know: it is made by "
                            "operators that only compute shapes from values costnet does not have")
        return self.tensors[name]

    def _check_recorded(self, row: _Row, out: Shape) -> None:
        """Where the file records the shape of a value, costnet's must be the same."""
        dims = self.recorded.get(row.output)
        if dims is None or any(not isinstance(d, int) for d in dims):
            return
        expected = (1, out.channels, out.height, out.width) if len(dims) == 4 else (1, out.elements)
        if len(dims) in (2, 4) and tuple(dims) != expected:
            raise OnnxError(f"{self.file}: node {row.nodes[-1]}: costnet computes {'×'.join(map(str, expected))} "
                            f"where the file records {'×'.join(map(str, dims))}")

    # ---- rows, names, views ---------------------------------------------------------------------------

    def add(self, type_: str, fields: dict[str, Any], inputs: list[str], output: str, nodes: list[int],
            name: str | None = None) -> None:
        """A row standing for `nodes`, reading `inputs` and producing `output`; its shape is known from now on,
        for the rows after it. `name` (a module's path) replaces the one taken from its first node."""
        onnx_names = [self.nodes[i].name or f"{self.nodes[i].op_type}_{i}" for i in nodes]
        module = name if name is not None else _module_path(onnx_names[0], self.nodes[nodes[0]].op_type)
        if len(self.built) >= MAX_LAYERS:  # a row per node at most, so never reached past the node bound
            raise OnnxError(f"{self.file}: more than {MAX_LAYERS:,} rows, the most layers costnet takes for one "
                            "network")
        row = _Row(self._unique(_row_name(module, type_)), type_, fields, inputs, output, onnx_names)
        self.used.update(nodes)
        self.built.append(self._graph_node(row))

    def view(self, name: str, of: str, shape: Shape | None = None, rank: int | None = None,
             check: bool = True) -> None:
        """`name` is `of` seen as `shape` (a part of its channels) or `rank`: no row. Where the file records
        the view's shape, costnet's must be the same (not for a Pad's output, whose padding its reader adds)."""
        source = self.tensor(of)
        seen = _Tensor(source.producer, shape or source.shape, rank or source.rank)
        dims = self.recorded.get(name)
        if check and dims is not None and all(isinstance(d, int) for d in dims):
            s = seen.shape
            expected = (1, s.channels, s.height, s.width)[:seen.rank]
            if tuple(dims) != expected:
                raise OnnxError(f"{self.file}: the value {name!r}: costnet sees {'×'.join(map(str, expected))} "
                                f"where the file records {'×'.join(map(str, dims))}")
        self.tensors[name] = seen

    def _unique(self, name: str) -> str:
        """`name`, or the first of `name.2`, `name.3`, … not taken yet. Names are never released, so the next
        try for a base starts after the suffix it last got: linear in the rows, not quadratic."""
        candidate = name
        if candidate in self.names:
            count = self.suffixes.get(name, 1)
            while candidate in self.names:
                count += 1
                candidate = f"{name}.{count}"
            self.suffixes[name] = count
        self.names.add(candidate)
        return candidate

    def _unknown(self, i: int, what: str) -> None:
        node = self.nodes[i]
        if not self.allow_unknown:
            raise OnnxError(f"{self.file}: costnet cannot cost the {what} (node {node.name or i}); "
                            "analyze and diff take --allow-unknown to count it as zero MACs and parameters "
                            "and list it (check does not: a gate passes only on what it counted)")
        inputs = [name for name in node.inputs if name and name in self.tensors]
        shapes = [self._recorded_shape(node, i, output) for output in node.outputs]
        self.tensors[node.outputs[0]] = shapes[0]  # the shape, until the row's own
        self.add("unknown", {"op": node.op_type}, inputs or [self.input_name], node.outputs[0], [i])
        for output, shape in zip(node.outputs[1:], shapes[1:]):  # its other outputs: the same row made them
            if shape is not None:
                self.tensors[output] = _Tensor(self.built[-1].name, shape.shape, shape.rank)

    def _recorded_shape(self, node: wire.Node, i: int, output: str) -> _Tensor | None:
        """An output's shape as the file records it (batch 1; N×C×H×W or N×F); None for an output nobody reads."""
        dims = self.recorded.get(output)
        if dims is None or len(dims) not in (2, 4) or dims[0] != 1 \
                or not all(isinstance(d, int) and 1 <= d <= MAX_INTEGER for d in dims):
            if output != node.outputs[0] and output not in self.readers and output not in self.outputs:
                return None
            raise OnnxError(f"{self.file}: node {node.name or i} ({node.op_type}) cannot be costed, and its output "
                            f"{output!r} has no recorded shape (1×C×H×W or 1×F) to go on from")
        return _Tensor(INPUT, Shape(*dims[1:]) if len(dims) == 4 else Shape(dims[1], 1, 1), len(dims))

    # ---- helpers over the graph ------------------------------------------------------------------------

    def only_reader(self, value: str) -> int | None:
        """The node that alone reads `value` (not a graph output), else None."""
        readers = self.readers.get(value, [])
        if len(readers) != 1 or value in self.outputs:
            return None
        return readers[0]

    def attribute(self, node: wire.Node, name: str, default: Any = None) -> Any:
        found = node.attribute(name)
        return default if found is None else found.value

    def constant(self, value: str) -> tuple | None:
        return self.constants.get(value)


def _module_path(node_name: str, op_type: str) -> str:
    """PyTorch's export names a node by its module's path, one level per part ("/features/features.1/block/
    block.0/block.0.0/Conv"): "features.1.block.0.0", the module's own name ("" outside any module)."""
    parts = [p for p in node_name.strip("/").split("/") if p]
    if parts and parts[-1].split("_")[0] == op_type:
        parts = parts[:-1]
    path: list[str] = []
    for part in parts:
        if path and part.startswith(path[-1] + "."):
            path[-1] = part
        else:
            path.append(part)
    return ".".join(path)


def _scope(name: str) -> tuple[str, str]:
    """(stage, block) from a module path: its first part, and that with the index after it ("features.2.conv.0.0"
    is in "features", block "features.2"; "layer1.0.conv1" in "layer1", "layer1.0"; timm's "blocks.1.0.conv_pw"
    in "blocks", "blocks.1", timm's stage, as names alone cannot tell a stage's index from a block's)."""
    parts = name.split(".")
    return parts[0], ".".join(parts[:2]) if len(parts) > 1 and parts[1].isdigit() else parts[0]


def _row_name(module: str, type_: str) -> str:
    """A module's row is named by its path; what a forward function computes (a residual sum, a concatenation,
    a shuffle) is named inside the module that computes it: "features.2.add"."""
    if type_ in FUNCTIONAL_TYPES or not module:
        return f"{module}.{type_}" if module else type_
    return module


# ---- operators ---------------------------------------------------------------------------------------------

def _pair(values, what: str, node: wire.Node, converter: _Converter, low: int = 1) -> int:
    """A square window's size (kernel, stride, dilation): one integer from `low` to MAX_INTEGER, twice."""
    values = tuple(values) if isinstance(values, (tuple, list)) else (values,)
    if len(values) != 2 or not all(isinstance(v, int) and low <= v <= MAX_INTEGER for v in values):
        raise OnnxError(f"{converter.file}: node {node.name}: {what} {values} is not two integers from {low} to "
                        f"{MAX_INTEGER:,}")
    if values[0] != values[1]:
        raise OnnxError(f"{converter.file}: node {node.name}: {what} {values} is not square; costnet's layers are")
    return values[0]


def _axis(converter: _Converter, node: wire.Node, axis, rank: int) -> int:
    """An axis of a rank-`rank` tensor, from -rank to rank − 1 as ONNX allows, counted from 0."""
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise OnnxError(f"{converter.file}: node {node.name}: axis {axis!r} of a {node.op_type} on a rank-{rank} "
                        f"tensor; ONNX's axes are from {-rank} to {rank - 1}")
    return axis + rank if axis < 0 else axis


def _rank(converter: _Converter, value: str) -> int:
    found = converter.tensors.get(value)
    return found.rank if found is not None else 4


def _count(value, what: str, node: wire.Node, converter: _Converter, low: int = 1) -> int:
    if not isinstance(value, int) or not low <= value <= MAX_INTEGER:
        raise OnnxError(f"{converter.file}: node {node.name}: {what} {value!r} is not an integer from {low} to "
                        f"{MAX_INTEGER:,}")
    return value


def _padding(converter: _Converter, node: wire.Node, kernel: int, stride: int, dilation: int) -> str | int:
    """costnet's padding for the window of `node`: 'same', 'valid', pixels on every side, or 'same' for
    uneven pads that give TensorFlow's ⌈H/stride⌉ (as TF exports and timm's Conv2dSame have), with a Pad
    before the node folded in."""
    auto = converter.attribute(node, "auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    before = converter.padded.get(node.inputs[0], (0, 0, 0, 0))
    if auto in ("SAME_UPPER", "SAME_LOWER", "VALID") and any(before):
        raise OnnxError(f"{converter.file}: node {node.name}: auto_pad {auto} after a Pad")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        return "same"
    if auto == "VALID":
        return "valid"
    pads = tuple(converter.attribute(node, "pads", (0, 0, 0, 0)))
    if len(pads) != 4:
        raise OnnxError(f"{converter.file}: node {node.name}: pads {pads} are not those of a 2-D window")
    for pad in pads:
        _count(pad, "a pad", node, converter, low=0)
    top, left, bottom, right = (a + b for a, b in zip(pads, before))
    if top == bottom == left == right:
        return top
    source = converter.tensor(node.inputs[0]).shape
    span = dilation * (kernel - 1) + 1
    if converter.attribute(node, "ceil_mode", 0) == 0 and all(
            (size + low + high - span) // stride + 1 == -(-size // stride)
            for size, low, high in ((source.height, top, bottom), (source.width, left, right))):
        return "same"
    raise OnnxError(f"{converter.file}: node {node.name}: padding (top, left, bottom, right) = "
                    f"{(top, left, bottom, right)} is neither even on every side nor TensorFlow's 'same'; "
                    "costnet's layers pad one of those two ways")


def _window(converter: _Converter, node: wire.Node) -> dict[str, Any]:
    kernel_shape = converter.attribute(node, "kernel_shape")
    if kernel_shape is None:
        weight = converter.initializers.get(node.inputs[1]) if len(node.inputs) > 1 else None
        if weight is None:
            raise OnnxError(f"{converter.file}: node {node.name}: no kernel_shape and no weight of known shape")
        kernel_shape = weight.dims[2:]
    kernel = _pair(kernel_shape, "kernel", node, converter)
    stride = _pair(converter.attribute(node, "strides", (1, 1)), "stride", node, converter)
    dilation = _pair(converter.attribute(node, "dilations", (1, 1)), "dilation", node, converter)
    return {"kernel": kernel, "stride": stride, "dilation": dilation,
            "padding": _padding(converter, node, kernel, stride, dilation)}


def _conv_fields(converter: _Converter, node: wire.Node) -> tuple[str, dict[str, Any]]:
    """A Conv as costnet's conv, dwconv or pwconv, with its weight's shape checked."""
    source = converter.tensor(node.inputs[0])
    weight = converter.initializers.get(node.inputs[1])
    groups = _count(converter.attribute(node, "group", 1), "group", node, converter)
    if weight is None:
        raise OnnxError(f"{converter.file}: node {node.name}: its weight {node.inputs[1]!r} is not a constant "
                        "of the graph")
    if len(weight.dims) != 4:
        raise OnnxError(f"{converter.file}: node {node.name}: weight {tuple(weight.dims)} is not that of a 2-D "
                        "convolution (out, in/groups, kH, kW)")
    window = _window(converter, node)
    out_channels = _count(weight.dims[0], "output channels", node, converter)
    if source.shape.channels % groups:
        raise OnnxError(f"{converter.file}: node {node.name}: {source.shape.channels} input channels do not "
                        f"split into {groups} groups")
    expected = (out_channels, source.shape.channels // groups, window["kernel"], window["kernel"])
    if tuple(weight.dims) != expected:
        raise OnnxError(f"{converter.file}: node {node.name}: weight {tuple(weight.dims)} does not fit its input "
                        f"of {source.shape.channels} channels in {groups} groups (expected {expected})")
    bias = len(node.inputs) > 2 and bool(node.inputs[2])
    common = {"stride": window["stride"], "padding": window["padding"], "bias": bias, "norm": "none", "act": "none"}
    dilation = window["dilation"]
    if groups == source.shape.channels == out_channels and groups > 1:
        return "dwconv", {"kernel": (window["kernel"],), **common, "split": "equal", "dilation": dilation}
    if window["kernel"] == 1 and groups == 1 and dilation == 1:
        return "pwconv", {"out": out_channels, "groups": 1, "split": "equal", **common}
    return "conv", {"out": out_channels, "kernel": window["kernel"], "groups": groups, **common,
                    "dilation": dilation}


def _then_norm_and_act(converter: _Converter, value: str, fields: dict[str, Any],
                       nodes: list[int]) -> str:
    """Fold the BatchNormalization and the activation that alone follow `value` into the row's fields;
    the value the row then produces."""
    j = converter.only_reader(value)
    if j is not None and converter.nodes[j].op_type == "BatchNormalization" and "norm" in fields:
        fields["norm"] = "bn"
        nodes.append(j)
        value = converter.nodes[j].outputs[0]
    act, act_nodes, out = _activation_after(converter, value)
    if act is not None and "act" in fields:
        fields["act"] = act
        nodes += act_nodes
        value = out
    return value


def _activation_after(converter: _Converter, value: str) -> tuple[str | None, list[int], str]:
    """The activation that alone reads `value`: (costnet's name, its nodes, the value it produces)."""
    readers = converter.readers.get(value, [])
    if value in converter.outputs:
        return None, [], value
    if len(readers) == 2:  # swish: Mul(x, Sigmoid(x))
        swish = _swish(converter, value, readers)
        if swish is not None:
            return "swish", list(swish), converter.nodes[swish[1]].outputs[0]
    if len(readers) != 1:
        return None, [], value
    j = readers[0]
    node = converter.nodes[j]
    if node.op_type in ("Relu", "HardSwish") or (node.op_type in ("Sigmoid", "HardSigmoid")
                                                  and not _is_gate(converter, j)):
        name = ACTIVATION_OPS[node.op_type]
        return name, [j], node.outputs[0]
    if node.op_type == "Clip":
        name = _clip(converter, node)
        if name is not None:
            return name, [j], node.outputs[0]
    return None, [], value


def _swish(converter: _Converter, value: str, readers: list[int]) -> tuple[int, int] | None:
    nodes = [converter.nodes[i] for i in readers]
    for a, b in ((0, 1), (1, 0)):
        sigmoid, mul = nodes[a], nodes[b]
        if (sigmoid.op_type == "Sigmoid" and mul.op_type == "Mul" and set(mul.inputs) == {value, sigmoid.outputs[0]}
                and converter.only_reader(sigmoid.outputs[0]) == readers[b]):
            return readers[a], readers[b]
    return None


def _is_gate(converter: _Converter, i: int) -> bool:
    """A Sigmoid whose output scales another tensor (SE's gate), not an activation."""
    j = converter.only_reader(converter.nodes[i].outputs[0])
    return j is not None and converter.nodes[j].op_type == "Mul"


def _clip(converter: _Converter, node: wire.Node) -> str | None:
    low = _scalar(converter, node.inputs[1]) if len(node.inputs) > 1 and node.inputs[1] else \
        converter.attribute(node, "min", None)
    high = _scalar(converter, node.inputs[2]) if len(node.inputs) > 2 and node.inputs[2] else \
        converter.attribute(node, "max", None)
    if low == 0 and high == 6:
        return "relu6"
    if low == 0 and high is None:
        return "relu"
    return None


def _scalar(converter: _Converter, value: str) -> float | None:
    found = converter.constant(value)
    return found[0] if found is not None and len(found) == 1 else None


def _conv(converter: _Converter, i: int, node: wire.Node) -> None:
    type_, fields = _conv_fields(converter, node)
    nodes = [i]
    out = _then_norm_and_act(converter, node.outputs[0], fields, nodes)
    converter.add(type_, fields, [node.inputs[0]], out, nodes)


def _conv_transpose(converter: _Converter, i: int, node: wire.Node) -> None:
    source = converter.tensor(node.inputs[0])
    weight = converter.initializers.get(node.inputs[1])
    groups = _count(converter.attribute(node, "group", 1), "group", node, converter)
    if weight is None or len(weight.dims) != 4:
        raise OnnxError(f"{converter.file}: node {node.name}: its weight is not a constant 4-D tensor of the graph")
    _count(weight.dims[1], "output channels per group", node, converter)
    if source.shape.channels % groups:
        raise OnnxError(f"{converter.file}: node {node.name}: {source.shape.channels} input channels do not "
                        f"split into {groups} groups")
    if converter.attribute(node, "auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or \
            converter.attribute(node, "output_shape") is not None:
        raise OnnxError(f"{converter.file}: node {node.name}: a transposed convolution sized by auto_pad, "
                        "or output_shape; costnet reads its pads and output_padding")
    kernel = _pair(converter.attribute(node, "kernel_shape", weight.dims[2:]), "kernel", node, converter)
    if tuple(weight.dims[2:]) != (kernel, kernel):  # ONNX: kernel_shape, where given, is the weight's dims[2:]
        raise OnnxError(f"{converter.file}: node {node.name}: weight {tuple(weight.dims)} does not fit its "
                        f"kernel_shape {tuple(converter.attribute(node, 'kernel_shape'))} (expected "
                        f"(…, …, {kernel}, {kernel}))")
    stride = _pair(converter.attribute(node, "strides", (1, 1)), "stride", node, converter)
    if _pair(converter.attribute(node, "dilations", (1, 1)), "dilation", node, converter) != 1:
        raise OnnxError(f"{converter.file}: node {node.name}: a dilated transposed convolution; costnet costs "
                        "undilated ones")
    pads = tuple(converter.attribute(node, "pads", (0, 0, 0, 0)))
    for pad in pads:
        _count(pad, "a pad", node, converter, low=0)
    if len(pads) != 4 or len(set(pads)) != 1:
        raise OnnxError(f"{converter.file}: node {node.name}: transposed-convolution pads {pads}; costnet's "
                        "take the same pixels off every side")
    padding = pads[0]
    extra = _pair(converter.attribute(node, "output_padding", (0, 0)), "output_padding", node, converter, low=0)
    fields = {"out": weight.dims[1] * groups, "kernel": kernel, "stride": stride, "padding": padding,
              "output_padding": extra, "groups": groups, "bias": len(node.inputs) > 2 and bool(node.inputs[2]),
              "norm": "none", "act": "none"}
    if weight.dims[0] != source.shape.channels:
        raise OnnxError(f"{converter.file}: node {node.name}: weight {tuple(weight.dims)} does not fit its input of "
                        f"{source.shape.channels} channels")
    nodes = [i]
    out = _then_norm_and_act(converter, node.outputs[0], fields, nodes)
    converter.add("deconv", fields, [node.inputs[0]], out, nodes)


def _batch_norm(converter: _Converter, i: int, node: wire.Node) -> None:
    converter.add("bn", {}, [node.inputs[0]], node.outputs[0], [i])


def _activation(converter: _Converter, i: int, node: wire.Node) -> None:
    if node.op_type == "Clip":
        name = _clip(converter, node)
        if name is None:
            raise OnnxError(f"{converter.file}: node {node.name}: Clip to other bounds than [0, 6] or [0, ∞) is no "
                            "activation costnet knows")
    elif node.op_type == "Sigmoid" and len(converter.readers.get(node.inputs[0], [])) == 2:
        swish = _swish(converter, node.inputs[0], converter.readers[node.inputs[0]])
        if swish is not None:
            converter.add("act", {"fn": "swish"}, [node.inputs[0]], converter.nodes[swish[1]].outputs[0],
                          list(swish))
            return
        name = "sigmoid"
    else:
        name = ACTIVATION_OPS[node.op_type]
    converter.add("act", {"fn": name}, [node.inputs[0]], node.outputs[0], [i])


def _global_pool(converter: _Converter, i: int, node: wire.Node) -> None:
    if node.op_type == "ReduceMean":
        given = converter.constant(node.inputs[1]) if len(node.inputs) > 1 and node.inputs[1] else None
        axes = tuple(converter.attribute(node, "axes", ()) or given or ())
        rank = _rank(converter, node.inputs[0])
        if sorted(_axis(converter, node, a, rank) for a in axes) != [2, 3]:
            raise OnnxError(f"{converter.file}: node {node.name}: ReduceMean over axes {axes}; costnet knows the mean "
                            "over height and width (a global average pool)")
    if _squeeze_excite(converter, i, node):
        return
    mode = "max" if node.op_type == "GlobalMaxPool" else "avg"
    converter.add("global_pool", {"mode": mode}, [node.inputs[0]], node.outputs[0], [i])


def _squeeze_excite(converter: _Converter, i: int, node: wire.Node) -> bool:
    """average pool(x) → 1×1 Conv → act → 1×1 Conv → gate → Mul(x, gate), both convolutions plain (no groups,
    stride, padding or dilation) and both with or both without biases: one SE row; False if not that."""
    if node.op_type == "GlobalMaxPool":
        return False
    pooled, x = node.outputs[0], node.inputs[0]
    j = converter.only_reader(pooled)
    if j is None or converter.nodes[j].op_type != "Conv":
        return False
    reduce = converter.nodes[j]
    act, act_nodes, after_act = _activation_after(converter, reduce.outputs[0])
    if act is None or act not in ("relu", "swish", "hard_swish"):
        return False
    k = converter.only_reader(after_act)
    if k is None or converter.nodes[k].op_type != "Conv":
        return False
    expand = converter.nodes[k]
    g = converter.only_reader(expand.outputs[0])
    if g is None or converter.nodes[g].op_type not in ("Sigmoid", "HardSigmoid"):
        return False
    gate = converter.nodes[g]
    m = converter.only_reader(gate.outputs[0])
    if m is None or converter.nodes[m].op_type != "Mul" or set(converter.nodes[m].inputs) != {x, gate.outputs[0]}:
        return False
    reduce_weight = converter.initializers.get(reduce.inputs[1])
    expand_weight = converter.initializers.get(expand.inputs[1])
    channels = converter.tensor(x).shape.channels
    if (reduce_weight is None or expand_weight is None or tuple(reduce_weight.dims[1:]) != (channels, 1, 1)
            or tuple(expand_weight.dims) != (channels, reduce_weight.dims[0], 1, 1)):
        return False
    if not all(_plain_pointwise(converter, conv) for conv in (reduce, expand)):
        return False
    bias, expand_bias = (len(conv.inputs) > 2 and bool(conv.inputs[2]) for conv in (reduce, expand))
    if bias != expand_bias:
        return False
    fields = {"ratio": 0.25, "reduced": reduce_weight.dims[0], "divisor": 1, "bias": bias, "act": act,
              "gate": "sigmoid" if gate.op_type == "Sigmoid" else "hard_sigmoid"}
    nodes = [i, j, *act_nodes, k, g, m]
    converter.add("se", fields, [x], converter.nodes[m].outputs[0], nodes,
                  name=_se_name([converter.nodes[n].name for n in (j, k)]))
    return True


def _plain_pointwise(converter: _Converter, conv: wire.Node) -> bool:
    """A Conv that is a 1×1 with no groups, stride, padding or dilation of its own."""
    auto = converter.attribute(conv, "auto_pad", b"NOTSET")
    return (converter.attribute(conv, "group", 1) == 1
            and tuple(converter.attribute(conv, "strides", (1, 1))) == (1, 1)
            and tuple(converter.attribute(conv, "dilations", (1, 1))) == (1, 1)
            and not any(converter.attribute(conv, "pads", (0, 0, 0, 0)))
            and (auto.decode() if isinstance(auto, bytes) else auto) in ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"))


def _se_name(conv_names: list[str]) -> str:
    """The SE module's path: what its two convolutions' paths share."""
    paths = [_module_path(name, "Conv").split(".") for name in conv_names]
    common = []
    for parts in zip(*paths):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common)


def _split(converter: _Converter, i: int, node: wire.Node) -> None:
    """A Split whose parts each go through one Conv into one Concat is one layer (MixConv, grouped 1×1);
    any other Split is views of its input."""
    source = converter.tensor(node.inputs[0])
    axis = _axis(converter, node, converter.attribute(node, "axis", 0), source.rank)
    sizes = _split_sizes(converter, node, source)
    if axis != 1:
        raise OnnxError(f"{converter.file}: node {node.name}: Split along axis {axis}; costnet splits channels only")
    if _mixed_conv(converter, i, node, source, sizes):
        return
    converter.used.add(i)
    for output, size in zip(node.outputs, sizes):
        converter.view(output, node.inputs[0], Shape(size, source.shape.height, source.shape.width))


def _split_sizes(converter: _Converter, node: wire.Node, source: _Tensor) -> tuple[int, ...]:
    sizes = converter.constant(node.inputs[1]) if len(node.inputs) > 1 and node.inputs[1] else \
        converter.attribute(node, "split", None)
    if sizes is None:
        count = len(node.outputs)
        if source.shape.channels % count:
            raise OnnxError(f"{converter.file}: node {node.name}: {source.shape.channels} channels do not split in "
                            f"{count} equal parts")
        sizes = (source.shape.channels // count,) * count
    if (len(sizes) != len(node.outputs) or not all(isinstance(n, int) and n >= 1 for n in sizes)
            or sum(sizes) != source.shape.channels):
        raise OnnxError(f"{converter.file}: node {node.name}: split sizes {tuple(sizes)} are not {len(node.outputs)} "
                        f"positive integers that add up to {source.shape.channels} channels")
    return tuple(sizes)


def _mixed_conv(converter: _Converter, i: int, node: wire.Node, source: _Tensor, sizes: tuple[int, ...]) -> bool:
    convs = [converter.only_reader(output) for output in node.outputs]
    if any(c is None or converter.nodes[c].op_type != "Conv" for c in convs):
        return False
    concats = {converter.only_reader(converter.nodes[c].outputs[0]) for c in convs}
    if len(concats) != 1 or None in concats:
        return False
    (concat,) = concats
    merge = converter.nodes[concat]
    if merge.op_type != "Concat" or _axis(converter, merge, converter.attribute(merge, "axis", 0), 4) != 1 or \
            list(merge.inputs) != [converter.nodes[c].outputs[0] for c in convs]:
        return False
    parts = []
    for c, size in zip(convs, sizes):
        conv = converter.nodes[c]
        converter.tensors[node.outputs[convs.index(c)]] = _Tensor(source.producer, Shape(size, source.shape.height,
                                                                                           source.shape.width), 4)
        parts.append(_conv_fields(converter, conv))
    kinds = {kind for kind, _ in parts}
    windows = {(f["stride"], f["padding"] if isinstance(f["padding"], str) else "pixels", f["bias"],
                f.get("dilation", 1)) for _, f in parts}
    if len(kinds) != 1 or len(windows) != 1 or parts[0][1].get("dilation", 1) != 1:
        return False
    (kind,) = kinds
    count = len(sizes)
    split = next((name for name, rule in SPLITS.items() if rule(source.shape.channels, count) == sizes), None)
    first = parts[0][1]
    nodes = [i, *convs, concat]
    if kind == "dwconv":
        kernels = tuple(f["kernel"][0] for _, f in parts)
        # Each part must give TF's 'same' size: auto_pad SAME, or an odd kernel padded by (k − 1)/2.
        if split is None or any(f["padding"] != "same" and (f["kernel"][0] % 2 == 0
                                                            or f["padding"] != (f["kernel"][0] - 1) // 2)
                                for _, f in parts):
            return False
        fields = {"kernel": kernels, "stride": first["stride"], "padding": "same", "split": split,
                  "bias": first["bias"], "norm": "none", "act": "none", "dilation": 1}
        type_ = "dwconv"
    elif kind == "pwconv":
        outs = tuple(f["out"] for _, f in parts)
        if split != "equal" or SPLITS["equal"](sum(outs), count) != outs or len({f["padding"] for _, f in parts}) != 1:
            return False
        fields = {"out": sum(outs), "groups": count, "split": "equal", "stride": first["stride"],
                  "padding": first["padding"], "bias": first["bias"], "norm": "none", "act": "none"}
        type_ = "pwconv"
    else:
        return False
    out = _then_norm_and_act(converter, merge.outputs[0], fields, nodes)
    converter.add(type_, fields, [node.inputs[0]], out, nodes, name=_module_path(node.name, "Split"))
    return True


def _slice(converter: _Converter, i: int, node: wire.Node) -> None:
    source = converter.tensor(node.inputs[0])
    starts, ends = converter.constant(node.inputs[1]), converter.constant(node.inputs[2])
    axes = converter.constant(node.inputs[3]) if len(node.inputs) > 3 and node.inputs[3] else (0,)
    steps = converter.constant(node.inputs[4]) if len(node.inputs) > 4 and node.inputs[4] else (1,)
    if starts is None or ends is None or axes is None or steps is None or len(starts) != 1:
        raise OnnxError(f"{converter.file}: node {node.name}: a Slice whose bounds are not constants of the graph")
    if len(axes) != 1 or _axis(converter, node, axes[0], source.rank) != 1 or steps[0] != 1:
        raise OnnxError(f"{converter.file}: node {node.name}: a Slice along axis {axes[0]} (step {steps[0]}); "
                        "costnet takes channel ranges only")
    channels = source.shape.channels
    start, end = (max(0, min(v + channels if v < 0 else v, channels)) for v in (starts[0], ends[0]))
    if end <= start:
        raise OnnxError(f"{converter.file}: node {node.name}: an empty Slice")
    converter.used.add(i)
    converter.view(node.outputs[0], node.inputs[0], Shape(end - start, source.shape.height, source.shape.width))


def _concat(converter: _Converter, i: int, node: wire.Node) -> None:
    if _axis(converter, node, converter.attribute(node, "axis", 0), _rank(converter, node.inputs[0])) != 1:
        raise OnnxError(f"{converter.file}: node {node.name}: Concat along axis {converter.attribute(node, 'axis')}; "
                        "costnet concatenates channels")
    converter.add("concat", {}, list(node.inputs), node.outputs[0], [i])


def _add(converter: _Converter, i: int, node: wire.Node) -> None:
    if any(converter.constant(name) is not None or name in converter.initializers for name in node.inputs):
        raise OnnxError(f"{converter.file}: node {node.name}: an Add of a constant that is no fully connected "
                        "layer's bias; costnet adds tensors (residual connections)")
    converter.add("add", {}, list(node.inputs), node.outputs[0], [i])


def _mul(converter: _Converter, i: int, node: wire.Node) -> None:
    shapes = {converter.tensor(name).shape for name in node.inputs if name in converter.tensors}
    if len(node.inputs) != 2 or len(shapes) != 1 or any(name not in converter.tensors for name in node.inputs):
        raise OnnxError(f"{converter.file}: node {node.name}: a Mul that is neither SE's scaling, nor swish, nor "
                        "of two tensors of one shape")
    converter.add("mul", {}, list(node.inputs), node.outputs[0], [i])


def _pool(converter: _Converter, i: int, node: wire.Node) -> None:
    window = _window(converter, node)
    if window["dilation"] != 1:
        raise OnnxError(f"{converter.file}: node {node.name}: a dilated pooling window; costnet's are undilated")
    ceil = bool(converter.attribute(node, "ceil_mode", 0))
    fields = {"mode": "max" if node.op_type == "MaxPool" else "avg", "kernel": window["kernel"],
              "stride": window["stride"], "padding": window["padding"], "ceil_mode": ceil}
    converter.add("pool", fields, [node.inputs[0]], node.outputs[0], [i])


def _flatten(converter: _Converter, i: int, node: wire.Node) -> None:
    source = converter.tensor(node.inputs[0])
    if converter.attribute(node, "axis", 1) != 1:
        raise OnnxError(f"{converter.file}: node {node.name}: Flatten from axis {converter.attribute(node, 'axis')}; "
                        "costnet flattens C×H×W")
    if source.shape.spatial == 1:  # after a global pool: the same numbers, as a vector
        converter.used.add(i)
        converter.view(node.outputs[0], node.inputs[0], rank=2)
        return
    converter.add("flatten", {}, [node.inputs[0]], node.outputs[0], [i])


def _reshape(converter: _Converter, i: int, node: wire.Node) -> None:
    if _channel_shuffle(converter, i, node):
        return
    source = converter.tensor(node.inputs[0])
    target = converter.constant(node.inputs[1])
    if target is None:
        raise OnnxError(f"{converter.file}: node {node.name}: a Reshape to a shape computed at run time; costnet "
                        "needs it constant (fold the graph's constants first: onnxsim, or onnxscript's optimizer)")
    flat = tuple(target) in ((1, -1), (-1, source.shape.elements), (1, source.shape.elements), (0, -1))
    same = tuple(target) in ((1, source.shape.channels, source.shape.height, source.shape.width),)
    if same:
        converter.used.add(i)
        converter.view(node.outputs[0], node.inputs[0])
    elif flat:
        _flatten(converter, i, node)
    else:
        raise OnnxError(f"{converter.file}: node {node.name}: a Reshape to {tuple(target)}; costnet knows flattening "
                        "and ShuffleNet's channel shuffle")


def _channel_shuffle(converter: _Converter, i: int, node: wire.Node) -> bool:
    """Reshape(1, g, C/g, H, W) → Transpose(0, 2, 1, 3, 4) → Reshape(1, C, H, W)."""
    source = converter.tensor(node.inputs[0])
    target = converter.constant(node.inputs[1])
    if target is None or len(target) != 5:
        return False
    t = converter.only_reader(node.outputs[0])
    if t is None or converter.nodes[t].op_type != "Transpose" or \
            tuple(converter.attribute(converter.nodes[t], "perm", ())) != (0, 2, 1, 3, 4):
        return False
    r = converter.only_reader(converter.nodes[t].outputs[0])
    if r is None or converter.nodes[r].op_type != "Reshape":
        return False
    back = converter.constant(converter.nodes[r].inputs[1])
    c, h, w = source.shape.channels, source.shape.height, source.shape.width
    groups = target[1]
    if (back is None or tuple(back) != (1, c, h, w) or not isinstance(groups, int) or groups < 1
            or groups * target[2] != c or tuple(target[3:]) != (h, w)):
        return False
    converter.add("shuffle", {"groups": groups}, [node.inputs[0]], converter.nodes[r].outputs[0], [i, t, r])
    return True


def _gemm(converter: _Converter, i: int, node: wire.Node) -> None:
    source = converter.tensor(node.inputs[0])
    weight = converter.initializers.get(node.inputs[1])
    if weight is None:  # a product of two computed tensors (attention): no layer costnet has
        converter._unknown(i, f"{node.op_type} of two computed tensors")
        return
    if len(weight.dims) != 2:
        raise OnnxError(f"{converter.file}: node {node.name}: its weight {tuple(weight.dims)} is not a matrix")
    if node.op_type == "Gemm" and converter.attribute(node, "transA", 0):
        raise OnnxError(f"{converter.file}: node {node.name}: a Gemm with transA; costnet's fully connected layers "
                        "take the input as it is")
    transposed = node.op_type == "Gemm" and converter.attribute(node, "transB", 0)
    features, out = (weight.dims[1], weight.dims[0]) if transposed else weight.dims
    _count(out, "output features", node, converter)
    if source.shape.spatial != 1 or features != source.shape.channels:
        raise OnnxError(f"{converter.file}: node {node.name}: a {features}→{out} matrix on an input of "
                        f"{source.shape}")
    bias = False
    if node.op_type == "Gemm" and len(node.inputs) > 2 and node.inputs[2]:
        if not _is_bias(converter, node.inputs[2], out):
            raise OnnxError(f"{converter.file}: node {node.name}: a Gemm whose C input is not a bias of {out} "
                            "constants; costnet's fully connected layers add a bias per output or none")
        bias = converter.attribute(node, "beta", 1.0) != 0
    nodes = [i]
    value = node.outputs[0]
    if node.op_type == "MatMul":
        j = converter.only_reader(value)
        if j is not None and converter.nodes[j].op_type == "Add":
            other = [name for name in converter.nodes[j].inputs if name != value]
            if len(other) == 1 and _is_bias(converter, other[0], out):
                bias, value = True, converter.nodes[j].outputs[0]
                nodes.append(j)
    fields = {"out": out, "bias": bias, "norm": "none", "act": "none"}
    value = _then_norm_and_act(converter, value, fields, nodes)
    converter.add("fc", fields, [node.inputs[0]], value, nodes)


def _is_bias(converter: _Converter, value: str, out: int) -> bool:
    """A constant of one value per output feature (shape (out,) or (1, out))."""
    tensor = converter.initializers.get(value)
    return tensor is not None and math.prod(tensor.dims) == out and len(tensor.dims) in (1, 2)


def _lrn(converter: _Converter, i: int, node: wire.Node) -> None:
    size = _count(converter.attribute(node, "size", 5), "size", node, converter)
    converter.add("lrn", {"size": size}, [node.inputs[0]], node.outputs[0], [i])


def _alias(converter: _Converter, i: int, node: wire.Node) -> None:
    converter.used.add(i)
    converter.view(node.outputs[0], node.inputs[0])


def _pad(converter: _Converter, i: int, node: wire.Node) -> None:
    """A Pad of height and width whose only reader is a Conv or a pooling (timm's Conv2dSame, TF exports):
    its pads become the reader's padding."""
    reader = converter.only_reader(node.outputs[0])
    if reader is None or converter.nodes[reader].op_type not in ("Conv", "MaxPool", "AveragePool"):
        raise OnnxError(f"{converter.file}: node {node.name}: a Pad that does not feed a convolution or a pooling "
                        "alone; costnet folds a Pad into the window after it")
    pads = converter.constant(node.inputs[1]) if len(node.inputs) > 1 and node.inputs[1] else \
        converter.attribute(node, "pads")
    if pads is None:
        raise OnnxError(f"{converter.file}: node {node.name}: a Pad whose pads are computed at run time (as timm's "
                        "Conv2dSame exports them); fold the graph's constants first (onnxsim, or onnxscript's "
                        "optimizer) so that they are constants")
    if len(pads) != 8:
        raise OnnxError(f"{converter.file}: node {node.name}: a Pad whose pads are not 8 numbers (N, C, H, W at "
                        "the start, then at the end)")
    if len(node.inputs) > 3 and node.inputs[3]:
        raise OnnxError(f"{converter.file}: node {node.name}: a Pad of chosen axes; costnet reads pads of all four")
    if any(pads[k] for k in (0, 1, 4, 5)) or any(p < 0 for p in pads):
        raise OnnxError(f"{converter.file}: node {node.name}: pads {tuple(pads)} touch the batch or the channels, "
                        "or crop; costnet pads height and width")
    converter.used.add(i)
    converter.view(node.outputs[0], node.inputs[0], check=False)
    converter.padded[node.outputs[0]] = (pads[2], pads[3], pads[6], pads[7])  # top, left, bottom, right


def _shape_only(converter: _Converter, i: int, node: wire.Node) -> None:
    """Constant and the operators that compute shapes: values costnet folds where it can, and never a row."""
    if node.op_type == "Constant":
        converter.used.add(i)
        return  # read before the walk
    source = converter.tensors.get(node.inputs[0]) if node.inputs else None
    if source is not None and node.op_type != "Shape":  # on the network's data, not on a shape
        _on_a_tensor(converter, i, node, source)
        return
    converter.used.add(i)
    if node.op_type == "Shape" and source is not None:
        t = source
        dims = (1, t.shape.channels, t.shape.height, t.shape.width)[:t.rank] if t.rank in (2, 3, 4) else None
        if dims is not None and not _slices_shape(node):
            converter.constants[node.outputs[0]] = dims
    else:
        _fold(converter, node)


# TensorProto's integer types: (bits, signed) of UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64
INTEGER_TYPES = {2: (8, False), 3: (8, True), 4: (16, False), 5: (16, True), 6: (32, True), 7: (64, True),
                 12: (32, False), 13: (64, False)}
BOOL = 9
FLOAT_TYPES = frozenset({1, 10, 11, 16})  # FLOAT, FLOAT16, DOUBLE, BFLOAT16
# Shape arithmetic is on vectors of a few dims: a folded value holds at most FOLD_ELEMENTS, and a graph folds
# at most FOLD_BUDGET elements in all. Past either, values stay unknown (a reader that needs one says so):
# 200,000 chained Muls of a 1,024-element constant would otherwise hold 8 GB.
FOLD_ELEMENTS = 64
FOLD_BUDGET = 1 << 16
_ARITHMETIC = {"Add": lambda a, b: a + b, "Sub": lambda a, b: a - b, "Mul": lambda a, b: a * b,
               "Div": lambda a, b: _truncated(a, b)}


def _truncated(a: int, b: int) -> int | None:
    """ONNX's Div of integers, which truncates toward zero (as C does; onnx.reference.ops.op_div): −7 / 2 = −3."""
    if b == 0:
        return None
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def _slices_shape(node: wire.Node) -> bool:
    """A Shape of opset 15 with start or end takes part of the dims: not folded."""
    return node.attribute("start") is not None or node.attribute("end") is not None


def _fold(converter: _Converter, node: wire.Node) -> None:
    """The value of a node on shapes and constants, where every input's is known: Gather, Unsqueeze, Squeeze,
    Cast, Concat of the pieces, and Add, Sub, Mul and Div of integers (ONNX's semantics, with a scalar or one
    element broadcast; the legacy exporter computes ShuffleNet's Slice bounds so: Shape → Gather → Add → Div →
    Mul). Nothing is folded past FOLD_ELEMENTS, FOLD_BUDGET in all, or int64's range; what is not folded stays
    unknown."""
    op, out = node.op_type, node.outputs[0] if node.outputs else ""
    inputs = [converter.constant(name) if name else None for name in node.inputs]
    # (a Gather may pick a few values of a long constant: its indices are what it computes over)
    computed_over = inputs[1:2] if op == "Gather" else [] if op == "Shape" else inputs
    if converter.folded_elements >= FOLD_BUDGET or any(v is not None and len(v) > FOLD_ELEMENTS
                                                       for v in computed_over):
        return  # checked before computing anything: a graph of such nodes costs next to nothing
    value: tuple | None = None
    if op == "Shape" and node.inputs and node.inputs[0] in converter.initializers and not _slices_shape(node):
        value = tuple(converter.initializers[node.inputs[0]].dims)
    elif op == "Gather" and len(inputs) == 2 and inputs[0] is not None and inputs[1] is not None:
        values, index = inputs
        if converter.attribute(node, "axis", 0) == 0 and all(
                isinstance(k, int) and -len(values) <= k < len(values) for k in index):
            value = tuple(values[k] for k in index)
    elif op in ("Unsqueeze", "Squeeze") and inputs and inputs[0] is not None:
        value = inputs[0]
    elif op == "Cast" and inputs and inputs[0] is not None:
        value = _cast(inputs[0], converter.attribute(node, "to"))
    elif op == "Concat" and inputs and all(v is not None for v in inputs) and \
            converter.attribute(node, "axis", 0) in (0, -1):
        value = tuple(v for part in inputs for v in part)
    elif op in _ARITHMETIC and len(inputs) == 2 and all(
            v is not None and v and all(isinstance(x, int) and not isinstance(x, bool) for x in v) for v in inputs):
        a, b = inputs
        if len(a) == len(b) or len(a) == 1 or len(b) == 1:
            count = max(len(a), len(b))
            results = tuple(_ARITHMETIC[op](a[k % len(a)], b[k % len(b)]) for k in range(count))
            value = results if None not in results else None
    if value is not None and out and len(value) <= FOLD_ELEMENTS and \
            converter.folded_elements + len(value) <= FOLD_BUDGET and \
            all(not isinstance(v, int) or -2**63 <= v < 2**63 for v in value):
        converter.folded_elements += len(value)
        converter.constants[out] = value


def _cast(values: tuple, to: object) -> tuple | None:
    """ONNX's Cast of known values: to an integer type a float truncates toward zero and an integer wraps
    around to the type's range (as numpy's astype; a NaN or an infinity has no value), to bool nonzero is 1;
    None where the type is not one of these."""
    if to == BOOL:
        return tuple(1 if v else 0 for v in values)
    if to in FLOAT_TYPES:
        return tuple(float(v) for v in values)
    if to not in INTEGER_TYPES or not all(isinstance(v, int) or math.isfinite(v) for v in values):
        return None
    bits, signed = INTEGER_TYPES[to]
    wrapped = tuple(int(v) % (1 << bits) for v in values)
    return tuple(v - (1 << bits) if signed and v >= 1 << (bits - 1) else v for v in wrapped)


def _on_a_tensor(converter: _Converter, i: int, node: wire.Node, source: _Tensor) -> None:
    """Cast of the network's data is a view (no cost, the same elements); Squeeze and Unsqueeze are views
    where they only drop or add axes of size 1 around a C×1×1 tensor (after a global pool); anything else
    these operators do to the data (Gather of channels, a Squeeze of a real axis) costnet cannot follow."""
    if node.op_type == "Cast":
        converter.used.add(i)
        converter.view(node.outputs[0], node.inputs[0])
        return
    if node.op_type in ("Squeeze", "Unsqueeze") and source.shape.spatial == 1:
        axes = converter.attribute(node, "axes") or \
            (converter.constant(node.inputs[1]) if len(node.inputs) > 1 and node.inputs[1] else None)
        count = len(axes) if isinstance(axes, (tuple, list)) else (source.rank - 2 if node.op_type == "Squeeze"
                                                                 else None)
        if count is not None:
            rank = source.rank - count if node.op_type == "Squeeze" else source.rank + count
            if 2 <= rank <= 4:
                converter.used.add(i)
                converter.view(node.outputs[0], node.inputs[0], rank=rank)
                return
    converter._unknown(i, f"{node.op_type} of the network's data")


def _constant(converter: _Converter, node: wire.Node) -> None:
    value = converter.attribute(node, "value")
    if isinstance(value, wire.Tensor) and value.values is not None:
        converter.constants[node.outputs[0]] = value.values
    elif isinstance(converter.attribute(node, "value_ints"), tuple):
        converter.constants[node.outputs[0]] = converter.attribute(node, "value_ints")
    elif isinstance(converter.attribute(node, "value_int"), int):
        converter.constants[node.outputs[0]] = (converter.attribute(node, "value_int"),)
    elif isinstance(converter.attribute(node, "value_float"), float):
        converter.constants[node.outputs[0]] = (converter.attribute(node, "value_float"),)


@dataclass(frozen=True)
class Operator:
    read: Callable[[_Converter, int, wire.Node], None]
    becomes: str  # what costnet makes of it (docs/onnx.md is generated from these)
    inputs: tuple[int, int | None] = (1, None)  # how many inputs it takes (at least, at most), by ONNX's spec
    required: int = 1  # the first so many may not be empty


_CONV = ("a `conv`, `pwconv` (1×1, dense) or `dwconv` (one group per channel) row, with the BatchNormalization "
         "and the activation that alone follow it; dilations, pads, auto_pad, strides and groups read; a Split "
         "into one Conv per part and a Concat is one MixConv `dwconv` or grouped `pwconv`")
_ACT = ("the activation of the row before it when it alone reads that row (Clip(0, 6) is relu6, Mul(x, "
        "Sigmoid(x)) swish, a Sigmoid or HardSigmoid that scales is SE's gate); else an `act` row")
_VIEW = "a view: no row; its readers read the tensor it views"
_SHAPE = ("on shapes and constants: folded into constants where costnet can (and so are Add, Sub, Mul and Div "
          "of integers, Div truncating as ONNX's does, and Concat of such pieces; at most "
          f"{FOLD_ELEMENTS} values each, {FOLD_BUDGET:,} in a graph), never a row; on the network's "
          "data, Cast is a view, Squeeze and Unsqueeze of a C×1×1 tensor views, anything else not followed")
OPERATORS: dict[str, Operator] = {
    "Conv": Operator(_conv, _CONV, (2, 3), 2),
    "ConvTranspose": Operator(_conv_transpose, "a `deconv` row: pads and output_padding, strides, groups", (2, 3), 2),
    "BatchNormalization": Operator(_batch_norm, "the `norm: bn` of the convolution or fully connected row it "
                                   "follows (scale and bias are parameters, mean and variance buffers); else a "
                                   "`bn` row", (5, 5), 5),
    **{op: Operator(_activation, _ACT) for op in ("Relu", "Clip", "HardSwish", "HardSigmoid", "Sigmoid")},
    "Softmax": Operator(_activation, "an `act` row (softmax), no MACs"),
    "GlobalAveragePool": Operator(_global_pool, "a `global_pool` row; or, with the 1×1 Conv → activation → 1×1 "
                                  "Conv → gate → Mul that follow, one `se` row"),
    "GlobalMaxPool": Operator(_global_pool, "a `global_pool` row (max)"),
    "ReduceMean": Operator(_global_pool, "over height and width only: as GlobalAveragePool"),
    "MaxPool": Operator(_pool, "a `pool` row: kernel, strides, pads, ceil_mode"),
    "AveragePool": Operator(_pool, "a `pool` row: kernel, strides, pads, ceil_mode"),
    "Split": Operator(_split, "along channels: MixConv or grouped 1×1 with the Convs after it; else views of "
                      "the parts"),
    "Slice": Operator(_slice, "a channel range of constant bounds: a view", (3, 5), 3),
    "Concat": Operator(_concat, "a `concat` row (channels)"),
    "Add": Operator(_add, "the bias of a MatMul it follows; else an `add` row (residual)", (2, 2), 2),
    "Mul": Operator(_mul, "swish or SE's scaling where it is one; else a `mul` row of two tensors of one shape",
                    (2, 2), 2),
    "Flatten": Operator(_flatten, "of a 1×1 tensor a view; else a `flatten` row"),
    "Reshape": Operator(_reshape, "to a constant shape: flattening, or with Transpose(0, 2, 1, 3, 4) and a "
                        "Reshape back ShuffleNet's channel shuffle, a `shuffle` row", (2, 2), 2),
    "Gemm": Operator(_gemm, "an `fc` row (transB read; bias the third input)", (2, 3), 2),
    "MatMul": Operator(_gemm, "by a constant matrix: an `fc` row, with the Add of a constant after it its bias",
                       (2, 2), 2),
    "LRN": Operator(_lrn, "an `lrn` row"),
    "Identity": Operator(_alias, _VIEW), "Dropout": Operator(_alias, _VIEW),
    "Pad": Operator(_pad, "of height and width, before a Conv or pooling alone: folded into its padding", (1, 4)),
    **{op: Operator(_shape_only, _SHAPE, (0, None), 0) for op in SHAPE_OPS},
}
