"""Variants of networks as points (width, resolution, exact cost, published accuracy): sweeps and comparisons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..analysis.analyzer import Analysis
from ..analysis.memory import DEFAULT_DTYPE
from ..api import analyze
from ..errors import UsageError
from ..frontends.spec.scaling import scale
from ..frontends.spec.spec import Reported, Spec
from ..units import width_text


@dataclass(frozen=True)
class Point:
    """One variant of a network: its exact cost, its peak activation memory, and its published accuracy."""

    model: str
    family: str
    width: float
    resolution: int
    macs: int
    params: int
    activations: int
    top1: float | None
    top5: float | None
    source: str | None  # where top1/top5 were published
    spec: str = ""  # the file analysed
    depth: float = 1.0
    dtype: str = DEFAULT_DTYPE
    weight_bytes: int = 0
    peak_bytes_plain: int = 0  # activation memory at its peak, under each memory model
    peak_bytes_in_place: int = 0

    @property
    def variant(self) -> str:
        """ "1.0-224", "0.75-160": the papers' spelling."""
        return f"{width_text(self.width)}-{self.resolution}"

    @property
    def label(self) -> str:
        return f"{self.model} {self.variant}"


def published_accuracy(spec: Spec, width: float, resolution: int, depth: float | None = None,
                       prefer: str | None = None) -> Reported | None:
    """The first `reported:` entry with a top-1 for this variant whose source contains `prefer`, else the
    first one at all (the order of the spec decides)."""
    depth = spec.depth.multiplier if depth is None else depth
    candidates = [r for r in spec.reported if r.top1 is not None and _variant_of(spec, r) == (width, resolution, depth)]
    preferred = [r for r in candidates if prefer and prefer.lower() in r.source.lower()]
    return (preferred or candidates or [None])[0]


def _variant_of(spec: Spec, r: Reported) -> tuple[float, int, float]:
    return (spec.width.multiplier if r.width is None else r.width,
            spec.input.resolution if r.resolution is None else r.resolution,
            spec.depth.multiplier if r.depth is None else r.depth)


def point(spec: Spec, width: float | None = None, resolution: int | None = None,
          convention: str = "paper", depth: float | None = None, prefer: str | None = None,
          dtype: str = DEFAULT_DTYPE) -> Point:
    result = analyze(scale(spec, width=width, resolution=resolution, depth=depth), convention, dtype)
    return point_of(spec, result, prefer)


def point_of(spec: Spec, result: Analysis, prefer: str | None = None) -> Point:
    """The point of an analysis of `spec` (at whatever scaling it was analysed)."""
    s = result.scaling
    published = published_accuracy(spec, s.width, s.resolution, s.depth, prefer)
    return Point(spec.name, spec.family or spec.name, s.width, s.resolution, result.totals.macs,
                 result.totals.params, result.totals.activations,
                 published.top1 if published else None, published.top5 if published else None,
                 published.source if published else None, spec.file, s.depth, result.dtype, result.weight_bytes,
                 result.peaks["plain"].bytes, result.peaks["in-place"].bytes)


def sweep(spec: Spec, widths: Iterable[float], resolutions: Iterable[int], convention: str = "paper",
          depth: float | None = None, progress: Callable[[int], None] | None = None,
          dtype: str = DEFAULT_DTYPE) -> tuple[Point, ...]:
    """Every width × resolution of `spec`, row by row (width outer)."""
    from .sweep import iter_sweep

    points = []
    for p in iter_sweep(spec, widths, resolutions, convention, (depth,), dtype):
        points.append(p)
        if progress:
            progress(1)
    return tuple(points)


def reported_points(spec: Spec, convention: str = "paper", prefer: str | None = None) -> tuple[Point, ...]:
    """One point per variant that has a published top-1, in the spec's order."""
    seen: set[tuple[float, int, float]] = set()
    points = []
    for r in spec.reported:
        variant = _variant_of(spec, r)
        if r.top1 is None or variant in seen:
            continue
        seen.add(variant)
        width, resolution, depth = variant
        points.append(point(spec, width, resolution, convention=convention, depth=depth, prefer=prefer))
    return tuple(points)


def parse_variant(text: str) -> tuple[str, float | None, int | None]:
    """ "mobilenet_v1.yaml@0.5,160" → ("mobilenet_v1.yaml", 0.5, 160); "x@0.75" → width only; "x@,160" →
    resolution only."""
    if "@" not in text:
        return text, None, None
    name, _, variant = text.rpartition("@")
    parts = variant.split(",")
    try:
        width = float(parts[0]) if parts[0] else None
        resolution = int(parts[1]) if len(parts) > 1 and parts[1] else None
    except ValueError:
        raise UsageError(f"{text!r}: a variant is SPEC@WIDTH[,RESOLUTION], e.g. mobilenet_v1@0.5,160") from None
    if len(parts) > 2 or (width is None and resolution is None):
        raise UsageError(f"{text!r}: a variant is SPEC@WIDTH[,RESOLUTION], e.g. mobilenet_v1@0.5,160")
    return name, width, resolution
