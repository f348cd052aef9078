"""The registry of block types: each declares its fields and how it expands into layers for a given input.

Blocks expand during analysis, because what they contain (the expanded width, the SE bottleneck, whether
the residual connection exists) depends on the channels that reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import Origin
from .formulas import Shape
from .layers import ACTIVATIONS, LAYER_TYPES, se_reduced_channels
from .nodes import LayerNode, Node, residual
from .schema import Field, boolean, choice, kernel_list, non_negative_number, positive_int, positive_number


@dataclass(frozen=True)
class BlockType:
    name: str
    doc: str
    fields: dict[str, Field]
    expand: Callable[[Mapping[str, Any], Shape, Origin], tuple[Node, ...]]


def _fields(*items: Field) -> dict[str, Field]:
    return {item.name: item for item in items}


def _defaults(kind: str) -> dict[str, Any]:
    return {key: spec.default for key, spec in LAYER_TYPES[kind].fields.items() if not spec.required}


_LAYER_DEFAULTS = {kind: _defaults(kind) for kind in ("dwconv", "pwconv", "se")}


def _layer(kind: str, origin: Origin, name: str, **fields: Any) -> LayerNode:
    """A layer node with the layer type's defaults filled in, as the parser would fill them."""
    return LayerNode(kind, {**_LAYER_DEFAULTS[kind], **fields}, origin, name)


OUT = Field("out", positive_int, "output channels", channels=True)
KERNEL = Field("kernel", kernel_list, "depthwise kernel size, or a list of sizes for a MixConv", (3,))
STRIDE = Field("stride", positive_int, "stride of the depthwise convolution (first repeat only)", 1)
SPLIT = Field("split", choice("equal", "exponential"), "how a MixConv splits channels over its kernel sizes",
              "equal")
SE_RATIO = Field("se", non_negative_number, "squeeze-and-excitation ratio (0: no SE); reduced channels = "
                 "max(1, int(base · se))", 0)


def _maybe_residual(body: tuple[Node, ...], fields, shape: Shape, origin: Origin) -> tuple[Node, ...]:
    if fields["skip"] and fields["stride"] == 1 and shape.channels == fields["out"]:
        return (residual(body, origin),)
    return body


def _separable(fields, shape: Shape, origin: Origin) -> tuple[Node, ...]:
    body: list[Node] = [_layer("dwconv", origin, "dw", kernel=fields["kernel"], stride=fields["stride"],
                               split=fields["split"], act=fields["act"])]
    if fields["se"]:
        body.append(_layer("se", origin, "se", reduced=se_reduced_channels(shape.channels, fields["se"]),
                           act=fields["act"]))
    body.append(_layer("pwconv", origin, "pw", out=fields["out"],
                       act="none" if fields["linear_project"] else fields["act"]))
    return _maybe_residual(tuple(body), fields, shape, origin)


SEPARABLE = BlockType(
    "separable",
    "Depthwise separable convolution (MobileNetV1): depthwise k×k, BN, act, then pointwise 1×1, BN, act. "
    "`linear_project` drops the last activation and `skip` adds a residual connection when the stride is 1 "
    "and the widths match (the first block of timm's and TF's MixNet).",
    _fields(OUT, KERNEL, STRIDE, SPLIT,
            Field("act", choice(*ACTIVATIONS), "activation after the convolutions", "relu"),
            Field("linear_project", boolean, "no activation after the pointwise convolution", False),
            SE_RATIO,
            Field("skip", boolean, "residual connection when stride is 1 and input width = output width", False)),
    _separable,
)


def _inverted_residual(fields, shape: Shape, origin: Origin) -> tuple[Node, ...]:
    # TF's MixNet/MnasNet builders multiply the input width by the (integer) expansion ratio.
    mid = round(shape.channels * fields["expand"])
    act = fields["act"]
    body: list[Node] = []
    if fields["expand"] != 1:
        body.append(_layer("pwconv", origin, "expand", out=mid, groups=fields["expand_groups"], act=act))
    body.append(_layer("dwconv", origin, "dw", kernel=fields["kernel"], stride=fields["stride"],
                       split=fields["split"], act=act))
    if fields["se"]:
        base = shape.channels if fields["se_from"] == "input" else mid
        body.append(_layer("se", origin, "se", reduced=se_reduced_channels(base, fields["se"]), act=act))
    body.append(_layer("pwconv", origin, "project", out=fields["out"], groups=fields["project_groups"]))
    return _maybe_residual(tuple(body), fields, shape, origin)


def _inverted_residual_fields(act: str, se_from: str) -> dict[str, Field]:
    return _fields(
        OUT,
        Field("expand", positive_number, "expansion ratio t: the expanded width is input width · t "
              "(no expansion conv when t = 1)", 6),
        KERNEL, STRIDE, SPLIT,
        Field("expand_groups", positive_int, "groups of the expansion 1×1 convolution", 1),
        Field("project_groups", positive_int, "groups of the projection 1×1 convolution", 1),
        SE_RATIO,
        Field("se_from", choice("input", "expanded"), "the width the SE ratio applies to: the block input "
              "(MnasNet, MixNet, EfficientNet) or the expanded width", se_from),
        Field("act", choice(*ACTIVATIONS), "activation after the expansion and depthwise convolutions "
              "(and inside SE); the projection is linear", act),
        Field("skip", boolean, "residual connection when stride is 1 and input width = output width", True),
    )


INVERTED_RESIDUAL = BlockType(
    "inverted_residual",
    "Inverted residual / MBConv (MobileNetV2, MnasNet, EfficientNet): 1×1 expansion to t× the input width, "
    "BN, act; depthwise k×k, BN, act; optional squeeze-and-excitation; linear 1×1 projection, BN; residual "
    "add when the stride is 1 and the widths match.",
    _inverted_residual_fields(act="relu6", se_from="input"),
    _inverted_residual,
)

MIXNET = BlockType(
    "mixnet",
    "The MixNet block: an inverted residual whose depthwise convolution is a MixConv (a list of kernel "
    "sizes), whose expansion and projection 1×1 convolutions may be grouped, with SE taken from the block "
    "input, and swish by default.",
    _inverted_residual_fields(act="swish", se_from="input"),
    _inverted_residual,
)

BLOCK_TYPES: dict[str, BlockType] = {t.name: t for t in (SEPARABLE, INVERTED_RESIDUAL, MIXNET)}
