"""Small units of the build, on the built fixture or on made-up Table Schemas: checks that no
edit of the fixture reaches, because earlier checks come first or no schema in use needs them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import LAYERS, schema_files

from rfi_umarov_2022_build import pipeline
from rfi_umarov_2022_build.anchors import check_anchored
from rfi_umarov_2022_build.curated import BuildError
from rfi_umarov_2022_build.schemas import TableSchema, enforce, load_schemas


def made_up(constraints: dict) -> TableSchema:
    """A one-field integer table ``t`` with the given constraints."""
    return TableSchema("t", "schema/t.json", {
        "name": "t", "title": "T", "description": "A made-up table.", "primaryKey": ["n"],
        "fields": [{"name": "n", "type": "integer", "description": "A number.",
                    "constraints": constraints}]})


# Table Schema v2: minimum and maximum include their bound, the exclusive ones do not.
BOUNDS = [
    ({"minimum": 0}, 0, -1, "below the minimum 0"),
    ({"maximum": 10}, 10, 11, "above the maximum 10"),
    ({"exclusiveMinimum": 0}, 1, 0, "not above 0"),
    ({"exclusiveMaximum": 10}, 9, 10, "not below 10"),
]


@pytest.mark.parametrize(("constraints", "inside", "outside", "message"), BOUNDS,
                         ids=lambda v: next(iter(v)) if isinstance(v, dict) else None)
def test_numeric_bounds_follow_table_schema(constraints, inside, outside, message):
    schema = made_up(constraints)
    assert enforce(schema, [{"n": inside}]).column("n").to_pylist() == [inside]
    with pytest.raises(BuildError) as raised:
        enforce(schema, [{"n": outside}])
    assert (raised.value.field, raised.value.record) == ("n", str(outside))
    assert message in raised.value.message


def test_a_missing_required_value_is_refused_at_the_table(built_fixture):
    """The last guard before a non-nullable column: a None in a field that the schema requires
    (read from schema/notes.json), while a None in an optional field passes."""
    notes = schema_files(built_fixture)["notes"]
    written = {f["name"]: f for f in notes["fields"]}
    required = next(n for n, f in written.items()
                    if f.get("constraints", {}).get("required") and n not in notes["primaryKey"])
    optional = next(n for n, f in written.items() if not f.get("constraints", {}).get("required"))
    schema = load_schemas(built_fixture)["notes"]
    row = pq.read_table(built_fixture / "dataset/notes.parquet").to_pylist()[0]
    assert enforce(schema, [{**row, optional: None}]).num_rows == 1
    with pytest.raises(BuildError) as raised:
        enforce(schema, [{**row, required: None}])
    assert raised.value.field == required
    assert raised.value.message.startswith("required value is missing")


def test_a_repeated_primary_key_is_refused_at_the_table(built_fixture):
    """Defence in depth behind the curated files' unique ids: two rows with one primary key
    (schema/notes.json's) are refused, naming the key."""
    key = schema_files(built_fixture)["notes"]["primaryKey"]
    row = pq.read_table(built_fixture / "dataset/notes.parquet").to_pylist()[0]
    with pytest.raises(BuildError) as raised:
        enforce(load_schemas(built_fixture)["notes"], [row, dict(row)])
    assert raised.value.field == ",".join(key)
    assert raised.value.record == "/".join(str(row[k]) for k in key)
    assert raised.value.message.startswith("duplicate primary key")


def test_a_stored_arrow_type_that_differs_from_the_schema_is_refused(project):
    """check_written, the build's check of its own outputs: a Parquet file with one integer
    column narrowed to int32 (its hash updated, so only the type differs) is named."""
    schemas = load_schemas(project)
    name, column = next((n, f["name"]) for n, s in schema_files(project).items()
                        for f in s["fields"] if f["type"] == "integer")
    rel = f"dataset/{name}.parquet"
    table = pq.read_table(project / rel)
    index = table.schema.get_field_index(column)
    pq.write_table(table.set_column(index, table.schema.field(index).with_type(pa.int32()),
                                    table.column(column).cast(pa.int32())), project / rel)
    descriptor = project / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    next(r for r in package["resources"] if r["path"] == rel)["hash"] = (
        "sha256:" + hashlib.sha256((project / rel).read_bytes()).hexdigest())
    descriptor.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        pipeline.check_written(project, schemas)
    assert raised.value.file == rel
    assert raised.value.message.startswith("stored Arrow schema")


def test_a_span_outside_its_utterance_is_refused(built_fixture: Path):
    """check_anchored: a span row moved to another utterance (offsets and text unchanged, so the
    text still slices) is refused, naming the offsets and the utterance."""
    schemas = load_schemas(built_fixture)
    rows, spine = pipeline.build_tables(built_fixture, schemas)
    name = next(n for n in LAYERS if rows.get(n))
    moved = rows[name][0]
    other = next(u["utterance_id"] for u in rows["utterances"]
                 if u["utterance_id"] != moved["utterance_id"])
    moved["utterance_id"] = other
    with pytest.raises(BuildError) as raised:
        check_anchored(schemas, rows, spine)
    assert raised.value.field == "utterance_id"
    assert f"{moved['char_start']}..{moved['char_end']}" in raised.value.message
    assert f"utterance {other}" in raised.value.message
