"""The format checker: predictions are typed and checked before anything is scored.

A missing or unknown column, a value of the wrong type, an offset outside the text, a span
whose text is not the transcript's slice, an unknown category, a duplicate id or an id that
points at nothing is a PredictionError of one line naming the table, the row and the field.
"""

from __future__ import annotations

from typing import Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022.errors import PredictionError
from rfi_umarov_2022.scoring import tables as t


def layer_names(schemas: dict[str, Any]) -> list[str]:
    return [span.name for span in registry.layers(schemas)]


def check_layer(layer: str, schemas: dict[str, Any]) -> registry.SpanTable:
    names = layer_names(schemas)
    if layer not in names:
        raise PredictionError(f"{layer!r} is not a layer with spans; the layers: {', '.join(names)}")
    span = registry.span_table(layer, schemas[layer])
    assert span is not None
    return span


def check(predictions: Any, layer: str, gold: t.Tables) -> t.Tables:
    """The predictions, typed and checked against the schemas, the transcript and ``gold``'s ids."""
    check_layer(layer, gold.schemas)
    links, targets = t.relevant(layer, gold.schemas)
    raw = t.read(predictions, layer, [layer, *links, *targets], set(gold.schemas))
    order = [name for name in [*targets, layer, *links] if name in raw]
    typed: dict[str, list[t.Row]] = {}
    for name in order:
        source, rows = raw[name]
        typed[name] = _table(name, source, rows, gold)
    for name in order:  # ids point at rows that exist, in the predictions or else in gold
        _references(name, raw[name][0], typed, gold)
    checked = t.Tables(gold.text, gold.schemas, typed, gold.version)
    checked.not_scored = not_scored(layer, links, checked)
    return checked


def not_scored(layer: str, links: list[str], predicted: t.Tables) -> list[str]:
    """What the scorer can score for ``layer`` but the predictions leave out: fields (absent
    columns) and link tables, for a one-line notice."""
    schema = predicted.schemas[layer]
    key = set(registry.primary_key(schema))
    span = registry.span_table(layer, schema)
    segments = {s.name for s in registry.span_tables(predicted.schemas, "segment")}
    scorable = [f for f, _ in registry.enum_fields(schema, exclude=key)]
    scorable += [c for c, (target, _) in registry.column_links(layer, schema).items()
                 if c not in key and target not in segments]
    if span is not None:
        scorable += [span.score["value"]] if "value" in span.score else []
        scorable += list(span.score.get("interval", []))
    rows = predicted.rows[layer]
    given = set(rows[0]) if rows else set()
    missing = [f"{layer}.{name}" for name in dict.fromkeys(scorable) if name not in given]
    return missing + [table for table in links if table not in predicted.rows]


def _table(name: str, source: str, rows: list[t.Row], gold: t.Tables) -> list[t.Row]:
    schema = gold.schemas[name]
    types = {f["name"]: f.get("type", "string") for f in registry.fields(schema)}
    span = registry.span_table(name, schema)
    key = registry.primary_key(schema)
    required = list(key)
    if span is not None:
        required += [registry.START, registry.END, span.text]
    else:
        required += [f for f, _ in registry.enum_fields(schema, exclude=key)][:1]
    columns = list(rows[0]) if rows else required
    for column in required:
        if column not in columns:
            raise PredictionError(f"{source}: missing column {column!r} (needed: {', '.join(required)})")
    for column in columns:
        if column not in types:
            raise PredictionError(f"{source}: unknown column {column!r} (the fields of {name}: "
                                  f"{', '.join(types)})")
    categories = dict(registry.enum_fields(schema))
    seen: dict[tuple[Any, ...], int] = {}
    typed = []
    for number, raw in enumerate(rows, 1):
        row = {}
        for column in columns:
            where = f"{source}: row {number}: field {column}"
            try:
                row[column] = t.cast(raw.get(column), types[column])
            except ValueError as error:
                raise PredictionError(f"{where}: {error}") from None
            if column in categories and row[column] is not None and row[column] not in categories[column]:
                raise PredictionError(f"{where}: {row[column]!r} is not a category "
                                      f"({', '.join(categories[column])})")
        ident = tuple(row.get(c) for c in key)
        label = "/".join(map(str, ident))
        for column in required:
            if row.get(column) is None:
                raise PredictionError(f"{source}: row {number} ({label}): field {column}: empty")
        if ident in seen:
            raise PredictionError(f"{source}: row {number} ({label}): duplicate id (first at row "
                                  f"{seen[ident]})")
        seen[ident] = number
        if span is not None:
            _span(row, span, gold.text, f"{source}: row {number} ({label})")
        typed.append(row)
    return typed


def _span(row: t.Row, span: registry.SpanTable, text: str, where: str) -> None:
    start, end = row[registry.START], row[registry.END]
    if not 0 <= start < end <= len(text):
        field = registry.START if not 0 <= start < len(text) else registry.END  # the one at fault
        raise PredictionError(f"{where}: field {field}: offsets {start}..{end} are not a "
                              f"span of the text (0..{len(text)})")
    if text[start:end] != row[span.text]:
        raise PredictionError(f"{where}: field {span.text}: {row[span.text]!r} is not the text at "
                              f"{start}-{end} ({text[start:end]!r})")


def _references(name: str, source: str, typed: dict[str, list[t.Row]], gold: t.Tables) -> None:
    schema = gold.schemas[name]
    key = registry.primary_key(schema)
    for column, (target, ref) in registry.column_links(name, schema).items():
        pool = typed.get(target) if target in typed else gold.rows.get(target)
        if pool is None:
            continue
        known = {row.get(ref) for row in pool}
        where = "the predictions" if target in typed else "the dataset"
        for number, row in enumerate(typed[name], 1):
            value = row.get(column)
            if value is not None and value not in known:
                label = "/".join(str(row.get(c)) for c in key)
                raise PredictionError(f"{source}: row {number} ({label}): field {column}: {value!r} "
                                      f"is not among the {ref} values of {target} in {where}")
