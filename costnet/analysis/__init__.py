"""Analysis of a graph: per-layer costs under a counting convention, separable pairs, memory, published figures."""
