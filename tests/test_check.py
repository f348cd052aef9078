"""`costnet check` and `costnet diff`: every exit code and output format, budget files, baselines.

Reference figures, each obtained independently of costnet's analyzer:
- MixNet-M at 224: 339,172,672 MACs and 4,972,670 parameters under `paper`, read from timm's mixnet_m in
  tests/data/reference_figures.json (4,972,670 = timm's 5,014,382 minus 41,712 batch-norm γ/β).
- MixNet-M's head, a 1×1 conv 200 → 1536: 200·1536·7·7 = 15,052,800 MACs at 224 (7×7 maps) and
  200·1536·8·8 = 19,660,800 at 232 (⌈232/32⌉ = 8).
"""

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from costnet.studies.budget import parse_budget_file
from costnet.analysis.memory import DTYPES
from costnet.analysis.quantities import QUANTITIES
from costnet.outputs.checkrender import CHECK_FORMATS
from costnet.cli import CHECK_FORMAT_NAMES, cli
from costnet.errors import SpecError
from independent import reference, reference_paper_params

MIXNET_M_MACS = reference("mixnet_m")["macs"]  # 339,172,672
MIXNET_M_PARAMS = reference_paper_params("mixnet_m")  # 4,972,670
MIXNET_M_HEAD_MACS = {224: 200 * 1536 * 7 * 7, 232: 200 * 1536 * 8 * 8}  # see above
ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def budget(tmp_path, text, name="budgets.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_cli_choices_come_from_the_registries():
    assert CHECK_FORMAT_NAMES == tuple(CHECK_FORMATS)
    check = cli.commands["check"]
    options = {opt for param in check.params for opt in param.opts}
    assert {f"--max-{name.replace('_', '-')}" for name in QUANTITIES} <= options
    dtype = next(p for p in check.params if p.name == "dtype")
    assert tuple(dtype.type.choices) == tuple(DTYPES)


# ---- exit codes and the table ---------------------------------------------------------------------------

def test_limits_that_hold_exit_0_with_headroom():
    result = run("check", "mixnet_m", "--max-macs", "400M", "--max-params", "5M")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    # (400,000,000 − 339,172,672) / 400,000,000 = 15.21%; (5,000,000 − 4,972,670) / 5,000,000 = 0.55%
    assert ["MixNet-M", "1.0-224", "MACs", "339.2M", "400M", "+15.2%", "PASS"] in rows
    assert ["MixNet-M", "1.0-224", "params", "5.0M", "5M", "+0.5%", "PASS"] in rows
    assert "2 limits checked, 0 exceeded (convention: paper)" in result.output


def test_an_exceeded_limit_exits_1():
    result = run("check", "mixnet_m", "--max-macs", "300M", "--max-params", "5M")
    assert result.exit_code == 1
    rows = [line.split() for line in result.output.splitlines()]
    # (300M − 339,172,672) / 300M = −13.06%
    assert ["MixNet-M", "1.0-224", "MACs", "339.2M", "300M", "-13.1%", "FAIL"] in rows
    assert "2 limits checked, 1 exceeded" in result.output


def test_a_limit_equal_to_the_value_holds_and_one_less_fails():
    assert run("check", "mixnet_m", "--max-macs", MIXNET_M_MACS).exit_code == 0
    assert run("check", "mixnet_m", "--max-macs", MIXNET_M_MACS - 1).exit_code == 1


def test_a_limit_of_zero_is_exceeded_and_has_no_headroom():
    result = run("check", "mixnet_m", "--max-activations", "0")
    assert result.exit_code == 1
    assert round(reference("mixnet_m")["activations"] / 1e6, 1) == 8.2  # timm's conv + linear outputs
    assert ["MixNet-M", "1.0-224", "activations", "8.2M", "0", "—", "FAIL"] in \
        [line.split() for line in result.output.splitlines()]


def test_width_resolution_and_convention_apply():
    # MobileNet 0.5-160: timm's 76,524,800 MACs (MobileNet paper Table 9 and TF-slim README: 76M / 77M).
    # Under `torch`, MixNet-M has timm's 5,014,382 parameters.
    macs = reference("mobilenet_v1", width=0.5, resolution=160)["macs"]
    assert run("check", "mobilenet_v1", "-w", 0.5, "-r", 160, "--max-macs", macs).exit_code == 0
    assert run("check", "mobilenet_v1", "-w", 0.5, "-r", 160, "--max-macs", macs - 1).exit_code == 1
    params = reference("mixnet_m")["params"]
    assert run("check", "mixnet_m", "-c", "torch", "--max-params", params).exit_code == 0
    assert run("check", "mixnet_m", "-c", "torch", "--max-params", params - 1).exit_code == 1


@pytest.mark.parametrize("limit, dtype, code", [  # weight bytes: MIXNET_M_PARAMS × the dtype's size
    (str(MIXNET_M_PARAMS), "int8", 0),  # bytes
    ("4.97MB", "int8", 1),            # 4,970,000 < 4,972,670
    ("4.75MiB", "int8", 0),           # 4,980,736
    ("9.95MB", "fp16", 0),            # 2 × 4,972,670 = 9,945,340
    ("9.9MB", "fp16", 1),
    (str(4 * MIXNET_M_PARAMS), "fp32", 0),      # 4 × 4,972,670
    (str(4 * MIXNET_M_PARAMS - 1), "fp32", 1),
])
def test_weight_bytes_follow_the_dtype(limit, dtype, code):
    assert run("check", "mixnet_m", "--max-weights", limit, "--dtype", dtype).exit_code == code


def test_fractional_limits_round_down():
    # a limit of 4,972,669.5 parameters does not admit MixNet-M's 4,972,670
    assert MIXNET_M_PARAMS == 4_972_670
    assert run("check", "mixnet_m", "--max-params", "4972669.5").exit_code == 1
    assert run("check", "mixnet_m", "--max-params", "4.9726695M").exit_code == 1
    assert run("check", "mixnet_m", "--max-params", "4.97267M").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["check", "mixnet_m", "--max-macs", "400X"], "400X"),
    (["check", "mixnet_m", "--max-macs", "1e400"], "out of range"),
    (["check", "mixnet_m", "--max-weights", "1e309MB"], "out of range"),
    (["check", "mixnet_m", "--max-macs", "-1"], "'-1' is not a count"),
    (["check", "mixnet_m", "--baseline", "b.json", "--max-increase", "2"], "as a percentage, e.g. 2%"),
    (["check", "mixnet_m", "--baseline", "b.json", "--max-increase", "-1%"], "between 0% and 1000%"),
    (["check", "mixnet_m", "--baseline", "b.json", "--max-increase", "1e400%"], "between 0% and 1000%"),
    (["check", "mixnet_m", "--max-weights", "8 parsecs"], "8 parsecs"),
    (["check", "mixnet_m"], "no limit given"),
    (["check", "--max-macs", "1M"], "give a SPEC"),
    (["check", "mixnet_m", "--baseline", "b.json"], "--baseline and --max-increase go together"),
    (["check", "mixnet_m", "--max-increase", "2%"], "--baseline and --max-increase go together"),
    (["check", "no_such_net", "--max-macs", "1M"], "no such file, and no bundled spec"),
    (["check", "mixnet_m", "--max-macs", "1M", "--dtype", "int4"], "Invalid value for '--dtype'"),
    (["check", "mixnet_m", "--max-macs", "1M", "--format", "xml"], "Invalid value for '--format'"),
])
def test_bad_input_exits_2_without_a_traceback(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_spec_is_an_error_row_and_exit_2_even_beside_passing_entries(tmp_path):
    path = budget(tmp_path, "version: 1\nbudgets:\n"
                            "  - {spec: mixnet_m, max_macs: 400M}\n"
                            "  - {spec: models/gone.yaml, max_macs: 1M}\n")
    result = run("check", "--budget", path)
    assert result.exit_code == 2
    assert "models/gone.yaml: no such file" in result.output
    assert "1 limit checked, 0 exceeded, 1 could not be evaluated" in result.output


def test_an_invalid_spec_in_a_budget_is_reported_with_its_location(tmp_path):
    (tmp_path / "net.yaml").write_text("version: 1\nname: x\ninput: {resolution: 8}\n"
                                       "body: [{name: s, blocks: [{type: conv, out: 8, kernel: 3, strid: 2}]}]\n")
    result = run("check", "--budget", budget(tmp_path, "version: 1\nbudgets: [{spec: net.yaml, max_macs: 1M}]\n"))
    assert result.exit_code == 2
    assert "net.yaml:4:" in result.output and "did you mean 'stride'" in result.output


# ---- budget files ---------------------------------------------------------------------------------------

def test_a_budget_file_checks_variants_of_one_spec(tmp_path):
    path = budget(tmp_path, "version: 1\ndtype: int8\nbudgets:\n"
                            "  - {spec: mobilenet_v1, width: 0.25, resolution: 128, max_macs: 14M}\n"
                            "  - {spec: mobilenet_v1, name: mid, width: 0.5, resolution: 160, max_macs: 76M}\n"
                            "  - {spec: mixnet_m, max_weights: 5MB}\n")
    result = run("check", "--budget", path)
    # timm's mobilenetv1_025 at 128: 13,570,048 MACs (TF-slim README 14M); 0.5-160: 76,524,800 > 76M
    assert reference("mobilenet_v1", width=0.25, resolution=128)["macs"] == 13_570_048
    assert reference("mobilenet_v1", width=0.5, resolution=160)["macs"] == 76_524_800
    assert result.exit_code == 1
    rows = [line.split() for line in result.output.splitlines()]
    assert ["MobileNet", "0.25-128", "MACs", "13.6M", "14M", "+3.1%", "PASS"] in rows
    assert ["mid", "MACs", "76.5M", "76M", "-0.7%", "FAIL"] in rows
    assert ["MixNet-M", "1.0-224", "weight", "bytes", "5.0MB", "5MB", "+0.5%", "PASS"] in rows


def test_spec_paths_are_relative_to_the_budget_file(tmp_path, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(ROOT / "archs" / "mixnet_m.yaml", models / "net.yaml")
    budget(models, "version: 1\nbudgets: [{spec: net.yaml, max_macs: 400M}]\n")
    monkeypatch.chdir(tmp_path)
    assert run("check", "--budget", "models/budgets.yaml").exit_code == 0


def test_a_spec_path_is_looked_for_beside_the_budget_file_only(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    shutil.copy(ROOT / "archs" / "mixnet_m.yaml", tmp_path / "models" / "net.yaml")
    (tmp_path / "ci").mkdir()
    path = budget(tmp_path / "ci", "version: 1\nbudgets: [{spec: models/net.yaml, max_macs: 400M}]\n")
    monkeypatch.chdir(tmp_path)  # models/net.yaml exists from here, but not beside the budget file
    result = run("check", "--budget", path)
    assert result.exit_code == 2
    assert f"{tmp_path / 'ci' / 'models' / 'net.yaml'}: no such file" in result.output


def test_a_bare_name_is_beside_the_budget_file_or_bundled_never_the_working_directory(tmp_path, monkeypatch):
    shutil.copy(ROOT / "archs" / "resnet50.yaml", tmp_path / "mixnet_m.yaml")  # a decoy in the working directory
    (tmp_path / "ci").mkdir()
    path = budget(tmp_path / "ci", "version: 1\nbudgets: [{spec: mixnet_m.yaml, max_macs: 400M}]\n")
    monkeypatch.chdir(tmp_path)
    result = run("check", "--budget", path)
    assert result.exit_code == 0 and "MixNet-M 1.0-224" in result.output  # the bundled one, 339.2M MACs


def test_entry_labels_name_the_variant():
    result = run("check", "mixnet_s", "-w", 1.125, "--depth", 1.5, "--max-macs", "1G")
    assert result.exit_code == 0 and "MixNet-S 1.125-224 depth 1.5" in result.output


def test_costnets_own_budgets_hold():
    result = run("check", "--budget", ROOT / "budgets.yaml")
    assert result.exit_code == 0, result.output
    covered = {Path(e.spec).stem for e in parse_budget_file(str(ROOT / "budgets.yaml"))}
    assert covered == {p.stem for p in (ROOT / "archs").glob("*.yaml")}


@pytest.mark.parametrize("text, where, message", [
    ("version: 1\nbudgets:\n  - spec: mixnet_m\n    max_mac: 1M\n", ":4:5", "did you mean 'max_macs'?"),
    ("version: 1\nbudgets:\n  - spec: mixnet_m\n    max_macs: lots\n", ":4:15", "e.g. 400M"),
    ("version: 1\nbudgets:\n  - spec: mixnet_m\n    max_weights: 8MBB\n", ":4:18", "e.g. 8MB or 8MiB"),
    ("version: 1\nbudgets:\n  - spec: mixnet_m\n", ":3:5", "an entry needs at least one limit"),
    ("version: 1\nbudgets:\n  - spec: mixnet_m\n    baseline: b.json\n", ":3:5", "go together"),
    ("version: 1\nbudgets:\n  - spec: mixnet_m\n    max_macs: 1M\n    max_macs: 2M\n", ":5:5", "duplicate"),
    ("version: 2\nbudgets: [{spec: mixnet_m, max_macs: 1M}]\n", ":1:10", "this costnet reads version 1"),
    ("budgets: [{spec: mixnet_m, max_macs: 1M}]\n", ":1:1", "version"),
    ("version: 1\nbudgets: []\n", ":2:10", "no entries"),
    ("version: 1\nbudgets: {spec: mixnet_m}\n", ":2:10", "list"),
    ("version: 1\nbudget: []\n", ":2:1", "did you mean 'budgets'?"),
    ("version: 1\nconvention: tf\nbudgets: [{spec: mixnet_m, max_macs: 1M}]\n", ":2:13", "paper"),
    ("version: 1\nbudgets: [{spec: mixnet_m, max_macs: 1M, width: -1}]\n", ":2:", "width"),
    ("- just\n- a list\n", ":1:1", "mapping"),
    ("version: 1\nbudgets: [{spec: mixnet_m, max_macs: 1M\n", ":", "YAML"),
    ("version: 1\nbudgets: [{spec: !!python/object:os.system mixnet_m, max_macs: 1M}]\n", ":2:", "tag"),
    ("version: 1\nbudgets: [{spec: mixnet_m, max_macs: -1}]\n", ":2:38", "'-1' is not a count"),
    ("version: 1\nbudgets: [{spec: mixnet_m, max_macs: 1" + "0" * 400 + "}]\n", ":2:38", "out of range"),
    ("version: 1\nbudgets: [{spec: mixnet_m, max_macs: 1." + "0" * 400 + "}]\n", ":2:38", "402 characters long"),
    ("version: 1\nbudgets: [{spec: mixnet_m, baseline: b.json, max_increase: 0.02}]\n", ":2:", "e.g. 2%"),
    ("version: 1\nbudgets: &a [*a]\n", ":2:", "alias refers to a list or mapping that contains it"),
    ("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
     + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 7))
     + "budgets: [*a6]\n", ":", "expands to more than 100,000 values"),  # 10⁷ values from 9 lines
])
def test_malformed_budget_files_exit_2_with_file_line_and_column(tmp_path, text, where, message):
    path = budget(tmp_path, text)
    result = run("check", "--budget", path, "--format", "junit", "--output", tmp_path / "junit.xml")
    assert result.exit_code == 2, result.output
    first = result.output.strip().splitlines()[0]
    assert f"{path}{where}" in first, first
    assert message.lower() in result.output.lower()
    assert "Traceback" not in result.output
    assert not (tmp_path / "junit.xml").exists()


def test_a_missing_budget_file_exits_2(tmp_path):
    result = run("check", "--budget", tmp_path / "none.yaml")
    assert result.exit_code == 2 and "none.yaml" in result.output


@pytest.mark.parametrize("args, dropped", [
    (["mixnet_m"], "SPEC"),
    (["--max-macs", "1M"], "--max-macs"),
    (["-c", "torch"], "--convention"),  # would otherwise pass under `paper` while the user asked for torch
    (["--width", "2", "-r", "512"], "--width, --resolution"),
    (["--dtype", "int8"], "--dtype"),
    (["--max-increase", "5%"], "--max-increase"),
])
def test_budget_refuses_options_that_the_file_decides(tmp_path, args, dropped):
    path = budget(tmp_path, "version: 1\nbudgets: [{spec: mixnet_m, max_params: 5M}]\n")
    result = run("check", "--budget", path, *args)
    assert result.exit_code == 2
    assert f"--budget takes specs, variants, limits and conventions from the file; drop {dropped}" in result.output


def test_parse_budget_file_raises_located_errors(tmp_path):
    path = budget(tmp_path, "version: 1\nbudgets:\n  - {spec: mixnet_m, max_params: 5M, colour: red}\n")
    with pytest.raises(SpecError) as caught:
        parse_budget_file(str(path))
    assert caught.value.origin.line == 3 and "colour" in str(caught.value)


# ---- CI formats -----------------------------------------------------------------------------------------

def test_github_annotations_point_at_the_limit_that_failed(tmp_path):
    path = budget(tmp_path, "version: 1\nbudgets:\n"
                            "  - spec: mixnet_m\n"
                            "    max_params: 6M\n"
                            "    max_macs: 300M\n")
    result = run("check", "--budget", path, "--format", "github")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 1
    # workflow-command escaping: ':' and ',' in properties, '%' in data
    assert errors[0].startswith(f"::error file={path},line=5,col=15,title=costnet check%3A budget exceeded::")
    assert f"339.2M ({MIXNET_M_MACS:,}) exceeds 300M (300,000,000), over by 13.1%25" in errors[0]
    assert lines[-1] == "::notice title=costnet check::2 limits checked, 1 exceeded"


def test_github_annotation_for_a_malformed_budget_file(tmp_path):
    path = budget(tmp_path, "version: 1\nbudgets:\n  - {spec: mixnet_m, max_mac: 1M}\n")
    result = CliRunner().invoke(cli, ["check", "--budget", str(path), "--format", "github"])
    assert result.exit_code == 2
    assert result.stdout.startswith(f"::error file={path},line=3,col=22,title=costnet check%3A invalid input::")
    assert "unknown field 'max_mac'" in result.stdout


def test_a_spec_error_in_a_budget_entry_is_annotated_at_the_spec_line(tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text("version: 1\nname: x\ninput: {resolution: 8}\n"
                    "body: [{name: s, blocks: [{type: conv, out: 8, kernel: 3, strid: 2}]}]\n")
    path = budget(tmp_path, "version: 1\nbudgets: [{spec: net.yaml, max_macs: 1M}]\n")
    result = run("check", "--budget", path, "--format", "github")
    assert result.exit_code == 2
    assert result.output.startswith(f"::error file={spec},line=4,")


def test_github_annotations_for_a_spec_in_the_tree_point_at_the_spec(tmp_path):
    spec = tmp_path / "net.yaml"
    shutil.copy(ROOT / "archs" / "mixnet_s.yaml", spec)
    result = run("check", spec, "--max-macs", "200M", "--format", "github")
    assert result.exit_code == 1
    assert result.output.startswith(f"::error file={spec},line=1,col=1,")


def test_github_annotation_for_a_bundled_spec_has_no_file():
    result = run("check", "mixnet_s", "--max-macs", "200M", "--format", "github")
    assert result.exit_code == 1
    assert result.output.startswith("::error title=costnet check%3A budget exceeded::MixNet-S 1.0-224: MACs")


# The constraints of the JUnit schema Jenkins' xunit plugin validates against (jenkinsci/xunit-plugin,
# junit-10.xsd): which elements may appear under which, the attributes each may carry, the required ones.
JUNIT_SCHEMA = {
    # element: (allowed children, allowed attributes, required attributes)
    "testsuites": ({"testsuite"}, {"name", "time", "tests", "failures", "errors"}, set()),
    "testsuite": ({"testsuite", "properties", "testcase", "system-out", "system-err"},
                  {"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname", "id",
                   "package", "file", "log", "url"}, {"name", "tests", "failures", "errors"}),
    "testcase": ({"skipped", "error", "failure", "system-out", "system-err"}, {"name", "time", "classname", "group"},
                 {"name"}),
    "failure": (set(), {"type", "message"}, set()),
    "error": (set(), {"type", "message"}, set()),
    "skipped": (set(), {"type", "message"}, set()),
    "system-out": (set(), set(), set()),
    "system-err": (set(), set(), set()),
}
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")


def assert_valid_junit(element):
    children, allowed, required = JUNIT_SCHEMA[element.tag]
    assert set(element.attrib) <= allowed, (element.tag, set(element.attrib) - allowed)
    assert required <= set(element.attrib), (element.tag, required - set(element.attrib))
    if element.tag in ("testsuites", "testsuite") and "time" in element.attrib:
        assert SUREFIRE_TIME.fullmatch(element.get("time"))
    for child in element:
        assert child.tag in children, (element.tag, child.tag)
        assert_valid_junit(child)


def test_junit_xml_has_the_structure_ci_systems_read(tmp_path):
    path = budget(tmp_path, "version: 1\nbudgets:\n"
                            "  - {spec: mixnet_m, max_macs: 400M, max_params: 4M}\n"
                            "  - {spec: nowhere.yaml, max_macs: 1M}\n"
                            "  - {spec: mixnet_s, name: 'small & <fast>', max_macs: 300M}\n")
    out = tmp_path / "report.xml"
    result = run("check", "--budget", path, "--format", "junit", "--output", out)
    assert result.exit_code == 2  # one entry could not be evaluated
    assert "3 limits checked, 1 exceeded, 1 could not be evaluated; wrote" in result.output
    root = ElementTree.parse(out).getroot()
    assert root.tag == "testsuites"
    assert_valid_junit(root)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["MixNet-M 1.0-224", "nowhere.yaml", "small & <fast>"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
        assert suite.get("skipped") == "0" and float(suite.get("time")) == 0
        for case in cases:
            assert case.get("name") and case.get("classname") and float(case.get("time")) == 0
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    mixnet = suites[0].findall("testcase")
    assert [c.get("name") for c in mixnet] == ["MACs <= 400M", "params <= 4M"]
    failure = mixnet[1].find("failure")
    assert failure.get("type") == "BudgetExceeded"
    assert f"params 5.0M ({MIXNET_M_PARAMS:,}) exceeds 4M (4,000,000)" in failure.get("message")
    error = suites[1].find("testcase").find("error")
    assert "nowhere.yaml: not beside the budget file" in error.get("message")


def test_junit_survives_control_characters_in_names(tmp_path):
    path = budget(tmp_path, 'version: 1\nbudgets: [{spec: mixnet_m, name: "bad\\x01name", max_macs: 1M}]\n')
    out = tmp_path / "j.xml"
    assert run("check", "--budget", path, "-f", "junit", "-o", out).exit_code == 1
    root = ElementTree.parse(out).getroot()
    assert root.find("testsuite").get("name") == "bad\ufffdname"
    assert_valid_junit(root)


def test_table_shows_checked_limits_beside_an_error(tmp_path):
    result = run("check", "mixnet_m", "--max-macs", "300M", "--baseline", tmp_path / "no.json",
                 "--max-increase", "2%")
    assert result.exit_code == 2
    rows = [line.split() for line in result.output.splitlines()]
    assert ["MixNet-M", "1.0-224", "MACs", "339.2M", "300M", "-13.1%", "FAIL"] in rows
    assert ["MixNet-M", "1.0-224", "—", "—", "—", "—", "ERROR"] in rows


def test_output_to_a_missing_folder_is_a_clear_error(tmp_path):
    result = run("check", "mixnet_m", "--max-macs", "400M", "-o", tmp_path / "no" / "such.txt")
    assert result.exit_code == 2 and "cannot write" in result.output and "Traceback" not in result.output


def test_output_file_of_any_format_reports_on_stderr(tmp_path):
    result = CliRunner().invoke(cli, ["check", "mixnet_m", "--max-macs", "400M", "-o", str(tmp_path / "t.txt")])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"1 limit checked, 0 exceeded; wrote {tmp_path / 't.txt'}\n"
    assert "PASS" in (tmp_path / "t.txt").read_text()


def test_json_output(tmp_path):
    path = budget(tmp_path, "version: 1\nbudgets:\n  - {spec: mixnet_m, max_macs: 400M, max_params: 4M}\n")
    result = run("check", "--budget", path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["schema_version"] == 1 and data["passed"] is False
    entry = data["entries"][0]
    assert (entry["name"], entry["file"], entry["line"], entry["error"]) == ("MixNet-M 1.0-224", str(path), 3, None)
    macs, params = entry["limits"]
    assert (macs["value"], macs["max"], macs["passed"]) == (MIXNET_M_MACS, 400_000_000, True)
    assert (params["value"], params["max"], params["passed"]) == (MIXNET_M_PARAMS, 4_000_000, False)
    assert macs["headroom"] == pytest.approx(100 * (400_000_000 - MIXNET_M_MACS) / 400_000_000)


def test_output_file_is_written_whole(tmp_path):
    out = tmp_path / "check.json"
    assert run("check", "mixnet_m", "--max-macs", "400M", "-f", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text())["passed"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["check.json"]


# ---- baselines ------------------------------------------------------------------------------------------

@pytest.fixture
def baseline(tmp_path):
    path = tmp_path / "baseline.json"
    result = run("analyze", "mixnet_m", "--format", "json", "--output", path)
    assert result.exit_code == 0
    return path


def test_an_unchanged_network_passes_its_baseline(baseline):
    result = run("check", "mixnet_m", "--baseline", baseline, "--max-increase", "0%")
    assert result.exit_code == 0, result.output
    assert "3 limits checked, 0 exceeded" in result.output


def test_growth_beyond_the_allowed_share_fails_and_names_the_layers(baseline):
    result = run("check", "mixnet_m", "--resolution", 232, "--baseline", baseline, "--max-increase", "2%")
    assert result.exit_code == 1
    out = result.output
    assert "layers that grew since the baseline, largest first:" in out
    first = out.split("largest first:\n")[1].splitlines()[0]
    before, after = MIXNET_M_HEAD_MACS[224], MIXNET_M_HEAD_MACS[232]
    assert first.startswith(f"  head.0: macs {before:,} → {after:,} (+{after - before:,})")
    # params do not depend on resolution: that gate holds
    assert any(line.split()[-1] == "PASS" and "params vs baseline" in line for line in out.splitlines())


def test_the_allowed_increase_is_exact(tmp_path, baseline):
    data = json.loads(baseline.read_text())
    data["totals"]["macs"] = MIXNET_M_MACS - 1
    lower = tmp_path / "lower.json"
    lower.write_text(json.dumps(data))
    assert run("check", "mixnet_m", "--baseline", lower, "--max-increase", "0%").exit_code == 1
    # ⌊(MACs − 1) · 1.000001⌋ = MACs − 1 + 339 ≥ MACs
    assert run("check", "mixnet_m", "--baseline", lower, "--max-increase", "0.0001%").exit_code == 0


def test_baseline_gates_in_a_budget_file_annotate_the_grown_layers(tmp_path, baseline):
    models = tmp_path / "models"
    models.mkdir()
    spec = (ROOT / "archs" / "mixnet_m.yaml").read_text().replace("resolution: 224", "resolution: 232", 1)
    assert "resolution: 232" in spec
    (models / "mixnet_m.yaml").write_text(spec)
    path = budget(tmp_path, f"version: 1\nbudgets:\n  - spec: models/mixnet_m.yaml\n"
                            f"    baseline: {baseline.name}\n    max_increase: 2%\n")
    result = run("check", "--budget", path, "--format", "github")
    assert result.exit_code == 1
    warnings = [line for line in result.output.splitlines() if line.startswith("::warning")]
    head_line = next(i for i, line in enumerate(spec.splitlines(), 1) if "name: head" in line)
    assert warnings[0].startswith(f"::warning file={models / 'mixnet_m.yaml'},line=")
    assert f"head.0: macs {MIXNET_M_HEAD_MACS[224]:,} → {MIXNET_M_HEAD_MACS[232]:,}" in warnings[0]
    assert int(warnings[0].split("line=")[1].split(",")[0]) > head_line


@pytest.mark.parametrize("content, message", [
    ('{"model": "x", "totals": {"macs": 1, "params": 1, "activations": 1}, "layers": []}',
     "written by an older costnet (no schema_version)"),
    ("not json", "not a JSON file"),
    ('{"schema_version": 1, "rows": []}', "no totals and layers"),
    ('{"schema_version": 1, "totals": {"macs": 1}, "layers": []}', "totals lack integer params, activations"),
    ('{"schema_version": 1, "totals": {"macs": 1, "params": 1, "activations": 1}, "layers": [{"name": "a"}]}',
     "layers[0] is not a layer"),
])
def test_an_unusable_baseline_exits_2_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "old.json"
    path.write_text(content)
    result = run("check", "mixnet_m", "--baseline", path, "--max-increase", "2%")
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_a_future_baseline_schema_is_named(tmp_path, baseline):
    data = json.loads(baseline.read_text())
    data["schema_version"] = 7
    baseline.write_text(json.dumps(data))
    result = run("check", "mixnet_m", "--baseline", baseline, "--max-increase", "2%")
    assert result.exit_code == 2 and "schema_version 7; this costnet reads schema_version 1" in result.output


def test_a_baseline_of_another_network_is_refused(tmp_path):
    other = tmp_path / "resnet50.json"
    assert run("analyze", "resnet50", "-f", "json", "-o", other).exit_code == 0
    result = run("check", "mixnet_m", "--baseline", other, "--max-increase", "0%")
    assert result.exit_code == 2 and "is of 'ResNet-50', this check of 'MixNet-M'" in result.output


def test_a_baseline_schema_version_must_be_an_integer(baseline):
    data = json.loads(baseline.read_text())
    data["schema_version"] = True
    baseline.write_text(json.dumps(data))
    assert run("check", "mixnet_m", "--baseline", baseline, "--max-increase", "2%").exit_code == 2


def test_only_the_quantity_whose_gate_failed_names_layers(tmp_path, baseline):
    # Lower one layer's parameters and the total by 10%: only the params gate fails, and the layer named
    # is that one, for its parameters (MACs did not grow anywhere).
    data = json.loads(baseline.read_text())
    layer = next(l for l in data["layers"] if l["name"] == "head.0")
    layer["params"] -= 1000
    data["totals"]["params"] = data["totals"]["params"] * 9 // 10
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    result = run("check", "mixnet_m", "--baseline", edited, "--max-increase", "2%")
    assert result.exit_code == 1
    grown = result.output.split("largest first:\n")[1].splitlines()
    head = 200 * 1536  # the head's weights, no bias (batch norm follows)
    assert grown[0].startswith(f"  head.0: params {head - 1000:,} → {head:,} (+1,000)")
    assert not any("macs" in line for line in grown if line.startswith("  "))


def test_a_baseline_under_another_convention_is_refused(baseline):
    result = run("check", "mixnet_m", "-c", "torch", "--baseline", baseline, "--max-increase", "2%")
    assert result.exit_code == 2
    assert "counts under the 'paper' convention, this check under 'torch'" in result.output


def test_a_missing_baseline_exits_2(tmp_path):
    result = run("check", "mixnet_m", "--baseline", tmp_path / "nope.json", "--max-increase", "2%")
    assert result.exit_code == 2 and "nope.json: no such file" in result.output


# ---- diff -----------------------------------------------------------------------------------------------

def test_diff_of_one_spec_at_two_resolutions():
    result = run("diff", "mixnet_m", "mixnet_m@1.0,232")
    assert result.exit_code == 0, result.output
    head = next(line.split() for line in result.output.splitlines() if line.startswith("head.0 "))
    assert head[4:7] == ["15.1M", "19.7M", f"+{MIXNET_M_HEAD_MACS[232] - MIXNET_M_HEAD_MACS[224]:,}"]
    assert f"params {MIXNET_M_PARAMS:,} → {MIXNET_M_PARAMS:,} (+0.00%)" in result.output


def test_diff_of_two_specs_shows_layers_only_one_has():
    # MixNet-S repeats its 80-channel stage 3 times, MixNet-M 4 times (Tan & Le 2019, Figure 6): M's
    # stage3.3 expand is a 1×1 conv 80 → 480 in 2 groups at 14×14: 80·480·14·14 / 2 = 3,763,200 MACs.
    result = run("diff", "mixnet_s", "mixnet_m")
    assert result.exit_code == 0
    row = next(line.split() for line in result.output.splitlines() if line.startswith("stage3.3.expand "))
    assert row[2:7] == ["—", "480×14×14", "—", "3.8M", f"+{80 * 480 * 14 * 14 // 2:,}"]
    assert f"total MACs {reference('mixnet_s')['macs']:,} → {MIXNET_M_MACS:,}" in result.output  # timm's


def test_diff_of_networks_without_macs(tmp_path):
    spec = tmp_path / "flat.yaml"
    spec.write_text("version: 1\nname: flat\ninput: {resolution: 8}\nbody: [{name: s, blocks: [{type: flatten}]}]\n")
    result = run("diff", spec, spec)
    assert result.exit_code == 0 and "total MACs 0 → 0" in result.output


@pytest.mark.parametrize("args, message", [
    (["mixnet_m", "nope"], "no such file"),
    (["mixnet_m", "mixnet_m@"], "mixnet_m@"),
])
def test_diff_bad_input_exits_2(args, message):
    result = run("diff", *args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_diff_of_identical_networks():
    result = run("diff", "mixnet_s", "mixnet_s.yaml")
    assert result.exit_code == 0 and "no layer differs" in result.output


# ---- limits written with too many characters (found by review) --------------------------------------------

def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


LONG_LIMIT = "3470760." + "0" * 35 + "1"  # 3,470,760 and a little: in range, but 44 characters


@pytest.mark.parametrize("option", ["--max-params", "--max-macs"])
def test_a_limit_too_long_to_read_says_so_and_names_the_option(option):
    assert len(LONG_LIMIT) == 44
    result = run("check", "mobilenet_v2", option, LONG_LIMIT)
    assert result.exit_code == 2, result.output
    line = one_line(result.output)
    assert line.startswith(f"costnet: error: {option}: '{LONG_LIMIT}'"), line
    assert "44 characters long" in line and "at most 40 characters" in line, line
    assert "out of range" not in line


def test_a_limit_too_long_in_a_budget_file_is_located_and_says_so(tmp_path):
    number = "3470759." + "9" * 85  # 93 characters: below 3,470,760, not out of range
    path = budget(tmp_path, f"version: 1\nbudgets:\n  - {{spec: mobilenet_v2, max_params: {number}}}\n")
    result = run("check", "--budget", path)
    assert result.exit_code == 2, result.output
    line = one_line(result.output)
    column = len("  - {spec: mobilenet_v2, max_params: ") + 1  # 38
    assert line.startswith(f"costnet: error: {path}:3:{column}: budgets[0].max_params: '{number}'"), line
    assert f"{len(number)} characters long" in line and "at most 40 characters" in line, line
    assert "out of range" not in line


@pytest.mark.parametrize("limit", ["1" + "0" * 45, "1e31"])
def test_a_limit_that_is_too_large_is_still_out_of_range(limit):
    result = run("check", "mobilenet_v2", "--max-macs", limit)
    assert result.exit_code == 2
    assert f"--max-macs: '{limit}' is out of range (at most 1e+18)" in one_line(result.output)


def test_a_tiny_exponent_is_not_called_out_of_range():
    result = run("check", "mobilenet_v2", "--max-macs", "1e-31")
    assert result.exit_code == 2
    line = one_line(result.output)
    assert "exponent is below -30" in line and "out of range" not in line, line


# ---- budget paths stay inside the budget file's folder (found by review) ------------------------------------

SECRET = "aws_access_key_id = AKIAFAKEFAKE\naws_secret_access_key = fakefakefake\n"


@pytest.fixture
def outside(tmp_path):
    """A folder beside the repository, holding a file a budget file must never make costnet read."""
    where = tmp_path / "runner"
    where.mkdir()
    (where / "credentials").write_text(SECRET)
    return where


def repo_with(tmp_path, field, value, links=()):
    """A repository folder with a budget file: a passing entry, then one whose FIELD is VALUE."""
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    for name, target in links:
        (repo / name).symlink_to(target)
    bad = f"  - spec: {value}\n    max_macs: 1\n" if field == "spec" else \
        f"  - spec: mixnet_m\n    baseline: {value}\n    max_increase: 2%\n"
    path = budget(repo, "version: 1\nbudgets:\n  - spec: mixnet_m\n    max_macs: 400M\n" + bad)
    return path


def refused_entry(path, line, column, field):
    result = run("check", "--budget", path, "-f", "json")
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    good, bad = data["entries"]
    # the other entry is still checked: MixNet-M's 339,172,672 MACs under its 400M limit
    assert good["passed"] and good["limits"][0]["value"] == MIXNET_M_MACS
    assert bad["error"].startswith(f"{path}:{line}:{column}: budgets[1].{field}: "), bad["error"]
    assert (bad["file"], bad["line"]) == (str(path), line)
    assert "AKIAFAKE" not in result.output and "aws_" not in result.output
    return bad["error"]


@pytest.mark.parametrize("field, line, column", [("spec", 5, 11), ("baseline", 6, 15)])
def test_an_absolute_budget_path_is_refused_for_that_entry_only(tmp_path, outside, field, line, column):
    path = repo_with(tmp_path, field, outside / "credentials")
    assert f"'{outside / 'credentials'}' is an absolute path" in refused_entry(path, line, column, field)


@pytest.mark.parametrize("field, line, column", [("spec", 5, 11), ("baseline", 6, 15)])
def test_a_budget_path_up_and_out_of_the_folder_is_refused(tmp_path, outside, field, line, column):
    path = repo_with(tmp_path, field, "../runner/credentials")
    assert "leads outside the budget file's folder" in refused_entry(path, line, column, field)


@pytest.mark.parametrize("field, line, column", [("spec", 5, 11), ("baseline", 6, 15)])
@pytest.mark.parametrize("value, links", [
    ("net.yaml", [("net.yaml", "../runner/credentials")]),   # a symlink to a file outside
    ("etc/credentials", [("etc", "../runner")]),             # a path through a symlink to a folder outside
])
def test_a_budget_path_through_a_symlink_out_of_the_folder_is_refused(tmp_path, outside, field, line, column,
                                                                      value, links):
    path = repo_with(tmp_path, field, value, links)
    assert "leads outside the budget file's folder" in refused_entry(path, line, column, field)


def test_the_proc_files_of_the_runner_are_refused(tmp_path):
    path = repo_with(tmp_path, "spec", "/proc/self/environ")
    assert "is an absolute path" in refused_entry(path, 5, 11, "spec")


def test_paths_inside_the_folder_still_work_through_symlinks_and_subfolders(tmp_path):
    """A spec in a subfolder, a symlink inside the tree, a folder reached through a symlink, a bundled name."""
    real = tmp_path / "real"
    (real / "models").mkdir(parents=True)
    shutil.copy(ROOT / "archs" / "mixnet_m.yaml", real / "models" / "net.yaml")
    (real / "alias.yaml").symlink_to("models/net.yaml")
    (tmp_path / "checkout").symlink_to(real)  # the budget file reached through a symlinked folder
    base = real / "models" / "base.json"
    assert run("analyze", real / "models" / "net.yaml", "-f", "json", "-o", base).exit_code == 0
    path = budget(tmp_path / "checkout", "version: 1\nbudgets:\n"
                  "  - {spec: models/net.yaml, max_macs: 400M}\n"
                  "  - {spec: alias.yaml, baseline: ./models/../models/base.json, max_increase: 0%}\n"
                  "  - {spec: mixnet_m, max_macs: 400M}\n")
    result = run("check", "--budget", path, "-f", "json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["entries"]
    assert [e["limits"][0]["value"] for e in entries] == [MIXNET_M_MACS] * 3


def test_paths_on_the_command_line_are_the_users_own(tmp_path):
    spec = tmp_path / "elsewhere" / "net.yaml"
    spec.parent.mkdir()
    shutil.copy(ROOT / "archs" / "mixnet_m.yaml", spec)
    result = run("check", spec.resolve(), "--max-macs", str(MIXNET_M_MACS))
    assert result.exit_code == 0, result.output


def test_a_variant_base_through_a_symlink_out_of_its_folder_is_refused(tmp_path, outside):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "base.yaml").symlink_to(outside / "credentials")
    (repo / "v.yaml").write_text("version: 1\nvariant_of: base.yaml\nname: v\n")
    result = run("analyze", repo / "v.yaml")
    assert result.exit_code == 2
    line = one_line(result.output)
    assert line.startswith(f"costnet: error: {repo / 'v.yaml'}:2:13: variant_of: 'base.yaml' is a symlink"), line
    assert "aws_" not in result.output


# ---- a NUL in a budget path is an error of its entry (found by review) ---------------------------------------

@pytest.mark.parametrize("field, column", [("spec", 11), ("baseline", 15)])
def test_a_nul_in_a_budget_path_is_a_located_error_of_that_entry(tmp_path, field, column):
    path = repo_with(tmp_path, field, '"b\\0.json"')  # YAML's escape for NUL
    error = refused_entry(path, 5 if field == "spec" else 6, column, field)
    assert "'b\\x00.json' contains a NUL character" in error


def test_a_nul_in_a_baseline_from_the_python_api_is_a_usage_error():
    from costnet.studies import budget as b

    entry = b.Entry("mixnet_m", None, None, None, None, "paper", "fp32", (),
                    b.Baseline("b\0.json", b.parse_percent("2%")), None)
    result = b.evaluate(entry)
    assert result.error == "baseline 'b\\x00.json': a file name cannot contain a NUL character"


# ---- `check -` reads standard input, as every other command does (found by review) ---------------------------

TINY = ("version: 1\nname: tiny\ninput: {channels: 3, resolution: 8}\n"
        "body: [{name: a, blocks: [{type: conv, out: 4, kernel: 1}]}]\n")
TINY_MACS = 3 * 4 * 8 * 8  # a 1×1 convolution 3 → 4 channels on an 8×8 map: 768


@pytest.mark.parametrize("limit, code", [(TINY_MACS, 0), (TINY_MACS - 1, 1)])
def test_check_dash_reads_the_spec_from_standard_input(limit, code):
    result = CliRunner().invoke(cli, ["check", "-", "--max-macs", str(limit), "-f", "json"], input=TINY)
    assert result.exit_code == code, result.output
    entry = json.loads(result.stdout)["entries"][0]
    assert (entry["spec"], entry["limits"][0]["value"], entry["file"]) == ("<stdin>", TINY_MACS, None)


def test_check_dash_in_a_real_pipe_and_its_errors_have_no_file_to_annotate():
    import subprocess
    import sys

    run_ = lambda text, *args: subprocess.run([sys.executable, "-m", "costnet", "check", "-", *args], input=text,
                                              capture_output=True, text=True)
    assert run_(TINY, "--max-macs", str(TINY_MACS)).returncode == 0
    broken = run_(TINY.replace("out: 4", "out: 0"), "--max-macs", "1", "-f", "github")
    assert broken.returncode == 2
    annotation = broken.stdout.splitlines()[0]
    assert annotation.startswith("::error title=") and "file=" not in annotation, annotation
    assert "<stdin>:4:" in annotation


def test_a_nul_in_a_budget_file_name_from_the_python_api_is_a_usage_error():
    from costnet.errors import UsageError

    with pytest.raises(UsageError, match="a file name cannot contain a NUL character"):
        parse_budget_file("budgets\0.yaml")


def test_root_lets_a_budget_file_in_a_subfolder_reach_its_tree_and_no_further(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "ci").mkdir()
    (tmp_path / "models" / "net.yaml").write_text(
        "version: 1\nname: net\ninput: {channels: 3, resolution: 8}\n"
        "body: [{name: s, blocks: [{type: conv, out: 8, kernel: 1}]}]\n")
    path = budget(tmp_path / "ci", "version: 1\nbudgets:\n  - spec: ../models/net.yaml\n    max_macs: 1536\n")
    refused = run("check", "--budget", path)
    assert refused.exit_code == 2 and "leads outside the budget file's folder" in refused.output
    result = run("check", "--budget", path, "--root", tmp_path, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["entries"][0]["limits"][0]["value"] == 3 * 8 * 8 * 8  # 1×1 conv, 3 → 8, 8×8
    assert run("check", "--budget", path, "--root", tmp_path / "models").exit_code == 2  # the file is not in it
    escaping = budget(tmp_path / "ci", "version: 1\nbudgets:\n  - spec: ../../x.yaml\n    max_macs: 1\n", "b2.yaml")
    result = run("check", "--budget", escaping, "--root", tmp_path)
    assert result.exit_code == 2 and f"leads outside --root {tmp_path}" in result.output
    assert "use it with --budget" in run("check", "mixnet_m", "--max-macs", "1G", "--root", tmp_path).output
