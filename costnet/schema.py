"""Typed fields read from located YAML, with errors that say where, what is wrong, and what is valid.

Layer types, block types, the spec's top level and budget files all declare their fields as `Field`s; the
same declarations produce the validation, the error messages and the generated documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .errors import Origin, SpecError
from .limits import MAX_INTEGER, MAX_KERNEL_SIZES, MAX_NUMBER, MAX_RESOLUTION, is_finite_number, is_integer
from .yamlsource import YMap, YNode, YScalar, YSeq

REQUIRED = object()


def positive_int(node: YNode, path: str) -> int:
    value = scalar(node, path)
    if not is_integer(value) or not 0 < value <= MAX_INTEGER:
        raise SpecError(f"must be an integer from 1 to {MAX_INTEGER:,} (got {_shown(value)})", node.origin.at(path))
    return int(value)


def pixels(node: YNode, path: str) -> int:
    """An input resolution: a whole number of pixels, 1 to MAX_RESOLUTION (what scaling takes too)."""
    value = scalar(node, path)
    if not is_integer(value) or not 0 < value <= MAX_RESOLUTION:
        raise SpecError(f"must be a whole number of pixels from 1 to {MAX_RESOLUTION:,} (got {_shown(value)})",
                        node.origin.at(path))
    return int(value)


def non_negative_int(node: YNode, path: str) -> int:
    value = scalar(node, path)
    if not is_integer(value) or not 0 <= value <= MAX_INTEGER:
        raise SpecError(f"must be an integer from 0 to {MAX_INTEGER:,} (got {_shown(value)})", node.origin.at(path))
    return int(value)


def _shown(value: Any) -> str:
    """A rejected value as the message shows it: repr, cut short (an integer of 5,000 digits, a long string)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long for str() (Python's 4,300-digit limit)
        return "an integer of more than 4,300 digits"
    return text if len(text) <= 40 else f"{text[:37]}..."


@dataclass(frozen=True)
class TableRef:
    """A width looked up in the spec's per-width channel table (`out: {table: stage2}`)."""

    name: str
    origin: Origin


@dataclass(frozen=True)
class InputMultiple:
    """A width that is a multiple of the layer's input width (`out: {times_input: 6}`: torchvision
    MobileNetV3's last 1×1 convolution, 6 × the last block's width at every α)."""

    factor: int
    origin: Origin


def channels(node: YNode, path: str) -> int | TableRef | InputMultiple:
    """A channel count: a positive integer, `{table: NAME}` for the spec's per-width table, or
    `{times_input: K}`, K times the layer's input channels."""
    if isinstance(node, YMap):
        if set(node.items) == {"table"}:
            return TableRef(text(node.items["table"], f"{path}.table"), node.origin.at(path))
        if set(node.items) == {"times_input"}:
            return InputMultiple(positive_int(node.items["times_input"], f"{path}.times_input"), node.origin.at(path))
        raise SpecError("a width is an integer, `{table: NAME}` or `{times_input: K}`", node.origin.at(path))
    return positive_int(node, path)


def positive_number(node: YNode, path: str) -> float:
    value = scalar(node, path)
    if not is_finite_number(value) or not 0 < value <= MAX_NUMBER:
        raise SpecError(f"must be a number above 0, at most {MAX_NUMBER:,} (got {_shown(value)})", node.origin.at(path))
    return value


def non_negative_number(node: YNode, path: str) -> float:
    value = scalar(node, path)
    if not is_finite_number(value) or not 0 <= value <= MAX_NUMBER:
        raise SpecError(f"must be a number from 0 to {MAX_NUMBER:,} (got {_shown(value)})", node.origin.at(path))
    return value


def fraction(node: YNode, path: str) -> float:
    value = scalar(node, path)
    if not is_finite_number(value) or not 0 <= value < 1:
        raise SpecError(f"must be a number in [0, 1) (got {_shown(value)})", node.origin.at(path))
    return value


def boolean(node: YNode, path: str) -> bool:
    value = scalar(node, path)
    if not isinstance(value, bool):
        raise SpecError(f"must be true or false (got {_shown(value)})", node.origin.at(path))
    return value


def text(node: YNode, path: str) -> str:
    """A name, a source or a note, as written: `name: 1:20` is "1:20", not YAML 1.1's 80."""
    value = scalar(node, path)
    if value is None or isinstance(value, bytes) or value == "":
        raise SpecError(f"must be a non-empty string (got {value!r})", node.origin.at(path))
    return written(node, path)


def written(node: YNode, path: str) -> str:
    """A scalar's text as written in the file (YAML 1.1 reads a plain `012` as 10, `yes` as True)."""
    value = scalar(node, path)
    if node.style is None and node.text is not None:
        return node.text
    return str(value)


def padding(node: YNode, path: str) -> str | int:
    """'same', 'valid', or an explicit number of pixels on each side (PyTorch's `padding=`)."""
    value = scalar(node, path)
    if value in ("same", "valid") or (is_integer(value) and 0 <= value <= MAX_INTEGER):
        return value
    raise SpecError(f"must be 'same', 'valid' or an integer from 0 to {MAX_INTEGER:,} (got {_shown(value)})",
                    node.origin.at(path))


def kernel_list(node: YNode, path: str) -> tuple[int, ...]:
    """One kernel size, or a list of them (one per channel group of a mixed convolution)."""
    if isinstance(node, YSeq):
        if not node.items:
            raise SpecError("must list at least one kernel size", node.origin.at(path))
        if len(node.items) > MAX_KERNEL_SIZES:  # each is costed at every repeat: 30,000 kernels × 100 took 18 s
            raise SpecError(f"lists {len(node.items):,} kernel sizes; a mixed convolution takes at most "
                            f"{MAX_KERNEL_SIZES}", node.origin.at(path))
        return tuple(positive_int(item, f"{path}[{i}]") for i, item in enumerate(node.items))
    return (positive_int(node, path),)


def choice(*options: str) -> Callable[[YNode, str], str]:
    def read(node: YNode, path: str) -> str:
        value = scalar(node, path)
        if value is None:
            value = "none"
        if value not in options:
            raise SpecError(f"unknown value {_shown(value)}", node.origin.at(path), _valid(value, options))
        return value

    read.options = options  # type: ignore[attr-defined]
    return read


def scalar(node: YNode, path: str) -> Any:
    if not isinstance(node, YScalar):
        kind = "a list" if isinstance(node, YSeq) else "a mapping"
        raise SpecError(f"must be a single value, not {kind}", node.origin.at(path))
    return node.value


def mapping(node: YNode, path: str) -> YMap:
    if not isinstance(node, YMap):
        kind = "a list" if isinstance(node, YSeq) else f"the value {node.value!r}"
        raise SpecError(f"must be a mapping of fields, not {kind}", node.origin.at(path))
    return node


def sequence(node: YNode, path: str) -> YSeq:
    if not isinstance(node, YSeq):
        raise SpecError("must be a list", node.origin.at(path))
    return node


def _valid(got: Any, options: tuple[str, ...] | list[str]) -> str:
    import difflib  # only on the error path

    close = difflib.get_close_matches(str(got), list(options), n=1)
    prefix = f"did you mean {close[0]!r}? " if close else ""
    return f"{prefix}valid: {', '.join(options)}"


@dataclass(frozen=True)
class Field:
    name: str
    read: Callable[[YNode, str], Any]
    doc: str
    default: Any = REQUIRED
    channels: bool = False  # a channel count that the width multiplier scales
    type_label: str | None = None  # for the docs, where the reader's name does not say it

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def type_name(self) -> str:
        if self.type_label:
            return self.type_label
        options = getattr(self.read, "options", None)
        if options:
            return " / ".join(options)
        return _TYPE_NAMES.get(self.read, self.read.__name__)


_TYPE_NAMES = {
    positive_int: "integer > 0",
    pixels: f"integer, 1 to {MAX_RESOLUTION:,}",
    non_negative_int: "integer ≥ 0",
    positive_number: "number > 0",
    non_negative_number: "number ≥ 0",
    fraction: "number in [0, 1)",
    boolean: "true / false",
    text: "string",
    kernel_list: "integer or list of integers",
    channels: "integer > 0, {table: NAME} or {times_input: K}",
    padding: "same / valid / integer ≥ 0",
    mapping: "mapping",
    sequence: "list",
}


def read_fields(node: YMap, fields: dict[str, Field], path: str, what: str,
                ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Read `fields` from a mapping: unknown keys are rejected with a suggestion, required ones demanded."""
    for key, key_origin in node.key_origins.items():
        if key not in fields and key not in ignore:
            valid = sorted(set(fields) | ignore)
            raise SpecError(f"unknown field {key!r} for {what}", key_origin.at(_join(path, key)),
                            _valid(key, valid))
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in node.items:
            values[name] = field.read(node.items[name], _join(path, name))
        elif field.required:
            raise SpecError(f"missing required field {name!r} for {what} ({field.doc})",
                            node.origin.at(path))
        else:
            values[name] = field.default
    return values


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
