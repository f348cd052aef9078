"""PyTorch's pooling output sizes, for the test suite to pin costnet's rule to (tests/data/pooling_sizes.json).

Run with PyTorch installed (not needed by the tests): python benchmarks/oracle_pooling.py
For every input size 1–40, kernel 1–7, stride 1–4, padding 0–⌊kernel/2⌋ and ceil_mode off and on, it records
the output size of torch.nn.functional.max_pool2d on a 1×1×H×H tensor, or 0 where PyTorch refuses the input.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "pooling_sizes.json"


def main() -> None:
    rows = []
    for kernel in range(1, 8):
        for stride in range(1, 5):
            for padding in range(0, kernel // 2 + 1):
                for ceil_mode in (False, True):
                    sizes = []
                    for size in range(1, 41):
                        x = torch.empty(1, 1, size, size, device="meta")
                        try:
                            sizes.append(torch.nn.functional.max_pool2d(x, kernel, stride, padding, 1, ceil_mode).shape[-1])
                        except RuntimeError:
                            sizes.append(0)
                    rows.append({"kernel": kernel, "stride": stride, "padding": padding, "ceil_mode": ceil_mode,
                                 "sizes": sizes})
    data = {"generated_by": "benchmarks/oracle_pooling.py", "torch": torch.__version__,
            "meaning": "sizes[i] is the output size for input size i + 1; 0: PyTorch refuses the input",
            "cases": rows}
    OUT.write_text("{\n" + f'  "generated_by": {json.dumps(data["generated_by"])},\n  "torch": {json.dumps(data["torch"])},\n'
                   f'  "meaning": {json.dumps(data["meaning"])},\n  "cases": [\n'
                   + ",\n".join("    " + json.dumps(row) for row in rows) + "\n  ]\n}\n")
    print(f"{len(rows)} kernel/stride/padding/ceil combinations × 40 sizes → {OUT}")


if __name__ == "__main__":
    main()
