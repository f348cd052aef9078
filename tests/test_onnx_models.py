"""Real networks exported from PyTorch (tests/data/onnx, by benchmarks/export_onnx.py): costnet's analysis of
each ONNX graph against PyTorch's own figures for the same model (reference.json: sum of numel, and conv +
linear MACs by forward hooks, layer by layer), and `costnet verify` of the bundled specs against them."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from costnet import analyze, read_onnx
from costnet.cli import cli

DATA = Path(__file__).parent / "data" / "onnx"
REFERENCE = json.loads((DATA / "reference.json").read_text())["models"]
ARCHS = Path(__file__).parent.parent / "archs"

# The bundled spec of each exported model (costnet's name ← torchvision's or timm's).
SPEC_OF = {
    "mobilenetv1_100": "mobilenet_v1", "mobilenet_v2": "mobilenet_v2", "mobilenet_v3_large": "mobilenet_v3_large",
    "mobilenet_v3_small": "mobilenet_v3_small", "mnasnet1_0": "mnasnet_b1", "semnasnet_100": "mnasnet_a1",
    "efficientnet_b0": "efficientnet_b0", "mixnet_s": "mixnet_s", "mixnet_m": "mixnet_m", "mixnet_l": "mixnet_l",
    "shufflenet_v2_x1_0": "shufflenet_v2", "resnet18": "resnet18", "resnet50": "resnet50",
    "squeezenet1_0": "squeezenet1_0", "squeezenet1_1": "squeezenet1_1", "googlenet": "googlenet",
    "densenet121": "densenet121", "vgg16": "vgg16", "alexnet": "alexnet",
}
COSTED = ("conv", "dwconv", "pwconv", "fc", "se", "deconv")


def dims(shape):
    return [shape.channels, shape.height, shape.width]


def test_every_fixture_has_a_reference_and_a_spec():
    assert sorted(p.stem for p in DATA.glob("*.onnx")) == sorted(REFERENCE) == sorted(SPEC_OF)


@pytest.mark.parametrize("model", sorted(REFERENCE))
def test_totals_equal_pytorch_under_both_conventions(model):
    ref = REFERENCE[model]
    graph = read_onnx(DATA / f"{model}.onnx")
    torch, paper = analyze(graph, "torch"), analyze(graph, "paper")
    assert torch.totals.macs == paper.totals.macs == ref["macs"]
    assert torch.totals.params == ref["params"]
    assert paper.totals.params == ref["params"] - ref["bn_params"]
    assert torch.totals.norm_params == ref["bn_params"]


@pytest.mark.parametrize("model", sorted(REFERENCE))
def test_every_layer_equals_its_pytorch_modules(model):
    """Each costed row stands for the PyTorch modules under its path (a MixConv for its parts, an SE for its
    two convolutions): their MACs, weights and biases, kernels, strides, groups and shapes."""
    layers = [l for l in analyze(read_onnx(DATA / f"{model}.onnx"), "torch").layers if l.type in COSTED]
    by_name = {l.name: l for l in layers}
    modules: dict[str, list] = {name: [] for name in by_name}
    for module in REFERENCE[model]["layers"]:
        owner = next(n for n in by_name if module["module"] == n or module["module"].startswith(n + "."))
        modules[owner].append(module)
    for name, layer in by_name.items():
        parts = modules[name]
        assert parts, f"{name}: no PyTorch module"
        assert layer.macs == sum(p["macs"] for p in parts), name
        assert layer.weights + layer.biases == sum(p["params"] for p in parts), name
        first = parts[0]
        if layer.type in ("conv", "pwconv", "dwconv"):  # parts split the channels (MixConv, grouped 1×1)
            assert dims(layer.input_shape) == [sum(p["in_shape"][0] for p in parts), *first["in_shape"][1:]], name
            assert dims(layer.output_shape) == [sum(p["out_shape"][0] for p in parts), *first["out_shape"][1:]], name
            assert layer.fields["stride"] == first["stride"][0], name
        if layer.type == "dwconv":
            assert tuple(layer.fields["kernel"]) == tuple(p["kernel"][0] for p in parts), name
            assert all(p["groups"] == p["in_shape"][0] for p in parts), name
        if layer.type == "conv":
            assert (layer.fields["kernel"], layer.fields["groups"]) == (first["kernel"][0], first["groups"]), name
        if layer.type == "pwconv":
            assert layer.fields["groups"] == len(parts) * first["groups"], name
        if layer.type == "fc":
            assert layer.fields["out"] == first["out_shape"][0], name
    assert sum(len(p) for p in modules.values()) == len(REFERENCE[model]["layers"])


@pytest.mark.parametrize("model", sorted(SPEC_OF))
def test_verify_passes_for_the_bundled_spec(model):
    result = CliRunner().invoke(cli, ["verify", SPEC_OF[model], str(DATA / f"{model}.onnx")])
    costed = sum(1 for l in analyze(read_onnx(DATA / f"{model}.onnx")).layers if l.type in COSTED)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"verified: all {costed} layers agree")


def test_verify_at_another_resolution():
    path = str(DATA / "mobilenet_v2.onnx")
    result = CliRunner().invoke(cli, ["verify", "mobilenet_v2", path, "-r", "160", "--input-shape", "1,3,160,160"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["verify", "mobilenet_v2", path, "-r", "160"])
    assert result.exit_code == 1 and "the inputs differ: spec 3×160×160, onnx 3×224×224" in result.output


def _mutated(tmp_path, spec: str, old: str, new: str) -> Path:
    text = (ARCHS / f"{spec}.yaml").read_text()
    assert text.count(old) >= 1, old
    line = text[:text.index(old)].count("\n") + 1
    path = tmp_path / f"{spec}.yaml"
    path.write_text(text.replace(old, new, 1))
    return path, line


def _verify_json(spec_path, model):
    result = CliRunner().invoke(cli, ["verify", str(spec_path), str(DATA / f"{model}.onnx"), "-f", "json"])
    assert result.exit_code == 1, result.output
    return json.loads(result.output)


def test_a_changed_kernel_is_reported_at_its_layer(tmp_path):
    path, line = _mutated(tmp_path, "mixnet_m", "kernel: [3, 5, 7, 9], stride: 2", "kernel: [3, 5, 7], stride: 2")
    data = _verify_json(path, "mixnet_m")
    d = data["difference"]
    # MixNet-M's stage 3 (timm's blocks.2) opens with the 4-kernel MixConv: conv_stem, 1 + 3 layers of
    # blocks.0, 3 + 3 of blocks.1, then its expansion: the depthwise layer is the 11th.
    assert d["index"] == 10
    assert d["spec"]["name"] == "stage2.0.dw" and d["spec"]["where"].startswith(f"{path}:{line}:")
    assert d["onnx"]["name"] == "blocks.2.0.conv_dw"
    assert d["onnx"]["where"].endswith("(node /blocks/blocks.2/blocks.2.0/conv_dw/Split)")
    aspects = {a["aspect"]: (a["spec"], a["onnx"]) for a in d["aspects"]}
    assert aspects["kernel"] == ([3, 5, 7], [3, 5, 7, 9])
    assert aspects["macs"][1] == 338688 + 940800 + 1843968 + 3048192  # PyTorch's four parts
    assert data["layers"]["agreeing"] == 10


def test_a_changed_channel_count_is_reported_at_the_first_layer_it_changes(tmp_path):
    path, line = _mutated(tmp_path, "resnet18", "out: 128", "out: 120")
    data = _verify_json(path, "resnet18")
    d = data["difference"]
    assert d["spec"]["where"].startswith(f"{path}:{line}:")
    assert d["onnx"]["name"] == "layer2.0.conv1"  # the first convolution of 128 channels
    assert {a["aspect"] for a in d["aspects"]} >= {"output", "macs", "weights"}
    assert ("output", "120×28×28", "128×28×28") in {(a["aspect"], a["spec"], a["onnx"]) for a in d["aspects"]}


def test_a_missing_squeeze_excitation_is_reported_where_it_is_missing(tmp_path):
    text = (ARCHS / "efficientnet_b0.yaml").read_text()
    first_se = re.search(r"se: 0\.25", text)
    assert first_se
    path, line = _mutated(tmp_path, "efficientnet_b0", first_se.group(0), "se: 0")
    data = _verify_json(path, "efficientnet_b0")
    d = data["difference"]
    # torchvision's features.1.0: depthwise, then SE, then the projection; the spec now goes dw → project
    assert d["onnx"]["name"] == "features.1.0.block.1"
    assert d["onnx"]["facts"]["kind"] == "squeeze-and-excitation"
    assert d["spec"]["facts"]["kind"] == "convolution"
    assert d["spec"]["where"].startswith(f"{path}:{line}:")
    result = CliRunner().invoke(cli, ["verify", str(path), str(DATA / "efficientnet_b0.onnx")])
    assert "a layer is missing on one side, or extra on the other, here" in result.output


def test_verify_refuses_the_arguments_the_wrong_way_round():
    result = CliRunner().invoke(cli, ["verify", str(DATA / "mixnet_m.onnx"), "mixnet_m"])
    assert result.exit_code == 2 and "give the ONNX file second" in result.output


def test_analyze_json_of_an_onnx_file(tmp_path):
    result = CliRunner().invoke(cli, ["analyze", str(DATA / "mixnet_m.onnx"), "-f", "json", "-c", "torch"])
    data = json.loads(result.output)
    ref = REFERENCE["mixnet_m"]
    assert (data["totals"]["macs"], data["totals"]["params"]) == (ref["macs"], ref["params"])
    assert data["scaling"] is None and data["not_costed"] == []
    first = data["layers"][0]
    assert (first["name"], first["line"], first["onnx_node"]) == ("conv_stem", None, "/conv_stem/Conv")
    # timm's MixNet-M: 19 depthwise separable pairs, as for the spec
    assert len(data["separable"]) == 19


def test_diff_of_a_spec_and_its_onnx_graph_finds_no_difference():
    result = CliRunner().invoke(cli, ["diff", "mixnet_m", str(DATA / "mixnet_m.onnx"), "--exit-code"])
    assert result.exit_code == 0, result.output
    assert "layers matched by order" in result.output and "A and B are the same" in result.output


def test_diff_of_two_onnx_graphs():
    result = CliRunner().invoke(cli, ["diff", str(DATA / "mixnet_s.onnx"), str(DATA / "mixnet_m.onnx"), "-f", "json"])
    data = json.loads(result.output)
    assert data["matched_by"] == "name"
    assert data["totals"]["macs"] == [REFERENCE["mixnet_s"]["macs"], REFERENCE["mixnet_m"]["macs"]]


def test_check_and_budget_entries_take_onnx_files(tmp_path):
    model = DATA / "mobilenet_v2.onnx"
    macs = REFERENCE["mobilenet_v2"]["macs"]
    assert CliRunner().invoke(cli, ["check", str(model), "--max-macs", str(macs)]).exit_code == 0
    assert CliRunner().invoke(cli, ["check", str(model), "--max-macs", str(macs - 1)]).exit_code == 1
    (tmp_path / "model.onnx").write_bytes(model.read_bytes())
    (tmp_path / "budgets.yaml").write_text(
        "version: 1\nbudgets:\n"
        f"  - {{spec: model.onnx, max_macs: {macs}}}\n"
        "  - {spec: model.onnx, input_shape: '1,3,160,160', max_macs: 160M}\n"
        "  - {spec: missing.onnx, max_macs: 1G}\n")
    result = CliRunner().invoke(cli, ["check", "--budget", str(tmp_path / "budgets.yaml"), "-f", "json"])
    assert result.exit_code == 2  # the missing file could not be evaluated; the others were
    entries = json.loads(result.output)["entries"]
    assert [e["error"] is None for e in entries] == [True, True, False]
    assert "missing.onnx: no such file" in entries[2]["error"]
    assert all(limit["passed"] for e in entries[:2] for limit in e["limits"])
