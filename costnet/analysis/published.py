"""Published figures against exact ones: what a `reported:` entry's conventions make of an analysis, and
whether the printed figure is that number rounded as the source rounded it.

A figure either matches (the exact count under the entry's named conventions, rounded to the printed
precision, is the printed figure), or the entry labels it unexplained (no convention tested reproduces it;
the spec's note says what is known), or it does not match, which the test suite refuses for bundled specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..errors import SpecError
from ..graph.network import Figure, Reported
from .analyzer import Analysis
from .conventions import CONVENTIONS


@dataclass(frozen=True)
class FigureCheck:
    quantity: str  # "macs" or "params"
    published: Figure
    exact: int  # under the entry's conventions
    rounding: str
    unit: Fraction  # the precision the figure is compared at
    unexplained: bool

    @property
    def matches(self) -> bool:
        return self.published.matches(self.exact, self.rounding, self.unit)

    @property
    def holds(self) -> bool:
        """Matches, or is labelled unexplained by the spec."""
        return self.matches or self.unexplained

    @property
    def difference(self) -> float:
        """(published − exact) / exact."""
        return float((self.published.value - self.exact) / self.exact) if self.exact else float("inf")

    @property
    def verdict(self) -> str:
        if self.matches:
            return "matches"
        return f"{self.difference:+.1%}, " + ("unexplained (see the spec's note)" if self.unexplained
                                              else "does NOT match")


def exact_figures(reported: Reported, analysis: Analysis) -> dict[str, int]:
    """The exact MACs and parameters as the entry counts them."""
    t = analysis.totals
    macs, weights, biases = t.macs, t.weights, t.biases
    if reported.counts == "conv-macs":
        macs -= sum(layer.macs for layer in analysis.layers if layer.type == "fc")
    if reported.classes is not None:
        classifier = next((layer for layer in reversed(analysis.layers) if layer.type == "fc"), None)
        if classifier is None:
            raise SpecError("`classes` changes the outputs of the classifier, and the network has no fully "
                            "connected layer", reported.origin.at(f"{reported.origin.path}.classes"))
        extra = reported.classes - classifier.output_shape.channels
        features = classifier.input_shape.channels
        weights += extra * features
        biases += extra if classifier.biases else 0
        if reported.counts == "macs" or reported.counts == "flops":
            macs += extra * features
    if reported.counts == "flops":
        macs *= 2
    params = CONVENTIONS[reported.convention].params(weights, biases, t.norm_params)
    return {"macs": macs, "params": params}


def check(reported: Reported, analysis: Analysis) -> tuple[FigureCheck, ...]:
    """Each published MACs/params figure of `reported` beside the exact count under its own conventions."""
    exact = exact_figures(reported, analysis)
    checks = []
    for quantity, published in (("macs", reported.macs), ("params", reported.params)):
        if published is not None:
            unit = reported.printed_to.get(quantity, published.unit)
            checks.append(FigureCheck(quantity, published, exact[quantity], reported.rounding, unit,
                                      quantity in reported.unexplained))
    return tuple(checks)
