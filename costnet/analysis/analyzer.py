"""Layer-by-layer analysis of a graph: MACs, parameters, activations, memory, separable pairs.

Every node's cost comes from its layer type in the registry. The result is frozen data with exact integers;
conventions only decide which integers add up to "params", the dtype only how many bytes an element takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Mapping

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
    live_elements: tuple[int, ...]  # elements alive while the row runs, per memory model (MEMORY_MODELS' order)
    origin: Origin | None = None  # the spec entry it comes from (a block's layers share the block's)
    scope: tuple[str, ...] = ()  # (stage, block) it belongs to

    @property
    def input_shape(self) -> Shape:
        return self.input_shapes[0]

    @property
    def live(self) -> dict[str, int]:
        """Memory model → elements alive while the row runs (analysis.memory)."""
        return dict(zip(MEMORY_MODELS, self.live_elements))


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


@dataclass(frozen=True)
class NotCosted:
    layer: str
    op: str  # the ONNX operator
    node: str  # the ONNX node's name


@dataclass(frozen=True, repr=False)
class Analysis:
    """The costs of a graph. Its rows (`layers`) are derived from the graph when first asked for;
    `iter_layers()` gives them one at a time without keeping them (a network of a million layers)."""

    model: str
    family: str
    file: str
    input: Shape
    scaling: Scaling | None  # None for a graph that was not built from a scaled spec
    convention: Convention
    totals: Totals
    separable: tuple[SeparablePair, ...]
    standard: NetworkCost  # the same network with every separable pair replaced by a full convolution
    reported: tuple[Reported, ...]  # published figures for this very variant
    dtype: str  # of activations and weights (analysis.memory.DTYPES)
    peaks: Mapping[str, Peak]  # memory model → peak activation memory
    type_shares: tuple[TypeShare, ...]  # see by_type()
    graph: Graph = field(repr=False, compare=False)
    live: tuple[tuple[int, ...], ...] = field(repr=False, compare=False)  # per memory model, per row

    @cached_property
    def layers(self) -> tuple[LayerResult, ...]:
        return tuple(self.iter_layers())

    def iter_layers(self) -> Iterator[LayerResult]:
        for i, node in enumerate(self.graph.nodes):
            yield _layer(node, self.convention, tuple(column[i] for column in self.live))

    @property
    def bytes_per_element(self) -> int:
        return DTYPES[self.dtype]

    @cached_property
    def not_costed(self) -> tuple[NotCosted, ...]:
        """Operators kept with zero cost because costnet cannot cost them (ONNX read with allow_unknown)."""
        return tuple(NotCosted(node.name, node.fields["op"], node.origin.node if node.origin else "")
                     for node in self.graph.nodes if node.type == "unknown")

    @property
    def weight_bytes(self) -> int:
        """Parameters under the convention × the dtype's bytes."""
        return self.totals.params * self.bytes_per_element

    def by_type(self) -> tuple[TypeShare, ...]:
        """MACs and parameters per resource category ("conv 1×1", "depthwise 5×5", ...), largest first."""
        return self.type_shares

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
        return (f"<Analysis {self.model}: {len(self.graph.nodes)} layers, {t.macs:,} MACs, {t.params:,} params "
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
    live = tuple(memory.live[model] for model in MEMORY_MODELS)
    totals, shares = _totals(graph, rule)
    pairs = tuple(_separable_pairs(graph, rule, live))
    standard = NetworkCost(
        macs=totals.macs + sum(p.standard_macs - p.macs for p in pairs),
        params=totals.params + sum(p.standard_params - p.params for p in pairs),
    )
    peaks = {}
    for model in MEMORY_MODELS:
        elements, row = memory.peak(model)
        peaks[model] = Peak(model, elements * DTYPES[dtype], graph.nodes[row].name if row >= 0 else None)
    return Analysis(
        model=graph.model, family=graph.family, file=graph.file, input=graph.input, scaling=graph.scaling,
        convention=rule, totals=totals, separable=pairs, standard=standard, reported=graph.reported,
        dtype=dtype, peaks=peaks, type_shares=shares, graph=graph, live=live,
    )


def _totals(graph: Graph, convention: Convention) -> tuple[Totals, tuple[TypeShare, ...]]:
    """The sums over every row, and per resource category, in one pass that keeps no row."""
    macs = params = activations = weights = biases = norm = 0
    kind_macs: dict[str, int] = {}
    kind_params: dict[str, int] = {}
    for node in graph.nodes:
        kind = LAYER_TYPES[node.type]
        costs = kind.cost(node.fields, node.input_shape, node.output_shape)
        layer_macs = 0
        for cost in costs:
            layer_macs += cost.macs
            weights, biases, norm = weights + cost.weights, biases + cost.biases, norm + cost.norm
            counted = convention.params(cost.weights, cost.biases, cost.norm)
            params += counted
            kind_macs[cost.kind] = kind_macs.get(cost.kind, 0) + cost.macs
            kind_params[cost.kind] = kind_params.get(cost.kind, 0) + counted
        macs += layer_macs
        activations += _activations(kind, node, layer_macs)
    shares = [TypeShare(k, kind_macs[k], kind_params[k]) for k in kind_macs if kind_macs[k] or kind_params[k]]
    totals = Totals(macs=macs, params=params, activations=activations, weights=weights, biases=biases,
                    norm_params=norm)
    return totals, tuple(sorted(shares, key=lambda s: (-s.macs, -s.params)))


def _activations(kind, node: Node, macs: int) -> int:
    if kind.activations:
        return kind.activations(node.fields, node.input_shape, node.output_shape)
    return node.output_shape.elements if macs else 0


def _layer(node: Node, convention: Convention, live: tuple[int, ...]) -> LayerResult:
    kind = LAYER_TYPES[node.type]
    shape, out = node.input_shape, node.output_shape
    costs = kind.cost(node.fields, shape, out)
    macs = sum(c.macs for c in costs)
    weights = sum(c.weights for c in costs)
    biases = sum(c.biases for c in costs)
    norm = sum(c.norm for c in costs)
    activations = _activations(kind, node, macs)
    detail = f"{len(node.inputs)} inputs" if kind.merge else kind.describe(node.fields, shape)
    return LayerResult(
        name=node.name, type=node.type, inputs=node.inputs, input_shapes=node.input_shapes, output_shape=out,
        detail=detail, fields=node.fields, costs=costs, macs=macs, weights=weights, biases=biases, norm_params=norm,
        params=convention.params(weights, biases, norm), activations=activations, live_elements=live,
        origin=node.origin, scope=node.scope,
    )


def _separable_pairs(graph: Graph, convention: Convention, live: tuple[tuple[int, ...], ...]):
    """A depthwise layer and the pointwise convolution that reads its output, directly or through layers
    that keep the shape (SE, activation, batch norm, dropout), at the depthwise layer's output size: a
    pointwise convolution with a stride or padding of its own is no half of the factorization (MobileNet's
    3.1) and its closed form would not hold."""
    nodes = graph.nodes
    readers: dict[str, int] = {}  # producer → its one reader's index, or -1 when several read it
    for i, node in enumerate(nodes):
        for name in node.inputs:
            readers[name] = -1 if name in readers else i
    result = lambda i: _layer(nodes[i], convention, tuple(column[i] for column in live))
    for i, node in enumerate(nodes):
        if not LAYER_TYPES[node.type].depthwise:
            continue
        j = readers.get(node.name, -1)
        while j >= 0 and nodes[j].type in _BETWEEN_PAIR:
            j = readers.get(nodes[j].name, -1)
        if j < 0 or not LAYER_TYPES[nodes[j].type].pointwise or nodes[j].input_shape != node.output_shape \
                or nodes[j].output_shape.spatial != node.output_shape.spatial:
            continue
        dw, pw = result(i), result(j)
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
