"""Reference text generated from the registries, for `costnet types`, docs/spec.md, docs/ci.md and the
README (never written twice)."""

from __future__ import annotations

from ..frontends.spec.blocks import BLOCK_TYPES
from ..graph.layers import SPEC_LAYER_TYPES
from ..schema import Field
from ..frontends.spec.spec import ENTRY_FIELDS, PARALLEL_FIELDS

BEGIN = "<!-- BEGIN GENERATED: costnet types -->"
END = "<!-- END GENERATED: costnet types -->"


def _default(field: Field) -> str:
    if field.required:
        return "required"
    value = field.default
    if value is None or value == "" or value == ():
        return "—"
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`"


def _table(fields: dict[str, Field]) -> str:
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for field in fields.values():
        scaled = " Scaled by the width multiplier." if field.channels else ""
        lines.append(f"| `{field.name}` | {field.type_name} | {_default(field)} | {field.doc}.{scaled} |")
    return "\n".join(lines)


def _field_data(field: Field) -> dict:
    default = None if field.required else (list(field.default) if isinstance(field.default, tuple) else field.default)
    return {"name": field.name, "type": field.type_name, "required": field.required, "default": default,
            "doc": field.doc, "scaled_by_width": field.channels}


def types_data() -> dict:
    """The same reference as data, for `costnet types -f json`."""
    kinds = lambda registry: [{"name": t.name, "doc": t.doc, "fields": [_field_data(f) for f in t.fields.values()]}
                              for t in registry.values()]
    return {"schema_version": 1, "entry_fields": [_field_data(f) for f in ENTRY_FIELDS.values()],
            "layer_types": kinds(SPEC_LAYER_TYPES), "block_types": kinds(BLOCK_TYPES),
            "parallel_fields": [_field_data(f) for f in PARALLEL_FIELDS.values()]}


def types_reference() -> str:
    parts = ["## Fields of every entry", "", _table(ENTRY_FIELDS), "", "## Layer types", ""]
    for kind in SPEC_LAYER_TYPES.values():
        parts += [f"### `{kind.name}`", "", kind.doc, ""]
        parts += [_table(kind.fields), ""] if kind.fields else ["No fields.", ""]
    parts += ["## Block types", ""]
    for block in BLOCK_TYPES.values():
        parts += [f"### `{block.name}`", "", block.doc, "", _table(block.fields), ""]
    parts += ["## `parallel`", "", "Branches run on the same input and are merged; a branch that is an "
              "empty list is the identity (a residual shortcut).", "", _table(PARALLEL_FIELDS), ""]
    return "\n".join(parts)


SPEC_KEYS_BEGIN = "<!-- BEGIN GENERATED: spec keys -->"
SPEC_KEYS_END = "<!-- END GENERATED: spec keys -->"


def spec_keys_reference() -> str:
    """The spec format's own keys: top level, input, width, depth, stages, variants and published figures."""
    from ..frontends.spec import spec as s

    sections = [
        ("A spec", s.TOP_FIELDS), ("`input`", s.INPUT_FIELDS), ("`width`", s.WIDTH_FIELDS),
        ("`depth`", s.DEPTH_FIELDS), ("Each stage of `body`", s.STAGE_FIELDS),
        ("A variant (a spec with `variant_of`, instead of the keys above)", s.VARIANT_FIELDS),
        ("Each entry of `reported`", s.REPORTED_FIELDS),
    ]
    parts = []
    for title, fields in sections:
        parts += [f"**{title}**", "", _table(fields), ""]
    return "\n".join(parts)


BOUNDS_BEGIN = "<!-- BEGIN GENERATED: bounds -->"
BOUNDS_END = "<!-- END GENERATED: bounds -->"


def bounds_reference() -> str:
    from ..limits import BOUNDS

    return "\n".join(["| what | at most |", "|---|---|", *(f"| {what} | {bound} |" for what, bound in BOUNDS)])


def update_markdown(text: str) -> str:
    """`text` with the generated parts (between BEGIN/END markers) replaced by the current references."""
    text = _replace_between(text, SPEC_KEYS_BEGIN, SPEC_KEYS_END, "\n" + spec_keys_reference())
    text = _replace_between(text, BOUNDS_BEGIN, BOUNDS_END, bounds_reference())
    return _replace_between(text, BEGIN, END, "\n" + types_reference())


EXAMPLE_BEGIN = "<!-- BEGIN EXAMPLE: costnet analyze mixnet_m.yaml -->"
EXAMPLE_END = "<!-- END EXAMPLE -->"


def readme_example() -> str:
    """The head and tail of `costnet analyze mixnet_m.yaml`, as the README shows it."""
    from ..api import analyze
    from ..frontends.spec.loader import load
    from .render import render_table

    lines = render_table(analyze(load("mixnet_m"))).splitlines()
    table_end = lines.index("") + 1 + next(i for i, line in enumerate(lines[lines.index("") + 1:]) if not line)
    shown = lines[:12] + ["…"] + lines[table_end - 7:]
    return "```\n" + "\n".join(shown) + "\n```"


LIST_BEGIN = "<!-- BEGIN LIST: costnet list -->"
LIST_END = "<!-- END LIST -->"


def list_output() -> str:
    from click.testing import CliRunner

    from ..cli import cli

    return "```\n" + CliRunner().invoke(cli, ["list"]).output.rstrip("\n") + "\n```"


def _replace_between(text: str, begin: str, end: str, content: str) -> str:
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{content}\n{end}{tail}"


def update_readme(text: str) -> str:
    text = _replace_between(text, EXAMPLE_BEGIN, EXAMPLE_END, readme_example())
    return _replace_between(text, LIST_BEGIN, LIST_END, list_output())


BUDGET_BEGIN = "<!-- BEGIN GENERATED: budget fields -->"
BUDGET_END = "<!-- END GENERATED: budget fields -->"


def budget_reference() -> str:
    from ..studies.budget import ENTRY_FIELDS as BUDGET_ENTRY_FIELDS, FILE_FIELDS, QUANTITIES

    quantities = ["| quantity | limit option | budget field | what | written as |", "|---|---|---|---|---|"]
    for name, q in QUANTITIES.items():
        option = "--max-" + name.replace("_", "-")
        quantities.append(f"| {q.label} | `{option}` | `max_{name}` | {q.doc} | {q.unit.name}, e.g. {q.example} |")
    return "\n".join(["### Quantities", "", *quantities, "", "### Top level", "", _table(FILE_FIELDS), "",
                      "### Each entry of `budgets`", "", _table(BUDGET_ENTRY_FIELDS), ""])


def update_ci_doc(text: str) -> str:
    return _replace_between(text, BUDGET_BEGIN, BUDGET_END, "\n" + budget_reference())


ONNX_BEGIN = "<!-- BEGIN GENERATED: onnx operators -->"
ONNX_END = "<!-- END GENERATED: onnx operators -->"


def onnx_reference() -> str:
    from ..frontends.onnx.convert import OPERATORS

    groups: dict[str, list[str]] = {}
    for op, operator in OPERATORS.items():
        groups.setdefault(operator.becomes, []).append(f"`{op}`")
    rows = ["| ONNX operators | what costnet makes of them |", "|---|---|"]
    rows += [f"| {', '.join(ops)} | {becomes} |" for becomes, ops in groups.items()]
    return "\n".join(rows) + "\n"


def update_onnx_doc(text: str) -> str:
    return _replace_between(text, ONNX_BEGIN, ONNX_END, "\n" + onnx_reference())


if __name__ == "__main__":  # python -m costnet.outputs.docgen, from the repository root: refreshes the generated parts
    from pathlib import Path

    for path, update in ((Path("docs/spec.md"), update_markdown), (Path("README.md"), update_readme),
                         (Path("docs/ci.md"), update_ci_doc), (Path("docs/onnx.md"), update_onnx_doc)):
        path.write_text(update(path.read_text(encoding="utf-8")), encoding="utf-8")
