"""What a budget can limit: the registry behind `costnet check --max-*`, the budget file's `max_*` fields and
their documentation. Kept apart from budget evaluation so the CLI can build its options cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..units import format_bytes, format_count, parse_bytes, parse_count

if TYPE_CHECKING:
    from .analyzer import Totals



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
    measure: Callable[["Totals", int], int]  # (totals, bytes per parameter) → value

    def parse(self, text: str) -> int:
        return self.unit.parse(text)

    def format(self, value: int) -> str:
        return self.unit.format(value)


QUANTITIES: dict[str, Quantity] = {q.name: q for q in (
    Quantity("macs", "MACs", "multiply-accumulates", "400M", COUNT, lambda t, b: t.macs),
    Quantity("params", "params", "parameters under the convention", "5M", COUNT, lambda t, b: t.params),
    Quantity("activations", "activations", "output elements of the computing layers", "2M", COUNT,
             lambda t, b: t.activations),
    Quantity("weights", "weight bytes", "parameters × bytes of --dtype", "8MB or 8MiB", BYTES,
             lambda t, b: t.params * b),
)}
