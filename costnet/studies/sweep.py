"""Sweeps over width × resolution, fast and exact.

A point of a sweep is what `points.point` gives (scale, build, analyze), without doing all of that for every
point. Widths change the channels and sometimes the structure (a residual appears when rounding makes two
widths equal), so each width is built and analysed once. Resolutions change only the spatial sizes, and those
depend on nothing but the layer types, their window fields and the wiring, so they are computed once per
structure and resolution with the layer types' own `spatial` functions. A point then is integer dot products:
a convolution's MACs are its MACs per output pixel times its output pixels, a tensor's size its channels
times its pixels. Where that does not hold (a `flatten` whose input size changes, a resolution the network
cannot take) the point is computed the slow way, which also gives its exact error. The test suite checks
that both ways agree everywhere.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ..analysis.conventions import CONVENTIONS, Convention
from ..analysis.memory import DEFAULT_DTYPE, DTYPES
from ..api import analyze, build_graph
from ..errors import CostnetError
from ..frontends.spec.scaling import check_resolution, scale
from ..frontends.spec.spec import Spec
from ..graph.layers import LAYER_TYPES, ShapeError
from ..graph.network import INPUT, Graph
from .points import Point, point, point_of, published_accuracy


def iter_sweep(spec: Spec, widths: Iterable[float], resolutions: Iterable[int], convention: str = "paper",
               depths: Iterable[float | None] = (None,), dtype: str = DEFAULT_DTYPE,
               prefer: str | None = None) -> Iterator[Point]:
    """Every depth × width × resolution of `spec` (depth outer, then width), as each point is computed; a depth
    of None is the spec's own. The resolutions are checked before the first point (the fast path moves a built
    graph to them without scaling the spec again)."""
    resolutions = tuple(check_resolution(r) for r in resolutions)
    widths = tuple(widths)
    return (p for depth in depths for p in _points(spec, widths, resolutions, convention, depth, dtype, prefer))


def _points(spec: Spec, widths: tuple[float, ...], resolutions: tuple[int, ...], convention: str,
            depth: float | None, dtype: str, prefer: str | None) -> Iterator[Point]:
    structures: dict[tuple, dict[int, tuple[int, ...] | None]] = {}  # signature → resolution → output pixels
    for width in widths:
        compiled = _compile(spec, width, resolutions, convention, depth, dtype)
        if compiled is None:
            for resolution in resolutions:
                yield point(spec, width, resolution, convention, depth, prefer, dtype)
            continue
        spatial_at = structures.setdefault(compiled.signature, {})
        for resolution in resolutions:
            if resolution not in spatial_at:
                spatial_at[resolution] = compiled.spatial_sizes(resolution)
        fast = [r for r in resolutions if spatial_at[r] is not None]
        figures = dict(zip(fast, compiled.figures(fast, [spatial_at[r] for r in fast])))
        for resolution in resolutions:
            if resolution in figures:
                yield compiled.point(spec, resolution, figures[resolution], prefer)
            else:
                yield point(spec, width, resolution, convention, depth, prefer, dtype)


def _compile(spec: Spec, width: float, resolutions: tuple[int, ...], convention: str, depth: float | None,
             dtype: str) -> "_Compiled | None":
    """One width, built and analysed at the first resolution that builds; None if none does (every point
    of this width then goes the slow way, and reports its own error)."""
    for resolution in dict.fromkeys((spec.input.resolution, *resolutions)):
        try:
            graph = build_graph(scale(spec, width=width, resolution=resolution, depth=depth))
        except CostnetError:
            continue
        if any(LAYER_TYPES[node.type].macs_per_input_pixel for node in graph.nodes):
            return None  # MACs that follow a layer's input size (transposed convolutions): the slow way
        return _Compiled(graph, CONVENTIONS[convention], dtype)
    return None


class _Compiled:
    """A built graph reduced to what a change of resolution changes."""

    def __init__(self, graph: Graph, convention: Convention, dtype: str):
        nodes = graph.nodes
        self.scaling, self.dtype, self.bytes = graph.scaling, dtype, DTYPES[dtype]
        index = {node.name: i for i, node in enumerate(nodes)}
        self.inputs = tuple(tuple(-1 if name == INPUT else index[name] for name in node.inputs) for node in nodes)
        self.types = tuple(LAYER_TYPES[node.type] for node in nodes)
        self.fields = tuple({key: node.fields[key] for key in kind.spatial_fields}
                            for node, kind in zip(nodes, self.types))
        self.signature = tuple((node.type, inputs, tuple(fields.items()))
                               for node, inputs, fields in zip(nodes, self.inputs, self.fields))
        self.base_spatial = tuple(node.output_shape.spatial for node in nodes)
        self.base_input_hw = tuple(self._input_hw(node.input_shape) for node in nodes)
        self.channels = tuple(node.output_shape.channels for node in nodes)
        self.input_channels = graph.input.channels
        # MACs and activations: a part proportional to the output pixels, and a fixed part (as the analyzer
        # counts them: the registry's costs, fvcore's activations).
        self.macs_per_pixel, self.acts_per_pixel = [], []
        self.fixed_macs = self.fixed_acts = params = 0
        for node, kind in zip(nodes, self.types):
            out = node.output_shape
            costs = kind.cost(node.fields, node.input_shape, out)
            macs = sum(c.macs for c in costs)
            params += sum(convention.params(c.weights, c.biases, c.norm) for c in costs)
            if kind.macs_per_output_pixel:
                assert macs % out.spatial == 0
                self.macs_per_pixel.append(macs // out.spatial)
            else:
                self.macs_per_pixel.append(0)
                self.fixed_macs += macs
            if kind.activations is not None:
                self.acts_per_pixel.append(0)
                self.fixed_acts += kind.activations(node.fields, node.input_shape, out)
            else:  # the output of a layer that computes
                self.acts_per_pixel.append(out.channels if macs else 0)
        self.params = params
        # Liveness: which tensors end at each row, whether a row's output is read later, what it may overwrite.
        last_reader = {-1: -1}
        for i, inputs in enumerate(self.inputs):
            for t in inputs:
                last_reader[t] = i
        ends: list[list[int]] = [[] for _ in nodes]
        for t, row in last_reader.items():
            if row >= 0:
                ends[row].append(t)
        overwrites = tuple(inputs[0] if kind.in_place and len(inputs) == 1 and last_reader[inputs[0]] == i else None
                           for i, (kind, inputs) in enumerate(zip(self.types, self.inputs)))
        # One step per row for the peak loop: (overwritten tensor or None, output read later?, tensors that end)
        self.steps = tuple((overwrites[i], last_reader.get(i, -1) > i, tuple(ends[i])) for i in range(len(nodes)))

    @staticmethod
    def _input_hw(shape) -> tuple[int, int]:
        return shape.height, shape.width

    def spatial_sizes(self, resolution: int) -> tuple[int, ...] | None:
        """Output pixels of every row at `resolution`, or None when this resolution must go the slow way."""
        hw: list[tuple[int, int]] = []
        for kind, fields, inputs, base_in in zip(self.types, self.fields, self.inputs, self.base_input_hw):
            seen = [(resolution, resolution) if t < 0 else hw[t] for t in inputs]
            if any(other != seen[0] for other in seen[1:]):
                return None  # a merge of different sizes: the slow way says so exactly
            if kind.channels_follow_spatial and seen[0] != base_in:
                return None  # a flatten whose width changes with the resolution
            try:
                hw.append(kind.spatial(fields, *seen[0]))
            except ShapeError:
                return None
        return tuple(h * w for h, w in hw)

    def figures(self, resolutions: list[int], spatial_rows: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
        """(MACs, activations, plain peak, in-place peak) at each resolution; with numpy over all of them at
        once where 64-bit integers cannot overflow, else in Python integers."""
        if resolutions and self._fits_int64(max(resolutions)):
            return self._figures_vectorized(resolutions, spatial_rows)
        return [self._figures_one(r, spatial) for r, spatial in zip(resolutions, spatial_rows)]

    def _fits_int64(self, resolution: int) -> bool:
        pixels = resolution * resolution  # no row has more output pixels than the input (nor its own)
        most = max(max(self.channels), self.input_channels) * pixels * (len(self.channels) + 1)
        macs = (self.fixed_macs + sum(self.macs_per_pixel) * pixels)
        activations = self.fixed_acts + sum(self.acts_per_pixel) * pixels
        return len(self.channels) <= 4096 and max(most, macs, activations) < 2**62

    def _figures_one(self, resolution: int, spatial: tuple[int, ...]) -> tuple[int, ...]:
        macs = self.fixed_macs + sum(map(int.__mul__, self.macs_per_pixel, spatial))
        activations = self.fixed_acts + sum(map(int.__mul__, self.acts_per_pixel, spatial))
        sizes = tuple(map(int.__mul__, self.channels, spatial))
        return (macs, activations, *self._peaks(sizes, self.input_channels * resolution * resolution))

    def _figures_vectorized(self, resolutions: list[int], spatial_rows: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
        import numpy as np

        pixels = np.array(spatial_rows, dtype=np.int64)  # resolutions × rows
        macs = pixels @ np.array(self.macs_per_pixel, dtype=np.int64) + self.fixed_macs
        activations = pixels @ np.array(self.acts_per_pixel, dtype=np.int64) + self.fixed_acts
        inputs = np.array([self.input_channels * r * r for r in resolutions], dtype=np.int64)
        sizes = np.concatenate([pixels * np.array(self.channels, dtype=np.int64), inputs[:, None]], axis=1)
        plain = sizes @ self._alive_matrix().T  # live elements of every row: the tensors alive during it
        in_place = plain.copy()
        for row, (overwritten, _, _) in enumerate(self.steps):
            if overwritten is not None:
                in_place[:, row] -= np.minimum(sizes[:, overwritten], sizes[:, row])
        return [tuple(int(v) for v in values) for values in
                zip(macs, activations, plain.max(axis=1), in_place.max(axis=1))]

    def _alive_matrix(self):
        """rows × tensors (the last column is the network input): 1 where the tensor is alive during the row."""
        import numpy as np

        count = len(self.steps)
        alive = np.zeros((count, count + 1), dtype=np.int64)
        produced_at = list(range(count)) + [-1]
        last = {t: max(rows) for t, rows in self._readers().items()}
        for t, start in enumerate(produced_at):
            tensor = t if t < count else -1
            end = max(last.get(tensor, start), start if start >= 0 else 0)
            alive[max(start, 0):end + 1, t] = 1
        return alive

    def _readers(self) -> dict[int, list[int]]:
        readers: dict[int, list[int]] = {}
        for row, inputs in enumerate(self.inputs):
            for t in inputs:
                readers.setdefault(t, []).append(row)
        return readers

    def point(self, spec: Spec, resolution: int, figures: tuple[int, ...], prefer: str | None) -> Point:
        macs, activations, plain, in_place = figures
        s = self.scaling
        published = published_accuracy(spec, s.width, resolution, s.depth, prefer)
        return Point(spec.name, spec.family or spec.name, s.width, resolution, macs, self.params,
                     activations, published.top1 if published else None, published.top5 if published else None,
                     published.source if published else None, spec.file, s.depth, self.dtype,
                     self.params * self.bytes, plain * self.bytes, in_place * self.bytes)

    def _peaks(self, sizes: tuple[int, ...], input_size: int) -> tuple[int, int]:
        """Peak live elements under the plain and the in-place model (as analysis.memory.profile counts)."""
        sized = (*sizes, input_size)  # index -1 is the network input
        alive = input_size
        plain_peak = in_place_peak = 0
        for out, (overwritten, read_later, ending) in zip(sizes, self.steps):
            live = alive + out
            if live > plain_peak:
                plain_peak = live
            if overwritten is not None:
                live -= min(sized[overwritten], out)
            if live > in_place_peak:
                in_place_peak = live
            if read_later:
                alive += out
            for t in ending:
                alive -= sized[t]
        return plain_peak, in_place_peak


def sweep_point_check(spec: Spec, width: float, resolution: int, convention: str = "paper",
                      depth: float | None = None, dtype: str = DEFAULT_DTYPE) -> tuple[Point, Point]:
    """The same point the fast way and the slow way (for the test suite)."""
    fast = next(iter_sweep(spec, (width,), (resolution,), convention, (depth,), dtype))
    return fast, point_of(spec, analyze(scale(spec, width=width, resolution=resolution, depth=depth),
                                        convention, dtype))
