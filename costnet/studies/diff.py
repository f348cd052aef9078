"""Layer-by-layer difference of two analyses (two specs, one spec at two widths or resolutions, a spec and
the ONNX graph of the model, two ONNX graphs)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..analysis.analyzer import Analysis, LayerResult
from ..analysis.memory import DEFAULT_MEMORY_MODEL


@dataclass(frozen=True)
class LayerDiff:
    name: str
    type: str
    macs_a: int | None  # None: the layer is not in that network
    macs_b: int | None
    params_a: int | None
    params_b: int | None
    shape_a: str
    shape_b: str
    live_a: int | None  # bytes alive while the row runs, under the diff's memory model
    live_b: int | None
    name_b: str | None = None  # B's name for the layer, where layers are matched by order and it differs

    @property
    def label(self) -> str:
        return self.name if self.name_b is None else f"{self.name} ~ {self.name_b}"

    @property
    def changed(self) -> bool:
        return ((self.macs_a, self.params_a, self.shape_a, self.live_a)
                != (self.macs_b, self.params_b, self.shape_b, self.live_b))


@dataclass(frozen=True)
class Diff:
    a: Analysis
    b: Analysis
    memory_model: str
    layers: tuple[LayerDiff, ...]
    matched_by: str = "name"  # or "order": A and B name their layers differently (a spec and an ONNX graph)

    @property
    def totals(self) -> dict[str, tuple[int, int]]:
        """quantity → (A, B): MACs, params, activations, weight bytes, peak activation memory."""
        a, b, model = self.a, self.b, self.memory_model
        return {
            "macs": (a.totals.macs, b.totals.macs), "params": (a.totals.params, b.totals.params),
            "activations": (a.totals.activations, b.totals.activations),
            "weight_bytes": (a.weight_bytes, b.weight_bytes),
            "peak_memory": (a.peaks[model].bytes, b.peaks[model].bytes),
        }

    @property
    def differs(self) -> bool:
        return any(d.changed for d in self.layers) or any(x != y for x, y in self.totals.values())


def diff(a: Analysis, b: Analysis, memory_model: str = DEFAULT_MEMORY_MODEL) -> Diff:
    """Layers matched by name, in A's order, a layer only B has right after the layer it follows in B; or,
    when A and B share under half their names (a spec and the ONNX graph of the same network), matched by
    order: the longest common sequence of layer types, the layers outside it shown as only A's or only B's."""
    names_a, names_b = {layer.name for layer in a.layers}, {layer.name for layer in b.layers}
    if 2 * len(names_a & names_b) < min(len(names_a), len(names_b)):
        return Diff(a, b, memory_model, tuple(_by_order(a, b, memory_model)), "order")
    by_name_a = {layer.name: layer for layer in a.layers}
    by_name_b = {layer.name: layer for layer in b.layers}
    only_b_after: dict[str | None, list[str]] = {}  # A's layer (None: the start) → B's new layers after it
    anchor = None
    for layer in b.layers:
        if layer.name in by_name_a:
            anchor = layer.name
        else:
            only_b_after.setdefault(anchor, []).append(layer.name)
    names = list(only_b_after.get(None, []))
    for layer in a.layers:
        names += [layer.name, *only_b_after.get(layer.name, [])]
    layers = tuple(_layer_diff(name, by_name_a.get(name), by_name_b.get(name), a, b, memory_model) for name in names)
    return Diff(a, b, memory_model, layers)


IDENTITIES = ("dropout",)  # rows that are the identity at inference: exporters leave them out


def _by_order(a: Analysis, b: Analysis, model: str):
    la, lb = ([layer for layer in x.layers if layer.type not in IDENTITIES] for x in (a, b))
    # By type alone: a layer that changed width or kernel stays paired with its counterpart, and only a layer
    # that one side has and the other lacks (a missing SE) shifts the rest.
    matcher = difflib.SequenceMatcher(None, [x.type for x in la], [y.type for y in lb], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                yield _layer_diff(la[i].name, la[i], lb[j], a, b, model, paired=True)
            continue
        for i in range(i1, i2):
            yield _layer_diff(la[i].name, la[i], None, a, b, model)
        for j in range(j1, j2):
            yield _layer_diff(lb[j].name, None, lb[j], a, b, model)


def _layer_diff(name: str, la: LayerResult | None, lb: LayerResult | None, a: Analysis, b: Analysis,
                model: str, paired: bool = False) -> LayerDiff:
    types = {layer.type for layer in (la, lb) if layer}
    kind = types.pop() if len(types) == 1 else f"{la.type}→{lb.type}"
    return LayerDiff(
        name, kind,
        la.macs if la else None, lb.macs if lb else None, la.params if la else None, lb.params if lb else None,
        str(la.output_shape) if la else "—", str(lb.output_shape) if lb else "—",
        la.live[model] * a.bytes_per_element if la else None, lb.live[model] * b.bytes_per_element if lb else None,
        lb.name if paired and lb.name != name else None,
    )
