"""Commands that look at one network: analyze, table, diff."""

from __future__ import annotations

import sys

import click

from ..errors import ExitCode, UsageError
from .app import cli
from .inputs import analysis_of, variant_analysis
from .options import (
    convention_option, emit, format_option, memory_options, onnx_options, output_option, resolve_format,
    complete_spec, scaling_options, spec_argument,
)

FORMAT_NAMES = ("table", "json", "csv", "markdown")  # = outputs.render.FORMATS (tested); render loads lazily
GROUPINGS = ("stage", "block")  # = outputs.render.GROUPINGS (tested)


@cli.command()
@spec_argument
@scaling_options
@onnx_options()
@convention_option
@memory_options
@click.option("--group-by", type=click.Choice(GROUPINGS), default=None,
              help="One row per stage or per block, with subtotals, instead of one per layer.")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="N",
              help="Only the N layers (with --group-by: stages or blocks) with the most MACs, largest first.")
@format_option(FORMAT_NAMES, "table", "json is the documented machine contract (docs/output.md).")
@output_option()
def analyze(spec, width, resolution, depth, input_shape, allow_unknown, convention, dtype, memory_model, group_by,
            top, fmt, output):
    """Layer by layer: shapes, MACs, parameters, activations, live memory, separable-convolution savings and
    published figures of SPEC (a spec, or an exported .onnx graph); totals with weight bytes and the peak of
    activation memory.

    \b
    Examples:
      costnet analyze mixnet_m
      costnet analyze mobilenet_v2 --dtype int8 --memory-model in-place
      costnet analyze mixnet_m --group-by stage
      costnet analyze resnet50 --top 10
      cat my_net.yaml | costnet analyze - -f json
      costnet analyze model.onnx --input-shape 1,3,160,160
    """
    from ..outputs.render import FORMATS, View

    fmt = resolve_format(fmt, output, FORMAT_NAMES, "table")
    if (group_by or top) and fmt in ("json", "csv"):
        raise UsageError(f"--group-by and --top shape the table; -f {fmt} always lists every layer")
    result = analysis_of(spec, width, resolution, depth, convention, dtype, input_shape, allow_unknown)
    emit(FORMATS[fmt](result, View(group_by, top, memory_model)), output)


TABLE_KIND_NAMES = ("architecture", "types", "separable", "layer-modifications")  # = tables.ALL_KINDS (tested)
TABLE_FORMAT_NAMES = ("table", "markdown", "csv", "json", "latex")  # = tablerender.TABLE_FORMATS (tested)


@cli.command()
@click.argument("spec", metavar="[SPEC]", required=False, shell_complete=complete_spec)
@click.option("--kind", "-k", type=click.Choice(TABLE_KIND_NAMES), required=True,
              help="architecture: MobileNet's Table 1; types: resource per layer type (Table 2); separable: "
                   "each depthwise separable pair against a full convolution, and the whole network so "
                   "(Table 4); layer-modifications: one layer through separable, α and ρ (Table 3).")
@scaling_options
@onnx_options(allow_unknown=False)
@convention_option
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
@format_option(TABLE_FORMAT_NAMES, "table", "json is documented in docs/output.md.")
@output_option()
def table(spec, kind, width, resolution, depth, input_shape, convention, layer, dk, m, n, df, alpha, rho, fmt,
          output):
    """Render one of the papers' tables for SPEC.

    \b
    Examples:
      costnet table mobilenet_v1 --kind architecture
      costnet table mobilenet_v1 --kind types --convention weights --format markdown
      costnet table mixnet_m --kind separable -o separable.json
      costnet table --kind layer-modifications                     # the paper's Table 3
      costnet table mobilenet_v1 --kind layer-modifications --layer features.6.dw --alpha 0.5
    """
    from ..outputs import tables
    from ..outputs.tablerender import TABLE_FORMATS

    fmt = resolve_format(fmt, output, TABLE_FORMAT_NAMES, "table")
    if kind == "layer-modifications":
        given = {"--dk": dk, "-m": m, "-n": n, "--df": df}
        analysis = None
        if spec and layer:
            analysis = analysis_of(spec, width, resolution, depth, convention, input_shape=input_shape)
            try:
                base = tables.layer_spec_of(analysis, layer)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        elif spec or layer:
            raise UsageError("layer-modifications takes SPEC and --layer together, or neither")
        else:
            base = tables.LayerSpec(3, 512, 512, 14)  # MobileNet's Table 3
        values = {key: getattr(base, key) if value is None else value
                  for key, value in zip(("dk", "m", "n", "df"), given.values())}
        result = tables.layer_modifications(tables.LayerSpec(**values), alpha, rho)
    else:
        if not spec:
            raise UsageError(f"--kind {kind} needs a SPEC")
        analysis = analysis_of(spec, width, resolution, depth, convention, input_shape=input_shape)
        result = tables.TABLE_KINDS[kind](analysis)
    context: dict = {}
    if analysis is not None:  # the network the table is of
        s = analysis.scaling
        context = {"model": analysis.model, "family": analysis.family, "spec": analysis.file,
                   "convention": analysis.convention.name,
                   "scaling": {"width": s.width, "resolution": s.resolution, "depth": s.depth} if s else None}
    emit(TABLE_FORMATS[fmt](result, context), output)


DIFF_FORMAT_NAMES = ("table", "markdown", "json")  # = outputs.diffrender.DIFF_FORMATS (tested)


@cli.command(name="diff")
@click.argument("spec_a", metavar="A", shell_complete=complete_spec)
@click.argument("spec_b", metavar="B", shell_complete=complete_spec)
@onnx_options()
@convention_option
@memory_options
@click.option("--all", "show_all", is_flag=True, help="Show unchanged layers too.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when A and B differ, 0 when they do not (as git diff).")
@format_option(DIFF_FORMAT_NAMES, "table")
@output_option()
def diff_command(spec_a, spec_b, input_shape, allow_unknown, convention, dtype, memory_model, show_all, exit_code,
                 fmt, output):
    """Layer-by-layer difference of A and B: two specs, one at two variants (mixnet_m mixnet_m@1.3,256), ONNX
    graphs, or a spec and an ONNX graph (layers then matched by order): shapes, MACs, parameters and live
    memory, and the totals with peak memory. --input-shape applies to each ONNX side.

    \b
    Examples:
      costnet diff mixnet_s mixnet_m
      costnet diff mobilenet_v2 mobilenet_v2@0.75,160 --exit-code
      costnet diff before.onnx after.onnx
      costnet diff my_net.yaml my_net.onnx
    """
    from ..frontends.sources import is_onnx
    from ..outputs.diffrender import DIFF_FORMATS
    from ..studies.diff import diff

    fmt = resolve_format(fmt, output, DIFF_FORMAT_NAMES, "table")
    if (input_shape is not None or allow_unknown) and not (is_onnx(spec_a) or is_onnx(spec_b)):
        raise UsageError("--input-shape and --allow-unknown are for ONNX files; neither A nor B is a .onnx file")
    a, b = (variant_analysis(side, convention, dtype, input_shape if is_onnx(side) else None,
                             allow_unknown and is_onnx(side)) for side in (spec_a, spec_b))
    result = diff(a, b, memory_model)
    emit(DIFF_FORMATS[fmt](result, show_all), output)
    if exit_code and result.differs:
        sys.exit(ExitCode.DIFFERENT)
