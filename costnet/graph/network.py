"""The network every front end builds and every analysis reads: frozen nodes in execution order, with the
tensors each one reads, and what was published about the network.

A node is one row of costnet's per-layer table. It produces one tensor (its output) and reads the outputs
of earlier nodes, or `INPUT`, the network's input. A node that reads only part of a tensor (a branch of
ShuffleNet's channel split, one output of an ONNX Split) names the whole tensor in `inputs` and the part it
sees in `input_shapes`: splitting a tensor is a view, not a new tensor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import Origin
from .formulas import Shape

INPUT = "input"


@dataclass(frozen=True)
class Node:
    name: str  # unique within the graph, dotted: "stage2.1.dw"
    type: str  # a key of graph.layers.LAYER_TYPES
    fields: Mapping[str, Any]  # the type's fields, every default filled in
    inputs: tuple[str, ...]  # the nodes whose outputs it reads, in order (INPUT: the network input)
    input_shapes: tuple[Shape, ...]  # what it sees of each input
    output_shape: Shape
    origin: Origin | None = None  # where it is written: the spec entry, or the ONNX node
    scope: tuple[str, ...] = ()  # the groups it belongs to, outermost first: (stage, block)

    @property
    def input_shape(self) -> Shape:
        return self.input_shapes[0]


@dataclass(frozen=True)
class Figure:
    """A published figure as printed ("569M", "4.2M"): its value and the precision it was printed to."""

    text: str
    value: float
    unit: float

    def matches(self, exact: float, tolerance: float = 0.0) -> bool:
        """True when `exact` rounds to the printed figure, or the figure is within `tolerance` of `exact`."""
        allowed = max(self.unit / 2, abs(exact) * tolerance) * (1 + 1e-9)
        return abs(exact - self.value) <= allowed


@dataclass(frozen=True)
class Reported:
    source: str
    width: float | None
    resolution: int | None
    macs: Figure | None
    params: Figure | None
    top1: float | None
    top5: float | None
    convention: str
    counts: str  # "macs", or "flops": the published figure counts a multiply and an add separately
    macs_tolerance: float
    params_tolerance: float
    note: str
    origin: Origin
    depth: float | None = None


@dataclass(frozen=True)
class Scaling:
    """The scaling actually applied to a spec: width multiplier α, input resolution, depth multiplier."""

    width: float
    resolution: int
    depth: float


@dataclass(frozen=True)
class Graph:
    model: str
    family: str
    file: str  # what was read: a path, or "NAME.yaml (bundled)"
    input: Shape
    nodes: tuple[Node, ...]  # in execution order: every node comes after the nodes it reads
    scaling: Scaling | None = None  # for a spec: the width, resolution and depth it was built at
    reported: tuple[Reported, ...] = ()  # published figures for this very variant
