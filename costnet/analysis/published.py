"""Published figures against exact ones: does a `reported:` entry hold for an analysis?"""

from __future__ import annotations

from dataclasses import dataclass

from .analyzer import Totals
from .conventions import CONVENTIONS
from ..frontends.spec.spec import Figure, Reported


@dataclass(frozen=True)
class FigureCheck:
    quantity: str  # "macs", "flops" (2 per MAC) or "params"
    published: Figure
    exact: int  # under the entry's convention
    tolerance: float  # relative, beyond the printed precision

    @property
    def holds(self) -> bool:
        return self.published.matches(self.exact, self.tolerance)

    @property
    def difference(self) -> float:
        """(published − exact) / exact."""
        return (self.published.value - self.exact) / self.exact if self.exact else float("inf")


def check(reported: Reported, totals: Totals) -> tuple[FigureCheck, ...]:
    """Each published MACs/params figure of `reported` beside the exact count under its own convention."""
    params = CONVENTIONS[reported.convention].params(totals.weights, totals.biases, totals.norm)
    checks = []
    if reported.macs is not None:
        per_mac = 2 if reported.counts == "flops" else 1
        checks.append(FigureCheck(reported.counts, reported.macs, per_mac * totals.macs, reported.macs_tolerance))
    if reported.params is not None:
        checks.append(FigureCheck("params", reported.params, params, reported.params_tolerance))
    return tuple(checks)
