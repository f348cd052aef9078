"""`costnet check` on memory: --max-peak-memory and --max-weights, and budget files' max_peak_memory and
memory_model, with exit codes 0 (holds), 1 (exceeded) and 2 (could not be evaluated).

MobileNetV2 at 224 in int8, worked by hand: in place, its peak is the second inverted residual block's
expansion, 16×112×112 in + 96×112×112 out = 200,704 + 1,204,224 = 1,404,928 bytes (1,372 KiB exactly);
plain, that block's depthwise convolution, 96×112×112 in + 96×56×56 out = 1,505,280 bytes. Its weight bytes
in int8 are its parameters without batch norm, torchvision's 3,504,872 − 34,112 = 3,470,760.
"""

import json

import pytest
from click.testing import CliRunner

from costnet.cli import cli

IN_PLACE, PLAIN, WEIGHTS = 1_404_928, 1_505_280, 3_504_872 - 34_112


def check(*args):
    return CliRunner().invoke(cli, ["check", "mobilenet_v2", "--dtype", "int8", *args])


@pytest.mark.parametrize("limit, model, code", [
    (f"{IN_PLACE}B", "in-place", 0),          # a limit equal to the value holds
    (f"{IN_PLACE - 1}B", "in-place", 1),
    ("1372KiB", "in-place", 0),               # 1,372 × 1,024 = 1,404,928
    ("1371KiB", "in-place", 1),
    ("1.4MB", "in-place", 1),                 # 1,400,000 decimal bytes
    ("1.41MB", "in-place", 0),
    ("1372KiB", "plain", 1),
    ("1470KiB", "plain", 0),                  # 1,470 × 1,024 = 1,505,280
    (f"{PLAIN - 1}B", "plain", 1),
])
def test_max_peak_memory(limit, model, code):
    result = check("--max-peak-memory", limit, "--memory-model", model)
    assert result.exit_code == code, result.output


def test_max_weights_in_int8_and_fp32():
    assert check("--max-weights", f"{WEIGHTS}B").exit_code == 0
    assert check("--max-weights", f"{WEIGHTS - 1}B").exit_code == 1
    fp32 = CliRunner().invoke(cli, ["check", "mobilenet_v2", "--max-weights", f"{4 * WEIGHTS - 1}B"])
    assert fp32.exit_code == 1  # fp32 is the default: four bytes a parameter


@pytest.mark.parametrize("limit, message", [
    ("256Kb", "a lowercase b means bits"), ("-1KiB", "not a size in bytes"), ("lots", "not a size in bytes"),
    ("1e999B", "out of range"),
])
def test_a_bad_memory_limit_is_one_line_exit_2(limit, message):
    result = check("--max-peak-memory", limit)
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_json_report_carries_the_exact_bytes():
    result = check("--max-peak-memory", "1MiB", "-f", "json")
    assert result.exit_code == 1
    (entry,) = json.loads(result.output)["entries"]
    (limit,) = entry["limits"]
    assert (limit["value"], limit["max"], limit["passed"]) == (IN_PLACE, 1_048_576, False)


def test_budget_file_memory_entries(tmp_path):
    (tmp_path / "budgets.yaml").write_text(
        "version: 1\n"
        "dtype: int8\n"
        "budgets:\n"
        "  - {spec: mobilenet_v2, max_peak_memory: 1372KiB}\n"
        "  - {spec: mobilenet_v2, memory_model: plain, max_peak_memory: 1470KiB}\n"
        "  - {spec: mobilenet_v2, memory_model: plain, max_peak_memory: 1372KiB, name: plain over}\n"
        "  - {spec: mobilenet_v2, dtype: fp32, max_peak_memory: 5488KiB, max_weights: 13557KiB}\n")
    result = CliRunner().invoke(cli, ["check", "--budget", str(tmp_path / "budgets.yaml"), "-f", "json"])
    entries = json.loads(result.output)["entries"]
    assert [all(limit["passed"] for limit in e["limits"]) for e in entries] == [True, True, False, False]
    assert result.exit_code == 1
    # fp32: 4 × 1,404,928 = 5,619,712 = 5,488 KiB holds; weights 4 × 3,470,760 = 13,883,040 > 13,557 KiB
    # (13,882,368 bytes)
    assert sorted(limit["value"] for limit in entries[3]["limits"]) == [4 * IN_PLACE, 4 * WEIGHTS]


def test_budget_file_with_an_entry_that_cannot_be_evaluated_exits_2(tmp_path):
    (tmp_path / "budgets.yaml").write_text(
        "version: 1\nbudgets:\n"
        "  - {spec: mobilenet_v2, dtype: int8, max_peak_memory: 1MiB}\n"   # exceeded
        "  - {spec: missing.yaml, max_peak_memory: 1MiB}\n")
    result = CliRunner().invoke(cli, ["check", "--budget", str(tmp_path / "budgets.yaml")])
    assert result.exit_code == 2  # exceeded and unevaluated: the gate reports the worse
    assert "missing.yaml" in result.output and "FAIL" in result.output


def test_budget_file_rejects_a_bad_memory_model_where_it_is(tmp_path):
    (tmp_path / "budgets.yaml").write_text(
        "version: 1\nbudgets:\n  - {spec: mobilenet_v2, memory_model: tiled, max_peak_memory: 1MiB}\n")
    result = CliRunner().invoke(cli, ["check", "--budget", str(tmp_path / "budgets.yaml")])
    assert result.exit_code == 2
    assert "budgets.yaml:3:" in result.output and "memory_model" in result.output and "in-place" in result.output
