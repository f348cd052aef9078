"""Issue-4 features: paper tables, sweeps, comparisons, plots, and the committed reports."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from costnet.cli import TABLE_FORMAT_NAMES, TABLE_KIND_NAMES, NumberList, cli
from costnet.outputs.reports import FIGURES, REPORTS
from costnet.outputs.tablerender import TABLE_FORMATS
from costnet.outputs.tables import ALL_KINDS
from independent import mobilenet_v1_by_hand, onnx_layers, reference, reference_paper_params

ROOT = Path(__file__).parent.parent


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def test_cli_choices_follow_the_registries():
    assert TABLE_KIND_NAMES == ALL_KINDS
    assert TABLE_FORMAT_NAMES == tuple(TABLE_FORMATS)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_committed_reports_are_current(name):
    committed = (ROOT / "reports" / name).read_text(encoding="utf-8")
    assert REPORTS[name]() == committed, "regenerate with: costnet report"


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_reports_hide_no_difference(name):
    """Every verdict is computed: a published figure either matches or its row gives the spec's explanation."""
    assert "does NOT match" not in REPORTS[name]()


def test_committed_report_figures_exist_and_are_linked():
    pages = "".join((ROOT / "reports" / name).read_text(encoding="utf-8") for name in REPORTS)
    for name in FIGURES:
        assert (ROOT / "reports" / name).read_bytes()[:4] == b"\x89PNG", name
        assert f"]({name})" in pages


def test_memory_report_reproduces_mcunetv2_figure_1():
    """Worked by hand: the second inverted residual block's expansion holds its 16×112×112 input and 96×112×112
    output (int8, one byte each), 200,704 + 1,204,224 = 1,404,928 bytes = 1,372 KiB, MCUNetV2's "1,372 kB";
    its depthwise convolution under `plain` holds 96×112×112 in and 96×56×56 out, 1,505,280 bytes."""
    text = REPORTS["memory.md"]()
    assert "200,704 + 1,204,224 = 1,404,928" in text and "1,404,928 / 1024 = 1,372 exactly" in text
    assert "1,204,224 + 301,056 = 1,505,280" in text
    # the stem (32×112×112 out of 3×224×224 in: 150,528 + 401,408) and the next four blocks exceed 256 KiB
    assert "| stem.0 | stem.0 | 551,936 | 551,936 | 2.11 |" in text
    assert "5 blocks need more than 256 KiB" in text


def test_architecture_table_folds_repeats_like_table_1():
    data = json.loads(run("table", "mobilenet_v1", "--kind", "architecture", "-f", "json").output)
    types = [row["type"] for row in data["rows"]]
    # Howard et al. 2017, Table 1: 22 rows, the last "Softmax / s1", which is no layer with a cost
    assert types[0] == "Conv / s2" and types[-1] == "FC / s1"
    assert "5× Conv dw / s1" in types and "5× Conv / s1" in types
    assert types.count("Conv dw / s2") == 4  # strides 2 at 112, 56, 28, 14; the last one is stride 1
    assert len(types) == 21


def test_types_table_json_contract():
    data = json.loads(run("table", "mobilenet_v1", "-k", "types", "-c", "weights", "-f", "json").output)
    rows = {row["type"]: row for row in data["rows"]}
    assert set(data["rows"][0]) >= {"type", "macs", "macs_share", "params", "params_share"}
    # timm's mobilenetv1_100 measured layer by layer (tests/data/onnx/reference.json): its 1×1 convolutions
    pointwise = sum(l["macs"] for l in onnx_layers("mobilenetv1_100") if l["kind"] == "conv" and l["kernel"] == [1, 1])
    assert rows["conv 1×1"]["macs"] == pointwise == 539_492_352
    assert round(rows["conv 1×1"]["macs_share"], 2) == 94.86 and round(rows["conv 1×1"]["params_share"], 2) == 74.59
    assert sum(row["macs"] for row in data["rows"]) == reference("mobilenet_v1")["macs"]  # timm's


def test_separable_table_json_contract():
    data = json.loads(run("table", "mobilenet_v1", "-k", "separable", "-f", "json").output)
    assert len(data["rows"]) == 13
    row = data["rows"][0]
    assert set(row) >= {"n", "dk", "macs", "standard_macs", "ratio", "formula"}
    assert row["ratio"] == pytest.approx(1 / 64 + 1 / 9)
    by_hand = mobilenet_v1_by_hand()  # Table 1 worked out (tests/independent.py); timm agrees on the network
    assert (by_hand["macs"], by_hand["params"]) == (reference("mobilenet_v1")["macs"],
                                                    reference_paper_params("mobilenet_v1"))
    assert data["network"] == {"macs": by_hand["macs"], "params": by_hand["params"],
                               "standard_macs": by_hand["standard_macs"], "standard_params": by_hand["standard_params"]}


def test_layer_modifications_default_is_table_3():
    data = json.loads(run("table", "--kind", "layer-modifications", "-f", "json").output)
    # Table 3's layer: D_K = 3, M = N = 512, D_F = 14; separable; α = 0.75 (384 channels); ρ = 0.714 (10×10)
    full, separable, narrow = 3 * 3 * 512 * 512, 3 * 3 * 512 + 512 * 512, 3 * 3 * 384 + 384 * 384
    assert [(r["macs"], r["params"]) for r in data["rows"]] == [
        (full * 14 * 14, full), (separable * 14 * 14, separable), (narrow * 14 * 14, narrow),
        (narrow * 10 * 10, narrow)]


@pytest.mark.parametrize("fmt,marker", [("markdown", "| Type"), ("latex", "\\begin{tabular}"), ("csv", "type,macs"),
                                        ("table", "Type ")])
def test_table_formats(fmt, marker):
    assert marker in run("table", "mixnet_m", "-k", "types", "-f", fmt).output


def test_sweep_writes_report_csv_json_and_plots(tmp_path):
    out = tmp_path / "sweep"
    result = run("sweep", "mobilenet_v1", "--width", "1,0.75,0.5,0.25", "--resolution", "224,192,160,128",
                 "--output", str(out))
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["accuracy.png", "accuracy.svg", "points.csv", "points.json",
                                                     "report.md", "sweep.png", "sweep.svg"]
    rows = list(csv.DictReader(io.StringIO((out / "points.csv").read_text())))
    assert len(rows) == 16
    first = rows[0]
    timm = (str(reference("mobilenet_v1")["macs"]), str(reference_paper_params("mobilenet_v1")))
    assert (first["width"], first["resolution"], first["macs"], first["params"]) == ("1.0", "224", *timm)
    assert first["top1"] == "70.7"  # TF-slim's README, 1.0 MobileNet-224
    points = json.loads((out / "points.json").read_text())["points"]
    assert {(p["width"], p["resolution"]): p["macs"] for p in points}[(0.5, 160)] == \
        reference("mobilenet_v1", width=0.5, resolution=160)["macs"]
    report = (out / "report.md").read_text()
    # timm's mobilenetv1_075 at 224, 192, 160, 128, in millions: 325.4M | 239.3M | 166.4M | 106.8M
    row = " | ".join(f"{reference('mobilenet_v1', width=0.75, resolution=r)['macs'] / 1e6:.1f}M"
                     for r in (224, 192, 160, 128))
    assert row == "325.4M | 239.3M | 166.4M | 106.8M"
    assert f"| 0.75 | {row} |" in report and "![sweep.png](sweep.png)" in report


def test_sweep_ranges_and_failure_leaves_nothing(tmp_path):
    assert NumberList(float).convert("0.25:1.0:0.25", None, None) == (0.25, 0.5, 0.75, 1.0)
    assert NumberList(int).convert("96:224:32,256", None, None) == (96, 128, 160, 192, 224, 256)
    result = CliRunner().invoke(cli, ["sweep", "shufflenet_v2", "--width", "0.5,0.75", "--output", str(tmp_path / "s")])
    assert result.exit_code == 2 and "defined at widths 0.5, 1, 1.5, 2 only" in result.output
    assert not (tmp_path / "s").exists()


def test_large_sweep_csv(tmp_path):
    result = run("sweep", "mixnet_s", "--width", "0.5:1.5:0.1", "--resolution", "128:256:16", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 11 * 9
    assert all(int(r["macs"]) > 0 for r in rows)


def test_compare_sorts_and_names_sources():
    result = run("compare", "mixnet_m", "mobilenet_v1@0.5,160", "mixnet_s", "--source", "MixConv", "-f", "json",
                 "--sort", "macs")
    points = json.loads(result.output)["points"]
    assert [p["macs"] for p in points] == [  # timm's
        reference("mobilenet_v1", width=0.5, resolution=160)["macs"], reference("mixnet_s")["macs"],
        reference("mixnet_m")["macs"]]
    assert points[1]["top1"] == 75.8 and "MixConv" in points[1]["source"]


def test_machine_rows_of_compare_say_which_network_they_are():
    """Issue 12: every row self-describing, in the order given."""
    result = run("compare", "mixnet_m", "mobilenet_v1@0.5,160", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["model"], r["family"], r["spec"], r["width"], r["resolution"]) for r in rows] == [
        ("MixNet-M", "MixNet", "mixnet_m.yaml (bundled)", "1.0", "224"),
        ("MobileNet", "MobileNetV1", "mobilenet_v1.yaml (bundled)", "0.5", "160")]
    assert rows[1]["macs"] == str(reference("mobilenet_v1", width=0.5, resolution=160)["macs"])  # timm's
    assert rows[0]["convention"] == "paper"
    data = json.loads(run("compare", "mixnet_m", "-f", "json").output)
    assert data["schema_version"] == 2 and data["points"][0]["model"] == "MixNet-M"
    lines = run("compare", "mixnet_m", "mixnet_s", "-f", "jsonl").output.splitlines()
    assert [json.loads(line)["model"] for line in lines] == ["MixNet-M", "MixNet-S"]


def test_plot_writes_a_png(tmp_path):
    out = tmp_path / "fig4.png"
    result = run("plot", "mobilenet_v1", "--x", "macs", "--log-x", "--output", str(out))
    assert result.exit_code == 0 and "16 points" in result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = CliRunner().invoke(cli, ["plot", "resnet50@1.0,160", "--output", str(tmp_path / "x.png")])
    assert bad.exit_code == 2 and "has a published top1" in bad.output
