"""The JSON Schemas and the JSON contract: every bundled spec is valid under the spec schema, every analysis
under the output schema, docs/output.md lists exactly the contract's keys, and the peak of memory can be
recomputed from the JSON alone."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from costnet.cli import cli
from costnet.frontends.spec.loader import bundled_names

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).parent.parent
ARCHS = sorted((ROOT / "archs").glob("*.yaml"))


def schema(which):
    result = CliRunner().invoke(cli, ["schema", which])
    assert result.exit_code == 0
    data = json.loads(result.output)
    jsonschema.Draft7Validator.check_schema(data)
    return data


@pytest.fixture(scope="module")
def spec_validator():
    return jsonschema.Draft7Validator(schema("spec"))


@pytest.fixture(scope="module")
def output_validator():
    return jsonschema.Draft7Validator(schema("output"))


@pytest.mark.parametrize("path", ARCHS, ids=lambda p: p.stem)
def test_every_bundled_spec_is_valid_under_the_spec_schema(path, spec_validator):
    import yaml

    errors = list(spec_validator.iter_errors(yaml.safe_load(path.read_text())))
    assert not errors, [e.message for e in errors[:3]]


@pytest.mark.parametrize("text,where", [
    ("version: 1\nname: x\ninput: {resolution: 8}\nbody: [{name: s, blocks: [{type: conv, out: 8}]}]\n", "kernel"),
    ("version: 1\nname: x\ninput: {resolution: 8}\nbody: [{name: s, blocks: [{type: cnov, out: 8}]}]\n", "type"),
    ("version: 1\nname: x\ninput: {resolution: 0}\nbody: [{name: s, blocks: [{type: bn}]}]\n", "resolution"),
    ("version: 1\nname: x\ninput: {resolution: 8}\nbody: [{name: s, blocks: [{type: bn, bogus: 1}]}]\n", "bogus"),
])
def test_the_spec_schema_catches_what_an_editor_should_underline(text, where, spec_validator):
    import yaml

    assert not spec_validator.is_valid(yaml.safe_load(text)), where


@pytest.mark.parametrize("name", bundled_names())
def test_every_analysis_is_valid_under_the_output_schema_and_its_peak_can_be_recomputed(name, output_validator):
    for dtype in ("fp32", "int8"):
        data = json.loads(CliRunner().invoke(cli, ["analyze", name, "-f", "json", "--dtype", dtype]).output)
        errors = list(output_validator.iter_errors(data))
        assert not errors, [e.message for e in errors[:3]]
        assert data["memory"]["peaks"] == recomputed_peaks(data)


def recomputed_peaks(data):
    """The peak of live memory from the JSON's dataflow alone, as docs/output.md describes it."""
    size = data["memory"]["bytes_per_element"]
    sizes = {data["memory"]["input_tensor"]: elements(data["input"]) * size}
    last_reader = {}
    for row, layer in enumerate(data["layers"]):
        sizes[layer["name"]] = elements(layer["output_shape"]) * size
        for name in layer["inputs"]:
            last_reader[name] = row
    in_place_types = {"dwconv", "act", "bn", "dropout"}  # docs/conventions.md, "Memory"
    assert set(data["memory"]["overwriting_types"]) == in_place_types  # and the document says so itself
    peaks = {}
    for model in ("plain", "in-place"):
        best, where = -1, None
        for row, layer in enumerate(data["layers"]):
            alive = [name for name, last in last_reader.items()
                     if last >= row and (name == "input" or index(data, name) < row)]
            live = sum(sizes[name] for name in alive) + sizes[layer["name"]]
            (source,) = layer["inputs"] if len(layer["inputs"]) == 1 else (None,)
            if model == "in-place" and layer["type"] in in_place_types and source and last_reader[source] == row:
                live -= min(sizes[source], sizes[layer["name"]])
            if live > best:
                best, where = live, layer["name"]
        peaks[model] = {"bytes": best, "layer": where}
    return peaks


def elements(shape):
    return shape["channels"] * shape["height"] * shape["width"]


def index(data, name, cache={}):
    key = id(data)
    if key not in cache or cache[key][0] is not data:  # (the cache holds `data`: its id is not reused meanwhile)
        cache.clear()
        cache[key] = (data, {layer["name"]: i for i, layer in enumerate(data["layers"])})
    return cache[key][1][name]


def test_docs_list_exactly_the_contracts_keys():
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    section = text.split("## JSON: the machine contract", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for cell in re.findall(r"^\| (`[^|]+`) \|", section, re.M):
        documented |= set(re.findall(r"`([a-z_]+)`", cell))
    required = set(schema("output")["required"])
    assert documented == required
    layer_row = next(line for line in section.splitlines() if line.startswith("| `layers` |"))
    layer_keys = set(schema("output")["definitions"]["layer"]["required"])
    assert layer_keys <= set(re.findall(r"`([a-z_]+)`", layer_row))
