"""Is a spec the model that ships? Walk a spec's analysis and an ONNX graph's side by side.

The layers that carry the cost (convolutions, fully connected layers, squeeze-and-excitation, transposed
convolutions) are compared in order, each on what it is (kind, kernels, stride, groups), what it sees and
makes (input and output shapes) and what it costs (MACs, weights, biases, batch-norm parameters). The walk
stops at the first layer that differs: a spec that agrees to there and then differs is wrong there.

An exporter may fold a batch norm into the convolution before it (torch.onnx.export does by default): the
convolution then has a bias per output channel and no batch norm. A spec layer with a batch norm and no
bias agrees with such a layer; the verification counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis.analyzer import Analysis, LayerResult
from ..graph.formulas import SPLITS

# conv, pwconv and a conv with kernel 1 are one kind: a spec may write a 1×1 as either, an exporter one Conv.
KINDS = {"conv": "convolution", "pwconv": "convolution", "dwconv": "depthwise convolution",
         "fc": "fully connected", "se": "squeeze-and-excitation", "deconv": "transposed convolution"}
ASPECTS = ("kind", "kernel", "stride", "dilation", "groups", "input", "output", "macs", "weights", "biases",
           "norm_params")


@dataclass(frozen=True)
class Layer:
    """One side's layer as the walk compares it."""

    name: str
    where: str  # the spec's file:line:column, or the ONNX file and node
    facts: dict[str, Any]  # aspect → value


@dataclass(frozen=True)
class Difference:
    index: int  # 0-based position among the compared layers
    spec: Layer | None  # None: the spec has no more such layers
    onnx: Layer | None
    aspects: tuple[tuple[str, Any, Any], ...]  # (aspect, spec's value, ONNX's value)


@dataclass(frozen=True)
class Verification:
    spec: Analysis
    onnx: Analysis
    compared: int  # layers that agreed before the first difference (all of them when there is none)
    total_spec: int
    total_onnx: int
    difference: Difference | None
    input_difference: tuple[str, str] | None = None  # the two networks' inputs, when they differ
    folded: int = 0  # agreeing layers whose batch norm the ONNX graph folded into the convolution

    @property
    def passed(self) -> bool:
        return self.difference is None and self.input_difference is None


def facts(layer: LayerResult) -> dict[str, Any]:
    f = layer.fields
    kind, channels = KINDS[layer.type], layer.input_shape.channels
    if layer.type == "dwconv":
        kernel = tuple(f["kernel"])
        split = SPLITS[f["split"]](channels, len(kernel))
        groups = split if len(split) > 1 else channels  # a MixConv's channels per kernel size
    elif layer.type in ("conv", "deconv"):
        kernel, groups = (f["kernel"],), f["groups"]
        if layer.type == "conv" and groups == channels == layer.output_shape.channels and groups > 1:
            kind = KINDS["dwconv"]  # a spec may write a depthwise convolution as a conv of C groups
    elif layer.type == "pwconv":
        kernel, groups = (1,), f["groups"]
    else:
        kernel, groups = None, None
    return {
        "kind": kind, "kernel": kernel, "stride": f.get("stride"),
        "dilation": f.get("dilation", 1) if layer.type in ("conv", "dwconv", "pwconv", "deconv") else None,
        "groups": groups, "input": str(layer.input_shape), "output": str(layer.output_shape), "macs": layer.macs,
        "weights": layer.weights, "biases": layer.biases, "norm_params": layer.norm_params,
        "channels": layer.output_shape.channels,  # not compared: what a folded batch norm's bias has
    }


def _layers(a: Analysis) -> list[Layer]:
    return [Layer(layer.name, str(layer.origin) if layer.origin else a.file, facts(layer))
            for layer in a.iter_layers() if layer.type in KINDS]


def _folded(a: Layer, b: Layer) -> bool:
    """The ONNX layer is the spec's with its batch norm folded in: γ, β gone, a bias per channel instead."""
    channels = a.facts["channels"]
    return (a.facts["norm_params"] == 2 * channels and a.facts["biases"] in (0, channels)
            and b.facts["norm_params"] == 0 and b.facts["biases"] == channels)


def verify(spec: Analysis, onnx: Analysis) -> Verification:
    ours, theirs = _layers(spec), _layers(onnx)
    inputs = None if spec.input == onnx.input else (str(spec.input), str(onnx.input))
    folded = 0
    for index in range(max(len(ours), len(theirs))):
        a = ours[index] if index < len(ours) else None
        b = theirs[index] if index < len(theirs) else None
        if a is None or b is None:
            return Verification(spec, onnx, index, len(ours), len(theirs), Difference(index, a, b, ()), inputs,
                                folded)
        differing = tuple((aspect, a.facts[aspect], b.facts[aspect]) for aspect in ASPECTS
                          if a.facts[aspect] != b.facts[aspect])
        if differing and {aspect for aspect, _, _ in differing} <= {"biases", "norm_params"} and _folded(a, b):
            folded, differing = folded + 1, ()
        if differing:
            return Verification(spec, onnx, index, len(ours), len(theirs), Difference(index, a, b, differing),
                                inputs, folded)
    return Verification(spec, onnx, len(ours), len(ours), len(theirs), None, inputs, folded)
