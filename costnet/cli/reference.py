"""Commands that describe costnet itself: list, types, schema."""

from __future__ import annotations

import click

from .app import cli
from .options import convention_option, emit, format_option, memory_options, output_option, resolve_format

LIST_FORMAT_NAMES = ("table", "json")


@cli.command(name="list")
@convention_option
@memory_options
@format_option(LIST_FORMAT_NAMES, "table")
@output_option()
def list_specs(convention, dtype, memory_model, fmt, output):
    """The bundled specs, one line each: family, default input, MACs, parameters, peak memory, top-1."""
    from ..analysis.conventions import CONVENTIONS
    from ..api import analyze, load
    from ..frontends.spec.loader import bundled_names
    from ..outputs.jsonout import dumps
    from ..outputs.textable import format_table
    from ..units import format_count, format_memory

    fmt = resolve_format(fmt, output, LIST_FORMAT_NAMES, "table")
    entries = []
    for name in bundled_names():
        spec = load(name)
        result = analyze(spec, convention, dtype)
        top1 = next((r.top1 for r in result.reported if r.top1 is not None), None)
        entries.append((name, spec, result, top1))
    if fmt == "json":
        emit(dumps({"schema_version": 1, "convention": convention, "dtype": dtype, "memory_model": memory_model,
                    "specs": [{"name": name, "model": r.model, "family": r.family, "variant_of": spec.base,
                               "input": {"channels": r.input.channels, "height": r.input.height,
                                         "width": r.input.width},
                               "width": r.scaling.width, "depth": r.scaling.depth, "macs": r.totals.macs,
                               "params": r.totals.params, "peak_bytes": r.peaks[memory_model].bytes,
                               "top1": top1} for name, spec, r, top1 in entries]}), output)
        return
    rows = [[name, r.family, r.model, str(r.input), f"{r.scaling.width:g}", f"{r.scaling.depth:g}",
             format_count(r.totals.macs), format_count(r.totals.params), format_memory(r.peaks[memory_model].bytes),
             f"{top1:.1f}%" if top1 is not None else ""] for name, spec, r, top1 in entries]
    headers = ["spec", "family", "model", "input", "width", "depth", "MACs", "params",
               f"peak memory ({dtype})", "top-1 (first published)"]
    emit(format_table(headers, rows, "llllllrrrr") + f"\n\nconvention: {CONVENTIONS[convention].describe()}\n"
         f"memory: {memory_model} ({dtype})\n", output)


TYPES_FORMAT_NAMES = ("markdown", "json")


@cli.command()
@format_option(TYPES_FORMAT_NAMES, "markdown")
@output_option()
def types(fmt, output):
    """The layer and block types a spec can use, with their fields (docs/spec.md's reference)."""
    fmt = resolve_format(fmt, output, TYPES_FORMAT_NAMES, "markdown")
    if fmt == "json":
        from ..outputs.docgen import types_data
        from ..outputs.jsonout import dumps

        emit(dumps(types_data()), output)
        return
    from ..outputs.docgen import types_reference

    emit(types_reference(), output)


SCHEMA_NAMES = ("spec", "output")


@cli.command()
@click.argument("which", type=click.Choice(SCHEMA_NAMES), default="spec", required=False)
@output_option()
def schema(which, output):
    """A JSON Schema: of the spec format (`spec`, for editors: yaml-language-server completes and checks specs
    as they are typed) or of `costnet analyze -f json` (`output`). Both are generated from the registries.

    \b
    Examples:
      costnet schema spec -o costnet-spec.schema.json
      # then, first line of a spec:  # yaml-language-server: $schema=costnet-spec.schema.json
    """
    from ..outputs.jsonout import dumps
    from ..outputs.schemas import output_schema, spec_schema

    emit(dumps(spec_schema() if which == "spec" else output_schema()), output)
