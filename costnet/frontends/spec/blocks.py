"""The registry of block types: each declares its fields and how it expands into layers for a given input.

Blocks expand during analysis, because what they contain (the expanded width, the SE bottleneck, whether
the residual connection exists) depends on the channels that reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ...errors import Origin
from ...graph.formulas import Shape
from ...graph.layers import ACTIVATIONS, LAYER_TYPES, se_reduced_channels
from .nodes import LayerNode, Node, ParallelNode, residual
from ...schema import (
    Field, boolean, channels, choice, kernel_list, non_negative_int, non_negative_number, positive_int,
    positive_number,
)


@dataclass(frozen=True)
class BlockType:
    name: str
    doc: str
    fields: dict[str, Field]
    expand: Callable[[Mapping[str, Any], Shape, Origin], tuple[Node, ...]]
    max_layers: int  # the most rows one block can expand to (merges included): bounds a spec before building


def _fields(*items: Field) -> dict[str, Field]:
    return {item.name: item for item in items}


def _defaults(kind: str) -> dict[str, Any]:
    return {key: spec.default for key, spec in LAYER_TYPES[kind].fields.items() if not spec.required}


_LAYER_DEFAULTS = {kind: _defaults(kind) for kind in LAYER_TYPES}


def _layer(kind: str, origin: Origin, name: str, **fields: Any) -> LayerNode:
    """A layer node with the layer type's defaults filled in, as the parser would fill them."""
    return LayerNode(kind, {**_LAYER_DEFAULTS[kind], **fields}, origin, name)


OUT = Field("out", channels, "output channels", channels=True)
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
    max_layers=4,
)


def _inverted_residual(fields, shape: Shape, origin: Origin) -> tuple[Node, ...]:
    # TF's MixNet/MnasNet builders multiply the input width by the (integer) expansion ratio; MobileNetV3
    # states the expanded width itself. Either way there is no expansion conv when it equals the input.
    mid = fields["expanded"] or round(shape.channels * fields["expand"])
    act = fields["act"]
    body: list[Node] = []
    if mid != shape.channels:
        body.append(_layer("pwconv", origin, "expand", out=mid, groups=fields["expand_groups"], act=act))
    body.append(_layer("dwconv", origin, "dw", kernel=fields["kernel"], stride=fields["stride"],
                       split=fields["split"], act=act))
    if fields["se"]:
        base = shape.channels if fields["se_from"] == "input" else mid
        reduced = se_reduced_channels(base, fields["se"], fields["se_divisor"])
        se_act = act if fields["se_act"] == "block" else fields["se_act"]
        body.append(_layer("se", origin, "se", reduced=reduced, act=se_act, gate=fields["se_gate"]))
    body.append(_layer("pwconv", origin, "project", out=fields["out"], groups=fields["project_groups"]))
    return _maybe_residual(tuple(body), fields, shape, origin)


def _inverted_residual_fields(act: str, se_from: str) -> dict[str, Field]:
    return _fields(
        OUT,
        Field("expand", positive_number, "expansion ratio t: the expanded width is input width · t "
              "(no expansion conv when it equals the input width)", 6),
        Field("expanded", non_negative_int, "the expanded width itself, instead of `expand` (MobileNetV3); "
              "0: use `expand`", 0, channels=True),
        KERNEL, STRIDE, SPLIT,
        Field("expand_groups", positive_int, "groups of the expansion 1×1 convolution", 1),
        Field("project_groups", positive_int, "groups of the projection 1×1 convolution", 1),
        SE_RATIO,
        Field("se_from", choice("input", "expanded"), "the width the SE ratio applies to: the block input "
              "(MnasNet, MixNet, EfficientNet) or the expanded width (MobileNetV3)", se_from),
        Field("se_divisor", positive_int, "round the SE width to a multiple of this (MobileNetV3: 8)", 1),
        Field("se_act", choice("block", "relu", "swish", "hard_swish"), "activation inside SE "
              "(block: the block's own)", "block"),
        Field("se_gate", choice("sigmoid", "hard_sigmoid"), "SE gate (MobileNetV3: hard_sigmoid)", "sigmoid"),
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
    max_layers=5,
)

MIXNET = BlockType(
    "mixnet",
    "The MixNet block: an inverted residual whose depthwise convolution is a MixConv (a list of kernel "
    "sizes), whose expansion and projection 1×1 convolutions may be grouped, with SE taken from the block "
    "input, and swish by default.",
    _inverted_residual_fields(act="swish", se_from="input"),
    _inverted_residual,
    max_layers=5,
)


# ---- blocks of the comparison networks: SqueezeNet, GoogLeNet, ResNet, DenseNet, ShuffleNetV2 ----------

def _branch_node(branches: tuple[tuple[Node, ...], ...], merge: str, origin: Origin, labels: tuple[str, ...],
                 split: str = "none") -> ParallelNode:
    return ParallelNode(branches, merge, origin, labels=labels, split=split, transparent=True)


def _fire(fields, shape: Shape, origin: Origin) -> tuple[Node, ...]:
    conv = dict(bias=True, norm="none", act="relu")
    return (
        _layer("conv", origin, "squeeze", out=fields["squeeze"], kernel=1, **conv),
        _branch_node(((_layer("conv", origin, "conv", out=fields["expand1x1"], kernel=1, **conv),),
                      (_layer("conv", origin, "conv", out=fields["expand3x3"], kernel=3, padding=1, **conv),)),
                     "concat", origin, ("expand1x1", "expand3x3")),
    )


FIRE = BlockType(
    "fire",
    "SqueezeNet's fire module: a 1×1 squeeze convolution, then 1×1 and 3×3 expand convolutions side by "
    "side, concatenated. Convolutions have biases and ReLU, no batch norm.",
    _fields(Field("squeeze", positive_int, "squeeze 1×1 channels", channels=True),
            Field("expand1x1", positive_int, "expand 1×1 channels", channels=True),
            Field("expand3x3", positive_int, "expand 3×3 channels", channels=True)),
    _fire,
    max_layers=4,
)


def _inception(fields, shape: Shape, origin: Origin) -> tuple[Node, ...]:
    conv = dict(bias=fields["bias"], norm=fields["norm"], act="relu")
    k3 = fields["b3_kernel"]
    branches = (
        (_layer("conv", origin, "conv", out=fields["b1"], kernel=1, **conv),),
        (_layer("conv", origin, "conv1", out=fields["b2_reduce"], kernel=1, **conv),
         _layer("conv", origin, "conv2", out=fields["b2"], kernel=3, padding=1, **conv)),
        (_layer("conv", origin, "conv1", out=fields["b3_reduce"], kernel=1, **conv),
         _layer("conv", origin, "conv2", out=fields["b3"], kernel=k3, padding=k3 // 2, **conv)),
        (_layer("pool", origin, "pool", mode="max", kernel=3, stride=1, padding=1, ceil_mode=True),
         _layer("conv", origin, "conv", out=fields["pool_proj"], kernel=1, **conv)),
    )
    return (_branch_node(branches, "concat", origin, ("branch1", "branch2", "branch3", "branch4")),)


INCEPTION = BlockType(
    "inception",
    "GoogLeNet's inception module: four branches concatenated: 1×1; 1×1 → 3×3; 1×1 → k×k (k = 5 in the "
    "paper, 3 in torchvision's implementation); 3×3 max pool → 1×1.",
    _fields(Field("b1", positive_int, "branch 1: 1×1 channels", channels=True),
            Field("b2_reduce", positive_int, "branch 2: 1×1 reduction channels", channels=True),
            Field("b2", positive_int, "branch 2: 3×3 channels", channels=True),
            Field("b3_reduce", positive_int, "branch 3: 1×1 reduction channels", channels=True),
            Field("b3", positive_int, "branch 3: k×k channels", channels=True),
            Field("b3_kernel", positive_int, "branch 3's kernel size", 5),
            Field("pool_proj", positive_int, "branch 4: 1×1 projection after pooling", channels=True),
            Field("norm", choice("bn", "none"), "batch norm after each conv (torchvision: bn)", "bn"),
            Field("bias", boolean, "convolution biases (the paper's network, without batch norm)", False)),
    _inception,
    max_layers=8,
)


def _resnet(fields, shape: Shape, origin: Origin, bottleneck: bool) -> tuple[Node, ...]:
    out, stride = fields["out"], fields["stride"]
    if bottleneck:
        mid = fields["mid"] or out // 4
        body: tuple[Node, ...] = (
            _layer("conv", origin, "conv1", out=mid, kernel=1, act="relu"),
            _layer("conv", origin, "conv2", out=mid, kernel=3, stride=stride, padding=1, act="relu"),
            _layer("conv", origin, "conv3", out=out, kernel=1),
        )
    else:
        body = (
            _layer("conv", origin, "conv1", out=out, kernel=3, stride=stride, padding=1, act="relu"),
            _layer("conv", origin, "conv2", out=out, kernel=3, padding=1),
        )
    shortcut: tuple[Node, ...] = ()
    if stride != 1 or shape.channels != out:
        shortcut = (_layer("conv", origin, "conv", out=out, kernel=1, stride=stride, padding=0),)
    return (residual(body, origin, shortcut),)


_RESNET_FIELDS = (
    Field("out", channels, "output channels", channels=True),
    Field("stride", positive_int, "stride (first repeat only)", 1),
)

RESNET_BASIC = BlockType(
    "resnet_basic",
    "ResNet's basic block (ResNet-18/34): 3×3 conv, BN, ReLU, 3×3 conv, BN, added to the input, ReLU. "
    "When the stride or the width changes, the shortcut is a 1×1 convolution with BN (projection).",
    _fields(*_RESNET_FIELDS),
    lambda fields, shape, origin: _resnet(fields, shape, origin, bottleneck=False),
    max_layers=4,
)

RESNET_BOTTLENECK = BlockType(
    "resnet_bottleneck",
    "ResNet's bottleneck block (ResNet-50 and deeper): 1×1 reduce, 3×3 (which takes the stride, as in "
    "torchvision's ResNet v1.5), 1×1 expand, each with BN; projection shortcut when the stride or width changes.",
    _fields(*_RESNET_FIELDS, Field("mid", non_negative_int, "bottleneck width (0: out / 4)", 0, channels=True)),
    lambda fields, shape, origin: _resnet(fields, shape, origin, bottleneck=True),
    max_layers=5,
)


def _dense_layer(fields, shape: Shape, origin: Origin) -> tuple[Node, ...]:
    growth = fields["growth"]
    new_features = (
        _layer("bn", origin, "norm1"),
        _layer("conv", origin, "conv1", out=fields["bn_size"] * growth, kernel=1, act="relu"),
        _layer("conv", origin, "conv2", out=growth, kernel=3, padding=1, norm="none"),
    )
    return (_branch_node(((), new_features), "concat", origin, ("input", "")),)


DENSE_LAYER = BlockType(
    "dense_layer",
    "DenseNet's layer: BN, ReLU, 1×1 conv to bn_size·growth channels, BN, ReLU, 3×3 conv to `growth` "
    "channels, concatenated to its input (so the width grows by `growth` at every repeat).",
    _fields(Field("growth", positive_int, "growth rate k", channels=True),
            Field("bn_size", positive_int, "bottleneck factor: the 1×1 conv has bn_size·k channels", 4)),
    _dense_layer,
    max_layers=4,
)


def _shuffle_unit(fields, shape: Shape, origin: Origin) -> tuple[Node, ...]:
    out, stride = fields["out"], fields["stride"]
    half = out // 2

    def main_branch() -> tuple[Node, ...]:
        return (_layer("pwconv", origin, "pw1", out=half, act="relu"),
                _layer("dwconv", origin, "dw", kernel=(3,), stride=stride),
                _layer("pwconv", origin, "pw2", out=half, act="relu"))

    if stride == 1:
        split = _branch_node(((), main_branch()), "concat", origin, ("branch1", "branch2"), split="equal")
    else:
        side = (_layer("dwconv", origin, "dw", kernel=(3,), stride=stride),
                _layer("pwconv", origin, "pw", out=half, act="relu"))
        split = _branch_node((side, main_branch()), "concat", origin, ("branch1", "branch2"))
    return (split, _layer("shuffle", origin, "shuffle", groups=2))


SHUFFLE_UNIT = BlockType(
    "shuffle_unit",
    "ShuffleNetV2's unit. Stride 1: the channels are split in two halves; one passes through, the other "
    "goes through 1×1, 3×3 depthwise, 1×1; concatenated and shuffled. Stride 2: both branches see the whole "
    "input (3×3 depthwise s2, 1×1 | 1×1, 3×3 depthwise s2, 1×1), each producing out/2 channels.",
    _fields(Field("out", channels, "output channels", channels=True),
            Field("stride", positive_int, "stride (first repeat only)", 1)),
    _shuffle_unit,
    max_layers=7,
)

BLOCK_TYPES: dict[str, BlockType] = {t.name: t for t in (
    SEPARABLE, INVERTED_RESIDUAL, MIXNET, FIRE, INCEPTION, RESNET_BASIC, RESNET_BOTTLENECK, DENSE_LAYER,
    SHUFFLE_UNIT,
)}
