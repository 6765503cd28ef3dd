"""Generic layers: a table with no builder of its own is read from ``dataset/annotations/<table>.yaml``.

The file holds one list, named for the table, of records with the table's fields. For a span
table, the record's text field (its ``span.text``) is a quote that the build places in the
record's utterance (whole words; ``occurrence`` picks one of several), and the build computes
``char_start``, ``char_end`` and ``sentence_id``; every other field is copied as written. The
file's shape is derived from the Table Schema (its fields, their types, which are required, no
other keys), unless ``schema/curated/<table>.json`` declares a stricter one. So a new layer
needs a schema and an annotation file, not code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022_build.curated import BuildError, Curated, as_date
from rfi_umarov_2022_build.schemas import TableSchema
from rfi_umarov_2022_build.spine import Spine, place

ANNOTATIONS = "dataset/annotations"
COMPUTED = ("char_start", "char_end", "sentence_id")
JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
              "date": "string"}


def computed(schema: TableSchema) -> set[str]:
    """Fields the build computes for a span table rather than reads."""
    if registry.span_table(schema.name, schema.descriptor) is None:
        return set()
    return {name for name in COMPUTED if name in schema.field_names}


def derived_shape(schema: TableSchema) -> dict[str, Any]:
    """The curated file's JSON Schema, from the Table Schema."""
    skip = computed(schema)
    properties: dict[str, Any] = {}
    for field in schema.fields:
        if field.name in skip:
            continue
        kind: dict[str, Any] = {"type": JSON_TYPES[field.type] if field.required
                                else [JSON_TYPES[field.type], "null"]}
        if field.type == "date":
            kind["format"] = "date"
        properties[field.name] = kind
    if skip:
        properties["occurrence"] = {"type": "integer", "minimum": 1}
    key = schema.primary_key
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object", "additionalProperties": False, "required": [schema.name],
        "properties": {schema.name: {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": [f.name for f in schema.fields if f.required and f.name not in skip],
            "properties": properties}}},
        "x-id-fields": list(key),
        "x-unique-ids": {schema.name: key[0]} if len(key) == 1 else {},
    }


def build_table(root: Path, spine: Spine, schema: TableSchema) -> list[dict[str, Any]]:
    """The rows of one generic table from its annotation file."""
    relpath = f"{ANNOTATIONS}/{schema.name}.yaml"
    if not (root / relpath).exists():
        raise BuildError(f"schema/{schema.name}.json", None, None,
                         f"no builder for this table, and no {relpath} to read it from")
    curated = Curated(root, relpath, derived_shape(schema))
    span = registry.span_table(schema.name, schema.descriptor)
    dates = [f.name for f in schema.fields if f.type == "date"]
    rows = []
    for record in curated.records(schema.name):
        values = {f.name: record.get(f.name) for f in schema.fields if f.name not in computed(schema)}
        values.update({name: as_date(values[name]) for name in dates})
        if span is not None:
            record_id = "/".join(str(record.get(k)) for k in schema.primary_key)
            start, end = place(curated, spine, record, record_id, span.text)
            values.update(char_start=start, char_end=end, **{span.text: spine.text[start:end]})
            if "sentence_id" in schema.field_names:
                values["sentence_id"] = spine.sentence_at(record["utterance_id"], start)
        rows.append(curated.row(record, **{f.name: values[f.name] for f in schema.fields}))
    return rows
