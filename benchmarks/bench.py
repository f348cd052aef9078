"""costnet's speed figures, each measured side by side in one run. Run: python benchmarks/bench.py [--runs N]

Prints
  1. end to end, fresh processes: `costnet analyze mixnet_m.yaml` (table and JSON) and `costnet analyze
     mixnet_m.onnx` against `python -c pass` and against importing click, yaml and tabulate;
  2. in process: load + analyze of every bundled spec;
  3. a 10,000-point MixNet-M sweep (100 widths × 100 resolutions) as `costnet sweep` computes it, against the
     same sweep at commit ca6716b (before the compiled sweep), checked out in a temporary git worktree and
     run by this interpreter; their ratio, and whether the two give the same totals;
  4. analyze → JSON of chains of 10³ to 10⁶ layers, fresh processes: wall time and peak memory (max RSS).
For `costnet analyze X.onnx` against PyTorch's counters, see bench_onnx.py. Medians (or best) over the runs;
nothing is asserted here (speed goals are not tests).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_COMMIT = "ca6716b"  # the last commit before the compiled sweep (issue 12: 10.1 s for these 10,000)
WIDTHS = [round(0.5 + 0.01 * i, 2) for i in range(100)]  # 0.50 … 1.49
RESOLUTIONS = list(range(128, 228))  # 128 … 227

SWEEP_NOW = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from costnet.api import load
from costnet.studies.sweep import iter_sweep
spec = load("mixnet_m")
start = time.perf_counter()
points = list(iter_sweep(spec, {WIDTHS!r}, {RESOLUTIONS!r}))
elapsed = time.perf_counter() - start
print(elapsed, len(points), sum(p.macs for p in points), sum(p.params for p in points))
"""

SWEEP_BASELINE = f"""
import sys, time
sys.path.insert(0, sys.argv[1])
from costnet.loader import load
from costnet.points import sweep
spec = load(sys.argv[1] + "/archs/mixnet_m.yaml")  # the spec of that commit, in the format it reads
start = time.perf_counter()
points = list(sweep(spec, {WIDTHS!r}, {RESOLUTIONS!r}))
elapsed = time.perf_counter() - start
print(elapsed, len(points), sum(p.macs for p in points), sum(p.params for p in points))
"""


def wall(command: list[str], runs: int, cwd: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def best_of(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def end_to_end(runs: int) -> None:
    python = sys.executable
    cli = [python, "-m", "costnet"]
    onnx = str(ROOT / "tests" / "data" / "onnx" / "mixnet_m.onnx")
    startup = wall([python, "-c", "pass"], runs)
    imports = wall([python, "-c", "import click, yaml, tabulate"], runs)
    rows = [
        ("costnet --version", wall(cli + ["--version"], runs, ROOT)),
        ("costnet analyze mixnet_m.yaml", wall(cli + ["analyze", "mixnet_m.yaml"], runs, ROOT)),
        ("costnet analyze mixnet_m.yaml -f json", wall(cli + ["analyze", "mixnet_m.yaml", "-f", "json"], runs, ROOT)),
        ("costnet analyze mixnet_m.onnx", wall(cli + ["analyze", onnx], runs, ROOT)),
    ]
    print(f"1. end to end (median of {runs} fresh processes)")
    print(f"  python -c pass                            {startup * 1e3:7.1f} ms")
    print(f"  python -c 'import click, yaml, tabulate'  {imports * 1e3:7.1f} ms")
    for label, seconds in rows:
        print(f"  {label:<40} {seconds * 1e3:7.1f} ms   {seconds / startup:4.1f}× start-up, "
              f"{seconds / imports:4.2f}× the imports")


def per_network(runs: int) -> None:
    import costnet
    from costnet.frontends.spec.loader import bundled_names

    print(f"\n2. in process, per network (best of {runs}): load + analyze")
    for name in bundled_names():
        spec = costnet.load(name)
        load_time = best_of(lambda: costnet.load(name), runs)
        analyze_time = best_of(lambda: costnet.analyze(spec), runs)
        layers = len(costnet.analyze(spec).layers)
        print(f"  {name:<22} {layers:4d} layers   load {load_time * 1e3:6.2f} ms   "
              f"analyze {analyze_time * 1e3:6.2f} ms")


def sweeps() -> None:
    print(f"\n3. a {len(WIDTHS) * len(RESOLUTIONS):,}-point MixNet-M sweep ({len(WIDTHS)} widths × "
          f"{len(RESOLUTIONS)} resolutions), this interpreter, fresh processes")
    now = subprocess.run([sys.executable, "-c", SWEEP_NOW], check=True, capture_output=True, text=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), BASELINE_COMMIT],
                       check=True)
        try:
            before = subprocess.run([sys.executable, "-c", SWEEP_BASELINE, str(tree)], check=True,
                                    capture_output=True, text=True).stdout.split()
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    t_now, t_before = float(now[0]), float(before[0])
    points = int(now[1])
    print(f"  now ({'HEAD'}):              {t_now:6.2f} s   {points / t_now:9,.0f} points/s")
    print(f"  before ({BASELINE_COMMIT}):          {t_before:6.2f} s   {int(before[1]) / t_before:9,.0f} points/s")
    print(f"  ratio: {t_before / t_now:.1f}× faster; same totals (Σ MACs, Σ params): {now[2:] == before[2:]}")


def large_networks() -> None:
    print("\n4. chains of N layers: `costnet analyze chain.yaml -f json -o chain.json`, fresh processes")
    with tempfile.TemporaryDirectory() as tmp:
        for layers in (10**3, 10**4, 10**5, 10**6):
            spec = Path(tmp) / "chain.yaml"
            spec.write_text(
                "version: 1\nname: Chain\nfamily: Chain\ninput: {channels: 8, resolution: 8}\nbody:\n"
                f"  - name: body\n    blocks:\n      - {{type: conv, out: 8, kernel: 3, repeat: {layers}}}\n")
            out = Path(tmp) / "chain.json"
            # A fresh parent for each run, so that its children's max RSS is this run's alone.
            measure = ("import resource, subprocess, sys, time; start = time.perf_counter(); "
                       "subprocess.run(sys.argv[1:], check=True); "
                       "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            done = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "costnet", "analyze",
                                   str(spec), "-f", "json", "-o", str(out)], check=True, cwd=ROOT,
                                  capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            seconds, peak_kib = done.stdout.split()
            print(f"  {layers:>9,} layers   {float(seconds):7.2f} s   max RSS {int(peak_kib) / 1024:7.1f} MiB   "
                  f"JSON {out.stat().st_size / 2**20:8.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="repetitions per measurement (default 15)")
    parser.add_argument("--skip-large", action="store_true", help="leave out part 4 (the 10⁶-layer run takes ~30 s)")
    args = parser.parse_args()
    end_to_end(args.runs)
    per_network(args.runs)
    sweeps()
    if not args.skip_large:
        large_networks()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
