"""How costnet draws and writes a figure: matplotlib imported only when a figure is drawn, one style applied
in a context, readable units on axes, and files whose bytes depend on the figure only.

Figures are built without pyplot, so that drawing one changes neither the caller's backend nor their
rcParams, and have a fixed size: `save` writes them at that size (no tight bounding box that would grow
with a legend).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Sequence

from ..errors import UsageError
from ..units import format_count

STYLE = {
    "figure.dpi": 100, "savefig.dpi": 150, "font.size": 10, "axes.titlesize": 12, "axes.labelsize": 10.5,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "grid.linestyle": "-", "legend.frameon": False, "font.family": "DejaVu Sans",
    "svg.fonttype": "none", "svg.hashsalt": "costnet", "pdf.fonttype": 42,  # text stays text, editable
}
METADATA = {".png": {"Software": "costnet"}, ".svg": {"Date": None, "Creator": "costnet"},
            ".pdf": {"Creator": "costnet", "CreationDate": None}}
SAVE_FORMATS = tuple(METADATA)
KIB, MIB = 1024, 1024 * 1024


def matplotlib_module():
    try:
        import matplotlib
    except ImportError:
        raise UsageError("plots need matplotlib, which costnet depends on but this Python lacks: pip install "
                         "matplotlib (or pass --no-plots where the command has it)") from None
    return matplotlib


def styled(function):
    """Run a figure function or `save` under costnet's style, leaving the caller's rcParams as they were."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib_module().rc_context(STYLE):
            return function(*args, **kwargs)
    return wrapper


def new_figure(size: tuple[float, float]):
    """A figure of `size` inches, laid out by constrained layout, that can be drawn and measured (an Agg
    canvas) without pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


# --- numbers on axes ---------------------------------------------------------------------------------------

def tick(value: float, digits: int = 1) -> str:
    """568,740,352 → "568.7M"; 2,000,000 → "2M" (no trailing zeros); 0.75 → "0.75"."""
    if abs(value) < 1000:
        return f"{value:g}"
    text = format_count(value, digits)
    number, suffix = text[:-1], text[-1]
    return (number.rstrip("0").rstrip(".") if "." in number else number) + suffix


def _distinct_digits(locs: Sequence[float]) -> int:
    """Decimals that keep neighbouring ticks apart: 3.8M, 3.9M, 4M, 4.1M needs one; 4.05M two."""
    locs = sorted(set(locs))
    largest = max((abs(v) for v in locs), default=0)
    if len(locs) < 2 or largest < 1000:
        return 1
    unit = next(scale for scale in (10**12, 10**9, 10**6, 10**3) if largest >= scale)
    step = min(b - a for a, b in zip(locs, locs[1:])) / unit
    return min(3, max(0, math.ceil(-math.log10(step) - 1e-9)))


def units_axis(axis, log: bool, decades: float = 1.0) -> None:
    """Readable units on an axis. On a log axis, minor ticks at 2, 3 and 5 are labelled as well while the
    axis spans a decade or so, at 2 and 5 up to three decades; across more they would crowd the major ones.
    Across a fraction of a decade every integer mantissa (300M, 400M, …) is a labelled tick."""
    from matplotlib.ticker import Formatter, FuncFormatter, LogLocator, NullFormatter

    class Units(Formatter):
        def __call__(self, value, pos=None):
            return tick(value)

        def format_ticks(self, values):
            digits = 1 if log else _distinct_digits(values)
            return [tick(value, digits) for value in values]

    axis.set_major_formatter(Units())
    if not log:
        axis.set_minor_formatter(NullFormatter())
        return
    if decades <= 0.6:  # a fraction of a decade: every integer mantissa, or an axis of one label or none
        labelled = subs = (2, 3, 4, 5, 6, 7, 8, 9)
    else:
        labelled = (2, 3, 5) if decades <= 1.6 else (2, 5) if decades <= 3 else ()
        subs = (2, 3, 5)
    axis.set_minor_locator(LogLocator(base=10, subs=tuple(map(float, subs))))
    axis.set_minor_formatter(FuncFormatter(lambda value, _: tick(value) if _mantissa(value) in labelled else ""))


def _mantissa(value: float) -> int:
    return round(value / 10 ** math.floor(math.log10(value) + 1e-9)) if value > 0 else 0


def decades_spanned(values: Sequence[float]) -> float:
    positive = [v for v in values if v > 0]
    return math.log10(max(positive) / min(positive)) if positive else 0.0


def binary_bytes(n: float) -> str:
    """Bytes in binary units, as microcontroller datasheets give SRAM: 1,404,928 → "1372 KiB", 256 KiB,
    7,225,344 → "6.9 MiB". KiB up to 2 MiB, so that the sizes of small devices read as whole numbers."""
    if n < KIB:
        return f"{n:.0f} B"
    if n < 2 * MIB:
        kib = n / KIB
        return f"{kib:.0f} KiB" if kib >= 100 or kib == int(kib) else f"{kib:.1f} KiB"
    mib = n / MIB
    return f"{mib:.0f} MiB" if mib == int(mib) or mib >= 100 else f"{mib:.1f} MiB"


def binary_unit(largest: float) -> tuple[str, int]:
    return ("KiB", KIB) if largest < 2 * MIB else ("MiB", MIB)


# --- files -----------------------------------------------------------------------------------------------

@styled
def save(fig, path: Path) -> None:
    """PNG, SVG or PDF by the file's suffix, at the figure's own size; SVG and PDF keep text as text.
    Metadata are fixed (no dates) so that the same figure gives the same bytes."""
    suffix = path.suffix.lower()
    if suffix not in METADATA:
        raise ValueError(f"{path}: plots are written as {', '.join(SAVE_FORMATS)}")
    fig.savefig(path, metadata=METADATA[suffix])
