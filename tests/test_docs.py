"""The documentation shows what the code does: generated references and example output stay current."""

import re
from pathlib import Path

from click.testing import CliRunner

import costnet
from costnet.cli import cli
from costnet.outputs.docgen import update_ci_doc, update_markdown, update_readme
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
