"""Renderers: an Analysis in, a string out. The registry `FORMATS` gives the CLI its `--format` choices.

The JSON form is a stable, documented contract (docs/output.md): exact integers, shapes as
{channels, height, width}, and the convention spelled out.
"""

from __future__ import annotations

from typing import Any, Callable

from ..analysis.analyzer import Analysis, LayerResult
from ..graph.formulas import Shape
from ..analysis.conventions import DEFAULT_CONVENTION, MACS_NOT_COUNTED
from ..analysis.published import FigureCheck, check
from ..graph.network import Reported
from .jsonout import dumps
from .textable import format_table
from ..units import format_count, printable

JSON_SCHEMA_VERSION = 1


def _share(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _arrow(layer: LayerResult) -> str:
    return f"{layer.input_shape} → {layer.output_shape}"


def _variant(a: Analysis) -> str:
    s = a.scaling
    depth = f" · depth {s.depth:g}" if s.depth != 1 else ""
    return f"input {a.input} · width {s.width:g} · resolution {s.resolution}{depth}"


def _layer_rows(a: Analysis) -> list[list[Any]]:
    rows = []
    for layer in a.layers:
        rows.append([printable(layer.name), layer.type, _arrow(layer), layer.detail,
                     format_count(layer.macs) if layer.macs else "",
                     format_count(layer.params) if layer.params else "",
                     f"{_share(layer.macs, a.totals.macs):.2f}" if layer.macs else ""])
    return rows


_HEADERS = ["layer", "type", "input → output", "kernel", "MACs", "params", "% MACs"]


def _summary_lines(a: Analysis) -> list[str]:
    t = a.totals
    lines = [f"total: {format_count(t.macs)} MACs ({t.macs:,}), {format_count(t.params)} params ({t.params:,}), "
             f"{format_count(t.activations)} activations ({t.activations:,})"]
    shares = ", ".join(f"{s.kind} {_share(s.macs, t.macs):.1f}%" for s in a.by_type() if s.macs)
    lines.append(f"MACs by type: {shares}")
    if a.separable:
        ratios = [p.ratio for p in a.separable]
        lines.append(
            f"separable pairs: {len(a.separable)}, cost vs standard convolution {min(ratios):.3f}–{max(ratios):.3f} "
            f"(measured from MACs = 1/N + 1/Dk²); as standard convolutions the network would cost "
            f"{format_count(a.standard.macs)} MACs, {format_count(a.standard.params)} params "
            f"({a.standard.macs / t.macs:.1f}× the MACs)")
    for r in a.reported:
        figures = [_checked(c, r) for c in check(r, a)]
        figures += [f"{r.top1:.1f}% top-1"] if r.top1 is not None else []
        counted = reported_conventions(r)
        lines.append(f"published ({printable(r.source)}{'; counted as ' + counted if counted else ''}): "
                     f"{', '.join(figures)}")
    lines.append(f"convention: {a.convention.describe()}")
    lines.append(f"not counted as MACs: {MACS_NOT_COUNTED}")
    return lines


def reported_conventions(r: Reported) -> str:
    """How a published entry counts, where it differs from costnet's defaults: "FLOPs, 1001 classes"."""
    parts = {"flops": ["FLOPs (2 per MAC)"], "conv-macs": ["convolutions only"]}.get(r.counts, [])
    parts += [f"{r.classes} classes"] if r.classes is not None else []
    parts += [f"{r.convention} parameters"] if r.convention != DEFAULT_CONVENTION else []
    parts += {"down": ["truncated"], "up": ["rounded up"]}.get(r.rounding, [])
    parts += [f"{q} to the nearest {format_count(int(unit))}" for q, unit in r.printed_to.items()]
    return ", ".join(parts)


def _checked(c: FigureCheck, r: Reported) -> str:
    unit = {"macs": "FLOPs" if r.counts == "flops" else "MACs", "params": "params"}[c.quantity]
    return f"{c.published.text} {unit} (exact {format_count(c.exact)}: {c.verdict})"


def render_table(a: Analysis) -> str:
    rows = _layer_rows(a)
    rows.append(["total", "", "", "", format_count(a.totals.macs), format_count(a.totals.params), "100.00"])
    table = format_table(_HEADERS, rows, "llllrrr")
    header = f"{printable(a.model)} · {_variant(a)} · convention: {a.convention.name}\nspec: {printable(a.file)}\n"
    return header + "\n" + table + "\n\n" + "\n".join(_summary_lines(a)) + "\n"


def render_markdown(a: Analysis) -> str:
    from tabulate import tabulate

    rows = _layer_rows(a)
    rows.append(["**total**", "", "", "", f"**{format_count(a.totals.macs)}**",
                 f"**{format_count(a.totals.params)}**", "100.00"])
    table = tabulate(rows, headers=_HEADERS, tablefmt="github", disable_numparse=True,
                     colalign=("left", "left", "left", "left", "right", "right", "right"))
    notes = "\n".join(f"- {line}" for line in _summary_lines(a))
    return f"## {printable(a.model)}\n\n{_variant(a)} · spec `{printable(a.file)}`\n\n{table}\n\n{notes}\n"


CSV_COLUMNS = ["name", "type", "in_channels", "in_height", "in_width", "out_channels", "out_height", "out_width",
               "detail", "macs", "params", "weights", "biases", "norm_params", "activations", "convention"]


def render_csv(a: Analysis) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for l in a.layers:
        i, o = l.input_shape, l.output_shape
        writer.writerow([l.name, l.type, i.channels, i.height, i.width, o.channels, o.height, o.width, l.detail,
                         l.macs, l.params, l.weights, l.biases, l.norm_params, l.activations, a.convention.name])
    return out.getvalue()


def _shape(shape: Shape) -> dict[str, int]:
    return {"channels": shape.channels, "height": shape.height, "width": shape.width}


def _fields(fields: Any) -> dict[str, Any]:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in fields.items()}


def to_json_data(a: Analysis) -> dict[str, Any]:
    """The documented JSON contract (docs/output.md)."""
    t = a.totals
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "model": a.model,
        "family": a.family,
        "spec": a.file,
        "input": _shape(a.input),
        "scaling": {"width": a.scaling.width, "resolution": a.scaling.resolution, "depth": a.scaling.depth},
        "convention": {"name": a.convention.name, "description": a.convention.describe(),
                       "not_counted_as_macs": MACS_NOT_COUNTED},
        "totals": {"macs": t.macs, "params": t.params, "activations": t.activations, "weights": t.weights,
                   "biases": t.biases, "norm_params": t.norm_params},
        "by_type": [{"type": s.kind, "macs": s.macs, "params": s.params,
                     "macs_share": round(_share(s.macs, t.macs), 4),
                     "params_share": round(_share(s.params, t.params), 4)} for s in a.by_type()],
        "layers": [{
            "name": l.name, "type": l.type, "input_shape": _shape(l.input_shape),
            "output_shape": _shape(l.output_shape), "detail": l.detail, "fields": _fields(l.fields),
            "macs": l.macs, "params": l.params, "weights": l.weights, "biases": l.biases, "norm_params": l.norm_params,
            "activations": l.activations, "line": l.origin.line if l.origin else None,
        } for l in a.layers],
        "separable": [{
            "depthwise": p.depthwise, "pointwise": p.pointwise, "m": p.m, "n": p.n, "dk": p.dk,
            "kernel_groups": [{"channels": c, "kernel": k} for c, k in p.kernel_groups],
            "pointwise_groups": p.pointwise_groups, "macs": p.macs, "standard_macs": p.standard_macs,
            "params": p.params, "standard_params": p.standard_params, "ratio": p.ratio, "formula": p.formula,
        } for p in a.separable],
        "standard_network": {"macs": a.standard.macs, "params": a.standard.params},
        "reported": [{
            "source": r.source, "macs": r.macs.text if r.macs else None,
            "params": r.params.text if r.params else None, "top1": r.top1, "top5": r.top5,
            "convention": r.convention, "note": r.note or None,
        } for r in a.reported],
    }


def render_json(a: Analysis) -> str:
    return dumps(to_json_data(a))


FORMATS: dict[str, Callable[[Analysis], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}
