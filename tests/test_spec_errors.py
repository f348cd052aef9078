"""Bad input: every error names file:line:col, the field, what is wrong and what would be valid."""

import textwrap

import pytest

import costnet
from costnet import SpecError, UsageError


def spec_error(text: str) -> str:
    with pytest.raises(SpecError) as info:
        spec = costnet.parse_spec(textwrap.dedent(text), "net.yaml")
        costnet.analyze(spec)
    return str(info.value)


HEAD = "version: 1\nname: t\ninput: {channels: 3, resolution: 8}\n"


def body(*entries: str) -> str:
    return HEAD + "body:\n  - name: s\n    blocks:\n" + "".join(f"      - {e}\n" for e in entries)


@pytest.mark.parametrize("text,expected", [
    (body("{type: conv, out: 16, kernal: 3}"),
     "net.yaml:7:31: body[0].blocks[0].kernal: unknown field 'kernal' for a 'conv' entry (did you mean 'kernel'?"),
    (body("{type: dwconvv, kernel: 3}"),
     "net.yaml:7:16: body[0].blocks[0].type: unknown type 'dwconvv' (did you mean 'dwconv'?"),
    ("version: 1\nname: a\nname: b\n", "net.yaml:3:1: duplicate key 'name' (first given at line 2)"),
    (body("{type: conv, out: 16, kernel: 3, groups: 2}"),
     "layer s.0 (conv) on input 3×8×8: input channels (3) and output channels (16) must both be divisible by groups (2)"),
    (body("{type: conv, out: 16, kernel: 9, padding: valid}"),
     "net.yaml:7:9: body[0].blocks[0]: layer s.0 (conv) on input 3×8×8: a 9×9 kernel does not fit the 8×8 input"),
    (body("{type: conv, out: 16, kernel: 3, stride: 0}"), "body[0].blocks[0].stride: must be an integer from 1 to 16,777,216 (got 0)"),
    (body("{type: conv, out: -8, kernel: 3}"), "body[0].blocks[0].out: must be an integer from 1 to 16,777,216 (got -8)"),
    (body("{type: conv, out: 16, kernel: 3, act: swsh}"), "unknown value 'swsh' (did you mean 'swish'?"),
    (body("{type: fc, out: 10}"), "on input 3×8×8: a fully connected layer needs a flat input, not 8×8 pixels; add `flatten` or `global_pool`"),
    (body("{type: parallel, merge: add, branches: [[{type: conv, out: 16, kernel: 3}], []]}"),
     "cannot add branch1 (16×8×8) and branch2 (3×8×8) at s.0: shapes differ"),
    (body("{type: parallel, merge: concat, branches: [[{type: conv, out: 4, kernel: 3, stride: 2}], []]}"),
     "cannot concat branch1 (4×4×4) and branch2 (3×8×8) at s.0: spatial sizes differ"),
    (body("{type: dwconv, kernel: [3, 5, 7, 9]}"), "4 kernel sizes cannot split 3 channels"),
    ("version: 1\nname: [t\n", "net.yaml:2:7: YAML syntax error: this \"[\" is never closed"),
    ("- 1\n", "net.yaml:1:1: a spec must be a mapping"),
    ("", "net.yaml:1:1: the file is empty"),
    ("version: 2\nname: x\n", "net.yaml:1:10: version: unsupported spec version 2 (this costnet reads version 1)"),
    ("version: 1\nname: !!python/object/apply:os.system [echo hi]\n", "net.yaml:2:7: unsupported YAML tag"),
    ("version: 1\nname: !!python/name:os.system x\n", "net.yaml:2:7: unsupported YAML value"),
    ("version: 1\nname: x\ninput: {resolution: 100000}\nbody: []\n", "input.resolution: must be a whole number of pixels from 1 to 8,192 (got 100000)"),
    (HEAD + "body: []\n", "body: the body has no stages"),
    (HEAD.replace("name: t\n", "") + "body: []\n", "missing required field 'name'"),
    (HEAD + "body:\n  - name: s\n    blocks:\n      - {type: bn}\n  - name: s\n    blocks:\n      - {type: bn}\n",
     "net.yaml:8:5: body[1]: duplicate stage name 's' (first at line 5)"),
    (HEAD + "reported:\n  - {source: x, macs: lots}\nbody: [{name: s, blocks: [{type: bn}]}]\n",
     "reported[0].macs: must be a figure as published, e.g. 569M or 4.2M (got 'lots')"),
    (HEAD + "reported:\n  - {source: x, macs: 5M, unexplained: [macs]}\nbody: [{name: s, blocks: [{type: bn}]}]\n",
     "an unexplained figure needs a `note`"),
    ("version: 1\nbase: &b {channels: 3}\ninput:\n  <<: *b\n", "merge keys (`<<`) are not supported"),
], ids=lambda v: v[:40] if isinstance(v, str) else v)
def test_spec_errors(text, expected):
    assert expected in spec_error(text)


def test_scaling_a_network_without_a_width_multiplier_says_so():
    spec = costnet.parse_spec(HEAD + "width: {rule: none}\nbody: [{name: s, blocks: [{type: bn}]}]\n", "x.yaml")
    with pytest.raises(UsageError, match="t defines no width multiplier"):
        costnet.scale(spec, width=0.5)
    assert costnet.scale(spec, width=1.0).scaling.width == 1.0


def test_unknown_bundled_name_suggests_the_closest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="did you mean 'mixnet_m'"):
        costnet.load("mixnet_mm")


def test_yaml_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"version: 1\nname: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(SpecError):
        costnet.parse_spec(text, "evil.yaml")
    assert not marker.exists()
