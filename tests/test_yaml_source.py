"""The located-YAML reader on hostile input: every problem is a one-line error at its line and column, never a
traceback, a crash or a hang; scalars keep the text they were written with.

Every parsing test runs under both of PyYAML's loaders (libyaml's and PyYAML's own), which word errors
differently and recurse differently.
"""

import os
import re
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import costnet
from costnet import yamlsource
from costnet.cli import cli
from costnet.errors import SpecError, UsageError
from costnet.schema import text
from costnet.studies.budget import load_baseline, parse_budget_file
from costnet.yamlsyntax import escape
from costnet.yamlsource import MAX_DEPTH, MAX_NODES, MAX_SOURCE_BYTES, YMap, YScalar, YSeq, parse_yaml, read_source
from independent import reference_paper_params

ROOT = Path(__file__).resolve().parents[1]
LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__)
def loader(request, monkeypatch):
    monkeypatch.setattr(yamlsource, "_SafeLoader", request.param)
    return request.param


def one_line(error: Exception) -> str:
    message = str(error)
    assert not CONTROL.search(message), message
    return message


def error_of(text_: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_yaml(text_, "net.yaml")
    one_line(caught.value)
    return caught.value


def place(error: SpecError) -> tuple[int, int]:
    return error.origin.line, error.origin.column


# ---- reading files --------------------------------------------------------------------------------------

def usage_error_of(path, what="net.yaml") -> str:
    with pytest.raises(UsageError) as caught:
        read_source(path, what)
    return one_line(caught.value)


def test_a_file_larger_than_the_cap_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)  # sparse: no disk used
    assert "net.yaml: larger than the 16 MiB costnet reads (16,777,217 bytes)" in usage_error_of(big)
    with pytest.raises(UsageError, match="larger than the 16 MiB"):
        costnet.load(big)
    with pytest.raises(UsageError, match="budget file .*big.yaml: larger than the 16 MiB"):
        parse_budget_file(str(big))
    with pytest.raises(UsageError, match="baseline .*big.yaml: larger than the 16 MiB"):
        load_baseline(str(big))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_that_reports_no_size_is_read_only_up_to_the_cap():
    assert "larger than the 16 MiB costnet reads (more)" in usage_error_of("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_read_only_up_to_the_cap(tmp_path):
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    connected = threading.Event()

    def write():
        try:
            with open(fifo, "wb") as handle:
                connected.set()
                for _ in range(MAX_SOURCE_BYTES // 2**20 + 1):
                    handle.write(b"a" * 2**20)
        except BrokenPipeError:  # the reader stopped at the cap, as it should
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer open the FIFO before costnet does
    try:
        assert connected.wait(10)
        assert "larger than the 16 MiB costnet reads (more)" in usage_error_of(fifo)
    finally:
        os.close(holder)
    writer.join(10)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_nobody_writes_to_does_not_hang(tmp_path):
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    result = []

    def read() -> None:
        try:
            read_source(fifo, "spec.yaml")
        except UsageError as exc:
            result.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    assert len(result) == 1 and "a FIFO that gave nothing to read" in result[0]


def test_a_file_that_is_not_utf8_names_the_offset(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_bytes(b"a: \xff\n")
    assert usage_error_of(path) == "net.yaml: not a text file (UTF-8 expected; byte 0xff at offset 3 is not UTF-8)"
    with pytest.raises(UsageError, match="not a text file"):
        costnet.load(path)


def test_os_errors_are_one_line_usage_errors(tmp_path):
    assert usage_error_of(tmp_path / "none.yaml") == "net.yaml: no such file"
    assert usage_error_of(tmp_path) == "net.yaml: is a directory, not a file"
    with pytest.raises(UsageError, match="budget file .*none.yaml: no such file"):
        parse_budget_file(str(tmp_path / "none.yaml"))


def test_line_breaks_and_a_leading_bom_are_kept_for_the_parser(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_bytes("\ufeffa: 1\r\nb: é\r\n".encode("utf-8"))
    text_ = read_source(path, "net.yaml")
    assert text_ == "\ufeffa: 1\r\nb: é\r\n"
    assert parse_yaml(text_, "net.yaml").items["b"].origin.line == 2


@pytest.mark.parametrize("content, reason", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"totals": ' + "1" * 5000 + "}", "Exceeds the limit"),  # int() refuses 5,000 digits with a ValueError
])
def test_a_baseline_that_json_cannot_read_is_a_usage_error(tmp_path, content, reason):
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=reason) as caught:
        load_baseline(str(path))
    one_line(caught.value)


# ---- bounds before composing ----------------------------------------------------------------------------

def test_25000_levels_of_flow_lists_are_refused(loader):
    error = error_of("a: " + "[" * 25_000 + "]" * 25_000 + "\n")
    if loader is yaml.SafeLoader:  # the event walk refuses the 65th level
        assert place(error) == (1, 3 + MAX_DEPTH)
        assert f"nested more than {MAX_DEPTH} levels deep" in error.message
    else:  # libyaml's scanner reads a flow collection ahead of the events, and stops at its own limit (1,000)
        assert place(error) == (1, 1003) and "nested too deeply" in error.message
    assert len(str(error)) < 400


@pytest.mark.parametrize("text_, where", [
    ("- " * 25_000 + "x\n", (1, 2 * MAX_DEPTH + 1)),  # block lists, 25,000 levels in 50 KB
    ("".join(" " * i + "-\n" for i in range(1000)), (MAX_DEPTH + 1, MAX_DEPTH + 1)),  # a list in a list…
    ("a: " + "[" * 1000 + "]" * 1000 + "\n", None),
    ("a: " + "[" * 100 + "]" * 100 + "\n", (1, 3 + MAX_DEPTH)),
    ("".join(" " * i + f"k{i}:\n" for i in range(200)), (MAX_DEPTH + 1, MAX_DEPTH + 1)),  # mappings
], ids=["block-25000", "block-1000-lines", "flow-1000", "flow-100", "mappings-200"])
def test_deep_nesting_is_refused_before_composing(loader, text_, where):
    error = error_of(text_)
    assert "nest" in error.message
    if where is not None:
        assert place(error) == where


def test_the_deepest_allowed_nesting_parses(loader):
    node = parse_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH, "net.yaml")
    for _ in range(MAX_DEPTH - 1):
        node = node.items[0]
    assert node.items == ()


def test_more_values_than_the_bound_are_refused_before_composing(loader):
    error = error_of("[" + "0, " * (MAX_NODES + 10) + "]")
    assert "more than 100,000 values" in error.message
    assert place(error) == (1, 2 + 3 * (MAX_NODES - 1))  # the list is the first value, this 0 the 100,001st


def test_an_alias_bomb_is_refused(loader):
    bomb = ("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 7)))
    assert "expands to more than 100,000 values" in error_of(bomb).message


def test_a_recursive_alias_is_refused(loader):
    error = error_of("version: 1\nbudgets: &a [*a]\n")
    assert place(error) == (2, 10) and "refers to a list or mapping that contains it" in error.message


def test_aliases_that_expand_too_deep_are_refused(loader):
    chain = "a0: &a0 " + "[" * 40 + "]" * 40 + "\n"
    chain += "".join(f"a{i}: &a{i} " + "[" * 40 + f"*a{i - 1}" + "]" * 40 + "\n" for i in range(1, 4))
    assert "aliases expand to lists and mappings nested more than 64 levels deep" in error_of(chain).message


def test_a_recursion_error_is_reported_not_raised(loader, monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_DEPTH", 10**6)  # the bound off: only the backstop remains
    error = error_of("".join(" " * i + "-\n" for i in range(900)))
    assert str(error) == "net.yaml:1:1: the document is nested too deeply"


@pytest.mark.parametrize("text_, where, message", [
    ("a: b\x00c\n", (1, 5), "the character U+0000 (a control character) is not allowed in YAML"),
    ("a: 1\nb: x\x1b[31m\n", (2, 5), "U+001B"),
    ("a: 1\r\nb: \x85\x86\n", (3, 1), "U+0086"),  # \r\n and \x85 are line breaks to YAML
    ("a: \ud800\n", (1, 4), "U+D800 (half of a surrogate pair)"),
    ("a: \ufffe\n", (1, 4), "U+FFFE (a noncharacter)"),
    ("a: 1\n\ufeffb: 2\n", (2, 1), "a byte-order mark (U+FEFF) is allowed only at the start of the file"),
    ("a: 1\n---\nb: 2\n", (2, 1), "one YAML document expected, but a second one starts here"),
    ("---\na: 1\n---\n", (3, 1), "one YAML document expected"),
])
def test_characters_and_documents_yaml_cannot_hold(loader, text_, where, message):
    error = error_of(text_)
    assert place(error) == where and message in error.message


def test_yaml_errors_quote_nothing_from_a_file_of_control_characters(loader):
    error = error_of("TOKEN=secret\x00HOME=/root\x00")  # /proc/self/environ, say, through a symbolic link
    assert "secret" not in str(error) and error.source_line is None


def test_a_leading_bom_is_accepted(loader):
    assert parse_yaml("\ufeffa: 1\n", "net.yaml").items["a"].value == 1


# ---- every PyYAML exception is a located SpecError -------------------------------------------------------

@pytest.mark.parametrize("text_, where, message", [
    ("a: !!int abc\n", (1, 4), "'abc' is not an integer (invalid literal for int() with base 10: 'abc')"),
    ("a: !!int ''\n", (1, 4), "'' is not an integer"),
    ("a: !!int 1e400\n", (1, 4), "'1e400' is not an integer"),
    ("a: !!float x\n", (1, 4), "'x' is not a number"),
    ("a: !!bool maybe\n", (1, 4), "'maybe' is not true or false"),
    ("a: !!timestamp x\n", (1, 4), "'x' is not a date"),
    ("a: 2001-13-45\n", (1, 4), "YAML reads '2001-13-45' as a date, and it is not one (month must be in 1..12); "
                                "put it in quotes if it is text"),
    ("a: !!binary 'YQ'\n", (1, 4), "'YQ' is not base64 data"),
    ("a: !!set {x}\n", (1, 4), "unsupported YAML tag !!set on a mapping"),
    ("a: !!python/name:os.system x\n", (1, 4), "unsupported YAML value"),
    ("a: !!int \"\\e[31m\"\n", (1, 4), "'\\x1b[31m' is not an integer"),
    ("a: 1" + "0" * 5000 + "\n", (1, 4), "a number of 5,001 characters (at most 1,000)"),
    ("a: 0x" + "f" * 5000 + "\n", (1, 4), "a number of 5,002 characters"),
    ("a: 1" + ":59" * 2000 + "\n", (1, 4), "a number of 6,001 characters"),  # base 60: slow, not just long
    ("!!int a: 1\n", (1, 1), "a tag on a mapping key is not supported (!!int); write the key plainly"),
    ("!!str 1: x\n", (1, 1), "a tag on a mapping key is not supported (!!str)"),
    ("? [a, b]\n: 1\n", (1, 3), "mapping keys must be plain names"),
    ("{[1]: 2}\n", (1, 2), "mapping keys must be plain names"),
    ("{{a: 1}: 2}\n", (1, 2), "mapping keys must be plain names"),
    ("~: 1\n", (1, 1), "a mapping key is missing (empty or null)"),
    ("null: 1\n", (1, 1), "a mapping key is missing"),
    ("a: 1\n? \n: 2\n", (2, 2), "a mapping key is missing"),
    ("<<: {a: 1}\n", (1, 1), "merge keys (`<<`) are not supported"),
    ("\"\\e\": 1\n", (1, 1), "the key '\\x1b' holds a control or invisible character"),
    ("\"a\\u202eb\": 1\n", (1, 1), "the key 'a\\u202eb' holds a control or invisible character"),
    ("\"a\\tb\": 1\n", (1, 1), "the key 'a\\tb' holds"),
    ("1.0: a\n1.00: b\n", (2, 1), "duplicate key '1.0'"),
])
def test_every_pyyaml_exception_is_a_located_spec_error(loader, text_, where, message):
    error = error_of(text_)
    assert place(error) == where and message in error.message, str(error)


@pytest.mark.parametrize("text_, key", [
    ("1: x\n", "1"), ("1.5: x\n", "1.5"), ("yes: x\n", "yes"), ("2001-01-01: x\n", "2001-01-01"),
    ("2001-13-45: x\n", "2001-13-45"), ("'012': x\n", "012"), ("=: x\n", "="),
])
def test_keys_that_are_not_strings_become_strings(loader, text_, key):
    assert list(parse_yaml(text_, "net.yaml").items) == [key]


# ---- nothing changes for real specs ---------------------------------------------------------------------

BUNDLED = sorted((ROOT / "archs").glob("*.yaml")) + [ROOT / "budgets.yaml"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_files_give_the_nodes_of_plain_composition(loader, path):
    """The nodes are what yaml.compose and the safe constructor make of the file, at the same places."""
    source = path.read_text(encoding="utf-8")
    plain = loader(source)
    try:
        expected = plain.get_single_node()
        assert_same(parse_yaml(source, str(path)), expected, plain)
    finally:
        plain.dispose()


def assert_same(node, composed, plain):
    mark = composed.start_mark
    assert (node.origin.line, node.origin.column) == (mark.line + 1, mark.column + 1)
    if isinstance(node, YScalar):
        assert node.value == plain.construct_object(composed)
        assert (node.text, node.style) == (composed.value, composed.style or None)
    elif isinstance(node, YSeq):
        assert len(node.items) == len(composed.value)
        for item, child in zip(node.items, composed.value):
            assert_same(item, child, plain)
    else:
        assert isinstance(node, YMap) and list(node.items) == [k.value for k, _ in composed.value]
        for (key, child), (key_node, value) in zip(node.items.items(), composed.value):
            assert node.key_origins[key].line == key_node.start_mark.line + 1
            assert_same(child, value, plain)


# ---- syntax errors in plain words -----------------------------------------------------------------------

SYNTAX_ERRORS = [
    ("a:\n  b: 1\n   c: 2\n", (3, 4),
     'this line is indented further than the line above it, which already has a value (line 3: "   c: 2"); indent '
     "it like the keys above it; if it continues the value above, put that value in quotes"),
    ("body:\n  - name: s\n    blocks:\n      - type: conv\n        out: 16\n       kernel: 3\n", (6, 8),
     'this line is indented differently from the keys above it (line 6: "       kernel: 3"); indent it like its '
     'siblings, or add the missing "-" of a list item'),
    ("blocks:\n  - type: conv\n    out: 3\n  type: bn\n", (4, 3),
     'this line is at the level of the list items above it, but does not start with "-" (line 4: "  type: bn"); '
     'add "- " to start a new item, or indent it like the fields of the item above'),
    ("a: b: c\n", (1, 5), 'a value cannot contain ": " (line 1: "a: b: c"); put the value in quotes'),
    ("a\nb: 1\n", (2, 1), 'YAML reads this line and the one above it as one value, because the line above has no '
                          '": " (line 2: "b: 1")'),
    ("a: 1\nb\nc: 2\n", (2, 1), 'this key is not followed by ": " (line 2: "b"); write "key: value" with a space '
                                'after the ":", or start a list item with "- "'),
    ("a: 1\nd:#e\n", (2, 1), 'this key is not followed by ": "'),
    ("a:\n\tb: 1\n", (2, 1), 'a tab is used for indentation (line 2: "\\tb: 1"); YAML indents with spaces only'),
    ("a: 1\n\t\nb: 2\n", (2, 1), "a tab is used for indentation"),
    ("a: [1]]\n", (1, 7), '"]" cannot follow the value before it (line 1: "a: [1]]")'),
    ("a: @foo\n", (1, 4), '"@" cannot start a value (line 1: "a: @foo"); put the value in quotes if it is text'),
    ("a: ]\n", (1, 4), '"]" cannot start a value'),
    ('a: "abc\nb: 1\n', (1, 4), 'the " opened here is never closed (line 1: "a: "abc"); end the value with "'),
    ("a: 'abc\n", (1, 4), "the ' opened here is never closed"),
    ("a: [1, 2\nb: 1\n", (1, 4), 'this "[" is not closed before line 2, column 2 (line 1: "a: [1, 2"); separate '
                                 'its items with "," and end it with "]"'),
    ("a: [1, 2\n", (1, 4), 'this "[" is never closed'),
    ("a: {x: 1\nb: 1\n", (1, 4), 'this "{" is not closed before line 2, column 2'),
    ("a: *nope\n", (1, 4), '*nope refers to no anchor (line 1: "a: *nope"); define "&nope" on a value above it'),
    ("a: &x 1\nb: &x 2\n", (2, 4), "the anchor &x is defined twice"),
    ("a: & x\n", (1, 4), '"&" must be followed by a name'),
    ('a: "\\q"\n', (1, 5), 'unknown escape "\\q" in a double-quoted value'),
    ("[1]\nb: 1\n", (2, 1), "the document's top level ended on a line above"),
    ("a: 1\n...\nb: 2\n", (3, 1), "the document's top level ended on a line above"),  # `---` must follow `...`
    ("a: |x\n  b\n", (1, 5), ""),  # not explained: PyYAML's own words, which differ between the loaders
]


@pytest.mark.parametrize("text_, where, message", SYNTAX_ERRORS, ids=[t[:24] for t, _, _ in SYNTAX_ERRORS])
def test_syntax_errors_say_what_is_wrong_and_quote_the_line(loader, text_, where, message):
    error = error_of(text_)
    assert place(error) == where
    assert str(error).startswith(f"net.yaml:{where[0]}:{where[1]}: YAML syntax error: {message}"), str(error)


def test_a_syntax_error_carries_its_source_line_for_a_caret(loader):
    error = error_of("a:\n  b: 1\n   c: 2\n")
    assert (error.source_line, error.source_column) == ("   c: 2", 4)


def test_finding_the_lines_of_an_error_reads_no_more_than_it_needs(loader):
    # A plain scalar spans blank lines; explaining its stray ":" looks for the line above. Reading every line
    # above for that (as a first version did) took 15 s for 8,000 lines.
    error = error_of("a: b\n" + "\n" * 1_000_000 + "  c: d\n")
    assert place(error) == (1_000_002, 3)


def test_a_quoted_line_is_escaped_and_shortened(loader):
    line = "x: \u202e" + "y" * 5000 + "\t: z: w"
    error = error_of(f"a: 1\n{line}\n")
    message = one_line(error)
    assert "\u202e" not in message and "\t" not in message and "…" in message and len(message) < 400
    assert error.source_line.startswith("…") and error.source_line.endswith("\\t: z: w")
    under_caret = error.source_line[error.source_column - 1:]
    assert under_caret.startswith(escape(line[error.origin.column - 1]))  # the caret sits under the problem


# ---- scalars keep their source text ---------------------------------------------------------------------

@pytest.mark.parametrize("written, value", [
    ("1:20", 80), ("012", 10), ("0x10", 16), ("1_000", 1000), ("yes", True), ("on", True), (".inf", float("inf")),
    ("4972669.9999999999", 4972670.0), ("2001-01-01", __import__("datetime").date(2001, 1, 1)), ("=", "="),
    ("name", "name"),
])
def test_a_plain_scalar_keeps_its_text_beside_its_value(loader, written, value):
    node = parse_yaml(f"a: {written}\n", "net.yaml").items["a"]
    assert (node.value, node.text, node.style) == (value, written, None)
    assert text(node, "a") == written


@pytest.mark.parametrize("written, style, content", [
    ('"012"', '"', "012"), ("'1:20'", "'", "1:20"), ('"a\\tb"', '"', "a\tb"), ("|\n  x\n", "|", "x\n"),
    (">\n  x\n  y\n", ">", "x y\n"),
])
def test_a_quoted_or_block_scalar_keeps_its_content_and_style(loader, written, style, content):
    node = parse_yaml(f"a: {written}", "net.yaml").items["a"]
    assert (node.value, node.text, node.style) == (content, content, style)


def test_a_nan_keeps_its_text():
    node = parse_yaml("a: .nan\n", "net.yaml").items["a"]
    assert node.value != node.value and node.text == ".nan"


@pytest.mark.parametrize("written", ["1:20", "012", "yes", "0x10", "1_000", "2001-01-01", "1.50"])
def test_names_stay_as_written(written):
    spec = costnet.parse_spec(f"version: 1\nname: {written}\ninput: {{channels: 3, resolution: 8}}\n"
                              f"body: [{{name: {written}, blocks: [{{type: bn}}]}}]\n", "net.yaml")
    assert spec.name == written and spec.stages[0].name == written


@pytest.mark.parametrize("written", ["~", "null", "''", "!!binary YQ=="])
def test_a_name_must_still_be_text(written):
    with pytest.raises(SpecError, match="name: must be a non-empty string"):
        costnet.parse_spec(f"version: 1\nname: {written}\n", "net.yaml")


def test_a_scalar_built_in_code_reads_as_before():
    origin = costnet.errors.Origin("x", 1, 1)
    assert text(YScalar(12, origin), "name") == "12"


@pytest.mark.parametrize("limit, code", [("4972669.9999999999", 1), ("4972670", 0), ('"4972669.9999999999"', 1),
                                         ("4.97267M", 0), ("4.9726699999999999M", 1)])
def test_a_budget_limit_is_read_from_its_digits_as_written(tmp_path, limit, code):
    # MixNet-M has 4,972,670 parameters under `paper` (timm's mixnet_m less batch norm, tests/data); YAML would
    # read the first limit as the float 4972670.0, and the limit would wrongly hold.
    assert reference_paper_params("mixnet_m") == 4_972_670
    path = tmp_path / "budgets.yaml"
    path.write_text(f"version: 1\nbudgets:\n  - spec: mixnet_m\n    max_params: {limit}\n")
    result = CliRunner().invoke(cli, ["check", "--budget", str(path)])
    assert result.exit_code == code, result.output


@pytest.mark.parametrize("limit", ["1_000", "0x10", "1:20", "yes", "~"])
def test_a_budget_limit_yaml_would_read_as_a_number_or_bool_is_refused_as_the_cli_refuses_it(tmp_path, limit):
    path = tmp_path / "budgets.yaml"
    path.write_text(f"version: 1\nbudgets:\n  - spec: mixnet_m\n    max_params: {limit}\n")
    with pytest.raises(SpecError, match=f"'{re.escape(limit)}' is not a count") as caught:
        parse_budget_file(str(path))
    assert place(caught.value) == (4, 17)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_fifo_without_a_writer_says_so_instead_of_waiting(tmp_path):
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["analyze", str(fifo)])
    assert result.exit_code == 2 and "a FIFO that gave nothing to read" in result.output
