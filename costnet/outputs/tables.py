"""The papers' tables as data: each kind is a pure function from an analysis to a `Table`.

A `Table` holds raw values (exact integers, ratios, shares in percent); how they look is the renderer's
business (`costnet.tablerender`). `TABLE_KINDS` is the registry the CLI's `--kind` choices come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..graph import formulas as f
from ..analysis.analyzer import Analysis, LayerResult
from .render import formula_label


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | count (readable units) | share (percent) | ratio


@dataclass(frozen=True)
class Table:
    kind: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Any], ...]
    notes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. the separable table's `network`


# ---- architecture (MobileNet Table 1) ------------------------------------------------------------------

_ARCH_TYPES = {"conv": "Conv", "pwconv": "Conv", "dwconv": "Conv dw", "fc": "FC", "se": "SE"}


def _arch_type(layer: LayerResult) -> str | None:
    fields = layer.fields
    if layer.type == "dwconv" and len(fields["kernel"]) > 1:
        name = "MixConv dw"
    elif layer.type in ("pool", "global_pool", "adaptive_pool"):
        name = "Max Pool" if fields.get("mode") == "max" else "Avg Pool"
    else:
        name = _ARCH_TYPES.get(layer.type)
    if name is None:
        return None
    stride = fields.get("stride") or fields.get("kernel", 1) if layer.type == "pool" else fields.get("stride", 1)
    return f"{name} / s{stride}"


def _filter_shape(layer: LayerResult) -> str:
    i, o, fields = layer.input_shape, layer.output_shape, layer.fields
    if layer.type == "conv":
        k = fields["kernel"]
        return f"{k} × {k} × {i.channels // fields['groups']} × {o.channels}"
    if layer.type == "pwconv":
        groups = f" (g{fields['groups']})" if fields["groups"] > 1 else ""
        return f"1 × 1 × {i.channels} × {o.channels}{groups}"
    if layer.type == "dwconv":
        kernels = fields["kernel"]
        if len(kernels) == 1:
            return f"{kernels[0]} × {kernels[0]} × {i.channels} dw"
        return f"[{', '.join(f'{k}×{k}' for k in kernels)}] × {i.channels} dw"
    if layer.type == "fc":
        return f"{i.channels} × {o.channels}"
    if layer.type == "se":
        return layer.detail
    return f"Pool {i.height // o.height if layer.type != 'pool' else fields['kernel']} × " \
           f"{i.width // o.width if layer.type != 'pool' else fields['kernel']}"


def _block_of(name: str) -> str:
    return name.rsplit(".", 1)[0]


def architecture(a: Analysis) -> Table:
    rows: list[dict[str, Any]] = []
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for layer in a.layers:
        kind = _arch_type(layer)
        if kind is None:
            continue
        i = layer.input_shape
        row = {"type": kind, "filter": _filter_shape(layer), "input": f"{i.height} × {i.width} × {i.channels}",
               "layer": layer.name}
        block = _block_of(layer.name) if layer.type in ("dwconv", "pwconv", "se") else layer.name
        if groups and groups[-1][0] == block:
            groups[-1][1].append(row)
        else:
            groups.append((block, [row]))
    signature = lambda group: [(r["type"], r["filter"], r["input"]) for r in group[1]]
    index = 0
    while index < len(groups):
        run = 1
        while index + run < len(groups) and signature(groups[index + run]) == signature(groups[index]):
            run += 1
        for row in groups[index][1]:
            rows.append({**row, "repeat": run, "type": f"{run}× {row['type']}" if run > 1 else row["type"]})
        index += run
    return Table(
        "architecture", f"{a.model} body architecture",
        (Column("type", "Type / Stride"), Column("filter", "Filter Shape"), Column("input", "Input Size")),
        tuple(rows),
        ("Identical consecutive blocks are folded as the paper folds them (n×). Batch norm and activations "
         "follow every convolution and are not listed.",),
    )


# ---- resource per layer type (MobileNet Table 2) ------------------------------------------------------

def layer_types(a: Analysis) -> Table:
    t = a.totals
    rows = tuple({"type": s.kind, "macs": s.macs, "macs_share": 100 * s.macs / t.macs if t.macs else 0.0,
                  "params": s.params, "params_share": 100 * s.params / t.params if t.params else 0.0}
                 for s in a.by_type())
    return Table(
        "types", f"{a.model}: resource per layer type",
        (Column("type", "Type"), Column("macs", "MACs", "count"), Column("macs_share", "MACs %", "share"),
         Column("params", "Parameters", "count"), Column("params_share", "Parameters %", "share")),
        rows, (f"convention: {a.convention.describe()}",),
    )


# ---- separable versus full convolution (MobileNet section 3.1 and Table 4) ----------------------------

def separable(a: Analysis) -> Table:
    rows = tuple({
        "depthwise": p.depthwise, "pointwise": p.pointwise, "m": p.m, "n": p.n, "dk": p.dk,
        "pointwise_groups": p.pointwise_groups, "macs": p.macs, "standard_macs": p.standard_macs,
        "ratio": p.ratio, "formula": p.formula,
    } for p in a.separable)
    network = {"macs": a.totals.macs, "params": a.totals.params, "standard_macs": a.standard.macs,
               "standard_params": a.standard.params}
    if not a.separable:
        notes: tuple[str, ...] = (f"{a.model} has no depthwise separable pair (a depthwise convolution followed "
                                  "by a 1×1 convolution that keeps its size): nothing to compare.",)
    else:
        notes = _separable_notes(a)
    return Table(
        "separable", f"{a.model}: depthwise separable versus full convolution",
        (Column("depthwise", "Depthwise"), Column("pointwise", "Pointwise"), Column("m", "M"), Column("n", "N"),
         Column("dk", "Dk"), Column("pointwise_groups", "g"), Column("macs", "MACs", "count"),
         Column("standard_macs", "Full conv MACs", "count"), Column("ratio", "Ratio", "ratio"),
         Column("formula", formula_label(a), "ratio")),
        rows, notes, {"network": network},
    )


def _separable_notes(a: Analysis) -> tuple[str, ...]:
    return (
        "ratio = (depthwise + pointwise MACs) / MACs of the full convolution they replace; formula = "
        "1/N + 1/(g·D̄k²), D̄k² the channel-weighted mean squared kernel (1/N + 1/Dk² for one kernel size, g = 1).",
        f"The whole network with every separable pair replaced by a full convolution: {a.standard.macs:,} MACs "
        f"and {a.standard.params:,} parameters, against {a.totals.macs:,} and {a.totals.params:,} "
        f"({a.standard.macs / a.totals.macs:.1f}× the MACs).",  # (a pair has MACs: the totals are not 0)
        "g: the pointwise convolution's groups.",
    )


# ---- one layer, step by step (MobileNet Table 3) ------------------------------------------------------

@dataclass(frozen=True)
class LayerSpec:
    """D_K, M, N, D_F of MobileNet's section 3: kernel, input and output channels, feature-map size."""

    dk: int
    m: int
    n: int
    df: int


def layer_modifications(layer: LayerSpec, alpha: float, rho: float) -> Table:
    """Convolution → depthwise separable → width multiplier α → resolution multiplier ρ, each on top of the last."""
    def conv(dk: int, m: int, n: int, df: int) -> tuple[int, int]:
        return f.conv_macs(m, n, dk, 1, df * df), f.conv_weights(m, n, dk)

    def sep(dk: int, m: int, n: int, df: int) -> tuple[int, int]:
        macs = f.conv_macs(m, m, dk, m, df * df) + f.conv_macs(m, n, 1, 1, df * df)
        return macs, f.conv_weights(m, m, dk, m) + f.conv_weights(m, n, 1)

    m_a, n_a = round(alpha * layer.m), round(alpha * layer.n)
    df_r = round(rho * layer.df)
    steps = [
        ("Convolution", conv(layer.dk, layer.m, layer.n, layer.df), (layer.m, layer.n, layer.df)),
        ("Depthwise Separable Conv", sep(layer.dk, layer.m, layer.n, layer.df), (layer.m, layer.n, layer.df)),
        (f"α = {alpha:g}", sep(layer.dk, m_a, n_a, layer.df), (m_a, n_a, layer.df)),
        (f"ρ = {rho:g}", sep(layer.dk, m_a, n_a, df_r), (m_a, n_a, df_r)),
    ]
    rows = tuple({"step": name, "m": m, "n": n, "df": df, "macs": macs, "params": params}
                 for name, (macs, params), (m, n, df) in steps)
    return Table(
        "layer-modifications",
        f"Modifications of one layer: D_K = {layer.dk}, M = {layer.m}, N = {layer.n}, D_F = {layer.df}",
        (Column("step", "Layer / Modification"), Column("m", "M"), Column("n", "N"), Column("df", "D_F"),
         Column("macs", "MACs", "count"), Column("params", "Parameters", "count")),
        rows, (f"αM and αN are rounded to the nearest integer ({m_a}, {n_a}); ρD_F to {df_r}.",),
    )


def layer_spec_of(a: Analysis, name: str) -> LayerSpec:
    """D_K, M, N, D_F of a named convolution of an analysed network (a depthwise layer stands for its pair)."""
    for pair in a.separable:
        if name in (pair.depthwise, pair.pointwise):
            kernels = {k for _, k in pair.kernel_groups}
            if len(kernels) > 1:
                raise ValueError(f"{name} mixes kernel sizes {sorted(kernels)}; Table 3 needs one D_K")
            return LayerSpec(kernels.pop(), pair.m, pair.n, pair.output.height)
    for layer in a.layers:
        if layer.name == name and layer.type in ("conv", "pwconv"):
            return LayerSpec(layer.fields.get("kernel", 1), layer.input_shape.channels,
                             layer.output_shape.channels, layer.output_shape.height)
    names = [p.depthwise for p in a.separable] + [l.name for l in a.layers if l.type == "conv"]
    raise ValueError(f"no convolution named {name!r}; try one of: {', '.join(names[:8])}, …")


TABLE_KINDS: dict[str, Callable[[Analysis], Table]] = {
    "architecture": architecture,
    "types": layer_types,
    "separable": separable,
}
ALL_KINDS = (*TABLE_KINDS, "layer-modifications")
