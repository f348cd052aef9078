"""Where to put a label next to each point so that labels cover neither each other, the markers, nor the
lines: a deterministic greedy search in display coordinates, without matplotlib.

Each label, in turn, tries a fixed list of positions around its point (eight directions, on rings further
and further out) and keeps the one that costs least: overlap with labels already placed and with markers
costs most, then leaving the plotting area, then crossing a line, then distance from the point. The same
input always gives the same positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display units (pixels), y upwards
Segment = tuple[tuple[float, float], tuple[float, float]]

# Directions (degrees, anticlockwise from the right) in order of preference: right, above right, below right,
# left, above left, below left, above, below. Right comes first because a reader scans a label after the point
# it names. Rings far out try the directions in between too, where neighbours leave gaps.
DIRECTIONS = (0, 45, -45, 180, 135, -135, 90, -90)
BETWEEN = (22.5, -22.5, 157.5, -157.5, 67.5, -67.5, 112.5, -112.5)
RINGS = (0.4, 1.6, 3.0, 4.6, 6.4)  # distance beyond the point's own marker, in multiples of the gap
LEADER_FROM_RING = 2  # a label this far out gets a leader line to its point, which must not cross labels

OVERLAP_WEIGHT = 1000.0  # per square pixel covered of another label or a marker
OUTSIDE_WEIGHT = 1000.0  # per square pixel outside the plotting area, over the ticks: as bad as an overlap
LINE_WEIGHT = 10.0  # per pixel of line crossing the label
LEADER_COST = 250.0  # a leader line is worth a line crossing a short label, not more
LEADER_WEIGHT = 80.0  # per pixel of the label's own leader line crossing another label
DISTANCE_WEIGHT = 2.0  # per pixel of distance from the point
PREFERENCE_WEIGHT = 0.25  # per place down the list of directions: breaks ties deterministically


@dataclass(frozen=True)
class Placement:
    box: Box
    ring: int  # 0: next to its point; from LEADER_FROM_RING on, far enough to want a leader line
    cost: float  # lower is better; a free spot next to the point costs only its distance

    @property
    def center(self) -> tuple[float, float]:
        return _center(self.box)

    @property
    def leader(self) -> bool:
        return self.ring >= LEADER_FROM_RING


def box_at(anchor: tuple[float, float], size: tuple[float, float], degrees: float, distance: float) -> Box:
    """The box of a label of `size` in the direction `degrees` from `anchor`, outside the square of half-side
    `distance` around it (a marker is a square obstacle, so a diagonal label clears it by its corner)."""
    (x, y), (w, h) = anchor, size
    dx, dy = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    dx, dy = dx / max(abs(dx), abs(dy)), dy / max(abs(dx), abs(dy))
    cx, cy = x + dx * (distance + w / 2), y + dy * (distance + h / 2)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def outside(box: Box, bounds: Box) -> float:
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - overlap(box, bounds)


def length_inside(segment: Segment, box: Box) -> float:
    """How much of a segment runs through a box (Liang–Barsky clipping)."""
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return 0.0
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return 0.0
    return (high - low) * (dx * dx + dy * dy) ** 0.5


def place_labels(anchors: Sequence[tuple[float, float]], sizes: Sequence[tuple[float, float]],
                 clearances: Sequence[float], gap: float, obstacles: Sequence[Box] = (),
                 segments: Sequence[Segment] = (), bounds: Box | None = None) -> list[Placement]:
    """One placement per anchor, in the anchors' order; a label keeps `clearances[i]` (its marker's half-size)
    away from its anchor, and further rings are `gap` apart.

    The most crowded anchors choose first, so that a label in a cluster gets the free spots and one standing
    alone can go anywhere. A second pass lets every label choose again knowing where all the others went: a
    label placed early cannot see the ones after it."""
    order = _crowded_first(anchors, gap * 8)
    placements: dict[int, Placement] = {}
    for _ in range(2):
        for i in order:
            others = [p for j, p in placements.items() if j != i]
            lines = list(segments) + [(anchors[j], p.center) for j, p in placements.items() if j != i and p.leader]
            placements[i] = _best(anchors[i], sizes[i], clearances[i], gap, [p.box for p in others], obstacles,
                                  lines, bounds)
    return [placements[i] for i in range(len(anchors))]


def _best(anchor, size, clearance: float, gap: float, labels: Sequence[Box], obstacles: Sequence[Box],
          lines: Sequence[Segment], bounds: Box | None) -> Placement:
    best: Placement | None = None
    for ring, factor in enumerate(RINGS):
        for rank, direction in enumerate(DIRECTIONS + (BETWEEN if ring >= LEADER_FROM_RING else ())):
            box = box_at(anchor, size, direction, clearance + gap * factor)
            cost = (OVERLAP_WEIGHT * (sum(overlap(box, other) for other in labels)
                                      + sum(overlap(box, other) for other in obstacles))
                    + (OUTSIDE_WEIGHT * outside(box, bounds) if bounds else 0.0)
                    + LINE_WEIGHT * sum(length_inside(s, box) for s in lines)
                    + DISTANCE_WEIGHT * gap * factor + PREFERENCE_WEIGHT * rank)
            if ring >= LEADER_FROM_RING:
                leader = (anchor, _center(box))
                cost += LEADER_COST + LEADER_WEIGHT * sum(length_inside(leader, other) for other in labels)
            if best is None or cost < best.cost:
                best = Placement(box, ring, cost)
    return best  # type: ignore[return-value]


def _center(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _crowded_first(anchors: Sequence[tuple[float, float]], radius: float) -> list[int]:
    def neighbours(i: int) -> int:
        x, y = anchors[i]
        return sum(1 for (u, v) in anchors if (u - x) ** 2 + (v - y) ** 2 <= radius * radius) - 1

    return sorted(range(len(anchors)), key=lambda i: (-neighbours(i), anchors[i][0], anchors[i][1]))
