"""Figures: the same size at any grid, no warnings, the Pareto front on top, labels that do not collide, text
kept as text, files that depend on the figure only, and memory profiles that name their peak."""

import struct
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import costnet  # noqa: E402
from costnet.api import load  # noqa: E402
from costnet.outputs import memoryplots, plots  # noqa: E402
from costnet.outputs.figures import STYLE, binary_bytes, tick  # noqa: E402
from costnet.outputs.reports import ZOO_FOR_FIGURE_1  # noqa: E402
from costnet.outputs.sweepreport import SweepInfo, write_sweep  # noqa: E402
from costnet.studies.points import Point, point, reported_points, sweep  # noqa: E402

RESOLUTIONS = (128, 160, 192, 224, 256, 288, 320)


def widths(count: int) -> list[float]:
    """`count` widths from 0.25 in steps of 0.01 (176 of them reach 2.0), or spread over 0.5 to 1.5."""
    if count > 21:
        return [round(0.25 + 0.01 * i, 2) for i in range(count)]
    return [round(0.5 + i / max(1, count - 1), 2) for i in range(count)]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def quietly(draw):
    """Run `draw` with every warning an error: no matplotlib warning may reach a user's stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return draw()


def drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def overlapping(boxes) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j and a.overlaps(b)]


def tick_label_boxes(fig, renderer):
    """The visible, non-empty tick labels of every axis of every axes, per axis."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t for t in axis.get_ticklabels(which="both") if t.get_visible() and t.get_text()]
            yield [t.get_window_extent(renderer) for t in labels]


@pytest.fixture(scope="module")
def zoo():
    return [point(load(name), prefer="MixConv") for name in ZOO_FOR_FIGURE_1]


@pytest.fixture(scope="module")
def mobilenet_v2_int8():
    return costnet.analyze(costnet.load("mobilenet_v2"), dtype="int8")


# --- sweeps ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sweeps():
    spec = load("mobilenet_v1")  # the cheapest to analyse 1,232 times
    return {count: sweep(spec, widths(count), RESOLUTIONS) for count in (4, 21, 176)}


@pytest.mark.parametrize("count", [4, 21, 176])
def test_sweep_figure_has_one_size_at_any_number_of_widths(sweeps, count, tmp_path):
    fig = quietly(lambda: plots.sweep_figure(sweeps[count], "MobileNet: width × resolution"))
    quietly(lambda: plots.save(fig, tmp_path / "sweep.png"))
    dpi = STYLE["savefig.dpi"]
    assert png_size(tmp_path / "sweep.png") == (round(plots.SWEEP_SIZE[0] * dpi), round(plots.SWEEP_SIZE[1] * dpi))


def test_few_widths_are_lines_with_a_legend_beside_the_data(sweeps):
    fig = plots.sweep_figure(sweeps[4], "t")
    renderer = drawn(fig)
    left = fig.axes[0]
    assert len(left.get_lines()) == 4
    legend = left.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["1.5", "1.17", "0.83", "0.5"]
    assert legend.get_window_extent(renderer).x0 >= left.get_window_extent(renderer).x1  # never over the curves


def test_many_widths_are_a_heat_map_with_labelled_contours(sweeps):
    from matplotlib.collections import QuadMesh

    fig = plots.sweep_figure(sweeps[21], "t")
    left = fig.axes[0]
    assert any(isinstance(c, QuadMesh) for c in left.collections)
    assert left.get_legend() is None
    contour_labels = [t.get_text() for t in left.texts]
    assert contour_labels and all(text[-1] in "KMG" for text in contour_labels)  # 100M, 200M, 500M, 1G
    colour_bar = next(ax for ax in fig.axes if ax.get_ylabel().startswith("MACs (log colour"))
    drawn(fig)
    assert "100M" in [t.get_text() for t in colour_bar.yaxis.get_ticklabels(which="both")]


def fake_grid(widths, resolutions) -> list[Point]:
    """MACs ∝ width² × resolution², as a real network's nearly are: cheap points for grids of any size."""
    return [Point("toy", "Toy", w, r, int(3e5 * w * w * r * r / 50 + 1000), int(4e6 * w * w), 0, None, None, None)
            for w in widths for r in resolutions]


@pytest.mark.parametrize("grid", [
    pytest.param((3, range(1, 601)), id="3 widths x 600 resolutions"),
    pytest.param((30, range(1, 601)), id="30 widths x 600 resolutions"),
    pytest.param((12, [224]), id="12 widths, one resolution"),
    pytest.param((1, [224]), id="one point"),
])
def test_sweep_ticks_stay_readable(grid):
    count, resolutions = grid
    fig = quietly(lambda: plots.sweep_figure(fake_grid(widths(count), resolutions), "t"))
    renderer = quietly(lambda: drawn(fig))
    for boxes in tick_label_boxes(fig, renderer):
        assert not overlapping(boxes)
    for ax in fig.axes:  # around a single value: 0.98M, 1M, 1.02M, not 1M three times
        labels = [t.get_text() for t in ax.yaxis.get_ticklabels(which="both") if t.get_text()]
        assert len(labels) == len(set(labels)), labels


# --- accuracy against cost ---------------------------------------------------------------------------------

def test_pareto_front_is_drawn_over_the_family_lines_and_named_in_the_legend(zoo):
    fig = quietly(lambda: plots.accuracy_figure(zoo, "macs", "top1"))
    ax = fig.axes[0]
    front = next(line for line in ax.get_lines() if line.get_label() == "Pareto front")
    families = [line for line in ax.get_lines() if line is not front]
    assert front.get_zorder() > max(line.get_zorder() for line in families)
    assert "Pareto front" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert [round(x) for x in front.get_xdata()] == sorted(round(p.macs) for p in plots.pareto_front(zoo, "macs", "top1"))
    # the front by its definition: the points that no other point matches or beats on both MACs and accuracy
    beaten = [p for p in zoo if any(q is not p and q.macs <= p.macs and q.top1 >= p.top1 for q in zoo)]
    assert sorted(front.get_xdata()) == sorted(p.macs for p in zoo if p not in beaten) and beaten


@pytest.mark.parametrize("log_x", [False, True])
def test_labels_of_the_mixnet_zoo_overlap_neither_each_other_nor_the_markers(zoo, log_x):
    from matplotlib.text import Text

    fig = quietly(lambda: plots.accuracy_figure(zoo, "macs", "top1", log_x=log_x))
    ax = fig.axes[0]
    renderer = drawn(fig)
    labels = [t for t in ax.texts if t.get_gid() == plots.POINT_LABEL]
    assert sorted(t.get_text() for t in labels) == sorted(p.model for p in zoo)
    boxes = [Text.get_window_extent(t, renderer) for t in labels]  # the text, not a leader line
    assert not overlapping(boxes)
    markers = [ax.transData.transform((p.macs, p.top1)) for p in zoo]
    assert not [(t.get_text(), i) for t, box in zip(labels, boxes) for i, xy in enumerate(markers)
                if box.contains(*xy)]
    assert all(ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1) for box in boxes)


def test_mobilenet_checkpoints_are_labelled_by_resolution_without_overlap():
    from matplotlib.text import Text

    points = reported_points(load("mobilenet_v1"))
    fig = quietly(lambda: plots.accuracy_figure(points, "macs", "top1", log_x=True))
    ax = fig.axes[0]
    renderer = drawn(fig)
    labels = [t for t in ax.texts if t.get_gid() == plots.POINT_LABEL]
    assert sorted({t.get_text() for t in labels}) == ["128", "160", "192", "224"] and len(labels) == 16
    assert not overlapping([Text.get_window_extent(t, renderer) for t in labels])


def test_points_of_ones_own_are_marked_apart_and_left_off_the_published_front(zoo):
    mine = replace(zoo[0], model="my_net", family="yours", macs=200_000_000, top1=80.0, source=None)
    fig = quietly(lambda: plots.accuracy_figure(zoo + [mine], "macs", "top1"))
    ax = fig.axes[0]
    star = next(line for line in ax.get_lines() if line.get_marker() == "*" and line.get_label().startswith("yours"))
    assert list(star.get_xdata()) == [200_000_000]
    label = next(t for t in ax.texts if t.get_text() == "my_net")
    assert label.get_fontweight() == "bold"
    front = next(line for line in ax.get_lines() if line.get_label().startswith("Pareto front"))
    assert front.get_label() == "Pareto front (published)" and 200_000_000 not in front.get_xdata()
    assert plots.is_own(mine) and not any(plots.is_own(p) for p in zoo)


def test_ones_own_accuracy_goes_on_the_axis_plotted(monkeypatch):
    from costnet.cli import studies

    drawn = {}
    monkeypatch.setattr(plots, "accuracy_figure", lambda points, x, y, log_x, title: drawn.setdefault(y, points))
    for y in ("top1", "top5"):
        _, count = studies._accuracy_figure(("mobilenet_v3_small=90", "mixnet_m"), "macs", y, False, None, None,
                                            "paper", "fp32")
        mine = next(p for p in drawn[y] if plots.is_own(p))
        assert getattr(mine, y) == 90.0 and count == "2 points"  # MixNet-M publishes both: 77.0 and 93.3


def test_split_by_accuracy_says_which_points_were_left_out(zoo):
    unpublished = point(load("resnet50"), width=1.0, resolution=160)
    plotted, left_out = plots.split_by_accuracy([zoo[0], unpublished, zoo[1]], "top1")
    assert plotted == [zoo[0], zoo[1]] and left_out == [unpublished]
    with pytest.raises(costnet.errors.UsageError, match="no point has a published top1"):
        plots.accuracy_figure([unpublished])


# --- files -------------------------------------------------------------------------------------------------

def test_svg_keeps_its_text_as_text(zoo, tmp_path):
    plots.save(plots.accuracy_figure(zoo), tmp_path / "f.svg")
    svg = (tmp_path / "f.svg").read_text(encoding="utf-8")
    assert svg.count("<text") > 20 and "MixNet-S" in svg and "Pareto front" in svg


@pytest.mark.parametrize("suffix", [".pdf", ".png", ".svg"])
def test_the_same_figure_gives_the_same_bytes(zoo, tmp_path, suffix):
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    quietly(lambda: plots.save(plots.accuracy_figure(zoo), first))
    quietly(lambda: plots.save(plots.accuracy_figure(zoo), second))
    assert first.read_bytes() == second.read_bytes()
    if suffix == ".pdf":
        assert b"CreationDate" not in first.read_bytes() and b"(costnet)" in first.read_bytes()


def test_save_refuses_other_formats(zoo, tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf"):
        plots.save(plots.accuracy_figure(zoo), tmp_path / "f.jpg")


def test_drawing_leaves_the_callers_matplotlib_settings_alone(zoo):
    before = dict(matplotlib.rcParams)
    plots.accuracy_figure(zoo)
    assert dict(matplotlib.rcParams) == before


def test_tick_and_byte_texts():
    assert [tick(v) for v in (2_000_000, 568_740_352, 1_500, 0.75)] == ["2M", "568.7M", "1.5K", "0.75"]
    assert tick(4_050_000, 2) == "4.05M"
    assert [binary_bytes(v) for v in (512, 256 * 1024, 1_404_928, 7_225_344, 2 * 1024**2)] == [
        "512 B", "256 KiB", "1372 KiB", "6.9 MiB", "2 MiB"]


# --- sweeps written to a directory -------------------------------------------------------------------------

def test_a_sweep_with_one_published_accuracy_draws_no_accuracy_figure(tmp_path):
    points = sweep(load("mixnet_m"), [0.75, 1.0], [192, 224])
    assert sum(p.top1 is not None for p in points) == 1
    info = SweepInfo("MixNet-M", "mixnet_m.yaml", "paper", "fp32", "in-place", "0.75,1", "192,224")
    write_sweep(tmp_path, points, info)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["points.csv", "points.json", "report.md", "sweep.png",
                                                           "sweep.svg"]
    assert "accuracy.png" not in (tmp_path / "report.md").read_text(encoding="utf-8")


# --- memory ------------------------------------------------------------------------------------------------

# MobileNetV2 1.0-224's live int8 bytes per block in place (Sandler et al. 2018, Table 2), each block's largest
# row worked out from its shapes: an expansion holds its input and output; a projection its input, its output and
# the block input a residual add still needs; a depthwise convolution overwrites its input in place.
MOBILENET_V2_BLOCK_PEAKS = {
    "stem.0": 3 * 224 * 224 + 32 * 112 * 112,
    "features.0": 32 * 112 * 112 + 16 * 112 * 112,  # t = 1: depthwise in place, then the projection
    "features.1": 16 * 112 * 112 + 96 * 112 * 112,  # MCUNetV2's peak: the expansion at 112×112
    "features.2": 24 * 56 * 56 + 144 * 56 * 56 + 24 * 56 * 56,
    "features.3": 24 * 56 * 56 + 144 * 56 * 56,  # stride 2: expansion at 56×56, no residual
    "features.4": 32 * 28 * 28 + 192 * 28 * 28 + 32 * 28 * 28,
    "features.5": 32 * 28 * 28 + 192 * 28 * 28 + 32 * 28 * 28,
    "features.6": 32 * 28 * 28 + 192 * 28 * 28,
    "features.7": 64 * 14 * 14 + 384 * 14 * 14 + 64 * 14 * 14,
    "features.8": 64 * 14 * 14 + 384 * 14 * 14 + 64 * 14 * 14,
    "features.9": 64 * 14 * 14 + 384 * 14 * 14 + 64 * 14 * 14,
    "features.10": 384 * 14 * 14 + 96 * 14 * 14,  # 64 → 96, no residual: the projection
    "features.11": 96 * 14 * 14 + 576 * 14 * 14 + 96 * 14 * 14,
    "features.12": 96 * 14 * 14 + 576 * 14 * 14 + 96 * 14 * 14,
    "features.13": 96 * 14 * 14 + 576 * 14 * 14,
    "features.14": 160 * 7 * 7 + 960 * 7 * 7 + 160 * 7 * 7,
    "features.15": 160 * 7 * 7 + 960 * 7 * 7 + 160 * 7 * 7,
    "features.16": 960 * 7 * 7 + 320 * 7 * 7,  # 160 → 320: the projection
    "head.0": 320 * 7 * 7 + 1280 * 7 * 7,
    "head.1": 1280 * 7 * 7 + 1280,  # global pool
    "head.2": 1280,  # dropout, in place
    "head.3": 1280 + 1000,  # the classifier
}


def test_memory_steps_are_mobilenet_v2s_blocks_worked_out_by_hand(mobilenet_v2_int8):
    steps = memoryplots.memory_steps(mobilenet_v2_int8, "in-place", "block")
    assert {s.name: s.bytes for s in steps} == MOBILENET_V2_BLOCK_PEAKS


def peak_text(fig) -> str:
    (annotation,) = [t for t in fig.axes[0].texts if t.get_gid() == memoryplots.PEAK_LABEL]
    return annotation.get_text()


def test_memory_figure_marks_mobilenet_v2s_peak_as_mcunetv2_figure_1(mobilenet_v2_int8):
    fig = quietly(lambda: memoryplots.memory_figure(mobilenet_v2_int8, budget_bytes=256 * 1024))
    text = peak_text(fig)
    peak = MOBILENET_V2_BLOCK_PEAKS["features.1"]  # 1,404,928 = 1372 KiB
    assert "1372 KiB" in text and f"{peak:,} bytes" in text and "features.1.expand" in text
    ax = fig.axes[0]
    assert "budget 256 KiB" in [t.get_text() for t in ax.texts]
    assert ax.get_ylabel() == "Live activations (KiB, int8)"
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names[:3] == ["stem.0", "features.0", "features.1"] and len(names) == 22
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    over = sum(peak > 256 * 1024 for peak in MOBILENET_V2_BLOCK_PEAKS.values())  # stem.0 to features.3
    assert (over, len(MOBILENET_V2_BLOCK_PEAKS)) == (5, 22)
    assert legend == ["in-place (peak 1372 KiB)", f"in-place, above the budget: {over} of 22"]


def test_memory_figure_of_both_models_names_the_higher_peak(mobilenet_v2_int8):
    fig = quietly(lambda: memoryplots.memory_figure(mobilenet_v2_int8, model=None))
    plain = 96 * 112 * 112 + 96 * 56 * 56  # the second block's depthwise convolution, its input and output
    assert f"{plain:,} bytes" in peak_text(fig) and "features.1.dw" in peak_text(fig)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert (96 * 112 * 112 + 96 * 56 * 56) / 1024 == 1470 and (16 * 112 * 112 + 96 * 112 * 112) / 1024 == 1372
    assert legend == ["plain (peak 1470 KiB)", "in-place (peak 1372 KiB)"]


def test_memory_steps_are_the_peaks_of_their_rows(mobilenet_v2_int8):
    a = mobilenet_v2_int8
    blocks = memoryplots.memory_steps(a, "in-place", "block")
    rows = memoryplots.memory_steps(a, "in-place", "layer")
    assert len(rows) == len(a.layers) and len(blocks) == len({layer.scope for layer in a.layers})
    assert max(s.bytes for s in blocks) == max(s.bytes for s in rows) == a.peaks["in-place"].bytes
    first = [layer for layer in a.layers if layer.scope[-1] == "features.1"]
    assert blocks[2].bytes == max(layer.live["in-place"] for layer in first)


@pytest.mark.parametrize("by", ["block", "layer"])
def test_densenet_memory_figure_keeps_its_names_readable(by):
    analysis = costnet.analyze(costnet.load("densenet121"))
    fig = quietly(lambda: memoryplots.memory_figure(analysis, model=None, by=by))
    renderer = drawn(fig)
    names = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert 10 < len(names) <= memoryplots.TICK_LABELS_UP_TO
    assert not overlapping([t.get_window_extent(renderer) for t in names])
    assert "MiB" in fig.axes[0].get_ylabel() and "block1.5.conv1" in peak_text(fig)


def test_memory_figure_of_several_networks_draws_a_line_each(mobilenet_v2_int8):
    small = costnet.analyze(costnet.scale(costnet.load("mobilenet_v2"), resolution=160), dtype="int8")
    fig = quietly(lambda: memoryplots.memory_figure([mobilenet_v2_int8, small]))
    assert len(fig.axes[0].get_lines()) == 2
    assert "1372 KiB" in peak_text(fig)


def test_memory_figure_rejects_an_unknown_model(mobilenet_v2_int8):
    with pytest.raises(ValueError, match="unknown memory model"):
        memoryplots.memory_figure(mobilenet_v2_int8, model="inplace")


def test_zoo_memory_figure_sorts_the_networks_against_the_budgets():
    analyses = [costnet.analyze(costnet.load(name), dtype="int8")
                for name in ("mobilenet_v2", "mobilenet_v3_small", "resnet50", "mnasnet_b1")]
    fig = quietly(lambda: memoryplots.zoo_memory_figure(analyses))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["MobileNetV3-Small", "MnasNet-B1", "MobileNetV2",
                                                             "ResNet-50"]
    texts = [t.get_text() for t in ax.texts]
    assert "256 KiB" in texts and "512 KiB" in texts and "1372 KiB  ·  plain 1470 KiB" in texts


def test_memory_axis_labels_show_fractions_of_a_kib():
    """A network of a few KiB: the ticks (0.2, 0.4, …) keep their decimals instead of all reading 0 and 1."""
    import costnet
    from costnet.outputs.memoryplots import memory_figure

    spec = costnet.parse_spec("version: 1\nname: Tiny\nfamily: Tiny\ninput: {channels: 3, resolution: 8}\nbody:\n"
                              "  - name: stem\n    blocks:\n      - {type: conv, out: 8, kernel: 3, stride: 2, "
                              "padding: 1}\n", "tiny.yaml")
    figure = memory_figure(costnet.analyze(spec))  # 3×8×8 in + 8×4×4 out = 320 elements, 1,280 bytes
    figure.canvas.draw()
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels() if t.get_text()]
    assert len(set(labels)) == len(labels) and "0.2" in labels
