"""Table Schemas in ``schema/`` drive everything typed: Arrow types, checks, descriptor, docs.

Each ``schema/<table>.json`` is a Frictionless Table Schema (v2). An enumerated field declares
its values once, as ``categories`` (with ``categoriesOrdered`` for an ordinal scale); the build
stores it as an Arrow dictionary column in that order, and the published descriptor adds the
equivalent ``constraints.enum`` so that stock frictionless checks the values too.
"""

from __future__ import annotations

import copy
import datetime as dt
import graphlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rfi_umarov_2022 import registry
from rfi_umarov_2022.loader import SCHEMA_KEY
from rfi_umarov_2022_build import schema_json
from rfi_umarov_2022_build.curated import BuildError, Origin, Row

SCHEMA_DIR = "schema"
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
CONSTRAINTS = {"required", "unique", "pattern", "minimum", "maximum", "exclusiveMinimum",
               "exclusiveMaximum", "minLength", "maxLength"}
DICTIONARY_INDEX = pa.int32()
PATTERN_SECONDS = 2.0  # a schema pattern that takes longer on one value fails the build


@dataclass(frozen=True)
class Field:
    """One field of a Table Schema, with its constraints compiled."""

    name: str
    type: str
    description: str
    required: bool
    categories: tuple[str, ...] | None
    ordered: bool
    constraints: dict[str, Any]
    pattern: Any = field(default=None, compare=False)  # a compiled ``regex`` pattern

    @property
    def arrow_type(self) -> pa.DataType:
        if self.categories is not None:
            return pa.dictionary(DICTIONARY_INDEX, pa.string(), ordered=self.ordered)
        return ARROW_TYPES[self.type]

    def problem(self, value: Any) -> str | None:
        """Why ``value`` breaks this field's type or constraints, or None."""
        if value is None:
            return "required value is missing" if self.required else None
        wrong_bool = isinstance(value, bool) and self.type in ("integer", "number")
        wrong_date = self.type == "date" and isinstance(value, dt.datetime)
        if not isinstance(value, PYTHON_TYPES[self.type]) or wrong_bool or wrong_date:
            return f"expected {self.type}, got {type(value).__name__} {value!r}"
        if self.categories is not None and value not in self.categories:
            return f"{value!r} is not one of {list(self.categories)}"
        if self.pattern is not None:
            try:
                matched = self.pattern.fullmatch(value, timeout=PATTERN_SECONDS)
            except TimeoutError:
                return f"pattern {self.pattern.pattern} takes more than {PATTERN_SECONDS:g} s on {value!r}"
            if not matched:
                return f"{value!r} does not match pattern {self.pattern.pattern}"
        limits = self.constraints
        if "minimum" in limits and value < limits["minimum"]:
            return f"{value!r} is below the minimum {limits['minimum']}"
        if "maximum" in limits and value > limits["maximum"]:
            return f"{value!r} is above the maximum {limits['maximum']}"
        if "exclusiveMinimum" in limits and value <= limits["exclusiveMinimum"]:
            return f"{value!r} is not above {limits['exclusiveMinimum']}"
        if "exclusiveMaximum" in limits and value >= limits["exclusiveMaximum"]:
            return f"{value!r} is not below {limits['exclusiveMaximum']}"
        if "minLength" in limits and len(value) < limits["minLength"]:
            return f"{value!r} is shorter than {limits['minLength']}"
        if "maxLength" in limits and len(value) > limits["maxLength"]:
            return f"{value!r} is longer than {limits['maxLength']}"
        return None


@dataclass(frozen=True)
class TableSchema:
    name: str
    path: str
    descriptor: dict[str, Any]

    @cached_property
    def fields(self) -> list[Field]:
        return [_compile_field(self.path, raw) for raw in self.descriptor["fields"]]

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def categories(self, name: str) -> tuple[str, ...]:
        """The allowed values of an enumerated field, in schema order."""
        values = self.field(name).categories
        if values is None:
            raise BuildError(self.path, None, name, "expected a field with categories")
        return values

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
        return pa.schema(
            [pa.field(f.name, f.arrow_type, nullable=not f.required,
                      metadata={"description": f.description}) for f in self.fields],
            metadata={"table": self.name, "description": self.descriptor["description"],
                      SCHEMA_KEY: json.dumps(self.published(), sort_keys=True, ensure_ascii=False,
                                             separators=(",", ":"))})

    def published(self) -> dict[str, Any]:
        """The schema as published in the descriptor: categories also written as an enum."""
        published = copy.deepcopy(self.descriptor)
        published.pop("$schema", None)
        for raw in published["fields"]:
            if "categories" in raw:
                raw.setdefault("constraints", {})["enum"] = list(raw["categories"])
        return published


def _compile_field(path: str, raw: Any) -> Field:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise BuildError(path, None, "fields", "each field is an object with a name")
    name = raw["name"]
    if raw.get("type") not in ARROW_TYPES:
        raise BuildError(path, None, name, f"unsupported type {raw.get('type')!r} "
                         f"(supported: {', '.join(ARROW_TYPES)})")
    if not isinstance(raw.get("description"), str) or not raw["description"].strip():
        raise BuildError(path, None, name, "field has no description")
    constraints = raw.get("constraints", {})
    if not isinstance(constraints, dict):
        raise BuildError(path, None, name, "constraints must be an object")
    unknown = sorted(set(constraints) - CONSTRAINTS)
    if "enum" in constraints:
        raise BuildError(path, None, name, "declare allowed values as 'categories', not "
                         "constraints.enum (the descriptor derives the enum)")
    if unknown:
        raise BuildError(path, None, name, f"unsupported constraint {unknown[0]!r} "
                         f"(supported: {', '.join(sorted(CONSTRAINTS))})")
    categories = raw.get("categories")
    if categories is not None:
        if (raw["type"] != "string" or not isinstance(categories, list) or not categories
                or not all(isinstance(v, str) and v for v in categories)
                or len(set(categories)) != len(categories)):
            raise BuildError(path, None, name, "categories must be a list of distinct strings "
                             "on a string field")
        categories = tuple(categories)
    elif raw.get("categoriesOrdered"):
        raise BuildError(path, None, name, "categoriesOrdered without categories")
    pattern = None
    if "pattern" in constraints:
        import regex

        try:
            pattern = regex.compile(constraints["pattern"], regex.VERSION0)
        except (regex.error, TypeError) as error:
            raise BuildError(path, None, name, f"invalid pattern: {error}") from None
    return Field(name, raw["type"], raw["description"], bool(constraints.get("required")),
                 categories, bool(raw.get("categoriesOrdered")), constraints, pattern)


def _check_structure(schema: TableSchema) -> None:
    """The parts of a Table Schema the build relies on are there and consistent."""
    d, path = schema.descriptor, schema.path
    for key in ("title", "description"):
        if not isinstance(d.get(key), str) or not d[key].strip():
            raise BuildError(path, None, key, "required text is missing")
    if not isinstance(d.get("fields"), list) or not d["fields"]:
        raise BuildError(path, None, "fields", "a non-empty list of fields is required")
    names = schema.field_names
    if len(set(names)) != len(names):
        raise BuildError(path, None, "fields", "field names repeat")
    key = d.get("primaryKey")
    if not isinstance(key, list) or not key or not set(key) <= set(names):
        raise BuildError(path, None, "primaryKey", "a list of this schema's field names is required")
    foreign_keys = d.get("foreignKeys", [])
    if not isinstance(foreign_keys, list):
        raise BuildError(path, None, "foreignKeys", "must be a list")
    for fk in foreign_keys:
        if (not isinstance(fk, dict) or not isinstance(fk.get("fields"), list)
                or not isinstance(fk.get("reference"), dict)
                or not isinstance(fk["reference"].get("fields"), list)
                or len(fk["fields"]) != len(fk["reference"]["fields"])):
            raise BuildError(path, None, "foreignKeys", "each needs fields and reference.fields "
                             "of the same length")
        missing = [f for f in fk["fields"] if f not in names]
        if missing:
            raise BuildError(path, None, "foreignKeys", f"{missing[0]!r} is not a field")


def load_schemas(root: Path) -> dict[str, TableSchema]:
    """Every ``schema/*.json``, ordered so that referenced tables come first (then by name)."""
    schemas = {}
    for path in sorted((root / SCHEMA_DIR).glob("*.json")):
        relpath = path.relative_to(root).as_posix()
        descriptor = schema_json.parse(root, relpath, "Table Schema")
        if not isinstance(descriptor, dict):
            raise BuildError(relpath, None, None, "a Table Schema is a JSON object")
        schema_json.check(root, relpath, descriptor)
        if descriptor.get("name") != path.stem:
            raise BuildError(relpath, None, "name",
                             f"schema name {descriptor.get('name')!r} must equal the file stem")
        schema = TableSchema(path.stem, relpath, descriptor)
        _check_structure(schema)
        schemas[schema.name] = schema
    if not schemas:
        raise BuildError(SCHEMA_DIR, None, None, "no Table Schemas found")
    for schema in schemas.values():
        for fk in schema.foreign_keys:
            target = schemas.get(fk["reference"].get("resource", schema.name))
            if target is None:
                raise BuildError(schema.path, None, "foreignKeys",
                                 f"unknown table {fk['reference'].get('resource')!r}")
            missing = [f for f in fk["reference"]["fields"] if f not in target.field_names]
            if missing:
                raise BuildError(schema.path, None, "foreignKeys",
                                 f"{target.name} has no field {missing[0]!r}")
    raw = {name: schema.descriptor for name, schema in schemas.items()}
    for name, schema in schemas.items():
        problem = registry.span_problem(name, raw)
        if problem:
            raise BuildError(schema.path, None, problem[0], problem[1])
    graph = {name: sorted(s.referenced_tables()) for name, s in sorted(schemas.items())}
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        raise BuildError(schemas[error.args[1][0]].path, None, "foreignKeys",
                         f"cycle between tables: {' -> '.join(error.args[1])}") from None
    ordered: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(ready)
        sorter.done(*ready)
    return {name: schemas[name] for name in ordered}


def where(schema: TableSchema, row: dict[str, Any]) -> tuple[str, int | None]:
    origin = getattr(row, "origin", None) or Origin(f"{SCHEMA_DIR}/{schema.name}.json")
    return origin.file, origin.line


def enforce(schema: TableSchema, rows: list[dict[str, Any]]) -> pa.Table:
    """Check rows against the Table Schema and return them as an Arrow table of its exact type.

    Each row carries its origin (curated file and line), so that an error points at the input.
    """
    names = schema.field_names
    expected = set(names)
    unique = [f.name for f in schema.fields if f.constraints.get("unique")]
    seen_keys: set[tuple] = set()
    seen_unique: dict[str, set] = {name: set() for name in unique}
    for row in rows:
        key = tuple(row.get(name) for name in schema.primary_key)
        record_id = "/".join(map(str, key))
        if row.keys() != expected:
            file, line = where(schema, row)
            missing = [name for name in names if name not in row]
            if missing:
                raise BuildError(file, record_id, missing[0], f"schema field missing from the "
                                 f"data (table {schema.name})", line=line)
            extra = next(name for name in row if name not in expected)
            raise BuildError(file, record_id, extra, f"field not in schema/{schema.name}.json "
                             f"(table {schema.name})", line=line)
        for f in schema.fields:
            problem = f.problem(row[f.name])
            if problem:
                file, line = where(schema, row)
                raise BuildError(file, record_id, f.name, f"{problem} (table {schema.name})",
                                 line=line)
        if key in seen_keys:
            file, line = where(schema, row)
            raise BuildError(file, record_id, ",".join(schema.primary_key),
                             f"duplicate primary key (table {schema.name})", line=line)
        seen_keys.add(key)
        for name in unique:
            value = row[name]
            if value is not None and value in seen_unique[name]:
                file, line = where(schema, row)
                raise BuildError(file, record_id, name,
                                 f"{value!r} must be unique but repeats (table {schema.name})",
                                 line=line)
            seen_unique[name].add(value)
    columns = []
    for f in schema.fields:
        values = [row[f.name] for row in rows]
        if f.categories is not None:
            codes = {value: index for index, value in enumerate(f.categories)}
            indices = pa.array([None if v is None else codes[v] for v in values], DICTIONARY_INDEX)
            columns.append(pa.DictionaryArray.from_arrays(indices, pa.array(f.categories),
                                                          ordered=f.ordered))
        else:
            columns.append(pa.array(values, ARROW_TYPES[f.type]))
    return pa.Table.from_arrays(columns, schema=schema.arrow_schema())


def check_foreign_keys(schemas: dict[str, TableSchema], rows: dict[str, list[dict[str, Any]]]) -> None:
    """Every non-null foreign key resolves to a row of the referenced table."""
    for name, schema in schemas.items():
        for fk in schema.foreign_keys:
            target = fk["reference"].get("resource", name)
            target_keys = {tuple(row[f] for f in fk["reference"]["fields"]) for row in rows[target]}
            for row in rows[name]:
                values = tuple(row[f] for f in fk["fields"])
                if any(v is None for v in values) or values in target_keys:
                    continue
                file, line = where(schema, row)
                record_id = "/".join(str(row[f]) for f in schema.primary_key)
                shown = "/".join(map(str, values))
                raise BuildError(file, record_id, ",".join(fk["fields"]),
                                 f"{shown!r} refers to no row of {target} (table {name})", line=line)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Deterministic Parquet: fixed writer options, no timestamps, one row group."""
    pq.write_table(table, path, compression="zstd", compression_level=9,
                   row_group_size=max(table.num_rows, 1), write_statistics=True,
                   use_dictionary=True, store_schema=True)


def stored_schema_problem(path: Path, schema: TableSchema) -> str | None:
    """None if the Parquet file's Arrow schema is exactly the one derived; else a description."""
    stored = pq.read_schema(path)
    expected = schema.arrow_schema()
    if stored.names != expected.names or stored.types != expected.types:
        return f"stored {stored.types} vs schema {expected.types} ({stored.names} vs {expected.names})"
    for got, want in zip(stored, expected, strict=True):
        if got.nullable != want.nullable:
            return f"{got.name}: nullable={got.nullable}, schema says {want.nullable}"
    return None


__all__ = ["Row", "TableSchema", "check_foreign_keys", "enforce", "load_schemas",
           "stored_schema_problem", "write_parquet"]
