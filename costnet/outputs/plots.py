"""Figures: accuracy against cost (MobileNet's Figures 4 and 5, MixNet's Figure 1) and sweep grids.

matplotlib is imported here only, and only when a figure is drawn. Functions return figures; `save` writes
PNG or SVG with fixed metadata so that the same data gives the same file.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable, Sequence

from ..errors import UsageError
from ..studies.points import Point
from ..units import format_count, width_text

AXIS_LABELS = {"macs": "Multiply-accumulates (MACs)", "params": "Parameters", "top1": "ImageNet top-1 accuracy (%)",
               "top5": "ImageNet top-5 accuracy (%)"}
MARKERS = "osD^vP*Xh<>"


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise UsageError("plots need matplotlib, an optional dependency: pip install 'costnet[plot]' "
                         "(or pass --no-plots where the command has it)") from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "figure.dpi": 100, "savefig.dpi": 150, "font.size": 10, "axes.titlesize": 12, "axes.labelsize": 10.5,
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
        "grid.linestyle": "-", "legend.frameon": False, "svg.hashsalt": "costnet", "font.family": "DejaVu Sans",
    })
    return plt


def _tick(value: float) -> str:
    text = format_count(value, digits=1) if value >= 1000 else f"{value:g}"
    return text.replace(".0", "") if text[:-1].endswith(".0") else text


def _units_axis(axis, log: bool) -> None:
    """Readable units on an axis; on a log axis, minor ticks are labelled at 2, 3 and 5 only."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: _tick(value)))
    if log:
        axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 3.0, 5.0)))
        axis.set_minor_formatter(FuncFormatter(lambda value, _: _tick(value)))
    else:
        axis.set_minor_formatter(NullFormatter())


def pareto_front(points: Sequence[Point], x: str, y: str) -> list[Point]:
    """The points no other point beats: nothing cheaper (or as cheap) is at least as accurate."""
    best: list[Point] = []
    for p in sorted(points, key=lambda p: (getattr(p, x), -getattr(p, y))):
        if not best or getattr(p, y) > getattr(best[-1], y):
            best.append(p)
    return best


def accuracy_figure(points: Sequence[Point], x: str = "macs", y: str = "top1", log_x: bool = False,
                    title: str | None = None):
    """Accuracy against cost, points labelled and the Pareto front drawn.

    Several networks: one colour and marker per family, each point labelled with its model (and variant).
    One network at several widths (MobileNet's Figures 4 and 5): one line per width multiplier, each point
    labelled with its resolution.
    """
    plt = _pyplot()
    known = [p for p in points if getattr(p, y) is not None]
    fig, ax = plt.subplots(figsize=(9.5, 5.6))
    by_width = len({p.model for p in known}) == 1 and len({p.width for p in known}) > 1
    if by_width:
        groups = [(f"α = {width_text(w)}", [p for p in known if p.width == w])
                  for w in sorted({p.width for p in known}, reverse=True)]
        colors = plt.get_cmap("viridis")
        color = lambda i: colors(i / max(1, len(groups) - 1) * 0.9)
    else:
        groups = [(family, [p for p in known if p.family == family]) for family in sorted({p.family for p in known})]
        palette = plt.get_cmap("tab10")
        color = lambda i: palette(i % 10)
    for index, (name, members) in enumerate(groups):
        members.sort(key=lambda p: getattr(p, x))
        # A line joins one network's scaled variants, or a family of three or more (MixNet-S/M/L).
        joined = by_width or len(members) >= 3
        ax.plot([getattr(p, x) for p in members], [getattr(p, y) for p in members],
                linestyle="-" if joined else "none", linewidth=1.2, alpha=0.9,
                marker=MARKERS[index % len(MARKERS)], markersize=7, color=color(index), label=name, zorder=3)
        offset = (6, -11) if index % 2 == 0 else (-6, 6)
        for p in members:
            text = str(p.resolution) if by_width else _point_label(p, known)
            ax.annotate(text, (getattr(p, x), getattr(p, y)), textcoords="offset points", xytext=offset,
                        ha="left" if offset[0] > 0 else "right", fontsize=7.5, color="#333333")
    front = pareto_front(known, x, y)
    if len(front) > 1:
        ax.plot([getattr(p, x) for p in front], [getattr(p, y) for p in front], color="#888888",
                linestyle="--", linewidth=1, zorder=2, label="Pareto front")
    if log_x:
        ax.set_xscale("log")
    _units_axis(ax.xaxis, log_x)
    ax.tick_params(axis="x", which="both", labelsize=9)  # minor log labels (20M, 50M) as large as major
    ax.set_xlabel(AXIS_LABELS[x] + (" (log scale)" if log_x else ""))
    ax.set_ylabel(AXIS_LABELS[y])
    ax.set_title(title or f"{AXIS_LABELS[y].split(' (')[0]} against {AXIS_LABELS[x].split(' (')[0].lower()}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax.margins(x=0.08, y=0.08)
    fig.text(0.01, 0.01, "x: exact counts by costnet; y: published accuracy (sources in the specs)",
             fontsize=7, color="#666666")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def _point_label(p: Point, points: Sequence[Point]) -> str:
    """The model's name, with its variant when the plot holds several variants of it."""
    variants = {(q.width, q.resolution) for q in points if q.model == p.model}
    return p.label if len(variants) > 1 else p.model


def sweep_figure(points: Sequence[Point], title: str):
    """MACs against resolution, one line per width, and parameters against width."""
    plt = _pyplot()
    widths = sorted({p.width for p in points}, reverse=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    colors = plt.get_cmap("viridis")
    for index, width in enumerate(widths):
        row = sorted((p for p in points if p.width == width), key=lambda p: p.resolution)
        left.plot([p.resolution for p in row], [p.macs for p in row], marker="o", markersize=4,
                  color=colors(index / max(1, len(widths) - 1) * 0.9), label=f"α = {width_text(width)}")
    left.set_yscale("log")
    _units_axis(left.yaxis, log=True)
    left.tick_params(axis="y", which="both", labelsize=9)
    left.set_xlabel("Input resolution (pixels)")
    left.set_ylabel("MACs (log scale)")
    left.set_title("MACs across the grid")
    left.legend(fontsize=9, ncol=2 if len(widths) > 6 else 1)
    by_width = {p.width: p.params for p in points}
    right.plot(sorted(by_width), [by_width[w] for w in sorted(by_width)], marker="o", markersize=4, color="#2a6f97")
    _units_axis(right.yaxis, log=False)
    right.set_xlabel("Width multiplier α")
    right.set_ylabel("Parameters")
    right.set_title("Parameters (independent of resolution)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def save(fig, path: Path) -> None:
    """PNG or SVG by the file's suffix; metadata fixed so the same figure gives the same bytes."""
    plt = _pyplot()
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"{path}: plots are written as .png or .svg")
    metadata = {"Software": "costnet"} if suffix == ".png" else {"Date": None, "Creator": "costnet"}
    fig.savefig(path, metadata=metadata, bbox_inches="tight")
    plt.close(fig)


def saver(fig) -> Callable[[Path], None]:
    """FIG as a content for outputs.files: a function that saves it to the path it is given."""
    return partial(save, fig)
