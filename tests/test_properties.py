"""Properties of every valid spec, over generated specs that span the whole grammar (tests/specgen.py): totals
are the sums of the rows under every convention, in exact integers; the JSON is strict, equals to_dict() and
follows `costnet schema output`; separable pairs measure their closed form; MACs never decrease with depth
or, for a pooled classifier, with resolution; the peak of memory can be recomputed from the JSON; the fast
sweep is the point-by-point analysis. Budgets: tests/README.md."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, assume, given, seed, settings, strategies as st

import costnet
from costnet.analysis.conventions import CONVENTIONS
from costnet.analysis.memory import DTYPES, MEMORY_MODELS
from costnet.outputs.schemas import output_schema
from costnet.studies.points import point
from costnet.studies.sweep import iter_sweep
from runcounts import COUNTS, examples, seed as chosen_seed
from specgen import Generated, buildable, generated_specs, repeats_keep_shape
from test_schemas import recomputed_peaks

jsonschema = pytest.importorskip("jsonschema")

VALIDATOR = jsonschema.Draft7Validator(output_schema())
DEPTHS = (0.5, 1.0, 1.2, 1.5, 2.0, 3.0)


def budget(share: float = 1.0):
    """Hypothesis settings for a test taking `share` of the examples: derandomized (CI is reproducible)
    unless COSTNET_PROPERTY_SEED picks other examples."""
    def apply(test):
        configured = settings(max_examples=examples(share), deadline=None, database=None,
                              derandomize=chosen_seed() is None, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])(test)
        return configured if chosen_seed() is None else seed(chosen_seed())(configured)
    return apply


def parsed(g: Generated) -> costnet.Spec:
    """The spec costnet reads from the generated text; a refused one is set aside (and counted)."""
    try:
        spec = costnet.parse_spec(g.text, "generated.yaml")
        costnet.build_graph(spec)
    except costnet.SpecError:
        COUNTS["specs refused"] += 1
        assume(False)
    return spec


def reject_constant(name: str):
    raise ValueError(f"not strict JSON: {name}")


def is_count(value) -> bool:
    return type(value) is int  # not a bool, not a float


# ---- validity --------------------------------------------------------------------------------------

def test_generated_specs_build_at_every_width_and_resolution_they_are_planned_for():
    refused, seen = [], []

    @budget(2)
    @given(generated_specs())
    def build(g):
        seen.append(g)
        try:
            spec = costnet.parse_spec(g.text, "generated.yaml")
            for width in g.width_grid:
                for resolution in g.resolutions:
                    costnet.build_graph(costnet.scale(spec, width=width, resolution=resolution))
        except costnet.SpecError as exc:
            refused.append(f"{exc}\n{g.text}")

    build()
    assert len(refused) <= len(seen) // 50, f"{len(refused)} of {len(seen)} refused; the first:\n{refused[0]}"


# ---- totals, conventions, exact integers ------------------------------------------------------------

@budget()
@given(generated_specs())
def test_totals_are_the_sums_of_the_rows_under_every_convention_in_integers(g):
    spec = parsed(g)
    for convention in CONVENTIONS:
        result = costnet.analyze(spec, convention)
        rows = result.layers
        totals = result.totals
        for name in ("macs", "params", "activations", "weights", "biases", "norm_params"):
            assert is_count(getattr(totals, name)), name
            assert all(is_count(getattr(row, name)) for row in rows), name
            assert getattr(totals, name) == sum(getattr(row, name) for row in rows), name
        assert all(is_count(n) and n >= 0 for row in rows for n in row.live_elements)
        assert totals.params == CONVENTIONS[convention].params(totals.weights, totals.biases, totals.norm_params)
        shares = result.by_type()
        assert sum(s.macs for s in shares) == totals.macs and sum(s.params for s in shares) == totals.params
        for pair in result.separable:
            assert all(is_count(getattr(pair, name)) for name in ("m", "n", "macs", "standard_macs", "params",
                                                                  "standard_params", "pointwise_groups"))
        assert is_count(result.standard.macs) and is_count(result.standard.params)
        assert all(is_count(peak.bytes) and peak.bytes >= 0 for peak in result.peaks.values())
        assert is_count(result.weight_bytes)


# ---- the JSON contract --------------------------------------------------------------------------------

@budget()
@given(generated_specs(), st.sampled_from(list(CONVENTIONS)), st.sampled_from(list(DTYPES)))
def test_json_is_strict_equals_to_dict_and_follows_the_output_schema(g, convention, dtype):
    result = costnet.analyze(parsed(g), convention, dtype)
    data = json.loads(result.to_json(), parse_constant=reject_constant)
    assert data == result.to_dict()
    errors = list(VALIDATOR.iter_errors(data))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:3]]
    assert data["totals"]["macs"] == sum(layer["macs"] for layer in data["layers"])


@budget()
@given(generated_specs(), st.sampled_from(list(DTYPES)))
def test_the_peak_of_memory_is_recomputed_from_the_jsons_dataflow(g, dtype):
    result = costnet.analyze(parsed(g), dtype=dtype)
    data = json.loads(result.to_json())
    assert data["memory"]["peaks"] == recomputed_peaks(data)
    assert {model: (peak.bytes, peak.layer) for model, peak in result.peaks.items()} == \
        {model: (peak["bytes"], peak["layer"]) for model, peak in data["memory"]["peaks"].items()}
    assert set(result.peaks) == set(MEMORY_MODELS)


# ---- separable pairs -------------------------------------------------------------------------------------

@budget()
@given(generated_specs(), st.sampled_from(list(CONVENTIONS)))
def test_every_separable_pair_measures_its_closed_form(g, convention):
    result = costnet.analyze(parsed(g), convention)
    COUNTS["separable pairs"] += len(result.separable)
    for pair in result.separable:
        assert pair.ratio == pair.macs / pair.standard_macs
        assert pair.ratio == pytest.approx(pair.formula, rel=1e-12)


# ---- monotonicity --------------------------------------------------------------------------------------

@budget()
@given(generated_specs())
def test_macs_never_decrease_as_the_depth_multiplier_grows(g):
    """While every repeat keeps its input's shape (docs/spec.md; test_scaling.py shows a repeat that shrinks
    the map making a deeper network cheaper); at every depth, costnet builds what the model says builds."""
    assume(g.scaled_stages and g.depth_rule != "none")
    spec = parsed(g)
    monotone = repeats_keep_shape(g.data, g.widths, g.default_width, g.resolution)
    COUNTS["depth series"] += 1
    previous = None
    for depth in DEPTHS:
        planned = buildable(g.data, g.widths, g.default_width, g.resolution, depth)
        try:
            macs = costnet.analyze(costnet.scale(spec, depth=depth)).totals.macs
        except costnet.SpecError as exc:
            assert not planned, f"depth {depth}: {exc}"
            continue
        assert planned, f"depth {depth} builds, though the model says it cannot"
        COUNTS["depth variants"] += 1
        if previous is not None and monotone:
            assert macs >= previous[1], f"depth {previous[0]}: {previous[1]:,} MACs, depth {depth}: {macs:,}"
        previous = depth, macs


@budget()
@given(generated_specs())
def test_a_pooled_classifiers_macs_never_decrease_as_the_resolution_grows(g):
    assume(g.pooled)
    spec = parsed(g)
    macs = [costnet.analyze(costnet.scale(spec, resolution=r)).totals.macs for r in sorted(g.resolutions)]
    COUNTS["resolution variants"] += len(macs)
    assert macs == sorted(macs), list(zip(sorted(g.resolutions), macs))


# ---- sweeps ------------------------------------------------------------------------------------------

def outcome(compute):
    try:
        return compute()
    except costnet.CostnetError as exc:
        return type(exc).__name__, str(exc)


@budget()
@given(generated_specs(), st.sampled_from(list(CONVENTIONS)), st.sampled_from(list(DTYPES)))
def test_the_fast_sweep_is_the_point_by_point_analysis(g, convention, dtype):
    spec = parsed(g)
    widths, resolutions = g.width_grid, g.resolutions
    fast = list(iter_sweep(spec, widths, resolutions, convention, dtype=dtype))
    slow = [point(spec, w, r, convention, dtype=dtype) for w in widths for r in resolutions]
    assert fast == slow
    COUNTS["sweep points"] += len(fast)
    # Points the spec is not planned for (smaller resolutions, other depths) agree too, error or not.
    for r in {1, max(1, g.resolution - 3), g.resolution + 2}:
        for depth in (None, 2.0) if g.scaled_stages and g.depth_rule != "none" else (None,):
            one = outcome(lambda: next(iter_sweep(spec, widths[-1:], (r,), convention, (depth,), dtype)))
            assert one == outcome(lambda: point(spec, widths[-1], r, convention, depth, dtype=dtype))
            COUNTS["sweep points"] += 1


def test_the_generator_covers_the_whole_grammar():
    from click.testing import CliRunner

    from costnet.cli import cli
    from specgen import FREE_TYPES, RUN

    grammar = json.loads(CliRunner().invoke(cli, ["types", "-f", "json"]).output)
    types = {t["name"] for t in grammar["layer_types"] + grammar["block_types"]} | {"parallel"}
    assert set(RUN) == set(FREE_TYPES) == types
    assert {f.name for f in fields(Generated)} >= {"text", "width_grid", "resolutions"}
