"""Events layer: the registry of events, their actors and every mention, checked for completeness.

``events.yaml`` holds the PLOVER modes of each type (``plover_modes``), the events (each with its
actors and roles), the mentions (a trigger word placed in its utterance), the sentences that
refer to no event (``no_event_sentences``, with a reason) and a sweep of event words with the
hits that are not events (``not_events``). The claims' links to events are in ``claims.yaml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rfi_umarov_2022_build.curated import BuildError, Curated, Record, Row, as_date
from rfi_umarov_2022_build.dates import QUALIFIERS, EDTFError, check_within, edtf_bounds
from rfi_umarov_2022_build.ledgers import check_ledger, check_sweep
from rfi_umarov_2022_build.schemas import TableSchema
from rfi_umarov_2022_build.spine import Spine, place

EVENTS_FILE = "dataset/annotations/events.yaml"
#: event_kind values whose events PLOVER types, never types, or may type (statements).
TYPED, UNTYPED = ("action",), ("episode", "transition")


def _plover_modes(curated: Curated, schema: TableSchema) -> dict[str, tuple[str, ...]]:
    """type -> its modes, checked against the schema's vocabularies of types and modes."""
    mapping = curated.get("plover_modes")
    types, modes = set(schema.categories("plover_type")), set(schema.categories("plover_mode"))
    listed: set[str] = set()
    for plover_type, type_modes in mapping.items():
        if plover_type not in types:
            raise curated.error(mapping, "plover_modes", plover_type,
                                "not a plover_type of schema/events.json")
        for mode in type_modes or []:
            if mode not in modes:
                raise curated.error(mapping, "plover_modes", plover_type,
                                    f"{mode!r} is not a plover_mode of schema/events.json")
        listed.update(type_modes or [])
    missing = sorted(modes - listed)
    if missing:
        raise curated.error(mapping, "plover_modes", None, f"mode {missing[0]!r} belongs to no type")
    return {t: tuple(m or ()) for t, m in mapping.items()}


def _check_typing(curated: Curated, record: Record, modes: dict[str, tuple[str, ...]]) -> None:
    """PLOVER typing follows the kind of event, and a mode belongs to its type."""
    event_id, kind, plover_type = record["event_id"], record["event_kind"], record.get("plover_type")
    if kind in TYPED and plover_type is None:
        raise curated.error(record, event_id, "plover_type", f"an {kind} has a PLOVER type")
    if kind in UNTYPED and plover_type is not None:
        raise curated.error(record, event_id, "plover_type",
                            f"an {kind} has no PLOVER type of its own (its parts are typed)")
    for field in ("plover_mode", "plover_context"):
        if record.get(field) is not None and plover_type is None:
            raise curated.error(record, event_id, field, f"{field} is set but plover_type is null")
    mode = record.get("plover_mode")
    if mode is not None and mode not in modes.get(plover_type, ()):
        raise curated.error(record, event_id, "plover_mode",
                            f"{mode!r} is not a mode of {plover_type} (plover_modes: "
                            f"{', '.join(modes.get(plover_type, ())) or 'none'})")


def _event_rows(curated: Curated, schema: TableSchema) -> tuple[list[Row], list[Row]]:
    modes = _plover_modes(curated, schema)
    events: list[Row] = []
    event_actors: list[Row] = []
    for record in curated.records("events"):
        event_id = record["event_id"]
        _check_typing(curated, record, modes)
        bounds = {key: as_date(record.get(key)) for key in ("earliest", "latest")}
        if bounds["earliest"] and bounds["latest"] and bounds["earliest"] > bounds["latest"]:
            raise curated.error(record, event_id, "earliest",
                                f"earliest {bounds['earliest']} is after latest {bounds['latest']}")
        try:
            lower, upper = edtf_bounds(record["edtf"], fuzzy=QUALIFIERS.search(record["edtf"]) is not None)
        except EDTFError as error:
            raise curated.error(record, event_id, "edtf", str(error)) from None
        check_within(curated, record, event_id, bounds, lower, upper)
        events.append(curated.row(record, **{f.name: bounds.get(f.name, record.get(f.name))
                                             for f in schema.fields}))
        for actor_id, role in (record.get("actors") or {}).items():
            event_actors.append(curated.row(record["actors"], event_id=event_id, actor_id=actor_id,
                                            role=role))
    return events, event_actors


def _mention_rows(curated: Curated, spine: Spine) -> list[Row]:
    mentions = []
    for record in curated.records("mentions"):
        mention_id = record["event_mention_id"]
        start, end = place(curated, spine, record, mention_id, "surface")
        sentence_id = spine.sentence_at(record["utterance_id"], start)
        modality = record.get("modality")
        if modality is not None:
            sentence = next(s for s in spine.sentences if s["sentence_id"] == sentence_id)
            if not re.search(rf"\b{re.escape(modality)}\b", sentence["text"], re.IGNORECASE):
                raise curated.error(record, mention_id, "modality",
                                    f"{modality!r} is not written in the mention's sentence")
        mentions.append(curated.row(
            record, event_mention_id=mention_id, event_id=record["event_id"],
            utterance_id=record["utterance_id"], sentence_id=sentence_id, char_start=start,
            char_end=end, surface=spine.text[start:end], timeml_class=record["timeml_class"],
            polarity=record["polarity"], modality=modality))
    return mentions


def build_events(root: Path, spine: Spine, schemas: dict[str, TableSchema]) -> dict[str, list[Any]]:
    """Tables events, event_actors and event_mentions."""
    if not (root / EVENTS_FILE).exists():
        raise BuildError(EVENTS_FILE, None, None, "annotation file is missing")
    curated = Curated(root, EVENTS_FILE)
    events, event_actors = _event_rows(curated, schemas["events"])
    mentions = _mention_rows(curated, spine)
    check_ledger(curated, spine, {m["sentence_id"] for m in mentions}, "no_event_sentences",
                 "event mention")
    check_sweep(curated, spine, [(m["char_start"], m["char_end"]) for m in mentions], "not_events",
                "event")
    return {"events": events, "event_actors": event_actors, "event_mentions": mentions}
