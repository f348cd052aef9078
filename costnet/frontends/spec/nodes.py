"""The network as frozen data: layers, blocks (expanded by the analyzer) and parallel branches.

A body is a sequence of nodes. A `ParallelNode` runs its branches on the same input (an empty branch is the
identity) and merges them by `add` or `concat`; a residual connection is a parallel node whose second
branch is empty. Every node keeps the place in the spec it came from, so errors found late still point at a
line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Union

from ...errors import Origin

WIDTH_SCALING = ("scaled", "fixed", "grow_only")
DEPTH_SCALING = ("scaled", "fixed")
MERGES = ("add", "concat")
SPLITS = ("none", "equal")


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
    split: str = "none"  # "equal": the input channels are divided among the branches (ShuffleNetV2)
    transparent: bool = False  # made by a block: its layers are named under the block, not under an index

    def branch_label(self, index: int) -> str:
        return self.labels[index] if self.labels else f"branch{index + 1}"


Node = Union[LayerNode, BlockNode, ParallelNode]


def residual(body: tuple[Node, ...], origin: Origin, shortcut: tuple[Node, ...] = ()) -> ParallelNode:
    """body + shortcut (the identity, or a projection such as ResNet's 1×1 convolution)."""
    return ParallelNode(branches=(body, shortcut), merge="add", origin=origin,
                        labels=("", "downsample" if shortcut else "shortcut"), transparent=True)


@dataclass(frozen=True)
class Stage:
    name: str
    nodes: tuple[Node, ...]
    origin: Origin
    depth_scaling: str = "fixed"  # "scaled": the depth multiplier changes the repeats of its entries
