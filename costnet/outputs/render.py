"""Renderers: an Analysis in, text out. The registry `FORMATS` gives the CLI its `--format` choices.

The JSON form is a stable, documented contract (docs/output.md): exact integers, shapes as
{channels, height, width}, the dataflow, and the counting convention and memory model spelled out. It is
written in chunks, so that a network of a million layers never sits in memory as one document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from ..analysis.analyzer import Analysis, LayerResult
from ..analysis.conventions import DEFAULT_CONVENTION, MACS_NOT_COUNTED
from ..analysis.memory import DEFAULT_MEMORY_MODEL, MEMORY_MODELS
from ..analysis.published import FigureCheck, check
from ..graph.formulas import Shape
from ..graph.layers import LAYER_TYPES
from ..graph.network import INPUT, Reported
from ..units import format_count, format_memory, printable
from .jsonout import dumps
from .textable import format_table

JSON_SCHEMA_VERSION = 2
GROUPINGS = ("stage", "block")


@dataclass(frozen=True)
class View:
    """How much of an analysis a person wants to see: every layer, subtotals per stage or block, or the
    layers that cost most; and which memory model the memory column follows."""

    group_by: str | None = None  # "stage" or "block"
    top: int | None = None  # the N layers with the most MACs
    memory_model: str = DEFAULT_MEMORY_MODEL


def _share(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _arrow(layer: LayerResult) -> str:
    return f"{layer.input_shape} → {layer.output_shape}"


def _variant(a: Analysis) -> str:
    s = a.scaling
    if s is None:
        return f"input {a.input}"
    depth = f" · depth {s.depth:g}" if s.depth != 1 else ""
    return f"input {a.input} · width {s.width:g} · resolution {s.resolution}{depth}"


def _count(n: int) -> str:
    return format_count(n) if n else ""


_LAYER_HEADERS = ["layer", "type", "input → output", "kernel", "MACs", "params", "activations", "memory", "% MACs"]
_LAYER_ALIGN = "llllrrrrr"
_GROUP_HEADERS = ["{group}", "layers", "output", "MACs", "params", "activations", "peak memory", "% MACs"]
_GROUP_ALIGN = "lrlrrrrr"


def _layer_row(a: Analysis, layer: LayerResult, model: str) -> list[str]:
    return [printable(layer.name), layer.type, _arrow(layer), layer.detail, _count(layer.macs), _count(layer.params),
            _count(layer.activations), format_memory(layer.live[model] * a.bytes_per_element),
            f"{_share(layer.macs, a.totals.macs):.2f}" if layer.macs else ""]


def _group_of(layer: LayerResult, grouping: str) -> str:
    scope = layer.scope or (layer.name,)
    return scope[0] if grouping == "stage" or len(scope) == 1 else scope[1]


def _groups(a: Analysis, grouping: str) -> list[tuple[str, list[LayerResult]]]:
    groups: dict[str, list[LayerResult]] = {}
    for layer in a.layers:
        groups.setdefault(_group_of(layer, grouping), []).append(layer)
    return list(groups.items())


def _group_rows(a: Analysis, groups: list[tuple[str, list[LayerResult]]], model: str) -> list[list[str]]:
    rows = []
    for name, layers in groups:
        macs = sum(l.macs for l in layers)
        rows.append([printable(name), str(len(layers)), str(layers[-1].output_shape), _count(macs),
                     _count(sum(l.params for l in layers)), _count(sum(l.activations for l in layers)),
                     format_memory(max(l.live[model] for l in layers) * a.bytes_per_element),
                     f"{_share(macs, a.totals.macs):.2f}" if macs else ""])
    return rows


def _table(a: Analysis, view: View) -> tuple[list[str], list[list[str]], str]:
    """Headers, rows (with a total row) and alignment of the table a view asks for."""
    model, t = view.memory_model, a.totals
    peak = format_memory(a.peaks[model].bytes)
    if view.group_by:
        groups = _groups(a, view.group_by)
        chosen = sorted(groups, key=lambda g: -sum(l.macs for l in g[1]))[:view.top] if view.top else groups
        rows = _group_rows(a, chosen, model)
        if view.top:
            shown = sum(l.macs for _, layers in chosen for l in layers)
            rows.append([f"top {len(chosen)} of {len(groups)}", "", "", format_count(shown), "", "", "",
                         f"{_share(shown, t.macs):.2f}"])
        rows.append(["total", str(len(a.layers)), "", format_count(t.macs), format_count(t.params),
                     format_count(t.activations), peak, "100.00"])
        return [view.group_by if h == "{group}" else h for h in _GROUP_HEADERS], rows, _GROUP_ALIGN
    layers = a.layers
    if view.top:
        layers = sorted(layers, key=lambda l: -l.macs)[:view.top]
    rows = [_layer_row(a, layer, model) for layer in layers]
    if view.top:
        shown = sum(l.macs for l in layers)
        rows.append([f"top {len(layers)} of {len(a.layers)}", "", "", "", format_count(shown), "", "", "",
                     f"{_share(shown, t.macs):.2f}"])
    rows.append(["total", "", "", "", format_count(t.macs), format_count(t.params), format_count(t.activations),
                 f"peak {peak}", "100.00"])
    return _LAYER_HEADERS, rows, _LAYER_ALIGN


def formula_label(a: Analysis) -> str:
    """The closed form as it is computed for this network's pairs: 1/N + 1/Dk², or with the pointwise groups g
    and the channel-weighted mean square kernel D̄k² where they occur (ShuffleNet, MixConv)."""
    grouped = any(p.pointwise_groups > 1 for p in a.separable)
    mixed = any(len({k for _, k in p.kernel_groups}) > 1 for p in a.separable)
    kernel = "D̄k²" if mixed else "Dk²"
    return f"1/N + 1/(g·{kernel})" if grouped else f"1/N + 1/{kernel}"


def _memory_lines(a: Analysis, view: View) -> list[str]:
    size = a.bytes_per_element
    weights = (f"weights: {a.totals.params:,} params × {size} byte{'s' if size > 1 else ''} ({a.dtype}) = "
               f"{a.weight_bytes:,} bytes ({format_memory(a.weight_bytes)})")
    peaks = []
    for name in sorted(MEMORY_MODELS, key=lambda m: m != view.memory_model):
        peak = a.peaks[name]
        where = f" at {printable(peak.layer)}" if peak.layer else ""
        peaks.append(f"{name} {peak.bytes:,} bytes ({format_memory(peak.bytes)}){where}")
    return [weights, f"peak activation memory ({a.dtype}): " + "; ".join(peaks),
            "memory: " + "; ".join(m.describe() for m in MEMORY_MODELS.values())]


def _summary_lines(a: Analysis, view: View) -> list[str]:
    t = a.totals
    lines = [f"total: {format_count(t.macs)} MACs ({t.macs:,}), {format_count(t.params)} params ({t.params:,}), "
             f"{format_count(t.activations)} activations ({t.activations:,})"]
    lines += _memory_lines(a, view)
    shares = ", ".join(f"{s.kind} {_share(s.macs, t.macs):.1f}%" for s in a.by_type() if s.macs)
    lines.append(f"MACs by type: {shares}")
    if a.separable:
        ratios = [p.ratio for p in a.separable]
        lines.append(
            f"separable pairs: {len(a.separable)}, cost vs standard convolution {min(ratios):.3f}–{max(ratios):.3f} "
            f"(measured from MACs = {formula_label(a)}); as standard convolutions the network would cost "
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
    if a.not_costed:
        lines.append(not_costed_line(a))
    return lines


def not_costed_line(a: Analysis) -> str:
    ops = ", ".join(f"{printable(n.op)} (node {printable(n.node)})" for n in a.not_costed[:NOT_COSTED_SHOWN])
    more = f", and {len(a.not_costed) - NOT_COSTED_SHOWN} more" if len(a.not_costed) > NOT_COSTED_SHOWN else ""
    return (f"NOT COSTED (--allow-unknown): {len(a.not_costed)} operator{'s' if len(a.not_costed) > 1 else ''} "
            f"counted as zero MACs and parameters, so every total above is a lower bound: {ops}{more}")


NOT_COSTED_SHOWN = 10


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


def _header(a: Analysis, view: View) -> str:
    return (f"{printable(a.model)} · {_variant(a)} · convention: {a.convention.name} · {a.dtype} · memory: "
            f"{view.memory_model}")


def _source_label(a: Analysis) -> str:
    return "onnx" if a.scaling is None and a.file.lower().endswith(".onnx") else "spec"


def render_table(a: Analysis, view: View = View()) -> str:
    headers, rows, align = _table(a, view)
    table = format_table(headers, rows, align)
    return (f"{_header(a, view)}\n{_source_label(a)}: {printable(a.file)}\n\n{table}\n\n"
            + "\n".join(_summary_lines(a, view)) + "\n")


def render_markdown(a: Analysis, view: View = View()) -> str:
    from tabulate import tabulate

    headers, rows, align = _table(a, view)
    rows[-1] = [f"**{cell}**" if cell else "" for cell in rows[-1]]
    table = tabulate([[printable(c) for c in row] for row in rows], headers=headers, tablefmt="github",
                     disable_numparse=True, colalign=["left" if c == "l" else "right" for c in align])
    notes = "\n".join(f"- {line}" for line in _summary_lines(a, view))
    return f"## {printable(a.model)}\n\n{_variant(a)} · spec `{printable(a.file)}`\n\n{table}\n\n{notes}\n"


HTML_ROWS = 60  # a notebook shows the first and last of a longer network, and says how many it left out


def render_html(a: Analysis, view: View = View()) -> str:
    """The table for a notebook cell: a caption with the totals, the layers (the first and last of a long
    network), and the conventions."""
    from html import escape

    headers, rows, align = _table(a, view)
    body, total = rows[:-1], rows[-1]
    if len(body) > HTML_ROWS:
        half = HTML_ROWS // 2
        gap = [f"… {len(body) - 2 * half} more layers (to_dict() has them all) …"] + [""] * (len(headers) - 1)
        body = body[:half] + [gap] + body[-half:]

    def row(cells: list[str], tag: str = "td") -> str:
        return "<tr>" + "".join(f'<{tag} style="text-align:{"left" if a_ == "l" else "right"}">{escape(c)}</{tag}>'
                                for c, a_ in zip(cells, align)) + "</tr>"

    t = a.totals
    caption = (f"{escape(a.model)} · {escape(_variant(a))} · {t.macs:,} MACs · {t.params:,} params "
               f"({escape(a.convention.name)}) · peak {a.peaks[view.memory_model].bytes:,} bytes "
               f"({escape(a.dtype)}, {escape(view.memory_model)})")
    notes = "".join(f"<li>{escape(line)}</li>" for line in _summary_lines(a, view)[1:])
    return (f"<table><caption>{caption}</caption><thead>{row(headers, 'th')}</thead><tbody>"
            + "".join(row(r) for r in body) + f"</tbody><tfoot>{row(total)}</tfoot></table><ul>{notes}</ul>")


CSV_COLUMNS = ["name", "type", "inputs", "in_channels", "in_height", "in_width", "out_channels", "out_height",
               "out_width", "detail", "macs", "params", "weights", "biases", "norm_params", "activations",
               "live_bytes_plain", "live_bytes_in_place", "convention", "dtype", "model", "family", "spec", "width",
               "resolution", "depth"]


def render_csv(a: Analysis, view: View = View()) -> Iterator[str]:
    """One row per layer, written as it is formed; `inputs` joins the names of the tensors read with spaces. Every
    row says which network and variant it is of (the scaling is empty for an ONNX graph)."""
    from .csvrows import CsvRows

    rows = CsvRows()
    yield rows.row(CSV_COLUMNS)
    size = a.bytes_per_element
    s = a.scaling
    network = [a.model, a.family, a.file, *((s.width, s.resolution, s.depth) if s else (None, None, None))]
    for l in a.iter_layers():
        i, o = l.input_shape, l.output_shape
        yield rows.row([l.name, l.type, " ".join(l.inputs), i.channels, i.height, i.width, o.channels, o.height,
                        o.width, l.detail, l.macs, l.params, l.weights, l.biases, l.norm_params, l.activations,
                        l.live["plain"] * size, l.live["in-place"] * size, a.convention.name, a.dtype, *network])


def _shape(shape: Shape) -> dict[str, int]:
    return {"channels": shape.channels, "height": shape.height, "width": shape.width}


def _fields(fields: Any) -> dict[str, Any]:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in fields.items()}


def to_json_data(a: Analysis) -> dict[str, Any]:
    """The documented JSON contract (docs/output.md), as a dict."""
    data = _json_head(a)
    data["layers"] = [_json_layer(a, layer) for layer in a.layers]
    data.update(_json_tail(a))
    return data


def _json_head(a: Analysis) -> dict[str, Any]:
    t = a.totals
    s = a.scaling
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "model": a.model,
        "family": a.family,
        "spec": a.file,
        "input": _shape(a.input),
        "scaling": {"width": s.width, "resolution": s.resolution, "depth": s.depth} if s else None,
        "convention": {"name": a.convention.name, "description": a.convention.describe(),
                       "not_counted_as_macs": MACS_NOT_COUNTED},
        "totals": {"macs": t.macs, "params": t.params, "activations": t.activations, "weights": t.weights,
                   "biases": t.biases, "norm_params": t.norm_params, "weight_bytes": a.weight_bytes},
        "memory": {
            "dtype": a.dtype, "bytes_per_element": a.bytes_per_element, "input_tensor": INPUT,
            "models": {m.name: m.rule for m in MEMORY_MODELS.values()},
            "overwriting_types": sorted(name for name, kind in LAYER_TYPES.items() if kind.in_place),
            "peaks": {name: {"bytes": peak.bytes, "layer": peak.layer} for name, peak in a.peaks.items()},
        },
        "by_type": [{"type": s.kind, "macs": s.macs, "params": s.params,
                     "macs_share": round(_share(s.macs, t.macs), 4),
                     "params_share": round(_share(s.params, t.params), 4)} for s in a.by_type()],
    }


def _json_layer(a: Analysis, l: LayerResult) -> dict[str, Any]:
    scope = l.scope or (l.name,)
    return {
        "name": l.name, "type": l.type, "inputs": list(l.inputs), "input_shape": _shape(l.input_shape),
        "input_shapes": [_shape(shape) for shape in l.input_shapes], "output_shape": _shape(l.output_shape),
        "detail": l.detail, "fields": _fields(l.fields), "macs": l.macs, "params": l.params, "weights": l.weights,
        "biases": l.biases, "norm_params": l.norm_params, "activations": l.activations,
        "live_bytes": {model: live * a.bytes_per_element for model, live in zip(MEMORY_MODELS, l.live_elements)},
        "stage": scope[0], "block": scope[1] if len(scope) > 1 else l.name,
        "line": l.origin.line if l.origin and l.origin.line else None,
        "onnx_node": l.origin.node if l.origin and l.origin.node else None,
    }


def _json_tail(a: Analysis) -> dict[str, Any]:
    return {
        "separable": [{
            "depthwise": p.depthwise, "pointwise": p.pointwise, "m": p.m, "n": p.n, "dk": p.dk,
            "kernel_groups": [{"channels": c, "kernel": k} for c, k in p.kernel_groups],
            "pointwise_groups": p.pointwise_groups, "macs": p.macs, "standard_macs": p.standard_macs,
            "params": p.params, "standard_params": p.standard_params, "ratio": p.ratio, "formula": p.formula,
        } for p in a.separable],
        "separable_formula": formula_label(a),
        "standard_network": {"macs": a.standard.macs, "params": a.standard.params},
        "reported": [{
            "source": r.source, "macs": r.macs.text if r.macs else None,
            "params": r.params.text if r.params else None, "top1": r.top1, "top5": r.top5,
            "convention": r.convention, "note": r.note or None,
        } for r in a.reported],
        "not_costed": [{"layer": n.layer, "op": n.op, "onnx_node": n.node} for n in a.not_costed],
    }


def render_json(a: Analysis, view: View = View()) -> Iterator[str]:
    """The contract as one JSON document, written a layer at a time, each layer on one line (which also
    reads well in a diff and in grep)."""
    import json

    head = dumps(_json_head(a)).rstrip()
    yield head[:-1].rstrip() + ',\n  "layers": ['
    for i, layer in enumerate(a.iter_layers()):
        item = json.dumps(_json_layer(a, layer), ensure_ascii=True, allow_nan=False)
        yield ("," if i else "") + "\n    " + item
    tail = dumps(_json_tail(a)).rstrip()
    yield ("\n  ]," if a.graph.nodes else "],") + tail[1:] + "\n"


FORMATS: dict[str, Callable[..., str | Iterable[str]]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}
