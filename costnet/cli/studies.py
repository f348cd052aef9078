"""Commands over many variants: sweep, compare, plot, report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from .app import cli
from .options import (
    EXTENSIONS, NumberList, convention_option, emit, format_option, memory_options, output_option,
    resolve_format, show_progress, spec_argument, specs_argument, to_stdout,
)

POINT_FORMAT_NAMES = ("table", "markdown", "csv", "json", "jsonl")


def scalable(network, text: str, command: str):
    """`network` if it is a spec; an ONNX graph has no width, resolution or depth to vary."""
    from ..frontends.spec.spec import Spec

    if not isinstance(network, Spec):
        raise UsageError(f"{text}: {command} takes a YAML spec, whose width, resolution and depth it varies; an "
                         f"ONNX graph is the one variant that was exported (costnet analyze {text})")
    return network


def _grid_text(given: str | None, values: tuple) -> str:
    shown = ", ".join(f"{v:g}" for v in values[:8]) + (", …" if len(values) > 8 else "")
    return f"{given} ({len(values)} values: {shown})" if given else f"{shown} (the spec's)"


@cli.command()
@spec_argument
@click.option("--width", "-w", "widths", type=NumberList(float), default=None,
              help="Width multipliers: 1,0.75,0.5,0.25 or a range start:stop:step, 0.25:1.0:0.05 (default: the "
                   "spec's). A range never passes its stop.")
@click.option("--resolution", "-r", "resolutions", type=NumberList(int), default=None,
              help="Resolutions in whole pixels: 224,192,160,128 or a range 96:224:32 (default: the spec's).")
@click.option("--depth", "-d", "depths", type=NumberList(float), default=None,
              help="Depth multipliers: 1,1.2,1.4 or a range 1:2:0.2 (default: the spec's), as the spec's depth "
                   "rule rounds them.")
@convention_option
@memory_options
@click.option("--no-plots", is_flag=True, help="With a report folder: write no figures.")
@format_option(POINT_FORMAT_NAMES, "table", "csv and jsonl stream each point as it is computed.")
@output_option(help="A file for the grid (its extension gives the format), or a folder: report.md, points.csv, "
                    "points.json and the figures (PNG and SVG).")
def sweep(spec, widths, resolutions, depths, convention, dtype, memory_model, no_plots, fmt, output):
    """Evaluate SPEC over a width × resolution (× depth) grid (MobileNet's Tables 6 and 7, and beyond): MACs,
    parameters, peak activation memory and published accuracy of every variant.

    \b
    Examples:
      costnet sweep mobilenet_v1 --width 1,0.75,0.5,0.25 --resolution 224,192,160,128
      costnet sweep mixnet_m --width 0.5:1.5:0.05 --resolution 128:320:8 -o reports/sweep-mixnet_m
      costnet sweep efficientnet_b0 --width 1,1.1,1.2 --depth 1,1.2,1.4 -f csv > grid.csv
    """
    from ..api import load, scale
    from ..limits import MAX_SWEEP_POINTS
    from ..outputs.sweepreport import (
        SweepInfo, points_csv, points_json, points_jsonl, points_table, sweep_markdown, write_sweep,
    )
    from ..studies.sweep import iter_sweep

    spec_data = scalable(load(spec), spec, "sweep")
    grid_widths = widths or (spec_data.width.multiplier,)
    grid_resolutions = resolutions or (spec_data.input.resolution,)
    grid_depths = depths or (spec_data.depth.multiplier,)
    total = len(grid_widths) * len(grid_resolutions) * len(grid_depths)
    if total > MAX_SWEEP_POINTS:
        raise UsageError(f"{len(grid_widths):,} widths × {len(grid_resolutions):,} resolutions × "
                         f"{len(grid_depths):,} depths are {total:,} variants; a sweep takes at most "
                         f"{MAX_SWEEP_POINTS:,}")
    if depths:
        for depth in grid_depths:  # a depth the spec cannot take is refused before the first row
            scale(spec_data, depth=depth)
    info = SweepInfo(spec_data.name, spec_data.file, convention, dtype, memory_model,
                     _grid_text(getattr(widths, "text", None), grid_widths),
                     _grid_text(getattr(resolutions, "text", None), grid_resolutions),
                     _grid_text(getattr(depths, "text", None), grid_depths))
    # -o names a folder for the report, unless a format is asked for or the name says one (a file then)
    folder = fmt is None and output is not None and not to_stdout(output) and output.suffix.lower() not in EXTENSIONS
    fmt = resolve_format(fmt, output, POINT_FORMAT_NAMES, "table")
    points = iter_sweep(spec_data, grid_widths, grid_resolutions, convention, depths or (None,), dtype)
    with click.progressbar(points, length=total, label=f"sweeping {total:,} variants", file=sys.stderr,
                           hidden=not show_progress()) as bar:
        if fmt in ("csv", "jsonl") and not folder:  # rows go out as they are computed
            emit((points_csv if fmt == "csv" else points_jsonl)(bar, convention), output)
            return
        computed = tuple(bar)
    if folder:
        written = write_sweep(output, computed, info, with_plots=not no_plots)
        click.echo(f"{total:,} variant{'s' if total > 1 else ''} of {spec_data.name}: wrote "
                   + ", ".join(str(p) for p in written))
    elif fmt == "json":
        emit(points_json(computed, info, convention), output)
    elif fmt == "markdown":
        emit(sweep_markdown(computed, info), output)
    else:
        emit(points_table(computed, memory_model), output)


def _variant_points(specs, convention, prefer, dtype, command):
    """(spec, the variant asked for, every variant with a published accuracy) per SPEC[@WIDTH[,RESOLUTION]]."""
    from ..api import load
    from ..studies.points import parse_variant, point, reported_points

    result = []
    for text in specs:
        name, width, resolution = parse_variant(text)
        spec_data = scalable(load(name), name, command)
        chosen = point(spec_data, width, resolution, convention, prefer=prefer, dtype=dtype)
        every = reported_points(spec_data, convention, prefer) if width is None and resolution is None else ()
        result.append((spec_data, chosen, every))
    return result


def source_option(func):
    return click.option("--source", "prefer", metavar="TEXT", default=None,
                        help="Take published accuracies from entries whose source contains TEXT when there "
                             "are several (e.g. 'MixConv'); otherwise the spec's first.")(func)


@cli.command()
@specs_argument
@convention_option
@memory_options
@click.option("--sort", type=click.Choice(["macs", "params", "top1", "memory", "given"]), default="given",
              show_default=True, help="Order of the rows (given: as on the command line).")
@source_option
@format_option(POINT_FORMAT_NAMES, "table")
@output_option()
def compare(specs, convention, dtype, memory_model, sort, prefer, fmt, output):
    """Compare networks: parameters, MACs, peak memory and published top-1 (MixNet's Table 2, MobileNet's
    Tables 8 and 9). Every machine-readable row names its model, family, spec and variant.

    SPEC may name a variant: mobilenet_v1@0.5,160 (width 0.5 at 160 pixels), mobilenet_v2@1.4.

    \b
    Example:
      costnet compare mixnet_s mixnet_m mixnet_l mobilenet_v2 mobilenet_v2@1.4 mnasnet_a1 efficientnet_b0
    """
    from ..analysis.conventions import CONVENTIONS
    from ..outputs.sweepreport import points_csv, points_json, points_jsonl
    from ..units import format_count, format_memory, printable

    fmt = resolve_format(fmt, output, POINT_FORMAT_NAMES, "table")
    points = [chosen for _, chosen, _ in _variant_points(specs, convention, prefer, dtype, "compare")]
    peak = (lambda p: p.peak_bytes_in_place) if memory_model == "in-place" else (lambda p: p.peak_bytes_plain)
    key = {"macs": lambda p: p.macs, "params": lambda p: p.params, "top1": lambda p: -(p.top1 or 0),
           "memory": peak, "given": None}[sort]
    if key is not None:
        points.sort(key=key)
    if fmt in ("csv", "jsonl"):
        emit((points_csv if fmt == "csv" else points_jsonl)(points, convention), output)
        return
    if fmt == "json":
        emit(points_json(points, None, convention), output)
        return
    rows = [[printable(p.model), p.variant, format_count(p.params), format_count(p.macs), format_memory(peak(p)),
             f"{p.top1:.1f}%" if p.top1 is not None else "—", printable(p.source or "—")] for p in points]
    headers = ["model", "variant", "params", "MACs", f"peak memory ({dtype}, {memory_model})", "top-1",
               "source of top-1"]
    if fmt == "markdown":
        from tabulate import tabulate

        table_text = tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)
    else:
        from ..outputs.textable import format_table

        table_text = format_table(headers, rows, "llrrrrl")
    emit(f"{table_text}\n\nparams and MACs: exact, by costnet; convention: {CONVENTIONS[convention].describe()}\n",
         output)


PLOT_KINDS = ("accuracy", "memory", "memory-zoo")


@cli.command()
@specs_argument
@click.option("--kind", "-k", type=click.Choice(PLOT_KINDS), default="accuracy", show_default=True,
              help="accuracy: published accuracy against exact cost (MobileNet's Figures 4–5, MixNet's Figure 1); "
                   "memory: live activation memory along each network, peak marked (MCUNetV2's Figure 1); "
                   "memory-zoo: each network's peak against device budgets.")
@click.option("--x", "x", type=click.Choice(["macs", "params"]), default="macs", show_default=True,
              help="accuracy: horizontal axis.")
@click.option("--y", "y", type=click.Choice(["top1", "top5"]), default="top1", show_default=True,
              help="accuracy: vertical axis, published accuracy.")
@click.option("--log-x", is_flag=True, help="accuracy: logarithmic horizontal axis.")
@click.option("--by", type=click.Choice(["block", "layer"]), default="block", show_default=True,
              help="memory: one bar per block, or per layer.")
@click.option("--budget-line", metavar="SIZE", default=None,
              help="memory: draw a device budget, e.g. 256KiB (SRAM of a microcontroller).")
@click.option("--title", default=None, help="Figure title.")
@source_option
@convention_option
@memory_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The figure: FILE.png, FILE.svg (text stays text) or FILE.pdf.")
def plot(specs, kind, x, y, log_x, by, budget_line, title, prefer, convention, dtype, memory_model, output):
    """Draw a figure of SPECs.

    For the accuracy figure, a SPEC alone contributes every variant its spec reports an accuracy for
    (MobileNetV1: its 16 width × resolution checkpoints); SPEC@WIDTH[,RESOLUTION] contributes that variant;
    SPEC=ACCURACY places your own network at the accuracy you measured, top-1 (my_net.yaml=71.3) or, with
    --y top5, top-5. A SPEC read from standard input is `-`; after the options, `--` keeps `-=71.3` from reading
    as one: `costnet plot -o fig.png -- -=71.3 mobilenet_v2`.

    \b
    Examples:
      costnet plot mobilenet_v1 --x macs --log-x -o fig4.png
      costnet plot mixnet_s mixnet_m mixnet_l mobilenet_v2 mnasnet_a1 my_net.yaml=76.1 -o fig1.pdf
      costnet plot mobilenet_v2 --kind memory --dtype int8 --budget-line 256KiB -o memory.png
    """
    from ..outputs import plots
    from ..outputs.files import write_files

    if output.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise UsageError(f"{output}: the figure is written as .png, .svg or .pdf")
    if kind == "accuracy":
        figure, count = _accuracy_figure(specs, x, y, log_x, title, prefer, convention, dtype)
    else:
        figure, count = _memory_figure(specs, kind, by, budget_line, title, convention, dtype, memory_model)
    write_files(output.parent, {output.name: plots.saver(figure)})  # (creates a missing folder)
    click.echo(f"wrote {output} ({count})")


def _own_accuracy(text: str) -> tuple[str, float | None]:
    if "=" not in text:
        return text, None
    name, _, value = text.rpartition("=")
    try:
        accuracy = float(value)
    except ValueError:
        raise UsageError(f"{text!r}: SPEC=ACCURACY takes a percentage, e.g. my_net.yaml=71.3") from None
    if not 0 < accuracy <= 100:
        raise UsageError(f"{text!r}: the accuracy is a percentage in (0, 100]")
    return name, accuracy


def _accuracy_figure(specs, x, y, log_x, title, prefer, convention, dtype):
    from dataclasses import replace

    from ..outputs import plots

    points, left_out = [], []
    for text in specs:
        name, own = _own_accuracy(text)
        ((spec_data, chosen, reported),) = _variant_points((name,), convention, prefer, dtype, "plot --kind accuracy")
        if own is not None:
            points.append(replace(chosen, **{"top1": None, "top5": None, y: own}, source="yours", family="yours"))
            continue
        candidates = [p for p in (reported or (chosen,)) if getattr(p, y) is not None]
        if candidates:
            points += candidates
        else:
            left_out.append(text)
    for text in left_out:
        click.echo(f"costnet: note: {text} has no published {y} in its spec; left out (give one: {text}=ACCURACY)",
                   err=True)
    if not points:
        raise UsageError(f"none of {', '.join(specs)} has a published {y} to plot")
    return plots.accuracy_figure(points, x, y, log_x, title), f"{len(points)} point{'s' if len(points) > 1 else ''}"


def _memory_figure(specs, kind, by, budget_line, title, convention, dtype, memory_model):
    from ..outputs import memoryplots
    from ..units import parse_bytes
    from .inputs import variant_analysis

    try:
        budget = parse_bytes(budget_line) if budget_line is not None else None
    except ValueError as exc:
        raise UsageError(f"--budget-line: {exc}") from None
    analyses = [variant_analysis(text, convention, dtype) for text in specs]
    if kind == "memory":
        figure = memoryplots.memory_figure(analyses, model=memory_model, by=by, budget_bytes=budget, title=title)
    else:
        budgets = (budget,) if budget else (256 * 1024, 512 * 1024)
        figure = memoryplots.zoo_memory_figure(analyses, budgets_bytes=budgets)
    return figure, f"{len(analyses)} network{'s' if len(analyses) > 1 else ''}"


@cli.command()
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Folder for mobilenets.md, mixnet.md, memory.md and their figures.")
@click.option("--no-plots", is_flag=True, help="Write the Markdown pages only.")
def report(output, no_plots):
    """Regenerate the paper reports: each published table beside costnet's figures, differences explained."""
    from ..outputs.reports import write_reports

    if output.suffix.lower() in EXTENSIONS:
        raise UsageError(f"{output}: report writes a folder of pages and figures; name a folder, not a "
                         f"{output.suffix} file")
    written = write_reports(output, with_plots=not no_plots)
    click.echo("wrote " + ", ".join(str(p) for p in written))
