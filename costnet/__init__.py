"""costnet: what a convolutional network costs, from a YAML spec or an ONNX graph, with no deep-learning framework.

    >>> import costnet
    >>> result = costnet.analyze(costnet.load("mobilenet_v1"))
    >>> result.totals.macs
    568740352
"""

from .analysis.analyzer import Analysis, LayerResult, SeparablePair, Totals
from .api import analyze, build_graph, load, parse_spec, read_onnx, scale
from .errors import CostnetError, SpecError, UsageError
from .frontends.spec.spec import Spec
from .graph.network import Graph, Node

__version__ = "0.1.0"

__all__ = [
    "Analysis", "CostnetError", "Graph", "LayerResult", "Node", "SeparablePair", "Spec", "SpecError", "Totals",
    "UsageError", "analyze", "build_graph", "load", "parse_spec", "read_onnx", "scale", "__version__",
]
