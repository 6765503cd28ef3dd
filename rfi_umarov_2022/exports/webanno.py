"""W3C Web Annotation: one JSON-LD ``AnnotationCollection`` over the transcript.

Every row of every span table (segments and annotation layers) is an ``Annotation`` whose
target carries a ``TextPositionSelector`` and a ``TextQuoteSelector``. Its bodies: a
``Dataset`` body with every field of the row (``data:<field>``), a classifying body with its
``span.label``, an identifying body for its ``span.link`` (Wikidata) carrying the registry row,
a linking body for each foreign key to another annotated row, and one for each link-table row
(claim x actor, claim x date, ...) with that row's fields. The W3C context ships in the package;
:func:`document_loader` serves it to a JSON-LD processor, so nothing is fetched.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rfi_umarov_2022 import descriptor as dp
from rfi_umarov_2022 import loader, registry
from rfi_umarov_2022.exports.common import (
    ExportReport,
    anchor_layer,
    index,
    links,
    records,
    schemas,
    unreached,
)

ANNO_CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
WIKIDATA = "http://www.wikidata.org/entity/"
OUT = "annotations.jsonld"


def anno_context_path() -> Path:
    """The W3C Web Annotation JSON-LD context shipped with the package (never fetched)."""
    return Path(__file__).resolve().parent.parent / "contexts" / "anno.jsonld"


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A PyLD document loader that serves the W3C context from the package and refuses the rest:
    ``pyld.jsonld.expand(doc, {"documentLoader": document_loader})`` works offline."""
    if url.rstrip("/").replace("https://", "http://") != ANNO_CONTEXT_URL:
        raise ValueError(f"refusing to fetch {url}: only {ANNO_CONTEXT_URL} is served, from the package")
    document = json.loads(anno_context_path().read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def _selectors(text: str, start: int, end: int, context: int = 32) -> list[dict[str, Any]]:
    return [{"type": "TextPositionSelector", "start": start, "end": end},
            {"type": "TextQuoteSelector", "exact": text[start:end],
             "prefix": text[max(0, start - context):start], "suffix": text[end:end + context]}]


class Collection:
    """The annotations, keyed by table and row id, and how to name what they point at."""

    def __init__(self, tables: Mapping[str, Mapping[str, Any]], vocab: str) -> None:
        self.tables, self.vocab = tables, vocab
        self.spans = registry.span_tables(tables)
        self.lookup = index(sorted({t for s in self.spans for t in s.follows}))
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def iri(self, table: str, key: Any) -> str:
        """An annotated row's id, a registry row's Wikidata entity where it has one, else a URN."""
        if any(s.name == table for s in self.spans):
            return f"#{table}/{key}"
        for span in self.spans:
            if span.link is not None and span.link.via is not None and span.link.via[0] == table:
                identifier = self.lookup[table].get(key, {}).get(span.link.target)
                if identifier:
                    return f"{WIKIDATA}{identifier}"
        return f"{self.vocab}{table}:{key}"

    def data(self, table: str, row: Mapping[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
        return {"data:table": table,
                **{f"data:{k}": v for k, v in row.items() if v is not None and k not in skip}}

    def annotate(self, text: str, source: str) -> None:
        for span in self.spans:
            fks = registry.column_links(span.name, self.tables[span.name])
            for row in records(span.name):
                bodies: list[dict[str, Any]] = [
                    {"type": "Dataset", **self.data(span.name, row, ("char_start", "char_end"))}]
                motivation = "classifying" if span.label else "tagging"
                if span.label is not None:
                    bodies.append({"type": "TextualBody", "purpose": "classifying",
                                   "value": str(span.label.of(row, self.lookup))})
                if span.link is not None and span.link.via is not None and row[span.link.column]:
                    registry_row = self.lookup[span.link.via[0]][row[span.link.column]]
                    bodies.append({"id": self.iri(span.link.via[0], row[span.link.column]),
                                   "purpose": "identifying", **self.data(span.link.via[0], registry_row)})
                    motivation = "identifying"
                for column, (target, _) in sorted(fks.items()):
                    if row[column] is not None and any(s.name == target for s in self.spans):
                        bodies.append({"type": "SpecificResource", "purpose": "linking",
                                       "source": self.iri(target, row[column]), "data:via": column})
                key = span.row_id(row)
                self.items[(span.name, key)] = {
                    "id": self.iri(span.name, key), "type": "Annotation", "motivation": motivation,
                    "body": bodies, "target": {"source": source, "selector": _selectors(
                        text, row["char_start"], row["char_end"])}}

    def link(self, table: str) -> int:
        """Attach each link-table row to the annotations of its first side; the rows attached."""
        found = next(link for link in links(self.tables) if link.table == table)
        column, first = found.first
        layer = anchor_layer(first, self.tables)
        attached = 0
        for row in records(table):
            if layer.name == first:
                owners = [self.items[(first, str(row[column]))]]
            else:
                via = layer.column_to(first)
                owners = [item for (name, _), item in self.items.items() if name == layer.name
                          and item["body"][0].get(f"data:{via}") == row[column]]
            body = {"type": "SpecificResource", "purpose": "linking",
                    "source": self.iri(found.second[1], row[found.second[0]]), **self.data(table, row)}
            for owner in owners:
                owner["body"].append(body)
            attached += bool(owners)
        return attached


def write_webanno(target: Path, tables: list[str], report: ExportReport) -> None:
    """A W3C Web Annotation AnnotationCollection (JSON-LD) over the transcript."""
    package = dp.descriptor()
    all_tables = schemas()
    vocab = f"urn:{package['name']}:"
    collection = Collection(all_tables, vocab)
    collection.annotate(loader.source_text(), loader.source_name())
    link_tables = [link.table for link in links(all_tables)]
    unattached = []
    for table in link_tables:
        attached = collection.link(table)
        if attached < len(records(table)):
            unattached.append(f"{len(records(table)) - attached} {table} rows whose first side has "
                              "no annotation")
    items = list(collection.items.values())
    document = {
        "@context": [ANNO_CONTEXT_URL, {"data": vocab}],
        "id": "#collection", "type": "AnnotationCollection", "label": package.get("title", package["name"]),
        "total": len(items),
        "first": {"id": "#page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    (target / OUT).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.copyfile(anno_context_path(), target / "anno.jsonld")
    report.files += [OUT, "anno.jsonld"]
    carried = [s.name for s in collection.spans] + link_tables + sorted(collection.lookup)
    report.tables = [t for t in all_tables if t in carried]
    left = [t for t in all_tables if t not in carried]
    if left:
        report.leave_out(f"{', '.join(left)} (no span annotates them)")
    for table in sorted(collection.lookup):
        if alone := unreached(table, collection.spans):
            report.leave_out(f"{len(alone)} {table} rows that no span points at ({', '.join(alone)})")
    for line in unattached:
        report.leave_out(line)
    report.notes.append(f"ids and the source are relative IRIs (resolve against {OUT}'s location); "
                        f"field terms use the local prefix data: = {vocab}; expand offline with "
                        "rfi_umarov_2022.exports.webanno.document_loader")
