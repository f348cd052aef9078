"""The Python API: load a network, scale it, analyze it. The CLI and the studies go through these too."""

from __future__ import annotations

import os

from .analysis.analyzer import Analysis, analyze as analyze_graph
from .analysis.conventions import CONVENTIONS, DEFAULT_CONVENTION
from .analysis.memory import DEFAULT_DTYPE, DTYPES
from .errors import UsageError
from .frontends.spec import loader
from .frontends.spec import spec as spec_format
from .frontends.spec.build import build
from .frontends.sources import is_onnx, piped
from .frontends.spec import scaling
from .frontends.spec.spec import Spec
from .graph.network import Graph

__all__ = ["analyze", "build_graph", "load", "parse_spec", "read_onnx", "scale"]


def load(spec: str | os.PathLike) -> Spec | Graph:
    """A spec from a path, or from the name of a bundled spec ("mixnet_m"); an ONNX file's graph (`.onnx`,
    as read_onnx reads it)."""
    if not isinstance(spec, (str, os.PathLike)):
        raise UsageError(f"load() takes a path or a bundled spec's name, got {type(spec).__name__}")
    if is_onnx(spec):
        return read_onnx(spec)
    given = piped(spec)  # `-` or a pipe: an ONNX model or a spec's text, by its bytes
    if given is not None and given.model is not None:
        from .frontends.onnx.convert import graph_of_model

        return graph_of_model(given.model, given.file)
    return loader.load(spec, given.data if given is not None else None)


def read_onnx(path: str | os.PathLike, input_shape: tuple[int, int, int, int] | None = None,
              allow_unknown: bool = False) -> Graph:
    """The graph of an ONNX file, without the onnx package. `input_shape` (N, C, H, W) replaces the file's
    input shape (needed where it is dynamic); `allow_unknown` keeps operators costnet cannot cost as rows of
    zero cost (listed in every output) instead of refusing the file."""
    from .frontends.onnx.convert import read_onnx as read

    if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str):
        raise UsageError(f"read_onnx() takes the path of an ONNX file (a str or os.PathLike), got "
                         f"{type(path).__name__}")
    if input_shape is not None:
        if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 4
                and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in input_shape)):
            raise UsageError(f"input_shape must be four positive integers (N, C, H, W), got {input_shape!r}")
        input_shape = tuple(input_shape)
    return read(os.fspath(path), input_shape, bool(allow_unknown))


def scale(spec: Spec, width: float | None = None, resolution: int | None = None,
          depth: float | None = None) -> Spec:
    """The spec at a width multiplier, input resolution and depth multiplier; None keeps the spec's own, or
    for a spec already scaled the values it was scaled to (so scale() composes)."""
    if isinstance(spec, Graph):
        raise UsageError("scale() scales a spec; a graph (from ONNX) is costed as it is")
    return scaling.scale(spec, width=width, resolution=resolution, depth=depth)


def parse_spec(text: str, file: str = "<string>") -> Spec:
    """A spec from YAML text; `file` is the name its errors give."""
    if not isinstance(text, str) or not isinstance(file, str):
        raise UsageError("parse_spec() takes the spec's YAML text and a file name, both strings")
    return spec_format.parse_spec(text, file)


def build_graph(network: Spec | Graph) -> Graph:
    """The graph of a spec (scaled to its own defaults if it is not scaled yet), or the graph itself."""
    if isinstance(network, Graph):
        return network
    if not isinstance(network, Spec):
        raise UsageError(f"expected a Spec (costnet.load) or a Graph, got {type(network).__name__}")
    return build(network if network.scaling is not None else scaling.scale(network))


def analyze(network: Spec | Graph, convention: str = DEFAULT_CONVENTION, dtype: str = DEFAULT_DTYPE) -> Analysis:
    """Per-layer costs of a spec or a graph under a counting convention (`paper`, `torch`, …), with memory in
    bytes of `dtype` (`fp32`, `fp16`, `bf16`, `int8`)."""
    if not isinstance(convention, str) or convention not in CONVENTIONS:
        raise UsageError(f"unknown convention {convention!r}; valid: {', '.join(CONVENTIONS)}")
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise UsageError(f"unknown dtype {dtype!r}; valid: {', '.join(DTYPES)}")
    return analyze_graph(build_graph(network), convention, dtype)
