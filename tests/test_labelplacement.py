"""Label placement: pure geometry in display coordinates, deterministic, no matplotlib needed."""

import pytest

from costnet.outputs import labelplacement


def test_labels_of_coinciding_points_are_placed_apart():
    anchors = [(100.0, 100.0)] * 4
    placements = labelplacement.place_labels(anchors, [(40.0, 10.0)] * 4, [5.0] * 4, gap=5.0)
    boxes = [p.box for p in placements]
    assert all(labelplacement.overlap(a, b) == 0 for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert placements == labelplacement.place_labels(anchors, [(40.0, 10.0)] * 4, [5.0] * 4, gap=5.0)


def test_a_label_goes_right_of_its_point_unless_something_is_there():
    free = labelplacement.place_labels([(0.0, 0.0)], [(20.0, 10.0)], [4.0], gap=5.0)[0]
    assert free.box[0] > 0 and free.box[1] < 0 < free.box[3]
    blocked = labelplacement.place_labels([(0.0, 0.0)], [(20.0, 10.0)], [4.0], gap=5.0,
                                          obstacles=[(3.0, -20.0, 60.0, 20.0)])[0]
    assert blocked.box[2] <= 3.0


def test_length_of_a_segment_inside_a_box():
    box = (0.0, 0.0, 10.0, 10.0)
    assert labelplacement.length_inside(((-5.0, 5.0), (15.0, 5.0)), box) == pytest.approx(10.0)
    assert labelplacement.length_inside(((-5.0, 20.0), (15.0, 20.0)), box) == 0.0


def test_a_label_stays_inside_the_bounds_when_it_can():
    (placement,) = labelplacement.place_labels([(98.0, 50.0)], [(30.0, 10.0)], [4.0], gap=5.0,
                                               bounds=(0.0, 0.0, 100.0, 100.0))
    assert labelplacement.outside(placement.box, (0.0, 0.0, 100.0, 100.0)) == 0
    assert placement.box[2] <= 98.0  # to the left of its point, right being off the plot


def test_a_far_label_wants_a_leader_line():
    crowd = [(0.0, 0.0)] * 12  # twelve labels for one spot: the late ones go out to the far rings
    placements = labelplacement.place_labels(crowd, [(30.0, 10.0)] * 12, [4.0] * 12, gap=5.0)
    assert any(p.leader for p in placements) and not all(p.leader for p in placements)
    # from the boxes alone: every label with a leader stands farther from the point than every label without
    near = [_distance_to_box((0.0, 0.0), p.box) for p in placements if not p.leader]
    far = [_distance_to_box((0.0, 0.0), p.box) for p in placements if p.leader]
    assert max(near) < min(far)


def _distance_to_box(point, box):
    """How far a box's nearest edge is from a point outside it, along x or y (a label's gap from its marker)."""
    (x, y), (x0, y0, x1, y1) = point, box
    return max(x0 - x, x - x1, y0 - y, y - y1, 0.0)
