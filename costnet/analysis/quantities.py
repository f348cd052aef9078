"""What a budget can limit: the registry behind `costnet check --max-*`, the budget file's `max_*` fields and
their documentation. Kept apart from budget evaluation so the CLI can build its options cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..units import format_bytes, format_count, parse_bytes, parse_count

if TYPE_CHECKING:
    from .analyzer import Analysis



@dataclass(frozen=True)
class Unit:
    name: str  # as the docs show it
    parse: Callable[[str], int]
    format: Callable[[int], str]


COUNT = Unit("count (K/M/G/T)", parse_count, format_count)
BYTES = Unit("bytes (KB/MB/GB, KiB/MiB/GiB)", parse_bytes, format_bytes)


@dataclass(frozen=True)
class Quantity:
    name: str
    label: str
    doc: str
    example: str
    unit: Unit
    measure: Callable[["Analysis", str], int]  # (analysis, memory model) → value

    def parse(self, text: str) -> int:
        return self.unit.parse(text)

    def format(self, value: int) -> str:
        return self.unit.format(value)


QUANTITIES: dict[str, Quantity] = {q.name: q for q in (
    Quantity("macs", "MACs", "multiply-accumulates", "400M", COUNT, lambda a, m: a.totals.macs),
    Quantity("params", "params", "parameters under the convention", "5M", COUNT, lambda a, m: a.totals.params),
    Quantity("activations", "activations", "output elements of the computing layers", "2M", COUNT,
             lambda a, m: a.totals.activations),
    Quantity("weights", "weight bytes", "parameters × bytes of --dtype", "8MB or 8MiB", BYTES,
             lambda a, m: a.weight_bytes),
    Quantity("peak_memory", "peak memory", "activation memory at its peak, in bytes of --dtype under "
             "--memory-model", "256KiB", BYTES, lambda a, m: a.peaks[m].bytes),
)}
