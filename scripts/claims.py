"""Claims layer: claims, their actors and dates, sentence coverage, and editorial notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curation import Curated
from spans import Span
from spine import Spine, place

CLAIMS_FILE = "dataset/annotations/claims.yaml"
NOTES_FILE = "dataset/annotations/notes.yaml"
CLAIM_CURATED = {"claim_id", "utterance_id", "quote", "occurrence", "paraphrase", "source_id",
                 "reporting_cue", "claim_type", "certainty", "hedge", "polarity",
                 "time_orientation", "topic", "restates_claim_id", "actors", "dates"}
CLAIM_REQUIRED = ("claim_id", "utterance_id", "quote", "paraphrase", "claim_type", "certainty",
                  "polarity", "time_orientation", "topic", "actors")
NOTE_CURATED = {"note_id", "utterance_id", "surface", "occurrence", "note_type", "suggestion",
                "explanation"}


def _cue_in_sentences(spine: Spine, utterance_id: str, span: Span, cue: str) -> bool:
    """Is ``cue`` written in one of the sentences the span overlaps?"""
    for _, (begin, end) in spine.sentences_by_utterance[utterance_id]:
        if begin < span[1] and span[0] < end and cue in spine.text[begin:end]:
            return True
    return False


def build_claims(root: Path, spine: Spine, actor_tables: dict[str, list[dict[str, Any]]],
                 date_tables: dict[str, list[dict[str, Any]]]
                 ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, str]]]:
    """Tables claims, claim_actors, claim_dates and notes."""
    curated = Curated(root, CLAIMS_FILE)
    actor_ids = {actor["actor_id"] for actor in actor_tables["actors"]}
    date_ids = {row["date_id"] for row in date_tables["dates"]}
    claims: list[dict[str, Any]] = []
    claim_actors: list[dict[str, Any]] = []
    claim_dates: list[dict[str, Any]] = []
    covered: set[str] = set()
    for record in curated.records("claims", "claim_id", CLAIM_CURATED, CLAIM_REQUIRED):
        claim_id = record["claim_id"]
        span = place(curated, spine, record, claim_id, "quote")
        utterance = spine.utterance(record["utterance_id"])
        speaker = utterance["speaker_id"] or spine.document["publisher_id"]
        source = record.get("source_id") or speaker
        cue = record.get("reporting_cue")
        if cue is not None:
            if source == speaker:
                raise curated.error(record, claim_id, "source_id",
                                    "reported speech (reporting_cue set) needs a source other "
                                    "than the speaker")
            if not _cue_in_sentences(spine, record["utterance_id"], span, cue):
                raise curated.error(record, claim_id, "reporting_cue",
                                    f"{cue!r} is not written in the claim's sentences")
        hedge = record.get("hedge")
        if hedge is not None:
            if not _cue_in_sentences(spine, record["utterance_id"], span, hedge):
                raise curated.error(record, claim_id, "hedge",
                                    f"{hedge!r} is not written in the claim's sentences")
            if record["certainty"] == "certain":
                raise curated.error(record, claim_id, "certainty",
                                    f"a hedged claim ({hedge!r}) cannot be certain")
        for sentence_id, (begin, end) in spine.sentences_by_utterance[record["utterance_id"]]:
            if begin < span[1] and span[0] < end:
                covered.add(sentence_id)
        claims.append({
            "claim_id": claim_id, "utterance_id": record["utterance_id"],
            "sentence_id": spine.sentence_at(record["utterance_id"], span[0]),
            "char_start": span[0], "char_end": span[1], "quote": spine.text[span[0]:span[1]],
            "paraphrase": record["paraphrase"], "speaker_id": speaker, "source_id": source,
            "reporting_cue": cue, "claim_type": record["claim_type"],
            "certainty": record["certainty"], "hedge": hedge, "polarity": record["polarity"],
            "time_orientation": record["time_orientation"], "topic": record["topic"],
            "restates_claim_id": record.get("restates_claim_id"),
        })
        actors = record["actors"]
        if not isinstance(actors, dict) or not actors:
            raise curated.error(record, claim_id, "actors",
                                "a mapping actor_id: role with at least one actor")
        for actor_id, role in actors.items():
            if actor_id not in actor_ids:
                raise curated.error(record, claim_id, "actors", f"unknown actor {actor_id!r}")
            claim_actors.append({"claim_id": claim_id, "actor_id": actor_id, "role": role})
        dates = record.get("dates") or []
        if not isinstance(dates, list):
            raise curated.error(record, claim_id, "dates", "a list of date ids")
        for date_id in dates:
            if date_id not in date_ids:
                raise curated.error(record, claim_id, "dates", f"unknown date {date_id!r}")
            claim_dates.append({"claim_id": claim_id, "date_id": date_id})
    _check_coverage(curated, spine, covered)
    notes = build_notes(root, spine)
    origins = {
        "claims": {c["claim_id"]: CLAIMS_FILE for c in claims},
        "claim_actors": {f"{c['claim_id']}/{c['actor_id']}": CLAIMS_FILE for c in claim_actors},
        "claim_dates": {f"{c['claim_id']}/{c['date_id']}": CLAIMS_FILE for c in claim_dates},
        "notes": {n["note_id"]: NOTES_FILE for n in notes},
    }
    tables = {"claims": claims, "claim_actors": claim_actors, "claim_dates": claim_dates,
              "notes": notes}
    return tables, origins


def _check_coverage(curated: Curated, spine: Spine, covered: set[str]) -> None:
    """Every sentence holds a claim or is listed, with a reason, as holding none."""
    listed: set[str] = set()
    all_sentences = {s["sentence_id"] for s in spine.sentences}
    for record in curated.records("no_claim_sentences", "sentence_id",
                                  {"sentence_id", "reason"}, ("sentence_id", "reason"),
                                  may_be_empty=True):
        sentence_id = record["sentence_id"]
        if sentence_id not in all_sentences:
            raise curated.error(record, sentence_id, "sentence_id", "unknown sentence")
        if sentence_id in covered:
            raise curated.error(record, sentence_id, "sentence_id",
                                "listed as holding no claim, but a claim's quote lies in it")
        listed.add(sentence_id)
    for sentence in spine.sentences:
        if sentence["sentence_id"] not in covered | listed:
            raise curated.error(None, sentence["sentence_id"], "no_claim_sentences",
                                f"sentence {sentence['text'][:60]!r} is covered by no claim and "
                                "not listed as holding none")


def build_notes(root: Path, spine: Spine) -> list[dict[str, Any]]:
    """Table notes: editorial and translation notes anchored in the text."""
    curated = Curated(root, NOTES_FILE)
    notes = []
    for record in curated.records("notes", "note_id", NOTE_CURATED,
                                  ("note_id", "utterance_id", "surface", "note_type",
                                   "explanation")):
        span = place(curated, spine, record, record["note_id"], "surface")
        notes.append({
            "note_id": record["note_id"], "utterance_id": record["utterance_id"],
            "char_start": span[0], "char_end": span[1], "surface": spine.text[span[0]:span[1]],
            "note_type": record["note_type"], "suggestion": record.get("suggestion"),
            "explanation": record["explanation"],
        })
    return notes
