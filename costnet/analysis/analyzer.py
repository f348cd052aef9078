"""Layer-by-layer analysis of a graph: MACs, parameters, activations, memory, separable pairs.

Every node's cost comes from its layer type in the registry. The result is frozen data with exact integers;
conventions only decide which integers add up to "params", the dtype only how many bytes an element takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import Origin, UsageError
from ..graph.formulas import Shape, separable_ratio_formula, standard_conv_weights
from ..graph.layers import LAYER_TYPES, Cost
from ..graph.network import Graph, Node, Reported, Scaling
from .conventions import CONVENTIONS, DEFAULT_CONVENTION, Convention
from .memory import DEFAULT_DTYPE, DEFAULT_MEMORY_MODEL, DTYPES, MEMORY_MODELS, profile

# Layers that may sit between the depthwise and the pointwise half of a separable pair.
_BETWEEN_PAIR = frozenset({"se", "act", "bn", "dropout"})


@dataclass(frozen=True, slots=True)
class LayerResult:
    name: str
    type: str
    inputs: tuple[str, ...]  # the layers whose outputs it reads ("input": the network input)
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    detail: str  # kernel, stride, groups in words: "3×3 dw s2"
    fields: Mapping[str, Any]
    costs: tuple[Cost, ...]
    macs: int
    weights: int
    biases: int
    norm_params: int  # batch-norm γ and β
    params: int  # under the analysis's convention
    activations: int  # output elements of a layer that computes (convolution, fully connected, SE)
    live: Mapping[str, int]  # memory model → elements alive while the row runs (analysis.memory)
    origin: Origin | None = None  # the spec entry it comes from (a block's layers share the block's)
    scope: tuple[str, ...] = ()  # (stage, block) it belongs to

    @property
    def input_shape(self) -> Shape:
        return self.input_shapes[0]


@dataclass(frozen=True)
class Totals:
    macs: int
    params: int
    activations: int
    weights: int
    biases: int
    norm_params: int


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
class Peak:
    """The most activation memory a memory model needs, and the first row that needs it."""

    model: str
    bytes: int
    layer: str | None  # None for an empty network


@dataclass(frozen=True)
class TypeShare:
    kind: str
    macs: int
    params: int


@dataclass(frozen=True, repr=False)
class Analysis:
    model: str
    family: str
    file: str
    input: Shape
    scaling: Scaling | None  # None for a graph that was not built from a scaled spec
    convention: Convention
    layers: tuple[LayerResult, ...]
    totals: Totals
    separable: tuple[SeparablePair, ...]
    standard: NetworkCost  # the same network with every separable pair replaced by a full convolution
    reported: tuple[Reported, ...]  # published figures for this very variant
    dtype: str  # of activations and weights (analysis.memory.DTYPES)
    peaks: Mapping[str, Peak]  # memory model → peak activation memory

    @property
    def bytes_per_element(self) -> int:
        return DTYPES[self.dtype]

    @property
    def weight_bytes(self) -> int:
        """Parameters under the convention × the dtype's bytes."""
        return self.totals.params * self.bytes_per_element

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

    # ---- for scripts and notebooks: the same contract as `costnet analyze -f json` ----

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (docs/output.md) as a dict: what `costnet analyze -f json` writes."""
        from ..outputs.render import to_json_data  # the renderer owns the contract

        return to_json_data(self)

    def to_json(self) -> str:
        """The text `costnet analyze -f json` writes."""
        from ..outputs.render import render_json

        return "".join(render_json(self))

    def __repr__(self) -> str:
        t = self.totals
        return (f"<Analysis {self.model}: {len(self.layers)} layers, {t.macs:,} MACs, {t.params:,} params "
                f"({self.convention.name}), peak {self.peaks[DEFAULT_MEMORY_MODEL].bytes:,} bytes "
                f"({self.dtype}, {DEFAULT_MEMORY_MODEL})>")

    def _repr_html_(self) -> str:
        """A notebook cell shows the per-layer table."""
        from ..outputs.render import render_html

        return render_html(self)


def analyze(graph: Graph, convention: str = DEFAULT_CONVENTION, dtype: str = DEFAULT_DTYPE) -> Analysis:
    if convention not in CONVENTIONS:
        raise UsageError(f"unknown convention {convention!r}; valid: {', '.join(CONVENTIONS)}")
    if dtype not in DTYPES:
        raise UsageError(f"unknown dtype {dtype!r}; valid: {', '.join(DTYPES)}")
    rule = CONVENTIONS[convention]
    memory = profile(graph)
    layers = tuple(_layer(node, rule, {model: live[i] for model, live in memory.live.items()})
                   for i, node in enumerate(graph.nodes))
    totals = _sum(layers)
    pairs = tuple(_separable_pairs(layers, rule))
    standard = NetworkCost(
        macs=totals.macs + sum(p.standard_macs - p.macs for p in pairs),
        params=totals.params + sum(p.standard_params - p.params for p in pairs),
    )
    peaks = {}
    for model in MEMORY_MODELS:
        elements, row = memory.peak(model)
        peaks[model] = Peak(model, elements * DTYPES[dtype], layers[row].name if row >= 0 else None)
    return Analysis(
        model=graph.model, family=graph.family, file=graph.file, input=graph.input, scaling=graph.scaling,
        convention=rule, layers=layers, totals=totals, separable=pairs, standard=standard, reported=graph.reported,
        dtype=dtype, peaks=peaks,
    )


def _layer(node: Node, convention: Convention, live: Mapping[str, int]) -> LayerResult:
    kind = LAYER_TYPES[node.type]
    shape, out = node.input_shape, node.output_shape
    costs = kind.cost(node.fields, shape, out)
    macs = sum(c.macs for c in costs)
    weights = sum(c.weights for c in costs)
    biases = sum(c.biases for c in costs)
    norm = sum(c.norm for c in costs)
    activations = kind.activations(node.fields, shape, out) if kind.activations else (out.elements if macs else 0)
    detail = f"{len(node.inputs)} inputs" if kind.merge else kind.describe(node.fields, shape)
    return LayerResult(
        name=node.name, type=node.type, inputs=node.inputs, input_shapes=node.input_shapes, output_shape=out,
        detail=detail, fields=node.fields, costs=costs, macs=macs, weights=weights, biases=biases, norm_params=norm,
        params=convention.params(weights, biases, norm), activations=activations, live=live, origin=node.origin,
        scope=node.scope,
    )


def _sum(layers: tuple[LayerResult, ...]) -> Totals:
    return Totals(
        macs=sum(l.macs for l in layers), params=sum(l.params for l in layers),
        activations=sum(l.activations for l in layers), weights=sum(l.weights for l in layers),
        biases=sum(l.biases for l in layers), norm_params=sum(l.norm_params for l in layers),
    )


def _separable_pairs(layers: tuple[LayerResult, ...], convention: Convention):
    """A depthwise layer and the pointwise convolution that reads its output, directly or through layers
    that keep the shape (SE, activation, batch norm, dropout)."""
    readers: dict[str, list[LayerResult]] = {}
    for layer in layers:
        for name in layer.inputs:
            readers.setdefault(name, []).append(layer)
    for dw in layers:
        if not LAYER_TYPES[dw.type].depthwise:
            continue
        pw = _only_reader(dw.name, readers)
        while pw is not None and pw.type in _BETWEEN_PAIR:
            pw = _only_reader(pw.name, readers)
        if pw is None or not LAYER_TYPES[pw.type].pointwise or pw.input_shape != dw.output_shape:
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


def _only_reader(name: str, readers: dict[str, list[LayerResult]]) -> LayerResult | None:
    """The one layer that reads `name`'s output (the main path), else None (the output branches)."""
    found = readers.get(name, [])
    return found[0] if len(found) == 1 else None
