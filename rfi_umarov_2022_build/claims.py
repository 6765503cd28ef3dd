"""Claims layer: claims, the actors and dates they link to, and sentence coverage."""

from __future__ import annotations

from pathlib import Path

from rfi_umarov_2022_build.curated import BuildError, Curated, Record, Row
from rfi_umarov_2022_build.ledgers import check_ledger
from rfi_umarov_2022_build.schemas import TableSchema
from rfi_umarov_2022_build.spans import Span, occurrences, word_bounded
from rfi_umarov_2022_build.spine import Spine, place

CLAIMS_FILE = "dataset/annotations/claims.yaml"


def _place_cue(curated: Curated, spine: Spine, record: Record, span: Span,
               field: str) -> Span | None:
    """Offsets of a cue (hedge, reporting cue) within the sentences the claim's quote spans.

    The cue may lie outside the quote but not outside its sentences; it must be whole words,
    and ``<field>_occurrence`` picks one of several occurrences, as ``occurrence`` does for quotes.
    """
    claim_id = record["claim_id"]
    cue = record.get(field)
    occurrence = record.get(f"{field}_occurrence")
    if cue is None:
        if occurrence is not None:
            raise curated.error(record, claim_id, f"{field}_occurrence",
                                f"an occurrence is given but {field} is null")
        return None
    sentences = spine.sentences_overlapping(record["utterance_id"], span)
    found = occurrences(spine.text, cue, sentences[0][1][0], sentences[-1][1][1])
    where = "in the claim's sentences"
    if not found:
        raise curated.error(record, claim_id, field, f"{cue!r} is not written {where}")
    if occurrence is None and len(found) > 1:
        raise curated.error(record, claim_id, field,
                            f"{cue!r} is written {len(found)} times {where}; "
                            f"add {field}_occurrence: 1..{len(found)}")
    if occurrence is not None and occurrence > len(found):
        raise curated.error(record, claim_id, f"{field}_occurrence",
                            f"occurrence {occurrence} asked, but {cue!r} is written "
                            f"{len(found)} times {where}")
    begin = found[(occurrence or 1) - 1]
    cue_span = (begin, begin + len(cue))
    if not word_bounded(spine.text, cue_span):
        raise curated.error(record, claim_id, field, f"{cue!r} starts or ends inside a word")
    return cue_span


def build_claims(root: Path, spine: Spine, schemas: dict[str, TableSchema]) -> dict[str, list[Row]]:
    """Tables claims, claim_actors, claim_dates, claim_cues and (where it has a schema) claim_events.

    Each cue type of ``claim_cues`` is the name of the claims field that holds the cue (hedge,
    reporting_cue). Unknown actor and date ids are left to the shared foreign-key check.
    """
    curated = Curated(root, CLAIMS_FILE)
    cue_types = schemas["claim_cues"].categories("cue_type")
    unknown = [c for c in cue_types if c not in schemas["claims"].field_names]
    if unknown:
        raise BuildError(schemas["claim_cues"].path, None, "cue_type",
                         f"{unknown[0]!r} is not a field of claims that holds a cue")
    claims: list[Row] = []
    claim_actors: list[Row] = []
    claim_dates: list[Row] = []
    claim_cues: list[Row] = []
    claim_events: list[Row] = []
    covered: set[str] = set()
    seen_quotes: dict[tuple, str] = {}
    records = curated.records("claims")
    for record in records:
        claim_id = record["claim_id"]
        span = place(curated, spine, record, claim_id, "quote")
        utterance_id = record["utterance_id"]
        speaker = spine.utterance(utterance_id)["speaker_id"]
        source = record.get("source_id") or speaker
        cue = record.get("reporting_cue")
        if cue is not None and source == speaker:
            raise curated.error(record, claim_id, "source_id",
                                "reported speech (reporting_cue set) needs a source other "
                                "than the speaker")
        cue_spans = {cue_type: _place_cue(curated, spine, record, span, cue_type)
                     for cue_type in cue_types}
        hedge = record.get("hedge")
        if hedge is not None and record["certainty"] == "certain":
            raise curated.error(record, claim_id, "certainty",
                                f"a hedged claim ({hedge!r}) cannot be certain")
        if record.get("frame_claim_id") is not None and cue is None:
            raise curated.error(record, claim_id, "frame_claim_id",
                                "only reported speech (reporting_cue set) has a frame claim")
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
            reporting_cue=cue, frame_claim_id=record.get("frame_claim_id"),
            claim_type=record["claim_type"], certainty=record["certainty"], hedge=hedge,
            polarity=record["polarity"],
            time_orientation=record["time_orientation"], topic=record["topic"],
            restates_claim_id=record.get("restates_claim_id")))
        for cue_type, cue_span in cue_spans.items():
            if cue_span is not None:
                claim_cues.append(curated.row(
                    record, claim_id=claim_id, cue_type=cue_type, utterance_id=utterance_id,
                    sentence_id=spine.sentence_at(utterance_id, cue_span[0]),
                    char_start=cue_span[0], char_end=cue_span[1],
                    cue=spine.text[cue_span[0]:cue_span[1]]))
        for actor_id, role in record["actors"].items():
            claim_actors.append(curated.row(record["actors"], claim_id=claim_id,
                                            actor_id=actor_id, role=role))
        dates = record.get("dates") or {}
        for date_id, relation in dates.items():
            claim_dates.append(curated.row(dates, claim_id=claim_id, date_id=date_id,
                                           relation=relation))
        events = record.get("events") or {}
        for event_id, relation in events.items():
            claim_events.append(curated.row(events, claim_id=claim_id, event_id=event_id,
                                            relation=relation))
    _check_frames(curated, records, claims)
    check_ledger(curated, spine, covered, "no_claim_sentences", "claim")
    tables = {"claims": claims, "claim_actors": claim_actors, "claim_dates": claim_dates,
              "claim_cues": claim_cues, "claim_events": claim_events}
    return {name: rows for name, rows in tables.items() if name in schemas}


def _check_frames(curated: Curated, records: list[Record], claims: list[Row]) -> None:
    """A frame claim is another claim of the same utterance, asserted in the speaker's own name."""
    by_id = {claim["claim_id"]: claim for claim in claims}
    for record, claim in zip(records, claims, strict=True):
        frame_id = claim["frame_claim_id"]
        frame = by_id.get(frame_id)
        if frame is None:  # no frame, or an unknown id, which the foreign-key check reports
            continue
        if frame_id == claim["claim_id"]:
            problem = "a claim cannot be its own frame"
        elif frame["utterance_id"] != claim["utterance_id"]:
            problem = f"{frame_id} is in utterance {frame['utterance_id']}, not {claim['utterance_id']}"
        elif frame["source_id"] != frame["speaker_id"]:
            problem = f"{frame_id} is itself reported ({frame['source_id']}), not the speaker's claim"
        else:
            continue
        raise curated.error(record, claim["claim_id"], "frame_claim_id", problem)
