"""The spec format, version 1: located YAML in, a frozen `Spec` out. No arithmetic on costs here.

See docs/spec.md for the format; its field tables are generated from the declarations in this module and in
the layer and block registries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from .blocks import BLOCK_TYPES
from ...errors import Origin, SpecError
from ...units import LARGEST_LIMIT
from ...graph.network import COUNTS, ROUNDINGS, Figure, Reported, Scaling
from ...graph.layers import SPEC_LAYER_TYPES
from .nodes import DEPTH_SCALING, MERGES, SPLITS, WIDTH_SCALING, BlockNode, LayerNode, Node, ParallelNode, Stage
from ...schema import (
    Field, TableRef, _shown, _valid, choice, fraction, mapping, pixels, positive_int, positive_number, read_fields,
    sequence, text, written,
)
from ...yamlsource import YMap, YNode, YScalar, YSeq, parse_yaml

SPEC_VERSION = 1
WIDTH_RULES = ("divisible", "slim", "table", "none")
DEPTH_RULES = ("ceil", "stage_round", "none")
CONVENTION_NAMES = ("paper", "torch", "weights", "checkpoint")  # kept in step with conventions.CONVENTIONS by a test


@dataclass(frozen=True)
class InputSpec:
    channels: int
    resolution: int


@dataclass(frozen=True)
class WidthRule:
    multiplier: float
    rule: str
    divisor: int
    minimum: int
    table: Mapping[float, Mapping[str, int]] = field(default_factory=dict)  # rule "table": α → name → width


@dataclass(frozen=True)
class DepthRule:
    multiplier: float
    rule: str


@dataclass(frozen=True)
class Spec:
    name: str
    family: str
    description: str
    source: str
    file: str
    input: InputSpec
    width: WidthRule
    depth: DepthRule
    stages: tuple[Stage, ...]
    reported: tuple[Reported, ...]
    scaling: Scaling | None = None  # set by scaling.scale()
    base: str | None = None  # a variant: the file of the spec it scales
    unscaled: "Spec | None" = field(default=None, repr=False)  # a scaled spec: the spec it was scaled from

    def __repr__(self) -> str:  # the whole tree runs to 20,000 characters: a notebook cell gets one line
        s = self.scaling
        size = s.resolution if s else self.input.resolution
        scaled = f", width {s.width:g}, depth {s.depth:g}" if s else ""
        entries = sum(len(stage.nodes) for stage in self.stages)
        return (f"<Spec {self.name} ({self.file}): {len(self.stages)} stages, {entries} entries, input "
                f"{self.input.channels}×{size}×{size}{scaled}>")


# ---- figures -------------------------------------------------------------------------------------------

MAX_FIGURE_CHARS = 40  # a published figure is a few digits; 5,000 would not even convert to an integer


def figure(node: YNode, path: str) -> Figure:
    """A figure as printed: its written text decides its precision (`94.80` is to the hundredth)."""
    value = node.value if isinstance(node, YScalar) else None
    shown = written(node, path) if value is not None and not isinstance(value, bool) else None
    too_long = shown is not None and len(shown) > MAX_FIGURE_CHARS
    parsed = Figure.parse(shown) if shown is not None and not too_long else None
    if too_long or (parsed is not None and parsed.value > LARGEST_LIMIT):
        raise SpecError(f"a published figure is at most {LARGEST_LIMIT:.0e} (got {_shown(value)})",
                        node.origin.at(path))
    if parsed is None:
        raise SpecError(f"must be a figure as published, e.g. 569M or 4.2M (got {_shown(value)})",
                        node.origin.at(path))
    return parsed


def percent(node: YNode, path: str) -> float:
    value = positive_number(node, path)
    if value > 100:
        raise SpecError(f"must be a percentage ≤ 100 (got {value})", node.origin.at(path))
    return value


def quantity_list(node: YNode, path: str) -> tuple[str, ...]:
    items = node.items if isinstance(node, YSeq) else (node,)
    return tuple(choice("macs", "params")(item, path) for item in items)


# ---- declarations --------------------------------------------------------------------------------------

TOP_FIELDS = {
    "version": Field("version", positive_int, f"spec format version; must be {SPEC_VERSION}"),
    "name": Field("name", text, "the network's name, e.g. MixNet-M"),
    "family": Field("family", text, "family for grouping in lists and plots", ""),
    "description": Field("description", text, "one line about the network", ""),
    "source": Field("source", text, "the reference implementation this spec follows", ""),
    "input": Field("input", mapping, "input tensor: channels, resolution"),
    "width": Field("width", mapping, "width multiplier α and its rounding rule", None),
    "depth": Field("depth", mapping, "depth multiplier on repeats and its rule", None),
    "body": Field("body", sequence, "the stages, in order"),
    "reported": Field("reported", sequence, "figures published by the authors, with their source", None),
}

INPUT_FIELDS = {
    "channels": Field("channels", positive_int, "input channels", 3),
    "resolution": Field("resolution", pixels, "default input height = width"),
}

WIDTH_FIELDS = {
    "multiplier": Field("multiplier", positive_number, "default width multiplier α", 1.0),
    "rule": Field("rule", choice(*WIDTH_RULES),
                  "divisible: round c·α to a multiple of `divisor`, never below `min` nor 10% below c·α "
                  "(MobileNetV2, MnasNet, MixNet, EfficientNet); slim: max(int(c·α), min) (TF-slim "
                  "MobileNetV1); table: widths written `{table: NAME}` come from `table`, other widths are "
                  "fixed (ShuffleNetV2); none: the network has no width multiplier", "divisible"),
    "divisor": Field("divisor", positive_int, "channel multiple for the divisible rule", 8),
    "min": Field("min", positive_int, "smallest width after scaling", 8),
    "table": Field("table", mapping, "for rule table: a mapping from each available α to a mapping of names "
                   "to widths, e.g. {0.5: {stage2: 48}, 1.0: {stage2: 116}}", None),
}

DEPTH_FIELDS = {
    "multiplier": Field("multiplier", positive_number, "default depth multiplier", 1.0),
    "rule": Field("rule", choice(*DEPTH_RULES), "how the repeats of a stage that says `depth_scaling: scaled` "
                  "change: ceil: each entry's r becomes ⌈r·d⌉ (TF EfficientNet, torchvision); stage_round: the "
                  "stage's total becomes max(1, round(Σr·d)), handed back to its entries from the last (timm's "
                  "MixNet); none: the network has no depth multiplier", "ceil"),
}

STAGE_FIELDS = {
    "name": Field("name", text, "stage name, the prefix of its layers' names"),
    "blocks": Field("blocks", sequence, "the stage's layers and blocks, in order"),
    "depth_scaling": Field("depth_scaling", choice(*DEPTH_SCALING), "scaled: a stage of blocks, whose repeats "
                           "the depth multiplier changes by the spec's `depth.rule`; fixed: a stem, a head or a "
                           "classifier, never repeated", "fixed"),
}

# Fields every layer and block entry may carry, besides those of its type.
ENTRY_FIELDS = {
    "type": Field("type", text, "a layer type, a block type, or `parallel`"),
    "name": Field("name", text, "name of the entry (default: its index in the stage)", None),
    "repeat": Field("repeat", positive_int, "how many times the entry repeats; only the first repeat takes "
                    "the stride and the incoming width, later repeats run at stride 1", 1),
    "width_scaling": Field("width_scaling", choice(*WIDTH_SCALING),
                           "scaled: the width multiplier applies; fixed: it never does; grow_only: it applies "
                           "only when α > 1 (MobileNetV2's last 1×1 conv). Default: scaled, except for `fc`, whose "
                           "output is usually the classes: fixed (MobileNetV3's hidden fc says scaled)", None,
                           type_label="scaled / fixed / grow_only"),
}

PARALLEL_FIELDS = {
    "merge": Field("merge", choice(*MERGES), "how branch outputs are merged: add (same shapes) or concat "
                   "(along channels, same spatial size)"),
    "branches": Field("branches", sequence, "a list of branches, each a list of entries; an empty list is "
                      "the identity"),
    "split": Field("split", choice(*SPLITS), "none: every branch gets the whole input; equal: the input "
                   "channels are divided equally among the branches (ShuffleNetV2's channel split)", "none"),
}

FIGURE = "figure as printed (569M, 4.2M, 0.39G)"

REPORTED_FIELDS = {
    "source": Field("source", text, "where the figures are published (paper and table, README, ...)"),
    "width": Field("width", positive_number, "the variant's width multiplier (default: the spec's)", None),
    "resolution": Field("resolution", pixels, "the variant's resolution (default: the spec's)", None),
    "depth": Field("depth", positive_number, "the variant's depth multiplier (default: the spec's)", None),
    "macs": Field("macs", figure, "multiply-accumulates as published, e.g. 569M", None, type_label=FIGURE),
    "params": Field("params", figure, "parameters as published, e.g. 4.2M", None, type_label=FIGURE),
    "top1": Field("top1", percent, "ImageNet top-1 accuracy, %", None, type_label="number ≤ 100"),
    "top5": Field("top5", percent, "ImageNet top-5 accuracy, %", None, type_label="number ≤ 100"),
    "convention": Field("convention", choice(*CONVENTION_NAMES), "the counting convention that reproduces "
                        "the figures", "paper"),
    "counts": Field("counts", choice(*COUNTS), "what the published `macs` figure counts: "
                    + "; ".join(f"{name}: {doc}" for name, doc in COUNTS.items()), "macs"),
    "classes": Field("classes", positive_int, "the published model's classifier outputs, when they differ from "
                     "the spec's (TF-slim's checkpoints: 1001, a background class)", None),
    "rounding": Field("rounding", choice(*ROUNDINGS), "how the source rounded: "
                      + "; ".join(f"{name}: {doc}" for name, doc in ROUNDINGS.items()), "nearest"),
    "macs_printed_to": Field("macs_printed_to", figure, "the unit the MACs figure was rounded to, when coarser "
                             "than its last digit (1700 M printed to 2 significant figures: 100M)", None,
                             type_label=FIGURE),
    "params_printed_to": Field("params_printed_to", figure, "the same for parameters", None, type_label=FIGURE),
    "unexplained": Field("unexplained", quantity_list, "figures (macs, params) that no counting convention "
                         "reproduces; the note says what was tried", (), type_label="list of macs / params"),
    "note": Field("note", text, "how the published figures relate to exact arithmetic", ""),
}


VARIANT_FIELDS = {
    "version": TOP_FIELDS["version"],
    "variant_of": Field("variant_of", text, "the spec this one scales: a file in the same folder, or a bundled "
                        "spec's name"),
    "name": Field("name", text, "the variant's name, e.g. EfficientNet-B4"),
    "family": Field("family", text, "family (default: the base spec's)", None),
    "description": Field("description", text, "one line about the variant", None),
    "source": Field("source", text, "the reference implementation of the variant", None),
    "input": Field("input", mapping, "`{resolution: R}`: the variant's default resolution", None),
    "width": Field("width", mapping, "`{multiplier: α}`: the variant's default width multiplier", None),
    "depth": Field("depth", mapping, "`{multiplier: d}`: the variant's default depth multiplier", None),
    "dropout": Field("dropout", fraction, "the rate of every dropout layer of the base (EfficientNet's "
                     "`dropout_rate`)", None),
    "reported": TOP_FIELDS["reported"],
}

# Loads the base of a variant: (the name in `variant_of`, where it is written) → the base spec.
BaseLoader = Callable[[str, Origin], "Spec"]


# ---- parsing -------------------------------------------------------------------------------------------

def parse_spec(text_: str, file: str, load_base: BaseLoader | None = None) -> Spec:
    """A spec from its text. A variant (`variant_of: BASE`) needs `load_base` to read its base."""
    root = parse_yaml(text_, file)
    if not isinstance(root, YMap):
        raise SpecError("a spec must be a mapping with `version: 1`, `name`, `input` and `body`", root.origin)
    if "version" in root.items:
        version = root.items["version"]
        if not isinstance(version, YScalar) or version.value != SPEC_VERSION:
            raise SpecError(f"unsupported spec version {getattr(version, 'value', version)!r}",
                            version.origin.at("version"), f"this costnet reads version {SPEC_VERSION}")
    if "variant_of" in root.items:
        return _parse_variant(root, file, load_base)
    top = read_fields(root, TOP_FIELDS, "", "a spec")
    spec_input = InputSpec(**read_fields(top["input"], INPUT_FIELDS, "input", "input"))
    width = read_fields(top["width"], WIDTH_FIELDS, "width", "width") if top["width"] else \
        {name: f.default for name, f in WIDTH_FIELDS.items()}
    table = _parse_width_table(width, top["width"])
    depth = read_fields(top["depth"], DEPTH_FIELDS, "depth", "depth") if top["depth"] else \
        {name: f.default for name, f in DEPTH_FIELDS.items()}
    stages = tuple(_parse_stage(node, f"body[{i}]") for i, node in enumerate(top["body"].items))
    if not stages:
        raise SpecError("the body has no stages", top["body"].origin.at("body"))
    _check_unique([s.name for s in stages], [s.origin for s in stages], "stage name")
    reported = tuple(_parse_reported(node, f"reported[{i}]")
                     for i, node in enumerate(top["reported"].items if top["reported"] else ()))
    _check_table_refs(stages, table, width["rule"])
    return Spec(
        name=top["name"], family=top["family"], description=top["description"], source=top["source"],
        file=file, input=spec_input,
        width=WidthRule(width["multiplier"], width["rule"], width["divisor"], width["min"], table),
        depth=DepthRule(depth["multiplier"], depth["rule"]),
        stages=stages, reported=reported,
    )


def _parse_variant(root: YMap, file: str, load_base: BaseLoader | None) -> Spec:
    top = read_fields(root, VARIANT_FIELDS, "", "a variant")
    where = root.items["variant_of"].origin.at("variant_of")
    if load_base is None:
        raise SpecError("a variant is read from a file, beside its base (costnet.load)", where)
    base = load_base(top["variant_of"], where)
    spec_input = base.input
    if top["input"] is not None:
        resolution = read_fields(top["input"], {"resolution": INPUT_FIELDS["resolution"]}, "input", "a "
                                 "variant's input")["resolution"]
        spec_input = replace(spec_input, resolution=resolution)
    width, depth = base.width, base.depth
    if top["width"] is not None:
        multiplier = read_fields(top["width"], {"multiplier": WIDTH_FIELDS["multiplier"]}, "width",
                                 "a variant's width")["multiplier"]
        width = replace(width, multiplier=multiplier)
    if top["depth"] is not None:
        multiplier = read_fields(top["depth"], {"multiplier": DEPTH_FIELDS["multiplier"]}, "depth",
                                 "a variant's depth")["multiplier"]
        depth = replace(depth, multiplier=multiplier)
    stages = base.stages if top["dropout"] is None else _with_dropout(base.stages, top["dropout"])
    reported = tuple(_parse_reported(node, f"reported[{i}]")
                     for i, node in enumerate(top["reported"].items if top["reported"] else ()))
    return replace(
        base, name=top["name"], family=top["family"] or base.family,
        description=top["description"] or base.description, source=top["source"] or base.source, file=file,
        input=spec_input, width=width, depth=depth, stages=stages, reported=reported, base=base.file,
    )


def _with_dropout(stages: tuple[Stage, ...], rate: float) -> tuple[Stage, ...]:
    def visit(node: Node) -> Node:
        if isinstance(node, ParallelNode):
            return replace(node, branches=tuple(tuple(visit(child) for child in branch) for branch in node.branches))
        if node.type == "dropout":
            return replace(node, fields={**node.fields, "rate": rate})
        return node

    return tuple(replace(stage, nodes=tuple(visit(node) for node in stage.nodes)) for stage in stages)


def _parse_width_table(width: dict[str, Any], node: YMap | None) -> dict[float, dict[str, int]]:
    if width["rule"] != "table":
        if width["table"] is not None:
            raise SpecError("`table` needs `rule: table`", width["table"].origin.at("width.table"))
        return {}
    if width["table"] is None:
        raise SpecError("rule table needs a `table` of widths", node.origin.at("width") if node else None)
    table: dict[float, dict[str, int]] = {}
    names: set[str] | None = None
    for key, row in width["table"].items.items():
        path = f"width.table.{key}"
        try:
            alpha = float(key)
        except ValueError:
            raise SpecError(f"table keys are width multipliers such as 0.5 (got {key!r})",
                            width["table"].key_origins[key].at(path)) from None
        entries = mapping(row, path)
        table[alpha] = {name: positive_int(value, f"{path}.{name}") for name, value in entries.items.items()}
        if names is not None and set(table[alpha]) != names:
            raise SpecError(f"every row must name the same widths ({', '.join(sorted(names))})", row.origin.at(path))
        names = set(table[alpha])
    if width["multiplier"] not in table:
        raise SpecError(f"the default multiplier {width['multiplier']:g} has no row in the table",
                        width["table"].origin.at("width.table"))
    return table


def _check_table_refs(stages: tuple[Stage, ...], table: dict[float, dict[str, int]], rule: str) -> None:
    names = set(next(iter(table.values()))) if table else set()

    def visit(node: Node) -> None:
        if isinstance(node, ParallelNode):
            for branch in node.branches:
                for child in branch:
                    visit(child)
            return
        for value in node.fields.values():
            if isinstance(value, TableRef):
                if rule != "table":
                    raise SpecError("`{table: …}` widths need `width: {rule: table, table: …}`", value.origin)
                if value.name not in names:
                    raise SpecError(f"no width {value.name!r} in the width table", value.origin,
                                    _valid(value.name, sorted(names)))

    for stage in stages:
        for node in stage.nodes:
            visit(node)


def _check_unique(names: list[str], origins: list[Origin], what: str) -> None:
    seen: dict[str, Origin] = {}
    for name, origin in zip(names, origins):
        if name in seen:
            raise SpecError(f"duplicate {what} {name!r} (first at line {seen[name].line})", origin)
        seen[name] = origin


def _parse_stage(node: YNode, path: str) -> Stage:
    stage = read_fields(mapping(node, path), STAGE_FIELDS, path, "a stage")
    entries = stage["blocks"].items
    if not entries:
        raise SpecError("a stage needs at least one entry", node.origin.at(f"{path}.blocks"))
    nodes = tuple(_parse_entry(entry, f"{path}.blocks[{i}]") for i, entry in enumerate(entries))
    _check_names(nodes)
    return Stage(stage["name"], nodes, node.origin.at(path), stage["depth_scaling"])


def _check_names(nodes: tuple[Node, ...]) -> None:
    named = [n for n in nodes if n.name is not None]
    _check_unique([n.name for n in named], [n.origin for n in named], "entry name")


def _parse_entry(node: YNode, path: str) -> Node:
    entry = mapping(node, path)
    if "type" not in entry.items:
        raise SpecError("missing required field 'type'", entry.origin.at(path), f"valid: {_type_list()}")
    kind = text(entry.items["type"], f"{path}.type")
    origin = entry.origin.at(path)
    if kind == "parallel":
        values = read_fields(entry, {**ENTRY_FIELDS, **PARALLEL_FIELDS}, path, "parallel")
        branches = []
        for i, branch in enumerate(values["branches"].items):
            branch_path = f"{path}.branches[{i}]"
            items = sequence(branch, branch_path).items
            branches.append(tuple(_parse_entry(item, f"{branch_path}[{j}]") for j, item in enumerate(items)))
            _check_names(branches[-1])
        if len(branches) < 2:
            raise SpecError("a parallel entry needs at least two branches", origin.at(f"{path}.branches"))
        return ParallelNode(tuple(branches), values["merge"], origin, values["name"], values["repeat"],
                            width_scaling=values["width_scaling"] or "scaled", split=values["split"])
    if kind in SPEC_LAYER_TYPES:
        declared, make = SPEC_LAYER_TYPES[kind].fields, LayerNode
    elif kind in BLOCK_TYPES:
        declared, make = BLOCK_TYPES[kind].fields, BlockNode
    else:
        raise SpecError(f"unknown type {kind!r}", entry.items["type"].origin.at(f"{path}.type"),
                        _valid(kind, _type_names()))
    values = read_fields(entry, {**ENTRY_FIELDS, **declared}, path, f"a {kind!r} entry")
    fields = {key: values[key] for key in declared}
    width_scaling = values["width_scaling"] or ("fixed" if kind == "fc" else "scaled")
    return make(kind, fields, origin, values["name"], values["repeat"], width_scaling)


def _type_names() -> list[str]:
    return [*SPEC_LAYER_TYPES, *BLOCK_TYPES, "parallel"]


def _type_list() -> str:
    return ", ".join(_type_names())


def _parse_reported(node: YNode, path: str) -> Reported:
    values = read_fields(mapping(node, path), REPORTED_FIELDS, path, "a reported entry")
    origin = node.origin.at(path)
    if values["unexplained"] and not values["note"]:
        raise SpecError("an unexplained figure needs a `note` saying what is known", origin)
    printed_to = {quantity: values[f"{quantity}_printed_to"].value for quantity in ("macs", "params")
                  if values[f"{quantity}_printed_to"] is not None}
    return Reported(
        source=values["source"], width=values["width"], resolution=values["resolution"], depth=values["depth"],
        macs=values["macs"], params=values["params"], top1=values["top1"], top5=values["top5"],
        convention=values["convention"], counts=values["counts"], classes=values["classes"],
        rounding=values["rounding"], printed_to=printed_to, unexplained=values["unexplained"],
        note=values["note"], origin=origin,
    )
