"""The hostile inputs of issue 11, each once: valid YAML that describes something costnet must refuse or
survive, always with exit 0 or 2 and one line on stderr, never a traceback or exit 1 on a crash."""

import json
import textwrap

import pytest
from click.testing import CliRunner

import costnet
from costnet.cli import cli
from conftest import make_spec


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def one_error_line(result):
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("costnet: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e308", "1.0e+308"])
def test_non_finite_and_huge_numbers_are_refused_where_they_are(tmp_path, value):
    spec = write(tmp_path, "s.yaml", make_spec(f"- {{type: inverted_residual, out: 8, se: {value}}}"))
    line = one_error_line(run("analyze", spec))
    assert "s.yaml:8:" in line and "se: must be a number from 0 to 1,000,000" in line


def test_an_integer_of_five_thousand_digits_is_one_line(tmp_path):
    spec = write(tmp_path, "s.yaml", make_spec(f"- {{type: conv, out: {'9' * 5000}, kernel: 3}}"))
    assert "s.yaml:8:27: a number of 5,000 characters (at most 1,000)" in one_error_line(run("analyze", spec))


def test_an_exponential_split_that_leaves_a_group_empty_is_refused(tmp_path):
    # 4 channels over 4 kernels, halving: 2, 1, 0, 1
    spec = write(tmp_path, "s.yaml", make_spec("- {type: dwconv, kernel: [3, 5, 7, 9], split: exponential}", channels=4))
    assert "leaves a group empty (2/1/0/1)" in one_error_line(run("analyze", spec))


def test_the_separable_table_of_a_network_without_macs(tmp_path):
    spec = write(tmp_path, "s.yaml", make_spec("- {type: pool, kernel: 2}"))
    result = run("table", spec, "--kind", "separable")
    assert result.exit_code == 0 and "test has no depthwise separable pair" in result.output


def test_a_name_that_collides_with_an_index_is_a_located_error(tmp_path):
    spec = write(tmp_path, "s.yaml", make_spec('- {type: conv, out: 8, kernel: 1, name: "1"}\n'
                                              "- {type: conv, out: 8, kernel: 1}"))
    line = one_error_line(run("analyze", spec))
    assert "s.yaml:9:" in line and "two layers are named 's.1' (first at line 8)" in line


def test_control_characters_never_reach_the_output(tmp_path):
    spec = write(tmp_path, "s.yaml", make_spec('- {type: conv, out: 8, kernel: 1, name: "a\\nb\\e[31m"}'))
    result = run("analyze", spec)
    assert "\x1b" not in result.output and "a\\nb\\x1b[31m" in result.output
    result = run("analyze", spec, "-f", "json")
    assert "\x1b" not in result.output and json.loads(result.output)["layers"][0]["name"] == "s.a\nb\x1b[31m"


@pytest.mark.parametrize("command", [["analyze", "-f", "csv"], ["table", "--kind", "types", "-f", "csv"],
                                     ["sweep", "-f", "csv"], ["compare", "-f", "csv"]])
def test_csv_escapes_control_characters_too(tmp_path, command):
    text = make_spec('- {type: conv, out: 8, kernel: 1, name: "a\\x0bb"}').replace("name: test",
                                                                                    'name: "t\\e]0;pwned\\a"')
    spec = write(tmp_path, "s.yaml", text)
    result = run(command[0], spec, *command[1:])
    assert result.exit_code == 0, result.output
    assert not any(c in result.output for c in "\x1b\x07\x0b") and "t\\x1b]0;pwned\\x07" in result.output


def test_a_newline_in_a_file_name_cannot_forge_an_error_line():
    line = one_error_line(run("analyze", "no/such\ncostnet: error: forged.yaml"))
    assert "no/such\\ncostnet: error: forged.yaml" in line


def test_an_internal_error_is_one_line_and_exit_2(monkeypatch):
    def crash(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("costnet.outputs.render.render_table", crash)
    monkeypatch.setitem(__import__("costnet.outputs.render", fromlist=["FORMATS"]).FORMATS, "table", crash)
    line = run("analyze", "mixnet_m")
    assert line.exit_code == 2
    assert line.stderr.startswith("costnet: internal error: ZeroDivisionError: division by zero")


def test_one_bad_entry_in_a_budget_file_is_reported_and_the_others_still_checked(tmp_path):
    write(tmp_path, "bad.yaml", make_spec("- {type: inverted_residual, out: 8, se: .inf}"))
    budget = write(tmp_path, "budget.yaml", """\
        version: 1
        budgets:
          - {spec: mixnet_m, max_macs: 400M}
          - {spec: bad.yaml, max_macs: 1M}
          - {spec: mixnet_s, max_macs: 300M}
        """)
    result = run("check", "--budget", budget, "-f", "json")
    assert result.exit_code == 2  # not 1: an entry could not be evaluated
    data = json.loads(result.output)
    assert [e["passed"] for e in data["entries"]] == [True, False, True]
    assert "se: must be a number" in data["entries"][1]["error"]
    assert data["summary"] == "2 limits checked, 0 exceeded, 1 could not be evaluated"


# ---- found by tests/test_hostile.py -------------------------------------------------------------------------

def test_a_file_name_longer_than_the_system_takes_is_one_line(tmp_path):
    long = "x" * 300  # ENAMETOOLONG: Path.exists() raised it as an internal error
    assert "no such file" in one_error_line(run("analyze", long))
    variant = write(tmp_path, "v.yaml", f"version: 1\nvariant_of: {long}\nname: v\n")
    assert "v.yaml:2:13: variant_of: " in one_error_line(run("analyze", variant))
    budget = write(tmp_path, "b.yaml", f"version: 1\nbudgets: [{{spec: {long}, max_macs: 1G}}]\n")
    result = run("check", "--budget", budget)
    assert result.exit_code == 2 and "internal error" not in result.output and "no bundled spec" in result.output


@pytest.mark.parametrize("resolutions", ["128,9000", "1e30", "128,0"])
def test_a_sweep_takes_the_resolutions_analyze_takes(resolutions):
    # the fast path moved the built graph to any resolution: 9000 and 10³⁰ pixels were analysed
    line = one_error_line(run("sweep", "mobilenet_v1", "-r", resolutions, "-f", "csv"))
    assert "resolution" in line
    assert run("sweep", "mobilenet_v1", "-r", resolutions, "-f", "csv").stdout == ""  # not even the header


NAMED = '"\\e[31mX\\x9b\\e]0;t\\a"'  # an ANSI color, a C1 CSI, an OSC title: nothing a terminal should receive raw


@pytest.mark.parametrize("args", [
    ["table", "{spec}", "--kind", "separable"], ["table", "{spec}", "--kind", "types", "-f", "markdown"],
    ["table", "{spec}", "--kind", "architecture", "-f", "latex"], ["check", "--budget", "{budget}"],
    ["check", "--budget", "{budget}", "-f", "github"], ["check", "--budget", "{budget}", "-f", "junit"],
    ["check", "no\x1b[2Jsuch\x9b", "--max-macs", "1G"],
], ids=lambda args: " ".join(args).encode("unicode_escape").decode())
def test_no_output_carries_a_control_character_from_a_spec_or_a_path(tmp_path, args, monkeypatch):
    # the tables' titles and the check report's error lines were written raw (click strips ANSI sequences
    # only when standard output is no terminal, and never C1 characters)
    monkeypatch.setattr("click.utils.should_strip_ansi", lambda stream=None, color=None: False)
    spec = write(tmp_path, "s.yaml", make_spec("- {type: separable, out: 8}").replace("name: test", f"name: {NAMED}"))
    write(tmp_path, "bad.yaml", make_spec("- {type: conv, out: 8}").replace("name: test", f"name: {NAMED}"))
    budget = write(tmp_path, "b.yaml", f"version: 1\nbudgets: [{{spec: s.yaml, name: {NAMED}, max_macs: 1}}, "
                                       f"{{spec: bad.yaml, max_macs: 1G}}, {{spec: \"n\\eo\", max_macs: 1G}}]\n")
    result = run(*(a.format(spec=spec, budget=budget) for a in args))
    assert result.exit_code in (0, 1, 2) and "internal error" not in result.output
    controls = [ch for ch in result.output if ord(ch) < 32 and ch != "\n" or 0x7F <= ord(ch) <= 0x9F]
    assert not controls, (controls, result.output[:500])


@pytest.mark.parametrize("figure,problem", [
    ('"' + "9" * 5000 + 'M"', "ValueError: Exceeds the limit (4300 digits)"),
    ("9" * 900, "OverflowError: integer division result too large for a float"),
    ("1000000000000000001", None),
])
def test_a_published_figure_beyond_a_quintillion_is_a_located_error(tmp_path, figure, problem):
    spec = write(tmp_path, "s.yaml", make_spec("- {type: conv, out: 8, kernel: 3}")
                 + f"\nreported: [{{source: x, macs: {figure}}}]\n")  # `problem`: what costnet raised before
    assert "reported[0].macs: a published figure is at most 1e+18 (got " in one_error_line(run("analyze", spec))


def test_classes_of_a_network_without_a_classifier_is_a_located_error(tmp_path):
    # StopIteration, an internal error, before
    spec = write(tmp_path, "s.yaml", make_spec("- {type: conv, out: 8, kernel: 3}")
                 + "\nreported: [{source: x, macs: 1M, classes: 1001}]\n")
    line = one_error_line(run("analyze", spec))
    assert "s.yaml:9:12: reported[0].classes: `classes` changes the outputs of the classifier" in line


def test_a_mixed_convolution_takes_at_most_sixteen_kernel_sizes(tmp_path):
    # every kernel size is costed at every repeat: 30,000 of them repeated 100 times took 18 s and 600 MB
    many = write(tmp_path, "s.yaml", make_spec(f"- {{type: dwconv, kernel: [{', '.join(['1'] * 30000)}], "
                                               "repeat: 100}", channels=30000))
    assert "s.yaml:8:32: body[0].blocks[0].kernel: lists 30,000 kernel sizes; a mixed convolution takes at most 16" \
        in one_error_line(run("analyze", many))
    sixteen = write(tmp_path, "t.yaml", make_spec(f"- {{type: mixnet, out: 32, kernel: [{', '.join(['3'] * 16)}]}}"))
    assert run("analyze", sixteen).exit_code == 0


def test_a_sweep_range_with_a_subnormal_step_is_one_line():
    # (0.2 - 0.1) / 1e-320 is inf: math.floor raised OverflowError, an internal error
    assert "has more values than a sweep takes (1,000,000)" in \
        one_error_line(run("sweep", "mobilenet_v1", "--width", "0.1:0.2:1e-320"))


@pytest.mark.parametrize("entry", [
    "{type: conv, out: {times_input: 2}, kernel: 1, repeat: 200000}",
    "{type: parallel, merge: concat, branches: [[], []], repeat: 200000}",
    "{type: mixnet, out: {times_input: 2}, expand: 2.5, repeat: 200000}",
])
def test_channels_that_double_at_every_repeat_stop_at_the_limit(tmp_path, entry):
    # 2^200000 channels: integers of 25 KB multiplied at every layer (minutes and gigabytes), then a float
    # overflow (OverflowError, an internal error) where a block multiplies them by its expansion ratio
    spec = write(tmp_path, "s.yaml", make_spec(f"- {entry}"))
    line = one_error_line(run("analyze", spec))
    assert "s.yaml:8:" in line and "beyond costnet's limit of 1,099,511,627,776 channels or pixels a side" in line


@pytest.mark.parametrize("field", ["se", "expand", "top1"])
def test_an_integer_beyond_a_floats_range_is_refused_where_a_number_goes(tmp_path, field):
    # math.isfinite(10**400) raised OverflowError: an internal error
    huge = str(10**400)
    body = f"- {{type: inverted_residual, out: 8, {field}: {huge}}}" if field != "top1" else "- {type: bn}"
    text = make_spec(body) + (f"\nreported: [{{source: x, top1: {huge}}}]\n" if field == "top1" else "")
    line = one_error_line(run("analyze", write(tmp_path, "s.yaml", text)))
    assert f"{field}: must be a number" in line and "(got 1000000000000000000000000000000000000...)" in line
    with pytest.raises(costnet.UsageError, match=r"width multiplier .* \(got an integer of more than 4,300 digits\)"):
        costnet.scale(costnet.load("mixnet_m"), width=10**5000)


def test_a_name_cannot_reorder_or_break_a_line_of_text_output(tmp_path):
    # U+202E (right-to-left override) and U+2028 (line separator) reached the table raw
    spec = write(tmp_path, "s.yaml", make_spec("- {type: conv, out: 8, kernel: 1}").replace(
        "name: test", 'name: "evil\\u202elmth.yaml\\u2028costnet: error: forged"'))
    output = run("analyze", spec).output
    assert "evil\\u202elmth.yaml\\u2028costnet: error: forged" in output
    assert not {"\u202e", "\u2028"} & set(output)
    assert "ネット\u05d0" in run("analyze", write(tmp_path, "t.yaml", make_spec("- {type: bn}").replace(
        "name: test", "name: ネット\u05d0"))).output  # other scripts are shown as they are
