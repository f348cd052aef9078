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
    norm_variables: tuple[str, ...] = ()  # what is counted per batch-norm channel

    def params(self, weights: int, biases: int, norm: int) -> int:
        """`norm` is the batch-norm γ + β count (two per channel)."""
        return weights + (biases if self.biases else 0) + norm // 2 * len(self.norm_variables)

    @property
    def norm(self) -> bool:
        return bool(self.norm_variables)

    @property
    def params_rule(self) -> str:
        parts = ["weights"] + (["biases"] if self.biases else [])
        if self.norm_variables:
            parts.append(f"batch-norm {', '.join(self.norm_variables)}")
        left_out = ([] if self.biases else ["biases"]) + ([] if self.norm_variables else ["batch norm"])
        return " + ".join(parts) + (f" (no {', no '.join(left_out)})" if left_out else "")

    def describe(self) -> str:
        return f"{self.name}: MACs = {MACS_COUNTED}; params = {self.params_rule}"


CONVENTIONS: dict[str, Convention] = {c.name: c for c in (
    Convention("paper", "the papers' count: weights and biases, batch norm left out", biases=True),
    Convention("torch", "sum(p.numel()) of the reference PyTorch model: batch-norm γ and β counted too",
               biases=True, norm_variables=("γ", "β")),
    Convention("weights", "weights only: MobileNet's Table 2 and the TF-slim docstring's figures", biases=False),
    Convention("checkpoint", "the variables of a TF-slim checkpoint: batch norm's β, moving mean and moving "
               "variance per channel (TF-slim's batch norm has no γ)", biases=True,
               norm_variables=("β", "moving mean", "moving variance")),
)}
DEFAULT_CONVENTION = "paper"
