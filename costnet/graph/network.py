"""The network every front end builds and every analysis reads: frozen nodes in execution order, with the
tensors each one reads, and what was published about the network.

A node is one row of costnet's per-layer table. It produces one tensor (its output) and reads the outputs
of earlier nodes, or `INPUT`, the network's input. A node that reads only part of a tensor (a branch of
ShuffleNet's channel split, one output of an ONNX Split) names the whole tensor in `inputs` and the part it
sees in `input_shapes`: splitting a tensor is a view, not a new tensor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

from ..errors import Origin
from .formulas import Shape

INPUT = "input"


@dataclass(frozen=True, slots=True)
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


_FIGURE = re.compile(r"^\s*([0-9]*\.?([0-9]*))\s*([KMGT]?)\s*$")
_SCALES = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


@dataclass(frozen=True)
class Figure:
    """A published figure as printed ("569M", "4.2M"): its exact decimal value and the unit of its last digit."""

    text: str
    value: Fraction
    unit: Fraction

    @classmethod
    def parse(cls, text: str) -> "Figure | None":
        """ "569M" → 569,000,000 to the nearest million; "4.24M"; "0.386G"; "94.86"; None if not a figure."""
        match = _FIGURE.match(text)
        if not match or match.group(1) in ("", "."):
            return None
        scale = _SCALES[match.group(3)]
        return cls(text.strip(), Fraction(match.group(1)) * scale, Fraction(scale, 10 ** len(match.group(2))))

    def matches(self, exact: int, rounding: str = "nearest", unit: Fraction | None = None) -> bool:
        """True when `exact`, rounded to the printed precision (or to `unit`) as the source rounded it, is the
        printed figure (see ROUNDINGS)."""
        step = self.unit if unit is None else unit
        if rounding == "down":
            return self.value <= exact < self.value + step
        if rounding == "up":
            return self.value - step < exact <= self.value
        return abs(exact - self.value) * 2 <= step


# What a published MACs figure may count, and how a source may round: the vocabulary of `Reported`.
COUNTS = {
    "macs": "multiply-accumulates",
    "flops": "FLOPs: a multiply and an add counted apart, 2 per MAC",
    "conv-macs": "multiply-accumulates of the convolutions alone, fully connected layers left out",
}
ROUNDINGS = {"nearest": "rounded to the nearest printed digit", "down": "truncated to the printed digits",
             "up": "rounded up to the printed digits"}


@dataclass(frozen=True)
class Reported:
    """What a source published for one variant of the network, and the conventions that reproduce it."""

    source: str
    width: float | None
    resolution: int | None
    depth: float | None
    macs: Figure | None
    params: Figure | None
    top1: float | None
    top5: float | None
    convention: str  # what a parameter is (analysis.conventions)
    counts: str  # what the MACs figure counts: "macs", "flops" (2 per MAC) or "conv-macs" (no fully connected)
    classes: int | None  # the published model's classifier outputs, when not the spec's (TF-slim's 1001)
    rounding: str  # a key of ROUNDINGS
    printed_to: Mapping[str, Fraction]  # quantity → unit the source rounded to, when coarser than its digits
    unexplained: tuple[str, ...]  # quantities whose difference from the exact count no convention explains
    note: str
    origin: Origin


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

    def __repr__(self) -> str:  # one line in a notebook, not every node
        i = self.input
        return f"<Graph {self.model} ({self.file}): {len(self.nodes)} layers, input {i.channels}×{i.height}×{i.width}>"
