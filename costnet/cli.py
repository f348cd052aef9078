"""The `costnet` command: each command parses its options, calls the library, and prints what a renderer returns.

Exit codes: 0 success, 1 over budget (`costnet check`), 2 bad input (a spec error, a bad option, a missing
file). Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .conventions import CONVENTIONS, DEFAULT_CONVENTION
from .errors import CostnetError, ExitCode, UsageError

FORMAT_NAMES = ("table", "json", "csv", "markdown")  # kept equal to render.FORMATS by a test; render loads lazily


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CostnetError as exc:
            click.echo(f"costnet: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def spec_argument(func):
    return click.argument("spec", metavar="SPEC")(func)


def scaling_options(func):
    func = click.option("--depth", type=click.FloatRange(min=0, min_open=True), default=None,
                        help="Depth multiplier on block repeats (default: the spec's).")(func)
    func = click.option("--resolution", "-r", type=click.IntRange(min=1), default=None,
                        help="Input resolution in pixels, height = width (default: the spec's).")(func)
    func = click.option("--width", "-w", type=click.FloatRange(min=0, min_open=True), default=None,
                        help="Width multiplier α on the spec's base widths, rounded by the spec's rule "
                             "(default: the spec's own, e.g. 1.3 for MixNet-L).")(func)
    return func


def convention_option(func):
    names = ", ".join(f"{c.name}: {c.summary}" for c in CONVENTIONS.values())
    return click.option("--convention", "-c", type=click.Choice(list(CONVENTIONS)), default=DEFAULT_CONVENTION,
                        show_default=True, help=f"How parameters are counted ({names}).")(func)


def _analyze(spec: str, width, resolution, depth, convention):
    from .analysis import analyze
    from .loader import load
    from .scaling import scale

    return analyze(scale(load(spec), width=width, resolution=resolution, depth=depth), convention)


def _emit(text: str, output: Path | None) -> None:
    """Print, or write the whole text to a file at once (a failed run leaves no partial file)."""
    if output is None:
        click.echo(text, nl=False)
        return
    temporary = output.with_name(f".{output.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(output)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None


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
    from .render import FORMATS

    _emit(FORMATS[fmt](_analyze(spec, width, resolution, depth, convention)), output)


@cli.command(name="list")
@convention_option
def list_specs(convention):
    """The bundled specs, one line each: family, default input, MACs and parameters."""
    from .analysis import analyze as run
    from .loader import bundled_names, load
    from .textable import format_table
    from .units import format_count

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
    from . import tables
    from .tablerender import TABLE_FORMATS, render_json

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
def types():
    """The layer and block types a spec can use, with their fields."""
    from .docgen import types_reference

    click.echo(types_reference(), nl=False)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="costnet", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else ExitCode.BAD_INPUT
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
