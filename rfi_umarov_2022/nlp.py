"""The annotations as spaCy ``Doc`` objects: one ``Doc`` per utterance.

Why per utterance: an utterance is one speaker's turn (headline, standfirst, question or answer),
every annotation lies inside one, and speaker and kind are properties of the whole ``Doc``
(``doc.user_data``). Offsets map back to the transcript by adding
``doc.user_data["char_offset"]``. Which tables become what comes from the schemas' ``span``
blocks (see ``rfi_umarov_2022.registry``), so a new span table needs no change here:

- ``doc.spans[<table>]`` for every other span table (sentences, claims, mentions, dates, notes,
  claim cues, ...): labelled with the table's ``span.label`` (claim type, actor type, ...),
  ``span.id_`` = the row's key (``c004``; ``c004/hedge`` for a two-column key), ``kb_id_`` = the
  ``span.link`` identifier where there is one (Wikidata), else "".
- ``doc.ents``: the layers marked ``"entity": true`` (mentions of actors), longest first where
  they nest or overlap (ties: the earliest); every one is also in its span group.
- ``doc.user_data["rows"][<table>][<key>]``: every field of every row the Doc holds, of the
  registries they point at (actors) and of the link tables that join them (claim_actors,
  claim_dates, ...) under ``doc.user_data["links"][<table>]``.
- Offsets that fall inside a token are aligned with ``alignment_mode="expand"`` and reported.

Needs spaCy (``pip install spacy``, or ``pip install '.[interop]'`` in a clone); no model is
downloaded: the default is ``spacy.blank(language)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022.errors import missing_library

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

USER_DATA_ROWS = "rows"
USER_DATA_LINKS = "links"


@dataclass(frozen=True)
class Misaligned:
    """A span whose offsets are not on token boundaries, and what spaCy made of it."""

    layer: str
    span_id: str
    quote: str
    spacy_text: str
    reason: str


@dataclass
class Conversion:
    """The Docs, the spans off token boundaries, and which tables the Docs carry."""

    docs: list[Any]
    misaligned: list[Misaligned]
    carried: list[str] = field(default_factory=list)


def _import_spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise missing_library("spacy", "the spaCy conversion") from None
    return spacy


def _why(doc: Doc, start: int, end: int) -> str:
    parts = []
    for token in doc:
        if token.idx < start < token.idx + len(token.text):
            parts.append(f"start falls inside token {token.text!r}")
        if token.idx < end < token.idx + len(token.text):
            parts.append(f"end falls inside token {token.text!r}")
    return "; ".join(parts) or "offsets fall on whitespace"


def _span(doc: Doc, layer: str, row_id: str, start: int, end: int, quote: str, label: str,
          kb_id: str, problems: list[Misaligned]) -> Span:
    span = doc.char_span(start, end, label=label, kb_id=kb_id, span_id=row_id, alignment_mode="strict")
    if span is None:
        span = doc.char_span(start, end, label=label, kb_id=kb_id, span_id=row_id,
                             alignment_mode="expand")
        problems.append(Misaligned(layer, row_id, quote, span.text if span is not None else "",
                                   _why(doc, start, end)))
    return span


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """Longest first (ties: earliest), dropping any span that overlaps one already kept."""
    kept: list[Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        tokens = set(range(span.start, span.end))
        if tokens & taken:
            continue
        kept.append(span)
        taken |= tokens
    return sorted(kept, key=lambda s: s.start)


def convert(nlp: Language | None = None) -> Conversion:
    """One ``Doc`` per utterance with every span table; plus the misaligned spans."""
    from rfi_umarov_2022 import loader
    from rfi_umarov_2022.exports.common import index, links, records, schemas

    spacy = _import_spacy()
    tables = schemas()
    unit = registry.unit(tables)
    spans = [s for s in registry.span_tables(tables) if s.name != unit.name]
    if nlp is None:
        language = (records("documents") or [{}])[0].get("language") if "documents" in tables else None
        nlp = spacy.blank(str(language or "en").split("-")[0])
    text = loader.source_text()
    registries = sorted({t for s in spans for t in s.follows})
    lookup = index(registries)
    link_tables = links(tables)
    problems: list[Misaligned] = []
    docs = []
    for unit_row in records(unit.name):
        key = unit.row_id(unit_row)
        offset, stop = unit_row["char_start"], unit_row["char_end"]
        doc = nlp(text[offset:stop])
        doc.user_data.update({k: v for k, v in unit_row.items() if k not in (unit.text,)})
        doc.user_data["char_offset"] = offset
        rows: dict[str, dict[str, Any]] = {}
        for layer in spans:
            mine = [r for r in records(layer.name) if offset <= r["char_start"] and r["char_end"] <= stop
                    and r.get(unit.key[0], key) == key]
            group = []
            for row in mine:
                label = layer.label.of(row, lookup) if layer.label else layer.name
                kb = layer.link.of(row, lookup) if layer.link else None
                row_id = layer.row_id(row)
                group.append(_span(doc, layer.name, row_id, row["char_start"] - offset,
                                   row["char_end"] - offset, row[layer.text], str(label), kb or "",
                                   problems))
                rows.setdefault(layer.name, {})[row_id] = row
                for path in (layer.label, layer.link):
                    if path is not None and path.via is not None and row[path.column] is not None:
                        target = path.via[0]
                        rows.setdefault(target, {})[row[path.column]] = lookup[target][row[path.column]]
            doc.spans[layer.name] = group
        entities = [s for layer in spans if tables[layer.name].get("span", {}).get("entity")
                    for s in doc.spans[layer.name]]
        doc.ents = _non_overlapping(entities)
        doc.user_data[USER_DATA_ROWS] = rows
        doc.user_data[USER_DATA_LINKS] = {
            link.table: [r for r in records(link.table)
                         if str(r[link.first[0]]) in rows.get(link.first[1], {})]
            for link in link_tables}
        docs.append(doc)
    carried = [unit.name, *(s.name for s in spans), *registries, *(link.table for link in link_tables)]
    return Conversion(docs, problems, [t for t in tables if t in carried])


def to_spacy(nlp: Language | None = None) -> list[Doc]:
    """The annotated text as spaCy Docs, one per utterance (see the module docstring)."""
    return convert(nlp).docs
