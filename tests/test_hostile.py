"""The hostile-input policy (docs/output.md, "Exit codes"), proven on mutated inputs through the real command
line: the bundled specs, budgets.yaml and small generated specs (tests/specgen.py), with values replaced by
hostile ones, keys dropped, renamed, duplicated or swapped, YAML's anchors, aliases, merge keys and tags,
deep nesting, truncation and binary garbage; and hostile options, file names and standard input.

Every case runs `costnet.cli.main` in a worker process (this file run as a script) whose address space is
capped at MEMORY_BYTES, each case under a CASE_SECONDS alarm, with standard streams on files as in a CI job
(and ANSI sequences left in, as a terminal would get them). A case passes when: the exit code is 0 or 2 (1
only where a command reports an exceeded limit or a difference); standard error is empty or one line
starting `costnet: error:` or `costnet: note:`; there is no traceback and no raw control character (C0 but
the newline, DEL, C1), line separator or bidirectional control on either stream; standard output is strict JSON when JSON was asked for; and the
worker neither died nor hung. Budgets: tests/README.md.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import yaml

ROOT = Path(__file__).resolve().parent.parent
ARCHS = sorted((ROOT / "archs").glob("*.yaml"))
CASE_SECONDS = 10
MEMORY_BYTES = 2 * 2**30
BATCH = 150  # cases per worker process
TIMED_OUT = "timed out"


# ---- cases and their verdicts ---------------------------------------------------------------------------

@dataclass
class Case:
    label: str  # what was mutated and how: with the files, the reproducer
    args: list[str]
    files: dict[str, str] = field(default_factory=dict)  # name → base64 content, in the case's folder
    stdin: str = ""  # base64
    exit_codes: tuple[int, ...] = (0, 2)
    links: dict[str, str] = field(default_factory=dict)  # name → target (the archs/ of budgets.yaml)

    def file(self, name: str, content: bytes | str) -> str:
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.files[name] = base64.b64encode(data).decode("ascii")
        return name

    def reproducer(self, limit: int = 2000) -> str:
        shown = {name: base64.b64decode(data)[:limit] for name, data in self.files.items()}
        stdin = base64.b64decode(self.stdin)[:limit]
        return f"{self.label}: costnet {self.args!r}; files {shown!r}" + (f"; stdin {stdin!r}" if stdin else "")


# `check` names an entry it could not evaluate in its report, in every format, and exits 2 (docs/ci.md)
REPORTED_ERROR = re.compile(r'^ERROR |"error": "|^::error |<error ', re.M)
FORBIDDEN = ({chr(c) for c in range(0x20) if c != 0x0A} | {chr(0x7F)} | {chr(c) for c in range(0x80, 0xA0)}
             | set("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))


def problems(case: Case, code, out: bytes, err: bytes, escaped: str | None, seconds: float) -> list[str]:
    """What breaks the policy in one run (empty: the case passes)."""
    found = []
    if escaped == TIMED_OUT:
        return [f"no answer within {CASE_SECONDS} s (the time cap)"]
    if escaped:
        return [f"an exception escaped costnet.cli.main: {escaped[-1500:]}"]
    if code not in case.exit_codes:
        found.append(f"exit code {code!r}, expected one of {case.exit_codes}")
    try:
        out_text, err_text = out.decode("utf-8"), err.decode("utf-8")
    except UnicodeDecodeError as exc:
        return found + [f"output is not UTF-8: {exc}"]
    for name, text in (("stdout", out_text), ("stderr", err_text)):
        if "Traceback" in text:
            found.append(f"a traceback on {name}")
        bad = sorted({repr(ch) for ch in text if ch in FORBIDDEN})
        if bad:
            found.append(f"raw control characters on {name}: {', '.join(bad[:5])}")  # (or separators)
    lines = err_text.splitlines()
    if err_text and (len(lines) != 1 or not err_text.endswith("\n")
                     or not lines[0].startswith(("costnet: error: ", "costnet: note: "))):
        found.append(f"standard error is not one costnet line: {err_text[:300]!r}")
    if code == 2 and not lines and not (case.args[:1] == ["check"] and REPORTED_ERROR.search(out_text)):
        found.append("exit 2 without an error line (nor, for check, an entry that could not be evaluated)")
    if code == 2 and case.args[:1] in (["analyze"], ["table"], ["diff"]) and out_text:
        found.append(f"exit 2 after writing to standard output: {out_text[:200]!r}")
    if "json" in case.args and out_text and (code == 0 or case.args[:1] == ["check"]):
        try:
            json.loads(out_text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            found.append(f"-f json wrote no strict JSON: {exc}")
    if seconds > CASE_SECONDS:
        found.append(f"took {seconds:.1f} s")
    return found


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


# ---- hostile values and mutations -------------------------------------------------------------------------

class Digits(str):
    """An integer written as its digits (Python cannot print one of 5,000 digits by default)."""


class Raw(str):
    """Text written into the YAML as it is, unquoted (an alias, a tag, a flow collection)."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # (libyaml's emitter: the same text, faster)
    pass


RAWS: list[str] = []  # the Raw texts of the document being dumped, in order


def _raw(dumper, value):
    RAWS.append(str(value))
    return dumper.represent_scalar("tag:yaml.org,2002:str", f"RAWTEXTNUMBER{len(RAWS) - 1}X")


_Dumper.add_representer(Digits, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:int", str(value)))
_Dumper.add_representer(Raw, _raw)


def dump(data) -> str:
    RAWS.clear()
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    for i, raw in reversed(list(enumerate(RAWS))):  # (RAWTEXTNUMBER1X before RAWTEXTNUMBER10X would not do)
        text = text.replace(f"RAWTEXTNUMBER{i}X", raw)
    return text


def hostile(rng):
    return copy.deepcopy(rng.choice(HOSTILE_VALUES))  # a fresh one: later mutations may change it


HOSTILE_VALUES = [
    float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 5e-324, -0.0, -1, 0, 1, 2**24, 2**24 + 1, 2**63,
    10**400, Digits("9" * 5000), Digits("1" + "0" * 999), 0.5, 1.5, 17, True, False, None, "", " ", "x" * 100_000,
    "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x00", "\x9b31m", "\u202e\u2066evil\u2069", "\u2028", "a\nb",
    "\t", "\ufeff", "../../etc/passwd", "/etc/passwd", "/dev/zero", "/proc/self/environ", "mixnet_m", "1e400",
    "0x10", "1_000", "1:20", ".inf", "yes", "~", "569M", "-1M", "1" * 5000 + "M", [], {}, [1, 2, 3], {"a": 1},
    [[[[[]]]]], {"table": "stage2"}, {"times_input": 10**6}, {"times_input": -1}, list(range(1000)),
    [3] * 20000, {"version": 1}, Raw("*nosuchalias"), Raw("!!python/object/apply:os.system [echo hi]"),
    Raw("!!binary aGVsbG8="), Raw("!!timestamp 2001-12-14"), Raw("!!set {a, b}"), Raw("!custom 3"),
    Raw("!!int abc"), Raw("!!float"), Raw("{a: 1, a: 2}"), Raw("[" * 200 + "]" * 200), Raw("&x [*x]"),
]
HOSTILE_KEYS = ["", " ", "\x1b[2J", "type\x00", "\u202etype", "x" * 5000, "<<", "=", "? ", "1", "true", "~",
                "name", "repeat", "variant_of", "stride", "out", "kernel", "groups"]
# Beyond MAX_LAYERS, at its edge, or small. (The bounds admit networks that take longer than CASE_SECONDS and more
# than MEMORY_BYTES: 1,999,999 repeats of one conv take 87 s and 4.4 GB to analyze; see the report of issue 11.)
REPEATS = [10**7, 2**24, 2**24 + 1, 2_000_001, 10**400, 5_000, 2]
BASES = ["../../etc/passwd", "/etc/passwd", "self.yaml", "spec.yaml", "mixnet_m", "mixnet_l", "..", ".", "",
         "efficientnet_b0.yaml", "x" * 5000, "\x1b[31m.yaml", "a/b.yaml", "/dev/zero", "nosuch"]

ANCHORS = [
    # an alias bomb: nine levels of tenfold expansion
    "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]\n"
        for i in range(1, 9)),
    "base: &b {type: conv, out: 8, kernel: 3}\nmerged: {<<: *b, out: 16}\n",
    "r: &r [*r]\n", "loop: &l {self: *l}\n", "tagged: !!python/name:os.system\n", "t: !!str\n",
    "---\nversion: 1\n", "...\n", "%YAML 1.1\n---\n", "%TAG !e! tag:example.com,2000:\n---\n", "? [a, b]\n: c\n",
    "d: !!omap [{a: 1}]\n", "e: !!pairs [{a: 1}]\n", "f: 2001-12-14t21:59:43.10-05:00\n", "g: 0b1010\n",
    "h: 1:20:30\n", "i: =\n", "j: <<\n", "k: !!binary |\n  R0lGODlh\n",
]


def leaves(node, path=()):
    """Every (path, value) of a loaded YAML document, mappings and lists included."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, path + (i,))


def at(node, path):
    for key in path:
        node = node[key]
    return node


def put(node, path, value):
    if not path:
        return value
    at(node, path[:-1])[path[-1]] = value
    return node


def mappings(node):
    return [path for path, value in leaves(node) if isinstance(value, dict)]


def entries(node):
    return [path for path, value in leaves(node) if isinstance(value, dict) and "type" in value]


def _replace_leaf(rng, data):
    path, _ = rng.choice([p for p in leaves(data) if not isinstance(p[1], (dict, list))] or [((), None)])
    value = hostile(rng)
    return put(data, path, value), f"{'.'.join(map(str, path))} = {_short(value)}"


def _replace_node(rng, data):
    path, _ = rng.choice(list(leaves(data)))
    value = hostile(rng)
    return put(data, path, value), f"node {'.'.join(map(str, path))} = {_short(value)}"


def _drop_key(rng, data):
    places = mappings(data)
    path = rng.choice(places) if places else ()
    node = at(data, path) if places else {}
    if node:
        key = rng.choice(list(node))
        del node[key]
        return data, f"drop {'.'.join(map(str, path + (key,)))}"
    return data, "nothing to drop"


def _rename_key(rng, data):
    places = [p for p in mappings(data) if at(data, p)]
    if not places:
        return data, "nothing to rename"
    path = rng.choice(places)
    node = at(data, path)
    key = rng.choice(list(node))
    new = rng.choice(HOSTILE_KEYS)
    node[new] = node.pop(key)
    return data, f"rename {'.'.join(map(str, path + (key,)))} to {new!r}"


def _add_key(rng, data):
    places = mappings(data) or [()]
    path = rng.choice(places)
    key, value = rng.choice(HOSTILE_KEYS), hostile(rng)
    if isinstance(at(data, path), dict):
        at(data, path)[key] = value
    return data, f"add {'.'.join(map(str, path + (key,)))} = {_short(value)}"


def _swap(rng, data):
    """A key moved from one entry to another, or two entries' values of one key exchanged."""
    places = entries(data) or mappings(data)
    if len(places) < 2:
        return data, "nothing to swap"
    first, second = (at(data, p) for p in rng.sample(places, 2))
    if not first or not second:
        return data, "nothing to swap"
    key = rng.choice(list(first))
    if key in second and rng.random() < 0.5:
        first[key], second[key] = second[key], first[key]
        return data, f"swap {key!r} between entries"
    second[key] = first.pop(key)
    return data, f"move {key!r} to another entry"


def _repeat(rng, data):
    places = entries(data)
    if not places:
        return data, "no entry to repeat"
    path, count = rng.choice(places), rng.choice(REPEATS)
    at(data, path)["repeat"] = Digits(str(count)) if count > 2**63 else count
    return data, f"{'.'.join(map(str, path))}.repeat = {_short(count)}"


def _variant_of(rng, data):
    if isinstance(data, dict):
        data["variant_of"] = rng.choice(BASES)
        return data, f"variant_of = {_short(data['variant_of'])}"
    return data, "not a mapping"


def _copies(rng, data):
    lists = [p for p, v in leaves(data) if isinstance(v, list) and v]
    if not lists:
        return data, "no list"
    path = rng.choice(lists)
    items = at(data, path)
    # (more than MAX_NODES values: text_mutation writes them faster.) A budget entry is a whole analysis: 1,000
    # of them take 5-8 s, and nothing bounds their number (see the report of issue 11).
    times = 50 if path == ("budgets",) else rng.choice([50, 1000])
    aliased = rng.random() < 0.3  # one object many times: the dumper writes an anchor and aliases
    items.extend([items[0]] * times if aliased else [copy.deepcopy(items[0]) for _ in range(times)])
    return data, f"{'.'.join(map(str, path))} × {times}{' (aliases)' if aliased else ''}"


def _deep(rng, data):
    depth = rng.choice([60, 65, 200, 3000])
    nested = Raw("[" * depth + "1" + "]" * depth) if rng.random() < 0.5 else Raw("{a: " * depth + "1" + "}" * depth)
    path, _ = rng.choice(list(leaves(data)))
    return put(data, path, nested), f"{'.'.join(map(str, path))} nested {depth} deep"


STRUCTURAL = [_replace_leaf, _replace_leaf, _replace_node, _drop_key, _rename_key, _add_key, _swap, _swap,
              _repeat, _variant_of, _copies, _deep]


def _short(value) -> str:
    text = repr(value) if not isinstance(value, Digits) else f"<{len(value)} digits>"
    return text if len(text) <= 60 else f"{text[:57]}..."


def text_mutation(rng, text: str) -> tuple[bytes, str]:
    """A mutation of the file's bytes."""
    data = text.encode("utf-8")
    kind = rng.randrange(12)
    where = rng.randrange(len(data) + 1)
    lines = text.splitlines(keepends=True) or [""]
    line = rng.randrange(len(lines))
    if kind == 0:
        return data[:where], f"truncated at byte {where}"
    if kind == 1:
        garbage = bytes(rng.randrange(256) for _ in range(rng.choice([1, 8, 300])))
        return data[:where] + garbage + data[where:], f"{len(garbage)} random bytes at {where}"
    if kind == 2:
        char = rng.choice(["\x1b[31m", "\x00", "\x07", "\x85", "\u2028", "\u202e", "\r", "\t", "\ufeff", "\x9b"])
        return (text[:where] + char + text[where:]).encode("utf-8", "surrogatepass"), f"{char!r} at {where}"
    if kind == 3:
        lines.insert(line, lines[line])
        return "".join(lines).encode(), f"line {line + 1} twice"
    if kind == 4:
        del lines[line]
        return "".join(lines).encode(), f"line {line + 1} deleted"
    if kind == 5:
        lines[line] = rng.choice(["  ", "\t", " "]) + lines[line]
        return "".join(lines).encode(), f"line {line + 1} indented"
    if kind == 6:
        snippet = rng.choice(ANCHORS)
        return (snippet + text if rng.random() < 0.5 else text + snippet).encode(), f"YAML feature {snippet[:40]!r}"
    if kind == 7:
        return text.replace("\n", "\r\n").encode(), "CRLF line ends"
    if kind == 8:
        whole = rng.choice([b"", b" \n", b"~\n", b"[]\n", b"'x'\n", b"\xff\xfe" + text.encode("utf-16-le"),
                            os.urandom(rng.choice([16, 4096])), b"\x00" * 64, b"version: 1\n" * 3])
        return whole, f"the whole file replaced ({len(whole)} bytes)"
    if kind == 9:
        return data[:where] + data[where + rng.randrange(1, 50):], f"bytes cut at {where}"
    if kind == 10:  # beyond MAX_NODES
        return text.encode() + b"\nmany: [" + b"0," * 100_001 + b"]\n", "100,001 more values"
    return (text * rng.choice([2, 50])).encode(), "the document repeated"


# ---- the cases ---------------------------------------------------------------------------------------------

SPEC_COMMANDS = [
    (["analyze", "{f}"], (0, 2)),
    (["analyze", "{f}", "-f", "json"], (0, 2)),
    (["check", "{f}", "--max-macs", "1G"], (0, 1, 2)),
    (["sweep", "{f}", "--width", "0.5,1"], (0, 2)),
    (["diff", "{f}", "{o}"], (0, 2)),
    (["diff", "{f}", "{o}", "--exit-code"], (0, 1, 2)),
    (["table", "{f}", "--kind", "separable"], (0, 2)),
]
BUDGET_COMMANDS = [(["check", "--budget", "{f}"], (0, 1, 2)), (["check", "--budget", "{f}", "-f", "json"], (0, 1, 2)),
                   (["check", "--budget", "{f}", "-f", "github"], (0, 1, 2)),
                   (["check", "--budget", "{f}", "-f", "junit"], (0, 1, 2))]


def mutate(rng: random.Random, text: str) -> tuple[bytes, str]:
    """One to three structural mutations of the loaded document, or one of its bytes."""
    if rng.random() < 0.35:
        return text_mutation(rng, text)
    data = yaml.safe_load(text)
    labels = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        data, label = rng.choice(STRUCTURAL)(rng, data)
        labels.append(label)
    return dump(data).encode("utf-8"), "; ".join(labels)


def spec_cases(rng: random.Random, name: str, text: str, commands_per_input: int) -> list[Case]:
    content, how = mutate(rng, text)
    cases = []
    for args, codes in rng.sample(SPEC_COMMANDS, commands_per_input):
        case = Case(f"{name}: {how}", [], exit_codes=codes)
        f = case.file("spec.yaml", content)
        o = case.file("original.yaml", text)
        if "variant_of" in text:  # a variant's base is beside it
            base = yaml.safe_load(text)["variant_of"]
            case.file(base, (ROOT / "archs" / base).read_bytes())
        case.args = [a.format(f=f, o=o) for a in args]
        cases.append(case)
    return cases


def budget_cases(rng: random.Random) -> list[Case]:
    text = (ROOT / "budgets.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["budgets"] = rng.sample(data["budgets"], 3)  # three entries: a budget file's cost is its entries'
    small = dump(data)
    content, how = mutate(rng, small)
    args, codes = rng.choice(BUDGET_COMMANDS)
    case = Case(f"budgets.yaml: {how}", [], exit_codes=codes, links={"archs": str(ROOT / "archs")})
    case.args = [a.format(f=case.file("budgets.yaml", content)) for a in args]
    return [case]


def generated_texts(count: int) -> list[str]:
    """Small generated specs (tests/specgen.py), the same ones on every run unless COSTNET_PROPERTY_SEED."""
    from hypothesis import HealthCheck, given, seed, settings

    from runcounts import seed as chosen_seed
    from specgen import generated_specs

    texts: list[str] = []

    @settings(max_examples=count, database=None, derandomize=chosen_seed() is None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(generated_specs(max_stages=2))
    def collect(g):
        texts.append(g.text)

    (collect if chosen_seed() is None else seed(chosen_seed())(collect))()
    return texts


def mutation_cases(count: int, seed_: int) -> Iterator[Case]:
    """`count` mutated inputs: bundled specs, generated specs and budget files, each through a few commands."""
    rng = random.Random(seed_)
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in ARCHS]
    texts += [(f"generated spec {i}", t) for i, t in enumerate(generated_texts(max(10, count // 4)))]
    for i in range(count):
        if i % 10 == 9:
            yield from budget_cases(rng)
        else:
            name, text = rng.choice(texts)
            yield from spec_cases(rng, name, text, 2)


def _named_case(label, args, codes=(0, 2), stdin=b"", **files) -> Case:
    case = Case(label, list(args), exit_codes=codes)
    for name, content in files.items():
        case.file(name, content)
    case.stdin = base64.b64encode(stdin).decode("ascii")
    return case


SPEC = "version: 1\nname: t\ninput: {resolution: 16}\nbody: [{name: s, blocks: [{type: conv, out: 8, kernel: 3}]}]\n"


def cli_cases() -> list[Case]:
    """Hostile options, output paths, file names and standard input, each once."""
    cases = []
    for value in ["nan", "inf", "-inf", "-1", "0", "1e400", "17", "1e-320", "0x1", "", " 1", "1" * 5000]:
        cases.append(_named_case(f"--width {value[:20]}", ["analyze", "mixnet_m", "--width", value]))
        cases.append(_named_case(f"--depth {value[:20]}", ["analyze", "efficientnet_b0", "--depth", value]))
        cases.append(_named_case(f"sweep --width {value[:20]}", ["sweep", "mixnet_s", "--width", f"0.5,{value}"]))
    for value in [str(10**30), "-1", "0", "1e3", "9000", "8193", "1e30", "1" * 5000, "nan"]:
        cases.append(_named_case(f"--resolution {value[:20]}", ["analyze", "mobilenet_v1", "-r", value]))
        cases.append(_named_case(f"sweep -r {value[:20]}", ["sweep", "mobilenet_v1", "-r", f"128,{value}"]))
        cases.append(_named_case(f"diff @0.5,{value[:20]}", ["diff", "mobilenet_v1", f"mobilenet_v1@0.5,{value}"]))
    for value in ["0.1:0.2:1e-320", "1e-300:1:1e-300", "0:1:0.1", "1:0:0.1", "0.5:1:nan", "1:2:3:4", "::", ",",
                  "0.25:16:1e-6", "1,1,1,1"]:
        cases.append(_named_case(f"sweep --width {value}", ["sweep", "mobilenet_v1", "--width", value]))
        cases.append(_named_case(f"sweep -r {value}", ["sweep", "mobilenet_v1", "-r", value.replace("0.", "1")]))
    for value in ["1e400", "nan", "-1", "1e18", "1e19", "10" * 200, "1G\x1b[31m", "", "1e-400", "5 XiB", "0",
                  "1.5", "1" + "0" * 5000]:
        cases.append(_named_case(f"--max-macs {value[:20]!r}", ["check", "mixnet_m", "--max-macs", value], (0, 1, 2)))
        cases.append(_named_case(f"--max-peak-memory {value[:20]!r}",
                                 ["check", "mixnet_m", "--max-peak-memory", value], (0, 1, 2)))
    for value in ["nan%", "1e400%", "-1%", "%", "2", "1" * 5000 + "%", "1/0%"]:
        cases.append(_named_case(f"--max-increase {value[:20]!r}", ["check", "mixnet_m", "--baseline", "base.json",
                                                                    "--max-increase", value], (0, 1, 2),
                                 **{"base.json": "{}"}))
    for output in ["/dev/null", ".", "spec.yaml/out.json", "nosuch/dir/out.json", "", "/dev/full", "out\nput.json",
                   "\x1b[31m.json", "x" * 300 + ".json", "-"]:
        cases.append(_named_case(f"-o {output[:20]!r}", ["analyze", "spec.yaml", "-o", output], **{"spec.yaml": SPEC}))
    for name in ["a\nb.yaml", "\x1b[31m.yaml", "\x1b]0;x\x07.yaml", "\u202eevil.yaml", "mixnet_m\n", "x@0.5", "x" * 300,
                 "x" * 5000, "a\x00b", "@", "nosuch", "nosuch.yaml", "/", ".", "/dev/zero", "/dev/null",
                 "/proc/self/mem", "/etc/passwd", "--", "-x", "../..", "~"]:
        creatable = name.isprintable() or "\n" in name or "\x1b" in name
        files = {name: SPEC} if len(name) < 255 and "/" not in name and "\x00" not in name and creatable \
            and name.endswith((".yaml", "\n", ".5")) else {}
        for command in (["analyze", name], ["diff", name, "mixnet_m"], ["check", name, "--max-macs", "1G"]):
            codes = (0, 1, 2) if command[0] == "check" else (0, 2)
            cases.append(_named_case(f"file name {name[:20]!r}", command, codes, **files))
    for label, data in [("binary garbage", os.urandom(3000)), ("empty", b""), ("a NUL", b"\x00"),
                        ("UTF-16", "version: 1\n".encode("utf-16")), ("a spec", SPEC.encode()),
                        ("17 MiB", b"#" * (17 * 2**20)), ("a variant", b"version: 1\nvariant_of: mixnet_m\nname: v\n"),
                        ("a variant of ../..", b"version: 1\nvariant_of: ../../etc/passwd\nname: v\n"),
                        ("deep", b"[" * 100000), ("a lone surrogate", b"name: \xed\xa0\x80\n")]:
        for command in (["analyze", "-"], ["analyze", "-", "-f", "json"], ["sweep", "-", "--width", "0.5,1"],
                        ["check", "-", "--max-macs", "1G"]):
            codes = (0, 1, 2) if command[0] == "check" else (0, 2)
            cases.append(_named_case(f"standard input: {label}", command, codes, stdin=data))
    cases.append(_named_case("a budget naming itself", ["check", "--budget", "b.yaml"], (0, 1, 2),
                             **{"b.yaml": "version: 1\nbudgets: [{spec: b.yaml, max_macs: 1G}]\n"}))
    cases.append(_named_case("a baseline of 5,000-digit numbers", ["check", "mixnet_m", "--baseline", "base.json",
                                                                   "--max-increase", "2%"], (0, 1, 2),
                             **{"base.json": '{"schema_version": 2, "totals": {"macs": ' + "9" * 5000 + "}}"}))
    cases.append(_named_case("a baseline nested 100,000 deep", ["check", "mixnet_m", "--baseline", "base.json",
                                                                "--max-increase", "2%"], (0, 1, 2),
                             **{"base.json": "[" * 100000}))
    return cases


# ---- running cases: a worker process, capped ----------------------------------------------------------------

TIMES: list[tuple[float, str]] = []  # (seconds, case) of every case run, for a look at the slowest


def run_cases(cases: Iterable[Case], folder: Path) -> tuple[int, list[tuple[Case, list[str]]]]:
    """Every case through the worker, BATCH at a time (made as they are needed, their files removed once run); a
    worker that dies or hangs is reported at its case and the rest run in a new one. Returns the number of cases
    run, and the failing ones with their problems."""
    failures, count, cases = [], 0, iter(cases)
    while chunk := list(itertools.islice(cases, BATCH)):
        batch = folder / f"batch{count // BATCH}"
        count += len(chunk)
        _write_batch(batch, chunk)
        done = 0
        while done < len(chunk):
            results, died = _run_worker(batch, done, len(chunk))
            for index, found, seconds in results:
                TIMES.append((seconds, f"{chunk[index].label} {chunk[index].args[:2]}"))
                if found:
                    failures.append((chunk[index], found))
            done = max([done - 1] + [index for index, _, _ in results]) + 1
            if died is not None:
                failures.append((chunk[done], [died]))
                done += 1
        shutil.rmtree(batch)
    return count, failures


def _write_batch(batch: Path, cases: list[Case]) -> None:
    batch.mkdir(parents=True)
    for i, case in enumerate(cases):
        where = batch / f"c{i}"
        where.mkdir()
        for name, data in case.files.items():
            (where / name).write_bytes(base64.b64decode(data))
        for name, target in case.links.items():
            (where / name).symlink_to(target)
        (where / "stdin.bin").write_bytes(base64.b64decode(case.stdin))
    (batch / "cases.json").write_text(json.dumps([asdict(case) for case in cases]))


def _limit_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _run_worker(batch: Path, start: int, count: int) -> tuple[list[tuple[int, list[str], float]], str | None]:
    """Run cases start… of the batch; (index, problems, seconds) per case run, and why the worker stopped early."""
    progress, results_file = batch / "started", batch / "results.jsonl"
    progress.unlink(missing_ok=True)
    env = {key: value for key, value in os.environ.items() if key != "COSTNET_DEBUG"}  # no tracebacks asked for
    env.update(PYTHONIOENCODING="utf-8", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    worker = subprocess.Popen([sys.executable, __file__, str(batch), str(start)], env=env, cwd=batch,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              preexec_fn=_limit_memory)
    died = None
    while worker.poll() is None:
        time.sleep(0.05)
        try:
            index, began = progress.read_text().split()
        except (OSError, ValueError):
            continue
        if time.time() - float(began) > CASE_SECONDS + 20:  # the alarm did not stop it: a hang in C code
            worker.kill()
            worker.wait()
            died = f"hung: no answer {CASE_SECONDS + 20} s after it started"
    output = worker.stdout.read().decode("utf-8", "replace")
    results = []
    if results_file.exists():
        for line in results_file.read_text().splitlines():
            record = json.loads(line)
            if record["index"] >= start:
                results.append((record["index"], record["problems"], record["seconds"]))
        results_file.unlink()
    if died is None and worker.returncode != 0:
        died = f"the worker died (exit {worker.returncode}; {MEMORY_BYTES // 2**30} GiB cap): {output[-800:]}"
    if died is None and len(results) < count - start:
        died = f"the worker stopped early: {output[-800:]}"
    return results, died


class _CaseTimeout(BaseException):
    """Raised by the alarm: a BaseException, so that costnet's own `except Exception` does not catch it."""


def _alarm(signum, frame):
    raise _CaseTimeout


def work(batch: Path, start: int) -> None:
    """The worker: run cases start… of the batch in this process, one result line per case."""
    import io

    import click.utils

    from costnet.cli import main

    click.utils.should_strip_ansi = lambda stream=None, color=None: False  # as a terminal receives them
    signal.signal(signal.SIGALRM, _alarm)
    written = json.loads((batch / "cases.json").read_text())
    cases = [Case(**{**c, "exit_codes": tuple(c["exit_codes"])}) for c in written]
    saved = {fd: os.dup(fd) for fd in (0, 1, 2)}
    with open(batch / "results.jsonl", "a", encoding="utf-8") as results:
        for index in range(start, len(cases)):
            case, where = cases[index], batch / f"c{index}"
            (batch / "started").write_text(f"{index} {time.time()}")
            os.chdir(where)
            with open("stdin.bin", "rb") as stdin, open("stdout.bin", "w+b") as out, open("stderr.bin", "w+b") as err:
                os.dup2(stdin.fileno(), 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
                sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
                sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8")
                code, escaped, began = None, None, time.perf_counter()
                signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
                try:
                    code = main(case.args)
                    for stream in (sys.stdout, sys.stderr):
                        stream.flush()
                except _CaseTimeout:
                    escaped = TIMED_OUT
                except BaseException:  # noqa: BLE001 (anything that escapes main() is the finding)
                    escaped = traceback.format_exc()
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                seconds = time.perf_counter() - began
                for fd in (0, 1, 2):
                    os.dup2(saved[fd], fd)
                found = problems(case, code, _read(out), _read(err), escaped, seconds)
            results.write(json.dumps({"index": index, "problems": found, "seconds": seconds}) + "\n")
            results.flush()


def _read(handle) -> bytes:
    handle.seek(0)
    return handle.read()


# ---- the tests ------------------------------------------------------------------------------------------------

def _check(cases: Iterable[Case], tmp_path: Path, what: str) -> None:
    from runcounts import COUNTS

    count, failures = run_cases(cases, tmp_path)
    COUNTS[what] += count
    assert not failures, f"{len(failures)} of {count} cases break the policy:\n" + "\n".join(
        f"- {'; '.join(found)[:1500]}\n  {case.reproducer(300)}" for case, found in failures[:20])


def test_mutated_specs_and_budget_files_through_every_command(tmp_path):
    from runcounts import COUNTS, examples, seed

    count = examples(4)  # mutated inputs, each through two commands (a budget file: one)
    cases = mutation_cases(count, seed() or 11)
    COUNTS["mutations"] += count
    _check(cases, tmp_path, "CLI cases")


def test_hostile_options_file_names_and_standard_input(tmp_path):
    _check(cli_cases(), tmp_path, "CLI cases")


if __name__ == "__main__":
    work(Path(sys.argv[1]), int(sys.argv[2]))
