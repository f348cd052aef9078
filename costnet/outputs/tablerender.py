"""Render a `tables.Table` as text, Markdown, CSV, JSON or LaTeX. `TABLE_FORMATS` is the registry; each renderer
takes the table and its context (the network it is of, for the machine formats to name on every row)."""

from __future__ import annotations

from typing import Any, Callable

from .tables import Column, Table
from .jsonout import dumps
from .textable import format_table
from ..units import format_count, printable


def _cell(column: Column, value: Any) -> str:
    if column.kind == "count":
        return format_count(value)
    if column.kind == "share":
        return f"{value:.2f}%"
    if column.kind == "ratio":
        return f"{value:.4f}"
    return printable(str(value))  # a layer's or a network's name, from a spec


def _cells(table: Table) -> list[list[str]]:
    return [[_cell(c, row[c.key]) for c in table.columns] for row in table.rows]


def _title_and_notes(table: Table) -> tuple[str, list[str]]:
    """The title and notes as text shows them: a network's name from a spec, its control characters escaped."""
    return printable(table.title), [printable(note) for note in table.notes]


def _align(table: Table) -> str:
    return "".join("l" if c.kind == "text" and c.key not in ("m", "n", "df") else "r" for c in table.columns)


def render_text(table: Table, context: dict[str, Any] | None = None) -> str:
    body = format_table([c.header for c in table.columns], _cells(table), _align(table))
    title, notes = _title_and_notes(table)
    lines = "".join(f"\n{note}" for note in notes)
    return f"{title}\n\n{body}\n{lines}\n" if lines else f"{title}\n\n{body}\n"


def _tabulate(table: Table, fmt: str) -> str:
    from tabulate import tabulate

    align = ["left" if a == "l" else "right" for a in _align(table)]
    return tabulate(_cells(table), headers=[c.header for c in table.columns], tablefmt=fmt,
                    colalign=align, disable_numparse=True)


def render_markdown(table: Table, context: dict[str, Any] | None = None) -> str:
    title, notes = _title_and_notes(table)
    lines = "".join(f"\n- {note}" for note in notes)
    return f"### {title}\n\n{_tabulate(table, 'github')}\n{lines}\n"


def render_latex(table: Table, context: dict[str, Any] | None = None) -> str:
    return _tabulate(table, "latex_booktabs") + "\n"


def render_csv(table: Table, context: dict[str, Any] | None = None) -> str:
    """A row per row of the table; with a context (the network a table is of), its model, family, spec,
    convention and scaling on every row."""
    from .csvrows import CsvRows

    extra = dict(context or {})
    if extra:
        scaling = extra.pop("scaling", None) or {}
        extra.update({key: scaling.get(key) for key in ("width", "resolution", "depth")})
    rows = CsvRows()
    lines = [rows.row([*(c.key for c in table.columns), *extra])]
    lines += [rows.row([*(row[c.key] for c in table.columns), *extra.values()]) for row in table.rows]
    return "".join(lines)


TABLE_SCHEMA_VERSION = 1  # docs/output.md: `costnet table -f json`


def to_json_data(table: Table, context: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"schema_version": TABLE_SCHEMA_VERSION, "kind": table.kind, "title": table.title,
                            **(context or {}),
                            "columns": [{"key": c.key, "header": c.header} for c in table.columns],
                            "rows": [dict(row) for row in table.rows], "notes": list(table.notes)}
    data.update(table.extra)
    return data


def render_json(table: Table, context: dict[str, Any] | None = None) -> str:
    return dumps(to_json_data(table, context))


TABLE_FORMATS: dict[str, Callable[[Table, dict[str, Any] | None], str]] = {
    "table": render_text,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "latex": render_latex,
}
