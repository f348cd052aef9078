"""What a command analyses: a spec (a path, `-`, or a bundled name) scaled by the command line's options."""

from __future__ import annotations


def analysis_of(spec: str, width=None, resolution=None, depth=None, convention: str = "paper",
                dtype: str = "fp32"):
    from ..api import analyze, load, scale

    return analyze(scale(load(spec), width=width, resolution=resolution, depth=depth), convention, dtype)


def variant_analysis(text: str, convention: str, dtype: str):
    """SPEC or SPEC@WIDTH[,RESOLUTION], as `diff` and `compare` take them."""
    from ..studies.points import parse_variant

    name, width, resolution = parse_variant(text)
    return analysis_of(name, width, resolution, None, convention, dtype)
