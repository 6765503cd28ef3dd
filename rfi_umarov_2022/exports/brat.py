"""brat standoff (``.txt``, ``.ann``, ``annotation.conf``, ``visual.conf``, ``tools.conf``).

Built from the registry, so a new span table appears without a change here:

- every row of an annotation layer is a text-bound annotation. Its type is the layer's name in
  CamelCase (``Claims``, ``Dates``), or, for a layer whose label comes from the row it refers to
  (mentions of actors), that label (``state``, ``person``): the named-entity convention;
- every categorical field is an attribute; a ``span.link`` identifier (Wikidata) a
  normalization; the other fields go into the annotation's ``AnnotatorNotes``;
- a one-column foreign key from one layer's row to another's (a frame claim, a date's anchor, a
  cue's claim) is a relation named after the column (``FrameClaim``, ``AnchorDate``, ``Claim``);
- a link table's row (claim x actor, claim x date) is a relation typed by its categorical value
  (``Agent``, ``HoldsAt``) between the rows' annotations; a side that is a registry row (an
  actor) is drawn to its mention nearest to the other side. Rows with no such mention are kept
  in the first side's notes, and counted in the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rfi_umarov_2022 import loader, registry
from rfi_umarov_2022.exports.common import (
    ExportReport,
    Link,
    anchor_layer,
    camel,
    index,
    links,
    nearest,
    records,
    schemas,
    unreached,
)

SHOWN = ("name", "label")  # the registry field a normalization shows, the first one a row has
COLOURS = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69",
           "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f"]
#: How a ``span.link`` column is shown as a brat normalization: database name and URL pattern.
NORMALIZATIONS = {"wikidata_id": ("Wikidata", "https://www.wikidata.org/wiki/%s")}


def brat_name(value: Any) -> str:
    """A brat type or attribute name: letters, digits, ``_`` and ``-`` only."""
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in str(value))


class Standoff:
    """The ``.ann`` lines and the type declarations they need."""

    def __init__(self, text: str, tables: Mapping[str, Mapping[str, Any]]) -> None:
        self.text, self.tables = text, tables
        self.layers = registry.layers(tables)
        self.lookup = index(sorted({t for layer in self.layers for t in layer.follows}))
        self.lines: list[str] = []
        self.counters = {"T": 0, "R": 0, "A": 0, "N": 0, "#": 0}
        self.tid: dict[tuple[str, str], str] = {}
        self.type_of: dict[str, str] = {}  # T id -> entity type
        self.notes: dict[str, list[str]] = {}  # T id -> note parts
        self.entities: dict[str, list[str]] = {}  # layer -> its entity types
        self.attributes: dict[str, dict[str, Any]] = {}  # name -> {"values", "types"}
        self.relations: dict[str, tuple[set[str], set[str]]] = {}
        self.unanchored: dict[str, int] = {}
        self.by_id: dict[str, dict[str, dict[str, Any]]] = {}

    def new(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]}"

    def entity_types(self, layer: registry.SpanTable) -> list[str]:
        if layer.label is not None and layer.label.via is not None:
            owner = self.tables[layer.label.via[0]]
            return [brat_name(v) for v in registry.categories(registry.field(owner, layer.label.target))]
        return [camel(layer.name)]

    def attribute_names(self) -> dict[tuple[str, str], str]:
        """(layer, field) -> attribute name; prefixed with the layer where two layers share a
        field name with different values."""
        seen: dict[str, set[tuple[str, ...]]] = {}
        for layer in self.layers:
            for column, values in registry.enum_fields(self.tables[layer.name]):
                seen.setdefault(column, set()).add(values)
        return {(layer.name, column): camel(column) if len(seen[column]) == 1
                else camel(layer.name) + camel(column)
                for layer in self.layers for column, _ in registry.enum_fields(self.tables[layer.name])}

    def textbounds(self) -> None:
        names = self.attribute_names()
        for layer in self.layers:
            self.entities[layer.name] = self.entity_types(layer)
            enums = dict(registry.enum_fields(self.tables[layer.name]))
            related = set(self.layer_keys(layer))
            for row in records(layer.name):
                via = layer.label is not None and layer.label.via is not None
                kind = brat_name(layer.label.of(row, self.lookup)) if via else camel(layer.name)
                ident = self.new("T")
                start, end = row["char_start"], row["char_end"]
                self.lines.append(f"{ident}\t{kind} {start} {end}\t{self.text[start:end]}")
                self.tid[(layer.name, layer.row_id(row))] = ident
                self.type_of[ident] = kind
                for column, values in enums.items():
                    name = names[(layer.name, column)]
                    spec = self.attributes.setdefault(name, {"values": values, "types": set()})
                    spec["types"].update(self.entities[layer.name])
                    if row[column] is not None:
                        self.lines.append(f"{self.new('A')}\t{name} {ident} {brat_name(row[column])}")
                if layer.link is not None and (identifier := layer.link.of(row, self.lookup)):
                    target = layer.link.target or layer.link.column
                    database = NORMALIZATIONS.get(target, (camel(target),))[0]
                    owner = self.lookup[layer.link.via[0]][row[layer.link.column]] if layer.link.via else row
                    shown = next((owner[f] for f in SHOWN if owner.get(f)), identifier)
                    self.lines.append(f"{self.new('N')}\tReference {ident} {database}:{identifier}\t{shown}")
                skip = {"char_start", "char_end", layer.text, *enums, *related}
                self.notes[ident] = [f"{k}={v}" for k, v in row.items() if k not in skip and v is not None]

    def layer_keys(self, layer: registry.SpanTable) -> dict[str, str]:
        """Single-column foreign keys of ``layer`` that point at another layer: column -> layer."""
        names = {other.name for other in self.layers}
        return {column: target for column, (target, _) in
                registry.column_links(layer.name, self.tables[layer.name]).items() if target in names}

    def key_relations(self) -> None:
        for layer in self.layers:
            for column, target in self.layer_keys(layer).items():
                kind = camel(column.removesuffix("_id"))
                args = self.relations.setdefault(kind, (set(), set()))
                args[0].update(self.entities[layer.name])
                args[1].update(self.entities[target])
                for row in records(layer.name):
                    other = self.tid.get((target, str(row[column]))) if row[column] is not None else None
                    if other is not None:
                        ident = self.tid[(layer.name, layer.row_id(row))]
                        self.lines.append(f"{self.new('R')}\t{kind} Arg1:{ident} Arg2:{other}")

    def anchor(self, table: str, key: Any, near: Mapping[str, Any] | None) -> tuple[str, dict] | None:
        """(T id, row) standing for ``table``'s row ``key``: the row itself, or its nearest mention."""
        layer = anchor_layer(table, self.tables)
        if layer is None:
            return None
        if layer.name == table:
            row = self.rows_by_id(layer).get(str(key))
        else:
            column = layer.column_to(table)
            row = nearest([r for r in records(layer.name) if r[column] == key], near)
        return (self.tid[(layer.name, layer.row_id(row))], row) if row is not None else None

    def rows_by_id(self, layer: registry.SpanTable) -> dict[str, dict[str, Any]]:
        if layer.name not in self.by_id:
            self.by_id[layer.name] = {layer.row_id(r): r for r in records(layer.name)}
        return self.by_id[layer.name]

    def link_relations(self, link: Link) -> None:
        table_schema = self.tables[link.table]
        kinds = registry.categories(registry.field(table_schema, link.label)) if link.label else None
        for kind in kinds or (link.table,):
            args = self.relations.setdefault(brat_name(camel(kind)), (set(), set()))
            args[0].update(self.entities[anchor_layer(link.first[1], self.tables).name])
            args[1].update(self.entities[anchor_layer(link.second[1], self.tables).name])
        for row in records(link.table):
            first_is_span = anchor_layer(link.first[1], self.tables).name == link.first[1]
            first = self.anchor(link.first[1], row[link.first[0]], None)
            second = self.anchor(link.second[1], row[link.second[0]], first[1] if first else None)
            if first is not None and not first_is_span and second is not None:
                first = self.anchor(link.first[1], row[link.first[0]], second[1])
            if first is None or second is None:
                self.unanchored[link.table] = self.unanchored.get(link.table, 0) + 1
                if first is not None:
                    self.notes[first[0]].append(f"{link.table}={link.kind(row)}:{row[link.second[0]]}")
                continue
            kind = brat_name(camel(link.kind(row)))
            self.lines.append(f"{self.new('R')}\t{kind} Arg1:{first[0]} Arg2:{second[0]}")

    def annotator_notes(self) -> None:
        for ident, parts in self.notes.items():
            if parts:
                body = " ".join("; ".join(parts).split())
                self.lines.append(f"{self.new('#')}\tAnnotatorNotes {ident}\t{body}")

    def conf(self) -> tuple[str, str]:
        types = list(dict.fromkeys(t for layer in self.layers for t in self.entities[layer.name]))
        conf = ["[entities]", *types, "", "[relations]"]
        for kind, (first, second) in self.relations.items():
            conf.append(f"{kind}\tArg1:{'|'.join(sorted(first))}, Arg2:{'|'.join(sorted(second))}")
        conf += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "",
                 "[attributes]"]
        for name, spec in self.attributes.items():
            conf.append(f"{name}\tArg:{'|'.join(sorted(spec['types']))}, Value:"
                        + "|".join(brat_name(v) for v in spec["values"]))
        visual = ["[labels]", *[f"{t} | {t.replace('_', ' ')}" for t in types], "", "[drawing]",
                  *[f"{t}\tbgColor:{COLOURS[i % len(COLOURS)]}" for i, t in enumerate(types)]]
        return "\n".join(conf) + "\n", "\n".join(visual) + "\n"


def _report_registry(table: str, layers: list[registry.SpanTable], schema_: dict[str, Any],
                     report: ExportReport) -> None:
    """A registry travels only on the spans that point at it: name the fields those spans carry
    (its key, the label and link read through it, the name a normalization shows) and the rows
    no span points at."""
    kept = set(registry.primary_key(schema_))
    for layer in layers:
        if layer.label is not None and layer.label.via is not None and layer.label.via[0] == table:
            kept.add(layer.label.target)
        if layer.link is not None and layer.link.via is not None and layer.link.via[0] == table:
            kept |= {layer.link.target, *SHOWN}
    fields = [f["name"] for f in schema_["fields"]]
    report.leave_out(f"{table}: only {', '.join(f for f in fields if f in kept)} on the spans "
                     f"that point at a row (not {', '.join(f for f in fields if f not in kept)})")
    if alone := unreached(table, layers):
        report.leave_out(f"{len(alone)} {table} rows that no span points at ({', '.join(alone)})")


def write_brat(target: Path, tables: list[str], report: ExportReport) -> None:
    """brat standoff: ``<document>.txt`` + ``.ann``, ``annotation.conf``, ``visual.conf``, ``tools.conf``."""
    all_tables = schemas()
    standoff = Standoff(loader.source_text(), all_tables)
    standoff.textbounds()
    standoff.key_relations()
    link_tables = links(all_tables)
    for link in link_tables:
        standoff.link_relations(link)
    standoff.annotator_notes()
    documents = records("documents") if "documents" in all_tables else []
    name = brat_name(documents[0]["document_id"]) if documents else "document"
    (target / f"{name}.txt").write_text(standoff.text, encoding="utf-8", newline="")
    (target / f"{name}.ann").write_text("\n".join(standoff.lines) + "\n", encoding="utf-8", newline="")
    conf, visual = standoff.conf()
    (target / "annotation.conf").write_text(conf, encoding="utf-8")
    (target / "visual.conf").write_text(visual, encoding="utf-8")
    tools = ["[normalization]", *(f"{db}\tDB:none, <URL>:{url.split('/wiki/')[0]}/, <URLBASE>:{url}"
                                  for db, url in NORMALIZATIONS.values())]
    (target / "tools.conf").write_text("\n".join(tools) + "\n", encoding="utf-8")
    report.files += [f"{name}.txt", f"{name}.ann", "annotation.conf", "visual.conf", "tools.conf"]
    followed = sorted({t for layer in standoff.layers for t in layer.follows})
    carried = [layer.name for layer in standoff.layers] + [link.table for link in link_tables] + followed
    report.tables = [t for t in all_tables if t in carried]
    segments = {s.name for s in registry.span_tables(all_tables, "segment")}
    left = [t for t in all_tables if t not in carried]
    for group, why in (([t for t in left if t not in segments], "no span annotates them"),
                       ([t for t in left if t in segments], "segments of the text, not annotations")):
        if group:
            report.leave_out(f"{', '.join(group)} ({why})")
    for table in followed:
        _report_registry(table, standoff.layers, all_tables[table], report)
    for table, count in sorted(standoff.unanchored.items()):
        report.leave_out(f"{count} {table} relations whose registry side has no mention to point at "
                         "(kept in AnnotatorNotes)")
    drawn = sorted({side[1] for link in link_tables for side in (link.first, link.second)
                    if anchor_layer(side[1], all_tables).name != side[1]})
    if drawn:
        report.notes.append(f"a row of {', '.join(drawn)} is drawn to its mention nearest to the "
                            "other side")
