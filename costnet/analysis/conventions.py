"""Counting conventions: what a "parameter" is, and what the MAC total includes. Printed with every result."""

from __future__ import annotations

from dataclasses import dataclass

MACS_COUNTED = ("multiply-accumulates of convolutions, fully connected layers and the two 1×1 convolutions "
                "of squeeze-and-excitation")
MACS_NOT_COUNTED = ("activations, batch norm, local response normalization, pooling, residual adds, "
                    "concatenation, channel shuffle and SE's channel scaling (no multiply-accumulates of a layer)")


@dataclass(frozen=True)
class Convention:
    name: str
    summary: str
    biases: bool
    norm: bool

    def params(self, weights: int, biases: int, norm: int) -> int:
        return weights + (biases if self.biases else 0) + (norm if self.norm else 0)

    @property
    def params_rule(self) -> str:
        parts = ["weights"] + (["biases"] if self.biases else []) + (["batch-norm γ, β"] if self.norm else [])
        left_out = ([] if self.biases else ["biases"]) + ([] if self.norm else ["batch norm"])
        return " + ".join(parts) + (f" (no {', no '.join(left_out)})" if left_out else "")

    def describe(self) -> str:
        return f"{self.name}: MACs = {MACS_COUNTED}; params = {self.params_rule}"


CONVENTIONS: dict[str, Convention] = {c.name: c for c in (
    Convention("paper", "the papers' count: weights and biases, batch norm left out", biases=True, norm=False),
    Convention("torch", "sum(p.numel()) of the reference PyTorch model: batch-norm γ and β counted too",
               biases=True, norm=True),
    Convention("weights", "weights only: MobileNet's Table 2 and the TF-slim docstring's figures",
               biases=False, norm=False),
)}
DEFAULT_CONVENTION = "paper"
