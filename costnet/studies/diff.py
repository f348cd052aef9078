"""Layer-by-layer difference of two analyses (two specs, or one spec at two widths or resolutions)."""

from __future__ import annotations

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
    """Layers matched by name, in A's order; a layer only B has comes right after the layer it follows in B."""
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


def _layer_diff(name: str, la: LayerResult | None, lb: LayerResult | None, a: Analysis, b: Analysis,
                model: str) -> LayerDiff:
    types = {layer.type for layer in (la, lb) if layer}
    kind = types.pop() if len(types) == 1 else f"{la.type}→{lb.type}"
    return LayerDiff(
        name, kind,
        la.macs if la else None, lb.macs if lb else None, la.params if la else None, lb.params if lb else None,
        str(la.output_shape) if la else "—", str(lb.output_shape) if lb else "—",
        la.live[model] * a.bytes_per_element if la else None, lb.live[model] * b.bytes_per_element if lb else None,
    )
