"""A `studies.diff.Diff` as a table, Markdown or JSON. `DIFF_FORMATS` is the registry."""

from __future__ import annotations

from typing import Any, Callable

from ..studies.diff import Diff, LayerDiff
from ..units import format_count, format_memory, printable
from .jsonout import dumps
from .textable import format_table

DIFF_SCHEMA_VERSION = 1
_HEADERS = ["layer", "type", "output A", "output B", "MACs A", "MACs B", "Δ MACs", "params A", "params B",
            "Δ params", "memory A", "memory B"]
_LABELS = {"macs": "MACs", "params": "params", "activations": "activations", "weight_bytes": "weight bytes",
           "peak_memory": "peak memory"}


def _rows(d: Diff, show_all: bool) -> list[list[str]]:
    show = lambda n: "—" if n is None else format_count(n)
    memory = lambda n: "—" if n is None else format_memory(n)
    delta = lambda x, y: "" if (x or 0) == (y or 0) else f"{(y or 0) - (x or 0):+,}"
    return [[printable(l.label), l.type, l.shape_a, l.shape_b, show(l.macs_a), show(l.macs_b),
             delta(l.macs_a, l.macs_b),
             show(l.params_a), show(l.params_b), delta(l.params_a, l.params_b), memory(l.live_a), memory(l.live_b)]
            for l in d.layers if show_all or l.changed]


def _side(label: str, a) -> str:
    s = a.scaling
    variant = f"width {s.width:g}, resolution {s.resolution}" if s else f"input {a.input}"
    return f"{label}: {printable(a.model)} ({printable(a.file)}) {variant}"


def _total_line(d: Diff) -> str:
    def change(x: int, y: int) -> str:
        return f"{x:,} → {y:,}" + (f" ({(y - x) / x:+.2%})" if x else "")

    parts = [f"{_LABELS[q]} {change(x, y)}" for q, (x, y) in d.totals.items()]
    return (f"total {'; '.join(parts)}; convention: {d.a.convention.name}; memory: {d.memory_model}, "
            f"{d.a.dtype}" + ("" if d.differs else "; A and B are the same"))


def _matching(d: Diff) -> str:
    """Said only when layers are matched by order: their names differ (A's name ~ B's name)."""
    return ("layers matched by order (the longest common sequence of types), as A and B name them differently; "
            "dropout, the identity at inference, left out\n"
            if d.matched_by == "order" else "")


def render_table(d: Diff, show_all: bool = False) -> str:
    rows = _rows(d, show_all)
    body = format_table(_HEADERS, rows, "llllrrrrrrrr") if rows else "no layer differs"
    return f"{_side('A', d.a)}\n{_side('B', d.b)}\n{_matching(d)}\n{body}\n\n{_total_line(d)}\n"


def render_markdown(d: Diff, show_all: bool = False) -> str:
    from tabulate import tabulate

    rows = _rows(d, show_all)
    body = tabulate(rows, headers=_HEADERS, tablefmt="github", disable_numparse=True) if rows else "No layer differs."
    return f"- {_side('A', d.a)}\n- {_side('B', d.b)}\n{_matching(d)}\n{body}\n\n{_total_line(d)}\n"


def _layer(l: LayerDiff) -> dict[str, Any]:
    return {"name": l.name, "name_b": l.name_b, "type": l.type, "changed": l.changed, "output_a": l.shape_a,
            "output_b": l.shape_b, "macs": [l.macs_a, l.macs_b], "params": [l.params_a, l.params_b],
            "live_bytes": [l.live_a, l.live_b]}


def render_json(d: Diff, show_all: bool = False) -> str:
    side = lambda a: {"model": a.model, "family": a.family, "spec": a.file,
                      "scaling": {"width": a.scaling.width, "resolution": a.scaling.resolution,
                                  "depth": a.scaling.depth} if a.scaling else None}
    return dumps({
        "schema_version": DIFF_SCHEMA_VERSION, "a": side(d.a), "b": side(d.b), "differs": d.differs,
        "convention": d.a.convention.name, "memory_model": d.memory_model, "dtype": d.a.dtype,
        "matched_by": d.matched_by, "totals": {q: list(pair) for q, pair in d.totals.items()},
        "layers": [_layer(l) for l in d.layers if show_all or l.changed],
    })


DIFF_FORMATS: dict[str, Callable[[Diff, bool], str]] = {
    "table": render_table,
    "markdown": render_markdown,
    "json": render_json,
}
