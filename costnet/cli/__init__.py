"""The `costnet` command: each command parses its options, calls the library, and writes what a renderer
returns. The group and its error handling are in app.py, the options every command shares in options.py, the
commands in a module per group (analysis, studies, check, reference)."""

from __future__ import annotations

from . import analysis, check, reference, studies, verify  # noqa: F401 (registers the commands)
from .analysis import DIFF_FORMAT_NAMES, FORMAT_NAMES, GROUPINGS, TABLE_FORMAT_NAMES, TABLE_KIND_NAMES
from .app import cli, main
from .check import CHECK_FORMAT_NAMES
from .options import NumberList

__all__ = ["CHECK_FORMAT_NAMES", "DIFF_FORMAT_NAMES", "FORMAT_NAMES", "GROUPINGS", "NumberList",
           "TABLE_FORMAT_NAMES", "TABLE_KIND_NAMES", "cli", "main"]
