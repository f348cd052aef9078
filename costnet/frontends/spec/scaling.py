"""Width (α), resolution (ρ) and depth scaling: a separate step from a loaded spec to a concrete one.

The spec's own `width`/`depth` sections name the rounding rules and the defaults; the command line may
override the multipliers and the resolution. Scaling is applied once, to the base widths written in the
spec, so `--width 0.5` on MixNet-L (α = 1.3 by default) means α = 0.5 of the MixNet-M widths it is built on.
"""

from __future__ import annotations

import math
from dataclasses import replace

from .blocks import BLOCK_TYPES
from ...errors import UsageError
from ...graph.formulas import make_divisible
from ...graph.layers import LAYER_TYPES
from .nodes import LayerNode, Node, ParallelNode
from ...schema import InputMultiple, TableRef, _shown
from ...limits import MAX_MULTIPLIER, MAX_RESOLUTION, is_finite_number, is_integer
from .spec import Scaling, Spec, WidthRule



def slim_depth(value: float, minimum: int = 8) -> int:
    """TF-slim MobileNetV1's `depth(d) = max(int(d * depth_multiplier), min_depth)`."""
    return max(int(value), minimum)


def scale_channels(channels: int | TableRef | InputMultiple, alpha: float, rule: WidthRule,
                   width_scaling: str = "scaled") -> int | InputMultiple:
    """A width under α; 0 means "not given" (e.g. `expanded: 0` defers to `expand`) and stays 0."""
    if isinstance(channels, TableRef):
        return rule.table[alpha][channels.name]
    if isinstance(channels, InputMultiple):
        return channels  # follows the (scaled) input width when the graph is built
    unscaled = width_scaling == "fixed" or (width_scaling == "grow_only" and alpha < 1)
    if channels == 0 or rule.rule == "table" or alpha == 1 or unscaled:
        return channels
    if rule.rule == "slim":
        return slim_depth(channels * alpha, rule.minimum)
    return make_divisible(channels * alpha, rule.divisor, rule.minimum)


def scale_repeats(repeats: list[int], depth: float, rule: str) -> list[int]:
    """The repeats of one stage's entries under the depth multiplier `depth`.

    ceil: every entry ⌈r·d⌉ (TF's efficientnet_builder `round_repeats`, torchvision's `adjust_depth`).
    stage_round: the stage's total max(1, round(Σr·d)), handed back to its entries from the last, each
    max(1, round(r / remaining · remaining_scaled)) (timm's `_scale_stage_depth` with depth_trunc='round',
    MixNet's rule); Python's round(), halves to even, as timm's.
    """
    if depth == 1 or rule == "none":
        return repeats
    if rule == "ceil":
        return [int(math.ceil(r * depth)) for r in repeats]
    remaining = sum(repeats)
    remaining_scaled = max(1, round(remaining * depth))
    scaled = []
    for r in reversed(repeats):
        share = max(1, round(r / remaining * remaining_scaled))
        scaled.append(share)
        remaining -= r
        remaining_scaled -= share
    return scaled[::-1]


def scale(spec: Spec, width: float | None = None, resolution: int | None = None,
          depth: float | None = None) -> Spec:
    """The spec with its width, resolution and depth fixed; None keeps what `spec` has: the spec's defaults,
    or, for a spec that is already scaled, the values it was scaled to (so scale() composes)."""
    if not isinstance(spec, Spec):
        raise UsageError(f"scale() takes a Spec (from costnet.load or costnet.parse_spec), got {type(spec).__name__}")
    if spec.scaling is not None:
        previous, spec = spec.scaling, spec.unscaled
        width = previous.width if width is None else width
        resolution = previous.resolution if resolution is None else resolution
        depth = previous.depth if depth is None else depth
    alpha = spec.width.multiplier if width is None else width
    depth_multiplier = spec.depth.multiplier if depth is None else depth
    size = spec.input.resolution if resolution is None else resolution
    _check_multiplier("width", alpha, spec.width.rule, spec.name)
    _check_multiplier("depth", depth_multiplier, spec.depth.rule, spec.name)
    _check_table_width(spec, alpha)
    size = check_resolution(size)

    if depth_multiplier != 1 and not any(stage.depth_scaling == "scaled" for stage in spec.stages):
        raise UsageError(f"{spec.name} has no stage that scales with depth (a stage of blocks says "
                         "`depth_scaling: scaled`); only depth 1 is available")

    def node(item: Node) -> Node:
        if isinstance(item, ParallelNode):
            branches = tuple(tuple(node(child) for child in branch) for branch in item.branches)
            return replace(item, branches=branches)
        declared = (LAYER_TYPES if isinstance(item, LayerNode) else BLOCK_TYPES)[item.type].fields
        fields = {
            key: scale_channels(value, alpha, spec.width, item.width_scaling) if declared[key].channels else value
            for key, value in item.fields.items()
        }
        return replace(item, fields=fields)

    def stage_nodes(stage) -> tuple[Node, ...]:
        nodes = [node(n) for n in stage.nodes]
        if stage.depth_scaling != "scaled":
            return tuple(nodes)
        repeats = scale_repeats([n.repeat for n in nodes], depth_multiplier, spec.depth.rule)
        return tuple(replace(n, repeat=r) for n, r in zip(nodes, repeats))

    stages = tuple(replace(stage, nodes=stage_nodes(stage)) for stage in spec.stages)
    return replace(spec, stages=stages, scaling=Scaling(alpha, size, depth_multiplier), unscaled=spec)


def check_resolution(size) -> int:
    """The resolution as an int, or a UsageError: a whole number of pixels from 1 to MAX_RESOLUTION."""
    if not is_integer(size) or not 1 <= size <= MAX_RESOLUTION:
        raise UsageError(f"the resolution must be a whole number of pixels from 1 to {MAX_RESOLUTION:,} "
                         f"(got {size!r})")
    return int(size)


def _check_multiplier(what: str, value: float, rule: str, name: str) -> None:
    if not is_finite_number(value) or not 0 < value <= MAX_MULTIPLIER:
        shown = f"{value:g}" if isinstance(value, float) and is_finite_number(value) else _shown(value)
        raise UsageError(f"the {what} multiplier must be a number above 0, at most {MAX_MULTIPLIER} (got {shown})")
    if rule == "none" and value != 1:
        raise UsageError(f"{name} defines no {what} multiplier (its spec says `{what}: {{rule: none}}`); "
                         f"only {what} 1 is available")


def _check_table_width(spec: Spec, alpha: float) -> None:
    if spec.width.rule == "table" and alpha not in spec.width.table:
        widths = ", ".join(f"{w:g}" for w in sorted(spec.width.table))
        raise UsageError(f"{spec.name} is defined at widths {widths} only (its per-width channel table); "
                         f"got {alpha:g}")
