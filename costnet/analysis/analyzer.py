"""Layer-by-layer analysis of a scaled spec: shapes, MACs, parameters, activations, separable pairs.

Walks the stages in order, expanding blocks and branches, and looks every layer type up in the registry.
The result is frozen data with exact integers; conventions only decide which integers add up to "params".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from ..frontends.spec.blocks import BLOCK_TYPES
from .conventions import CONVENTIONS, DEFAULT_CONVENTION, Convention
from ..errors import Origin, SpecError, UsageError
from ..graph.formulas import Shape, separable_ratio_formula, standard_conv_weights
from ..graph.layers import LAYER_TYPES, Cost, ShapeError
from ..frontends.spec.nodes import LayerNode, Node, ParallelNode
from ..frontends.spec.scaling import scale
from ..frontends.spec.spec import Reported, Scaling, Spec

# Layers that may sit between the depthwise and the pointwise half of a separable pair.
_BETWEEN_PAIR = frozenset({"se", "act", "bn", "dropout"})


@dataclass(frozen=True)
class LayerResult:
    name: str
    type: str
    input_shape: Shape
    output_shape: Shape
    detail: str  # kernel, stride, groups in words: "3×3 dw s2"
    fields: Mapping[str, Any]
    costs: tuple[Cost, ...]
    macs: int
    weights: int
    biases: int
    norm: int
    params: int  # under the analysis's convention
    activations: int  # output elements of a layer that computes (convolution, fully connected, SE)
    origin: Origin | None = None  # the spec entry it comes from (a block's layers share the block's)


@dataclass(frozen=True)
class Totals:
    macs: int
    params: int
    activations: int
    weights: int
    biases: int
    norm: int


@dataclass(frozen=True)
class NetworkCost:
    macs: int
    params: int


@dataclass(frozen=True)
class SeparablePair:
    depthwise: str
    pointwise: str
    m: int  # input channels
    n: int  # output channels
    kernel_groups: tuple[tuple[int, int], ...]  # (channels, kernel) per depthwise group
    pointwise_groups: int
    output: Shape
    macs: int  # depthwise + pointwise, as analysed
    standard_macs: int  # the full convolution it replaces
    params: int
    standard_params: int
    ratio: float  # macs / standard_macs
    formula: float  # 1/N + 1/(g·D̄k²)

    @property
    def dk(self) -> str:
        kernels = sorted({k for _, k in self.kernel_groups})
        return ",".join(map(str, kernels))


@dataclass(frozen=True)
class TypeShare:
    kind: str
    macs: int
    params: int


@dataclass(frozen=True)
class Analysis:
    model: str
    family: str
    file: str
    input: Shape
    scaling: Scaling
    convention: Convention
    layers: tuple[LayerResult, ...]
    totals: Totals
    separable: tuple[SeparablePair, ...]
    standard: NetworkCost  # the same network with every separable pair replaced by a full convolution
    reported: tuple[Reported, ...]  # published figures for this very variant

    def by_type(self) -> tuple[TypeShare, ...]:
        """MACs and parameters per resource category ("conv 1×1", "depthwise 5×5", ...), largest first."""
        macs: dict[str, int] = {}
        params: dict[str, int] = {}
        for layer in self.layers:
            for cost in layer.costs:
                macs[cost.kind] = macs.get(cost.kind, 0) + cost.macs
                params[cost.kind] = params.get(cost.kind, 0) + self.convention.params(
                    cost.weights, cost.biases, cost.norm)
        shares = [TypeShare(kind, macs[kind], params[kind]) for kind in macs if macs[kind] or params[kind]]
        return tuple(sorted(shares, key=lambda s: (-s.macs, -s.params)))


def analyze(spec: Spec, convention: str = DEFAULT_CONVENTION) -> Analysis:
    """Analyze a spec; an unscaled spec is first scaled to its own defaults."""
    if convention not in CONVENTIONS:
        raise UsageError(f"unknown convention {convention!r}; valid: {', '.join(CONVENTIONS)}")
    rule = CONVENTIONS[convention]
    if spec.scaling is None:
        spec = scale(spec)
    assert spec.scaling is not None
    size = spec.scaling.resolution
    shape = Shape(spec.input.channels, size, size)
    walker = _Walker(rule)
    for stage in spec.stages:
        shape = walker.walk(stage.nodes, shape, stage.name)
    layers = tuple(walker.rows)
    totals = _sum(layers)
    pairs = tuple(_separable_pairs(layers, rule))
    standard = NetworkCost(
        macs=totals.macs + sum(p.standard_macs - p.macs for p in pairs),
        params=totals.params + sum(p.standard_params - p.params for p in pairs),
    )
    return Analysis(
        model=spec.name, family=spec.family, file=spec.file, input=Shape(spec.input.channels, size, size),
        scaling=spec.scaling, convention=rule, layers=layers, totals=totals, separable=pairs,
        standard=standard, reported=tuple(r for r in spec.reported if _same_variant(r, spec)),
    )


def _same_variant(reported: Reported, spec: Spec) -> bool:
    assert spec.scaling is not None
    width = spec.width.multiplier if reported.width is None else reported.width
    resolution = spec.input.resolution if reported.resolution is None else reported.resolution
    return width == spec.scaling.width and resolution == spec.scaling.resolution and spec.scaling.depth == 1


def _sum(layers: tuple[LayerResult, ...]) -> Totals:
    return Totals(
        macs=sum(l.macs for l in layers), params=sum(l.params for l in layers),
        activations=sum(l.activations for l in layers), weights=sum(l.weights for l in layers),
        biases=sum(l.biases for l in layers), norm=sum(l.norm for l in layers),
    )


class _Walker:
    def __init__(self, convention: Convention):
        self.convention = convention
        self.rows: list[LayerResult] = []

    def walk(self, nodes: tuple[Node, ...], shape: Shape, prefix: str) -> Shape:
        index = 0
        for node in nodes:
            for repeat in range(node.repeat):
                if isinstance(node, ParallelNode) and node.transparent:
                    shape = self.parallel(node, shape, prefix)  # a block's residual or concat: no extra level
                    continue
                label = node.name if node.name is not None else str(index)
                if node.name is not None and node.repeat > 1:
                    label = f"{node.name}.{repeat}"
                index += 1
                current = node if repeat == 0 else _at_stride_one(node)
                shape = self.visit(current, shape, f"{prefix}.{label}" if prefix else label)
        return shape

    def visit(self, node: Node, shape: Shape, name: str) -> Shape:
        if isinstance(node, LayerNode):
            return self.layer(node, shape, name)
        if isinstance(node, ParallelNode):
            return self.parallel(node, shape, name)
        children = BLOCK_TYPES[node.type].expand(node.fields, shape, node.origin)
        return self.walk(children, shape, name)

    def layer(self, node: LayerNode, shape: Shape, name: str) -> Shape:
        kind = LAYER_TYPES[node.type]
        try:
            out = kind.infer(node.fields, shape)
        except ShapeError as exc:
            raise SpecError(f"layer {name} ({node.type}) on input {shape}: {exc}", node.origin) from None
        costs = kind.cost(node.fields, shape, out)
        macs = sum(c.macs for c in costs)
        weights = sum(c.weights for c in costs)
        biases = sum(c.biases for c in costs)
        norm = sum(c.norm for c in costs)
        activations = kind.activations(node.fields, shape, out) if kind.activations else (
            out.elements if macs else 0)
        self.rows.append(LayerResult(
            name=name, type=node.type, input_shape=shape, output_shape=out,
            detail=kind.describe(node.fields, shape), fields=node.fields, costs=costs, macs=macs,
            weights=weights, biases=biases, norm=norm,
            params=self.convention.params(weights, biases, norm), activations=activations, origin=node.origin,
        ))
        return out

    def parallel(self, node: ParallelNode, shape: Shape, name: str) -> Shape:
        branch_input = shape
        if node.split == "equal":
            count = len(node.branches)
            if shape.channels % count:
                raise SpecError(f"cannot split {shape.channels} channels equally into {count} branches at {name}",
                                node.origin)
            branch_input = Shape(shape.channels // count, shape.height, shape.width)
        outputs = []
        for i, branch in enumerate(node.branches):
            label = node.branch_label(i)
            path = f"{name}.{label}" if label else name
            outputs.append((label or name, self.walk(branch, branch_input, path)))
        first_label, first = outputs[0]
        for label, out in outputs[1:]:
            mismatch = (out != first) if node.merge == "add" else (
                (out.height, out.width) != (first.height, first.width))
            if mismatch:
                what = "shapes" if node.merge == "add" else "spatial sizes"
                raise SpecError(f"cannot {node.merge} {first_label} ({first}) and {label} ({out}) at {name}: "
                                f"{what} differ", node.origin)
        merged = first if node.merge == "add" else Shape(sum(o.channels for _, o in outputs), first.height,
                                                         first.width)
        self.rows.append(LayerResult(
            name=f"{name}.{node.merge}", type=node.merge, input_shape=first, output_shape=merged,
            detail=f"{len(outputs)} inputs", fields={}, costs=(Cost("other"),), macs=0, weights=0, biases=0,
            norm=0, params=0, activations=0, origin=node.origin,
        ))
        return merged


def _at_stride_one(node: Node) -> Node:
    if isinstance(node, ParallelNode):
        branches = tuple(tuple(_at_stride_one(child) for child in branch) for branch in node.branches)
        return replace(node, branches=branches)
    if "stride" in node.fields and node.fields["stride"] != 1:
        return replace(node, fields={**node.fields, "stride": 1})
    return node


def _separable_pairs(layers: tuple[LayerResult, ...], convention: Convention):
    for i, dw in enumerate(layers):
        if dw.type not in LAYER_TYPES or not LAYER_TYPES[dw.type].depthwise:
            continue
        j = i + 1
        while j < len(layers) and layers[j].type in _BETWEEN_PAIR:
            j += 1
        if j == len(layers):
            continue
        pw = layers[j]
        if (pw.type not in LAYER_TYPES or not LAYER_TYPES[pw.type].pointwise
                or pw.input_shape != dw.output_shape or _parent(pw.name) != _parent(dw.name)):
            continue
        groups = LAYER_TYPES[dw.type].kernel_groups(dw.fields, dw.input_shape)
        n, g = pw.output_shape.channels, pw.fields.get("groups", 1)
        standard_weights = standard_conv_weights(groups, n)
        macs = dw.macs + pw.macs
        standard_macs = standard_weights * pw.output_shape.spatial
        yield SeparablePair(
            depthwise=dw.name, pointwise=pw.name, m=dw.input_shape.channels, n=n, kernel_groups=groups,
            pointwise_groups=g, output=pw.output_shape, macs=macs, standard_macs=standard_macs,
            params=dw.params + convention.params(pw.weights, 0, 0),
            standard_params=convention.params(standard_weights, 0, 0),
            ratio=macs / standard_macs, formula=separable_ratio_formula(groups, n, g),
        )


def _parent(name: str) -> str:
    return name.rsplit(".", 1)[0]
