"""Claims layer: claims, the actors and dates they link to, and sentence coverage."""

from __future__ import annotations

from pathlib import Path

from rfi_umarov_2022_build.curated import Curated, Record, Row
from rfi_umarov_2022_build.spans import Span
from rfi_umarov_2022_build.spine import Spine, place

CLAIMS_FILE = "dataset/annotations/claims.yaml"


def _cue_in_sentences(spine: Spine, utterance_id: str, span: Span, cue: str) -> bool:
    """Is ``cue`` written in one of the sentences the span overlaps?"""
    return any(cue in spine.text[begin:end]
               for _, (begin, end) in spine.sentences_overlapping(utterance_id, span))


def build_claims(root: Path, spine: Spine, tables: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """Tables claims, claim_actors and claim_dates."""
    curated = Curated(root, CLAIMS_FILE)
    actor_ids = {actor["actor_id"] for actor in tables["actors"]}
    date_ids = {row["date_id"] for row in tables["dates"]}
    claims: list[Row] = []
    claim_actors: list[Row] = []
    claim_dates: list[Row] = []
    covered: set[str] = set()
    seen_quotes: dict[tuple, str] = {}
    for record in curated.records("claims"):
        claim_id = record["claim_id"]
        span = place(curated, spine, record, claim_id, "quote")
        utterance_id = record["utterance_id"]
        speaker = spine.utterance(utterance_id)["speaker_id"]
        source = record.get("source_id") or speaker
        cue = record.get("reporting_cue")
        if cue is not None:
            if source == speaker:
                raise curated.error(record, claim_id, "source_id",
                                    "reported speech (reporting_cue set) needs a source other "
                                    "than the speaker")
            if not _cue_in_sentences(spine, utterance_id, span, cue):
                raise curated.error(record, claim_id, "reporting_cue",
                                    f"{cue!r} is not written in the claim's sentences")
        hedge = record.get("hedge")
        if hedge is not None:
            if not _cue_in_sentences(spine, utterance_id, span, hedge):
                raise curated.error(record, claim_id, "hedge",
                                    f"{hedge!r} is not written in the claim's sentences")
            if record["certainty"] == "certain":
                raise curated.error(record, claim_id, "certainty",
                                    f"a hedged claim ({hedge!r}) cannot be certain")
        if record.get("restates_claim_id") == claim_id:
            raise curated.error(record, claim_id, "restates_claim_id", "a claim cannot restate itself")
        identity = (span, record["paraphrase"], source)
        if identity in seen_quotes:
            raise curated.error(record, claim_id, "quote",
                                f"same quote, paraphrase and source as {seen_quotes[identity]}: "
                                "a duplicated claim")
        seen_quotes[identity] = claim_id
        covered.update(sid for sid, _ in spine.sentences_overlapping(utterance_id, span))
        claims.append(curated.row(
            record, claim_id=claim_id, utterance_id=utterance_id,
            sentence_id=spine.sentence_at(utterance_id, span[0]),
            char_start=span[0], char_end=span[1], quote=spine.text[span[0]:span[1]],
            paraphrase=record["paraphrase"], speaker_id=speaker, source_id=source,
            reporting_cue=cue, claim_type=record["claim_type"], certainty=record["certainty"],
            hedge=hedge, polarity=record["polarity"],
            time_orientation=record["time_orientation"], topic=record["topic"],
            restates_claim_id=record.get("restates_claim_id")))
        for actor_id, role in record["actors"].items():
            if actor_id not in actor_ids:
                raise curated.error(record["actors"], claim_id, "actors",
                                    f"unknown actor {actor_id!r}")
            claim_actors.append(curated.row(record["actors"], claim_id=claim_id,
                                            actor_id=actor_id, role=role))
        for date_id in record.get("dates") or []:
            if date_id not in date_ids:
                raise curated.error(record, claim_id, "dates", f"unknown date {date_id!r}")
            claim_dates.append(curated.row(record, claim_id=claim_id, date_id=date_id))
    _check_coverage(curated, spine, covered)
    return {"claims": claims, "claim_actors": claim_actors, "claim_dates": claim_dates}


def _check_coverage(curated: Curated, spine: Spine, covered: set[str]) -> None:
    """Every sentence holds a claim or is listed, with a reason, as holding none."""
    listed: set[str] = set()
    all_sentences = {s["sentence_id"] for s in spine.sentences}
    for record in curated.records("no_claim_sentences"):
        sentence_id = record["sentence_id"]
        if sentence_id not in all_sentences:
            raise curated.error(record, sentence_id, "sentence_id", "unknown sentence")
        if sentence_id in covered:
            raise curated.error(record, sentence_id, "sentence_id",
                                "listed as holding no claim, but a claim's quote lies in it")
        if sentence_id in listed:
            raise curated.error(record, sentence_id, "sentence_id", "listed twice")
        listed.add(sentence_id)
    for sentence in spine.sentences:
        if sentence["sentence_id"] not in covered | listed:
            section: Record | None = curated.data if isinstance(curated.data, Record) else None
            raise curated.error(section, sentence["sentence_id"], "no_claim_sentences",
                                f"sentence {sentence['text'][:60]!r} is covered by no claim and "
                                "not listed as holding none")
