"""A `studies.verify.Verification` as text or JSON. `VERIFY_FORMATS` is the registry."""

from __future__ import annotations

from typing import Any, Callable

from ..studies.verify import ASPECTS, Layer, Verification
from ..units import printable
from .jsonout import dumps
from .textable import format_table

VERIFY_SCHEMA_VERSION = 1
LABELS = {"kind": "kind", "kernel": "kernel", "stride": "stride", "dilation": "dilation",
          "groups": "groups (MixConv: split)", "input": "input",
          "output": "output", "macs": "MACs", "weights": "weights", "biases": "biases",
          "norm_params": "batch-norm params"}
COMPARED = ("convolutions, fully connected, squeeze-and-excitation and transposed-convolution layers; their "
            "kind, kernels, stride, dilation, groups, input and output shapes, MACs, weights, biases and "
            "batch-norm parameters")


def _value(aspect: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return ",".join(map(str, value)) if aspect == "kernel" else "/".join(map(str, value))
    return f"{value:,}" if isinstance(value, int) else str(value)


def _sides(v: Verification) -> list[str]:
    s = v.spec.scaling
    variant = f"width {s.width:g}, resolution {s.resolution}" + (f", depth {s.depth:g}" if s.depth != 1 else "") \
        if s else f"input {v.spec.input}"
    return [f"spec: {printable(v.spec.model)} ({printable(v.spec.file)}) {variant}",
            f"onnx: {printable(v.onnx.file)}, input {v.onnx.input}"]


def _layer_line(side: str, layer: Layer | None, count: int) -> list[str]:
    if layer is None:
        return [side, f"(no more: its {count} end here)", ""]
    return [side, printable(layer.name), printable(layer.where)]


def summary(v: Verification) -> str:
    if v.passed:
        folded = (f" ({v.folded} with the batch norm folded into the convolution in the ONNX graph: its bias "
                  "stands for γ and β)") if v.folded else ""
        return f"verified: all {v.compared} layers agree{folded}"
    if v.difference is None:
        return f"DIFFERS: the inputs differ (spec {v.input_difference[0]}, onnx {v.input_difference[1]})"
    d = v.difference
    where = d.spec.name if d.spec else d.onnx.name
    what = ", ".join(LABELS[a] for a, _, _ in d.aspects) or "one side has no such layer"
    return f"DIFFERS at layer {d.index + 1} ({printable(where)}): {what}; the {v.compared} before agree"


def render_text(v: Verification) -> str:
    lines = _sides(v) + [""]
    if v.input_difference:
        lines.append(f"the inputs differ: spec {v.input_difference[0]}, onnx {v.input_difference[1]} "
                     "(--resolution sets the spec's, --input-shape the ONNX graph's)")
    if v.difference is None:
        lines += [f"compared, in order: {COMPARED}", summary(v)]
        return "\n".join(lines) + "\n"
    d = v.difference
    lines.append(f"layer {d.index + 1} of {v.total_spec} in the spec, {v.total_onnx} in the ONNX graph; "
                 f"the {v.compared} before it agree")
    lines.append(format_table(["", "layer", "where"], [_layer_line("spec", d.spec, v.total_spec),
                                                        _layer_line("onnx", d.onnx, v.total_onnx)], "lll"))
    if d.spec is not None and d.onnx is not None:
        rows = [[LABELS[aspect], _value(aspect, d.spec.facts[aspect]), _value(aspect, d.onnx.facts[aspect]),
                 "≠" if d.spec.facts[aspect] != d.onnx.facts[aspect] else ""] for aspect in ASPECTS]
        lines += ["", format_table(["", "spec", "onnx", ""], rows, "lrrl")]
        if d.spec.facts["kind"] != d.onnx.facts["kind"]:
            lines.append("a layer is missing on one side, or extra on the other, here")
    lines += ["", f"compared, in order: {COMPARED}", summary(v)]
    return "\n".join(lines) + "\n"


def _json_layer(layer: Layer | None) -> dict[str, Any] | None:
    if layer is None:
        return None
    return {"name": layer.name, "where": layer.where,
            "facts": {k: list(v) if isinstance(v, tuple) else v for k, v in layer.facts.items() if k in ASPECTS}}


def render_json(v: Verification) -> str:
    d = v.difference
    s = v.spec.scaling
    return dumps({
        "schema_version": VERIFY_SCHEMA_VERSION, "passed": v.passed,
        "spec": {"model": v.spec.model, "file": v.spec.file, "input": str(v.spec.input),
                 "scaling": {"width": s.width, "resolution": s.resolution, "depth": s.depth} if s else None},
        "onnx": {"file": v.onnx.file, "input": str(v.onnx.input)},
        "layers": {"spec": v.total_spec, "onnx": v.total_onnx, "agreeing": v.compared,
                   "batch_norms_folded": v.folded},
        "input_difference": list(v.input_difference) if v.input_difference else None,
        "difference": None if d is None else {
            "index": d.index, "spec": _json_layer(d.spec), "onnx": _json_layer(d.onnx),
            "aspects": [{"aspect": a, "spec": list(x) if isinstance(x, tuple) else x,
                         "onnx": list(y) if isinstance(y, tuple) else y} for a, x, y in d.aspects],
        },
        "summary": summary(v),
    })


VERIFY_FORMATS: dict[str, Callable[[Verification], str]] = {"table": render_text, "json": render_json}
