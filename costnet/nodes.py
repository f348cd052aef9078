"""The network as frozen data: layers, blocks (expanded by the analyzer) and parallel branches.

A body is a sequence of nodes. A `ParallelNode` runs its branches on the same input (an empty branch is the
identity) and merges them by `add` or `concat`; a residual connection is a parallel node whose second
branch is empty. Every node keeps the place in the spec it came from, so errors found late still point at a
line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Union

from .errors import Origin

WIDTH_SCALING = ("scaled", "fixed", "grow_only")
MERGES = ("add", "concat")


@dataclass(frozen=True)
class LayerNode:
    type: str
    fields: Mapping[str, Any]
    origin: Origin
    name: str | None = None
    repeat: int = 1
    width_scaling: str = "scaled"


@dataclass(frozen=True)
class BlockNode:
    type: str
    fields: Mapping[str, Any]
    origin: Origin
    name: str | None = None
    repeat: int = 1
    width_scaling: str = "scaled"


@dataclass(frozen=True)
class ParallelNode:
    branches: tuple[tuple["Node", ...], ...]
    merge: str
    origin: Origin
    name: str | None = None
    repeat: int = 1
    # Name prefix per branch; "" puts a branch's layers directly under the parent (a residual's main path).
    labels: tuple[str, ...] = field(default=())
    width_scaling: str = "scaled"

    def branch_label(self, index: int) -> str:
        return self.labels[index] if self.labels else f"branch{index + 1}"


Node = Union[LayerNode, BlockNode, ParallelNode]


def with_fields(node: LayerNode | BlockNode, **changes: Any) -> LayerNode | BlockNode:
    return replace(node, fields={**node.fields, **changes})


def residual(body: tuple[Node, ...], origin: Origin) -> ParallelNode:
    return ParallelNode(branches=(body, ()), merge="add", origin=origin, labels=("", "shortcut"))


@dataclass(frozen=True)
class Stage:
    name: str
    nodes: tuple[Node, ...]
    origin: Origin
