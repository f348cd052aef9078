"""The documentation shows what the code does: generated references and example output stay current."""

import re
from pathlib import Path

from click.testing import CliRunner

import costnet
from costnet.cli import cli
from costnet.outputs.docgen import update_ci_doc, update_markdown, update_onnx_doc, update_readme
from costnet.analysis.published import check
from independent import reference

ROOT = Path(__file__).parent.parent


def test_spec_reference_is_generated_from_the_registry():
    text = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    assert update_markdown(text) == text, "run: python -m costnet.outputs.docgen"


def test_worked_example_in_spec_docs_analyzes_and_meets_its_figures():
    text = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    example = re.search(r"## A worked example\n\n```yaml\n(.*?)```", text, re.S).group(1)
    result = costnet.analyze(costnet.parse_spec(example, "tiny.yaml"))
    names = [layer.name for layer in result.layers]
    assert names[:5] == ["stem.0", "stage1.0.expand", "stage1.0.dw", "stage1.0.se", "stage1.0.project"]
    assert "stage1.1.add" in names
    (reported,) = result.reported
    assert all(figure.matches for figure in check(reported, result))
    # By hand, 3×64×64 in: the stem 3 → 16 at 32×32; two MixNet blocks at 16×16 (expand ×6, kernels 3/5/7 on a
    # third of the channels each, SE reduced to half the block's input, project to 24); the head 24 → 256 at
    # 16×16; fc 256 → 10.
    mixed = 3 * 3 + 5 * 5 + 7 * 7  # a depthwise channel per kernel size
    macs = (3 * 16 * 9 * 32 * 32
            + 16 * 96 * 32 * 32 + 32 * mixed * 16 * 16 + 2 * 96 * 8 + 96 * 24 * 16 * 16
            + 24 * 144 * 16 * 16 + 48 * mixed * 16 * 16 + 2 * 144 * 12 + 144 * 24 * 16 * 16
            + 24 * 256 * 16 * 16 + 256 * 10)
    params = (3 * 16 * 9
              + 16 * 96 + 32 * mixed + (2 * 96 * 8 + 8 + 96) + 96 * 24
              + 24 * 144 + 48 * mixed + (2 * 144 * 12 + 12 + 144) + 144 * 24
              + 24 * 256 + 256 * 10 + 10)  # biases: SE's two convolutions and the classifier; batch norm elsewhere
    assert (result.totals.macs, result.totals.params) == (macs, params)
    assert (round(macs / 1e6, 1), round(params / 1e6, 2)) == (7.7, 0.03)  # the example's `reported:`


def test_readme_example_output_is_real_and_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert update_readme(text) == text, "run: python -m costnet.outputs.docgen"
    block = re.search(r"<!-- BEGIN EXAMPLE: costnet analyze mixnet_m.yaml -->\n```\n(.*?)```", text, re.S).group(1)
    output = CliRunner().invoke(cli, ["analyze", "mixnet_m.yaml"]).output.splitlines()
    shown = [line for line in block.splitlines() if line != "…"]
    assert len(shown) > 20 and all(line in output for line in shown)


def test_budget_reference_in_ci_doc_is_generated_from_the_registry():
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert update_ci_doc(text) == text, "run: python -m costnet.outputs.docgen"


def test_onnx_operators_in_docs_are_generated_from_the_registry():
    text = (ROOT / "docs" / "onnx.md").read_text(encoding="utf-8")
    assert update_onnx_doc(text) == text, "run: python -m costnet.outputs.docgen"
    assert "| `Conv` |" in text and "`ConvTranspose`" in text


def test_ci_doc_example_output_is_real():
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(entry +limit .*?)```", text, re.S).group(1)
    output = CliRunner().invoke(cli, ["check", "mixnet_m", "--max-macs", "400M", "--max-params", "5.5M"]).output
    assert block == output


def test_the_parallel_example_names_its_layers_as_the_docs_say():
    text = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    example = re.search(r"### `parallel`: a residual and a concatenating shortcut\n\n```yaml\n(.*?)```", text, re.S)
    spec = "version: 1\nname: p\ninput: {channels: 64, resolution: 8}\n" + example.group(1)
    result = costnet.analyze(costnet.parse_spec(spec, "p.yaml"))
    names = [layer.name for layer in result.layers]
    assert names == ["stage1.res.branch1.0", "stage1.res.branch1.1", "stage1.res.add", "stage1.dense.branch2.0",
                     "stage1.dense.branch2.1", "stage1.dense.concat"]
    assert all(f"`{name}`" in text for name in names)
    assert result.layers[-1].output_shape.channels == 96 == 64 + 32


def test_the_readme_python_example_runs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"<!-- tests/test_docs.py runs this block -->\n```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # its asserts are the figures it quotes
    # 30 rows: Table 1's 28 layers with weights, its average pool and TF-slim's dropout; the MACs are timm's
    # mobilenetv1_050 at 160 (tests/data/reference_figures.json)
    macs = reference("mobilenet_v1", width=0.5, resolution=160)["macs"]
    assert repr(namespace["result"]).startswith(f"<Analysis MobileNet: 30 layers, {macs:,} MACs")


def test_a_spec_and_a_graph_show_in_one_line():
    # archs/mobilenet_v1.yaml: stages stem (1 entry), features (9), head (3)
    assert repr(costnet.load("mobilenet_v1")) == \
        "<Spec MobileNet (mobilenet_v1.yaml (bundled)): 3 stages, 13 entries, input 3×224×224>"
    scaled = costnet.scale(costnet.load("mobilenet_v1"), width=0.5, resolution=160)
    assert repr(scaled).endswith("13 entries, input 3×160×160, width 0.5, depth 1>")
    # Table 1's 28 layers with weights, its average pool and TF-slim's dropout
    assert repr(costnet.build_graph(scaled)) == "<Graph MobileNet (mobilenet_v1.yaml (bundled)): 30 layers, input " \
                                                "3×160×160>"


def test_every_limit_option_docs_ci_names_exists():
    from costnet.cli.check import check as check_command

    documented = re.findall(r"^\| [^|]+ \| `(--max-[a-z-]+)` \|", (ROOT / "docs" / "ci.md").read_text(), re.M)
    options = {opt for p in check_command.params for opt in p.opts}
    assert len(documented) >= 5 and set(documented) <= options, set(documented) - options


def test_the_baseline_gate_example_of_docs_ci_is_what_check_prints(tmp_path, monkeypatch):
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    shown = re.search(r"```\n(MixNet-M 1\.0-232: layers that grew.*?)\n  …\n```", text, re.S).group(1).splitlines()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "baselines").mkdir()
    (tmp_path / "models" / "mixnet_m.yaml").write_text((ROOT / "archs" / "mixnet_m.yaml").read_text())
    baseline = CliRunner().invoke(cli, ["analyze", "models/mixnet_m.yaml", "--format", "json"]).output
    (tmp_path / "baselines" / "mixnet_m.json").write_text(baseline)
    result = CliRunner().invoke(cli, ["check", "models/mixnet_m.yaml", "--resolution", "232", "--baseline",
                                      "baselines/mixnet_m.json", "--max-increase", "2%"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    start = lines.index(shown[0])
    assert lines[start:start + len(shown)] == shown
    # head.0 is MixNet-M's 1×1 head conv, 200 → 1536 channels: at 7×7 then at 8×8 (232 px)
    assert f"{200 * 1536 * 7 * 7:,} → {200 * 1536 * 8 * 8:,}" in shown[1]
