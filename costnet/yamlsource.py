"""Safe YAML with a place on every value, from files that may be hostile.

`yaml.safe_load` forgets where values came from and silently keeps the last of two duplicate keys. Here the
document is composed with the safe loader (nothing in it is ever constructed as a Python object beyond plain
scalars), and every mapping, list and scalar keeps its file, line and column, so later stages can report
`file:line:col: path: problem`.

Specs come from pull requests, so every bound is checked before the work it bounds: the file's size before it
is read, its characters, nesting depth and number of values before it is composed (both of PyYAML's composers
recurse: PyYAML's own raises RecursionError at a few hundred levels, libyaml's crashes the process at some
thousands unless libyaml itself stops at 1,000, as 0.2.6 does), and the size of what aliases expand to while
it is converted. Whatever PyYAML raises becomes a located SpecError.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import yaml

from .errors import Origin, SpecError, UsageError
from .inputfiles import FifoWithoutWriter, TooLarge, read_bytes
from .yamlsyntax import located, position, shown, syntax_error

# libyaml's parser when PyYAML was built with it (several times faster); both keep line and column marks.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_SOURCE_BYTES = 16 * 2**20  # the largest bundled spec is 10 KB
# The deepest bundled spec nests 9 levels (ShuffleNetV2 with `parallel` blocks); each `parallel` inside a
# `parallel` adds 3. 64 leaves room for some 18 nested `parallel`s, and keeps the composers' and the
# converter's recursion far from any limit.
MAX_DEPTH = 64
MAX_NODES = 100_000  # far above any real network (DenseNet-121's spec has under 1,000); stops alias bombs
MAX_NUMBER_CHARS = 1000  # beyond this, converting a number is slow (1:2:3:… is base 60) or unprintable

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_NUMBER_TAGS = {"tag:yaml.org,2002:int": "an integer", "tag:yaml.org,2002:float": "a number"}
_KINDS = {**_NUMBER_TAGS, "tag:yaml.org,2002:bool": "true or false", "tag:yaml.org,2002:timestamp": "a date",
          "tag:yaml.org,2002:binary": "base64 data"}
# Exceptions SafeConstructor raises on a scalar it cannot read: `!!int abc` (ValueError), `!!int ''`
# (IndexError), `!!bool x` (KeyError), `!!timestamp x` (AttributeError), a bad `!!binary` (ConstructorError).
_UNREADABLE = (yaml.YAMLError, ValueError, TypeError, ArithmeticError, LookupError, AttributeError)


@dataclass(frozen=True)
class YScalar:
    value: Any
    origin: Origin
    # As written (the content of the quotes for a quoted scalar): YAML 1.1 reads a plain `1:20` as 80, `012`
    # as 10, `yes` as True, and a name must stay as written. None for a scalar not read from a file.
    text: str | None = None
    style: str | None = None  # None for a plain scalar, else the quote (' or ") or block indicator (| or >)


@dataclass(frozen=True)
class YSeq:
    items: tuple["YNode", ...]
    origin: Origin


@dataclass(frozen=True)
class YMap:
    items: dict[str, "YNode"]
    key_origins: dict[str, Origin]
    origin: Origin


YNode = Union[YScalar, YSeq, YMap]


def read_source(path: str | Path, what: str) -> str:
    """The text of a spec, budget or baseline file; `what` names the file in messages. A file larger than
    MAX_SOURCE_BYTES, or not UTF-8, or that cannot be read, is a one-line UsageError."""
    data = read_source_bytes(path, what, MAX_SOURCE_BYTES)
    if len(data) > MAX_SOURCE_BYTES:
        raise _too_large(what, "more")
    return decode_source(data, what)


def read_source_bytes(path: str | Path, what: str, limit: int) -> bytes:
    """The bytes of a file, at most limit + 1 of them (more than `limit` means the file is larger: the caller
    says so). A regular file larger than MAX_SOURCE_BYTES is refused before it is read when `limit` is that;
    a FIFO with no writer is refused at once, never waited for."""
    try:
        data = read_bytes(path, limit)
    except TooLarge as exc:
        raise _too_large(what, f"{exc.size:,} bytes") if limit == MAX_SOURCE_BYTES else \
            UsageError(f"{what}: {exc.size:,} bytes, over the limit of {limit:,}") from None
    except FifoWithoutWriter:
        raise UsageError(FifoWithoutWriter.message(what)) from None
    except FileNotFoundError:
        raise UsageError(f"{what}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{what}: is a directory, not a file") from None
    except OSError as exc:
        raise UsageError(f"{what}: cannot read: {exc.strerror or exc}") from None
    except ValueError:  # open() of a name with a NUL (only the Python API can pass one)
        raise UsageError(f"{what}: a file name cannot contain a NUL character") from None
    return data


def decode_source(data: bytes, what: str, also: str = "") -> str:
    """`data` as UTF-8 text; else a one-line UsageError naming the first byte that is not (then `also`)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what}: not a text file (UTF-8 expected; byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start:,} is not UTF-8){also}") from None


def _too_large(what: str, size: str) -> UsageError:
    return UsageError(f"{what}: larger than the {MAX_SOURCE_BYTES // 2**20} MiB costnet reads ({size}); a spec "
                      "is a few kilobytes")


def parse_yaml(text: str, file: str) -> YNode:
    """Parse one YAML document into located nodes; any YAML problem becomes a one-line SpecError with its
    place (and, for a terminal, the source line: `SpecError.source_line`)."""
    if len(text) > MAX_SOURCE_BYTES:
        raise SpecError(f"the document is larger than {MAX_SOURCE_BYTES // 2**20} MiB", Origin(file, 1, 1))
    _check_characters(text, file)
    text = text.removeprefix("\ufeff")  # libyaml counts marks' indices without it, PyYAML with it
    try:
        _check_shape(text, file)
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise SpecError("the file is empty; expected a mapping with `version: 1`", Origin(file, 1, 1))
            return _Converter(loader, text, file).convert(node, 1)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(exc, text, file) from None
    except yaml.YAMLError as exc:  # a ReaderError that _check_characters did not foresee
        raise SpecError(f"YAML error: {shown(str(exc), 200)}", Origin(file, 1, 1)) from None
    except RecursionError:  # a backstop: the bounds above keep every recursion shallow
        raise SpecError("the document is nested too deeply", Origin(file, 1, 1)) from None


def _check_characters(text: str, file: str) -> None:
    """The characters neither YAML parser accepts (NUL and other controls, U+FFFE, lone surrogates), found
    here so that both loaders report them alike and with a line and column; and a byte-order mark anywhere
    but at the start, which libyaml rejects as a syntax error and PyYAML keeps as part of a key."""
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    misplaced_bom = text.find("\ufeff", 1)
    if bad is None and misplaced_bom < 0:
        return
    index = bad.start() if bad else misplaced_bom
    if misplaced_bom >= 0 and (bad is None or misplaced_bom < index):
        index, problem = misplaced_bom, "a byte-order mark (U+FEFF) is allowed only at the start of the file"
    else:
        char = text[index]
        name = unicodedata.name(char, None) or _UNNAMED.get(unicodedata.category(char), "unassigned")
        problem = f"the character U+{ord(char):04X} ({name}) is not allowed in YAML; a spec is a text file"
    line, column = position(text, index)
    # Not quoted: such a file may be no spec at all but a link to one that holds secrets (/proc/self/environ).
    raise SpecError(problem, Origin(file, line + 1, column + 1))


_UNNAMED = {"Cc": "a control character", "Cs": "half of a surrogate pair", "Cn": "a noncharacter"}


def _check_shape(text: str, file: str) -> None:
    """Walk the event stream (an iteration, never a recursion) and refuse, before anything is composed, a
    document nested deeper than MAX_DEPTH, with more than MAX_NODES values, or more than one document."""
    depth = nodes = documents = 0
    loader = _SafeLoader(text)
    try:
        event = loader.get_event()
        while type(event) is not yaml.StreamEndEvent:
            kind = type(event)
            if kind in _NODE_EVENTS:
                nodes += 1
                if nodes > MAX_NODES:
                    raise _event_error(f"the document has more than {MAX_NODES:,} values; a spec has a few "
                                       "hundred", event, text, file)
                if kind in _OPENING_EVENTS:
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _event_error(f"lists and mappings are nested more than {MAX_DEPTH} levels deep; a "
                                           "spec needs about 10", event, text, file)
            elif kind in _CLOSING_EVENTS:
                depth -= 1
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _event_error("one YAML document expected, but a second one starts here; remove the "
                                       "`---` or `...` line", event, text, file)
            event = loader.get_event()
    finally:
        loader.dispose()


_OPENING_EVENTS = {yaml.SequenceStartEvent, yaml.MappingStartEvent}
_CLOSING_EVENTS = {yaml.SequenceEndEvent, yaml.MappingEndEvent}
_NODE_EVENTS = {yaml.ScalarEvent, yaml.AliasEvent} | _OPENING_EVENTS


def _event_error(message: str, event: yaml.Event, text: str, file: str) -> SpecError:
    return located(message, text, file, event.start_mark)


class _Converter:
    """Composed YAML nodes → located nodes. Aliases are expanded, so a recursive alias and an "alias bomb"
    (a few lines that expand to millions of nodes) are errors, not a hang; so is an alias chain whose
    expansion nests deeper than MAX_DEPTH."""

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, text: str, file: str):
        self.loader = loader
        self.text = text
        self.file = file
        self.count = 0
        self.active: set[int] = set()

    def error(self, message: str, node: yaml.Node) -> SpecError:
        return located(message, self.text, self.file, node.start_mark)

    def convert(self, node: yaml.Node, depth: int) -> YNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.error(f"the document expands to more than {MAX_NODES:,} values (aliases expanding "
                             "aliases?)", node)
        if isinstance(node, yaml.ScalarNode):
            return YScalar(self._scalar(node), _origin(self.file, node), node.value, _style(node))
        if id(node) in self.active:
            raise self.error("a YAML alias refers to a list or mapping that contains it", node)
        if depth > MAX_DEPTH:
            raise self.error(f"aliases expand to lists and mappings nested more than {MAX_DEPTH} levels deep",
                             node)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, depth)
            return self._mapping(node, depth)
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag in (_VALUE_TAG, _MERGE_TAG):  # YAML 1.1's `=` and `<<` mean something only as keys
            return node.value
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            raise self.error(f"a number of {len(node.value):,} characters (at most {MAX_NUMBER_CHARS:,})", node)
        try:
            return self.loader.construct_object(node, deep=True)
        except _UNREADABLE as exc:
            raise self._unreadable(node, exc) from None

    def _unreadable(self, node: yaml.ScalarNode, exc: Exception) -> SpecError:
        if node.tag not in _KINDS:
            problem = getattr(exc, "problem", None) or str(exc)
            return self.error(f"unsupported YAML value: {shown(problem, 120)}", node)
        reason = f" ({shown(str(exc), 80)})" if isinstance(exc, ValueError) else ""
        message = f"'{shown(node.value)}' is not {_KINDS[node.tag]}{reason}"
        if self._implicit(node):
            message = f"YAML reads '{shown(node.value)}' as {_KINDS[node.tag]}, and it is not one{reason}; put " \
                      "it in quotes if it is text"
        return self.error(message, node)

    def _implicit(self, node: yaml.ScalarNode) -> bool:
        """Whether the node's tag is what YAML resolves its text to (rather than a tag written in the file)."""
        plain = _style(node) is None
        return self.loader.resolve(yaml.ScalarNode, node.value, (plain, not plain)) == node.tag

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> YSeq:
        if node.tag != _SEQ_TAG:
            raise self.error(f"unsupported YAML tag {_tag(node.tag)} on a list", node)
        return YSeq(tuple(self.convert(item, depth + 1) for item in node.value), _origin(self.file, node))

    def _mapping(self, node: yaml.MappingNode, depth: int) -> YMap:
        if node.tag != _MAP_TAG:
            raise self.error(f"unsupported YAML tag {_tag(node.tag)} on a mapping", node)
        items: dict[str, YNode] = {}
        key_origins: dict[str, Origin] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if not key.isprintable():  # a key is a name, and goes into every message's field path
                raise self.error(f"the key '{shown(key)}' holds a control or invisible character", key_node)
            key_origin = _origin(self.file, key_node)
            if key in items:
                first = key_origins[key]
                raise self.error(f"duplicate key '{shown(key)}' (first given at line {first.line})", key_node)
            items[key] = self.convert(value_node, depth + 1)
            key_origins[key] = key_origin
        return YMap(items, key_origins, _origin(self.file, node))

    def _key(self, node: yaml.Node) -> str:
        """A mapping key as a string: numbers as Python prints them (`1.0` and `1.00` are one width of a
        table), true/false and dates as written."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.error("mapping keys must be plain names", node)
        if node.tag == _MERGE_TAG:
            raise self.error("YAML merge keys (`<<`) are not supported; write the fields out", node)
        if not self._implicit(node):
            raise self.error(f"a tag on a mapping key is not supported ({_tag(node.tag)}); write the key "
                             "plainly", node)
        if node.tag == _NULL_TAG:
            raise self.error("a mapping key is missing (empty or null)", node)
        if node.tag == _STR_TAG:
            return node.value
        if node.tag in _NUMBER_TAGS:
            return str(self._scalar(node))
        return node.value


def _style(node: yaml.ScalarNode) -> str | None:
    return node.style or None  # libyaml gives '' for a plain scalar, PyYAML None


def _tag(tag: str) -> str:
    """A tag as it is usually written: `!!int` for tag:yaml.org,2002:int."""
    return shown(tag.replace("tag:yaml.org,2002:", "!!"), 60)


def _origin(file: str, node: yaml.Node) -> Origin:
    mark = node.start_mark
    return Origin(file, mark.line + 1, mark.column + 1)
