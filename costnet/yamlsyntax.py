"""YAML errors placed in their source line, on one line each.

A message is one line, because CI logs show one line per error, and a source line is shortened and escaped,
because it comes from a file that may be hostile: no newline, ESC or other control character of it ever
reaches a log or a terminal raw.
"""

from __future__ import annotations

import re

import yaml

from .errors import Origin, SpecError

SNIPPET_CHARS = 80  # of a source line, quoted in a message

# The line breaks of YAML, which both parsers count lines by (not str.splitlines's, which has more).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def escape(text: str) -> str:
    """Every character that is not printable (controls, format characters such as U+202E, line separators,
    spaces other than ' ') as a Python escape: '\\n', '\\t', '\\x1b', '\\u202e'."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def shown(text: str, limit: int = 40) -> str:
    """A value from the file, for a message: escaped, and cut to `limit` characters."""
    return escape(text if len(text) <= limit else text[:limit] + "…")


def line_of(text: str, mark: yaml.Mark) -> str:
    """The line of `text` that holds `mark`, found from the mark's character index (both parsers count it in
    characters), reading that line only: a file may be 16 MiB of line breaks."""
    start = mark.index - mark.column
    end = _LINE_BREAK.search(text, mark.index)
    return text[start:end.start() if end else len(text)]


def position(text: str, index: int) -> tuple[int, int]:
    """The 0-based line and column of character `index` of `text`."""
    line = sum(text.count(brk, 0, index) for brk in _BREAK_CHARS) - text.count("\r\n", 0, index)
    start = max(text.rfind(brk, 0, index) for brk in _BREAK_CHARS) + 1
    return line, index - start


_BREAK_CHARS = ("\n", "\r", "\x85", "\u2028", "\u2029")


def snippet(line: str, column: int) -> tuple[str, int]:
    """`line` cut to SNIPPET_CHARS around `column` (0-based) and escaped, and the 1-based position of that
    column in the result, where a caret goes."""
    start = 0
    if len(line) > SNIPPET_CHARS:
        start = max(0, min(column - SNIPPET_CHARS // 2, len(line) - SNIPPET_CHARS))
    part = line[start:start + SNIPPET_CHARS]
    before = "…" if start else ""
    after = "…" if start + SNIPPET_CHARS < len(line) else ""
    return before + escape(part) + after, len(before) + len(escape(part[:column - start])) + 1


def located(message: str, text: str, file: str, mark: yaml.Mark, column: int | None = None) -> SpecError:
    """A SpecError at `mark` (or at another `column` of its line), carrying the line for a caret display."""
    column = mark.column if column is None else column
    quoted, caret = snippet(line_of(text, mark), column)
    return SpecError(message, Origin(file, mark.line + 1, column + 1), source_line=quoted, source_column=caret)


def syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> SpecError:
    """PyYAML's scanner, parser or composer error, on one line at its place."""
    mark = exc.problem_mark or exc.context_mark
    message = f"YAML syntax error: {escape(exc.problem or exc.context or 'invalid YAML')}"
    return located(message, text, file, mark) if mark else SpecError(message, Origin(file, 1, 1))
