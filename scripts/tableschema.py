"""Table Schemas in ``schema/`` drive everything typed: Arrow schemas, enforcement, descriptor, docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from curation import BuildError

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}
PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "date": (dt.date,),
}


@dataclass(frozen=True)
class TableSchema:
    name: str
    path: str
    descriptor: dict[str, Any]

    @property
    def fields(self) -> list[dict[str, Any]]:
        return self.descriptor["fields"]

    @property
    def field_names(self) -> list[str]:
        return [field["name"] for field in self.fields]

    @property
    def primary_key(self) -> list[str]:
        return self.descriptor["primaryKey"]

    @property
    def foreign_keys(self) -> list[dict[str, Any]]:
        return self.descriptor.get("foreignKeys", [])

    def referenced_tables(self) -> set[str]:
        return {fk["reference"].get("resource", self.name) for fk in self.foreign_keys} - {self.name}

    def arrow_schema(self) -> pa.Schema:
        """The exact Arrow schema every Parquet file of this table is written with."""
        fields = []
        for field in self.fields:
            if field["type"] not in ARROW_TYPES:
                raise BuildError(self.path, None, field["name"], f"unsupported type {field['type']!r}")
            required = field.get("constraints", {}).get("required", False)
            fields.append(pa.field(field["name"], ARROW_TYPES[field["type"]], nullable=not required,
                                   metadata={"description": field["description"]}))
        return pa.schema(fields, metadata={"table": self.name,
                                           "description": self.descriptor["description"]})


def load_schemas(root: Path) -> dict[str, TableSchema]:
    """Every ``schema/*.json``, ordered so that referenced tables come first (then by name)."""
    schemas = {}
    for path in sorted((root / "schema").glob("*.json")):
        relpath = path.relative_to(root).as_posix()
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise BuildError(relpath, None, None, f"JSON syntax error: {error.msg}",
                             line=error.lineno) from None
        name = descriptor.get("name")
        if name != path.stem:
            raise BuildError(relpath, None, "name", f"schema name {name!r} must equal the file stem")
        for field in descriptor.get("fields", []):
            if not field.get("description"):
                raise BuildError(relpath, None, field.get("name"), "field has no description")
        schemas[name] = TableSchema(name, relpath, descriptor)
    ordered: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in trail:
            raise BuildError(schemas[name].path, None, "foreignKeys", "cycle between tables")
        for other in sorted(schemas[name].referenced_tables()):
            if other not in schemas:
                raise BuildError(schemas[name].path, None, "foreignKeys", f"unknown table {other!r}")
            visit(other, (*trail, name))
        ordered.append(name)

    for name in sorted(schemas):
        visit(name, ())
    return {name: schemas[name] for name in ordered}


def _check_value(schema: TableSchema, origin: str, record_id: str, field: dict[str, Any],
                 value: Any) -> None:
    name = field["name"]
    constraints = field.get("constraints", {})

    def fail(message: str) -> BuildError:
        return BuildError(origin, record_id, name, f"{message} (table {schema.name})")

    if value is None:
        if constraints.get("required"):
            raise fail("required value is missing")
        return
    expected = PYTHON_TYPES[field["type"]]
    wrong_bool = isinstance(value, bool) and field["type"] in ("integer", "number")
    wrong_date = field["type"] == "date" and isinstance(value, dt.datetime)
    if not isinstance(value, expected) or wrong_bool or wrong_date:
        raise fail(f"expected {field['type']}, got {type(value).__name__} {value!r}")
    if "enum" in constraints and value not in constraints["enum"]:
        raise fail(f"{value!r} is not one of {constraints['enum']}")
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], value):
        raise fail(f"{value!r} does not match pattern {constraints['pattern']}")
    if "minimum" in constraints and value < constraints["minimum"]:
        raise fail(f"{value!r} is below the minimum {constraints['minimum']}")


def enforce(schema: TableSchema, records: list[dict[str, Any]], origins: dict[str, str]) -> pa.Table:
    """Check records against the Table Schema and return them as an Arrow table of its exact type.

    ``origins`` maps a record's primary key (joined with '/') to the curated file it came from,
    so that an error points at the file to fix.
    """
    names = schema.field_names
    unique_fields = [f["name"] for f in schema.fields if f.get("constraints", {}).get("unique")]
    seen_keys: set[tuple] = set()
    seen_unique: dict[str, set] = {name: set() for name in unique_fields}
    for record in records:
        key = tuple(record.get(name) for name in schema.primary_key)
        record_id = "/".join(map(str, key))
        origin = origins.get(record_id, f"dataset/{schema.name}.parquet")
        missing = [name for name in names if name not in record]
        extra = [name for name in record if name not in names]
        if missing:
            raise BuildError(origin, record_id, missing[0],
                             f"schema field missing from the data (table {schema.name})")
        if extra:
            raise BuildError(origin, record_id, extra[0],
                             f"field not in schema/{schema.name}.json (table {schema.name})")
        for field in schema.fields:
            _check_value(schema, origin, record_id, field, record[field["name"]])
        if key in seen_keys:
            raise BuildError(origin, record_id, ",".join(schema.primary_key),
                             f"duplicate primary key (table {schema.name})")
        seen_keys.add(key)
        for name in unique_fields:
            value = record[name]
            if value is not None and value in seen_unique[name]:
                raise BuildError(origin, record_id, name,
                                 f"{value!r} must be unique but repeats (table {schema.name})")
            seen_unique[name].add(value)
    columns = {name: [record[name] for record in records] for name in names}
    return pa.table(columns, schema=schema.arrow_schema())


def check_foreign_keys(schemas: dict[str, TableSchema], tables: dict[str, pa.Table],
                       origins: dict[str, dict[str, str]]) -> None:
    """Every non-null foreign key resolves to a row of the referenced table."""
    for name, schema in schemas.items():
        for fk in schema.foreign_keys:
            target = fk["reference"].get("resource", name)
            target_keys = set(zip(*(tables[target].column(f).to_pylist()
                                    for f in fk["reference"]["fields"]), strict=True))
            rows = zip(*(tables[name].column(f).to_pylist() for f in fk["fields"]), strict=True)
            pks = zip(*(tables[name].column(f).to_pylist() for f in schema.primary_key), strict=True)
            for values, pk in zip(rows, pks, strict=True):
                if any(v is None for v in values) or values in target_keys:
                    continue
                record_id = "/".join(map(str, pk))
                origin = origins.get(name, {}).get(record_id, f"dataset/{name}.parquet")
                shown = "/".join(map(str, values))
                raise BuildError(origin, record_id, ",".join(fk["fields"]),
                                 f"{shown!r} refers to no row of {target} (table {name})")


def write_parquet(table: pa.Table, path: Path) -> None:
    """Deterministic Parquet: fixed writer options, no timestamps, one row group."""
    pq.write_table(table, path, compression="zstd", compression_level=9,
                   row_group_size=max(table.num_rows, 1), write_statistics=True,
                   use_dictionary=True, store_schema=True)


def stored_schema_matches(path: Path, schema: TableSchema) -> str | None:
    """None if the Parquet file's Arrow schema is exactly the one derived; else a description."""
    stored = pq.read_schema(path)
    expected = schema.arrow_schema()
    if stored.equals(expected, check_metadata=False):
        for got, want in zip(stored, expected, strict=True):
            if got.nullable != want.nullable:
                return f"{got.name}: nullable={got.nullable}, schema says {want.nullable}"
        return None
    return f"stored {stored.types} vs schema {expected.types} ({stored.names} vs {expected.names})"


def markdown_reference(schemas: dict[str, TableSchema], row_counts: dict[str, int],
                       preamble: str) -> str:
    """Human-readable table reference generated from the schemas."""
    lines = [preamble.rstrip(), ""]
    lines.append("| table | rows | description |")
    lines.append("|---|---:|---|")
    for name, schema in schemas.items():
        lines.append(f"| [`{name}`](#{name}) | {row_counts[name]} | {schema.descriptor['description']} |")
    for name, schema in schemas.items():
        d = schema.descriptor
        lines += ["", f"## {name}", "", d["description"], "",
                  f"- File: `dataset/{name}.parquet` ({row_counts[name]} rows)",
                  f"- Primary key: `{', '.join(schema.primary_key)}`"]
        for fk in schema.foreign_keys:
            target = fk["reference"].get("resource", name)
            lines.append(f"- Foreign key: `{', '.join(fk['fields'])}` → "
                         f"`{target}.{', '.join(fk['reference']['fields'])}`")
        lines += ["", "| field | type | required | constraints | description |",
                  "|---|---|---|---|---|"]
        for field in schema.fields:
            constraints = dict(field.get("constraints", {}))
            required = "yes" if constraints.pop("required", False) else ""
            shown = []
            for key, value in constraints.items():
                if key == "enum":
                    shown.append("one of " + ", ".join(f"`{v}`" for v in value))
                elif key == "pattern":
                    shown.append(f"pattern `{value}`".replace("|", "\\|"))
                else:
                    shown.append(f"{key} {json.dumps(value)}")
            description = field["description"].replace("|", "\\|")
            lines.append(f"| `{field['name']}` | {field['type']} | {required} | "
                         f"{'; '.join(shown)} | {description} |")
    return "\n".join(lines) + "\n"
