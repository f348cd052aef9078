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
    """Live elements of every row, in one pass: a tensor's size is added when it is produced and released
    after its last reader has run. Tensors are row indices (-1: the network input), so that a network of a
    million rows needs a few lists of integers, not dictionaries of names."""
    nodes = graph.nodes
    index = {node.name: i for i, node in enumerate(nodes)}
    index[INPUT] = -1
    inputs = [tuple(index[name] for name in node.inputs) for node in nodes]
    del index
    sizes = [node.output_shape.elements for node in nodes]
    sizes.append(graph.input.elements)  # sizes[-1]: the network input
    last_reader = [-1] * (len(nodes) + 1)
    for row, read in enumerate(inputs):
        for t in read:
            last_reader[t] = row
    released = [0] * len(nodes)  # per row: the sizes of the tensors it is the last to read
    for t, row in enumerate(last_reader):
        if row >= 0:
            released[row] += sizes[t]
    alive = sizes[-1] if last_reader[-1] >= 0 else 0
    plain: list[int] = []
    in_place: list[int] = []
    for row, node in enumerate(nodes):
        out = sizes[row]
        plain.append(alive + out)
        read = inputs[row]
        overwrites = LAYER_TYPES[node.type].in_place and len(read) == 1 and last_reader[read[0]] == row
        in_place.append(alive + out - min(sizes[read[0]], out) if overwrites else alive + out)
        if last_reader[row] > row:
            alive += out
        alive -= released[row]
    return MemoryProfile({"plain": tuple(plain), "in-place": tuple(in_place)})


def live_bytes(values: Sequence[int], dtype: str) -> tuple[int, ...]:
    size = DTYPES[dtype]
    return tuple(v * size for v in values)
