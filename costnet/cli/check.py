"""`costnet check`: cost budgets in CI (docs/ci.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..analysis.quantities import QUANTITIES
from ..errors import CostnetError, ExitCode, UsageError
from .app import cli
from .options import complete_spec, convention_option, emit, format_option, memory_options, onnx_options, \
    output_option, resolve_format, scaling_options, to_stdout

CHECK_FORMAT_NAMES = ("table", "json", "github", "junit")  # = checkrender.CHECK_FORMATS (tested)
SINGLE_SPEC_OPTIONS = ("dtype", "memory_model", "width", "resolution", "depth", "input_shape", "convention",
                       "baseline", "max_increase")


def _limit_options(func):
    for name in reversed(list(QUANTITIES)):
        quantity = QUANTITIES[name]
        func = click.option(f"--max-{name.replace('_', '-')}", f"max_{name}", metavar="LIMIT", default=None,
                            help=f"Largest allowed {quantity.doc}, e.g. {quantity.example}.")(func)
    return func


@cli.command()
@click.argument("spec", metavar="[SPEC]", required=False, shell_complete=complete_spec)
@_limit_options
@memory_options
@scaling_options
@onnx_options(allow_unknown=False)
@convention_option
@click.option("--budget", "budget_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A budget file with many entries (docs/ci.md) instead of SPEC and limits.")
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="With --budget: the folder the file's spec and baseline paths must stay inside (default: the "
                   "budget file's own), e.g. the repository's top for a budget file kept in ci/.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A `costnet analyze --format json` file to compare with.")
@click.option("--max-increase", default=None, metavar="PERCENT",
              help="With --baseline: allowed growth of MACs, params and activations, e.g. 2%.")
@format_option(CHECK_FORMAT_NAMES, "table", "table for people; github for workflow annotations; junit or json for "
               "tools.")
@output_option(help="Write the report to this file (JUnit XML, JSON, …) instead of standard output.")
@click.pass_context
def check(ctx, spec, budget_file, fmt, output, **options):
    """Check cost budgets: exit 0 when every limit was evaluated and holds, 1 when one is exceeded, 2 when
    anything could not be evaluated (each such entry is named; the others are still checked).

    SPEC is a spec (a path, `-` for standard input, or a bundled name) or an exported .onnx graph; an
    operator costnet cannot cost fails the check (exit 2), as a gate must not pass on what it did not count.

    Limits accept K/M/G/T (counts) and B/KB/MB/GB/KiB/MiB/GiB (bytes), and are exact: a limit equal to the
    value holds.

    \b
    Examples:
      costnet check mixnet_m --max-macs 400M --max-params 5.5M
      costnet check model.onnx --max-macs 400M
      costnet check my_net.yaml --max-peak-memory 256KiB --max-weights 1MB --dtype int8 -f github
      costnet check --budget budgets.yaml -o costnet-junit.xml
      costnet analyze my_net.yaml -f json > baseline.json
      costnet check my_net.yaml --baseline baseline.json --max-increase 2%
    """
    from ..outputs.checkrender import CHECK_FORMATS, render_github_error, summary
    from ..studies import budget as b

    fmt = resolve_format(fmt, output, CHECK_FORMAT_NAMES, "table")
    try:
        entries = _check_entries(ctx, spec, budget_file, options)
    except CostnetError as exc:
        if fmt == "github":  # the annotation, at the place of the error, besides the message on stderr
            click.echo(render_github_error(exc), nl=False)
        raise
    results = [b.evaluate(entry) for entry in entries]
    emit(CHECK_FORMATS[fmt](results), output)
    if not to_stdout(output):
        click.echo(f"{summary(results)}; wrote {output}", err=True)
    if any(r.error for r in results):
        sys.exit(ExitCode.BAD_INPUT)
    sys.exit(ExitCode.OK if all(r.passed for r in results) else ExitCode.OVER_BUDGET)


def _check_entries(ctx: click.Context, spec, budget_file, options) -> tuple:
    from click.core import ParameterSource

    from ..studies import budget as b

    given = {name: options[f"max_{name}"] for name in QUANTITIES if options[f"max_{name}"] is not None}
    flag = lambda name: f"--{name.replace('_', '-')}"
    if budget_file is not None:
        extra = [flag(name) for name in SINGLE_SPEC_OPTIONS
                 if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE]
        if spec or given or extra:
            what = ", ".join((["SPEC"] if spec else []) + [flag(f"max_{n}") for n in given] + extra)
            raise UsageError(f"--budget takes specs, variants, limits and conventions from the file; drop {what}")
        return b.parse_budget_file(str(budget_file), options["root"])
    if options["root"] is not None:
        raise UsageError("--root is for the paths of a budget file: use it with --budget")
    if not spec:
        raise UsageError("give a SPEC with limits (--max-macs …), or --budget FILE")
    limits = []
    for name, value in given.items():
        try:
            limits.append(b.parse_limit(name, value))
        except ValueError as exc:
            raise UsageError(f"{flag(f'max_{name}')}: {exc} (e.g. {QUANTITIES[name].example})") from None
    limits = tuple(limits)
    try:
        increase = b.parse_percent(options["max_increase"]) if options["max_increase"] is not None else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    baseline = options["baseline"]
    if (baseline is None) != (increase is None):
        raise UsageError("--baseline and --max-increase go together")
    if not limits and baseline is None:
        raise UsageError("no limit given: use " + ", ".join(flag(f"max_{n}") for n in QUANTITIES)
                         + " or --baseline with --max-increase")
    return (b.Entry(spec, None, options["width"], options["resolution"], options["depth"], options["convention"],
                    options["dtype"], limits, b.Baseline(str(baseline), increase) if baseline else None, None,
                    memory_model=options["memory_model"], input_shape=options["input_shape"]),)
