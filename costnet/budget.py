"""Cost budgets: limits on MACs, parameters, activations and weight bytes, checked against analyses.

What can be limited is the `quantities.QUANTITIES` registry. A budget file is validated like a spec: located errors, unknown keys
rejected. Evaluation never raises for one bad entry: it records an error, so one table shows everything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from .analysis import Analysis, analyze
from .errors import CostnetError, Origin, SpecError, UsageError
from .loader import bundled_dir, load, resolve
from .scaling import scale
from .schema import Field, choice, mapping, positive_int, positive_number, read_fields, scalar, sequence, text
from .quantities import DTYPES, QUANTITIES
from .spec import CONVENTION_NAMES
from .yamlsource import YNode, parse_yaml

BUDGET_VERSION = 1
BASELINE_SCHEMA = 1  # the `schema_version` of `costnet analyze --format json` that baselines must have
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
class Baseline:
    file: str
    max_increase: Fraction  # 1/50 for 2%


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


def parse_limit(quantity: str, value: str | int) -> Limit:
    q = QUANTITIES[quantity]
    if isinstance(value, int) and not isinstance(value, bool):
        return Limit(quantity, value, str(value))
    return Limit(quantity, q.parse(str(value)), str(value))


def parse_percent(text: str) -> Fraction:
    """ "2%" or "2" → 1/50, exactly (limits on integers should not depend on float rounding)."""
    raw = str(text).strip()
    try:
        value = Fraction(raw[:-1] if raw.endswith("%") else raw)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a percentage such as 2%") from None
    if value < 0:
        raise ValueError(f"{text!r}: the allowed increase cannot be negative")
    return value / 100


# ---- evaluation ----------------------------------------------------------------------------------------

def evaluate(entry: Entry) -> EntryResult:
    label = entry.label or entry.spec
    try:
        path = resolve(_resolve(entry.spec, entry.base_dir))
        spec = load(path)
        result = analyze(scale(spec, width=entry.width, resolution=entry.resolution, depth=entry.depth),
                         entry.convention)
    except CostnetError as exc:
        return EntryResult(label, entry.spec, entry.origin, entry.convention, error=str(exc))
    label = entry.label or _variant_label(result)
    # Annotations point at the budget entry, or at a spec in the user's tree (a bundled spec lives in the
    # installed package, which no CI annotation can point at).
    in_tree = path.parent != bundled_dir()
    origin = entry.origin or (Origin(str(path), 1, 1) if in_tree else None)
    results = [_measure(limit, result, DTYPES[entry.dtype], origin) for limit in entry.limits]
    growth: tuple[Growth, ...] = ()
    if entry.baseline is not None:
        try:
            before = load_baseline(_resolve(entry.baseline.file, entry.base_dir))
        except CostnetError as exc:
            return EntryResult(label, spec.file, origin, entry.convention, tuple(results), error=str(exc))
        counted = baseline_convention(before)
        if counted != entry.convention:
            return EntryResult(label, spec.file, origin, entry.convention, tuple(results), error=(
                f"baseline {entry.baseline.file} counts under the {counted!r} convention, this "
                f"check under {entry.convention!r}: choose the same convention for both"))
        baseline_results, growth = compare_baseline(before, result, entry.baseline.max_increase, origin)
        results += baseline_results
    return EntryResult(label, spec.file, origin, entry.convention, tuple(results), growth, spec_in_tree=in_tree)


def _resolve(name: str, base_dir: Path | None) -> str:
    if base_dir is not None and (base_dir / name).is_file():
        return str(base_dir / name)
    return name


def _variant_label(result: Analysis) -> str:
    """MobileNet's naming: "MobileNet 0.5-160", "MixNet-M 1.0-224"."""
    width = f"{result.scaling.width:.2f}".rstrip("0")
    return f"{result.model} {width}{'0' if width.endswith('.') else ''}-{result.scaling.resolution}"


def _measure(limit: Limit, result: Analysis, bytes_per_param: int, entry_origin: Origin | None) -> LimitResult:
    q = QUANTITIES[limit.quantity]
    value = q.measure(result.totals, bytes_per_param)
    return LimitResult(limit.quantity, q.label, value, limit.maximum, limit.text, q.format(value),
                       limit.origin or entry_origin)


# ---- baselines -----------------------------------------------------------------------------------------

def load_baseline(path: str) -> dict[str, Any]:
    """A JSON file from `costnet analyze --format json`; anything else is a clear error."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise UsageError(f"baseline {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"baseline {path}: not a JSON file from `costnet analyze --format json` ({exc})") from None
    if not isinstance(data, dict) or "totals" not in data or "layers" not in data:
        raise UsageError(f"baseline {path}: not the output of `costnet analyze --format json` "
                         "(no totals and layers)")
    version = data.get("schema_version")
    if version != BASELINE_SCHEMA:
        written = "an older costnet (no schema_version)" if version is None else f"schema_version {version!r}"
        raise UsageError(f"baseline {path} was written by {written}; this costnet reads schema_version "
                         f"{BASELINE_SCHEMA}: regenerate it with `costnet analyze SPEC --format json > {path}`")
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


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def compare_baseline(before: dict[str, Any], result: Analysis, max_increase: Fraction,
                     origin: Origin | None = None) -> tuple[list[LimitResult], tuple[Growth, ...]]:
    """A limit per quantity at ⌊baseline × (1 + max_increase)⌋, and every layer whose cost grew (largest
    growth first; a layer absent from the baseline grew from 0)."""
    results = []
    for name in GROWTH_QUANTITIES:
        q = QUANTITIES[name]
        old = before["totals"][name]
        limit = math.floor(old * (1 + max_increase))
        value = getattr(result.totals, name)
        results.append(LimitResult(name, f"{q.label} vs baseline", value, limit,
                                   f"{q.format(old)} +{float(max_increase):.1%}", q.format(value), origin))
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
        value = scalar(node, path)
        try:
            if isinstance(value, bool) or not isinstance(value, (int, str, float)):
                raise ValueError(f"{value!r} is not a limit")
            limit = parse_limit(quantity, value if not isinstance(value, float) else str(value))
        except ValueError as exc:
            raise SpecError(str(exc), node.origin.at(path), f"e.g. {QUANTITIES[quantity].doc.split('e.g. ')[-1]}") \
                from None
        return Limit(limit.quantity, limit.maximum, limit.text, node.origin.at(path))

    read.__name__ = QUANTITIES[quantity].unit_name  # the docs' type column
    return read


def percent(node: YNode, path: str) -> Fraction:
    try:
        return parse_percent(scalar(node, path))
    except ValueError as exc:
        raise SpecError(str(exc), node.origin.at(path)) from None


ENTRY_FIELDS: dict[str, Field] = {
    "spec": Field("spec", text, "a spec file (relative to the budget file) or a bundled spec's name"),
    "name": Field("name", text, "a label for the entry (default: model and variant)", None),
    "width": Field("width", positive_number, "width multiplier (default: the spec's)", None),
    "resolution": Field("resolution", positive_int, "input resolution (default: the spec's)", None),
    "depth": Field("depth", positive_number, "depth multiplier (default: the spec's)", None),
    "convention": Field("convention", choice(*CONVENTION_NAMES), "counting convention (default: the file's)", None),
    "dtype": Field("dtype", choice(*DTYPES), "bytes per parameter for max_weights (default: the file's)", None),
    **{f"max_{name}": Field(f"max_{name}", _limit_reader(name), f"limit on {q.doc}", None)
       for name, q in QUANTITIES.items()},
    "baseline": Field("baseline", text, "a JSON file from `costnet analyze --format json` to compare with", None),
    "max_increase": Field("max_increase", percent, "allowed growth over the baseline, e.g. 2%", None),
}

FILE_FIELDS: dict[str, Field] = {
    "version": Field("version", positive_int, f"budget file format version; must be {BUDGET_VERSION}"),
    "convention": Field("convention", choice(*CONVENTION_NAMES), "default counting convention", "paper"),
    "dtype": Field("dtype", choice(*DTYPES), "default bytes per parameter for max_weights", "fp32"),
    "budgets": Field("budgets", sequence, "the entries to check"),
}


def parse_budget_file(path: str) -> tuple[Entry, ...]:
    file = Path(path)
    try:
        text_ = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such budget file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    root = parse_yaml(text_, path)
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
                            "valid: " + ", ".join(f"max_{name}" for name in QUANTITIES) + ", or baseline + max_increase")
        baseline = Baseline(values["baseline"], values["max_increase"]) if values["baseline"] else None
        entries.append(Entry(
            spec=values["spec"], label=values["name"], width=values["width"], resolution=values["resolution"],
            depth=values["depth"], convention=values["convention"] or top["convention"],
            dtype=values["dtype"] or top["dtype"], limits=limits, baseline=baseline, origin=origin,
            base_dir=file.parent,
        ))
    if not entries:
        raise SpecError("the budget file has no entries", top["budgets"].origin.at("budgets"))
    return tuple(entries)
