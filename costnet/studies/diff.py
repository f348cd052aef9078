"""Layer-by-layer difference of two analyses (two specs, or one spec at two widths or resolutions)."""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.analyzer import Analysis, LayerResult


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

    @property
    def changed(self) -> bool:
        return (self.macs_a, self.params_a, self.shape_a) != (self.macs_b, self.params_b, self.shape_b)


def diff(a: Analysis, b: Analysis) -> tuple[LayerDiff, ...]:
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
    return tuple(_layer_diff(name, by_name_a.get(name), by_name_b.get(name)) for name in names)


def _layer_diff(name: str, la: LayerResult | None, lb: LayerResult | None) -> LayerDiff:
    types = {layer.type for layer in (la, lb) if layer}
    kind = types.pop() if len(types) == 1 else f"{la.type}→{lb.type}"
    return LayerDiff(
        name, kind,
        la.macs if la else None, lb.macs if lb else None, la.params if la else None, lb.params if lb else None,
        str(la.output_shape) if la else "—", str(lb.output_shape) if lb else "—",
    )
