"""What a budget can limit: the registry behind `costnet check --max-*`, the budget file's `max_*` fields and
their documentation. Kept apart from budget evaluation so the CLI can build its options cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from .units import format_bytes, format_count, parse_bytes, parse_count

if TYPE_CHECKING:
    from .analysis import Totals

DTYPES = {"int8": 1, "fp16": 2, "fp32": 4}  # bytes per parameter


@dataclass(frozen=True)
class Quantity:
    name: str
    label: str
    doc: str
    parse: Callable[[str], int]
    format: Callable[[int], str]
    measure: Callable[["Totals", int], int]  # (totals, bytes per parameter) → value

    @property
    def unit_name(self) -> str:
        return "count (K/M/G)" if self.parse is parse_count else "bytes (KB/MB/GB, KiB/MiB/GiB)"


QUANTITIES: dict[str, Quantity] = {q.name: q for q in (
    Quantity("macs", "MACs", "multiply-accumulates, e.g. 400M", parse_count, format_count, lambda t, b: t.macs),
    Quantity("params", "params", "parameters under the convention, e.g. 5M", parse_count, format_count,
             lambda t, b: t.params),
    Quantity("activations", "activations", "output elements of the computing layers, e.g. 2M", parse_count,
             format_count, lambda t, b: t.activations),
    Quantity("weights", "weight bytes", "parameters × bytes of --dtype, e.g. 8MB or 8MiB", parse_bytes,
             format_bytes, lambda t, b: t.params * b),
)}
