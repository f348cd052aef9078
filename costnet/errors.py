"""The errors costnet reports to users, and the exit codes the CLI maps them to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    OVER_BUDGET = 1  # `costnet check`: a limit is exceeded
    DIFFERENT = 1  # `costnet diff --exit-code`: A and B differ; `costnet verify`: the spec is not the model
    BAD_INPUT = 2


@dataclass(frozen=True)
class Origin:
    """Where a value came from: a file, a 1-based line and column, and the field path inside the spec; or, for
    a graph read from ONNX (line 0), the node of the graph."""

    file: str
    line: int
    column: int
    path: str = ""
    node: str = ""  # the ONNX node

    def at(self, path: str) -> "Origin":
        return Origin(self.file, self.line, self.column, path, self.node)

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return f"{self.file} (node {self.node})" if self.node else self.file


class CostnetError(Exception):
    """Base of every error that is not a bug (the user's input, an output that cannot be written): the CLI prints
    it and exits 2."""

    exit_code = ExitCode.BAD_INPUT


class SpecError(CostnetError):
    """A spec (or budget file) that is malformed or describes an impossible network."""

    def __init__(self, message: str, origin: Origin | None = None, hint: str | None = None,
                 source_line: str | None = None, source_column: int | None = None):
        self.message = message
        self.origin = origin
        self.hint = hint
        # The line of the file at `origin`, shortened and with control characters escaped (safe to print), and
        # the 1-based position in it of the column, where a terminal can show a caret under the problem.
        self.source_line = source_line
        self.source_column = source_column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        field = f"{self.origin.path}: " if self.origin and self.origin.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


class UsageError(CostnetError):
    """A command-line value that cannot be used (a width of -1, an unknown spec name)."""


class StandardOutputError(CostnetError):
    """Standard output that cannot be written: a closed pipe (`| head -1`), a full disk, a closed descriptor."""

    def __init__(self, reason: str):
        super().__init__(f"cannot write to standard output: {reason}")
