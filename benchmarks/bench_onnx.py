"""`costnet analyze X.onnx` against PyTorch's own counters on the same model, side by side in one run.

Run: python benchmarks/bench_onnx.py [--runs N] [--torch-python PATH] [MODEL ...]

For each model (default: the six of issue 14) three fresh processes, each timed from start to exit:
  costnet   `python -m costnet analyze tests/data/onnx/X.onnx -f json` (this interpreter);
  pytorch   import torch and torchvision/timm, build the model, one forward pass under
            torch.utils.flop_counter.FlopCounterMode, sum of numel (what fvcore, ptflops and thop do);
  onnx      `import onnx; onnx.load(X.onnx)`, for scale: what reading the file with the onnx package costs.
The PyTorch process runs under --torch-python (an interpreter with torch, torchvision and timm). It also
prints its counts, which must equal costnet's (and tests/data/onnx/reference.json). Medians over the runs;
nothing here is asserted (speed goals are not tests).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "onnx"
MODELS = ("mobilenet_v2", "resnet18", "mixnet_m", "efficientnet_b0", "shufflenet_v2_x1_0", "squeezenet1_1")

# The same models as benchmarks/export_onnx.py: torchvision's, or timm's (MixNet, MobileNetV1, MnasNet-A1).
TORCH_COUNTER = r"""
import json, sys
import torch
lib = torch.library.Library("torchvision", "DEF")  # this torchvision has no compiled ops for its torch
lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
import timm, torchvision
from torch.utils.flop_counter import FlopCounterMode
name = sys.argv[1]
if name in ("mixnet_s", "mixnet_m", "mixnet_l", "mobilenetv1_100", "semnasnet_100"):
    model = timm.create_model(name, pretrained=False)
else:
    model = getattr(torchvision.models, name)(weights=None)
model.eval()
counter = FlopCounterMode(display=False)
with torch.no_grad(), counter:
    model(torch.zeros(1, 3, 224, 224))
print(json.dumps({"macs": counter.get_total_flops() // 2, "params": sum(p.numel() for p in model.parameters())}))
"""


def timed(command: list[str], env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=list(MODELS))
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per measurement (default 5)")
    parser.add_argument("--torch-python", default=sys.executable,
                        help="an interpreter with torch, torchvision and timm (default: this one)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    print(f"fresh processes, median of {args.runs}; costnet: {sys.executable}; pytorch: {args.torch_python}\n")
    print(f"{'model':20s} {'costnet':>9s} {'pytorch':>9s} {'ratio':>7s} {'onnx.load':>10s}   counts")
    for model in args.models:
        path = DATA / f"{model}.onnx"
        ours, theirs, loading = [], [], []
        for _ in range(args.runs):
            seconds, out = timed([sys.executable, "-m", "costnet", "analyze", str(path), "-f", "json", "-c",
                                  "torch"], env)
            ours.append(seconds)
            totals = json.loads(out)["totals"]
            seconds, out = timed([args.torch_python, "-c", TORCH_COUNTER, model])
            theirs.append(seconds)
            counted = json.loads(out.strip().splitlines()[-1])
            seconds, _ = timed([args.torch_python, "-c", f"import onnx; onnx.load({str(path)!r})"])
            loading.append(seconds)
        a, b, c = (statistics.median(x) for x in (ours, theirs, loading))
        same = (totals["macs"], totals["params"]) == (counted["macs"], counted["params"])
        print(f"{model:20s} {a:8.3f}s {b:8.3f}s {b / a:6.1f}× {c:9.3f}s   "
              f"{'equal' if same else 'DIFFER'}: {totals['macs']:,} MACs, {totals['params']:,} params"
              + ("" if same else f" (pytorch {counted['macs']:,}, {counted['params']:,})"))


if __name__ == "__main__":
    main()
