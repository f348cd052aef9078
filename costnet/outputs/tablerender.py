"""Render a `tables.Table` as text, Markdown, CSV, JSON or LaTeX. `TABLE_FORMATS` is the registry."""

from __future__ import annotations

from typing import Any, Callable

from .tables import Column, Table
from .jsonout import dumps
from .textable import format_table
from ..units import format_count


def _cell(column: Column, value: Any) -> str:
    if column.kind == "count":
        return format_count(value)
    if column.kind == "share":
        return f"{value:.2f}%"
    if column.kind == "ratio":
        return f"{value:.4f}"
    return str(value)


def _cells(table: Table) -> list[list[str]]:
    return [[_cell(c, row[c.key]) for c in table.columns] for row in table.rows]


def _align(table: Table) -> str:
    return "".join("l" if c.kind == "text" and c.key not in ("m", "n", "df") else "r" for c in table.columns)


def render_text(table: Table) -> str:
    body = format_table([c.header for c in table.columns], _cells(table), _align(table))
    notes = "".join(f"\n{note}" for note in table.notes)
    return f"{table.title}\n\n{body}\n{notes}\n" if notes else f"{table.title}\n\n{body}\n"


def _tabulate(table: Table, fmt: str) -> str:
    from tabulate import tabulate

    align = ["left" if a == "l" else "right" for a in _align(table)]
    return tabulate(_cells(table), headers=[c.header for c in table.columns], tablefmt=fmt,
                    colalign=align, disable_numparse=True)


def render_markdown(table: Table) -> str:
    notes = "".join(f"\n- {note}" for note in table.notes)
    return f"### {table.title}\n\n{_tabulate(table, 'github')}\n{notes}\n"


def render_latex(table: Table) -> str:
    return _tabulate(table, "latex_booktabs") + "\n"


def render_csv(table: Table) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([row[c.key] for c in table.columns])
    return out.getvalue()


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


TABLE_FORMATS: dict[str, Callable[[Table], str]] = {
    "table": render_text,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "latex": render_latex,
}
