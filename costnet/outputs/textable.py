"""Plain aligned columns for terminal output.

tabulate renders the Markdown and LaTeX forms; the default terminal table is this small function because
importing tabulate (which loads importlib.metadata) and its first call cost more than the whole analysis.
"""

from __future__ import annotations

from typing import Sequence

from ..units import printable


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    """`align` has one letter per column: l(eft) or r(ight). Cells must already be strings; control characters
    in them are escaped, so a name from a spec can never break a row in two."""
    headers = [printable(h) for h in headers]
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = (cell.rjust(w) if a == "r" else cell.ljust(w) for cell, w, a in zip(cells, widths, align))
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)])
