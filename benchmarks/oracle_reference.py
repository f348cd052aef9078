"""Reference oracle: exact parameters and MACs of the PyTorch reference models (timm, torchvision).

Builds the reference implementation of every network costnet describes, at many widths α, depths d
and square input resolutions R, and writes what PyTorch itself reports as JSON test data
(tests/data/reference_figures.json). It does not import costnet: it is the independent side of the
comparison.

Run it (from the repository root) with a Python that has torch, timm and torchvision:

    python benchmarks/oracle_reference.py [--out tests/data/reference_figures.json] [--check-cpu]

It was written against torch 2.13.0, timm 1.0.31 and torchvision 0.28.0; the versions used are
recorded in the output, and other versions may build slightly different networks. No weights and no
network access are needed: models are built and run on PyTorch's "meta" device, which propagates
shapes without arithmetic, so the whole grid (EfficientNet-B7 at 600 px included) takes minutes on
two CPU cores. `--check-cpu` also rebuilds a sample on the real CPU device and checks (1) that every
case at R <= 64 gives the same figures or the same error as on meta, and (2) that
torch.utils.flop_counter.FlopCounterMode counts exactly 2 FLOPs per MAC counted here.

What is counted, per case (batch 1, eval mode):
  params     sum(p.numel() for p in model.parameters())
  bn_params  γ and β of every BatchNorm module (running statistics are buffers, not counted)
  macs       multiply-accumulates of every nn.Conv2d (subclasses included, e.g. each conv inside
             timm's MixedConv2d) and nn.Linear, from forward hooks:
               conv:   out.numel() * (in_channels // groups) * kh * kw
               linear: out.numel() * in_features
  activations  output elements of those same layers, sum of out.numel() (fvcore's activation count)
Every parameter must belong to a Conv2d, a Linear or a BatchNorm (checked; the script stops if not),
so params = conv and linear weights and biases + bn_params.
When PyTorch refuses the input (a kernel or pooling window larger than the feature map), the case
records "error": the first line of the exception message, instead of the three figures.
The output also lists, for the default variant of every spec and reference, the smallest resolution
PyTorch accepts (every R from 1 to 64 is tried) and any larger measured R it refuses (none, so far).

Each case is keyed by the costnet spec it corresponds to, the width multiplier α, the depth
multiplier d (both absolute, as costnet's --width/--depth take them; a named variant such as
mixnet_l or efficientnet_b3 carries its own multipliers) and the resolution R, and names the
reference it was measured on. Where two references exist for one key, both are recorded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import torch.nn as nn

# torchvision's C++ ops are missing from this CPU-only build; declaring the two operator schemas that
# torchvision's Python code registers fake kernels for lets it import. Must run before timm/torchvision.
try:
    _lib = torch.library.Library("torchvision", "DEF")
    _lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
except RuntimeError:  # a working torchvision build already defines them
    pass

import timm  # noqa: E402
import torchvision  # noqa: E402
from timm.models import efficientnet as timm_effnet  # noqa: E402
from timm.models import mobilenetv3 as timm_mnv3  # noqa: E402
from torchvision import models as tvm  # noqa: E402
from torchvision.models import efficientnet as tv_effnet  # noqa: E402

warnings.filterwarnings("ignore")

COUNTING = (
    "params = sum of numel of model.parameters(); bn_params = numel of weight and bias (gamma, beta) of "
    "every BatchNorm module; macs = multiply-accumulates of every nn.Conv2d (out.numel() * in_channels/groups "
    "* kh * kw) and nn.Linear (out.numel() * in_features) in a batch-1 eval-mode forward pass on the meta device; "
    "activations = sum of out.numel() of those layers (fvcore's activation count)"
)

WIDTHS = [0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0, 1.1, 1.2, 1.25, 1.3, 1.4, 1.5, 1.6,
          1.75, 1.8, 2.0]
DEPTHS = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0]
RESOLUTIONS = [1, 2, 3, 5, 7, 8, 13, 15, 16, 17, 21, 22, 24, 28, 29, 31, 32, 33, 47, 63, 64, 65, 96, 97,
               127, 128, 160, 161, 192, 199, 224, 225, 240, 256, 299, 300, 320, 331, 380, 456, 512, 528, 600]
# Every integer around where the ceil-mode max pools of these networks start to refuse the input.
TINY = list(range(1, 34))
# Width multipliers at which TF-slim's max(int(c·α), 8) and timm's multiples of 8 agree on every layer.
MOBILENET_V1_WIDTHS = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0]
# EfficientNet B1–B7: (width, depth, resolution), as in both timm and torchvision.
EFFICIENTNET = {1: (1.0, 1.1, 240), 2: (1.1, 1.2, 260), 3: (1.2, 1.4, 300), 4: (1.4, 1.8, 380),
                5: (1.6, 2.2, 456), 6: (1.8, 2.6, 528), 7: (2.0, 3.1, 600)}
SCAN = range(1, 65)  # every resolution tried for the smallest input each default network accepts


@dataclass
class Config:
    """One reference network at one (width, depth); measured at several resolutions."""
    spec: str
    width: float
    depth: float
    reference: str
    build: Callable[[], nn.Module]
    resolutions: set[int] = field(default_factory=set)
    scan: bool = False  # the default variant of its spec/reference: find its smallest resolution


CONFIGS: dict[tuple, Config] = {}


def add(spec, width, depth, reference, build, resolutions, scan=False):
    key = (spec, float(width), float(depth), reference)
    if key not in CONFIGS:
        CONFIGS[key] = Config(spec, float(width), float(depth), reference, build)
    CONFIGS[key].resolutions.update(resolutions)
    CONFIGS[key].scan |= scan


# ---------------------------------------------------------------------------------------------------
# Reference builders. Each returns (reference string, zero-argument constructor).

def tv_mobilenet_v2(a):
    return f"torchvision mobilenet_v2(width_mult={a})", lambda: tvm.mobilenet_v2(width_mult=a)


def timm_mobilenet_v2(a, d):
    return (f"timm _gen_mobilenet_v2(channel_multiplier={a}, depth_multiplier={d}, fix_stem_head=False)",
            lambda: timm_effnet._gen_mobilenet_v2("mobilenetv2_100", channel_multiplier=a, depth_multiplier=d,
                                                  fix_stem_head=False))


def tv_mobilenet_v3(size, a):
    fn = tvm.mobilenet_v3_large if size == "large" else tvm.mobilenet_v3_small
    return f"torchvision mobilenet_v3_{size}(width_mult={a})", lambda: fn(width_mult=a)


def timm_mobilenet_v3(size, a, d):
    variant = f"mobilenetv3_{size}_100"
    return (f"timm _gen_mobilenet_v3({variant}, channel_multiplier={a}, depth_multiplier={d})",
            lambda: timm_mnv3._gen_mobilenet_v3(variant, channel_multiplier=a, depth_multiplier=d))


def timm_mnasnet_a1(a):
    return (f"timm _gen_mnasnet_a1(channel_multiplier={a})",
            lambda: timm_effnet._gen_mnasnet_a1("semnasnet_100", channel_multiplier=a))


def tv_mnasnet(a):
    return f"torchvision MNASNet(alpha={a})", lambda: tvm.MNASNet(alpha=a)


def timm_mnasnet_b1(a):
    return (f"timm _gen_mnasnet_b1(channel_multiplier={a})",
            lambda: timm_effnet._gen_mnasnet_b1("mnasnet_100", channel_multiplier=a))


def timm_efficientnet(a, d):
    return (f"timm _gen_efficientnet(channel_multiplier={a}, depth_multiplier={d})",
            lambda: timm_effnet._gen_efficientnet("efficientnet_b0", channel_multiplier=a, depth_multiplier=d))


def tv_efficientnet(a, d):
    def build():
        setting, last_channel = tv_effnet._efficientnet_conf("efficientnet_b0", width_mult=a, depth_mult=d)
        return tv_effnet.EfficientNet(setting, dropout=0.2, last_channel=last_channel)
    return (f"torchvision EfficientNet(_efficientnet_conf('efficientnet_b0', width_mult={a}, depth_mult={d}))",
            build)


def timm_named(name):
    return f"timm {name}", lambda: timm.create_model(name, pretrained=False)


def tv_named(name, **kwargs):
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return f"torchvision {name}({args})", lambda: getattr(tvm, name)(**kwargs)


def timm_mixnet_s(a):
    return (f"timm _gen_mixnet_s(channel_multiplier={a})",
            lambda: timm_effnet._gen_mixnet_s("mixnet_s", channel_multiplier=a))


def timm_mixnet_m(a, d):
    return (f"timm _gen_mixnet_m(channel_multiplier={a}, depth_multiplier={d})",
            lambda: timm_effnet._gen_mixnet_m("mixnet_m", channel_multiplier=a, depth_multiplier=d))


def timm_mobilenet_v1(a):
    return (f"timm _gen_mobilenet_v1(channel_multiplier={a}, depth_multiplier=1.0, head_conv=False, "
            f"fix_stem_head=False)",
            lambda: timm_effnet._gen_mobilenet_v1("mobilenetv1_100", channel_multiplier=a, depth_multiplier=1.0,
                                                  head_conv=False, fix_stem_head=False))


# ---------------------------------------------------------------------------------------------------
# The grid.

def build_grid():
    R224 = [224]
    # Width-and-depth scalable families: (spec, [builders of (α, d)], has depth multiplier).
    families = [
        ("mobilenet_v2", [lambda a, d: tv_mobilenet_v2(a)], False),
        ("mobilenet_v2", [timm_mobilenet_v2], True),
        ("mobilenet_v3_large", [lambda a, d: tv_mobilenet_v3("large", a)], False),
        ("mobilenet_v3_large", [lambda a, d: timm_mobilenet_v3("large", a, d)], True),
        ("mobilenet_v3_small", [lambda a, d: tv_mobilenet_v3("small", a)], False),
        ("mobilenet_v3_small", [lambda a, d: timm_mobilenet_v3("small", a, d)], True),
        ("mnasnet_a1", [lambda a, d: timm_mnasnet_a1(a)], False),
        ("mnasnet_b1", [lambda a, d: tv_mnasnet(a), lambda a, d: timm_mnasnet_b1(a)], False),
        ("efficientnet_b0", [timm_efficientnet, tv_efficientnet], True),
        ("mixnet_s", [lambda a, d: timm_mixnet_s(a)], False),
        ("mixnet_m", [timm_mixnet_m], True),
    ]
    for spec, builders, has_depth in families:
        for make in builders:
            add(spec, 1.0, 1.0, *make(1.0, 1.0), RESOLUTIONS, scan=True)
            for a in WIDTHS:
                add(spec, a, 1.0, *make(a, 1.0), R224)
            if has_depth:
                for d in DEPTHS:
                    add(spec, 1.0, d, *make(1.0, d), R224)

    # A handful of combined (α, d, R).
    for n, (a, d, r) in EFFICIENTNET.items():
        for make in (timm_efficientnet, tv_efficientnet):
            add("efficientnet_b0", a, d, *make(a, d), [224, r])
    for a, d, rs in [(0.5, 0.5, [160, 224]), (0.75, 1.3, [192, 224]), (1.5, 2.0, [224, 320]),
                     (1.2, 1.4, [224, 300])]:
        for make in (timm_efficientnet, tv_efficientnet):
            add("efficientnet_b0", a, d, *make(a, d), rs)
    for a, d, rs in [(1.3, 1.0, [224, 256]), (1.6, 1.2, [224, 256, 300]), (2.4, 1.3, [224]),
                     (0.75, 1.5, [192, 224])]:
        add("mixnet_m", a, d, *timm_mixnet_m(a, d), rs)
    for a, d in [(1.1, 1.2), (1.2, 1.4), (0.5, 1.5), (1.4, 0.5)]:
        add("mobilenet_v2", a, d, *timm_mobilenet_v2(a, d), [224, 192])
    add("mobilenet_v3_large", 1.5, 1.2, *timm_mobilenet_v3("large", 1.5, 1.2), [224, 256])
    add("mobilenet_v3_small", 0.75, 1.4, *timm_mobilenet_v3("small", 0.75, 1.4), [224, 192])

    # Named variants, at their own multipliers, over the whole resolution grid.
    for n, (a, d, r) in EFFICIENTNET.items():
        name = f"efficientnet_b{n}"
        add(name, a, d, *tv_named(name), RESOLUTIONS + [r], scan=True)
        add(name, a, d, *timm_named(name), RESOLUTIONS + [r], scan=True)
    add("mixnet_l", 1.3, 1.0, *timm_named("mixnet_l"), RESOLUTIONS, scan=True)
    add("mixnet_xl", 1.6, 1.2, *timm_named("mixnet_xl"), RESOLUTIONS, scan=True)

    # MobileNetV1 (timm only; TF-slim is the spec's own reference).
    add("mobilenet_v1", 1.0, 1.0, *timm_mobilenet_v1(1.0), RESOLUTIONS, scan=True)
    for a in MOBILENET_V1_WIDTHS:
        add("mobilenet_v1", a, 1.0, *timm_mobilenet_v1(a), [224, 192, 160, 128])

    # Fixed-width torchvision networks.
    for a, suffix in [(0.5, "x0_5"), (1.0, "x1_0"), (1.5, "x1_5"), (2.0, "x2_0")]:
        add("shufflenet_v2", a, 1.0, *tv_named(f"shufflenet_v2_{suffix}"),
            RESOLUTIONS if a == 1.0 else R224, scan=a == 1.0)
    add("squeezenet1_0", 1.0, 1.0, *tv_named("squeezenet1_0"), RESOLUTIONS + TINY, scan=True)
    add("squeezenet1_1", 1.0, 1.0, *tv_named("squeezenet1_1"), RESOLUTIONS + TINY, scan=True)
    add("googlenet", 1.0, 1.0, *tv_named("googlenet", aux_logits=False, init_weights=False),
        RESOLUTIONS + TINY, scan=True)
    for name in ["vgg16", "alexnet", "resnet18", "resnet50", "densenet121"]:
        add(name, 1.0, 1.0, *tv_named(name), RESOLUTIONS, scan=True)
    add("alexnet", 1.0, 1.0, *tv_named("alexnet"), range(47, 65))  # it starts to run at 63


# ---------------------------------------------------------------------------------------------------
# Counting.

def is_bn(m):
    return isinstance(m, nn.modules.batchnorm._BatchNorm)


class Counter:
    """Static parameter counts of a model, and MACs of its next forward pass via hooks."""

    def __init__(self, model: nn.Module):
        self.model = model
        self.params = sum(p.numel() for p in model.parameters())
        self.bn_params = sum(p.numel() for m in model.modules() if is_bn(m)
                             for p in (m.weight, m.bias) if p is not None)
        counted = sum(p.numel() for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear)) or is_bn(m)
                      for p in m.parameters(recurse=False))
        if counted != self.params:
            raise SystemExit(f"parameters outside Conv2d/Linear/BatchNorm: {self.params - counted}")
        self.macs = self.activations = 0
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.register_forward_hook(self._hook)

    def _hook(self, m, inputs, out):
        self.activations += out.numel()
        if isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            self.macs += out.numel() * (m.in_channels // m.groups) * kh * kw
        else:
            self.macs += out.numel() * m.in_features

    def run(self, resolution: int, device: str = "meta") -> dict:
        self.macs = self.activations = 0
        try:
            with torch.no_grad():
                self.model(torch.empty(1, 3, resolution, resolution, device=device))
        except Exception as e:  # PyTorch refuses the input
            lines = str(e).strip().splitlines()
            return {"error": lines[0] if lines else type(e).__name__}
        return {"params": self.params, "bn_params": self.bn_params, "macs": self.macs,
                "activations": self.activations}


def build_model(config: Config, device: str = "meta") -> Counter:
    with torch.device(device):
        model = config.build()
    return Counter(model.eval())


# ---------------------------------------------------------------------------------------------------
# Checks on the real CPU device.

FLOP_CHECK = [  # references (default variants) checked with FlopCounterMode at 224
    "torchvision mobilenet_v2(width_mult=1.0)",
    "torchvision mobilenet_v3_large(width_mult=1.0)",
    "timm _gen_mobilenet_v3(mobilenetv3_small_100, channel_multiplier=1.0, depth_multiplier=1.0)",
    "timm _gen_mixnet_m(channel_multiplier=1.0, depth_multiplier=1.0)",
    "timm _gen_efficientnet(channel_multiplier=1.0, depth_multiplier=1.0)",
    "torchvision EfficientNet(_efficientnet_conf('efficientnet_b0', width_mult=1.0, depth_mult=1.0))",
    "torchvision MNASNet(alpha=1.0)",
    "timm _gen_mobilenet_v1(channel_multiplier=1.0, depth_multiplier=1.0, head_conv=False, fix_stem_head=False)",
    "torchvision shufflenet_v2_x1_0()",
    "torchvision squeezenet1_0()",
    "torchvision googlenet(aux_logits=False, init_weights=False)",
    "torchvision resnet50()",
    "torchvision densenet121()",
]


def check_cpu(results: dict) -> bool:
    from torch.utils.flop_counter import FlopCounterMode
    ok = True
    by_reference = {c.reference: c for c in CONFIGS.values()}  # each reference string names one model
    print("check: FlopCounterMode on CPU at 224 (expect FLOPs = 2 * MACs, same figures as meta)")
    for reference in FLOP_CHECK:
        config = by_reference[reference]
        counter = build_model(config, "cpu")
        with FlopCounterMode(display=False) as fc:
            cpu = counter.run(224, "cpu")
        meta = results[(config.spec, config.width, config.depth, config.reference, 224)]
        good = cpu == meta and fc.get_total_flops() == 2 * cpu["macs"]
        ok &= good
        print(f"  {'ok ' if good else 'BAD'} {reference}: macs {cpu['macs']:,}, flops {fc.get_total_flops():,}")
    print("check: every case at R <= 64 of the default variants, CPU against meta")
    n = 0
    for config in CONFIGS.values():
        small = sorted(r for r in config.resolutions if r <= 64)
        if not config.scan or not small:
            continue
        counter = build_model(config, "cpu")
        for r in small:
            cpu = counter.run(r, "cpu")
            meta = results[(config.spec, config.width, config.depth, config.reference, r)]
            n += 1
            if cpu != meta:
                ok = False
                print(f"  BAD {config.reference} R={r}: cpu {cpu} meta {meta}")
    print(f"  {n} cases compared: {'all equal' if ok else 'DIFFERENCES'}")
    return ok


# ---------------------------------------------------------------------------------------------------

def write_json(path: Path, cases: list[dict], smallest: list[dict]):
    head = {
        "generated_by": "benchmarks/oracle_reference.py",
        "torch": torch.__version__,
        "timm": timm.__version__,
        "torchvision": torchvision.__version__,
        "counting": COUNTING,
    }
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    lines.append('  "smallest_resolution": [')
    lines.append(",\n".join(f"    {json.dumps(s)}" for s in smallest))
    lines.append("  ],")
    lines.append('  "cases": [')
    lines.append(",\n".join(f"    {json.dumps(c)}" for c in cases))
    lines.append("  ]")
    lines.append("}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    json.loads(path.read_text())  # well-formed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="tests/data/reference_figures.json", type=Path)
    parser.add_argument("--check-cpu", action="store_true",
                        help="also compare a sample against real CPU forward passes and FlopCounterMode")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    start = time.time()
    build_grid()

    results = {}
    smallest = []
    configs = sorted(CONFIGS.values(), key=lambda c: (c.spec, c.width, c.depth, c.reference))
    for i, config in enumerate(configs, 1):
        t = time.time()
        counter = build_model(config)
        measured = {r: counter.run(r) for r in sorted(config.resolutions | (set(SCAN) if config.scan else set()))}
        for r in sorted(config.resolutions):
            results[(config.spec, config.width, config.depth, config.reference, r)] = measured[r]
        note = ""
        if config.scan:
            runs = [r for r in sorted(measured) if "error" not in measured[r]]
            first = runs[0] if runs else None
            fails_above = [r for r in sorted(measured) if first and r > first and r not in runs]
            smallest.append({"spec": config.spec, "width": config.width, "depth": config.depth,
                             "reference": config.reference, "smallest_resolution": first,
                             "fails_above_smallest": fails_above})
            note = f", runs from R={first}" + (f" but fails at {fails_above}" if fails_above else "")
        print(f"[{i}/{len(configs)}] {config.spec} α={config.width:g} d={config.depth:g} {config.reference}: "
              f"{len(config.resolutions)} resolutions{note} ({time.time() - t:.1f}s)", flush=True)

    cases = []
    for (spec, width, depth, reference, r), figures in results.items():
        cases.append({"spec": spec, "width": width, "depth": depth, "resolution": r, "reference": reference,
                      **figures})
    cases.sort(key=lambda c: (c["spec"], c["width"], c["depth"], c["resolution"], c["reference"]))
    smallest.sort(key=lambda s: (s["spec"], s["width"], s["depth"], s["reference"]))
    write_json(args.out, cases, smallest)
    errors = sum("error" in c for c in cases)
    print(f"wrote {args.out}: {len(cases)} cases ({errors} errors) from {len(configs)} models "
          f"in {time.time() - start:.0f}s")

    if args.check_cpu:
        t = time.time()
        ok = check_cpu(results)
        print(f"CPU checks {'passed' if ok else 'FAILED'} in {time.time() - t:.0f}s")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
