"""Figures of activation memory: the live memory along a network, block by block (MCUNetV2's Figure 1, Lin et
al. 2021), and each network's peak against the SRAM of the devices it should run on.

Memory is drawn in bytes of the analysis's dtype, in binary units (KiB, MiB) as device datasheets give SRAM,
and every figure names the memory model it shows (analysis.memory).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from ..analysis.analyzer import Analysis
from ..analysis.memory import MEMORY_MODELS
from ..units import width_text
from .figures import KIB, binary_bytes, binary_unit, new_figure, styled

MEMORY_SIZE = (11.0, 5.4)
BY = ("block", "layer")
TICK_LABELS_UP_TO = 64  # names under the x-axis; beyond, every second (third, ...) one is shown
MAIN_COLOR, OTHER_COLOR, OVER_COLOR, BUDGET_COLOR = "#2a6f97", "#a9c4dc", "#e07b39", "#b03a2e"
PEAK_LABEL = "memory-peak"  # gid of the annotation of the peak (tests read it)
DEVICE_BUDGETS = (256 * KIB, 512 * KIB)  # SRAM of common microcontrollers (STM32F4, STM32F7)


@dataclass(frozen=True)
class Step:
    """One bar of a memory profile: a block (the most its rows hold alive) or a single layer."""

    name: str
    stage: str
    bytes: int
    layer: str  # the row at that value (the first, if several)


def memory_steps(analysis: Analysis, model: str = "in-place", by: str = "block") -> tuple[Step, ...]:
    """Live activation bytes along the network under `model`, per layer or per block, in execution order."""
    size = analysis.bytes_per_element
    if by == "layer":
        return tuple(Step(l.name, _stage(l), l.live[model] * size, l.name) for l in analysis.layers)
    blocks: dict[str, Step] = {}
    for l in analysis.layers:
        name = l.scope[-1] if l.scope else l.name
        value = l.live[model] * size
        if name not in blocks or value > blocks[name].bytes:
            blocks[name] = Step(name, _stage(l), value, l.name)
    return tuple(blocks.values())


def _stage(layer) -> str:
    return layer.scope[0] if layer.scope else layer.name


def _check(model: str | None, by: str) -> None:
    if model is not None and model not in MEMORY_MODELS:
        raise ValueError(f"unknown memory model {model!r}; valid: {', '.join(MEMORY_MODELS)} (or None for all)")
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")


@styled
def memory_figure(analyses: Analysis | Sequence[Analysis], model: str | None = "in-place", by: str = "block",
                  budget_bytes: int | None = None, title: str | None = None):
    """Live activation memory along one or more networks, the peak annotated with its layer and size.

    One network: a bar per block (or layer); with model=None, plain bars behind in-place ones, so the gap is
    what in-place execution saves. Several networks: a step line each. A budget draws the device's SRAM as
    a line, and the bars above it in another colour.
    """
    _check(model, by)
    analyses = [analyses] if isinstance(analyses, Analysis) else list(analyses)
    if not analyses:
        raise ValueError("memory_figure needs at least one analysis")
    models = [model] if model else [m for m in ("plain", "in-place") if m in MEMORY_MODELS]
    series = [(a, m, memory_steps(a, m, by)) for a in analyses for m in models]
    names = [s.name for s in series[0][2]]
    shared = all([s.name for s in steps] == names for _, _, steps in series)
    largest = max([s.bytes for _, _, steps in series for s in steps] + [budget_bytes or 0, 1])
    unit, scale = binary_unit(largest)
    fig = new_figure(MEMORY_SIZE)
    ax = fig.add_subplot()
    if len(analyses) == 1:
        entries = _bars(ax, series, scale, budget_bytes)
    else:
        entries = _step_lines(ax, series, scale, analyses)
    if budget_bytes:
        _budget_line(ax, budget_bytes, scale)
    _annotate_peak(ax, series, scale, analyses)
    if shared:
        _name_axis(ax, names, [s.stage for s in series[0][2]], by.capitalize())
    else:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(f"{by.capitalize()} index, in execution order (the networks' {by}s differ)")
    ax.set_xlim(-0.7, max(len(steps) for _, _, steps in series) - 0.3)
    ax.set_ylim(0, largest / scale * 1.28)  # room above the peak for its annotation
    ax.yaxis.set_major_formatter(_unit_formatter(unit))
    dtypes = sorted({a.dtype for a in analyses})
    ax.set_ylabel(f"Live activations ({unit}" + (f", {dtypes[0]})" if len(dtypes) == 1 else ")"))
    ax.grid(axis="x", visible=False)
    longest = max(len(entry.get_label()) for entry in entries)
    ax.legend(handles=entries, loc="lower left", bbox_to_anchor=(0, 1.01), borderaxespad=0, fontsize=9,
              ncol=min(len(entries), 3 if longest <= 34 else 2 if longest <= 56 else 1))  # as wide as the axes
    fig.suptitle(title or _memory_title(analyses, model, by), fontsize=12)
    return fig


def _memory_title(analyses: Sequence[Analysis], model: str | None, by: str) -> str:
    names = list(dict.fromkeys(a.model for a in analyses))
    if len(names) == 1:
        who = names[0] + (f" at {len(analyses)} variants" if len(analyses) > 1 else "")
    else:
        who = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
    how = f"{model} memory model" if model else "plain and in-place memory models"
    dtypes = sorted({a.dtype for a in analyses})
    return f"{who}: live activation memory per {by} ({', '.join(dtypes)}; {how})"


def _bars(ax, series, scale: int, budget: int | None) -> list:
    """One network: its last model's bars in front (in-place when both are drawn), the others lighter behind.
    Returns the legend's entries (a bar's own colour would say nothing when some bars are above the budget)."""
    from matplotlib.patches import Patch

    entries = []
    for position, (analysis, model, steps) in enumerate(series):
        front = position == len(series) - 1
        colors = [OVER_COLOR if front and budget and s.bytes > budget else MAIN_COLOR if front else OTHER_COLOR
                  for s in steps]
        ax.bar(range(len(steps)), [s.bytes / scale for s in steps], width=0.82 if len(steps) <= 120 else 1.0,
               color=colors, linewidth=0, zorder=2 + position)
        entries.append(Patch(color=MAIN_COLOR if front else OTHER_COLOR,
                             label=f"{model} (peak {binary_bytes(analysis.peaks[model].bytes)})"))
        over = sum(s.bytes > budget for s in steps) if front and budget else 0
        if over:
            entries.append(Patch(color=OVER_COLOR, label=f"{model}, above the budget: {over} of {len(steps)}"))
    return entries


def _step_lines(ax, series, scale: int, analyses: Sequence[Analysis]) -> list:
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    entries = []
    for analysis, model, steps in series:
        entries += ax.step(range(len(steps)), [s.bytes / scale for s in steps], where="mid", linewidth=1.4, zorder=3,
                           color=palette(next(i for i, a in enumerate(analyses) if a is analysis) % 10),
                           linestyle="--" if model == "plain" else "-",
                           label=f"{_row_name(analysis, analyses)}, {model} "
                                 f"(peak {binary_bytes(analysis.peaks[model].bytes)})")
    return entries


def _budget_line(ax, budget: int, scale: int) -> None:
    from matplotlib.transforms import blended_transform_factory

    ax.axhline(budget / scale, color=BUDGET_COLOR, linestyle="--", linewidth=1.2, zorder=5)
    ax.text(0.995, budget / scale, f"budget {binary_bytes(budget)}", transform=blended_transform_factory(
        ax.transAxes, ax.transData), ha="right", va="bottom", color=BUDGET_COLOR, fontsize=9, zorder=6,
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})


def _annotate_peak(ax, series, scale: int, analyses: Sequence[Analysis]) -> None:
    """The highest value of all the series, with its layer and exact bytes."""
    # On a tie, the series drawn last (in front: in-place when both models are drawn) names the peak.
    _, (analysis, model, steps) = max(enumerate(series), key=lambda item: (item[1][0].peaks[item[1][1]].bytes, item[0]))
    peak = analysis.peaks[model]
    index = next((i for i, s in enumerate(steps) if s.layer == peak.layer),
                 max(range(len(steps)), key=lambda i: steps[i].bytes))
    text = f"peak {binary_bytes(peak.bytes)} ({peak.bytes:,} bytes)\nat {peak.layer}"
    if len(series) > 1:  # say which of the networks, or of the memory models
        text += f"\n({_row_name(analysis, analyses)}, {model})"
    right = index < len(steps) * 0.6
    ax.annotate(text, (index, peak.bytes / scale), xytext=(28 if right else -28, 14), textcoords="offset points",
                ha="left" if right else "right", va="bottom", fontsize=9, zorder=7, gid=PEAK_LABEL,
                arrowprops={"arrowstyle": "-|>", "color": "#222222", "linewidth": 0.9, "shrinkA": 2, "shrinkB": 1},
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#999999", "linewidth": 0.6})


def _name_axis(ax, names: Sequence[str], stages: Sequence[str], noun: str) -> None:
    """Every block's name under its bar (every k-th when there are many), and the stages as bands."""
    step = math.ceil(len(names) / TICK_LABELS_UP_TO)
    positions = list(range(0, len(names), step))
    ax.set_xticks(positions, [names[i] for i in positions], rotation=90 if len(names) > 10 else 0,
                  fontsize=8 if len(names) <= 40 else 7)
    ax.tick_params(axis="x", length=2, pad=2)
    ax.set_xlabel(f"{noun}, in execution order" + (f" (one name in {step} shown)" if step > 1 else ""), fontsize=9)
    start = 0
    bands = 0
    for i in range(1, len(stages) + 1):
        if i == len(stages) or stages[i] != stages[start]:
            if bands % 2:
                ax.axvspan(start - 0.5, i - 0.5, color="black", alpha=0.04, linewidth=0, zorder=0)
            bands += 1
            start = i


def _unit_formatter(unit: str):
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _) -> str:  # whole KiB with thousands separators; fractions where the ticks are
        if value == round(value):
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if unit == "KiB" else f"{value:g}"

    return FuncFormatter(label)


@styled
def zoo_memory_figure(analyses: Sequence[Analysis], budgets_bytes: Sequence[int] = DEVICE_BUDGETS):
    """Each network's peak activation memory, in place and plain, as horizontal bars sorted from the smallest,
    against the budgets of devices (256 KiB and 512 KiB of SRAM by default)."""
    rows = sorted(((_row_name(a, analyses), a.peaks["in-place"].bytes, a.peaks["plain"].bytes) for a in analyses),
                  key=lambda row: (row[1], row[2], row[0]))
    if not rows:
        raise ValueError("zoo_memory_figure needs at least one analysis")
    fig = new_figure((10.0, 1.7 + 0.3 * len(rows)))
    ax = fig.add_subplot()
    values = [v for _, in_place, plain in rows for v in (in_place, plain)] + list(budgets_bytes)
    log = max(values) / min(values) > 20
    floor = min(values) / 1.6 if log else 0
    ys = range(len(rows))
    ax.barh(ys, [plain - floor for _, _, plain in rows], left=floor, height=0.78, color=OTHER_COLOR, label="plain")
    ax.barh(ys, [in_place - floor for _, in_place, _ in rows], left=floor, height=0.46, color=MAIN_COLOR,
            label="in-place (TinyEngine's schedule)")
    for y, (_, in_place, plain) in enumerate(rows):
        text = binary_bytes(in_place) + (f"  ·  plain {binary_bytes(plain)}" if plain != in_place else "")
        ax.annotate(text, (max(in_place, plain), y), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=8, color="#333333", zorder=6,  # over the budget lines, which would cross it
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    _budget_lines(ax, budgets_bytes)
    ax.set_yticks(list(ys), [name for name, _, _ in rows], fontsize=9)
    ax.set_ylim(len(rows) - 0.4, -0.6)  # the smallest on top
    _bytes_axis(ax, log, floor, max(values))
    ax.grid(axis="y", visible=False)
    dtypes = sorted({a.dtype for a in analyses})
    ax.set_xlabel(f"Peak live activations, {', '.join(dtypes)}" + (" (log scale)" if log else ""))
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1.0), borderaxespad=0.3, ncol=2, fontsize=9)
    fig.suptitle("Peak activation memory against device budgets", fontsize=12)
    return fig


def _row_name(analysis: Analysis, analyses: Sequence[Analysis]) -> str:
    """The network's name, with its variant when the figure holds several variants of it."""
    if sum(a.model == analysis.model for a in analyses) > 1 and analysis.scaling:
        s = analysis.scaling
        return f"{analysis.model} {width_text(s.width)}-{s.resolution}"
    return analysis.model


def _budget_lines(ax, budgets: Sequence[int]) -> None:
    from matplotlib.transforms import blended_transform_factory

    for budget in sorted(budgets):
        ax.axvline(budget, color=BUDGET_COLOR, linestyle="--", linewidth=1.1, zorder=4)
        ax.text(budget, 1.0, binary_bytes(budget), transform=blended_transform_factory(ax.transData, ax.transAxes),
                ha="center", va="bottom", color=BUDGET_COLOR, fontsize=8.5, zorder=5)


def _bytes_axis(ax, log: bool, floor: float, largest: float) -> None:
    """Ticks at powers of two (KiB, MiB) on a log axis; whole units on a linear one."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, MultipleLocator, NullLocator

    if log:
        ax.set_xscale("log")
        ax.set_xlim(floor, largest * 4)  # room right of the longest bar for its value
        low, high = math.floor(math.log2(floor)), math.ceil(math.log2(largest * 4))
        powers = [2.0 ** k for k in range(low, high + 1)]
        while len(powers) > 9:
            powers = powers[::2]
        ax.xaxis.set_major_locator(FixedLocator(powers))
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        ax.set_xlim(0, largest * 1.35)
        step = 2.0 ** math.ceil(math.log2(largest * 1.35 / 8))  # at most 8 ticks, each a power of two apart
        ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: binary_bytes(value)))
