"""The fast sweep gives, point for point, what scaling, building and analysing each variant gives."""

import pytest

import costnet
from costnet.frontends.spec.loader import bundled_names
from costnet.studies.points import point
from costnet.studies.sweep import iter_sweep

RESOLUTIONS = (33, 97, 160, 224, 301)


@pytest.mark.parametrize("name", bundled_names())
def test_fast_sweep_equals_analysing_every_variant(name):
    spec = costnet.load(name)
    widths = (spec.width.multiplier,) if spec.width.rule in ("none", "table") else (0.35, 1.0, 1.4)
    resolutions = [r for r in RESOLUTIONS if _runs(spec, r)]
    fast = list(iter_sweep(spec, widths, resolutions, "torch", dtype="int8"))
    slow = [point(spec, w, r, "torch", dtype="int8") for w in widths for r in resolutions]
    assert fast == slow


def _runs(spec, resolution):
    try:
        point(spec, resolution=resolution)
    except costnet.CostnetError:
        return False
    return True


def test_depth_and_a_flatten_whose_width_follows_the_resolution():
    """A classifier on a flattened feature map (no global pool) changes with the resolution: slow path."""
    text = """\
version: 1
name: flat
input: {channels: 3, resolution: 32}
depth: {rule: ceil}
body:
  - name: s
    depth_scaling: scaled
    blocks: [{type: separable, out: 8, stride: 2, repeat: 2}]
  - name: head
    blocks: [{type: flatten}, {type: fc, out: 10}]
"""
    spec = costnet.parse_spec(text, "flat.yaml")
    fast = list(iter_sweep(spec, (0.5, 1.0), (16, 32, 48), depths=(1.5,)))
    assert fast == [point(spec, w, r, depth=1.5) for w in (0.5, 1.0) for r in (16, 32, 48)]
    assert [p.macs for p in fast[3:]] == sorted(p.macs for p in fast[3:])  # the fc grows with the input


def test_a_resolution_the_network_cannot_take_is_the_slow_paths_error():
    with pytest.raises(costnet.SpecError, match="does not fit"):
        list(iter_sweep(costnet.load("densenet121"), (1.0,), (224, 16)))
