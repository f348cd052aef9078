"""Which front end reads a network: an ONNX file (`.onnx`) or a YAML spec (a path, `-`, or a bundled name).

Both give the same frozen graph; the options that only one of them understands are refused for the other
with a line that says what to use instead.
"""

from __future__ import annotations

import os

from ..errors import UsageError
from ..graph.network import Graph

ONNX_SUFFIX = ".onnx"


def is_onnx(source: str | os.PathLike) -> bool:
    return os.fspath(source).lower().endswith(ONNX_SUFFIX)


def read_graph(source: str | os.PathLike, *, width: float | None = None, resolution: int | None = None,
               depth: float | None = None, input_shape: tuple[int, ...] | None = None,
               allow_unknown: bool = False) -> Graph:
    """The graph of `source`: a spec scaled by width, resolution and depth, or an ONNX graph as exported (its
    input replaced by `input_shape`, N×C×H×W, if given)."""
    if is_onnx(source):
        scaling = [name for name, value in (("width", width), ("resolution", resolution), ("depth", depth))
                   if value is not None]
        if scaling:
            raise UsageError(f"{source}: {' and '.join(scaling)} {'scales' if len(scaling) == 1 else 'scale'} a spec; "
                             "an ONNX graph is costed as exported "
                             "(--input-shape N,C,H,W sets its input)")
        from .onnx.convert import read_onnx

        return read_onnx(source, input_shape, allow_unknown)
    if input_shape is not None:
        raise UsageError(f"{source}: --input-shape is for ONNX files; a spec's input size is --resolution")
    if allow_unknown:
        raise UsageError(f"{source}: --allow-unknown is for ONNX files; a spec holds only layers costnet costs")
    from ..api import build_graph, load, scale

    return build_graph(scale(load(source), width=width, resolution=resolution, depth=depth))


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
