"""Valid specs over the whole grammar, as YAML text, valid by construction (for test_properties.py and
test_hostile.py).

The generator keeps, entry by entry, the tensor each entry sees at every width and resolution the spec is
meant to be valid at (`Plan.pairs`), with its own small model of costnet's shape rules (`run_entry`, written
from docs/spec.md): channel counts are drawn to divide by the groups, kernels to fit the smallest resolution,
branches of a `parallel` to merge (same-padded layers with the same total stride; an `add` either keeps the
channels, `{times_input: 1}`, or ends every branch with the same width). A candidate entry that the model
says cannot be built at some pair is replaced by another; so every spec is valid at every pair, as far as
the model knows, and the tests count the rare one costnet refuses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import yaml
from hypothesis import strategies as st

from costnet.graph.formulas import SPLITS, make_divisible, output_size
from runcounts import COUNTS

ACTIVATIONS = ("none", "relu", "relu6", "swish", "sigmoid", "hard_swish", "hard_sigmoid", "softmax")
NAME_CHARS = "abcxyzAB_-é星"  # names are text as written: YAML-looking ones are quoted by the dumper


class Invalid(Exception):
    """The entry cannot be built on this tensor (the model's verdict; the generator then draws another)."""


# ---- the model of costnet's shape rules: one (channels, height) tensor at one width -------------------

@dataclass(frozen=True)
class Widths:
    """How the spec's written widths scale (its `width:` section), as docs/spec.md "Scaling" says."""

    rule: str = "divisible"
    divisor: int = 8
    minimum: int = 8
    table: dict[float, dict[str, int]] = field(default_factory=dict)

    def scale(self, value: Any, alpha: float, scaling: str, channels_in: int) -> int:
        if isinstance(value, dict):
            if "table" in value:
                return self.table[alpha][value["table"]]
            return value["times_input"] * channels_in
        unscaled = scaling == "fixed" or (scaling == "grow_only" and alpha < 1)
        if value == 0 or self.rule in ("table", "none") or alpha == 1 or unscaled:
            return value
        if self.rule == "slim":
            return max(int(value * alpha), self.minimum)
        return make_divisible(value * alpha, self.divisor, self.minimum)


def _scaling(entry: dict) -> str:
    return entry.get("width_scaling") or ("fixed" if entry["type"] == "fc" else "scaled")


def _width(w: Widths, entry: dict, key: str, channels: int, alpha: float, default: Any = None) -> int:
    value = entry.get(key, default)
    return w.scale(value, alpha, _scaling(entry), channels)


def _stride(entry: dict, strided: bool, default: int = 1) -> int:
    return entry.get("stride", default) if strided else 1  # later repeats run at stride 1


def _window(h: int, kernel: int, stride: int, padding: Any, ceil_mode: bool = False) -> int:
    out = output_size(h, kernel, stride, padding, ceil_mode)
    if out < 1:
        raise Invalid
    return out


def _kernels(value: Any) -> list[int]:
    return list(value) if isinstance(value, list) else [value]


def _depthwise(channels: int, kernels: list[int], split: str) -> None:
    if len(kernels) > channels or min(SPLITS[split](channels, len(kernels))) < 1:
        raise Invalid


def _pointwise(c_in: int, c_out: int, groups: int) -> None:
    if c_out < 1 or groups > c_in or groups > c_out:
        raise Invalid


def _conv(w, e, c, h, a, strided):
    out, groups = _width(w, e, "out", c, a), e.get("groups", 1)
    if c % groups or out % groups:
        raise Invalid
    reach = e.get("dilation", 1) * (e["kernel"] - 1) + 1  # a dilated kernel's span
    return out, _window(h, reach, _stride(e, strided), e.get("padding", "same"))


def _deconv(w, e, c, h, a, strided):
    out, groups = _width(w, e, "out", c, a), e.get("groups", 1)
    stride = _stride(e, strided)
    extra = e.get("output_padding", 0) if strided else 0  # later repeats: stride 1, no extra row
    if c % groups or out % groups or extra >= stride:
        raise Invalid
    size = (h - 1) * stride - 2 * e.get("padding", 0) + e["kernel"] + extra
    if size < 1:
        raise Invalid
    return out, size


def _dwconv(w, e, c, h, a, strided):
    kernels = _kernels(e["kernel"])
    _depthwise(c, kernels, e.get("split", "equal"))
    reach = e.get("dilation", 1) * (max(kernels) - 1) + 1
    return c, _window(h, reach, _stride(e, strided), e.get("padding", "same"))


def _pwconv(w, e, c, h, a, strided):
    out = _width(w, e, "out", c, a)
    _pointwise(c, out, e.get("groups", 1))
    return out, _window(h, 1, _stride(e, strided), e.get("padding", "same"))


def _fc(w, e, c, h, a, strided):
    if h != 1:
        raise Invalid
    return _width(w, e, "out", c, a), 1


def _pool(w, e, c, h, a, strided):
    kernel, padding = e["kernel"], e.get("padding", "valid")
    stride = (e.get("stride", 0) or kernel) if strided else 1
    if isinstance(padding, int) and 2 * padding > kernel:
        raise Invalid
    return c, _window(h, kernel, stride, padding, e.get("ceil_mode", False))


def _shuffle(w, e, c, h, a, strided):
    if c % e.get("groups", 2):
        raise Invalid
    return c, h


def _same(w, e, c, h, a, strided):
    return c, h


def _separable(w, e, c, h, a, strided):
    kernels = _kernels(e.get("kernel", 3))
    _depthwise(c, kernels, e.get("split", "equal"))
    out = _width(w, e, "out", c, a)
    _pointwise(c, out, 1)
    return out, _window(h, max(kernels), _stride(e, strided), "same")


def _inverted_residual(w, e, c, h, a, strided):
    expanded = _width(w, e, "expanded", c, a, 0)
    mid = expanded or round(c * e.get("expand", 6))
    if mid != c:
        _pointwise(c, mid, e.get("expand_groups", 1))
    kernels = _kernels(e.get("kernel", 3))
    _depthwise(mid, kernels, e.get("split", "equal"))
    out = _width(w, e, "out", c, a)
    _pointwise(mid, out, e.get("project_groups", 1))
    return out, _window(h, max(kernels), _stride(e, strided), "same")


def _fire(w, e, c, h, a, strided):
    return _width(w, e, "expand1x1", c, a) + _width(w, e, "expand3x3", c, a), h


def _inception(w, e, c, h, a, strided):
    k = e.get("b3_kernel", 5)
    if _window(h, k, 1, k // 2) != h:  # an even kernel with k // 2 padding grows the map by one
        raise Invalid
    return sum(_width(w, e, key, c, a) for key in ("b1", "b2", "b3", "pool_proj")), h


def _resnet_basic(w, e, c, h, a, strided):
    return _width(w, e, "out", c, a), _window(h, 3, _stride(e, strided), 1)


def _resnet_bottleneck(w, e, c, h, a, strided):
    out = _width(w, e, "out", c, a)
    if (_width(w, e, "mid", c, a, 0) or out // 4) < 1:
        raise Invalid  # costnet builds 0-channel convolutions here; valid specs stay clear of them
    return out, _window(h, 3, _stride(e, strided), 1)


def _dense_layer(w, e, c, h, a, strided):
    return c + _width(w, e, "growth", c, a), h


def _shuffle_unit(w, e, c, h, a, strided):
    half = _width(w, e, "out", c, a) // 2
    if half < 1:
        raise Invalid
    stride = _stride(e, strided)
    if stride == 1:
        if c % 2 or (c // 2 + half) % 2:
            raise Invalid
        return c // 2 + half, h
    return 2 * half, _window(h, 3, stride, "same")


def _parallel(w, e, c, h, a, strided):
    branches = e["branches"]
    if e.get("split", "none") == "equal":
        if c % len(branches):
            raise Invalid
        c //= len(branches)
    outs = [run_sequence(w, branch, c, h, a, strided) for branch in branches]
    if len({out_h for _, out_h in outs}) > 1:
        raise Invalid
    if e["merge"] == "add":
        if len({out_c for out_c, _ in outs}) > 1:
            raise Invalid
        return outs[0]
    return sum(out_c for out_c, _ in outs), outs[0][1]


RUN: dict[str, Callable] = {
    "conv": _conv, "dwconv": _dwconv, "pwconv": _pwconv, "fc": _fc, "pool": _pool, "deconv": _deconv,
    "global_pool": lambda w, e, c, h, a, s: (c, 1), "adaptive_pool": lambda w, e, c, h, a, s: (c, e["size"]),
    "se": _same, "act": _same, "bn": _same, "lrn": _same, "shuffle": _shuffle,
    "flatten": lambda w, e, c, h, a, s: (c * h * h, 1), "dropout": _same,
    "separable": _separable, "inverted_residual": _inverted_residual, "mixnet": _inverted_residual,
    "fire": _fire, "inception": _inception, "resnet_basic": _resnet_basic, "resnet_bottleneck": _resnet_bottleneck,
    "dense_layer": _dense_layer, "shuffle_unit": _shuffle_unit, "parallel": _parallel,
}


def run_entry(w: Widths, entry: dict, c: int, h: int, alpha: float, strided: bool = True) -> tuple[int, int]:
    """The tensor after one repeat of `entry` (its later repeats: strided=False)."""
    return RUN[entry["type"]](w, entry, c, h, alpha, strided)


def run_sequence(w: Widths, entries: list[dict], c: int, h: int, alpha: float, strided: bool = True):
    for entry in entries:
        for i in range(entry.get("repeat", 1)):
            c, h = run_entry(w, entry, c, h, alpha, strided and i == 0)
    return c, h


def scale_repeats(repeats: list[int], depth: float, rule: str) -> list[int]:
    """docs/spec.md "Scaling": ceil, each ⌈r·d⌉; stage_round, the stage's total handed back from the last."""
    if depth == 1 or rule == "none":
        return repeats
    if rule == "ceil":
        return [math.ceil(r * depth) for r in repeats]
    remaining, total = sum(repeats), max(1, round(sum(repeats) * depth))
    scaled = []
    for r in reversed(repeats):
        share = max(1, round(r / remaining * total))
        scaled.append(share)
        remaining, total = remaining - r, total - share
    return scaled[::-1]


def buildable(data: dict, w: Widths, alpha: float, resolution: int, depth: float = 1.0) -> bool:
    """Whether the model says the spec builds at this width, resolution and depth."""
    c, h = data["input"].get("channels", 3), resolution
    rule = data.get("depth", {}).get("rule", "ceil")
    try:
        for stage in data["body"]:
            entries = stage["blocks"]
            if stage.get("depth_scaling") == "scaled":
                repeats = scale_repeats([e.get("repeat", 1) for e in entries], depth, rule)
                entries = [dict(e, repeat=r) for e, r in zip(entries, repeats)]
            c, h = run_sequence(w, entries, c, h, alpha)
    except Invalid:
        return False
    return True


def repeats_keep_shape(data: dict, w: Widths, alpha: float, resolution: int) -> bool:
    """Whether every repeat after the first of a scaled stage's entries gives back the tensor it is given:
    then more repeats only add layers, and MACs cannot decrease with depth (docs/spec.md, "Scaling")."""
    c, h = data["input"].get("channels", 3), resolution
    try:
        for stage in data["body"]:
            for entry in stage["blocks"]:
                c, h = run_entry(w, entry, c, h, alpha)
                again = run_entry(w, entry, c, h, alpha, strided=False)
                if stage.get("depth_scaling") == "scaled" and again != (c, h):
                    return False
                for _ in range(entry.get("repeat", 1) - 1):
                    c, h = run_entry(w, entry, c, h, alpha, strided=False)
    except Invalid:
        return False
    return True


# ---- the generator ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Generated:
    """A generated spec: its text, its data, and what it is valid at."""

    text: str
    data: dict
    widths: Widths
    width_grid: tuple[float, ...]  # the spec's default first
    resolutions: tuple[int, ...]  # the spec's default first, the others larger
    depth_rule: str
    scaled_stages: bool
    pooled: bool  # ends in a global pool and a fully connected layer: a pooled classifier

    @property
    def default_width(self) -> float:
        return self.width_grid[0]

    @property
    def resolution(self) -> int:
        return self.resolutions[0]


@dataclass(frozen=True)
class Where:
    """Where an entry goes: inside a branch (same-padded layers only), keeping the channels, with a width
    every branch ends at, with the stride a branch takes."""

    in_branch: bool = False
    keep_channels: bool = False
    out: Any = None
    stride: int = 1
    nesting: int = 0


FREE_TYPES = ("conv", "dwconv", "pwconv", "fc", "pool", "global_pool", "adaptive_pool", "se", "act", "bn",
              "lrn", "shuffle", "flatten", "dropout", "deconv", "separable", "inverted_residual", "mixnet", "fire",
              "inception", "resnet_basic", "resnet_bottleneck", "dense_layer", "shuffle_unit", "parallel")
# A transposed convolution grows the map: no branch (whose outputs must merge at one size) takes one.
BRANCH_TYPES = tuple(t for t in FREE_TYPES if t not in ("fc", "global_pool", "adaptive_pool", "flatten", "deconv"))
KEEPING_TYPES = ("conv", "dwconv", "pwconv", "pool", "se", "act", "bn", "lrn", "shuffle", "dropout", "separable",
                 "inverted_residual", "mixnet", "resnet_basic", "resnet_bottleneck", "parallel")
ENDING_TYPES = ("conv", "pwconv", "separable", "inverted_residual", "mixnet", "resnet_basic", "resnet_bottleneck")
STRIDED_TYPES = ("conv", "dwconv", "pwconv", "pool", "separable", "inverted_residual", "mixnet", "resnet_basic",
                 "resnet_bottleneck", "shuffle_unit")


class Builder:
    """Draws entries that the model says build at every (width, resolution) pair of the plan."""

    def __init__(self, draw, widths: Widths, width_grid: tuple[float, ...], resolutions: tuple[int, ...]):
        self.draw = draw
        self.w = widths
        self.alphas = [alpha for alpha in width_grid for _ in resolutions]
        self.table_names = sorted(next(iter(widths.table.values()))) if widths.table else []

    # The tensor at every pair: a list of (channels, height).
    def after(self, entry: dict, tensors: list, strided: bool = True) -> list | None:
        try:
            return [run_sequence(self.w, [entry], c, h, a, strided) for (c, h), a in zip(tensors, self.alphas)]
        except Invalid:
            return None

    def flag(self, p: float = 0.5) -> bool:
        return self.draw(st.floats(0, 1)) < p

    def pick(self, options):
        return self.draw(st.sampled_from(list(options)))

    def maybe(self, entry: dict, key: str, value: Any, default: Any) -> None:
        """Write a field, or leave a default out half the time."""
        if value != default or self.flag():
            entry[key] = value

    def channels(self, where: Where, fixed_ok: bool = True) -> Any:
        """A written width: an integer, `{table: NAME}`, or `{times_input: K}`."""
        if where.keep_channels:
            return {"times_input": 1}
        if where.out is not None:
            return where.out
        if self.table_names and self.flag(0.6):
            return {"table": self.pick(self.table_names)}
        if self.flag(0.1):
            return {"times_input": self.pick([1, 2])}
        return self.pick([8, 16, 16, 24, 32, 48, 64, 4, 6, 12, 3] if fixed_ok else [8, 16, 32])

    def int_width(self) -> int:
        return self.pick([4, 8, 16, 24, 32, 12, 6])

    def kernels(self) -> Any:
        if self.flag(0.6):
            return self.pick([1, 3, 5, 7])
        return self.draw(st.lists(st.sampled_from([3, 5, 7, 9, 1]), min_size=1, max_size=4))

    def padding(self, where: Where, kernel: int) -> Any:
        if where.in_branch:  # 'same', or PyTorch's (k-1)/2 for an odd kernel: ⌈H/s⌉ either way
            return "same" if kernel % 2 == 0 or self.flag() else (kernel - 1) // 2
        return self.pick(["same", "same", "valid", 0, 1, 2])

    def stride(self, where: Where) -> int:
        return where.stride if where.in_branch or where.keep_channels else self.pick([1, 1, 2, 3])

    def common_divisors(self, counts) -> list[int]:
        g = 0
        for n in counts:
            g = math.gcd(g, n)
        return [d for d in range(1, min(g, 16) + 1) if g % d == 0]

    # ---- one generator per entry type ----

    def conv(self, tensors, where):
        e = {"type": "conv", "out": self.channels(where)}
        kernel = self.pick([1, 3, 5, 2, 7])
        e["kernel"] = kernel
        self.maybe(e, "stride", self.stride(where), 1)
        self.maybe(e, "padding", self.padding(where, kernel), "same")
        outs = self.after(dict(e, groups=1), tensors)
        if outs is not None and self.flag(0.4):
            options = self.common_divisors([c for c, _ in tensors] + [c for c, _ in outs])
            self.maybe(e, "groups", self.pick(options), 1)
        self._conv_extras(e)
        return e

    def _conv_extras(self, e):
        if e["type"] in ("conv", "dwconv") and e.get("padding", "same") == "same" and self.flag(0.15):
            e["dilation"] = self.pick([2, 3])  # 'same' keeps ⌈H/s⌉ at any reach, so branches still merge
        self.maybe(e, "bias", self.flag(0.3), False)
        self.maybe(e, "norm", self.pick(["bn", "bn", "none"]), "bn")
        self.maybe(e, "act", self.pick(ACTIVATIONS), "none")

    def deconv(self, tensors, where):
        e = {"type": "deconv", "out": self.channels(where), "kernel": self.pick([1, 2, 3, 4])}
        stride = self.pick([1, 2, 2])
        self.maybe(e, "stride", stride, 1)
        self.maybe(e, "padding", self.pick([0, 0, 1]), 0)
        if stride > 1:
            self.maybe(e, "output_padding", self.pick([0, 1]), 0)
        outs = self.after(dict(e, groups=1), tensors)
        if outs is not None and self.flag(0.3):
            options = self.common_divisors([c for c, _ in tensors] + [c for c, _ in outs])
            self.maybe(e, "groups", self.pick(options), 1)
        self._conv_extras(e)
        return e

    def dwconv(self, tensors, where):
        kernels = self.kernels()
        e = {"type": "dwconv", "kernel": kernels}
        self.maybe(e, "stride", self.stride(where), 1)
        biggest = max(_kernels(kernels))
        self.maybe(e, "padding", "same" if where.in_branch else self.padding(where, biggest), "same")
        if isinstance(kernels, list) and len(kernels) > 1:
            self.maybe(e, "split", self.pick(["equal", "exponential"]), "equal")
        self._conv_extras(e)
        return e

    def pwconv(self, tensors, where):
        e = {"type": "pwconv", "out": self.channels(where)}
        self.maybe(e, "stride", self.stride(where), 1)
        self.maybe(e, "padding", self.pick(["same", 0] if where.in_branch else ["same", "valid", 0, 1]), "same")
        outs = self.after(e, tensors)
        if outs is not None and self.flag(0.3):
            most = min(min(c for c, _ in tensors), min(c for c, _ in outs), 8)
            self.maybe(e, "groups", self.pick(range(1, most + 1)), 1)
        self._conv_extras(e)
        return e

    def fc(self, tensors, where):
        e = {"type": "fc", "out": self.pick([10, 1000, 16, 1, 7])}
        if self.flag(0.2):
            e["width_scaling"] = "scaled"
            e["out"] = self.channels(where)
        self.maybe(e, "bias", self.flag(0.8), True)
        self.maybe(e, "norm", self.pick(["none", "bn"]), "none")
        self.maybe(e, "act", self.pick(ACTIVATIONS), "none")
        return e

    def pool(self, tensors, where):
        e = {"type": "pool"}
        self.maybe(e, "mode", self.pick(["max", "avg"]), "max")
        if where.in_branch:  # a 3×3 window padded by 1: ⌈H/s⌉, as a same-padded convolution
            e.update(kernel=3, stride=where.stride, padding=1)
            return e
        kernel = self.pick([1, 2, 3])
        e["kernel"] = kernel
        self.maybe(e, "stride", self.pick([0, 1, 2]), 0)
        self.maybe(e, "padding", self.pick(["valid", "same"] + list(range(kernel // 2 + 1))), "valid")
        self.maybe(e, "ceil_mode", self.flag(0.3), False)
        return e

    def global_pool(self, tensors, where):
        e = {"type": "global_pool"}
        self.maybe(e, "mode", self.pick(["avg", "max"]), "avg")
        return e

    def adaptive_pool(self, tensors, where):
        e = {"type": "adaptive_pool", "size": self.pick([1, 2, 3, 7])}
        self.maybe(e, "mode", self.pick(["avg", "max"]), "avg")
        return e

    def se(self, tensors, where):
        e = {"type": "se"}
        if self.flag(0.3):
            e["reduced"] = self.pick([1, 4, 8, 16])
        else:
            self.maybe(e, "ratio", self.pick([0.25, 0.5, 0.125, 1.5]), 0.25)
        self.maybe(e, "divisor", self.pick([1, 8]), 1)
        self.maybe(e, "bias", self.flag(0.7), True)
        self.maybe(e, "act", self.pick(ACTIVATIONS), "relu")
        self.maybe(e, "gate", self.pick(["sigmoid", "hard_sigmoid"]), "sigmoid")
        return e

    def act(self, tensors, where):
        return {"type": "act", "fn": self.pick(ACTIVATIONS[1:])}

    def bn(self, tensors, where):
        return {"type": "bn"}

    def lrn(self, tensors, where):
        e = {"type": "lrn"}
        self.maybe(e, "size", self.pick([5, 3, 1]), 5)
        return e

    def shuffle(self, tensors, where):
        e = {"type": "shuffle"}
        self.maybe(e, "groups", self.pick(self.common_divisors(c for c, _ in tensors)), 2)
        return e

    def flatten(self, tensors, where):
        return {"type": "flatten"}

    def dropout(self, tensors, where):
        e = {"type": "dropout"}
        self.maybe(e, "rate", self.pick([0.0, 0.2, 0.5, 0.999]), 0.0)
        return e

    def separable(self, tensors, where):
        e = {"type": "separable", "out": self.channels(where)}
        self._block_common(e, where)
        self.maybe(e, "act", self.pick(ACTIVATIONS), "relu")
        self.maybe(e, "linear_project", self.flag(0.3), False)
        self.maybe(e, "skip", self.flag(), False)
        return e

    def _block_common(self, e, where):
        self.maybe(e, "kernel", self.kernels(), [3])
        self.maybe(e, "stride", self.stride(where) if where.in_branch or where.keep_channels
                   else self.pick([1, 2]), 1)
        if isinstance(e.get("kernel"), list) and len(e["kernel"]) > 1:
            self.maybe(e, "split", self.pick(["equal", "exponential"]), "equal")
        self.maybe(e, "se", self.pick([0, 0, 0.25, 0.5]), 0)

    def inverted_residual(self, tensors, where, kind="inverted_residual"):
        e = {"type": kind, "out": self.channels(where)}
        if self.flag(0.2):
            e["expanded"] = self.int_width()
        else:
            self.maybe(e, "expand", self.pick([6, 1, 3, 4, 0.5, 2.5]), 6)
        self._block_common(e, where)
        self.maybe(e, "expand_groups", self.pick([1, 1, 2]), 1)
        self.maybe(e, "project_groups", self.pick([1, 1, 2]), 1)
        if e.get("se"):
            self.maybe(e, "se_from", self.pick(["input", "expanded"]), "input")
            self.maybe(e, "se_divisor", self.pick([1, 8]), 1)
            self.maybe(e, "se_act", self.pick(["block", "relu", "swish", "hard_swish"]), "block")
            self.maybe(e, "se_gate", self.pick(["sigmoid", "hard_sigmoid"]), "sigmoid")
        self.maybe(e, "act", self.pick(ACTIVATIONS), "relu6" if kind == "inverted_residual" else "swish")
        self.maybe(e, "skip", self.flag(0.8), True)
        return e

    def mixnet(self, tensors, where):
        return self.inverted_residual(tensors, where, "mixnet")

    def fire(self, tensors, where):
        return {"type": "fire", "squeeze": self.int_width(), "expand1x1": self.int_width(),
                "expand3x3": self.int_width()}

    def inception(self, tensors, where):
        e = {"type": "inception", **{key: self.int_width() for key in
                                     ("b1", "b2_reduce", "b2", "b3_reduce", "b3", "pool_proj")}}
        self.maybe(e, "b3_kernel", self.pick([5, 3, 1]), 5)
        self.maybe(e, "norm", self.pick(["bn", "none"]), "bn")
        self.maybe(e, "bias", self.flag(0.3), False)
        return e

    def resnet_basic(self, tensors, where):
        e = {"type": "resnet_basic", "out": self.channels(where)}
        self.maybe(e, "stride", self.stride(where) if where.in_branch else self.pick([1, 2]), 1)
        return e

    def resnet_bottleneck(self, tensors, where):
        e = self.resnet_basic(tensors, where)
        e["type"] = "resnet_bottleneck"
        if self.flag(0.3):
            e["mid"] = self.int_width()
        return e

    def dense_layer(self, tensors, where):
        e = {"type": "dense_layer", "growth": self.pick([4, 8, 12, 32])}
        self.maybe(e, "bn_size", self.pick([4, 1, 2]), 4)
        return e

    def shuffle_unit(self, tensors, where):
        e = {"type": "shuffle_unit", "out": self.channels(where) if where.keep_channels
             else self.pick([16, 24, 32, 48, 8])}
        self.maybe(e, "stride", self.stride(where) if where.in_branch else self.pick([1, 2]), 1)
        return e

    def parallel(self, tensors, where):
        count = self.pick([2, 2, 3])
        e = {"type": "parallel", "merge": "add" if where.keep_channels else self.pick(["add", "concat"])}
        equal = self.flag(0.25) and all(c % count == 0 for c, _ in tensors)
        if equal:
            e["split"] = "equal"
        elif self.flag(0.2):
            e["split"] = "none"
        nested = replace(where, nesting=where.nesting + 1, in_branch=True, out=None)
        if where.keep_channels and equal and self.flag():  # ShuffleNet's split: the halves keep their width
            e["merge"] = "concat"
        inputs = [(c // count, h) for c, h in tensors] if equal else tensors
        keeping = where.keep_channels or (e["merge"] == "add" and self.flag(0.6))
        stride = 1 if keeping or where.in_branch else self.pick([1, 2])
        ending = None
        if e["merge"] == "add" and not keeping:
            ending = self.pick([8, 16, 32]) if not self.table_names else {"table": self.pick(self.table_names)}
        e["branches"] = [self.branch(inputs, nested, keeping, ending, stride, identity=keeping and i == 0)
                         for i in range(count)]
        return e

    def branch(self, tensors, where, keeping, ending, stride, identity) -> list[dict]:
        """A branch: the identity, or a few same-padded entries; the last one takes the stride, and the width
        every branch of an `add` ends at."""
        if identity or (stride == 1 and not ending and self.flag(0.15)):
            return []
        entries = []
        length = self.pick([1, 1, 2, 3])
        kind = Where(True, keeping, None, 1, where.nesting)
        for i in range(length):
            last = i == length - 1
            here = replace(kind, out=ending if last else None, stride=stride if last else 1)
            types = ENDING_TYPES if last and ending else STRIDED_TYPES if last and stride > 1 else \
                KEEPING_TYPES if keeping else BRANCH_TYPES
            entry, tensors = self.entry(tensors, here, types, repeats=not last)
            entries.append(entry)
        return entries

    # ---- entries and stages ----

    def entry(self, tensors, where: Where, types=FREE_TYPES, repeats=True) -> tuple[dict, list]:
        """An entry that builds on `tensors` at every pair, and the tensors after it."""
        if where.nesting >= 2:
            types = [t for t in types if t != "parallel"]
        for _ in range(4):
            kind = self.pick(types)
            entry = getattr(self, kind)(tensors, where)
            if kind not in ("parallel",) and "width_scaling" not in entry and self.flag(0.1) \
                    and any(key in entry for key in ("out", "expanded", "growth", "squeeze", "b1", "mid")) \
                    and where.out is None and not where.keep_channels:
                entry["width_scaling"] = self.pick(["scaled", "fixed", "grow_only"])
            after = self.after(entry, tensors)
            if after is not None:
                break
        else:
            entry = {"type": "act", "fn": "relu"}
            after = tensors
        if repeats and self.flag(0.25):
            repeated = dict(entry, repeat=self.pick([2, 3, 2, 5]))
            longer = self.after(repeated, tensors)
            if longer is not None:
                entry, after = repeated, longer
        return entry, after

    def stage(self, tensors, name: str, scaled: bool, head: bool) -> tuple[dict, list]:
        entries = []
        if head:  # a pooled classifier: global pool, perhaps dropout, then the classifier
            entries.append(self.global_pool(tensors, Where()))
            if self.flag():
                entries.append({"type": "dropout", "rate": 0.2})
            classifier = self.fc(tensors, Where())
            tensors = self.after({"type": "global_pool"}, tensors)
            after = self.after(classifier, tensors)
            if after is None:
                classifier = {"type": "fc", "out": 10}
                after = self.after(classifier, tensors)
            entries.append(classifier)
            tensors = after
        else:
            names = iter(self.draw(st.lists(st.text(NAME_CHARS, min_size=1, max_size=6), max_size=4, unique=True)))
            for _ in range(self.pick([1, 2, 3, 4])):
                entry, tensors = self.entry(tensors, Where())
                if self.flag(0.3):
                    entry = {"name": next(names, None), **entry}
                    if entry["name"] is None:
                        del entry["name"]
                entries.append(entry)
        stage = {"name": name, "blocks": entries}
        if scaled:
            stage["depth_scaling"] = "scaled"
        elif self.flag(0.1):
            stage["depth_scaling"] = "fixed"
        return stage, tensors


def _width_plan(draw) -> tuple[Widths, tuple[float, ...], dict]:
    """The width rule, the widths the spec is valid at (its default first), and its `width:` section."""
    rule = draw(st.sampled_from(["divisible", "divisible", "divisible", "slim", "none", "table"]))
    if rule == "none":
        return Widths("none"), (1.0,), {"rule": "none"}
    if rule == "table":
        alphas = draw(st.lists(st.sampled_from([0.5, 1.0, 1.5, 2.0]), min_size=1, max_size=3, unique=True))
        names = draw(st.lists(st.sampled_from(["stem", "mid", "top"]), min_size=1, max_size=3, unique=True))
        table = {a: {n: max(2, int(16 * a * (i + 1)) // 2 * 2) for i, n in enumerate(names)} for a in alphas}
        section = {"multiplier": alphas[0], "rule": "table", "table": table}
        return Widths("table", table=table), tuple(alphas), section
    divisor = draw(st.sampled_from([8, 8, 4, 2, 1, 16]))
    minimum = draw(st.sampled_from([8, 1, divisor, 16]))
    default = draw(st.sampled_from([1.0, 1.0, 0.75, 1.25, 0.5]))
    others = (0.5, 1.0, 1.4) if rule == "divisible" else (0.25, 0.5, 1.0)
    section = {"multiplier": default, "rule": rule}
    if rule == "divisible":
        section.update(divisor=divisor, min=minimum)
    else:
        section.update(min=minimum)
    section = {key: value for key, value in section.items() if draw(st.booleans()) or key == "rule"}
    if "multiplier" not in section:
        default = 1.0
    widths = Widths(rule, section.get("divisor", 8), section.get("min", 8))
    return widths, tuple(dict.fromkeys((default, *others))), section


def _reported(draw, has_fc: bool, width_grid, resolutions) -> list[dict]:
    figures = st.sampled_from(["569M", "4.2M", "0.39G", "1200", "12.50K", "7T", 3000, "1.0M"])
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        r: dict[str, Any] = {"source": draw(st.sampled_from(["paper, Table 2", "README", "my log: 2026"]))}
        for key, values in (("width", list(width_grid)), ("resolution", list(resolutions)),
                            ("depth", [1.0, 1.5]), ("macs", None), ("params", None), ("top1", [71.5, 100, 0.1]),
                            ("top5", [90.0]), ("convention", ["paper", "torch", "weights", "checkpoint"]),
                            ("counts", ["macs", "flops", "conv-macs"]), ("rounding", ["nearest", "down", "up"]),
                            ("macs_printed_to", ["100M", "1M"]), ("params_printed_to", ["0.1M"])):
            if draw(st.booleans()):
                r[key] = draw(figures if values is None else st.sampled_from(values))
        if has_fc and draw(st.booleans()):
            r["classes"] = draw(st.sampled_from([1001, 10, 1]))
        if draw(st.floats(0, 1)) < 0.2:
            r["unexplained"] = draw(st.sampled_from([["macs"], ["params"], ["macs", "params"], "macs"]))
            r["note"] = "what was tried"
        elif draw(st.booleans()):
            r["note"] = "as printed"
        entries.append(r)
    return entries


def _has(entries, kind: str) -> bool:
    for e in entries:
        if e["type"] == kind or any(_has(b, kind) for b in e.get("branches", ())):
            return True
    return False


@st.composite
def generated_specs(draw, max_stages: int = 4) -> Generated:
    """A valid spec at every width of its grid and every resolution of its list, as YAML text."""
    widths, width_grid, width_section = _width_plan(draw)
    resolution = draw(st.sampled_from([8, 12, 16, 24, 32, 7, 9, 15, 17, 33, 64, 5, 2]))
    resolutions = tuple(dict.fromkeys((resolution, resolution + 1, resolution + 5, 2 * resolution)))
    channels = draw(st.sampled_from([3, 3, 1, 4, 8, 16]))
    depth_rule = draw(st.sampled_from(["ceil", "ceil", "stage_round", "none"]))
    builder = Builder(draw, widths, width_grid, resolutions)
    tensors = [(channels, r) for _ in width_grid for r in resolutions]
    stage_names = draw(st.lists(st.text(NAME_CHARS, min_size=1, max_size=8), min_size=max_stages + 1,
                                max_size=max_stages + 1, unique=True))
    count = draw(st.integers(1, max_stages))
    pooled = draw(st.floats(0, 1)) < 0.5
    stages = []
    for i in range(count):
        scaled = depth_rule != "none" and draw(st.floats(0, 1)) < 0.5 or (depth_rule == "none" and i == 1)
        stage, tensors = builder.stage(tensors, stage_names[i], scaled, head=False)
        stages.append(stage)
    if pooled:
        stage, tensors = builder.stage(tensors, stage_names[count], False, head=True)
        stages.append(stage)
    scaled_stages = any(s.get("depth_scaling") == "scaled" for s in stages)
    data: dict[str, Any] = {"version": 1, "name": draw(st.sampled_from(["Net", "TinyMix", "1:20", "yes", "ネット"]))}
    for key, values in (("family", ["MixNet", "mine"]), ("description", ["a test"]), ("source", ["notes"])):
        if draw(st.booleans()):
            data[key] = draw(st.sampled_from(values))
    data["input"] = {"resolution": resolution} if channels == 3 and draw(st.booleans()) else \
        {"channels": channels, "resolution": resolution}
    if width_section != {"rule": "divisible"} or draw(st.booleans()):  # (that one is the default)
        data["width"] = width_section
    depth_default = 1.0
    if depth_rule != "ceil" or draw(st.booleans()):
        data["depth"] = {"rule": depth_rule}
        if scaled_stages and depth_rule != "none" and draw(st.booleans()):
            depth_default = draw(st.sampled_from([1.2, 0.8, 2.0]))
            data["depth"]["multiplier"] = depth_default
    data["body"] = stages
    reported = _reported(draw, any(_has(s["blocks"], "fc") for s in stages), width_grid, resolutions)
    if reported:
        data["reported"] = reported
    flow = draw(st.sampled_from([False, None]))
    if depth_default != 1.0 and not all(buildable(data, widths, a, r, depth_default)
                                        for a in width_grid for r in resolutions):
        data["depth"].pop("multiplier")  # the builder planned the repeats as written: depth 1 builds
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=120)
    COUNTS["specs generated"] += 1
    return Generated(text, data, widths, width_grid, resolutions, depth_rule, scaled_stages, pooled)
