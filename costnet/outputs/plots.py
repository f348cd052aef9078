"""Figures of cost: accuracy against cost (MobileNet's Figures 4 and 5, MixNet's Figure 1) and sweep grids.
Each function returns a figure of a fixed size (figures.py says how figures are drawn and written)."""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

from ..errors import UsageError
from ..studies.points import Point
from ..units import width_text
from .figures import decades_spanned, new_figure, save, styled, tick, units_axis  # noqa: F401 (plots.save writes a figure)
from .labelplacement import place_labels

AXIS_LABELS = {"macs": "Multiply-accumulates (MACs)", "params": "Parameters", "top1": "ImageNet top-1 accuracy (%)",
               "top5": "ImageNet top-5 accuracy (%)"}
MARKERS = "osD^vP*Xh<>"

OWN_FAMILY = "yours"  # the family of points a user measured themselves (any point without a source is too)
OWN_STYLE = {"marker": "*", "markersize": 15, "color": "#f2b701", "markeredgecolor": "black", "markeredgewidth": 0.8}
FRONT_STYLE = {"color": "#1a1a1a", "linestyle": (0, (4, 3)), "linewidth": 1.3, "marker": "o", "markersize": 11,
               "markerfacecolor": "none", "markeredgecolor": "#1a1a1a", "markeredgewidth": 0.9, "alpha": 0.85}
FAMILY_MARKER_SIZE = 7
FAMILY_ZORDER, FRONT_ZORDER, OWN_ZORDER, LABEL_ZORDER = 3, 4, 5, 6
CROWDED = 30  # labels in a plot beyond which they are set smaller
POINT_LABEL = "point-label"  # gid of the text naming a point (tests find the labels by it)

SWEEP_SIZE = (11.0, 4.6)  # inches, whatever the grid: a sweep's figure has the same pixels at any size
LINES_UP_TO = 6  # widths (or resolutions) drawn as one line each; a bigger grid becomes a heat map
MARKERS_UP_TO = 40  # points on a line still drawn with markers


# --- accuracy against cost ---------------------------------------------------------------------------------

def split_by_accuracy(points: Sequence[Point], y: str = "top1") -> tuple[list[Point], list[Point]]:
    """(the points that have an accuracy `y`, the points left out for lacking one), each in input order."""
    plotted = [p for p in points if getattr(p, y) is not None]
    left_out = [p for p in points if getattr(p, y) is None]
    return plotted, left_out


def is_own(p: Point) -> bool:
    """A point whose accuracy the user measured: no publication is its source, or its family says so."""
    return p.source is None or p.family == OWN_FAMILY


def pareto_front(points: Sequence[Point], x: str, y: str) -> list[Point]:
    """The points no other point beats: nothing cheaper (or as cheap) is at least as accurate."""
    best: list[Point] = []
    for p in sorted(points, key=lambda p: (getattr(p, x), -getattr(p, y))):
        if not best or getattr(p, y) > getattr(best[-1], y):
            best.append(p)
    return best


@styled
def accuracy_figure(points: Sequence[Point], x: str = "macs", y: str = "top1", log_x: bool = False,
                    title: str | None = None):
    """Accuracy against cost: every point labelled, the Pareto front of the published points drawn on top.

    Several networks: one colour and marker per family, each point labelled with its model (and variant).
    One network at several widths (MobileNet's Figures 4 and 5): one line per width multiplier, each point
    labelled with its resolution. Points the user measured (`is_own`) are gold stars with bold labels.
    Points without an accuracy `y` are left out (`split_by_accuracy` says which).
    """
    plotted, _ = split_by_accuracy(points, y)
    if not plotted:
        raise UsageError(f"no point has a published {y} to plot")
    published = [p for p in plotted if not is_own(p)]
    own = [p for p in plotted if is_own(p)]
    fig = new_figure((9.5, 5.6))
    ax = fig.add_subplot()
    by_width = len({p.model for p in published}) == 1 and len({p.width for p in published}) > 1
    lines, colors = _draw_families(ax, published, x, y, by_width)
    for p in own:
        ax.plot([getattr(p, x)], [getattr(p, y)], linestyle="none", zorder=OWN_ZORDER, **OWN_STYLE,
                label=p.family if p.family != OWN_FAMILY else "yours (your accuracy)")
    _dedupe_legend_labels(ax)
    front = pareto_front(published, x, y)
    if len(front) > 1:
        lines.append(ax.plot([getattr(p, x) for p in front], [getattr(p, y) for p in front], zorder=FRONT_ZORDER,
                             label="Pareto front" + (" (published)" if own else ""), **FRONT_STYLE)[0])
    if log_x:
        ax.set_xscale("log")
    units_axis(ax.xaxis, log_x, decades_spanned([getattr(p, x) for p in plotted]))
    ax.tick_params(axis="x", which="both", labelsize=9)  # minor log labels (20M, 50M) as large as major
    ax.set_xlabel(AXIS_LABELS[x] + (" (log scale)" if log_x else ""))
    ax.set_ylabel(AXIS_LABELS[y])
    ax.set_title(title or f"{AXIS_LABELS[y].split(' (')[0]} against {AXIS_LABELS[x].split(' (')[0].lower()}")
    entries = len(ax.get_legend_handles_labels()[1])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, ncol=math.ceil(entries / 16),
              fontsize=10 if entries <= 10 else 8.5)
    ax.margins(x=0.08, y=0.1)
    note = "x: exact counts by costnet; y: published accuracy (sources in the specs)"
    fig.text(0.01, 0.01, note + ("; ★ your own accuracy" if own else ""), fontsize=7, color="#666666")
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    labels = [str(p.resolution) if by_width and not is_own(p) else _point_label(p, plotted) for p in plotted]
    _label_points(fig, ax, plotted, labels, [colors.get(p, "black") for p in plotted], x, y, lines,
                  front if len(front) > 1 else [])
    return fig


def _draw_families(ax, points: Sequence[Point], x: str, y: str, by_width: bool) -> tuple[list, dict]:
    """One group of markers per width (by_width) or per family. Returns the lines drawn (obstacles to labels)
    and each point's colour, darkened for its label's text."""
    from matplotlib import colormaps

    if by_width:
        groups = [(f"α = {width_text(w)}", [p for p in points if p.width == w])
                  for w in sorted({p.width for p in points}, reverse=True)]
        colors = colormaps["viridis"]
        color = lambda i: colors(i / max(1, len(groups) - 1) * 0.9)
    else:
        groups = [(family, [p for p in points if p.family == family]) for family in sorted({p.family for p in points})]
        palette = colormaps["tab10"] if len(groups) <= 10 else colormaps["tab20"]
        color = lambda i: palette(i % palette.N)
    lines, text_colors = [], {}
    for index, (name, members) in enumerate(groups):
        members.sort(key=lambda p: getattr(p, x))
        # A line joins one network's scaled variants, or a family of three or more (MixNet-S/M/L).
        joined = by_width or len(members) >= 3
        (line,) = ax.plot([getattr(p, x) for p in members], [getattr(p, y) for p in members],
                          linestyle="-" if joined else "none", linewidth=1.2, alpha=0.9, zorder=FAMILY_ZORDER,
                          marker=MARKERS[index % len(MARKERS)], markersize=FAMILY_MARKER_SIZE, color=color(index),
                          label=name)
        if joined:
            lines.append(line)
        text_colors.update((p, tuple(0.62 * c for c in color(index)[:3])) for p in members)
    return lines, text_colors


def _dedupe_legend_labels(ax) -> None:
    """Several points of the user's with one family get one legend entry."""
    seen: set[str] = set()
    for line in ax.get_lines():
        if line.get_label() in seen:
            line.set_label("_" + line.get_label())
        seen.add(line.get_label())


def _point_label(p: Point, points: Sequence[Point]) -> str:
    """The model's name, with its variant when the plot holds several variants of it."""
    variants = {(q.width, q.resolution) for q in points if q.model == p.model}
    return p.label if len(variants) > 1 else p.model


def _label_points(fig, ax, points: Sequence[Point], labels: Sequence[str], colors: Sequence, x: str, y: str,
                  lines: Sequence, front: Sequence[Point]) -> None:
    """Name every point where its label covers no other label, no marker and as little line as possible.

    The layout is computed first and then frozen, so that the places chosen in display coordinates are the
    places drawn; offsets are in points, so they hold at any dpi."""
    fig.canvas.draw()
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    to_pixels = fig.dpi / 72
    pad = 1.5 * to_pixels
    anchors = [tuple(ax.transData.transform((getattr(p, x), getattr(p, y)))) for p in points]
    sizes = []
    for p, text in zip(points, labels):
        probe = ax.text(0.5, 0.5, text, transform=ax.transAxes, **_label_style(p, len(points)))
        box = probe.get_window_extent(renderer)
        probe.remove()
        sizes.append((box.width + 2 * pad, box.height + 2 * pad))
    radii = [_marker_radius(p, front) for p in points]  # in typographic points, as marker sizes are
    clearances = [radius * to_pixels + pad for radius in radii]
    markers = [_marker_box(anchor, clearance) for anchor, clearance in zip(anchors, clearances)]
    segments = [segment for line in lines for segment in _segments(ax, line)]
    placements = place_labels(anchors, sizes, clearances, gap=5 * to_pixels, obstacles=markers, segments=segments,
                              bounds=tuple(ax.bbox.extents))
    for p, text, color, anchor, placement, radius in zip(points, labels, colors, anchors, placements, radii):
        cx, cy = placement.center
        # Far from its point, a label gets a thin leader line saying which point it names.
        leader = {"arrowstyle": "-", "color": "#999999", "linewidth": 0.6, "shrinkA": 1, "shrinkB": radius}
        ax.annotate(text, (getattr(p, x), getattr(p, y)), textcoords="offset points",
                    xytext=((cx - anchor[0]) / to_pixels, (cy - anchor[1]) / to_pixels),
                    arrowprops=leader if placement.leader else None, gid=POINT_LABEL, annotation_clip=False,
                    zorder=LABEL_ZORDER, **_label_style(p, len(points)), color=color)


def _marker_radius(p: Point, front: Sequence[Point]) -> float:
    size = OWN_STYLE["markersize"] if is_own(p) else FRONT_STYLE["markersize"] if p in front else FAMILY_MARKER_SIZE
    return size / 2


def _label_style(p: Point, count: int) -> dict:
    """Bold for the user's own points; smaller type when many labels share the plot."""
    size = 8 if count <= CROWDED else 7
    own = is_own(p)
    return {"ha": "center", "va": "center", "fontsize": size + 0.5 if own else size,
            "fontweight": "bold" if own else "normal"}


def _marker_box(center: tuple[float, float], half: float):
    return (center[0] - half, center[1] - half, center[0] + half, center[1] + half)


def _segments(ax, line):
    xy = ax.transData.transform(line.get_xydata())
    return [((a[0], a[1]), (b[0], b[1])) for a, b in zip(xy[:-1], xy[1:])]


# --- sweeps ------------------------------------------------------------------------------------------------

@styled
def sweep_figure(points: Sequence[Point], title: str, scale_from: Sequence[Point] = ()):
    """MACs across the width × resolution grid, and parameters against width, in a figure of fixed size.
    The MACs and parameter scales span `scale_from` where given (a depth grid's figures, one per depth, then
    share their scales and compare at a glance), else the points themselves.

    Up to LINES_UP_TO widths: one line per width, MACs against resolution, the legend beside the axes. Else up
    to LINES_UP_TO resolutions: one line per resolution against width. A bigger grid: a heat map of MACs over
    width and resolution, on a log colour scale, with labelled contours of equal MACs. Resolutions spanning
    more than a decade go on a log axis, where contours of MACs (∝ resolution²) are evenly spaced."""
    if not points:
        raise ValueError("a sweep figure needs at least one point")
    fig = new_figure(SWEEP_SIZE)
    left, right = fig.subplots(1, 2, width_ratios=(1.45, 1))
    widths = sorted({p.width for p in points})
    resolutions = sorted({p.resolution for p in points})
    every = [*points, *scale_from]
    macs_range = (min(p.macs for p in every), max(p.macs for p in every))
    if len(widths) <= LINES_UP_TO and len(resolutions) > 1:
        _macs_lines(left, points, "width", "resolution", macs_range)
    elif len(resolutions) <= LINES_UP_TO:
        _macs_lines(left, points, "resolution", "width", macs_range)
    else:
        _macs_heat_map(fig, left, points, widths, resolutions, macs_range)
    _params_against_width(right, points)
    if scale_from:
        low, high = min(p.params for p in every), max(p.params for p in every)
        right.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low) if high > low else high * 1.05)
    fig.suptitle(title)
    return fig


SWEEP_AXES = {"width": ("Width multiplier α", "width α", width_text),
              "resolution": ("Input resolution (pixels)", "resolution", str)}


def _macs_lines(ax, points: Sequence[Point], line: str, along: str, macs_range: tuple[int, int]) -> None:
    """One line per value of `line` ("width" or "resolution"), MACs against `along`."""
    from matplotlib import colormaps

    colors = colormaps["viridis"]
    keys = sorted({getattr(p, line) for p in points}, reverse=True)
    for index, key in enumerate(keys):
        row = sorted((p for p in points if getattr(p, line) == key), key=lambda p: getattr(p, along))
        ax.plot([getattr(p, along) for p in row], [p.macs for p in row],
                color=colors(index / max(1, len(keys) - 1) * 0.9),
                marker="o" if len(row) <= MARKERS_UP_TO else "none", markersize=4, label=SWEEP_AXES[line][2](key))
    ax.set_yscale("log")
    low, high = macs_range
    if low > 0:  # (a network of no MACs draws on matplotlib's own limits)
        pad = 10 ** max(0.06 * math.log10(high / low), 0.01)  # 6% of the span each side, as matplotlib's margins
        ax.set_ylim(low / pad, high * pad)
    units_axis(ax.yaxis, log=True, decades=decades_spanned(macs_range))
    ax.tick_params(axis="y", which="both", labelsize=9)
    if along == "resolution":
        _resolution_axis(ax.xaxis, [p.resolution for p in points])
    ax.set_xlabel(SWEEP_AXES[along][0] + (" (log scale)" if ax.get_xscale() == "log" else ""))
    ax.set_ylabel("MACs (log scale)")
    ax.set_title("MACs across the grid")
    ax.legend(title=SWEEP_AXES[line][1], loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, fontsize=9,
              title_fontsize=9, handlelength=1.5)


def _resolution_axis(axis, resolutions: Sequence[int]) -> None:
    """A log axis when the resolutions span more than a decade (1 to 600), labelled in plain numbers."""
    span = decades_spanned(resolutions)
    if span > 1:
        axis.axes.set_xscale("log")
        units_axis(axis, log=True, decades=span)


def _macs_heat_map(fig, ax, points: Sequence[Point], widths: Sequence[float], resolutions: Sequence[int],
                   macs_range: tuple[int, int]) -> None:
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.colors import LogNorm

    at = {(p.width, p.resolution): p.macs for p in points}
    grid = np.ma.masked_invalid(np.array([[at.get((w, r), np.nan) for r in resolutions] for w in widths], float))
    low, high = map(float, macs_range)
    norm = LogNorm(vmin=low, vmax=high if high > low else low * 1.01)
    _resolution_axis(ax.xaxis, resolutions)
    mesh = ax.pcolormesh(resolutions, widths, grid, shading="nearest", norm=norm, cmap="viridis",
                         rasterized=grid.size > 2000)  # a big grid stays light in SVG and PDF
    levels = _contour_levels(float(grid.min()), float(grid.max()))  # this grid's, on a scale maybe shared
    if levels:
        contours = ax.contour(resolutions, widths, grid, levels=levels, colors="white", linewidths=0.9, alpha=0.9)
        labels = ax.clabel(contours, fmt=tick, fontsize=8, inline=True, inline_spacing=4, colors="black",
                           manual=_middles(ax, contours))
        for text in labels:  # a light halo keeps the label readable over dark and light cells alike
            text.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white")])
    bar = fig.colorbar(mesh, ax=ax, pad=0.02, aspect=25)
    bar.set_label("MACs (log colour scale)")
    units_axis(bar.ax.yaxis, log=True, decades=math.log10(norm.vmax / norm.vmin))
    bar.ax.tick_params(which="both", labelsize=8.5)
    ax.grid(False)
    ax.set_xlabel("Input resolution (pixels)" + (" (log scale)" if ax.get_xscale() == "log" else ""))
    ax.set_ylabel("Width multiplier α")
    ax.set_title(f"MACs across the grid ({len(widths)} widths × {len(resolutions)} resolutions)", fontsize=11)


def _middles(ax, contours) -> list[tuple[float, float]]:
    """The middle of each level's longest contour line, measured as drawn (on a log axis too): left to
    itself, matplotlib may put a label where the line leaves the map, half cut off."""
    import numpy as np

    scaled = lambda xy: np.column_stack([np.log10(xy[:, 0]) if ax.get_xscale() == "log" else xy[:, 0], xy[:, 1]])
    spots = []
    for path in contours.get_paths():
        pieces = [piece for piece in path.to_polygons(closed_only=False) if len(piece) > 1]
        if not pieces:
            continue
        span = np.ptp(np.vstack([scaled(piece) for piece in pieces]), axis=0) + 1e-12
        lengths = [np.cumsum(np.hypot(*(np.diff(scaled(piece), axis=0) / span).T)) for piece in pieces]
        longest = max(range(len(pieces)), key=lambda i: lengths[i][-1])
        middle = int(np.searchsorted(lengths[longest], lengths[longest][-1] / 2)) + 1
        spots.append(tuple(pieces[longest][min(middle, len(pieces[longest]) - 1)]))
    return spots


def _contour_levels(low: float, high: float) -> list[float]:
    """Round values (1-2-5, or fewer per decade on a wide range), at most 7, inside (low, high) and not so
    near either end that their contour would only cut a corner of the map."""
    if not low > 0 or high <= low:
        return []
    margin = 0.08 * math.log10(high / low)
    inside = lambda v: math.log10(v / low) > margin and math.log10(high / v) > margin
    for steps in ((1, 2, 5), (1, 3), (1,)):
        levels = [m * 10.0 ** e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
                  for m in steps if inside(m * 10.0 ** e)]
        if len(levels) <= 7:
            return levels
    return levels[::math.ceil(len(levels) / 7)]


def _params_against_width(ax, points: Sequence[Point]) -> None:
    by_width = {p.width: p.params for p in points}
    widths = sorted(by_width)
    ax.plot(widths, [by_width[w] for w in widths], color="#2a6f97",
            marker="o" if len(widths) <= MARKERS_UP_TO else "none", markersize=4)
    units_axis(ax.yaxis, log=False)
    ax.set_xlabel("Width multiplier α")
    ax.set_ylabel("Parameters")
    ax.set_title("Parameters (independent of resolution)", fontsize=11)


def saver(fig) -> Callable[[Path], None]:
    """FIG as a content for outputs.files: a function that saves it to the path it is given."""
    return partial(save, fig)
