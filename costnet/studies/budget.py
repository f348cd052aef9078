"""Cost budgets: limits on MACs, parameters, activations, weight bytes and peak memory, checked against analyses.

What can be limited is the `quantities.QUANTITIES` registry. A budget file is validated like a spec: located
errors, unknown keys rejected. Evaluation never raises for one bad entry: it records an error, so one table
shows everything.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from ..analysis.analyzer import Analysis
from ..api import analyze
from ..errors import CostnetError, Origin, SpecError, UsageError
from ..frontends.sources import is_onnx, parse_input_shape, read_graph
from ..frontends.spec.loader import STDIN, STDIN_FILE, bundled_dir, bundled_spec, resolve
from ..schema import (
    Field, choice, mapping, pixels, positive_int, positive_number, read_fields, scalar, sequence, text, written,
)
from ..analysis.memory import DEFAULT_MEMORY_MODEL, DTYPES, MEMORY_MODELS
from ..analysis.quantities import QUANTITIES
from ..units import LARGEST_LIMIT, width_text
from ..frontends.spec.spec import CONVENTION_NAMES
from ..yamlsource import YNode, parse_yaml, read_source

BUDGET_VERSION = 1
BASELINE_SCHEMAS = (1, 2)  # the `schema_version`s of `costnet analyze --format json` a baseline may have
GROWTH_QUANTITIES = ("macs", "params", "activations")


@dataclass(frozen=True)
class Limit:
    quantity: str
    maximum: int
    text: str  # as the user wrote it
    origin: Origin | None = None  # where a budget file sets it


@dataclass(frozen=True)
class LimitResult:
    quantity: str
    label: str
    value: int
    maximum: int
    limit_text: str
    value_text: str
    origin: Origin | None = None  # where the limit is written, for annotations
    against_baseline: bool = False

    @property
    def passed(self) -> bool:
        return self.value <= self.maximum

    @property
    def headroom(self) -> float | None:
        """(limit − value) / limit, in percent; None for a limit of zero."""
        return 100.0 * (self.maximum - self.value) / self.maximum if self.maximum else None


@dataclass(frozen=True)
class Growth:
    """A layer whose cost grew against the baseline."""

    layer: str
    quantity: str
    before: int
    after: int
    origin: Origin | None


@dataclass(frozen=True)
class EntryResult:
    label: str
    spec_file: str | None
    origin: Origin | None  # where the entry is written (the budget file), or the spec itself
    convention: str
    results: tuple[LimitResult, ...] = ()
    growth: tuple[Growth, ...] = ()
    error: str | None = None
    spec_in_tree: bool = True  # False for a bundled spec: its layers' lines are no place for an annotation

    @property
    def passed(self) -> bool:
        return self.error is None and all(r.passed for r in self.results)


@dataclass(frozen=True)
class Increase:
    fraction: Fraction  # 1/50 for 2%
    text: str  # as written: "2%"


@dataclass(frozen=True)
class Baseline:
    file: str
    max_increase: Increase
    origin: Origin | None = None  # where a budget file names it


@dataclass(frozen=True)
class Entry:
    spec: str
    label: str | None
    width: float | None
    resolution: int | None
    depth: float | None
    convention: str
    dtype: str
    limits: tuple[Limit, ...]
    baseline: Baseline | None
    origin: Origin | None
    base_dir: Path | None = None  # a budget file's folder, for relative spec paths
    memory_model: str = DEFAULT_MEMORY_MODEL
    input_shape: tuple[int, int, int, int] | None = None  # an ONNX graph's input, N×C×H×W
    spec_origin: Origin | None = None  # where a budget file names the spec
    tree: Path | None = None  # the folder a budget file's paths must stay inside (default: base_dir)


def parse_limit(quantity: str, value: str | int) -> Limit:
    """A limit as written ("400M", 5000000): exact, rounded down, never negative; ValueError otherwise."""
    return Limit(quantity, QUANTITIES[quantity].parse(str(value)), str(value))


LARGEST_INCREASE = 1000  # percent


def parse_percent(text: str) -> Increase:
    """ "2%" → 1/50, exactly (limits on integers should not depend on float rounding). The % sign is
    required: a bare 0.02 could mean 2% or 0.02%."""
    raw = str(text).strip()
    if not raw.endswith("%"):
        raise ValueError(f"{text!r}: write the allowed increase as a percentage, e.g. 2% or 0.5%")
    try:
        number = raw[:-1].strip()
        if len(number) > 20:
            raise ValueError
        value = Fraction(number)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a percentage such as 2%") from None
    if not 0 <= value <= LARGEST_INCREASE:
        raise ValueError(f"{text!r}: the allowed increase must be between 0% and {LARGEST_INCREASE}%")
    return Increase(value / 100, raw)


# ---- evaluation ----------------------------------------------------------------------------------------

def evaluate(entry: Entry) -> EntryResult:
    label = entry.label or entry.spec
    try:
        path = spec_path(entry)
        graph = read_graph(path, width=entry.width, resolution=entry.resolution, depth=entry.depth,
                           input_shape=entry.input_shape)
        result = analyze(graph, entry.convention, entry.dtype)
    except CostnetError as exc:
        # A spec error is annotated where it is; anything else at the budget entry.
        origin = exc.origin if isinstance(exc, SpecError) and exc.origin else entry.origin
        if origin is not None and origin.file == STDIN_FILE:  # no file in the tree to annotate
            origin = None
        return EntryResult(label, entry.spec, origin, entry.convention, error=str(exc))
    except Exception as exc:  # a bug in costnet: this entry could not be evaluated; the others still are
        return EntryResult(label, entry.spec, entry.origin, entry.convention,
                           error=f"internal error: {type(exc).__name__}: {exc} (a bug in costnet)")
    label = entry.label or variant_label(result)
    # Annotations point at the budget entry, or at a spec in the user's tree (a bundled spec lives in the
    # installed package, which no CI annotation can point at).
    in_tree = path.parent != bundled_dir() and str(path) != STDIN
    origin = entry.origin or (Origin(str(path), 1, 1) if in_tree else None)
    results = [_measure(limit, result, entry.memory_model, origin) for limit in entry.limits]
    growth: tuple[Growth, ...] = ()
    if entry.baseline is not None:
        try:
            before = load_baseline(baseline_path(entry))
            _check_comparable(before, result, entry)
        except CostnetError as exc:
            where = exc.origin if isinstance(exc, SpecError) and exc.origin else origin
            return EntryResult(label, result.file, where, entry.convention, tuple(results), error=str(exc),
                               spec_in_tree=in_tree)
        baseline_results, growth = compare_baseline(before, result, entry.baseline, origin)
        results += baseline_results
    return EntryResult(label, result.file, origin, entry.convention, tuple(results), growth, spec_in_tree=in_tree)


def spec_path(entry: Entry) -> Path:
    """On the command line, a path, `-` (standard input) or a bundled name, as everywhere else. In a budget
    file, a path relative to the file's folder and inside it, or the name of a bundled spec: never the working
    directory, so a check gives the same answer wherever it runs, and never a file outside the folder, which a
    budget file from a pull request must not make costnet read (and quote in its errors)."""
    if entry.base_dir is None:
        if "\0" in entry.spec:  # (only the Python API can pass one: argv cannot hold a NUL)
            raise UsageError(f"{entry.spec!r}: a file name cannot contain a NUL character")
        if entry.spec == STDIN:
            return Path(STDIN)
        return Path(entry.spec) if is_onnx(entry.spec) else resolve(entry.spec)
    candidate = inside_folder(entry.spec, entry.base_dir, entry.spec_origin, "spec", entry.tree)
    if os.path.isfile(candidate):  # (False for a name too long for the system, where Path.is_file raises)
        return candidate
    if Path(entry.spec).parent == Path(".") and not is_onnx(entry.spec):
        return bundled_spec(entry.spec, f"not beside the budget file ({candidate})")
    raise UsageError(f"{candidate}: no such file")


def baseline_path(entry: Entry) -> str:
    """A baseline named on the command line as given; in a budget file, relative to its folder and inside it."""
    assert entry.baseline is not None
    name = entry.baseline.file
    if entry.base_dir is None:
        if "\0" in name:
            raise UsageError(f"baseline {name!r}: a file name cannot contain a NUL character")
        return name
    return str(inside_folder(name, entry.base_dir, entry.baseline.origin, "baseline", entry.tree))


def _contains(folder: str | os.PathLike, path: str | os.PathLike) -> bool:
    """Whether `path` is `folder` or under it, `..` and symlinks resolved (paths on two drives never are)."""
    root = os.path.realpath(folder)
    try:
        return os.path.commonpath([root, os.path.realpath(path)]) == root
    except ValueError:
        return False


def inside_folder(name: str, folder: Path, origin: Origin | None, field: str, tree: Path | None = None) -> Path:
    """`name`, a path a budget file gives, as a path under `folder` (the budget file's), which must not leave
    `tree` (the folder itself, or the one `check --root` names): not absolute, and inside it once `..` and every
    symlink are resolved (os.path.realpath), so that a budget file can make costnet read, and quote in its
    messages, only the files of its own tree."""
    valid = ("a path relative to the budget file's folder, inside it" if tree is None else
             f"a path relative to the budget file's folder, inside --root {tree}")
    if field == "spec":
        valid += ", or a bundled spec's name"
    if "\0" in name:
        raise SpecError(f"{name!r} contains a NUL character, which no file name can", origin, f"valid: {valid}")
    if os.path.isabs(name):
        raise SpecError(f"{name!r} is an absolute path", origin, f"valid: {valid}")
    candidate = folder / name
    try:
        outside = not _contains(tree or folder, candidate)
    except OSError as exc:  # not seen from realpath(strict=False); refused, never read unchecked
        raise SpecError(f"{name!r} cannot be resolved ({exc.strerror or exc})", origin, f"valid: {valid}") from None
    if outside:
        where = "the budget file's folder" if tree is None else f"--root {tree}"
        raise SpecError(f"{name!r} leads outside {where} (.. and symlinks resolved)", origin, f"valid: {valid}")
    return candidate


def variant_label(result: Analysis) -> str:
    """MobileNet's naming: "MobileNet 0.5-160", "MixNet-M 1.0-224"; a depth multiplier other than 1 is added."""
    scaling = result.scaling
    if scaling is None:  # an ONNX graph
        return f"{result.model} {result.input.height}×{result.input.width}"
    label = f"{result.model} {width_text(scaling.width)}-{scaling.resolution}"
    return label if scaling.depth == 1 else f"{label} depth {scaling.depth:g}"


def _measure(limit: Limit, result: Analysis, memory_model: str, entry_origin: Origin | None) -> LimitResult:
    q = QUANTITIES[limit.quantity]
    value = q.measure(result, memory_model)
    return LimitResult(limit.quantity, q.label, value, limit.maximum, limit.text, q.format(value),
                       limit.origin or entry_origin)


# ---- baselines -----------------------------------------------------------------------------------------

def load_baseline(path: str) -> dict[str, Any]:
    """A JSON file from `costnet analyze --format json`; anything else is a clear error."""
    text_ = read_source(path, f"baseline {path}")
    try:
        data = json.loads(text_)
    except (ValueError, RecursionError) as exc:  # ValueError: an integer of more than 4,300 digits too
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise UsageError(f"baseline {path}: not a JSON file from `costnet analyze --format json` ({reason})") \
            from None
    if not isinstance(data, dict) or "totals" not in data or "layers" not in data:
        raise UsageError(f"baseline {path}: not the output of `costnet analyze --format json` "
                         "(no totals and layers)")
    version = data.get("schema_version")
    if type(version) is not int or version not in BASELINE_SCHEMAS:
        written = "an older costnet (no schema_version)" if version is None else f"schema_version {version!r}"
        readable = " or ".join(map(str, BASELINE_SCHEMAS))
        raise UsageError(f"baseline {path} was written by {written}; this costnet reads schema_version "
                         f"{readable}: regenerate it with `costnet analyze SPEC --format json > {path}`")
    totals, layers = data["totals"], data["layers"]
    missing = [q for q in GROWTH_QUANTITIES if not isinstance(totals, dict) or not _is_count(totals.get(q))]
    if missing:
        raise UsageError(f"baseline {path}: totals lack integer {', '.join(missing)}")
    for index, layer in enumerate(layers if isinstance(layers, list) else [None]):
        if not (isinstance(layer, dict) and isinstance(layer.get("name"), str)
                and all(_is_count(layer.get(q)) for q in GROWTH_QUANTITIES)):
            raise UsageError(f"baseline {path}: layers[{index}] is not a layer with a name and integer "
                             f"{', '.join(GROWTH_QUANTITIES)}")
    return data


def baseline_convention(data: dict[str, Any]) -> str | None:
    convention = data.get("convention")
    return convention.get("name") if isinstance(convention, dict) else None


def _check_comparable(before: dict[str, Any], result: Analysis, entry: Entry) -> None:
    """A baseline of another network, or counted another way, would make the gate meaningless."""
    assert entry.baseline is not None
    if before.get("model") != result.model:
        raise UsageError(f"baseline {entry.baseline.file} is of {before.get('model')!r}, this check of "
                         f"{result.model!r}: compare a network with its own baseline")
    counted = baseline_convention(before)
    if counted != entry.convention:
        raise UsageError(f"baseline {entry.baseline.file} counts under the {counted!r} convention, this check "
                         f"under {entry.convention!r}: choose the same convention for both")


def _is_count(value: Any) -> bool:
    return type(value) is int and 0 <= value <= LARGEST_LIMIT


def compare_baseline(before: dict[str, Any], result: Analysis, baseline: Baseline,
                     origin: Origin | None = None) -> tuple[list[LimitResult], tuple[Growth, ...]]:
    """A limit per quantity at ⌊baseline × (1 + max_increase)⌋, and every layer whose cost grew (largest
    growth first; a layer absent from the baseline grew from 0)."""
    results = []
    for name in GROWTH_QUANTITIES:
        q = QUANTITIES[name]
        old = before["totals"][name]
        limit = math.floor(old * (1 + baseline.max_increase.fraction))
        value = getattr(result.totals, name)
        results.append(LimitResult(name, f"{q.label} vs baseline", value, limit,
                                   f"{q.format(old)} +{baseline.max_increase.text}", q.format(value), origin,
                                   against_baseline=True))
    old_layers = {layer["name"]: layer for layer in before["layers"]}
    growth = []
    for layer in result.layers:
        previous = old_layers.get(layer.name)
        for name in GROWTH_QUANTITIES:
            old = previous[name] if previous else 0
            new = getattr(layer, name)
            if new > old:
                growth.append(Growth(layer.name, name, old, new, layer.origin))
    growth.sort(key=lambda g: g.before - g.after)  # largest growth first; stable, so layer order breaks ties
    return results, tuple(growth)


# ---- budget files ---------------------------------------------------------------------------------------

def _limit_reader(quantity: str) -> Callable[[YNode, str], Limit]:
    def read(node: YNode, path: str) -> Limit:
        try:
            # Exact from the digits as written: YAML would read 4972669.9999999999 as the float 4972670.0.
            limit = parse_limit(quantity, written(node, path))
        except ValueError as exc:
            raise SpecError(str(exc), node.origin.at(path), f"e.g. {QUANTITIES[quantity].example}") from None
        return replace(limit, origin=node.origin.at(path))

    return read


def input_shape(node: YNode, path: str) -> tuple[int, int, int, int]:
    try:
        return parse_input_shape(scalar(node, path))
    except UsageError as exc:
        raise SpecError(str(exc).replace("--input-shape ", ""), node.origin.at(path)) from None


def percent(node: YNode, path: str) -> Increase:
    try:
        return parse_percent(scalar(node, path))
    except ValueError as exc:
        raise SpecError(str(exc), node.origin.at(path)) from None


ENTRY_FIELDS: dict[str, Field] = {
    "spec": Field("spec", text, "a spec file, relative to the budget file's folder and inside it, or a bundled "
                  "spec's name"),
    "name": Field("name", text, "a label for the entry (default: model and variant)", None),
    "width": Field("width", positive_number, "width multiplier (default: the spec's)", None),
    "resolution": Field("resolution", pixels, "input resolution (default: the spec's)", None),
    "depth": Field("depth", positive_number, "depth multiplier (default: the spec's)", None),
    "input_shape": Field("input_shape", input_shape, "an ONNX graph's input, \"N,C,H,W\" (default: the file's)",
                         None, type_label="N,C,H,W"),
    "convention": Field("convention", choice(*CONVENTION_NAMES), "counting convention (default: the file's)", None),
    "dtype": Field("dtype", choice(*DTYPES), "bytes per element, of weights and activations (default: the "
                   "file's)", None),
    "memory_model": Field("memory_model", choice(*MEMORY_MODELS), "how max_peak_memory counts (default: the "
                          "file's)", None),
    **{f"max_{name}": Field(f"max_{name}", _limit_reader(name), f"limit on {q.doc}, e.g. {q.example}", None,
                            type_label=q.unit.name)
       for name, q in QUANTITIES.items()},
    "baseline": Field("baseline", text, "a JSON file from `costnet analyze --format json` to compare with, "
                      "relative to the budget file's folder and inside it", None),
    "max_increase": Field("max_increase", percent, "allowed growth over the baseline, e.g. 2%", None,
                          type_label="percentage"),
}

FILE_FIELDS: dict[str, Field] = {
    "version": Field("version", positive_int, f"budget file format version; must be {BUDGET_VERSION}"),
    "convention": Field("convention", choice(*CONVENTION_NAMES), "default counting convention", "paper"),
    "dtype": Field("dtype", choice(*DTYPES), "default bytes per element of weights and activations", "fp32"),
    "memory_model": Field("memory_model", choice(*MEMORY_MODELS), "default memory model for max_peak_memory",
                          DEFAULT_MEMORY_MODEL),
    "budgets": Field("budgets", sequence, "the entries to check"),
}


def parse_budget_file(path: str, tree: str | os.PathLike | None = None) -> tuple[Entry, ...]:
    """The entries of a budget file; their paths stay inside `tree` (default: the file's own folder)."""
    file = Path(path)
    if tree is not None and not _contains(tree, file):
        raise UsageError(f"--root {tree}: the budget file {path} is not inside it")
    root = parse_yaml(read_source(file, f"budget file {path}"), path)
    top = read_fields(mapping(root, ""), FILE_FIELDS, "", "a budget file")
    if top["version"] != BUDGET_VERSION:
        raise SpecError(f"unsupported budget file version {top['version']}", root.items["version"].origin.at("version"),
                        f"this costnet reads version {BUDGET_VERSION}")
    entries = []
    for index, node in enumerate(top["budgets"].items):
        where = f"budgets[{index}]"
        values = read_fields(mapping(node, where), ENTRY_FIELDS, where, "a budget entry")
        origin = node.origin.at(where)
        limits = tuple(values[f"max_{name}"] for name in QUANTITIES if values[f"max_{name}"] is not None)
        if (values["baseline"] is None) != (values["max_increase"] is None):
            raise SpecError("`baseline` and `max_increase` go together", origin)
        if not limits and values["baseline"] is None:
            raise SpecError("an entry needs at least one limit", origin,
                            "valid: " + ", ".join(f"max_{name}" for name in QUANTITIES)
                            + ", or baseline + max_increase")
        baseline = Baseline(values["baseline"], values["max_increase"],
                            node.items["baseline"].origin.at(f"{where}.baseline")) if values["baseline"] else None
        entries.append(Entry(
            spec=values["spec"], label=values["name"], width=values["width"], resolution=values["resolution"],
            depth=values["depth"], convention=values["convention"] or top["convention"],
            dtype=values["dtype"] or top["dtype"], limits=limits, baseline=baseline, origin=origin,
            base_dir=file.parent, memory_model=values["memory_model"] or top["memory_model"],
            input_shape=values["input_shape"], spec_origin=node.items["spec"].origin.at(f"{where}.spec"),
            tree=Path(tree) if tree is not None else None,
        ))
    if not entries:
        raise SpecError("the budget file has no entries", top["budgets"].origin.at("budgets"))
    return tuple(entries)
