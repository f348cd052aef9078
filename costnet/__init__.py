"""costnet: what a convolutional network costs, from a YAML spec, with no deep-learning framework.

    >>> import costnet
    >>> result = costnet.analyze(costnet.load("mobilenet_v1"))
    >>> result.totals.macs
    568740352
"""

from .analysis.analyzer import Analysis, LayerResult, SeparablePair, Totals, analyze
from .errors import CostnetError, SpecError, UsageError
from .frontends.spec.loader import load
from .frontends.spec.scaling import scale
from .frontends.spec.spec import Spec, parse_spec

__version__ = "0.1.0"

__all__ = [
    "Analysis", "CostnetError", "LayerResult", "SeparablePair", "Spec", "SpecError", "Totals", "UsageError",
    "analyze", "load", "parse_spec", "scale", "__version__",
]
