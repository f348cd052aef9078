"""The command line: output, formats, the JSON contract, exit codes, and no half-written files."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from costnet.cli import DIFF_FORMAT_NAMES, FORMAT_NAMES, cli
from costnet.analysis.conventions import CONVENTIONS
from costnet.outputs.diffrender import DIFF_FORMATS
from costnet.outputs.render import FORMATS
from costnet.frontends.spec.spec import CONVENTION_NAMES
from independent import reference, reference_paper_params

# timm's models by forward hooks (tests/data/reference_figures.json); `paper` parameters are sum(p.numel()) less
# batch norm's γ and β
MIXNET_M = reference("mixnet_m")
MIXNET_M_PAPER_PARAMS = reference_paper_params("mixnet_m")


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_registries_and_cli_choices_agree():
    assert tuple(FORMATS) == FORMAT_NAMES
    assert tuple(CONVENTIONS) == CONVENTION_NAMES
    assert tuple(DIFF_FORMATS) == DIFF_FORMAT_NAMES  # cli/analysis.py says "(tested)"; no test checked it


def test_analyze_table_states_totals_and_convention():
    result = run("analyze", "mixnet_m.yaml")
    assert result.exit_code == 0
    out = result.output
    assert "MixNet-M · input 3×224×224" in out
    assert f"339.2M MACs ({MIXNET_M['macs']:,})" in out and f"5.0M params ({MIXNET_M_PAPER_PARAMS:,})" in out
    assert "convention: paper: MACs = multiply-accumulates" in out
    assert "params = weights + biases (no batch norm)" in out
    assert "not counted as MACs: activations, batch norm, local response normalization, pooling" in out
    assert any(line.split()[:2] == ["stage1.0.dw", "dwconv"] for line in out.splitlines())


def test_torch_convention_counts_batch_norm():
    assert f"5.0M params ({MIXNET_M['params']:,})" in run("analyze", "mixnet_m", "-c", "torch").output


def test_json_contract():
    data = json.loads(run("analyze", "mobilenet_v1", "--format", "json", "--width", "0.5", "-r", "160").output)
    assert data["model"] == "MobileNet"
    assert data["input"] == {"channels": 3, "height": 160, "width": 160}
    assert data["convention"]["name"] == "paper"
    # timm's mobilenetv1_050 at 160
    expected = (reference("mobilenet_v1", width=0.5, resolution=160)["macs"],
                reference_paper_params("mobilenet_v1", width=0.5, resolution=160))
    assert (data["totals"]["macs"], data["totals"]["params"]) == expected == (76_524_800, 1_320_648)
    assert set(data["totals"]) >= {"macs", "params", "activations"}
    layer = data["layers"][0]
    assert set(layer) >= {"name", "type", "input_shape", "output_shape", "macs", "params"}
    assert layer["output_shape"] == {"channels": 16, "height": 80, "width": 80}  # 32 · 0.5 filters, stride 2
    assert sum(l["macs"] for l in data["layers"]) == data["totals"]["macs"]
    pair = data["separable"][0]
    assert pair["ratio"] == pytest.approx(pair["formula"]) == pytest.approx(1 / 32 + 1 / 9)
    assert {(r["source"], r["top1"]) for r in data["reported"]} == {
        ("TF-slim mobilenet_v1.md, 2017_06_14 checkpoints", 59.9), ("Howard et al. 2017, MobileNets, Table 9", 60.2)}


def test_csv_rows_are_exact_integers():
    rows = list(csv.DictReader(io.StringIO(run("analyze", "mobilenet_v1", "-f", "csv").output)))
    assert len(rows) == 30
    assert sum(int(r["macs"]) for r in rows) == reference("mobilenet_v1")["macs"]  # timm's mobilenetv1_100
    assert {r["convention"] for r in rows} == {"paper"}  # `params` depends on it: every row says which


def test_a_bad_option_is_one_line():
    result = CliRunner().invoke(cli, ["analyze", "mobilenet_v1", "--width", "x"], prog_name="costnet")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("costnet: error: Invalid value for '--width' / '-w': 'x' is not a valid float. "
                             "(see 'costnet analyze --help')\n")


def test_a_value_out_of_range_gets_the_python_apis_message():
    result = CliRunner().invoke(cli, ["analyze", "mobilenet_v1", "--width", "0"], prog_name="costnet")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "costnet: error: the width multiplier must be a number above 0, at most 16 (got 0)\n"


def test_markdown():
    out = run("analyze", "mixnet_s", "-f", "markdown").output
    total = f"**{reference('mixnet_s')['macs'] / 1e6:.1f}M**"  # timm's mixnet_s: 239,173,360 MACs
    assert out.startswith("## MixNet-S") and "| layer" in out and total == "**239.2M**" and total in out


def test_list_shows_bundled_specs():
    out = run("list").output
    shown = [f"{reference(name)['macs'] / 1e6:.1f}M" for name in ("mixnet_m", "mobilenet_v1")]  # timm's MACs
    assert "mixnet_m" in out and "MixNet" in out and shown == ["339.2M", "568.7M"] and all(m in out for m in shown)


def test_types_is_generated_from_the_registry():
    out = run("types").output
    assert "### `dwconv`" in out and "### `mixnet`" in out and "`expand_groups`" in out


@pytest.mark.parametrize("args,message", [
    (["analyze", "does_not_exist.yaml"], "no such file, and no bundled spec"),
    (["analyze", "models/mixnet_m.yaml"], "models/mixnet_m.yaml: no such file"),  # a path, not a bundled name
    (["analyze", "mobilenet_v1", "--width", "nan"], "the width multiplier must be a number above 0"),
    (["analyze", "mobilenet_v1", "--resolution", "99999"], "from 1 to 8,192 (got 99999)"),
    (["analyze", "mobilenet_v1", "--resolution", "100.7"], "'100.7' is not a valid integer"),
    (["analyze", "mobilenet_v1", "--format", "xml"], "Invalid value for '--format'"),
    (["analyze", "mobilenet_v1", "--convention", "tf"], "Invalid value for '--convention'"),
])
def test_bad_input_exits_2(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_output_file_is_not_written_on_error(tmp_path):
    target = tmp_path / "out.json"
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\ninput: {resolution: 8}\nbody: [{name: s, blocks: [{type: fc, out: 3}]}]\n")
    result = CliRunner().invoke(cli, ["analyze", str(bad), "-f", "json", "-o", str(target)])
    assert result.exit_code == 2 and not target.exists()
    assert run("analyze", "mixnet_s", "-f", "json", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["model"] == "MixNet-S"
    assert sorted(os.listdir(tmp_path)) == ["bad.yaml", "out.json"]


def test_console_script_from_another_directory(tmp_path):
    result = subprocess.run([sys.executable, "-m", "costnet", "analyze", "mixnet_l.yaml", "-f", "json"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["macs"] == reference("mixnet_l", width=1.3)["macs"]  # timm mixnet_l


def test_error_from_the_real_process_has_no_traceback(tmp_path):
    (tmp_path / "x.yaml").write_text("version: 1\nname: [\n")
    result = subprocess.run([sys.executable, "-m", "costnet", "analyze", "x.yaml"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("costnet: error: x.yaml:3:1: YAML syntax error")
    assert "Traceback" not in result.stderr


def test_an_unknown_top_level_option_is_one_line():
    result = CliRunner().invoke(cli, ["--bogus"], prog_name="costnet")
    assert result.exit_code == 2
    assert result.stderr == "costnet: error: No such option '--bogus'. (see 'costnet --help')\n"


def test_plots_without_matplotlib_are_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an install without the plot extra sees
    result = CliRunner().invoke(cli, ["plot", "mobilenet_v1", "--output", str(tmp_path / "f.png")])
    assert result.exit_code == 2
    assert "plots need matplotlib, which costnet depends on but this Python lacks: pip install matplotlib" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_report_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(cli, ["report", "--output", str(blocker / "reports"), "--no-plots"])
    assert result.exit_code == 2
    assert result.stderr == f"costnet: error: cannot write {blocker / 'reports'}: Not a directory\n"
