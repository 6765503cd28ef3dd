"""One registry of what the Table Schemas say: categories, keys, and the tables whose rows are spans.

Everything that needs to know which tables are span layers, which values a categorical field
takes and in which order, or how one table points at another asks here; nothing else reads
those parts of a schema. It works on Table Schema dicts (``schema/*.json`` in a checkout, or the
verified descriptor's inline schemas) and imports nothing heavy.

A span table declares itself in its schema with a ``span`` block::

    "span": {"kind": "annotation", "text": "quote", "label": "claim_type", "display": "underline"}

- ``kind``: ``segment`` (the text's own structure: utterances, sentences) or ``annotation``
  (a layer of stand-off annotation: claims, mentions, ...);
- ``text``: the column that holds ``transcript[char_start:char_end]``;
- ``label``: the categorical field that labels a span in other tools (a spaCy span label, a
  brat entity type), or ``fk_field.field`` to take it from the row a foreign key points at
  (``actor_id.actor_type``);
- ``link`` (optional): ``fk_field.field`` of an external identifier (``actor_id.wikidata_id``);
- ``display`` (optional): ``inline`` (default: a box in the reader) or ``underline`` (a layer
  whose spans overlap each other, drawn as stacked underlines with a marker);
- ``entity`` (optional, true): the spans are named-entity mentions (spaCy's ``doc.ents``);
- ``score`` (optional): what the scorer compares beyond categories and links: ``value``, a
  field scored by strict equality (``timex_value``: TempEval-3's value accuracy), and
  ``interval``, two date fields [earliest, latest] scored by their overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SPAN = "span"
SPAN_KINDS = ("segment", "annotation")
DISPLAYS = ("inline", "underline")
SPAN_KEYS = ("kind", "text", "label", "link", "display", "entity", "score")
SCORE_KEYS = ("value", "interval")
START, END = "char_start", "char_end"

Schema = Mapping[str, Any]


def fields(schema: Schema) -> list[dict[str, Any]]:
    """The schema's field descriptors, in order."""
    return list(schema.get("fields", []))


def field_names(schema: Schema) -> list[str]:
    return [f["name"] for f in fields(schema)]


def field(schema: Schema, name: str) -> dict[str, Any]:
    """One field descriptor by name (KeyError names the field)."""
    for candidate in fields(schema):
        if candidate["name"] == name:
            return candidate
    raise KeyError(f"no field {name!r}")


def categories(field_: Mapping[str, Any]) -> tuple[str, ...] | None:
    """A categorical field's values in schema order (Table Schema v2 ``categories``), else None.

    The published descriptor repeats them as ``constraints.enum`` for older readers; that copy is
    derived, so ``categories`` is the one read here.
    """
    values = field_.get("categories")
    return None if values is None else tuple(values)


def is_ordered(field_: Mapping[str, Any]) -> bool:
    """Whether the categories form an ordinal scale (``categoriesOrdered``)."""
    return field_.get("categoriesOrdered") is True


def enum_fields(schema: Schema, exclude: Iterable[str] = ()) -> list[tuple[str, tuple[str, ...]]]:
    """(name, categories) of every categorical field, in schema order."""
    skip = set(exclude)
    return [(f["name"], values) for f in fields(schema)
            if (values := categories(f)) is not None and f["name"] not in skip]


def primary_key(schema: Schema) -> tuple[str, ...]:
    return tuple(schema.get("primaryKey", ()))


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str
    reference: tuple[str, ...]


def foreign_keys(name: str, schema: Schema) -> list[ForeignKey]:
    """The schema's foreign keys; a reference without ``resource`` points at the table itself."""
    return [ForeignKey(tuple(fk["fields"]), fk["reference"].get("resource", name),
                       tuple(fk["reference"]["fields"])) for fk in schema.get("foreignKeys", [])]


def column_links(name: str, schema: Schema) -> dict[str, tuple[str, str]]:
    """Single-column foreign keys: column -> (table, column)."""
    return {fk.fields[0]: (fk.table, fk.reference[0])
            for fk in foreign_keys(name, schema) if len(fk.fields) == 1}


@dataclass(frozen=True)
class Path:
    """A column of the row itself (``label``) or of the row a foreign key points at
    (``actor_id.actor_type``)."""

    column: str
    via: tuple[str, str] | None = None  # (table, key column) the column's value points at
    target: str | None = None  # the column read there

    def of(self, row: Mapping[str, Any], index: Mapping[str, Mapping[Any, Mapping[str, Any]]]) -> Any:
        """The value for ``row``; ``index`` maps table -> key -> row for the tables a path follows."""
        value = row.get(self.column)
        if self.via is None or value is None:
            return value
        return index[self.via[0]][value].get(self.target)


@dataclass(frozen=True)
class SpanTable:
    """A table whose rows are spans of the transcript."""

    name: str
    title: str
    key: tuple[str, ...]
    text: str
    kind: str
    label: Path | None
    link: Path | None
    display: str
    score: Mapping[str, Any]

    def row_id(self, row: Mapping[str, Any]) -> str:
        """The row's key as one string (``c004``; ``c004/hedge`` for a two-column key)."""
        return "/".join(str(row[column]) for column in self.key)

    @property
    def follows(self) -> set[str]:
        """Tables that ``label`` or ``link`` read through a foreign key."""
        return {p.via[0] for p in (self.label, self.link) if p is not None and p.via is not None}

    def column_to(self, table: str) -> str | None:
        """The foreign-key column through which ``label`` or ``link`` reads ``table``, if any."""
        return next((p.column for p in (self.label, self.link)
                     if p is not None and p.via is not None and p.via[0] == table), None)


def _path(name: str, schema: Schema, spec: Any) -> Path:
    column, _, target = str(spec).partition(".")
    if not target:
        return Path(column)
    links = column_links(name, schema)
    if column not in links:
        raise ValueError(f"{column!r} is not a single-column foreign key")
    return Path(column, links[column], target)


def span_table(name: str, schema: Schema) -> SpanTable | None:
    """The table's span declaration, or None if its rows are not spans."""
    spec = schema.get(SPAN)
    if spec is None:
        return None
    return SpanTable(
        name=name, title=str(schema.get("title", name)), key=primary_key(schema),
        text=spec["text"], kind=spec["kind"],
        label=_path(name, schema, spec["label"]) if spec.get("label") else None,
        link=_path(name, schema, spec["link"]) if spec.get("link") else None,
        display=spec.get("display", "inline"), score=dict(spec.get("score", {})))


def span_tables(schemas: Mapping[str, Schema], kind: str | None = None) -> list[SpanTable]:
    """Every span table (of ``kind``, if given), in the schemas' order."""
    found = [span for name, schema in schemas.items() if (span := span_table(name, schema))]
    return [s for s in found if kind is None or s.kind == kind]


def layers(schemas: Mapping[str, Schema]) -> list[SpanTable]:
    """The annotation layers: span tables that annotate the text rather than segment it."""
    return span_tables(schemas, "annotation")


def unit(schemas: Mapping[str, Schema]) -> SpanTable:
    """The segment table that every annotation layer points into (utterances): the unit a
    reader shows as a paragraph and spaCy as a Doc."""
    annotation = layers(schemas)
    for segment in span_tables(schemas, "segment"):
        if all(segment.name in {t for t, _ in column_links(layer.name, schemas[layer.name]).values()}
               for layer in annotation):
            return segment
    raise ValueError("no segment table that every annotation layer refers to")


def span_problem(name: str, schemas: Mapping[str, Schema]) -> tuple[str, str] | None:
    """(key, message) if the table's ``span`` block is malformed, else None: for the build."""
    schema = schemas[name]
    spec = schema.get(SPAN)
    if spec is None:
        return None
    if not isinstance(spec, Mapping):
        return SPAN, "must be an object"
    unknown = sorted(set(spec) - set(SPAN_KEYS))
    if unknown:
        return SPAN, f"unknown key {unknown[0]!r} (known: {', '.join(SPAN_KEYS)})"
    if "entity" in spec and not isinstance(spec["entity"], bool):
        return f"{SPAN}.entity", "must be true or false"
    types = {f["name"]: f.get("type") for f in fields(schema)}
    problem = _score_problem(spec.get("score", {}), types)
    if problem:
        return f"{SPAN}.score", problem
    if spec.get("kind") not in SPAN_KINDS:
        return f"{SPAN}.kind", f"must be one of {list(SPAN_KINDS)}"
    if spec.get("display", "inline") not in DISPLAYS:
        return f"{SPAN}.display", f"must be one of {list(DISPLAYS)}"
    if types.get(START) != "integer" or types.get(END) != "integer":
        return SPAN, f"a span table needs integer fields {START} and {END}"
    if types.get(spec.get("text")) != "string":
        return f"{SPAN}.text", f"{spec.get('text')!r} is not a string field of this table"
    for key in ("label", "link"):
        if spec.get(key) is None:
            continue
        try:
            path = _path(name, schema, spec[key])
        except ValueError as error:
            return f"{SPAN}.{key}", str(error)
        owner = schemas.get(path.via[0]) if path.via else schema
        column = path.target if path.via else path.column
        if owner is None or column not in field_names(owner):
            return f"{SPAN}.{key}", f"{spec[key]!r} names no field"
        if key == "label" and categories(field(owner, column)) is None:
            return f"{SPAN}.label", f"{spec[key]!r} is not a categorical field"
    return None


def _score_problem(spec: Any, types: Mapping[str, Any]) -> str | None:
    if not isinstance(spec, Mapping):
        return "must be an object"
    unknown = sorted(set(spec) - set(SCORE_KEYS))
    if unknown:
        return f"unknown key {unknown[0]!r} (known: {', '.join(SCORE_KEYS)})"
    if "value" in spec and spec["value"] not in types:
        return f"value {spec['value']!r} names no field"
    interval = spec.get("interval")
    if interval is not None and (not isinstance(interval, list) or len(interval) != 2
                                 or any(types.get(name) != "date" for name in interval)):
        return "interval must name two date fields, [earliest, latest]"
    return None


__all__ = ["ForeignKey", "Path", "SpanTable", "categories", "column_links", "enum_fields", "field",
           "field_names", "fields", "foreign_keys", "is_ordered", "layers", "primary_key",
           "span_problem", "span_table", "span_tables", "unit"]
