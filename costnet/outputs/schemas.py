"""JSON Schemas (draft-07, which yaml-language-server and most editors read): of the spec format, generated
from the same field declarations that validate specs, and of `costnet analyze -f json`, the output contract.

The spec schema lets an editor complete and check a spec as it is typed; costnet's own reader stays the
authority (it also checks what a schema cannot: shapes, names, table references).
"""

from __future__ import annotations

from typing import Any

from .. import schema as readers
from ..frontends.spec import spec as spec_format
from ..frontends.spec.blocks import BLOCK_TYPES
from ..graph.layers import SPEC_LAYER_TYPES
from ..limits import MAX_INTEGER, MAX_KERNEL_SIZES, MAX_NUMBER, MAX_RESOLUTION
from ..schema import Field

DRAFT = "http://json-schema.org/draft-07/schema#"

_INTEGER = {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}
_FIGURE = {"anyOf": [{"type": "string", "pattern": r"^\s*[0-9]*\.?[0-9]+\s*[KMGT]?\s*$"},
                     {"type": "number", "minimum": 0}]}
_READER_SCHEMAS = {
    readers.positive_int: _INTEGER,
    readers.pixels: {"type": "integer", "minimum": 1, "maximum": MAX_RESOLUTION},
    readers.non_negative_int: {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
    readers.positive_number: {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_NUMBER},
    readers.non_negative_number: {"type": "number", "minimum": 0, "maximum": MAX_NUMBER},
    readers.fraction: {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
    readers.boolean: {"type": "boolean"},
    readers.text: {"type": ["string", "number"], "minLength": 1},
    readers.padding: {"anyOf": [{"enum": ["same", "valid"]}, {"type": "integer", "minimum": 0}]},
    readers.kernel_list: {"anyOf": [_INTEGER, {"type": "array", "items": _INTEGER, "minItems": 1,
                                               "maxItems": MAX_KERNEL_SIZES}]},
    readers.channels: {"anyOf": [_INTEGER, {"type": "object", "properties": {"table": {"type": "string"}},
                                            "required": ["table"], "additionalProperties": False},
                                 {"type": "object", "properties": {"times_input": _INTEGER},
                                  "required": ["times_input"], "additionalProperties": False}]},
    readers.mapping: {"type": "object"},
    readers.sequence: {"type": "array"},
    spec_format.figure: _FIGURE,
    spec_format.percent: {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
    spec_format.quantity_list: {"anyOf": [{"enum": ["macs", "params"]},
                                          {"type": "array", "items": {"enum": ["macs", "params"]}}]},
}


def field_schema(field: Field) -> dict[str, Any]:
    options = getattr(field.read, "options", None)
    found = {"enum": list(options)} if options else dict(_READER_SCHEMAS.get(field.read, {}))
    found["description"] = field.doc
    if not field.required and field.default is not None and field.default != () and field.default != "":
        found["default"] = list(field.default) if isinstance(field.default, tuple) else field.default
    return found


def _object(fields: dict[str, Field], overrides: dict[str, Any] | None = None,
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {name: field_schema(f) for name, f in fields.items()}
    properties.update(overrides or {})
    properties.update(extra or {})
    required = [name for name, f in fields.items() if f.required]
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _entries() -> dict[str, Any]:
    """One alternative per layer type, block type and `parallel`, told apart by `type`."""
    alternatives = []
    for kind in (*SPEC_LAYER_TYPES.values(), *BLOCK_TYPES.values()):
        entry = _object({**spec_format.ENTRY_FIELDS, **kind.fields},
                        {"type": {"const": kind.name, "description": kind.doc}})
        alternatives.append(entry)
    parallel = _object({**spec_format.ENTRY_FIELDS, **spec_format.PARALLEL_FIELDS},
                       {"type": {"const": "parallel", "description": "branches on one input, merged"},
                        "branches": {"type": "array", "minItems": 2,
                                     "items": {"type": "array", "items": {"$ref": "#/definitions/entry"}},
                                     "description": spec_format.PARALLEL_FIELDS["branches"].doc}})
    alternatives.append(parallel)
    return {"oneOf": alternatives}


def spec_schema() -> dict[str, Any]:
    resolution = {"type": "integer", "minimum": 1, "maximum": MAX_RESOLUTION}
    input_ = _object(spec_format.INPUT_FIELDS, {"resolution": {**resolution, "description": "input height = width"}})
    stage = _object(spec_format.STAGE_FIELDS, {"blocks": {"type": "array", "minItems": 1,
                                                          "items": {"$ref": "#/definitions/entry"}}})
    reported = {"type": "array", "items": _object(spec_format.REPORTED_FIELDS)}
    full = _object(spec_format.TOP_FIELDS, {
        "version": {"const": spec_format.SPEC_VERSION, "description": "spec format version"},
        "input": {"$ref": "#/definitions/input"},
        "width": _object(spec_format.WIDTH_FIELDS, {"table": {"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": _INTEGER}}}),
        "depth": _object(spec_format.DEPTH_FIELDS),
        "body": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/stage"}},
        "reported": reported,
    })
    variant = _object(spec_format.VARIANT_FIELDS, {
        "version": {"const": spec_format.SPEC_VERSION, "description": "spec format version"},
        "input": {"type": "object", "properties": {"resolution": resolution}, "additionalProperties": False},
        "width": {"type": "object", "properties": {"multiplier": field_schema(spec_format.WIDTH_FIELDS["multiplier"])},
                  "additionalProperties": False},
        "depth": {"type": "object", "properties": {"multiplier": field_schema(spec_format.DEPTH_FIELDS["multiplier"])},
                  "additionalProperties": False},
        "reported": reported,
    })
    return {
        "$schema": DRAFT,
        "$id": "https://costnet.invalid/schemas/spec-v1.json",
        "title": "costnet spec (version 1)",
        "description": "A network's structure for costnet: docs/spec.md",
        "definitions": {"entry": _entries(), "stage": stage, "input": input_},
        "oneOf": [full, variant],
    }


def _shape() -> dict[str, Any]:
    dimension = {"type": "integer", "minimum": 0}
    return {"type": "object", "required": ["channels", "height", "width"], "additionalProperties": False,
            "properties": {"channels": dimension, "height": dimension, "width": dimension}}


def _exact(*names: str) -> dict[str, Any]:
    return {"type": "object", "required": list(names), "properties": {n: {"type": "integer", "minimum": 0}
                                                                      for n in names}}


def output_schema() -> dict[str, Any]:
    from .render import JSON_SCHEMA_VERSION

    count = {"type": "integer", "minimum": 0}
    text = {"type": "string"}
    nullable_text = {"type": ["string", "null"]}
    layer = {
        "type": "object",
        "required": ["name", "type", "inputs", "input_shape", "input_shapes", "output_shape", "detail", "fields",
                     "macs", "params", "weights", "biases", "norm_params", "activations", "live_bytes", "stage",
                     "block", "line", "onnx_node"],
        "additionalProperties": False,
        "properties": {
            "name": text, "type": text, "inputs": {"type": "array", "items": text, "minItems": 1},
            "input_shape": {"$ref": "#/definitions/shape"},
            "input_shapes": {"type": "array", "items": {"$ref": "#/definitions/shape"}, "minItems": 1},
            "output_shape": {"$ref": "#/definitions/shape"}, "detail": text, "fields": {"type": "object"},
            "macs": count, "params": count, "weights": count, "biases": count, "norm_params": count,
            "activations": count, "live_bytes": {"type": "object", "additionalProperties": count},
            "stage": text, "block": text, "line": {"type": ["integer", "null"]}, "onnx_node": nullable_text,
        },
    }
    peak = {"type": "object", "required": ["bytes", "layer"], "additionalProperties": False,
            "properties": {"bytes": count, "layer": nullable_text}}
    return {
        "$schema": DRAFT,
        "$id": "https://costnet.invalid/schemas/analysis-v2.json",
        "title": f"costnet analyze -f json (schema_version {JSON_SCHEMA_VERSION})",
        "description": "docs/output.md: exact integers; shapes {channels, height, width}; the dataflow of every "
                       "layer (inputs), so that the peak of live memory can be recomputed from this file alone",
        "definitions": {"shape": _shape(), "layer": layer},
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "model", "family", "spec", "input", "scaling", "convention", "totals",
                     "memory", "by_type", "layers", "separable", "separable_formula", "standard_network",
                     "reported", "not_costed"],
        "properties": {
            "schema_version": {"const": JSON_SCHEMA_VERSION},
            "model": text, "family": text, "spec": text, "input": {"$ref": "#/definitions/shape"},
            "scaling": {"anyOf": [{"type": "null"}, {"type": "object", "required": ["width", "resolution", "depth"],
                                                     "additionalProperties": False,
                                                     "properties": {"width": {"type": "number"},
                                                                    "resolution": count,
                                                                    "depth": {"type": "number"}}}]},
            "convention": {"type": "object", "required": ["name", "description", "not_counted_as_macs"],
                           "additionalProperties": False,
                           "properties": {"name": text, "description": text, "not_counted_as_macs": text}},
            "totals": {**_exact("macs", "params", "activations", "weights", "biases", "norm_params",
                                "weight_bytes"), "additionalProperties": False},
            "memory": {"type": "object", "required": ["dtype", "bytes_per_element", "input_tensor", "models",
                                                      "overwriting_types", "peaks"],
                       "additionalProperties": False,
                       "properties": {"dtype": text, "bytes_per_element": count, "input_tensor": text,
                                      "models": {"type": "object", "additionalProperties": text},
                                      "overwriting_types": {"type": "array", "items": text},
                                      "peaks": {"type": "object", "additionalProperties": peak}}},
            "by_type": {"type": "array", "items": {
                "type": "object", "required": ["type", "macs", "params", "macs_share", "params_share"],
                "additionalProperties": False,
                "properties": {"type": text, "macs": count, "params": count, "macs_share": {"type": "number"},
                               "params_share": {"type": "number"}}}},
            "layers": {"type": "array", "items": {"$ref": "#/definitions/layer"}},
            "separable": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["depthwise", "pointwise", "m", "n", "dk", "kernel_groups", "pointwise_groups", "macs",
                             "standard_macs", "params", "standard_params", "ratio", "formula"],
                "properties": {"depthwise": text, "pointwise": text, "m": count, "n": count, "dk": text,
                               "kernel_groups": {"type": "array", "items": _exact("channels", "kernel")},
                               "pointwise_groups": count, "macs": count, "standard_macs": count, "params": count,
                               "standard_params": count, "ratio": {"type": "number"},
                               "formula": {"type": "number"}}}},
            "separable_formula": text,
            "standard_network": {**_exact("macs", "params"), "additionalProperties": False},
            "reported": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["source", "macs", "params", "top1", "top5", "convention", "note"],
                "properties": {"source": text, "macs": nullable_text, "params": nullable_text,
                               "top1": {"type": ["number", "null"]}, "top5": {"type": ["number", "null"]},
                               "convention": text, "note": nullable_text}}},
            "not_costed": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["layer", "op", "onnx_node"],
                "properties": {"layer": text, "op": text, "onnx_node": text}}},
        },
    }
