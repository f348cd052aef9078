"""A scaled spec → the graph: blocks expanded for the channels that reach them, repeats unrolled, branches
wired to the tensors they read, every layer's output shape inferred and every node named.

Names: a stage's entries are named by their index in the stage (`stage1.0`, `stage1.1`, …) or by their
`name`; a repeated named entry gets `.0`, `.1`, …; layers inside a block by their role (`stage1.0.dw`);
branches of a `parallel` entry `branch1`, `branch2`, … (or the block's own labels); a merge is the parent's
name + `.add` or `.concat`. A name given twice is an error at the second place it is written.
"""

from __future__ import annotations

from dataclasses import replace

from ...errors import Origin, SpecError
from ...graph.formulas import Shape
from ...graph.layers import LAYER_TYPES, ShapeError
from ...graph.network import INPUT, Graph, Node
from ...limits import MAX_DIMENSION, MAX_LAYERS
from ...schema import InputMultiple
from .blocks import BLOCK_TYPES
from .nodes import LayerNode, Node as SpecNode, ParallelNode
from .spec import Spec


def build(spec: Spec) -> Graph:
    """The graph of a scaled spec (see `scaling.scale`)."""
    if spec.scaling is None:
        raise ValueError("build() takes a scaled spec: call scale() first")
    check_size(spec)
    size = spec.scaling.resolution
    network_input = Shape(spec.input.channels, size, size)
    builder = _Builder()
    tensor = _Tensor(INPUT, network_input)
    for stage in spec.stages:
        tensor = builder.sequence(stage.nodes, tensor, stage.name, (stage.name,))
    return Graph(
        model=spec.name, family=spec.family, file=spec.file, input=network_input, nodes=tuple(builder.nodes),
        scaling=spec.scaling, reported=tuple(r for r in spec.reported if _same_variant(r, spec)),
    )


def layer_bound(entries: tuple[SpecNode, ...]) -> int:
    """The most rows `entries` can unroll to (each block at its largest), without building anything."""
    total = 0
    for entry in entries:
        if isinstance(entry, LayerNode):
            rows = 1
        elif isinstance(entry, ParallelNode):
            rows = sum(layer_bound(branch) for branch in entry.branches) + 1
        else:
            rows = BLOCK_TYPES[entry.type].max_layers
        total += rows * entry.repeat
    return total


def check_size(spec: Spec) -> None:
    """Refuse a network of more than MAX_LAYERS rows before a single one is built (`repeat: 1000000000`)."""
    bound = sum(layer_bound(stage.nodes) for stage in spec.stages)
    if bound > MAX_LAYERS:
        scaling = spec.scaling
        at = f" at depth {scaling.depth:g}" if scaling and scaling.depth != 1 else ""
        raise SpecError(f"the network unrolls to up to {bound:,} layers{at}, more than costnet's limit of "
                        f"{MAX_LAYERS:,}; lower the `repeat`s", spec.stages[0].origin.at("body"))


def _same_variant(reported, spec: Spec) -> bool:
    s = spec.scaling
    width = spec.width.multiplier if reported.width is None else reported.width
    resolution = spec.input.resolution if reported.resolution is None else reported.resolution
    depth = spec.depth.multiplier if reported.depth is None else reported.depth
    return (width, resolution, depth) == (s.width, s.resolution, s.depth)


class _Tensor:
    """A tensor being passed along: the node that produced it and the shape the next node sees."""

    __slots__ = ("producer", "shape")

    def __init__(self, producer: str, shape: Shape):
        self.producer = producer
        self.shape = shape


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.names: dict[str, Origin | None] = {}
        self.shapes: dict[Shape, tuple[Shape]] = {}  # one (shape,) per distinct shape: repeats share them

    def sequence(self, entries: tuple[SpecNode, ...], tensor: _Tensor, prefix: str,
                 scope: tuple[str, ...]) -> _Tensor:
        index = 0
        for entry in entries:
            for repeat in range(entry.repeat):
                if isinstance(entry, ParallelNode) and entry.transparent:
                    tensor = self.parallel(entry, tensor, prefix, scope)  # a block's residual: no extra level
                    continue
                label = entry.name if entry.name is not None else str(index)
                if entry.name is not None and entry.repeat > 1:
                    label = f"{entry.name}.{repeat}"
                index += 1
                current = entry if repeat == 0 else _at_stride_one(entry)
                name = f"{prefix}.{label}" if prefix else label
                inner = scope if len(scope) > 1 else (*scope, name)  # the outermost entry is the block
                tensor = self.visit(current, tensor, name, inner)
        return tensor

    def visit(self, entry: SpecNode, tensor: _Tensor, name: str, scope: tuple[str, ...]) -> _Tensor:
        if not isinstance(entry, ParallelNode) and any(isinstance(v, InputMultiple) for v in entry.fields.values()):
            entry = replace(entry, fields={key: value.factor * tensor.shape.channels if isinstance(value, InputMultiple)
                                           else value for key, value in entry.fields.items()})
        if isinstance(entry, LayerNode):
            return self.layer(entry, tensor, name, scope)
        if isinstance(entry, ParallelNode):
            return self.parallel(entry, tensor, name, scope)
        children = BLOCK_TYPES[entry.type].expand(entry.fields, tensor.shape, entry.origin)
        return self.sequence(children, tensor, name, scope)

    def add(self, node: Node) -> None:
        out = node.output_shape
        if max(out.channels, out.height, out.width) > MAX_DIMENSION:
            raise SpecError(f"layer {node.name} ({node.type}) would output {out}, beyond costnet's limit of "
                            f"{MAX_DIMENSION:,} channels or pixels a side", node.origin)
        if node.name in self.names:
            first = self.names[node.name]
            where = f" (first at line {first.line})" if first else ""
            raise SpecError(f"two layers are named {node.name!r}{where}; give the entries distinct `name`s",
                            node.origin)
        self.names[node.name] = node.origin
        self.nodes.append(node)

    def layer(self, entry: LayerNode, tensor: _Tensor, name: str, scope: tuple[str, ...]) -> _Tensor:
        try:
            out = LAYER_TYPES[entry.type].infer(entry.fields, tensor.shape)
        except ShapeError as exc:
            raise SpecError(f"layer {name} ({entry.type}) on input {tensor.shape}: {exc}", entry.origin) from None
        out = self._shared(out)[0]
        self.add(Node(name, entry.type, entry.fields, (tensor.producer,), self._shared(tensor.shape), out,
                      entry.origin, scope))
        return _Tensor(name, out)

    def _shared(self, shape: Shape) -> tuple[Shape]:
        return self.shapes.setdefault(shape, (shape,))

    def parallel(self, entry: ParallelNode, tensor: _Tensor, name: str, scope: tuple[str, ...]) -> _Tensor:
        branch_input = tensor
        if entry.split == "equal":
            count = len(entry.branches)
            if tensor.shape.channels % count:
                raise SpecError(f"cannot split {tensor.shape.channels} channels equally into {count} branches at "
                                f"{name}", entry.origin)
            branch_input = _Tensor(tensor.producer, replace(tensor.shape, channels=tensor.shape.channels // count))
        outputs: list[tuple[str, _Tensor]] = []
        for i, branch in enumerate(entry.branches):
            label = entry.branch_label(i)
            path = f"{name}.{label}" if label else name
            outputs.append((label or name, self.sequence(branch, branch_input, path, scope)))
        first_label, first = outputs[0]
        for label, out in outputs[1:]:
            mismatch = (out.shape != first.shape) if entry.merge == "add" else (
                (out.shape.height, out.shape.width) != (first.shape.height, first.shape.width))
            if mismatch:
                what = "shapes" if entry.merge == "add" else "spatial sizes"
                raise SpecError(f"cannot {entry.merge} {first_label} ({first.shape}) and {label} ({out.shape}) at "
                                f"{name}: {what} differ", entry.origin)
        shapes = tuple(out.shape for _, out in outputs)
        merged = LAYER_TYPES[entry.merge].infer_many({}, shapes)
        merge_name = f"{name}.{entry.merge}"
        self.add(Node(merge_name, entry.merge, {}, tuple(out.producer for _, out in outputs), shapes, merged,
                      entry.origin, scope))
        return _Tensor(merge_name, merged)


def _at_stride_one(entry: SpecNode) -> SpecNode:
    if isinstance(entry, ParallelNode):
        branches = tuple(tuple(_at_stride_one(child) for child in branch) for branch in entry.branches)
        return replace(entry, branches=branches)
    if "stride" in entry.fields and entry.fields["stride"] != 1:
        fields = {**entry.fields, "stride": 1}
        if fields.get("output_padding"):  # a transposed convolution's extra row needs a stride above 1
            fields["output_padding"] = 0
        return replace(entry, fields=fields)
    return entry
