"""The `costnet` command group: how every command fails, and the entry point.

Exit codes: 0 success, 1 over budget (`costnet check`) or a difference found (`costnet diff --exit-code`),
2 bad input (a spec error, a bad option, a missing file) or output that cannot be written (a file, or
standard output: a closed pipe, a full disk). Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..errors import CostnetError, ExitCode, StandardOutputError
from ..units import printable
from .streams import standard_streams


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
        click.echo(f"costnet: error: {printable(exc.format_message())} (see '{command} --help')", err=True)
        sys.exit(ExitCode.BAD_INPUT)

    def invoke(self, ctx: click.Context):
        from ..inputfiles import forget

        forget()  # the inputs of this command only (tests run many in one process)
        try:
            return super().invoke(ctx)
        except CostnetError as exc:
            click.echo(f"costnet: error: {printable(str(exc))}", err=True)
            caret = _caret(exc)
            if caret and sys.stderr.isatty():  # for a person at a terminal; CI logs and scripts get one line
                click.echo(caret, err=True)
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


def _caret(exc: CostnetError) -> str | None:
    """The spec's line at the error, with a caret under its column (both already made safe to print)."""
    line, column = getattr(exc, "source_line", None), getattr(exc, "source_column", None)
    if not line or not column:
        return None
    return f"  {line}\n  {' ' * (column - 1)}^"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="costnet")
def cli() -> None:
    """Predict what a convolutional network costs (MACs, parameters, activation memory) from a YAML spec or
    an exported ONNX graph, with no deep-learning framework.

    SPEC is a spec file, `-` (standard input), or the name of a bundled spec (see `costnet list`).

    \b
    Examples:
      costnet analyze mixnet_m.yaml
      costnet analyze mobilenet_v2 --dtype int8 --group-by stage
      costnet analyze efficientnet_b0 --width 1.2 --depth 1.4 --resolution 300
      costnet analyze my_net.yaml -o costs.json
      costnet check my_net.yaml --max-macs 400M --max-peak-memory 256KiB --dtype int8

    Every command takes -o/--output and, where there is a choice, -f/--format (inferred from the output's
    extension); see docs/output.md. Shell completion: eval "$(_COSTNET_COMPLETE=bash_source costnet)".
    """


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
