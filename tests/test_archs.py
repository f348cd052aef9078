"""One contract for every bundled spec: it loads, analyzes, adds up, and meets its published figures."""

from pathlib import Path

import pytest

import costnet
from costnet.analysis.published import check

ARCHS = sorted((Path(__file__).parent.parent / "archs").glob("*.yaml"))


def test_there_are_specs():
    assert {p.stem for p in ARCHS} >= {"mobilenet_v1", "mixnet_s", "mixnet_m", "mixnet_l"}


@pytest.fixture(params=ARCHS, ids=lambda p: p.stem)
def spec(request):
    return costnet.load(request.param)


def test_every_spec_names_its_source_and_reports_figures(spec):
    assert spec.source and spec.reported
    assert all(r.source and (r.macs or r.params) for r in spec.reported)


def test_rows_sum_to_totals(spec):
    for convention in ("paper", "torch", "weights"):
        result = costnet.analyze(spec, convention)
        t = result.totals
        assert sum(l.macs for l in result.layers) == t.macs
        assert sum(l.params for l in result.layers) == t.params
        assert sum(s.macs for s in result.by_type()) == t.macs
        assert sum(s.params for s in result.by_type()) == t.params
        assert t.params == t.weights + t.biases * (convention != "weights") + t.norm_params * (convention == "torch")


def test_params_do_not_depend_on_resolution(spec):
    base = costnet.analyze(spec).totals.params
    for resolution in (128, 192, 320):
        assert costnet.analyze(costnet.scale(spec, resolution=resolution)).totals.params == base


def test_separable_pairs_agree_with_closed_form(spec):
    for pair in costnet.analyze(spec).separable:
        assert pair.ratio == pytest.approx(pair.formula, rel=1e-12)


def test_meets_reported_figures(spec):
    """Every published figure is the exact count rounded as its source rounds, or is labelled unexplained."""
    for reported in spec.reported:
        scaled = costnet.scale(spec, width=reported.width, resolution=reported.resolution, depth=reported.depth)
        result = costnet.analyze(scaled, reported.convention)
        assert reported in result.reported
        for figure in check(reported, result):
            assert figure.holds, (reported.source, figure)


def test_a_figure_labelled_unexplained_really_differs(spec):
    """A label must not hide a figure that matches (or be kept after a fix makes it match)."""
    for reported in spec.reported:
        scaled = costnet.scale(spec, width=reported.width, resolution=reported.resolution, depth=reported.depth)
        for figure in check(reported, costnet.analyze(scaled, reported.convention)):
            if figure.unexplained:
                assert not figure.matches, (reported.source, figure.quantity)
