"""Layer-by-layer difference of two analyses (two specs, or one spec at two widths or resolutions)."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import Analysis


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
    """Layers matched by name, in A's order with B's extra layers after the A layer they follow."""
    by_name_a = {l.name: l for l in a.layers}
    by_name_b = {l.name: l for l in b.layers}
    order: list[str] = []
    seen: set[str] = set()
    b_names = [l.name for l in b.layers]
    for layer in a.layers:
        order.append(layer.name)
        seen.add(layer.name)
    insert_at = {}
    previous = None
    for name in b_names:
        if name not in seen:
            insert_at.setdefault(previous, []).append(name)
        previous = name if name in seen else previous
    merged: list[str] = list(insert_at.get(None, []))
    for name in order:
        merged.append(name)
        merged.extend(insert_at.get(name, []))
    rows = []
    for name in merged:
        la, lb = by_name_a.get(name), by_name_b.get(name)
        rows.append(LayerDiff(
            name, (la or lb).type,
            la.macs if la else None, lb.macs if lb else None, la.params if la else None, lb.params if lb else None,
            str(la.output_shape) if la else "—", str(lb.output_shape) if lb else "—",
        ))
    return tuple(rows)
