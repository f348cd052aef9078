"""Safe YAML with a place on every value.

`yaml.safe_load` forgets where values came from and silently keeps the last of two duplicate keys. Here the
document is composed with the safe loader (nothing in it is ever constructed as a Python object beyond plain
scalars), and every mapping, list and scalar keeps its file, line and column, so later stages can report
`file:line:col: path: problem`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import yaml

from .errors import Origin, SpecError, UsageError

# libyaml's parser when PyYAML was built with it (several times faster); both keep line and column marks.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_SOURCE_BYTES = 16 * 2**20  # the largest bundled spec is 10 KB

_MERGE_TAG = "tag:yaml.org,2002:merge"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


@dataclass(frozen=True)
class YScalar:
    value: Any
    origin: Origin


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


def _origin(file: str, node: yaml.Node) -> Origin:
    mark = node.start_mark
    return Origin(file, mark.line + 1, mark.column + 1)


def read_source(path: str | Path, what: str) -> str:
    """The text of a spec, budget or baseline file; `what` names the file in messages. A file larger than
    MAX_SOURCE_BYTES, or not UTF-8, or that cannot be read, is a one-line UsageError."""
    try:
        with open(path, "rb", opener=_open_without_waiting) as handle:
            if _NO_WAIT:
                os.set_blocking(handle.fileno(), True)
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_SOURCE_BYTES:
                raise _too_large(what, f"{size:,} bytes")
            # /dev/zero, FIFOs and /proc files report a size of 0: never read more than one byte past the cap.
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{what}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{what}: is a directory, not a file") from None
    except OSError as exc:
        raise UsageError(f"{what}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise _too_large(what, "more")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what}: not a text file (UTF-8 expected; byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start:,} is not UTF-8)") from None


_NO_WAIT = getattr(os, "O_NONBLOCK", 0)


def _open_without_waiting(path: str, flags: int) -> int:
    # Opening a FIFO that nobody writes to would wait forever; the file is set blocking again once open.
    return os.open(path, flags | _NO_WAIT)


def _too_large(what: str, size: str) -> UsageError:
    return UsageError(f"{what}: larger than the {MAX_SOURCE_BYTES // 2**20} MiB costnet reads ({size}); a spec "
                      "is a few kilobytes")


def parse_yaml(text: str, file: str) -> YNode:
    """Parse one YAML document into located nodes; any YAML problem becomes a SpecError with its place."""
    loader = _SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = Origin(file, mark.line + 1, mark.column + 1) if mark else Origin(file, 1, 1)
            problem = exc.problem or exc.context or "invalid YAML"
            raise SpecError(f"YAML syntax error: {problem}", where) from None
        except yaml.YAMLError as exc:
            raise SpecError(f"YAML error: {exc}", Origin(file, 1, 1)) from None
        if node is None:
            raise SpecError("the file is empty; expected a mapping with `version: 1`", Origin(file, 1, 1))
        return _Converter(loader, file).convert(node)
    finally:
        loader.dispose()


MAX_NODES = 100_000  # far above any real network (DenseNet-121's spec has under 1,000); stops alias bombs


class _Converter:
    """Composed YAML nodes → located nodes. Aliases are expanded, so a recursive alias and an "alias bomb"
    (a few lines that expand to millions of nodes) are errors, not a hang."""

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, file: str):
        self.loader = loader
        self.file = file
        self.count = 0
        self.active: set[int] = set()

    def convert(self, node: yaml.Node) -> YNode:
        origin = _origin(self.file, node)
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError(f"the document expands to more than {MAX_NODES:,} values (aliases expanding "
                            "aliases?)", origin)
        if isinstance(node, yaml.ScalarNode):
            try:
                return YScalar(self.loader.construct_object(node, deep=True), origin)
            except yaml.YAMLError as exc:
                problem = getattr(exc, "problem", None) or str(exc)
                raise SpecError(f"unsupported YAML value: {problem}", origin) from None
        if id(node) in self.active:
            raise SpecError("a YAML alias refers to a list or mapping that contains it", origin)
        self.active.add(id(node))
        try:
            return self._sequence(node, origin) if isinstance(node, yaml.SequenceNode) else self._mapping(node, origin)
        finally:
            self.active.discard(id(node))

    def _sequence(self, node: yaml.SequenceNode, origin: Origin) -> YSeq:
        if node.tag != _SEQ_TAG:
            raise SpecError(f"unsupported YAML tag {node.tag!r} on a list", origin)
        return YSeq(tuple(self.convert(item) for item in node.value), origin)

    def _mapping(self, node: yaml.MappingNode, origin: Origin) -> YMap:
        if node.tag != _MAP_TAG:
            raise SpecError(f"unsupported YAML tag {node.tag!r} on a mapping", origin)
        items: dict[str, YNode] = {}
        key_origins: dict[str, Origin] = {}
        for key_node, value_node in node.value:
            key_origin = _origin(self.file, key_node)
            if key_node.tag == _MERGE_TAG:
                raise SpecError("YAML merge keys (`<<`) are not supported; write the fields out", key_origin)
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError("mapping keys must be plain names", key_origin)
            key = str(self.loader.construct_object(key_node))
            if key in items:
                first = key_origins[key]
                raise SpecError(f"duplicate key {key!r} (first given at line {first.line})", key_origin)
            items[key] = self.convert(value_node)
            key_origins[key] = key_origin
        return YMap(items, key_origins, origin)
