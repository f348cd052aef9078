"""The `costnet` command: each command parses its options, calls the library, and prints what a renderer returns.

Exit codes: 0 success, 1 over budget (`costnet check`), 2 bad input (a spec error, a bad option, a missing
file) or output that cannot be written (a file, or standard output: a closed pipe, a full disk). Errors are one
line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .. import __version__
from ..analysis.conventions import CONVENTIONS, DEFAULT_CONVENTION
from ..analysis.memory import DTYPES
from ..analysis.quantities import QUANTITIES
from ..errors import CostnetError, ExitCode, StandardOutputError, UsageError
from ..units import printable
from .streams import standard_streams

FORMAT_NAMES = ("table", "json", "csv", "markdown")  # kept equal to render.FORMATS by a test; render loads lazily


class _Group(click.Group):
    """Every error is one line on stderr, `costnet: error: …`, and exit 2: a costnet error (bad spec, missing
    file) or a bad option or argument (click's own message, with where to find help)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        bare = not args  # (the parser consumes `args`)
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if bare:  # `costnet` alone: the help is the answer
                raise
            self._usage_error(exc)

    @staticmethod
    def _usage_error(exc: click.UsageError):
        command = exc.ctx.command_path if exc.ctx else "costnet"
        click.echo(f"costnet: error: {exc.format_message()} (see '{command} --help')", err=True)
        sys.exit(ExitCode.BAD_INPUT)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CostnetError as exc:
            click.echo(f"costnet: error: {printable(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            self._usage_error(exc)
        except (click.exceptions.Exit, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still one line and exit 2, never 1 ("over budget") in someone's CI
            if os.environ.get("COSTNET_DEBUG"):
                raise
            click.echo(f"costnet: internal error: {type(exc).__name__}: {printable(str(exc))} (a bug in costnet; "
                       "COSTNET_DEBUG=1 shows the traceback)", err=True)
            ctx.exit(ExitCode.BAD_INPUT)


def spec_argument(func):
    return click.argument("spec", metavar="SPEC")(func)


def scaling_options(func):
    # Plain types: the library checks the ranges, so the CLI and the Python API give the same messages.
    func = click.option("--depth", type=float, default=None,
                        help="Depth multiplier on the repeats of the spec's stages of blocks, rounded by the "
                             "spec's rule (default: the spec's).")(func)
    func = click.option("--resolution", "-r", type=int, default=None,
                        help="Input resolution in pixels, height = width (default: the spec's).")(func)
    func = click.option("--width", "-w", type=float, default=None,
                        help="Width multiplier α on the spec's base widths, rounded by the spec's rule "
                             "(default: the spec's own, e.g. 1.3 for MixNet-L).")(func)
    return func


class NumberList(click.ParamType):
    """ "1,0.75,0.5" or a range "0.25:1.0:0.05" (stop included), or both, comma-separated."""

    name = "list"

    def __init__(self, kind: type):
        self.kind = kind

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        numbers: list = []
        try:
            for part in str(value).split(","):
                if ":" in part:
                    start, stop, step = (float(x) for x in part.split(":"))
                    if step <= 0 or stop < start:
                        raise ValueError
                    count = int(round((stop - start) / step)) + 1
                    numbers += [self.kind(round(start + i * step, 6)) for i in range(count)]
                else:
                    numbers.append(self.kind(float(part)) if self.kind is int else self.kind(part))
        except ValueError:
            self.fail(f"{value!r} is not a list like 1,0.75,0.5 or a range like 0.25:1.0:0.05", param, ctx)
        if not numbers or any(n <= 0 for n in numbers):
            self.fail(f"{value!r}: every value must be > 0", param, ctx)
        return tuple(dict.fromkeys(numbers))


def convention_option(func):
    names = ", ".join(f"{c.name}: {c.summary}" for c in CONVENTIONS.values())
    return click.option("--convention", "-c", type=click.Choice(list(CONVENTIONS)), default=DEFAULT_CONVENTION,
                        show_default=True, help=f"How parameters are counted ({names}).")(func)


def _analyze(spec: str, width, resolution, depth, convention):
    from ..api import analyze
    from ..frontends.spec.loader import load
    from ..frontends.spec.scaling import scale

    return analyze(scale(load(spec), width=width, resolution=resolution, depth=depth), convention)


def _emit(text: str, output: Path | None) -> None:
    """Print, or write the text to OUTPUT as the shell's `>` would, never leaving a partial file (outputs/files.py)."""
    if output is None:
        click.echo(text, nl=False)
    else:
        from ..outputs.files import write_file

        write_file(output, text)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="costnet")
def cli() -> None:
    """Predict what a convolutional network costs (MACs, parameters, activations) from a YAML spec.

    SPEC is a path to a spec file, or the name of a bundled spec (see `costnet list`).

    \b
    Examples:
      costnet analyze mixnet_m.yaml
      costnet analyze mobilenet_v1 --width 0.5 --resolution 160
      costnet analyze my_net.yaml --format json > costs.json
    """


@cli.command()
@spec_argument
@scaling_options
@convention_option
@click.option("--format", "-f", "fmt", type=click.Choice(FORMAT_NAMES), default="table", show_default=True,
              help="Output format; json is the documented machine contract (docs/output.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def analyze(spec, width, resolution, depth, convention, fmt, output):
    """Layer-by-layer shapes, MACs, parameters and separable-convolution savings of SPEC."""
    from ..outputs.render import FORMATS

    _emit(FORMATS[fmt](_analyze(spec, width, resolution, depth, convention)), output)


@cli.command(name="list")
@convention_option
def list_specs(convention):
    """The bundled specs, one line each: family, default input, MACs and parameters."""
    from ..api import analyze as run
    from ..frontends.spec.loader import bundled_names, load
    from ..outputs.textable import format_table
    from ..units import format_count

    rows = []
    for name in bundled_names():
        result = run(load(name), convention)
        top1 = next((f"{r.top1:.1f}%" for r in result.reported if r.top1 is not None), "")
        rows.append([name, result.family, result.model, str(result.input), f"{result.scaling.width:g}",
                     format_count(result.totals.macs), format_count(result.totals.params), top1])
    headers = ["spec", "family", "model", "input", "width", "MACs", "params", "top-1 (first published)"]
    click.echo(format_table(headers, rows, "lllllrrr"))
    click.echo(f"\nconvention: {CONVENTIONS[convention].describe()}")


TABLE_KIND_NAMES = ("architecture", "types", "separable", "layer-modifications")  # = tables.ALL_KINDS (tested)
TABLE_FORMAT_NAMES = ("table", "markdown", "csv", "json", "latex")  # = tablerender.TABLE_FORMATS (tested)


@cli.command()
@click.argument("spec", metavar="[SPEC]", required=False)
@click.option("--kind", "-k", type=click.Choice(TABLE_KIND_NAMES), required=True,
              help="architecture: MobileNet's Table 1; types: resource per layer type (Table 2); separable: "
                   "each depthwise separable pair against a full convolution, and the whole network so "
                   "(Table 4); layer-modifications: one layer through separable, α and ρ (Table 3).")
@scaling_options
@convention_option
@click.option("--format", "-f", "fmt", type=click.Choice(TABLE_FORMAT_NAMES), default="table", show_default=True,
              help="Output format; json is documented in docs/output.md.")
@click.option("--layer", help="layer-modifications: take D_K, M, N, D_F from this convolution of SPEC "
                              "(a depthwise layer stands for its separable pair).")
@click.option("--dk", type=click.IntRange(min=1), help="layer-modifications: kernel size D_K [3].")
@click.option("-m", "m", type=click.IntRange(min=1), help="layer-modifications: input channels M [512].")
@click.option("-n", "n", type=click.IntRange(min=1), help="layer-modifications: output channels N [512].")
@click.option("--df", type=click.IntRange(min=1), help="layer-modifications: feature map size D_F [14].")
@click.option("--alpha", type=click.FloatRange(min=0, min_open=True), default=0.75, show_default=True,
              help="layer-modifications: width multiplier α.")
@click.option("--rho", type=click.FloatRange(min=0, min_open=True), default=0.714, show_default=True,
              help="layer-modifications: resolution multiplier ρ.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def table(spec, kind, width, resolution, depth, convention, fmt, layer, dk, m, n, df, alpha, rho, output):
    """Render one of the papers' tables for SPEC.

    \b
    Examples:
      costnet table mobilenet_v1 --kind architecture
      costnet table mobilenet_v1 --kind types --convention weights --format markdown
      costnet table mixnet_m --kind separable --format json
      costnet table --kind layer-modifications                     # the paper's Table 3
      costnet table mobilenet_v1 --kind layer-modifications --layer features.6.dw --alpha 0.5
    """
    from ..outputs import tables
    from ..outputs.tablerender import TABLE_FORMATS, render_json

    if kind == "layer-modifications":
        given = {"--dk": dk, "-m": m, "-n": n, "--df": df}
        if spec and layer:
            try:
                base = tables.layer_spec_of(_analyze(spec, width, resolution, depth, convention), layer)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        elif spec or layer:
            raise UsageError("layer-modifications takes SPEC and --layer together, or neither")
        else:
            base = tables.LayerSpec(3, 512, 512, 14)  # MobileNet's Table 3
        values = {key: getattr(base, key) if value is None else value
                  for key, value in zip(("dk", "m", "n", "df"), given.values())}
        result = tables.layer_modifications(tables.LayerSpec(**values), alpha, rho)
        context: dict = {}
    else:
        if not spec:
            raise UsageError(f"--kind {kind} needs a SPEC")
        analysis = _analyze(spec, width, resolution, depth, convention)
        result = tables.TABLE_KINDS[kind](analysis)
        context = {"model": analysis.model, "convention": analysis.convention.name,
                   "scaling": {"width": analysis.scaling.width, "resolution": analysis.scaling.resolution,
                               "depth": analysis.scaling.depth}}
    text = render_json(result, context) if fmt == "json" else TABLE_FORMATS[fmt](result)
    _emit(text, output)


@cli.command()
@spec_argument
@click.option("--width", "-w", "widths", type=NumberList(float), default=None,
              help="Width multipliers: 1,0.75,0.5,0.25 or a range 0.25:1.0:0.05 (default: the spec's).")
@click.option("--resolution", "-r", "resolutions", type=NumberList(int), default=None,
              help="Resolutions: 224,192,160,128 or a range 96:224:32 (default: the spec's).")
@click.option("--depth", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Depth multiplier for every point (default: the spec's).")
@convention_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write report.md, points.csv, points.json and plots (PNG and SVG) to this directory.")
@click.option("--no-plots", is_flag=True, help="With --out: skip the plots (no matplotlib needed).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "markdown", "csv", "json"]), default="table",
              show_default=True, help="Without --out: how to print the grid.")
def sweep(spec, widths, resolutions, depth, convention, out_dir, no_plots, fmt):
    """Evaluate SPEC over a width × resolution grid (MobileNet's Tables 6 and 7, and beyond).

    \b
    Examples:
      costnet sweep mobilenet_v1 --width 1,0.75,0.5,0.25 --resolution 224,192,160,128
      costnet sweep mixnet_m --width 0.5:1.5:0.05 --resolution 128:320:8 --out reports/sweep-mixnet_m
    """
    from ..frontends.spec.loader import load
    from ..studies.points import sweep as run_sweep
    from ..outputs.sweepreport import points_csv, points_json, sweep_markdown, write_sweep

    spec_data = load(spec)
    widths = widths or (spec_data.width.multiplier,)
    resolutions = resolutions or (spec_data.input.resolution,)
    total = len(widths) * len(resolutions)
    with click.progressbar(length=total, label=f"sweeping {total} variants", file=sys.stderr,
                           hidden=total < 200) as bar:
        points = run_sweep(spec_data, widths, resolutions, convention, depth, progress=bar.update)
    if out_dir is not None:
        written = write_sweep(out_dir, points, spec_data.name, spec_data.file, convention, with_plots=not no_plots)
        click.echo(f"{total} variants of {spec_data.name}: wrote " + ", ".join(str(p) for p in written))
        return
    if fmt == "csv":
        click.echo(points_csv(points), nl=False)
    elif fmt == "json":
        click.echo(points_json(points, spec_data.name, spec_data.file, convention), nl=False)
    elif fmt == "markdown":
        click.echo(sweep_markdown(points, spec_data.name, spec_data.file, convention))
    else:
        from ..outputs.textable import format_table
        from ..units import format_count

        rows = [[f"{p.width:g}", str(p.resolution), format_count(p.macs), format_count(p.params),
                 f"{p.top1:.1f}%" if p.top1 is not None else "", p.source or ""] for p in points]
        click.echo(format_table(["width", "resolution", "MACs", "params", "top-1", "source"], rows, "rrrrrl"))


def _variants(specs, convention, prefer):
    from ..frontends.spec.loader import load
    from ..studies.points import parse_variant, point, reported_points

    result = []
    for text in specs:
        name, width, resolution = parse_variant(text)
        spec_data = load(name)
        chosen = (point(spec_data, width, resolution, convention, prefer=prefer),)
        every = reported_points(spec_data, convention, prefer) if width is None and resolution is None else ()
        result.append((spec_data, chosen, every))
    return result


def source_option(func):
    return click.option("--source", "prefer", metavar="TEXT", default=None,
                        help="Take published accuracies from entries whose source contains TEXT when there "
                             "are several (e.g. 'MixConv'); otherwise the spec's first.")(func)


@cli.command()
@click.argument("specs", metavar="SPEC...", nargs=-1, required=True)
@convention_option
@click.option("--sort", type=click.Choice(["macs", "params", "top1"]), default="macs", show_default=True,
              help="Order of the rows.")
@source_option
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "markdown", "csv", "json"]), default="table",
              show_default=True, help="Output format.")
def compare(specs, convention, sort, prefer, fmt):
    """Compare networks: parameters, MACs and published top-1 (MixNet's Table 2, MobileNet's Tables 8 and 9).

    SPEC may name a variant: mobilenet_v1@0.5,160 (width 0.5 at 160 pixels), mobilenet_v2@1.4.

    \b
    Example:
      costnet compare mixnet_s mixnet_m mixnet_l mobilenet_v2 mobilenet_v2@1.4 mnasnet_a1 efficientnet_b0
    """
    from ..units import format_count

    points = [p for _, chosen, _ in _variants(specs, convention, prefer) for p in chosen]
    key = {"macs": lambda p: p.macs, "params": lambda p: p.params, "top1": lambda p: -(p.top1 or 0)}[sort]
    points.sort(key=key)
    if fmt in ("csv", "json"):
        from ..outputs.sweepreport import points_csv, points_json

        click.echo(points_csv(points) if fmt == "csv" else points_json(points, "comparison", ", ".join(specs),
                                                                         convention), nl=False)
        return
    rows = [[p.model, p.variant, format_count(p.params), format_count(p.macs),
             f"{p.top1:.1f}%" if p.top1 is not None else "—", p.source or "—"] for p in points]
    headers = ["model", "variant", "params", "MACs", "top-1", "source of top-1"]
    if fmt == "markdown":
        from tabulate import tabulate

        click.echo(tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True))
    else:
        from ..outputs.textable import format_table

        click.echo(format_table(headers, rows, "llrrrl"))
    click.echo(f"\nparams and MACs: exact, by costnet; convention: {CONVENTIONS[convention].describe()}")


@cli.command()
@click.argument("specs", metavar="SPEC...", nargs=-1, required=True)
@click.option("--x", "x", type=click.Choice(["macs", "params"]), default="macs", show_default=True,
              help="Horizontal axis.")
@click.option("--y", "y", type=click.Choice(["top1", "top5"]), default="top1", show_default=True,
              help="Vertical axis: published accuracy.")
@click.option("--log-x", is_flag=True, help="Logarithmic horizontal axis.")
@click.option("--title", default=None, help="Figure title.")
@source_option
@convention_option
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The figure: FILE.png or FILE.svg.")
def plot(specs, x, y, log_x, title, prefer, convention, out):
    """Plot published accuracy against exact cost (MobileNet's Figures 4–5, MixNet's Figure 1).

    A SPEC alone contributes every variant its spec reports an accuracy for (MobileNetV1: its 16
    width × resolution checkpoints); SPEC@WIDTH[,RESOLUTION] contributes that variant.

    \b
    Examples:
      costnet plot mobilenet_v1 --x macs --log-x --out fig4.png
      costnet plot mixnet_s mixnet_m mixnet_l mobilenet_v1@1.0 mobilenet_v2 mnasnet_a1 --out fig1.svg
    """
    if out.suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"{out}: the figure is written as .png or .svg")
    points = []
    for spec_data, chosen, reported in _variants(specs, convention, prefer):
        points += [p for p in (reported or chosen) if getattr(p, y) is not None]
    if not points:
        raise UsageError(f"none of {', '.join(specs)} has a published {y} to plot")
    from ..outputs import plots
    from ..outputs.files import write_files

    figure = plots.accuracy_figure(points, x, y, log_x, title)
    write_files(out.parent, {out.name: plots.saver(figure)})  # (creates a missing folder)
    click.echo(f"wrote {out} ({len(points)} points)")


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Directory for mobilenets.md, mixnet.md and their figures.")
@click.option("--no-plots", is_flag=True, help="Write the Markdown pages only.")
def report(out_dir, no_plots):
    """Regenerate the paper reports: each published table beside costnet's figures, differences explained."""
    from ..outputs.reports import write_reports

    written = write_reports(out_dir, with_plots=not no_plots)
    click.echo("wrote " + ", ".join(str(p) for p in written))


CHECK_FORMAT_NAMES = ("table", "json", "github", "junit")  # = checkrender.CHECK_FORMATS (tested)
SINGLE_SPEC_OPTIONS = ("dtype", "width", "resolution", "depth", "convention", "baseline", "max_increase")


def _limit_options(func):
    for name in reversed(list(QUANTITIES)):
        quantity = QUANTITIES[name]
        func = click.option(f"--max-{name}", f"max_{name}", metavar="LIMIT", default=None,
                            help=f"Largest allowed {quantity.doc}, e.g. {quantity.example}.")(func)
    return func


@cli.command()
@click.argument("spec", metavar="[SPEC]", required=False)
@_limit_options
@click.option("--dtype", type=click.Choice(list(DTYPES)), default="fp32", show_default=True,
              help="Bytes per parameter for --max-weights.")
@scaling_options
@convention_option
@click.option("--budget", "budget_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A budget file with many entries (docs/ci.md) instead of SPEC and limits.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A `costnet analyze --format json` file to compare with.")
@click.option("--max-increase", default=None, metavar="PERCENT",
              help="With --baseline: allowed growth of MACs, params and activations, e.g. 2%.")
@click.option("--format", "-f", "fmt", type=click.Choice(CHECK_FORMAT_NAMES), default="table", show_default=True,
              help="table for people; github for workflow annotations; junit (with --output) or json for tools.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file (JUnit XML, JSON, …) instead of standard output.")
@click.pass_context
def check(ctx, spec, budget_file, fmt, output, **options):
    """Check cost budgets: exit 0 when every limit holds, 1 when one is exceeded, 2 on bad input.

    Limits accept K/M/G (counts) and KB/MB/GB/KiB/MiB/GiB (bytes), and are exact: a limit equal to the
    value holds.

    \b
    Examples:
      costnet check mixnet_m --max-macs 400M --max-params 5.5M
      costnet check my_net.yaml --max-weights 4MB --dtype int8 --format github
      costnet check --budget budgets.yaml --format junit --output costnet-junit.xml
      costnet analyze my_net.yaml -f json > baseline.json
      costnet check my_net.yaml --baseline baseline.json --max-increase 2%
    """
    from ..studies import budget as b
    from ..outputs.checkrender import CHECK_FORMATS, render_github_error, summary

    try:
        entries = _check_entries(ctx, spec, budget_file, options)
    except CostnetError as exc:
        if fmt == "github":  # the annotation, at the place of the error, besides the message on stderr
            click.echo(render_github_error(exc), nl=False)
        raise
    results = [b.evaluate(entry) for entry in entries]
    _emit(CHECK_FORMATS[fmt](results), output)
    if output is not None:
        click.echo(f"{summary(results)}; wrote {output}", err=True)
    if any(r.error for r in results):
        sys.exit(ExitCode.BAD_INPUT)
    sys.exit(ExitCode.OK if all(r.passed for r in results) else ExitCode.OVER_BUDGET)


def _check_entries(ctx: click.Context, spec, budget_file, options) -> tuple:
    from click.core import ParameterSource

    from ..studies import budget as b

    given = {name: options[f"max_{name}"] for name in QUANTITIES if options[f"max_{name}"] is not None}
    if budget_file is not None:
        extra = [f"--{name.replace('_', '-')}" for name in SINGLE_SPEC_OPTIONS
                 if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE]
        if spec or given or extra:
            what = ", ".join((["SPEC"] if spec else []) + [f"--max-{n}" for n in given] + extra)
            raise UsageError(f"--budget takes specs, variants, limits and conventions from the file; drop {what}")
        return b.parse_budget_file(str(budget_file))
    if not spec:
        raise UsageError("give a SPEC with limits (--max-macs …), or --budget FILE")
    try:
        limits = tuple(b.parse_limit(name, value) for name, value in given.items())
        increase = b.parse_percent(options["max_increase"]) if options["max_increase"] is not None else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    baseline = options["baseline"]
    if (baseline is None) != (increase is None):
        raise UsageError("--baseline and --max-increase go together")
    if not limits and baseline is None:
        raise UsageError("no limit given: use " + ", ".join(f"--max-{n}" for n in QUANTITIES)
                         + " or --baseline with --max-increase")
    return (b.Entry(spec, None, options["width"], options["resolution"], options["depth"], options["convention"],
                    options["dtype"], limits, b.Baseline(str(baseline), increase) if baseline else None, None),)


@cli.command(name="diff")
@click.argument("spec_a", metavar="A")
@click.argument("spec_b", metavar="B")
@convention_option
@click.option("--all", "show_all", is_flag=True, help="Show unchanged layers too.")
def diff_command(spec_a, spec_b, convention, show_all):
    """Layer-by-layer difference of A and B: two specs, or one at two variants (mixnet_m mixnet_m@1.3,256)."""
    from ..studies.diff import diff
    from ..studies.points import parse_variant
    from ..outputs.textable import format_table
    from ..units import format_count

    def run(text):
        name, width, resolution = parse_variant(text)
        return _analyze(name, width, resolution, None, convention)

    a, b = run(spec_a), run(spec_b)
    show = lambda n: "—" if n is None else format_count(n)
    delta = lambda x, y: "" if (x or 0) == (y or 0) else f"{(y or 0) - (x or 0):+,}"
    rows = [[d.name, d.type, d.shape_a, d.shape_b, show(d.macs_a), show(d.macs_b), delta(d.macs_a, d.macs_b),
             show(d.params_a), show(d.params_b), delta(d.params_a, d.params_b)]
            for d in diff(a, b) if show_all or d.changed]
    click.echo(f"A: {a.model} ({a.file}) width {a.scaling.width:g}, resolution {a.scaling.resolution}")
    click.echo(f"B: {b.model} ({b.file}) width {b.scaling.width:g}, resolution {b.scaling.resolution}\n")
    if rows:
        click.echo(format_table(["layer", "type", "output A", "output B", "MACs A", "MACs B", "Δ MACs", "params A",
                                 "params B", "Δ params"], rows, "llllrrrrrr"))
    else:
        click.echo("no layer differs")
    change = lambda x, y: f"{x:,} → {y:,}" + (f" ({(y - x) / x:+.2%})" if x else "")
    click.echo(f"\ntotal MACs {change(a.totals.macs, b.totals.macs)}; params "
               f"{change(a.totals.params, b.totals.params)}; activations "
               f"{change(a.totals.activations, b.totals.activations)}; convention: {convention}")


@cli.command()
def types():
    """The layer and block types a spec can use, with their fields."""
    from ..outputs.docgen import types_reference

    click.echo(types_reference(), nl=False)


def main(argv: list[str] | None = None) -> int:
    try:
        with standard_streams():
            cli.main(args=argv, prog_name="costnet", standalone_mode=True)
    except StandardOutputError as exc:  # outside a command: --help, --version, the last flush
        click.echo(f"costnet: error: {exc}", err=True)
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else ExitCode.BAD_INPUT
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
