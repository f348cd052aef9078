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
    assert all(p.leader == (p.ring >= labelplacement.LEADER_FROM_RING) for p in placements)
