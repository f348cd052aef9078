"""One output grammar on every command (docs/output.md): -o/--output, -f/--format inferred from the output's
extension, `-` for standard input, local files before bundled names; and the practitioner's options."""

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from costnet.cli import cli
from costnet.cli.options import NumberList
from independent import onnx_layers, reference

# timm's models, conv + linear MACs by forward hooks (tests/data/reference_figures.json)
MIXNET_M_MACS = reference("mixnet_m")["macs"]


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.mark.parametrize("name,check", [
    ("costs.json", lambda text: json.loads(text)["totals"]["macs"] == MIXNET_M_MACS),
    ("costs.csv", lambda text: next(csv.DictReader(io.StringIO(text)))["name"] == "stem.0"),
    ("costs.md", lambda text: text.startswith("## MixNet-M")),
    ("costs.txt", lambda text: text.startswith("MixNet-M · input 3×224×224")),
    ("costs", lambda text: text.startswith("MixNet-M · input 3×224×224")),
])
def test_the_format_follows_the_output_extension(tmp_path, name, check):
    result = run("analyze", "mixnet_m", "-o", str(tmp_path / name))
    assert result.exit_code == 0 and result.output == ""
    assert check((tmp_path / name).read_text(encoding="utf-8"))


def test_a_format_that_contradicts_the_extension_is_an_error(tmp_path):
    result = run("analyze", "mixnet_m", "-f", "csv", "-o", str(tmp_path / "costs.json"))
    assert result.exit_code == 2 and "--format csv, but" in result.output and "means json" in result.output
    assert not (tmp_path / "costs.json").exists()


def test_dash_is_standard_output_and_standard_input():
    text = (Path(__file__).parent.parent / "archs" / "mixnet_m.yaml").read_text()
    result = run("analyze", "-", "-f", "json", "-o", "-", input=text)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["spec"] == "<stdin>" and data["totals"]["macs"] == MIXNET_M_MACS


def test_a_local_file_wins_over_the_bundled_spec_of_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("mixnet_m.yaml").write_text("version: 1\nname: Mine\ninput: {resolution: 8}\n"
                                     "body: [{name: s, blocks: [{type: conv, out: 4, kernel: 1}]}]\n")
    result = run("analyze", "mixnet_m.yaml")
    assert result.exit_code == 0 and result.output.startswith("Mine ·") and "spec: mixnet_m.yaml\n" in result.output
    assert run("analyze", "mixnet_m").output.startswith("MixNet-M")  # no .yaml, no file: the bundled one


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_pipe_is_read_like_a_file(tmp_path):
    """`costnet analyze <(generate_spec)` gives a path like /dev/fd/63: a FIFO, not a regular file."""
    fifo = tmp_path / "spec.fifo"
    os.mkfifo(fifo)
    text = (Path(__file__).parent.parent / "archs" / "mobilenet_v1.yaml").read_bytes()
    # The writer is connected before costnet opens the FIFO, as the shell connects `<(…)`'s: a reader held
    # here lets it open at once, and the spec (9 KB) fits in the pipe's buffer. (A writer thread that opened
    # after costnet had read found no reader and waited forever, hanging the suite.)
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        assert os.write(writer, text) == len(text)
        os.close(writer)
        result = run("analyze", str(fifo), "-f", "json")
    finally:
        os.close(holder)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["totals"]["macs"] == reference("mobilenet_v1")["macs"]  # timm's


def test_diff_formats_and_exit_code():
    same = run("diff", "mixnet_m", "mixnet_m", "--exit-code")
    assert same.exit_code == 0 and "no layer differs" in same.output and "A and B are the same" in same.output
    different = run("diff", "mixnet_s", "mixnet_m", "--exit-code", "-f", "json")
    assert different.exit_code == 1
    data = json.loads(different.output)
    assert data["differs"] and data["totals"]["macs"] == [reference("mixnet_s")["macs"], MIXNET_M_MACS]
    assert [(data[side]["model"], data[side]["family"]) for side in "ab"] == [("MixNet-S", "MixNet"),
                                                                             ("MixNet-M", "MixNet")]
    assert run("diff", "mixnet_s", "mixnet_m").exit_code == 0  # without --exit-code, as git diff
    assert run("diff", "mixnet_s", "mixnet_m", "-f", "markdown").output.startswith("- A: MixNet-S")


def test_list_and_types_as_json():
    specs = {s["name"]: s for s in json.loads(run("list", "-f", "json").output)["specs"]}
    assert specs["mixnet_m"]["macs"] == MIXNET_M_MACS and specs["mixnet_l"]["variant_of"] == "mixnet_m.yaml (bundled)"
    assert specs["efficientnet_b3"]["depth"] == 1.4
    reference = json.loads(run("types", "-f", "json").output)
    conv = next(t for t in reference["layer_types"] if t["name"] == "conv")
    assert {f["name"] for f in conv["fields"]} >= {"out", "kernel", "stride", "groups"}


def test_group_by_and_top():
    stages = run("analyze", "mixnet_m", "--group-by", "stage").output
    assert "\nstage3  " in stages and "\ntotal " in stages
    lines = run("analyze", "resnet50", "--top", "3").output.splitlines()
    assert any(line.startswith("top 3 of ") for line in lines)
    assert run("analyze", "mixnet_m", "--top", "3", "-f", "json").exit_code == 2


def test_top_stages():
    # timm's MixNet-M, hooked in PyTorch (tests/data/onnx/reference.json): its blocks.N are the spec's stageN
    by_stage: dict[str, int] = {}
    for layer in onnx_layers("mixnet_m"):
        parts = layer["module"].split(".")
        if parts[0] == "blocks":
            by_stage[f"stage{parts[1]}"] = by_stage.get(f"stage{parts[1]}", 0) + layer["macs"]
    top = sorted(by_stage.items(), key=lambda item: -item[1])[:3]
    lines = run("analyze", "mixnet_m", "--group-by", "stage", "--top", "3").output.splitlines()
    rows = [line.split()[0] for line in lines[5:8]]
    assert rows == [name for name, _ in top]
    total = next(line for line in lines if line.startswith("top 3 of 8 "))  # stem, six stages, head
    assert f"{sum(macs for _, macs in top) / 1e6:.1f}M" in total


@pytest.mark.parametrize("text,values", [
    ("96:224:50", (96, 146, 196)),  # never passes the stop (246 would)
    ("96:224:32,256", (96, 128, 160, 192, 224, 256)),
])
def test_resolution_ranges(text, values):
    assert NumberList(int).convert(text, None, None) == values


@pytest.mark.parametrize("text,values", [
    ("0.5:1.0:0.3", (0.5, 0.8)),  # not 1.1
    ("0.25:1.0:0.3", (0.25, 0.55, 0.85)),
    ("0.25:1.0:0.05", tuple(round(0.25 + 0.05 * i, 2) for i in range(16))),  # 1.0 reached despite binary 0.05
    ("1,0.75,0.5", (1.0, 0.75, 0.5)),
])
def test_width_ranges(text, values):
    assert NumberList(float).convert(text, None, None) == values


@pytest.mark.parametrize("args,message", [
    (["--resolution", "100.7"], "resolutions are whole pixels"),
    (["--resolution", "96:224:0.5"], "resolutions are whole pixels"),
    (["--width", "0.01:16:0.0000001"], "has 159,900,001 values; a sweep takes at most 1,000,000"),
    (["--width", "1:0.5:0.1"], "the stop is below the start"),
    (["--width", "nan"], "every value must be a finite number above 0"),
])
def test_bad_grids_are_refused_before_anything_is_built(args, message):
    result = run("sweep", "mobilenet_v1", *args)
    assert result.exit_code == 2 and message in result.output


def test_sweep_rows_stream_and_name_their_network(tmp_path):
    result = run("sweep", "mobilenet_v1", "--width", "1,0.5", "--resolution", "224,160", "-o", str(tmp_path / "g.csv"))
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text())))
    assert [(r["model"], r["width"], r["resolution"]) for r in rows] == [
        ("MobileNet", "1.0", "224"), ("MobileNet", "1.0", "160"), ("MobileNet", "0.5", "224"),
        ("MobileNet", "0.5", "160")]
    # 0.5 MobileNet-160: timm's mobilenetv1_050 at 160 (TF-slim README: 77M)
    assert rows[3]["macs"] == str(reference("mobilenet_v1", width=0.5, resolution=160)["macs"])
    lines = run("sweep", "mobilenet_v1", "--width", "1,0.5", "-f", "jsonl").output.splitlines()
    assert [json.loads(line)["width"] for line in lines] == [1.0, 0.5]
    assert all(json.loads(line)["schema_version"] == 2 for line in lines)


def test_the_report_echoes_the_grid(tmp_path):
    result = run("sweep", "mobilenet_v1", "--width", "0.25:1.0:0.25", "--resolution", "128,224", "--no-plots",
                 "-o", str(tmp_path / "s"))
    assert result.exit_code == 0
    report = (tmp_path / "s" / "report.md").read_text()
    assert "widths 0.25:1.0:0.25 (4 values: 0.25, 0.5, 0.75, 1)" in report
    assert "## Peak activation memory" in report


def test_no_progress_bar_outside_a_terminal():
    result = run("sweep", "mobilenet_v1", "--width", "0.25:1.0:0.05", "--resolution", "96:224:8")
    assert result.exit_code == 0 and "sweeping" not in result.stderr


def test_a_depth_grid_sweeps_as_the_references_scale():
    # timm's and torchvision's EfficientNet built at each width and depth multiplier (tests/data)
    result = run("sweep", "efficientnet_b0", "--width", "1,1.2", "--depth", "1:1.4:0.2", "-c", "torch", "-f", "json")
    assert result.exit_code == 0
    points = json.loads(result.output)["points"]
    assert [(p["width"], p["depth"]) for p in points] == [(w, d) for d in (1.0, 1.2, 1.4) for w in (1.0, 1.2)]
    for p in points:
        if (p["width"], p["depth"]) != (1.2, 1.2):  # the one the oracle did not build
            expected = reference("efficientnet_b0", width=p["width"], depth=p["depth"])
            assert (p["macs"], p["params"]) == (expected["macs"], expected["params"])
    assert json.loads(result.output)["depths"] == "1:1.4:0.2 (3 values: 1, 1.2, 1.4)"


def test_a_depth_grid_reports_one_set_of_grids_and_one_figure_per_depth(tmp_path):
    result = run("sweep", "mixnet_m", "--width", "1,1.6", "--resolution", "224,256", "--depth", "1,1.2",
                 "-o", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    report = (tmp_path / "s" / "report.md").read_text()
    assert "## MACs at depth 1.2" in report and "## MACs at depth 1\n" in report
    assert {p.name for p in (tmp_path / "s").glob("*.png")} == {"sweep_depth_1.png", "sweep_depth_1.2.png"}
    # MixNet-XL (timm: mixnet_m's arguments at width 1.6, depth 1.2) at 256 px, from the 1.2 grid's row
    xl = reference("mixnet_m", width=1.6, depth=1.2, resolution=256)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "s" / "points.csv").read_text())))
    row = next(r for r in rows if (r["width"], r["depth"], r["resolution"]) == ("1.6", "1.2", "256"))
    assert int(row["macs"]) == xl["macs"] and int(row["params"]) == xl["params"] - xl["bn_params"]


@pytest.mark.parametrize("args,message", [
    (["--depth", "1,1.2"], "MobileNetV3-Large defines no depth multiplier"),
    (["--width", "0.1:1:0.001", "--resolution", "32:1024:1", "--depth", "1,2"],
     "901 widths × 993 resolutions × 2 depths are 1,789,386 variants"),
])
def test_a_depth_grid_is_checked_before_the_first_row(args, message):
    result = run("sweep", "mobilenet_v3_large", *args)
    assert result.exit_code == 2 and message in result.output and "width  resolution" not in result.output


@pytest.mark.parametrize("words", [["analyze"], ["diff"], ["diff", "mixnet_m"], ["check"], ["table", "--kind", "types"],
                                   ["verify"], ["compare", "mixnet_s"], ["sweep"], ["plot", "mixnet_s"]])
def test_every_spec_argument_completes_bundled_names_and_paths(words):
    from click.shell_completion import ShellComplete

    completions = ShellComplete(cli, {}, "costnet", "_COSTNET_COMPLETE").get_completions(words, "mob")
    assert [(c.value, c.type) for c in completions] == [
        ("mobilenet_v1", "plain"), ("mobilenet_v2", "plain"), ("mobilenet_v3_large", "plain"),
        ("mobilenet_v3_small", "plain"), ("mob", "file")]  # archs/mobilenet_*.yaml, then the shell's own paths


@pytest.mark.parametrize("args,message", [
    (["analyze", "mobilenet_v1", "-o", "m.jsonl"], "m.jsonl ends in .jsonl, which means jsonl, a format this command "
                                                   "does not write (it writes table, json, csv, markdown)"),
    (["diff", "mobilenet_v1", "mobilenet_v1@0.5", "-o", "d.csv"], "(it writes table, markdown, json)"),
    (["list", "-o", "l.csv"], "(it writes table, json)"),
    (["types", "-o", "t.tex"], "which means latex"),
    (["report", "-o", "rep.md"], "report writes a folder of pages and figures"),
])
def test_an_extension_naming_a_format_the_command_lacks_is_refused(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2 and message in result.output and not list(tmp_path.iterdir())


def test_an_extension_naming_no_format_takes_the_default_and_sweep_format_means_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("analyze", "mobilenet_v1", "-o", "m.out").exit_code == 0
    assert Path("m.out").read_text().startswith("MobileNet · input 3×224×224")
    assert run("types", "-o", "t.txt").exit_code == 0 and Path("t.txt").read_text().startswith("## ")  # markdown
    assert run("sweep", "mobilenet_v1", "-w", "1,0.5", "-f", "csv", "-o", "grid").exit_code == 0
    assert Path("grid").is_file() and Path("grid").read_text().startswith("model,family,spec,width")


def test_every_csv_row_says_which_network_and_variant_it_is_of():
    output = run("analyze", "mobilenet_v1", "-w", "0.5", "-r", "160", "-f", "csv").output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert {(r["model"], r["family"], r["spec"], r["width"], r["resolution"], r["depth"]) for r in rows} == {
        ("MobileNet", "MobileNetV1", "mobilenet_v1.yaml (bundled)", "0.5", "160", "1.0")}
    assert sum(int(r["macs"]) for r in rows) == reference("mobilenet_v1", width=0.5, resolution=160)["macs"]
    rows = list(csv.DictReader(io.StringIO(run("table", "mobilenet_v1", "--kind", "types", "-f", "csv").output)))
    assert {(r["model"], r["family"], r["width"], r["resolution"]) for r in rows} == {
        ("MobileNet", "MobileNetV1", "1.0", "224")}
    # MobileNet's Table 3 is of its 14×14, 512-channel depthwise layer: 3·3·512·512·14·14 MACs as a full conv
    output = run("table", "mobilenet_v1", "-k", "layer-modifications", "--layer", "features.6.dw", "-f", "csv").output
    first = next(csv.DictReader(io.StringIO(output)))
    assert (first["macs"], first["model"], first["resolution"]) == (str(3 * 3 * 512 * 512 * 14 * 14), "MobileNet", "224")


def test_the_separable_table_shows_the_pointwise_groups_its_formula_uses():
    # MixNet-M's second stage opens with a [3,5,7] MixConv of 144 channels (48 each) and a 1×1 projection to 32 in
    # two groups (timm: ir_r1_k3.5.7_a1.1_p1.1_s2_e6_c32, `p1.1`): 1/N + 1/(g·D̄k²), D̄k² = (9 + 25 + 49)/3
    rows = list(csv.DictReader(io.StringIO(run("table", "mixnet_m", "--kind", "separable", "-f", "csv").output)))
    row = next(r for r in rows if r["depthwise"] == "stage1.0.dw")
    assert (row["n"], row["dk"], row["pointwise_groups"]) == ("32", "3,5,7", "2")
    assert float(row["formula"]) == pytest.approx(1 / 32 + 1 / (2 * (9 + 25 + 49) / 3))
    text = run("table", "mixnet_m", "--kind", "separable").output
    assert "1/N + 1/(g·D̄k²)" in text and "g: the pointwise convolution's groups." in text


def test_a_report_says_why_it_has_no_accuracy_figure(tmp_path):
    # The MobileNet paper publishes α ∈ {1, 0.75, 0.5, 0.25} × {224, 192, 160, 128}: of this grid, only 1.0 at 224
    result = run("sweep", "mobilenet_v1", "-w", "1.0,0.9", "-r", "224,200", "-o", str(tmp_path / "s"))
    assert result.exit_code == 0 and "4 variants" in result.output
    assert not (tmp_path / "s" / "accuracy.png").exists()
    report = (tmp_path / "s" / "report.md").read_text()
    assert "No accuracy figure: 1 variant of this grid has a published top-1" in report
