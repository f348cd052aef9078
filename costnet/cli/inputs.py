"""What a command analyses: a spec (a path, `-`, or a bundled name) scaled by the command line's options, or
an ONNX file (`.onnx`) as exported."""

from __future__ import annotations


def analysis_of(spec: str, width=None, resolution=None, depth=None, convention: str = "paper",
                dtype: str = "fp32", input_shape=None, allow_unknown: bool = False):
    from ..api import analyze
    from ..frontends.sources import read_graph

    graph = read_graph(spec, width=width, resolution=resolution, depth=depth, input_shape=input_shape,
                       allow_unknown=allow_unknown)
    return analyze(graph, convention, dtype)


def variant_analysis(text: str, convention: str, dtype: str, input_shape=None, allow_unknown: bool = False):
    """SPEC or SPEC@WIDTH[,RESOLUTION], as `diff` and `compare` take them; or an ONNX file."""
    from ..frontends.sources import is_onnx
    from ..studies.points import parse_variant

    if is_onnx(text):
        return analysis_of(text, convention=convention, dtype=dtype, input_shape=input_shape,
                           allow_unknown=allow_unknown)
    name, width, resolution = parse_variant(text)
    return analysis_of(name, width, resolution, None, convention, dtype, input_shape, allow_unknown)
