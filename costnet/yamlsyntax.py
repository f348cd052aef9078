"""YAML syntax errors in words a person can act on, each quoting the line it is about.

libyaml and PyYAML's own parser word the same problem differently ("did not find expected key", "expected
<block end>, but found '?'"); both phrasings lead to one explanation. A problem not listed keeps PyYAML's
words. A message is one line, because CI logs show one line per error, and a quoted source line is shortened
and escaped, because it comes from a file that may be hostile: no newline, ESC or other control character of
it ever reaches a log or a terminal raw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

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
    """PyYAML's scanner, parser or composer error as one line: what is wrong, the line quoted, a hint."""
    problem = exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return SpecError(f"YAML syntax error: {escape(problem or exc.context or 'invalid YAML')}", Origin(file, 1, 1))
    seen = _Seen(exc, text)
    explain = next((explain for phrases, explain in _PROBLEMS if any(p in problem for p in phrases)), None)
    explained = explain(seen) if explain and exc.problem_mark else None
    if explained is None:
        explained = _Explained(mark, escape(problem or exc.context or "invalid YAML"))
    content = line_of(text, explained.mark)
    column = explained.mark.column if explained.column is None else explained.column
    message = f"YAML syntax error: {explained.what}"
    if content.strip(" "):
        message += f' (line {explained.mark.line + 1}: "{snippet(content, column)[0]}")'
    if explained.hint:
        message += f"; {explained.hint}"
    return located(message, text, file, explained.mark, column)


@dataclass(frozen=True)
class _Explained:
    mark: yaml.Mark  # where the problem is to be shown
    what: str
    hint: str = ""
    column: int | None = None  # another column of the mark's line, when that says more


@dataclass(frozen=True)
class _Seen:
    """What the parser reported, with the source to read around it."""

    exc: yaml.MarkedYAMLError
    text: str

    @property
    def problem(self) -> yaml.Mark:
        return self.exc.problem_mark

    @property
    def context(self) -> yaml.Mark | None:
        return self.exc.context_mark

    def line(self, mark: yaml.Mark) -> str:
        return line_of(self.text, mark)

    def char(self, mark: yaml.Mark) -> str:
        """The character at `mark`, escaped; '' at the end of a line or of the file."""
        line = self.line(mark)
        return escape(line[mark.column]) if mark.column < len(line) else ""

    def at_line_start(self, mark: yaml.Mark) -> bool:
        return not self.line(mark)[:mark.column].strip()

    def indent(self, mark: yaml.Mark) -> int:
        line = self.line(mark)
        return len(line) - len(line.lstrip(" "))

    def line_above(self, mark: yaml.Mark) -> str | None:
        """The nearest line above the mark's that holds more than a comment, within _LOOK_BACK characters."""
        start = mark.index - mark.column
        for content in reversed(_LINE_BREAK.split(self.text[max(0, start - _LOOK_BACK):start])):
            if content.strip() and not content.lstrip().startswith("#"):
                return content
        return None


_LOOK_BACK = 2**16


def _misplaced_line(seen: _Seen) -> _Explained:
    """A line that fits neither the mapping nor the list around it, or text after a complete value."""
    mark = seen.problem
    if not seen.at_line_start(mark):
        return _Explained(mark, f'"{seen.char(mark)}" cannot follow the value before it',
                          "remove it, or put the whole value in quotes if it is text")
    in_list = seen.context is not None and "block collection" in (seen.exc.context or "")
    if in_list and mark.column == seen.context.column:
        return _Explained(mark, 'this line is at the level of the list items above it, but does not start with '
                          '"-"', 'add "- " to start a new item, or indent it like the fields of the item above')
    return _Explained(mark, "this line is indented differently from the keys above it",
                      'indent it like its siblings, or add the missing "-" of a list item')


def _stray_colon(seen: _Seen) -> _Explained:
    """': ' where no mapping can start: a value holding ': ', or a key indented under one that has a value."""
    mark = seen.problem
    if re.search(r":(\s|$)", seen.line(mark)[:mark.column]):
        return _Explained(mark, 'a value cannot contain ": "', "put the value in quotes")
    start = seen.indent(mark)
    above = seen.line_above(mark)
    if above is not None and start > len(above) - len(above.lstrip(" ")):
        return _Explained(mark, "this line is indented further than the line above it, which already has a value",
                          "indent it like the keys above it; if it continues the value above, put that value in "
                          "quotes", start)
    return _Explained(mark, 'YAML reads this line and the one above it as one value, because the line above has '
                      'no ": "', 'add the missing ": " above, or put a value that spans lines in quotes', start)


def _missing_colon(seen: _Seen) -> _Explained:
    return _Explained(seen.context or seen.problem, 'this key is not followed by ": "',
                      'write "key: value" with a space after the ":", or start a list item with "- "')


def _cannot_start(seen: _Seen) -> _Explained:
    mark = seen.problem
    if seen.char(mark) == "\\t":
        return _Explained(mark, "a tab is used for indentation",
                          "YAML indents with spaces only: replace the tab with spaces")
    return _Explained(mark, f'"{seen.char(mark)}" cannot start a value', "put the value in quotes if it is text")


def _unclosed_quote(seen: _Seen) -> Optional[_Explained]:
    if seen.context is None or "quoted scalar" not in (seen.exc.context or ""):
        return None
    quote = seen.char(seen.context)
    return _Explained(seen.context, f"the {quote} opened here is never closed", f"end the value with {quote}")


def _unclosed_flow(seen: _Seen) -> Optional[_Explained]:
    if seen.context is None:
        return None
    opener = seen.char(seen.context)
    closer = {"[": "]", "{": "}"}.get(opener)
    if closer is None:
        return None
    end = seen.problem
    if not seen.text[end.index:].strip():
        what = f'this "{opener}" is never closed'
    else:
        what = f'this "{opener}" is not closed before line {end.line + 1}, column {end.column + 1}'
    return _Explained(seen.context, what, f'separate its items with "," and end it with "{closer}"')


def _anchor_name(seen: _Seen, mark: yaml.Mark) -> str:
    match = re.match(r"[&*]([^\s,\[\]{}]*)", seen.line(mark)[mark.column:])
    return shown(match.group(1)) if match else ""


def _undefined_alias(seen: _Seen) -> _Explained:
    name = _anchor_name(seen, seen.problem)
    return _Explained(seen.problem, f"*{name} refers to no anchor",
                      f'define "&{name}" on a value above it, or put the value in quotes if "*" is text')


def _duplicate_anchor(seen: _Seen) -> _Explained:
    first = f"it is first defined at line {seen.context.line + 1}; " if seen.context else ""
    return _Explained(seen.problem, f"the anchor &{_anchor_name(seen, seen.problem)} is defined twice",
                      f"{first}give each anchor its own name")


def _anchor_without_name(seen: _Seen) -> _Explained:
    start = seen.context or seen.problem
    indicator = seen.char(start)
    return _Explained(start, f'"{indicator}" must be followed by a name',
                      f'put the value in quotes if "{indicator}" is text')


def _bad_escape(seen: _Seen) -> _Explained:
    mark = seen.problem
    line = seen.line(mark)
    backslash = mark.column if line[mark.column:mark.column + 1] == "\\" else max(mark.column - 1, 0)
    sequence = escape(line[backslash:backslash + 2])
    return _Explained(mark, f'unknown escape "{sequence}" in a double-quoted value',
                      'write a backslash as "\\\\", or put the value in single quotes', backslash)


def _too_deep(seen: _Seen) -> _Explained:
    return _Explained(seen.problem, "lists and mappings are nested too deeply", "a spec needs about 10 levels")


def _top_level_ended(seen: _Seen) -> _Explained:
    return _Explained(seen.problem, "the document's top level ended on a line above, and this line starts "
                      "another value", "a file holds one mapping: check the indentation and brackets of the lines "
                      "above")


# PyYAML's problem, in libyaml's words and in PyYAML's own → the explanation; the first that matches applies.
_PROBLEMS: tuple[tuple[tuple[str, ...], Callable[[_Seen], Optional[_Explained]]], ...] = (
    (("did not find expected key", "did not find expected '-' indicator", "expected <block end>"),
     _misplaced_line),
    (("mapping values are not allowed",), _stray_colon),
    (("could not find expected ':'",), _missing_colon),
    (("cannot start any token", "tab character"), _cannot_start),
    (("did not find expected node content", "expected the node content"), _cannot_start),
    (("found unexpected end of stream", "found unexpected document"), _unclosed_quote),
    (("did not find expected ',' or", "expected ',' or"), _unclosed_flow),
    (("found undefined alias",), _undefined_alias),
    (("second occurrence",), _duplicate_anchor),
    (("expected alphabetic or numeric character",), _anchor_without_name),
    (("found unknown escape character",), _bad_escape),
    (("expected <document start>", "expected '<document start>'"), _top_level_ended),
    (("exceeded maximum nesting depth",), _too_deep),  # libyaml's scanner, at 1,000 levels of `[` or `{`
)
