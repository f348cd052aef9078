"""CSV a row at a time, for every command's `-f csv`: text cells have their control characters escaped (as in
every other output: a spec's names must not reach a terminal or a log as escape sequences), None is empty."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from ..units import printable


class CsvRows:
    def __init__(self) -> None:
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, lineterminator="\n")

    def row(self, cells: Iterable[Any]) -> str:
        """The CSV line of `cells`."""
        self._writer.writerow(["" if c is None else printable(c) if isinstance(c, str) else c for c in cells])
        text = self._out.getvalue()
        self._out.seek(0)
        self._out.truncate()
        return text
