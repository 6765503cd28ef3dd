"""The annotations as spaCy ``Doc`` objects: one ``Doc`` per utterance.

Why per utterance: an utterance is one speaker's turn (headline, standfirst, question or answer),
every annotation lies inside one, and speaker and kind are properties of the whole ``Doc``
(``doc.user_data``). Offsets map back to the transcript by adding
``doc.user_data["char_offset"]``.

- ``doc.ents``: mentions, labelled with the actor type, ``kb_id_`` = Wikidata id ("" where the
  actor has none), ``id_`` = mention id. ``doc.ents`` cannot overlap, so where mentions nest or
  overlap the longest is kept (ties: the earliest); every mention is also in
  ``doc.spans["mentions"]``.
- ``doc.spans["claims"]``, ``["dates"]``, ``["notes"]``: labelled with claim type, TIMEX type and
  note type; ``span.id_`` is the row's id (``claim_id``, ``date_id``, ``note_id``).
- ``doc.spans["claim_cues"]``: hedges and reporting cues, labelled with the cue type;
  ``span.id_`` is the claim they belong to.
- Offsets that fall inside a token are aligned with ``alignment_mode="expand"`` and reported.

Needs spaCy (``pip install spacy``, or ``pip install '.[interop]'`` in a clone); no model is
downloaded: the default is ``spacy.blank(language)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

SPAN_LAYERS = {"claims": ("claim_id", "claim_type", "quote"),
               "dates": ("date_id", "timex_type", "surface"),
               "notes": ("note_id", "note_type", "surface"),
               "claim_cues": ("claim_id", "cue_type", "cue")}


@dataclass(frozen=True)
class Misaligned:
    """A span whose offsets are not on token boundaries, and what spaCy made of it."""

    layer: str
    span_id: str
    quote: str
    spacy_text: str
    reason: str


def _import_spacy() -> Any:
    try:
        import spacy
    except ImportError as error:
        from rfi_umarov_2022.export import ExportError

        raise ExportError("spaCy is not installed: pip install spacy (or, in a clone of the "
                          "repository, pip install '.[interop]')") from error
    return spacy


def _why(doc: Doc, start: int, end: int) -> str:
    parts = []
    for token in doc:
        inside_start = token.idx < start < token.idx + len(token.text)
        inside_end = token.idx < end < token.idx + len(token.text)
        if inside_start:
            parts.append(f"start falls inside token {token.text!r}")
        if inside_end:
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


def to_spacy_with_report(nlp: Language | None = None) -> tuple[list[Doc], list[Misaligned]]:
    """One ``Doc`` per utterance with mentions, claims, dates and notes; plus the misaligned spans."""
    import rfi_umarov_2022 as ds
    from rfi_umarov_2022.export import records

    spacy = _import_spacy()
    if nlp is None:
        language = (records("documents") or [{}])[0].get("language") or "en"
        nlp = spacy.blank(language.split("-")[0])
    text = ds.source_text()
    actors = {a["actor_id"]: a for a in records("actors")}
    layers = {name: records(name) for name in ("mentions", *SPAN_LAYERS)}
    problems: list[Misaligned] = []
    docs = []
    for utterance in records("utterances"):
        offset, stop = utterance["char_start"], utterance["char_end"]
        doc = nlp(text[offset:stop])
        doc.user_data.update({"utterance_id": utterance["utterance_id"], "char_offset": offset,
                              "kind": utterance["kind"], "speaker_id": utterance["speaker_id"]})
        mine = {name: [r for r in rows if r["utterance_id"] == utterance["utterance_id"]]
                for name, rows in layers.items()}
        mentions = []
        for m in mine["mentions"]:
            actor = actors[m["actor_id"]]
            span = _span(doc, "mentions", m["mention_id"], m["char_start"] - offset,
                         m["char_end"] - offset, m["surface"], actor["actor_type"],
                         actor.get("wikidata_id") or "", problems)
            mentions.append(span)
        doc.spans["mentions"] = mentions
        doc.ents = _non_overlapping(mentions)
        for layer, (key, label, quote) in SPAN_LAYERS.items():
            doc.spans[layer] = [
                _span(doc, layer, row[key], row["char_start"] - offset, row["char_end"] - offset,
                      row[quote], row[label], "", problems) for row in mine[layer]]
        docs.append(doc)
    return docs, problems


def to_spacy(nlp: Language | None = None) -> list[Doc]:
    """The annotated text as spaCy Docs, one per utterance (see the module docstring)."""
    return to_spacy_with_report(nlp)[0]
