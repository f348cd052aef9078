"""The Python API: load a network, scale it, analyze it. The CLI and the studies go through these too."""

from __future__ import annotations

from .analysis.analyzer import Analysis, analyze as analyze_graph
from .analysis.conventions import DEFAULT_CONVENTION
from .frontends.spec.build import build
from .frontends.spec.loader import load
from .frontends.spec.scaling import scale
from .frontends.spec.spec import Spec
from .graph.network import Graph

__all__ = ["analyze", "build_graph", "load", "scale"]


def build_graph(network: Spec | Graph) -> Graph:
    """The graph of a spec (scaled to its own defaults if it is not scaled yet), or the graph itself."""
    if isinstance(network, Graph):
        return network
    return build(network if network.scaling is not None else scale(network))


def analyze(network: Spec | Graph, convention: str = DEFAULT_CONVENTION) -> Analysis:
    """Per-layer costs of a spec or a graph under a counting convention (`paper`, `torch`, `weights`)."""
    return analyze_graph(build_graph(network), convention)
