"""The options every command shares, written once: one output grammar (docs/output.md, "The command line").

- `-o/--output PATH` writes to PATH instead of standard output (`-` is standard output); for a command that
  writes several files (`sweep`'s report, `report`), PATH is a folder.
- `-f/--format NAME` picks the format where a command has more than one; without it, the format follows
  PATH's extension (.json, .jsonl, .csv, .md, .tex, .xml, .txt), and is the command's default otherwise. A
  format that contradicts the extension is an error.
- SPEC is a path (a file, a pipe, /dev/fd/N, or `-` for standard input), or the name of a bundled spec; a
  file that exists wins over a bundled spec of the same name. A path ending in `.onnx` is an ONNX graph.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Iterable, Sequence

import click

from ..analysis.conventions import CONVENTIONS, DEFAULT_CONVENTION
from ..analysis.memory import DEFAULT_DTYPE, DEFAULT_MEMORY_MODEL, DTYPES, MEMORY_MODELS
from ..errors import UsageError
from ..limits import MAX_SWEEP_POINTS

EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".csv": "csv", ".md": "markdown", ".markdown": "markdown",
              ".tex": "latex", ".xml": "junit", ".txt": "table"}


def complete_spec(ctx, param, incomplete: str):
    """Bundled spec names and paths, for shell completion (docs/output.md says how to enable it)."""
    from click.shell_completion import CompletionItem

    from ..frontends.spec.loader import bundled_names

    names = [CompletionItem(name) for name in bundled_names() if name.startswith(incomplete)]
    return names + [CompletionItem(incomplete, type="file")]


def spec_argument(func):
    return click.argument("spec", metavar="SPEC", shell_complete=complete_spec)(func)


def specs_argument(func):
    return click.argument("specs", metavar="SPEC...", nargs=-1, required=True, shell_complete=complete_spec)(func)


def scaling_options(func):
    # Plain types: the library checks the ranges, so the CLI and the Python API give the same messages.
    func = click.option("--depth", "-d", type=float, default=None,
                        help="Depth multiplier on the repeats of the spec's stages of blocks, rounded by the "
                             "spec's rule (default: the spec's).")(func)
    func = click.option("--resolution", "-r", type=int, default=None,
                        help="Input resolution in pixels, height = width (default: the spec's).")(func)
    func = click.option("--width", "-w", type=float, default=None,
                        help="Width multiplier α on the spec's base widths, rounded by the spec's rule "
                             "(default: the spec's own, e.g. 1.3 for MixNet-L).")(func)
    return func


def onnx_options(allow_unknown: bool = True):
    """--input-shape for an ONNX file's input; --allow-unknown (not for a gate, which must not pass on what it
    could not cost)."""
    def decorate(func):
        if allow_unknown:
            func = click.option("--allow-unknown", is_flag=True, default=False,
                                help="ONNX: keep operators costnet cannot cost as rows of zero cost, listed in "
                                     "the output, instead of refusing the file.")(func)
        return click.option("--input-shape", "input_shape", metavar="N,C,H,W", default=None, callback=_input_shape,
                            help="ONNX: the input's shape, where the file's is dynamic or to cost another size "
                                 "(e.g. 1,3,224,224).")(func)
    return decorate


def _input_shape(ctx, param, value):
    if value is None:
        return None
    from ..frontends.sources import parse_input_shape

    try:
        return parse_input_shape(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[1]) from None


def convention_option(func):
    names = ", ".join(f"{c.name}: {c.summary}" for c in CONVENTIONS.values())
    return click.option("--convention", "-c", type=click.Choice(list(CONVENTIONS)), default=DEFAULT_CONVENTION,
                        show_default=True, help=f"How parameters are counted ({names}).")(func)


def memory_options(func):
    models = "; ".join(m.describe() for m in MEMORY_MODELS.values())
    func = click.option("--memory-model", "memory_model", type=click.Choice(list(MEMORY_MODELS)),
                        default=DEFAULT_MEMORY_MODEL, show_default=True,
                        help=f"How activation memory is counted ({models}).")(func)
    func = click.option("--dtype", type=click.Choice(list(DTYPES)), default=DEFAULT_DTYPE, show_default=True,
                        help="Bytes per element of activations and weights: "
                             + ", ".join(f"{name} {size}" for name, size in DTYPES.items()) + ".")(func)
    return func


def output_option(folder: bool = False, help: str | None = None):
    what = help or ("Write to this folder (`-`: standard output, for one file)." if folder
                    else "Write to this file instead of standard output (`-`: standard output).")
    return click.option("--output", "-o", type=click.Path(path_type=Path, allow_dash=True), default=None, help=what)


def format_option(choices: Sequence[str], default: str, help: str = ""):
    inferred = [f"{ext} → {name}" for ext, name in EXTENSIONS.items() if name in choices and name != "table"]
    text = (help + " " if help else "") + f"Default: from the output file's extension ({', '.join(inferred)}), " \
        f"else {default}."
    return click.option("--format", "-f", "fmt", type=click.Choice(list(choices)), default=None, help=text)


def resolve_format(fmt: str | None, output: Path | None, choices: Sequence[str], default: str) -> str:
    """The format asked for, or the one the output's extension names, or the default (for an extension that
    names no format, and .txt where the command has no plain table). An extension naming a format the command
    does not write is an error, not a file of another format under that name."""
    implied = EXTENSIONS.get(output.suffix.lower()) if output is not None and str(output) != "-" else None
    if implied == "table" and "table" not in choices:
        implied = None
    if fmt is not None:
        if implied is not None and implied != fmt and implied in choices:
            raise UsageError(f"--format {fmt}, but {output} ends in {output.suffix}, which means {implied}; "
                             "drop --format or rename the output")
        return fmt
    if implied is not None and implied not in choices:
        raise UsageError(f"{output} ends in {output.suffix}, which means {implied}, a format this command does not "
                         f"write (it writes {', '.join(choices)}); give --format or rename the output")
    return implied or default


def to_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def emit(content: str | Iterable[str], output: Path | None) -> None:
    """Print, or write to OUTPUT as the shell's `>` would, never leaving a partial file (outputs/files.py).
    Content is text, or chunks of text written as they come (a long sweep's rows, a huge network's JSON)."""
    if to_stdout(output):
        if isinstance(content, str):
            click.echo(content, nl=False)
        else:
            for chunk in content:
                click.echo(chunk, nl=False)
        return
    from ..outputs.files import write_file

    if isinstance(content, str):
        write_file(output, content)
        return

    def stream(path: Path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            for chunk in content:
                handle.write(chunk)

    write_file(output, stream)


def show_progress() -> bool:
    """A progress bar only for a person at a terminal: never into a pipe or a CI log."""
    return sys.stderr.isatty() and not os.environ.get("CI")


class Values(tuple):
    """The numbers of a NumberList option, and the text they were given as (for a report to echo)."""

    text: str = ""

    def __new__(cls, numbers, text: str):
        values = super().__new__(cls, numbers)
        values.text = text
        return values


class NumberList(click.ParamType):
    """ "1,0.75,0.5", a range "0.25:1.0:0.05" (start:stop:step, the stop included when the steps reach it), or
    both, comma-separated. A range never passes its stop: its last value is the last step at most 10⁻⁹ of a
    step beyond it, which absorbs decimal steps (0.1) that binary floats cannot hold exactly."""

    name = "list"

    def __init__(self, kind: type, limit: int = MAX_SWEEP_POINTS):
        self.kind = kind
        self.limit = limit

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        numbers: list = []
        for part in str(value).split(","):
            part = part.strip()
            if ":" in part:
                numbers += self._range(part, value, param, ctx, len(numbers))
            else:
                numbers.append(self._number(part, value, param, ctx))
        return Values(dict.fromkeys(numbers), str(value))

    def _number(self, text: str, whole: str, param, ctx):
        try:
            number = float(text)
        except ValueError:
            self.fail(f"{whole!r} is not a list like 1,0.75,0.5 or a range like 0.25:1.0:0.05", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{text!r}: every value must be a finite number above 0", param, ctx)
        if self.kind is int:
            if number != int(number):
                self.fail(f"{text!r}: resolutions are whole pixels", param, ctx)
            return int(number)
        return number

    def _range(self, part: str, whole: str, param, ctx, already: int) -> list:
        pieces = part.split(":")
        if len(pieces) != 3:
            self.fail(f"{part!r}: a range is start:stop:step, e.g. 0.25:1.0:0.05", param, ctx)
        start, stop, step = (self._number(p, whole, param, ctx) for p in pieces)
        if stop < start:
            self.fail(f"{part!r}: the stop is below the start", param, ctx)
        steps = (stop - start) / step  # checked before anything is built
        if not math.isfinite(steps):  # a step of 1e-320
            self.fail(f"{part!r} has more values than a sweep takes ({self.limit:,})", param, ctx)
        count = math.floor(steps + 1e-9) + 1
        if already + count > self.limit:
            self.fail(f"{part!r} has {count:,} values; a sweep takes at most {self.limit:,}", param, ctx)
        values = [start + i * step for i in range(count)]
        return [int(v) for v in values] if self.kind is int else [round(v, 10) for v in values]
