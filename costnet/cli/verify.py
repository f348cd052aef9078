"""`costnet verify`: a spec against the ONNX graph of the model that ships."""

from __future__ import annotations

import sys

import click

from ..errors import ExitCode, UsageError
from .app import cli
from .inputs import analysis_of
from .options import emit, format_option, onnx_options, output_option, resolve_format, scaling_options, \
    spec_argument

VERIFY_FORMAT_NAMES = ("table", "json")  # = outputs.verifyrender.VERIFY_FORMATS (tested)


@cli.command()
@spec_argument
@click.argument("model", metavar="MODEL.onnx")
@scaling_options
@onnx_options(allow_unknown=False)
@format_option(VERIFY_FORMAT_NAMES, "table")
@output_option()
def verify(spec, model, width, resolution, depth, input_shape, fmt, output):
    """Check that SPEC is the network of MODEL.onnx: walk both, in order, through their convolutions, fully
    connected, squeeze-and-excitation and transposed-convolution layers, comparing kind, kernels, stride,
    dilation, groups, input and output shapes, MACs, weights, biases and batch-norm parameters.

    Exit 0 when every layer agrees; 1 at the first layer that differs, naming it on both sides (the spec's
    file:line, the ONNX node) and what differs; 2 when either cannot be read. --width, --resolution and
    --depth scale SPEC; --input-shape sets the ONNX graph's input.

    \b
    Examples:
      costnet verify mixnet_m mixnet_m.onnx
      costnet verify my_net.yaml my_net.onnx --width 0.75 --resolution 192
    """
    from ..frontends.sources import is_onnx
    from ..outputs.verifyrender import VERIFY_FORMATS
    from ..studies.verify import verify as walk

    fmt = resolve_format(fmt, output, VERIFY_FORMAT_NAMES, "table")
    if is_onnx(spec):
        raise UsageError(f"{spec}: SPEC is the YAML spec; give the ONNX file second")
    if not is_onnx(model):
        raise UsageError(f"{model}: MODEL must be an ONNX file (.onnx)")
    result = walk(analysis_of(spec, width, resolution, depth), analysis_of(model, input_shape=input_shape))
    emit(VERIFY_FORMATS[fmt](result), output)
    if not result.passed:
        sys.exit(ExitCode.DIFFERENT)
