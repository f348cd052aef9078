"""Activation memory of layer-by-layer inference: which tensors are alive while each row runs, and the peak.

The network runs one row of the per-layer table at a time, in the table's order. A tensor is produced by a
row (the network input before the first) and stays alive until the last row that reads it has run, so a
residual shortcut keeps its input alive across the branch and a concatenation's inputs stay alive until
the concatenation. The live memory of a row is the sum of every tensor alive while it runs: its inputs, its
output, and every tensor produced earlier that a later row still reads. Tensors a row creates inside itself
(SE's pooled and reduced vectors) and the weights are not activation memory; weight bytes are reported apart.

Memory models differ in what a row may overwrite. Each model names the rule it follows, and every output that
shows memory names the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..graph.layers import LAYER_TYPES
from ..graph.network import INPUT, Graph

DTYPES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}  # bytes per element, of activations and of weights
DEFAULT_DTYPE = "fp32"


@dataclass(frozen=True)
class MemoryModel:
    name: str
    rule: str
    in_place: bool  # rows whose layer type allows it overwrite their input when they are its last reader

    def describe(self) -> str:
        return f"{self.name}: {self.rule}"


MEMORY_MODELS: dict[str, MemoryModel] = {m.name: m for m in (
    MemoryModel("plain", "every row writes a new output tensor", in_place=False),
    MemoryModel("in-place", "TinyEngine's schedule: a depthwise convolution, activation, batch norm or dropout "
                "overwrites its input when no later row reads that input, so it holds the larger of the two "
                "rather than their sum", in_place=True),
)}
DEFAULT_MEMORY_MODEL = "in-place"


@dataclass(frozen=True)
class MemoryProfile:
    """Live elements per row under every memory model (multiply by the dtype's bytes for bytes)."""

    live: dict[str, tuple[int, ...]]  # model name → live elements of each row, in the graph's order

    def peak(self, model: str) -> tuple[int, int]:
        """(peak live elements, index of the first row at the peak)."""
        values = self.live[model]
        if not values:
            return 0, -1
        top = max(values)
        return top, values.index(top)


def profile(graph: Graph) -> MemoryProfile:
    """Live elements of every row, in one pass: a tensor's size is added when it is produced and removed after
    its last reader has run."""
    nodes = graph.nodes
    index = {node.name: i for i, node in enumerate(nodes)}
    last_reader = {INPUT: -1}
    for i, node in enumerate(nodes):
        for name in node.inputs:
            last_reader[name] = i
    ends_at: dict[int, list[int]] = {}  # row → sizes of the tensors whose last reader it is
    for name, row in last_reader.items():
        if row >= 0:
            size = graph.input.elements if name == INPUT else nodes[index[name]].output_shape.elements
            ends_at.setdefault(row, []).append(size)
    alive = graph.input.elements if last_reader[INPUT] >= 0 else 0
    plain: list[int] = []
    in_place: list[int] = []
    for i, node in enumerate(nodes):
        out = node.output_shape.elements
        plain.append(alive + out)
        overwritten = _overwritten_input(node, i, last_reader, index, nodes, graph)
        in_place.append(alive + out - min(overwritten, out) if overwritten is not None else alive + out)
        if last_reader.get(node.name, -1) > i:
            alive += out
        alive -= sum(ends_at.get(i, ()))
    return MemoryProfile({"plain": tuple(plain), "in-place": tuple(in_place)})


def _overwritten_input(node, row: int, last_reader, index, nodes, graph) -> int | None:
    """The size of the input `node` may overwrite (it is an in-place type, reads one tensor, and is that
    tensor's last reader), else None."""
    if not LAYER_TYPES[node.type].in_place or len(node.inputs) != 1:
        return None
    (name,) = node.inputs
    if last_reader[name] != row:
        return None
    return graph.input.elements if name == INPUT else nodes[index[name]].output_shape.elements


def live_bytes(values: Sequence[int], dtype: str) -> tuple[int, ...]:
    size = DTYPES[dtype]
    return tuple(v * size for v in values)
