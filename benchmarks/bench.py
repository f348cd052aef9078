"""costnet's speed figures. Run: python benchmarks/bench.py [--runs N]

Prints
  1. the wall time of `costnet analyze mixnet_m.yaml` end to end (a fresh process each run) against
     `python -c "import click, yaml, tabulate"`, and their ratio;
  2. the in-process time to load + analyze each bundled network;
  3. the time to analyze 1,000 width × resolution variants of MobileNetV1 and of MixNet-M.
Medians over the runs; nothing is asserted here (speed goals are not tests).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def best_of(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="repetitions per measurement (default 15)")
    runs = parser.parse_args().runs

    python = sys.executable
    costnet_cli = [python, "-m", "costnet"]
    baseline = wall([python, "-c", "import click, yaml, tabulate"], runs)
    startup = wall([python, "-c", "pass"], runs)
    analyze = wall(costnet_cli + ["analyze", "mixnet_m.yaml"], runs)
    analyze_json = wall(costnet_cli + ["analyze", "mixnet_m.yaml", "--format", "json"], runs)
    print("end to end (median of %d fresh processes)" % runs)
    print(f"  python -c pass                           {startup * 1e3:7.1f} ms")
    print(f"  python -c 'import click, yaml, tabulate' {baseline * 1e3:7.1f} ms")
    print(f"  costnet analyze mixnet_m.yaml            {analyze * 1e3:7.1f} ms   ratio to imports: {analyze / baseline:.2f}")
    print(f"  costnet analyze mixnet_m.yaml -f json    {analyze_json * 1e3:7.1f} ms   ratio to imports: "
          f"{analyze_json / baseline:.2f}")

    import costnet
    from costnet.loader import bundled_names

    print("\nin process, per network (best of %d): load + analyze" % runs)
    for name in bundled_names():
        spec = costnet.load(name)
        load_time = best_of(lambda: costnet.load(name), runs)
        analyze_time = best_of(lambda: costnet.analyze(spec), runs)
        layers = len(costnet.analyze(spec).layers)
        print(f"  {name:<22} {layers:4d} layers   load {load_time * 1e3:6.2f} ms   analyze {analyze_time * 1e3:6.2f} ms")

    print("\n1,000 width × resolution variants (scale + analyze; best of 3)")
    widths = [0.25 + 0.05 * i for i in range(25)]  # 0.25 … 1.45
    resolutions = list(range(96, 256, 4))  # 40 resolutions
    for name in ("mobilenet_v1", "mixnet_m"):
        spec = costnet.load(name)

        def sweep() -> None:
            for w in widths:
                for r in resolutions:
                    costnet.analyze(costnet.scale(spec, width=w, resolution=r))

        elapsed = best_of(sweep, 3)
        print(f"  {name:<22} {elapsed:6.2f} s   ({elapsed:.2f} ms per variant)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
