"""The registry of layer types: each declares its fields, its output shape and its cost, in one place.

The analyzer looks types up in `LAYER_TYPES`; the CLI's choices and `docs/spec.md`'s layer table are derived
from it. A type that is not registered cannot be costed, and is an error that lists the known ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from . import formulas as f
from .formulas import Shape
from ..schema import (
    Field, boolean, channels, choice, fraction, kernel_list, non_negative_int, padding, positive_int,
    positive_number,
)

ACTIVATIONS = ("none", "relu", "relu6", "swish", "sigmoid", "hard_swish", "hard_sigmoid", "softmax")
NORMS = ("bn", "none")


class ShapeError(ValueError):
    """The layer cannot be applied to its input; the analyzer adds the layer's name and place."""


@dataclass(frozen=True, slots=True)
class Cost:
    """One costed part of a layer. `kind` is the resource-table category ("conv 1×1", "depthwise 3×3", ...)."""

    kind: str
    macs: int = 0
    weights: int = 0
    biases: int = 0
    norm: int = 0  # batch-norm γ and β


@dataclass(frozen=True)
class LayerType:
    name: str
    doc: str
    fields: dict[str, Field]
    infer: Callable[[Mapping[str, Any], Shape], Shape]
    cost: Callable[[Mapping[str, Any], Shape, Shape], tuple[Cost, ...]]
    describe: Callable[[Mapping[str, Any], Shape], str]
    # Output elements the layer computes; default: its output if it has MACs, else 0 (fvcore's rule).
    activations: Callable[[Mapping[str, Any], Shape, Shape], int] | None = None
    # The output's height and width from the input's, reading only `spatial_fields` (`infer` uses it too), so
    # that sweeps can move a built graph to other resolutions without rebuilding it.
    spatial: Callable[[Mapping[str, Any], int, int], tuple[int, int]] = lambda fields, h, w: (h, w)
    spatial_fields: tuple[str, ...] = ()
    macs_per_output_pixel: bool = False  # MACs = (MACs at one output pixel) × output pixels: convolutions
    macs_per_input_pixel: bool = False  # MACs = (MACs at one input pixel) × input pixels: transposed convolutions
    channels_follow_spatial: bool = False  # output channels depend on the input's size (flatten)
    depthwise: bool = False  # the first half of a depthwise separable pair
    pointwise: bool = False  # can be the second half (a 1×1 convolution)
    merge: bool = False  # reads two or more tensors; `infer` then takes the tuple of their shapes
    in_place: bool = False  # may overwrite its input (the `in-place` memory model): elementwise or depthwise
    spec_entry: bool = True  # written as an entry of a spec (merges are written as `parallel`)

    def infer_many(self, fields: Mapping[str, Any], shapes: tuple[Shape, ...]) -> Shape:
        return self.infer(fields, shapes) if self.merge else self.infer(fields, shapes[0])

    def kernel_groups(self, fields: Mapping[str, Any], shape: Shape) -> tuple[tuple[int, int], ...]:
        """(channels, kernel) per group of a depthwise layer, for the separable closed form."""
        kernels = fields["kernel"]
        split = f.SPLITS[fields.get("split", "equal")](shape.channels, len(kernels))
        return tuple(zip(split, kernels))


# ---- shared fields -------------------------------------------------------------------------------------

def _fields(*items: Field) -> dict[str, Field]:
    return {item.name: item for item in items}


OUT = Field("out", channels, "output channels", channels=True)
STRIDE = Field("stride", positive_int, "spatial stride", 1)
PADDING = Field("padding", padding, "'same': ⌈H/stride⌉ (TF, and PyTorch's (k-1)/2 for odd k); 'valid': no "
                "padding; an integer: that many pixels on each side (PyTorch)", "same")
BIAS = Field("bias", boolean, "the layer has a bias per output channel", False)
NORM = Field("norm", choice(*NORMS), "normalization after the layer (bn: batch norm, γ and β per channel)", "bn")
ACT = Field("act", choice(*ACTIVATIONS), "activation after the layer (costs no MACs)", "none")


def _norm_params(fields: Mapping[str, Any], channels: int) -> int:
    return 2 * channels if fields.get("norm") == "bn" else 0


def _bias(fields: Mapping[str, Any], channels: int) -> int:
    return channels if fields.get("bias") else 0


def _window(height: int, width: int, kernel: int, stride: int, padding: str | int,
            dilation: int = 1) -> tuple[int, int]:
    span = dilation * (kernel - 1) + 1  # a dilated kernel's reach; its MACs stay those of k×k taps
    out_height = f.output_size(height, span, stride, padding)
    out_width = f.output_size(width, span, stride, padding)
    if out_height < 1 or out_width < 1:
        dilated = f" dilated {dilation}×" if dilation > 1 else ""
        raise ShapeError(f"a {kernel}×{kernel}{dilated} kernel does not fit the {height}×{width} input with "
                         f"padding {padding!r}")
    return out_height, out_width


def _conv_spatial(fields, height: int, width: int) -> tuple[int, int]:
    return _window(height, width, fields["kernel"], fields["stride"], fields["padding"], fields["dilation"])


def _dw_spatial(fields, height: int, width: int) -> tuple[int, int]:
    return _window(height, width, max(fields["kernel"]), fields["stride"], fields["padding"], fields["dilation"])


def _pw_spatial(fields, height: int, width: int) -> tuple[int, int]:
    return _window(height, width, 1, fields["stride"], fields["padding"])


_WINDOW_FIELDS = ("kernel", "stride", "padding", "dilation")
DILATION = Field("dilation", positive_int, "spacing of the kernel's taps (1: a plain convolution); the output "
                 "size follows the dilated reach d·(k−1)+1, the MACs the k×k taps", 1)


def _suffix(fields: Mapping[str, Any]) -> str:
    parts = [] if fields.get("stride", 1) == 1 else [f"s{fields['stride']}"]
    if fields.get("dilation", 1) > 1:
        parts.append(f"d{fields['dilation']}")
    return (" " + " ".join(parts)) if parts else ""


# ---- convolutions --------------------------------------------------------------------------------------

def _conv_kernel(fields: Mapping[str, Any]) -> int:
    return fields["kernel"]


def _conv_infer(fields, shape: Shape) -> Shape:
    groups = fields["groups"]
    if shape.channels % groups or fields["out"] % groups:
        raise ShapeError(f"input channels ({shape.channels}) and output channels ({fields['out']}) must both be "
                         f"divisible by groups ({groups})")
    return Shape(fields["out"], *_conv_spatial(fields, shape.height, shape.width))


def _conv_kind(kernel: int, groups: int, in_channels: int) -> str:
    if groups == in_channels and groups > 1:
        return f"depthwise {kernel}×{kernel}"
    return f"conv {kernel}×{kernel}" if groups == 1 else f"grouped conv {kernel}×{kernel}"


def _conv_cost(fields, shape: Shape, out: Shape) -> tuple[Cost, ...]:
    k, g = _conv_kernel(fields), fields["groups"]
    return (Cost(_conv_kind(k, g, shape.channels),
                 macs=f.conv_macs(shape.channels, out.channels, k, g, out.spatial),
                 weights=f.conv_weights(shape.channels, out.channels, k, g),
                 biases=_bias(fields, out.channels), norm=_norm_params(fields, out.channels)),)


def _conv_describe(fields, shape: Shape) -> str:
    k, g = fields["kernel"], fields["groups"]
    return f"{k}×{k}{_suffix(fields)}" + (f" g{g}" if g > 1 else "")


CONV = LayerType(
    "conv", "Convolution, dense or grouped: out × (in/groups) × k × k weights.",
    _fields(OUT, Field("kernel", positive_int, "kernel size (square)"), STRIDE, PADDING,
            Field("groups", positive_int, "channel groups; in and out must be divisible by it", 1),
            BIAS, NORM, ACT, DILATION),
    _conv_infer, _conv_cost, _conv_describe,
    spatial=_conv_spatial, spatial_fields=_WINDOW_FIELDS, macs_per_output_pixel=True,
)


def _dw_infer(fields, shape: Shape) -> Shape:
    kernels = fields["kernel"]
    if len(kernels) > shape.channels:
        raise ShapeError(f"{len(kernels)} kernel sizes cannot split {shape.channels} channels")
    groups = f.SPLITS[fields["split"]](shape.channels, len(kernels))
    if min(groups) == 0:
        raise ShapeError(f"the {fields['split']} split of {shape.channels} channels over {len(kernels)} kernel sizes "
                         f"leaves a group empty ({'/'.join(map(str, groups))}); give it more channels or fewer kernels")
    return Shape(shape.channels, *_dw_spatial(fields, shape.height, shape.width))


def _dw_cost(fields, shape: Shape, out: Shape) -> tuple[Cost, ...]:
    split = f.SPLITS[fields["split"]](shape.channels, len(fields["kernel"]))
    costs = []
    for group, k in zip(split, fields["kernel"]):
        costs.append(Cost(f"depthwise {k}×{k}",
                          macs=f.conv_macs(group, group, k, group, out.spatial),
                          weights=f.conv_weights(group, group, k, group),
                          biases=_bias(fields, group), norm=_norm_params(fields, group)))
    return tuple(costs)


def _dw_describe(fields, shape: Shape) -> str:
    kernels = fields["kernel"]
    if len(kernels) == 1:
        return f"{kernels[0]}×{kernels[0]} dw{_suffix(fields)}"
    split = f.SPLITS[fields["split"]](shape.channels, len(kernels))
    sizes = f"{split[0]} each" if len(set(split)) == 1 else "/".join(map(str, split))
    return f"[{','.join(map(str, kernels))}] dw{_suffix(fields)} ({sizes})"


DWCONV = LayerType(
    "dwconv",
    "Depthwise convolution, one k×k filter per channel. A list of kernel sizes makes it a mixed depthwise "
    "convolution (MixConv): the channels are split into groups (`split`) and each group gets its own kernel.",
    _fields(Field("kernel", kernel_list, "kernel size, or a list of kernel sizes for a MixConv"), STRIDE, PADDING,
            Field("split", choice(*f.SPLITS), "how a MixConv splits channels over its kernel sizes: 'equal' "
                  "(remainder on the first group, as TF MixNet and timm do) or 'exponential' (½, ¼, …)", "equal"),
            BIAS, NORM, ACT, DILATION),
    _dw_infer, _dw_cost, _dw_describe, depthwise=True, in_place=True,
    spatial=_dw_spatial, spatial_fields=_WINDOW_FIELDS, macs_per_output_pixel=True,
)


def _pw_infer(fields, shape: Shape) -> Shape:
    groups = fields["groups"]
    if groups > shape.channels or groups > fields["out"]:
        raise ShapeError(f"cannot split {shape.channels} input / {fields['out']} output channels into {groups} groups")
    return Shape(fields["out"], *_pw_spatial(fields, shape.height, shape.width))


def _pw_cost(fields, shape: Shape, out: Shape) -> tuple[Cost, ...]:
    groups = fields["groups"]
    split = f.SPLITS[fields["split"]]
    pairs = zip(split(shape.channels, groups), split(out.channels, groups))
    weights = sum(in_c * out_c for in_c, out_c in pairs)
    kind = "conv 1×1" if groups == 1 else "grouped conv 1×1"
    return (Cost(kind, macs=weights * out.spatial, weights=weights,
                 biases=_bias(fields, out.channels), norm=_norm_params(fields, out.channels)),)


def _pw_describe(fields, shape: Shape) -> str:
    groups = fields["groups"]
    return f"1×1{_suffix(fields)}" + (f" g{groups}" if groups > 1 else "")


PWCONV = LayerType(
    "pwconv",
    "Pointwise (1×1) convolution. With `groups` > 1 it is a grouped 1×1 convolution whose input and output "
    "channels are each split into groups by `split` (TF MixNet and timm split with the remainder on the first "
    "group, so groups need not divide the channels); group i connects its inputs only to its outputs.",
    _fields(OUT, Field("groups", positive_int, "channel groups", 1),
            Field("split", choice("equal"), "how channels are split over groups", "equal"),
            STRIDE, Field("padding", padding, "padding ('same', 'valid' or pixels; 0 for a 1×1)", "same"),
            BIAS, NORM, ACT),
    _pw_infer, _pw_cost, _pw_describe, pointwise=True,
    spatial=_pw_spatial, spatial_fields=("stride", "padding"), macs_per_output_pixel=True,
)


# ---- fully connected, pooling, squeeze-and-excitation --------------------------------------------------

def _fc_spatial(fields, height: int, width: int) -> tuple[int, int]:
    if height * width != 1:
        raise ShapeError(f"a fully connected layer needs a flat input, not {height}×{width} pixels; add `flatten` "
                         "or `global_pool` before it")
    return 1, 1


def _fc_infer(fields, shape: Shape) -> Shape:
    return Shape(fields["out"], *_fc_spatial(fields, shape.height, shape.width))


def _fc_cost(fields, shape: Shape, out: Shape) -> tuple[Cost, ...]:
    weights = f.fc_macs(shape.channels, out.channels)
    return (Cost("fully connected", macs=weights, weights=weights, biases=_bias(fields, out.channels),
                 norm=_norm_params(fields, out.channels)),)


FC = LayerType(
    "fc", "Fully connected layer on a flat input (after `flatten` or `global_pool`).",
    _fields(Field("out", channels, "output features: the classes, or a hidden layer's width", channels=True),
            Field("bias", boolean, "the layer has biases", True),
            Field("norm", choice(*NORMS), "normalization after the layer", "none"), ACT),
    _fc_infer, _fc_cost, lambda fields, shape: f"{shape.channels}→{fields['out']}", spatial=_fc_spatial,
)


def _pool_spatial(fields, height: int, width: int) -> tuple[int, int]:
    k = fields["kernel"]
    stride = fields["stride"] or k
    padding = fields["padding"]
    if isinstance(padding, int) and 2 * padding > k:
        raise ShapeError(f"padding {padding} is more than half the {k}×{k} window (PyTorch refuses it too)")
    out_height = f.output_size(height, k, stride, padding, fields["ceil_mode"])
    out_width = f.output_size(width, k, stride, padding, fields["ceil_mode"])
    if out_height < 1 or out_width < 1:
        raise ShapeError(f"a {k}×{k} pooling window does not fit the {height}×{width} input")
    return out_height, out_width


def _pool_infer(fields, shape: Shape) -> Shape:
    return Shape(shape.channels, *_pool_spatial(fields, shape.height, shape.width))


POOL = LayerType(
    "pool", "Max or average pooling over k×k windows (no MACs, no parameters).",
    _fields(Field("mode", choice("max", "avg"), "max or average", "max"),
            Field("kernel", positive_int, "window size"),
            Field("stride", non_negative_int, "stride (0: same as the kernel)", 0),
            Field("padding", padding, "'valid', 'same' or pixels on each side", "valid"),
            Field("ceil_mode", boolean, "round the output size up (PyTorch ceil_mode)", False)),
    _pool_infer, lambda fields, shape, out: (Cost("pooling"),),
    lambda fields, shape: f"{fields['mode']} {fields['kernel']}×{fields['kernel']}"
                          f" s{fields['stride'] or fields['kernel']}",
    spatial=_pool_spatial, spatial_fields=("kernel", "stride", "padding", "ceil_mode"),
)

GLOBAL_POOL = LayerType(
    "global_pool", "Global average (or max) pooling to 1×1 (no MACs, no parameters).",
    _fields(Field("mode", choice("avg", "max"), "average or max", "avg")),
    lambda fields, shape: Shape(shape.channels, 1, 1),
    lambda fields, shape, out: (Cost("pooling"),),
    lambda fields, shape: f"global {fields['mode']}", spatial=lambda fields, h, w: (1, 1),
)


ADAPTIVE_POOL = LayerType(
    "adaptive_pool", "Adaptive average (or max) pooling to a fixed size×size output, whatever the input "
    "(PyTorch's AdaptiveAvgPool2d: VGG's 7×7, AlexNet's 6×6); no MACs, no parameters.",
    _fields(Field("size", positive_int, "output height = width"),
            Field("mode", choice("avg", "max"), "average or max", "avg")),
    lambda fields, shape: Shape(shape.channels, fields["size"], fields["size"]),
    lambda fields, shape, out: (Cost("pooling"),),
    lambda fields, shape: f"adaptive {fields['mode']} {fields['size']}×{fields['size']}",
    spatial=lambda fields, h, w: (fields["size"], fields["size"]), spatial_fields=("size",),
)


def se_reduced_channels(base_channels: int, ratio: float, divisor: int = 1) -> int:
    """SE bottleneck width: max(1, int(base · ratio)) (TF MixNet, EfficientNet, torchvision EfficientNet);
    with a divisor d > 1, make_divisible(int(base · ratio), d) (torchvision/TF MobileNetV3)."""
    reduced = max(1, int(base_channels * ratio))
    return f.make_divisible(reduced, divisor) if divisor > 1 else reduced


def _se_reduced(fields, shape: Shape) -> int:
    return fields["reduced"] or se_reduced_channels(shape.channels, fields["ratio"], fields["divisor"])


def _se_cost(fields, shape: Shape, out: Shape) -> tuple[Cost, ...]:
    c, r = shape.channels, _se_reduced(fields, shape)
    return (Cost("squeeze-excite", macs=2 * c * r, weights=2 * c * r, biases=(r + c) if fields["bias"] else 0),)


SE = LayerType(
    "se",
    "Squeeze-and-excitation: global pool, 1×1 reduce to `reduced` channels, activation, 1×1 expand, gate, "
    "channel-wise scale. MACs are those of the two 1×1 convolutions (2·C·R); the pooling and the final "
    "per-element scaling are not multiply-accumulates of a layer and are not counted.",
    _fields(Field("ratio", positive_number, "reduced channels = max(1, int(input channels · ratio))", 0.25),
            Field("reduced", non_negative_int, "reduced channels, explicitly (0: use `ratio`)", 0),
            Field("divisor", positive_int, "round the reduced width to a multiple of this (MobileNetV3: 8)", 1),
            Field("bias", boolean, "the two 1×1 convolutions have biases", True),
            Field("act", choice(*ACTIVATIONS), "activation between the two convolutions", "relu"),
            Field("gate", choice("sigmoid", "hard_sigmoid"), "gating function", "sigmoid")),
    lambda fields, shape: shape, _se_cost,
    lambda fields, shape: f"{shape.channels}→{_se_reduced(fields, shape)}→{shape.channels}",
    activations=lambda fields, shape, out: _se_reduced(fields, shape) + shape.channels,
)


# ---- zero-cost layers ----------------------------------------------------------------------------------

def _passthrough(kind: str, doc: str, fields: dict[str, Field], describe: str = "",
                 in_place: bool = False) -> LayerType:
    return LayerType(kind, doc, fields, lambda fields, shape: shape,
                     lambda fields, shape, out: (Cost("other"),), lambda fields, shape: describe, in_place=in_place)


ACT_LAYER = LayerType(
    "act", "An activation function on its own (no MACs, no parameters).",
    _fields(Field("fn", choice(*ACTIVATIONS[1:]), "the function")),
    lambda fields, shape: shape, lambda fields, shape, out: (Cost("other"),),
    lambda fields, shape: fields["fn"], in_place=True,
)

BN = LayerType(
    "bn", "Batch normalization on its own: γ and β per channel (counted under the `torch` convention).",
    {}, lambda fields, shape: shape,
    lambda fields, shape, out: (Cost("other", norm=2 * shape.channels),), lambda fields, shape: "", in_place=True,
)

FLATTEN = LayerType(
    "flatten", "Flatten C×H×W to a vector of C·H·W features.", {},
    lambda fields, shape: Shape(shape.elements, 1, 1), lambda fields, shape, out: (Cost("other"),),
    lambda fields, shape: "", spatial=lambda fields, h, w: (1, 1), channels_follow_spatial=True,
)

def _shuffle_infer(fields, shape: Shape) -> Shape:
    if shape.channels % fields["groups"]:
        raise ShapeError(f"{shape.channels} channels cannot be shuffled in {fields['groups']} groups")
    return shape


SHUFFLE = LayerType(
    "shuffle", "Channel shuffle (ShuffleNet): a permutation of channels across groups; no MACs, no parameters.",
    _fields(Field("groups", positive_int, "groups to interleave", 2)),
    _shuffle_infer, lambda fields, shape, out: (Cost("other"),), lambda fields, shape: f"groups {fields['groups']}",
)

LRN = LayerType(
    "lrn", "Local response normalization (AlexNet, GoogLeNet papers). It has no weights, and its "
    "per-element arithmetic is not a multiply-accumulate of a layer: costnet counts it as 0 MACs and says so.",
    _fields(Field("size", positive_int, "neighbouring channels summed over", 5)),
    lambda fields, shape: shape, lambda fields, shape, out: (Cost("normalization (LRN)"),),
    lambda fields, shape: f"size {fields['size']}",
)

DROPOUT = _passthrough("dropout", "Dropout (no cost at inference).",
                       _fields(Field("rate", fraction, "drop probability", 0.0)), in_place=True)


# ---- merges: the end of a `parallel` entry -----------------------------------------------------------

def _add_infer(fields, shapes: tuple[Shape, ...]) -> Shape:
    if any(shape != shapes[0] for shape in shapes):
        raise ShapeError(f"cannot add tensors of different shapes ({', '.join(map(str, shapes))})")
    return shapes[0]


def _concat_infer(fields, shapes: tuple[Shape, ...]) -> Shape:
    if any((s.height, s.width) != (shapes[0].height, shapes[0].width) for s in shapes):
        raise ShapeError(f"cannot concatenate tensors of different spatial sizes ({', '.join(map(str, shapes))})")
    return Shape(sum(s.channels for s in shapes), shapes[0].height, shapes[0].width)


def _merge(kind: str, doc: str, infer) -> LayerType:
    return LayerType(kind, doc, {}, infer, lambda fields, shape, out: (Cost("other"),),
                     lambda fields, shape: "", merge=True, spec_entry=False)


ADD = _merge("add", "Elementwise sum of two or more tensors of one shape (a residual connection); no MACs.",
             _add_infer)
CONCAT = _merge("concat", "Concatenation along channels of tensors of one spatial size; no MACs.", _concat_infer)
MUL = _merge("mul", "Elementwise product of tensors of one shape (an ONNX Mul that is neither SE's scaling nor "
             "swish); no MACs, as an activation's arithmetic is none.", _add_infer)


# ---- transposed convolution ----------------------------------------------------------------------------

def _deconv_spatial(fields, height: int, width: int) -> tuple[int, int]:
    k, s, p, extra = fields["kernel"], fields["stride"], fields["padding"], fields["output_padding"]
    size = lambda n: (n - 1) * s - 2 * p + k + extra
    if size(height) < 1 or size(width) < 1:
        raise ShapeError(f"a {k}×{k} transposed convolution with padding {p} gives no output from {height}×{width}")
    return size(height), size(width)


def _deconv_infer(fields, shape: Shape) -> Shape:
    groups = fields["groups"]
    if shape.channels % groups or fields["out"] % groups:
        raise ShapeError(f"input channels ({shape.channels}) and output channels ({fields['out']}) must both be "
                         f"divisible by groups ({groups})")
    if fields["output_padding"] >= fields["stride"]:
        raise ShapeError("output_padding must be smaller than the stride (PyTorch and ONNX refuse it too)")
    return Shape(fields["out"], *_deconv_spatial(fields, shape.height, shape.width))


def _deconv_cost(fields, shape: Shape, out: Shape) -> tuple[Cost, ...]:
    k, g = fields["kernel"], fields["groups"]
    weights = f.conv_weights(shape.channels, out.channels, k, g)  # in × (out/g) × k², as out × (in/g) × k²
    return (Cost(f"transposed conv {k}×{k}", macs=weights * shape.spatial, weights=weights,
                 biases=_bias(fields, out.channels), norm=_norm_params(fields, out.channels)),)


DECONV = LayerType(
    "deconv", "Transposed convolution (ConvTranspose): each input pixel spreads a k×k kernel over the output; "
    "(in/groups) × out × k² weights, and those MACs at every input pixel. Output size (H − 1)·stride − 2·padding "
    "+ k + output_padding.",
    _fields(OUT, Field("kernel", positive_int, "kernel size (square)"), STRIDE,
            Field("padding", non_negative_int, "pixels taken off each side of the output", 0),
            Field("output_padding", non_negative_int, "pixels added to one side of the output (first repeat "
                  "only, as the stride)", 0),
            Field("groups", positive_int, "channel groups", 1), BIAS, NORM, ACT),
    _deconv_infer, _deconv_cost,
    lambda fields, shape: f"{fields['kernel']}×{fields['kernel']} transposed{_suffix(fields)}",
    spatial=_deconv_spatial, spatial_fields=("kernel", "stride", "padding", "output_padding"),
    macs_per_input_pixel=True,
)


def _unknown_describe(fields, shape: Shape) -> str:
    return f"{fields['op']}: not costed"


UNKNOWN = LayerType(
    "unknown", "An operator costnet cannot cost, kept because --allow-unknown was given: its MACs and parameters "
    "are counted as zero, and every output lists it.",
    {}, lambda fields, shapes: shapes[0], lambda fields, shape, out: (Cost("not costed"),), _unknown_describe,
    merge=True, spec_entry=False,
)

LAYER_TYPES: dict[str, LayerType] = {
    t.name: t for t in (CONV, DWCONV, PWCONV, FC, POOL, GLOBAL_POOL, ADAPTIVE_POOL, SE, ACT_LAYER, BN, LRN,
                        SHUFFLE, FLATTEN, DROPOUT, DECONV, ADD, CONCAT, MUL, UNKNOWN)
}
SPEC_LAYER_TYPES = {name: t for name, t in LAYER_TYPES.items() if t.spec_entry}
