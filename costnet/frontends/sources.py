"""Which front end reads a network: an ONNX file (`.onnx`) or a YAML spec (a path, `-`, or a bundled name).

Both give the same frozen graph; the options that only one of them understands are refused for the other
with a line that says what to use instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import UsageError
from ..graph.network import Graph

ONNX_SUFFIX = ".onnx"
STDIN = "-"


def is_onnx(source: str | os.PathLike) -> bool:
    return os.fspath(source).lower().endswith(ONNX_SUFFIX)


@dataclass(frozen=True)
class Piped:
    """What `-` (standard input) or a pipe (`<(…)`, a FIFO, /dev/stdin) gave, read once: an ONNX model when the
    bytes are one, else the bytes of a spec."""

    what: str  # the source in messages
    file: str  # the source in outputs: "<stdin>" or the path
    data: bytes
    model: object | None  # a wire.Model


def piped(source: str | os.PathLike) -> Piped | None:
    """`source` read whole if it is `-` or a path that is neither a regular file nor a directory (a pipe can be
    read only once, so its bytes decide what it is); None for a file, a directory or a bundled name. Bytes that
    are not UTF-8, or that parse as an ONNX model with a graph, are that model; others are a spec's text."""
    import stat
    import sys

    from ..inputfiles import record_stdin
    from ..limits import MAX_LAYERS
    from ..yamlsource import MAX_SOURCE_BYTES, decode_source, read_source_bytes
    from .onnx import wire
    from .onnx.convert import OnnxError, too_many_nodes

    text = os.fspath(source)
    limit = wire.DEFAULT_MAX_BYTES  # the larger of the two caps; a spec's own is checked once it is known a spec
    if text == STDIN:
        record_stdin()
        what, file, data = "standard input", "<stdin>", sys.stdin.buffer.read(limit + 1)
    else:
        try:
            mode = os.stat(text).st_mode
        except (OSError, ValueError):  # no such path (a bundled name), or one the system refuses
            return None
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            return None
        what, file, data = text, text, read_source_bytes(text, text, limit)
    if len(data) > limit:
        raise UsageError(f"{what}: more than {limit:,} bytes, more than costnet reads of a spec or an ONNX model")
    try:
        model = wire.read_model(data, max_nodes=MAX_LAYERS)
    except wire.TooManyNodes as exc:
        raise OnnxError(too_many_nodes(what, exc.limit)) from None
    except wire.WireError as exc:
        if len(data) > MAX_SOURCE_BYTES:  # no spec is so large: not decoded (no copy of up to 512 MiB made)
            raise UsageError(f"{what}: more than {MAX_SOURCE_BYTES:,} bytes, and not an ONNX model ({exc})") from None
        decode_source(data, what, also=f", nor an ONNX model ({exc})")  # refused unless it is a spec's text
        model = None
    return Piped(what, file, data, model)


def read_graph(source: str | os.PathLike, *, width: float | None = None, resolution: int | None = None,
               depth: float | None = None, input_shape: tuple[int, ...] | None = None,
               allow_unknown: bool = False) -> Graph:
    """The graph of `source`: a spec scaled by width, resolution and depth, or an ONNX graph as exported (its
    input replaced by `input_shape`, N×C×H×W, if given). `-` and pipes may give either."""
    given = None if is_onnx(source) else piped(source)
    if is_onnx(source) or (given is not None and given.model is not None):
        scaling = [name for name, value in (("width", width), ("resolution", resolution), ("depth", depth))
                   if value is not None]
        if scaling:
            raise UsageError(f"{source}: {' and '.join(scaling)} {'scales' if len(scaling) == 1 else 'scale'} a spec; "
                             "an ONNX graph is costed as exported "
                             "(--input-shape N,C,H,W sets its input)")
        from .onnx.convert import graph_of_model, read_onnx

        if given is not None:
            return graph_of_model(given.model, given.file, input_shape, allow_unknown)
        return read_onnx(source, input_shape, allow_unknown)
    if input_shape is not None:
        raise UsageError(f"{source}: --input-shape is for ONNX files; a spec's input size is --resolution")
    if allow_unknown:
        raise UsageError(f"{source}: --allow-unknown is for ONNX files; a spec holds only layers costnet costs")
    from ..api import build_graph, scale
    from .spec import loader

    spec = loader.load(source, given.data if given is not None else None)
    return build_graph(scale(spec, width=width, resolution=resolution, depth=depth))


def parse_input_shape(text: str) -> tuple[int, int, int, int]:
    """ "1,3,224,224" or "1x3x224x224" → (1, 3, 224, 224)."""
    from ..limits import MAX_INTEGER

    parts = text.replace("×", ",").replace("x", ",").split(",")
    try:
        dims = tuple(int(part.strip()) for part in parts)
    except ValueError:
        dims = ()
    if len(dims) != 4 or not all(1 <= d <= MAX_INTEGER for d in dims):
        raise UsageError(f"--input-shape {text!r}: give N,C,H,W as four integers from 1 to {MAX_INTEGER:,}, "
                         "e.g. 1,3,224,224")
    return dims
