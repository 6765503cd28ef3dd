"""Notes layer: editorial and translation notes anchored in the text."""

from __future__ import annotations

from pathlib import Path

from rfi_umarov_2022_build.curated import Curated, Row
from rfi_umarov_2022_build.spine import Spine, place

NOTES_FILE = "dataset/annotations/notes.yaml"


def build_notes(root: Path, spine: Spine) -> dict[str, list[Row]]:
    """Table notes: each note's surface located in its utterance."""
    curated = Curated(root, NOTES_FILE)
    notes = []
    for record in curated.records("notes"):
        span = place(curated, spine, record, record["note_id"], "surface")
        notes.append(curated.row(
            record, note_id=record["note_id"], utterance_id=record["utterance_id"],
            sentence_id=spine.sentence_at(record["utterance_id"], span[0]),
            char_start=span[0], char_end=span[1], surface=spine.text[span[0]:span[1]],
            note_type=record["note_type"], suggestion=record.get("suggestion"),
            explanation=record["explanation"]))
    return {"notes": notes}
