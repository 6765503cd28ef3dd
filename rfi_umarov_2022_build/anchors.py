"""Every row of every span table is anchored: its offsets slice the transcript to its text.

Checked for all span tables of the registry, whatever layer built them, before anything is
written: offsets in range and ordered, the text column equal to ``transcript[char_start:char_end]``,
the span inside its utterance, and ``sentence_id`` the sentence where it starts.
"""

from __future__ import annotations

from typing import Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022_build.curated import BuildError
from rfi_umarov_2022_build.schemas import TableSchema, where
from rfi_umarov_2022_build.spine import Spine


def _problem(span: registry.SpanTable, row: dict[str, Any], spine: Spine) -> tuple[str, str] | None:
    start, end, text = row["char_start"], row["char_end"], spine.text
    if not 0 <= start < end <= len(text):
        return "char_start", f"offsets {start}..{end} are not a span of the {len(text)}-character transcript"
    if text[start:end] != row[span.text]:
        return span.text, f"{row[span.text]!r} is not transcript[{start}:{end}] ({text[start:end]!r})"
    utterance = spine.utterance(row.get("utterance_id")) if span.kind == "annotation" else None
    if utterance is not None and not utterance["char_start"] <= start < end <= utterance["char_end"]:
        return "utterance_id", f"the span {start}..{end} is not inside utterance {row['utterance_id']}"
    if span.kind == "annotation" and "sentence_id" in row and utterance is not None:
        sentence = spine.sentence_at(row["utterance_id"], start)
        if sentence != row["sentence_id"]:
            return "sentence_id", f"the span starts in sentence {sentence}, not {row['sentence_id']}"
    return None


def check_anchored(schemas: dict[str, TableSchema], rows: dict[str, list[dict[str, Any]]],
                   spine: Spine) -> None:
    """Refuse, with file:line, record and field, any span row that is not anchored in the text."""
    raw = {name: schema.descriptor for name, schema in schemas.items()}
    for span in registry.span_tables(raw):
        for row in rows[span.name]:
            problem = _problem(span, row, spine)
            if problem:
                file, line = where(schemas[span.name], row)
                raise BuildError(file, span.row_id(row), problem[0],
                                 f"{problem[1]} (table {span.name})", line=line)
