"""Export the ONNX fixtures of real networks that costnet's ONNX front end is tested on, with PyTorch's figures.

Run (needs torch, torchvision, timm, onnx and onnxscript): python benchmarks/export_onnx.py [MODEL ...]

Writes tests/data/onnx/<model>.onnx and tests/data/onnx/reference.json. Each network is exported in eval
mode at batch 1, 3×224×224, with its batch norms kept as BatchNormalization nodes, its shapes inferred,
and its float weights stripped of their data (names, dims and types stay), so that a file is about
200 KB at most and still loads with onnx.load(path, load_external_data=False).

The exporter is the TorchScript one (dynamo=False) with training=PRESERVE. In torch 2.13 its default
(EVAL) folds every batch norm into the conv before it; the dynamo exporter does too, through the fuse
rules of onnxscript's optimizer, and without that optimizer its graphs are strewn with
Expand/CastLike/Shape nodes.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import onnx
import onnx_ir
import onnxscript.optimizer
import torch
from torch import nn

# This environment's torchvision has no compiled ops for its torch, and its import fails unless these
# two are defined; the exports use none of them.
_torchvision_ops = torch.library.Library("torchvision", "DEF")
_torchvision_ops.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
_torchvision_ops.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")

import timm  # noqa: E402
import torchvision  # noqa: E402
from torchvision import models as tv  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "onnx"
OPSET = 17
INPUT_SHAPE = (1, 3, 224, 224)
# Float Constant nodes up to this many elements keep their data (costnet's reader decodes floats this small).
SMALL_FLOAT_ELEMENTS = 64
FLOAT_TYPES = {
    onnx.TensorProto.FLOAT,
    onnx.TensorProto.DOUBLE,
    onnx.TensorProto.FLOAT16,
    onnx.TensorProto.BFLOAT16,
}

MODELS: dict[str, Callable[[], nn.Module]] = {
    "mobilenet_v2": tv.mobilenet_v2,
    "mobilenet_v3_large": tv.mobilenet_v3_large,
    "mobilenet_v3_small": tv.mobilenet_v3_small,
    "mnasnet1_0": tv.mnasnet1_0,
    "efficientnet_b0": tv.efficientnet_b0,
    "shufflenet_v2_x1_0": tv.shufflenet_v2_x1_0,
    "resnet18": tv.resnet18,
    "resnet50": tv.resnet50,
    "squeezenet1_0": tv.squeezenet1_0,
    "squeezenet1_1": tv.squeezenet1_1,
    "googlenet": lambda: tv.googlenet(aux_logits=False, init_weights=False),
    "densenet121": tv.densenet121,
    "vgg16": tv.vgg16,
    "alexnet": tv.alexnet,
    "mixnet_s": lambda: timm.create_model("mixnet_s"),
    "mixnet_m": lambda: timm.create_model("mixnet_m"),
    "mixnet_l": lambda: timm.create_model("mixnet_l"),
    "semnasnet_100": lambda: timm.create_model("semnasnet_100"),
    "mobilenetv1_100": lambda: timm.create_model("mobilenetv1_100"),
}

EXPORTER = (
    f"torch.onnx.export(dynamo=False, opset_version={OPSET}, training=TrainingMode.PRESERVE) on the eval model, "
    "onnxscript.optimizer.fold_constants, then onnx.shape_inference.infer_shapes"
)
COUNTING = (
    "params = sum of numel of all parameters; bn_params = weight + bias numel of every batch norm; "
    "macs = sum over every nn.Conv2d (out.numel() * in_channels/groups * kh * kw) and nn.Linear "
    "(out.numel() * in_features) call, measured by forward hooks at batch 1, 3x224x224, biases not counted; "
    "layer shapes exclude the batch dimension; kernel, stride, padding, dilation and groups are null for Linear."
)


def build(name: str) -> nn.Module:
    torch.manual_seed(0)
    model = MODELS[name]().eval()
    # Freshly initialised batch norms all hold the same ones and zeros, and the exporter would merge those
    # equal tensors behind Identity nodes; distinct values keep one initializer per parameter, as in a trained net.
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor.is_floating_point():
                tensor.uniform_(0.5, 1.5)
    return model


def export(model: nn.Module) -> onnx.ModelProto:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.randn(INPUT_SHAPE),),
            buffer,
            dynamo=False,
            opset_version=OPSET,
            training=torch.onnx.TrainingMode.PRESERVE,  # keeps batch norms, in inference mode
            input_names=["input"],
            output_names=["logits"],
        )
    proto = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(proto)
    return fold_shape_arithmetic(proto)


def fold_shape_arithmetic(proto: onnx.ModelProto) -> onnx.ModelProto:
    """Fold the Shape → Gather → Div → Mul chains written for torch.chunk into constant Slice bounds.

    Without this, ShuffleNet's Slice outputs, and every shape after them, would be unknown.
    """
    model = onnx_ir.serde.deserialize_model(onnx.shape_inference.infer_shapes(proto))
    onnxscript.optimizer.fold_constants(model)
    onnxscript.optimizer.remove_unused_nodes(model)
    folded = onnx_ir.serde.serialize_model(model)
    # The IR writes a value_info for each initializer too; the initializer's dims already say it.
    initializers = {tensor.name for tensor in folded.graph.initializer}
    value_infos = [info for info in folded.graph.value_info if info.name not in initializers]
    folded.graph.ClearField("value_info")
    folded.graph.value_info.extend(value_infos)
    return folded


def strip_float_data(tensor: onnx.TensorProto) -> None:
    if tensor.data_type in FLOAT_TYPES:
        # FLOAT16 and BFLOAT16 values live in int32_data.
        for field in ("raw_data", "float_data", "double_data", "int32_data"):
            tensor.ClearField(field)


def strip_weights(proto: onnx.ModelProto) -> None:
    """Drop the data of every float initializer, and of every float Constant too large to be a hyperparameter."""
    for tensor in proto.graph.initializer:
        strip_float_data(tensor)
    for node in proto.graph.node:
        if node.op_type != "Constant":
            continue
        for attribute in node.attribute:
            if attribute.HasField("t") and math.prod(attribute.t.dims) > SMALL_FLOAT_ELEMENTS:
                strip_float_data(attribute.t)


def check_shapes_known(proto: onnx.ModelProto) -> None:
    values = [*proto.graph.input, *proto.graph.output, *proto.graph.value_info]
    unknown = [v.name for v in values if not all(d.HasField("dim_value") for d in v.type.tensor_type.shape.dim)]
    if unknown:
        raise RuntimeError(f"{proto.graph.name}: {len(unknown)} values of unknown shape, such as {unknown[0]}")


def node_signatures(proto: onnx.ModelProto) -> list[tuple]:
    return [(node.op_type, node.name, tuple(node.input), tuple(node.output)) for node in proto.graph.node]


class LayerRecorder:
    """Forward hooks on every Conv2d and Linear, recording each call in execution order."""

    def __init__(self, model: nn.Module):
        self.layers: list[dict] = []
        self.handles = [
            module.register_forward_hook(self.hook_for(name))
            for name, module in model.named_modules()
            if isinstance(module, (nn.Conv2d, nn.Linear))
        ]

    def hook_for(self, name: str):
        def record(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
            params = sum(p.numel() for p in module.parameters(recurse=False))
            if isinstance(module, nn.Conv2d):
                kh, kw = module.kernel_size
                macs = output.numel() * module.in_channels // module.groups * kh * kw
                conv_fields = {
                    "kernel": [kh, kw],
                    "stride": list(module.stride),
                    "padding": module.padding if isinstance(module.padding, str) else list(module.padding),
                    "dilation": list(module.dilation),
                    "groups": module.groups,
                }
            else:
                macs = output.numel() * module.in_features
                conv_fields = dict.fromkeys(("kernel", "stride", "padding", "dilation", "groups"))
            self.layers.append(
                {
                    "module": name,
                    "kind": "conv" if isinstance(module, nn.Conv2d) else "linear",
                    "in_shape": list(inputs[0].shape[1:]),
                    "out_shape": list(output.shape[1:]),
                    **conv_fields,
                    "params": params,
                    "macs": macs,
                }
            )

        return record

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def reference_figures(model: nn.Module) -> dict:
    recorder = LayerRecorder(model)
    with torch.no_grad():
        model(torch.randn(INPUT_SHAPE))
    recorder.remove()
    batch_norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "bn_params": sum(m.weight.numel() + m.bias.numel() for m in batch_norms if m.affine),
        "macs": sum(layer["macs"] for layer in recorder.layers),
        "layers": recorder.layers,
    }


def write_fixture(name: str) -> dict:
    model = build(name)
    proto = export(model)
    nodes_before = node_signatures(proto)
    strip_weights(proto)
    proto = onnx.shape_inference.infer_shapes(proto, strict_mode=True)
    check_shapes_known(proto)
    path = OUT_DIR / f"{name}.onnx"
    onnx.save(proto, path)
    if node_signatures(onnx.load(path, load_external_data=False)) != nodes_before:
        raise RuntimeError(f"{path}: the saved graph's nodes differ from the exported ones")
    return {
        **reference_figures(model),
        "onnx": {"file": path.name, "bytes": path.stat().st_size, "exporter": EXPORTER, "opset": OPSET},
    }


def to_json(value, depth: int = 0) -> str:
    """Indented JSON, except that a list of dicts (the layers) puts each dict compactly on one line."""
    pad = " " * depth
    if isinstance(value, dict):
        items = [f"{pad} {json.dumps(key)}: {to_json(item, depth + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return "[\n" + ",\n".join(f"{pad} {json.dumps(item)}" for item in value) + f"\n{pad}]"
    return json.dumps(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", metavar="MODEL", help=f"default: all of {', '.join(MODELS)}")
    names = parser.parse_args().models or list(MODELS)
    unknown = [name for name in names if name not in MODELS]
    if unknown:
        parser.error(f"unknown model {', '.join(unknown)}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    reference_path = OUT_DIR / "reference.json"
    previous = json.loads(reference_path.read_text())["models"] if reference_path.exists() else {}
    models = {name: previous[name] for name in MODELS if name in previous and name not in names}
    for name in names:
        models[name] = write_fixture(name)
        print(f"{name}: {models[name]['onnx']['bytes']:,} bytes, {models[name]['macs']:,} MACs", file=sys.stderr)
    reference = {
        "generated_by": "benchmarks/export_onnx.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "timm": timm.__version__,
        "onnx": onnx.__version__,
        "counting": COUNTING,
        "models": {name: models[name] for name in MODELS if name in models},
    }
    reference_path.write_text(to_json(reference) + "\n")


if __name__ == "__main__":
    main()
