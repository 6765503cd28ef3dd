"""Spine layer: documents, utterances and sentences from the transcript and ``document.yaml``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation import BuildError, Curated, Record, as_date
from spans import Span, SpanError, locate, split_sentences

DOCUMENT_FILE = "dataset/annotations/document.yaml"
UTTERANCE_KINDS = ("headline", "standfirst", "question", "answer")


@dataclass
class Spine:
    """What later layers need to anchor annotations: the text and its utterances and sentences."""

    text: str
    source_path: str
    document: dict[str, Any]
    utterances: list[dict[str, Any]]
    sentences: list[dict[str, Any]]
    sentences_by_utterance: dict[str, list[tuple[str, Span]]] = field(default_factory=dict)

    def utterance(self, utterance_id: str) -> dict[str, Any] | None:
        return next((u for u in self.utterances if u["utterance_id"] == utterance_id), None)

    def sentence_at(self, utterance_id: str, position: int) -> str | None:
        """Sentence of ``utterance_id`` whose span contains the character at ``position``."""
        for sentence_id, (begin, end) in self.sentences_by_utterance.get(utterance_id, []):
            if begin <= position < end:
                return sentence_id
        return None


def place(curated: Curated, spine: Spine, record: Record, record_id: str, field: str) -> Span:
    """Offsets of a curated quote inside its utterance; errors name file, record and field."""
    utterance = spine.utterance(record.get("utterance_id"))
    if utterance is None:
        raise curated.error(record, record_id, "utterance_id",
                            f"unknown utterance {record.get('utterance_id')!r}")
    try:
        return locate(spine.text, record[field], utterance["char_start"], utterance["char_end"],
                      record.get("occurrence"))
    except SpanError as error:
        raise curated.error(record, record_id, field,
                            f"{error} in utterance {record['utterance_id']}") from None


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(root: Path) -> tuple[Curated, str]:
    """The document annotation and the transcript, refusing a transcript whose hash changed."""
    curated = Curated(root, DOCUMENT_FILE)
    source = curated.section("source")
    relpath = source.get("path") if isinstance(source, dict) else None
    if not relpath:
        raise curated.error(source, "source", "path", "the transcript path is missing")
    path = root / relpath
    if not path.is_file():
        raise BuildError(relpath, None, None, "transcript file is missing")
    digest = sha256_file(path)
    if digest != source.get("sha256"):
        raise curated.error(
            source, "source", "sha256",
            f"{relpath} has sha256 {digest}, but {source.get('sha256')} is recorded. If the new "
            "text is deliberate, check every annotation against it, then record the new hash here")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BuildError(relpath, None, None, f"not UTF-8: {error}") from None
    return curated, text


def _label_of(line: str, labels: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """(speaker_id, label) of the longest known label that starts the line, or (None, None)."""
    best: tuple[str | None, str | None] = (None, None)
    for speaker_id, forms in labels.items():
        for form in forms:
            if line.startswith(form) and (best[1] is None or len(form) > len(best[1])):
                best = (speaker_id, form)
    return best


def _line_plan(curated: Curated, n_lines: int) -> list[dict[str, Any]]:
    """Kind, speaker and id of every line, from the fixed lines and the turn cycle."""
    fixed = {}
    for record in curated.records("lines", "utterance_id", {"line", "utterance_id", "kind"},
                                  ("line", "utterance_id", "kind")):
        if record["kind"] not in UTTERANCE_KINDS:
            raise curated.error(record, record["utterance_id"], "kind",
                                f"{record['kind']!r} is not one of {list(UTTERANCE_KINDS)}")
        fixed[record["line"]] = {"kind": record["kind"], "speaker_id": None,
                                 "utterance_id": record["utterance_id"], "record": record}
    turns = curated.section("turns")
    if not isinstance(turns, dict) or not isinstance(turns.get("cycle"), list) or not turns["cycle"]:
        raise curated.error(turns, "turns", "cycle", "a non-empty list of turns is required")
    cycle = turns["cycle"]
    first = turns.get("from_line")
    if not isinstance(first, int) or first < 1:
        raise curated.error(turns, "turns", "from_line", "must be a line number (1-based)")
    for turn in cycle:
        for key in ("kind", "speaker_id", "id_prefix"):
            if not isinstance(turn, dict) or not turn.get(key):
                raise curated.error(turn if isinstance(turn, dict) else None, "turns", key,
                                    "each turn needs kind, speaker_id and id_prefix")
        if turn["kind"] not in UTTERANCE_KINDS:
            raise curated.error(turn, "turns", "kind",
                                f"{turn['kind']!r} is not one of {list(UTTERANCE_KINDS)}")
    plan = []
    counters: dict[str, int] = {}
    for line in range(1, n_lines + 1):
        if line in fixed:
            plan.append(fixed[line])
        elif line >= first:
            turn = cycle[(line - first) % len(cycle)]
            counters[turn["id_prefix"]] = counters.get(turn["id_prefix"], 0) + 1
            plan.append({"kind": turn["kind"], "speaker_id": turn["speaker_id"],
                         "utterance_id": f"{turn['id_prefix']}{counters[turn['id_prefix']]}",
                         "record": turn})
        else:
            raise curated.error(None, None, "lines", f"line {line} is neither listed nor in a turn")
    extra = sorted(set(fixed) - set(range(1, n_lines + 1)))
    if extra:
        raise curated.error(fixed[extra[0]]["record"], fixed[extra[0]]["utterance_id"], "line",
                            f"line {extra[0]} does not exist (the transcript has {n_lines} lines)")
    return plan


def build_spine(root: Path) -> tuple[Spine, dict[str, list[dict[str, Any]]], dict[str, dict[str, str]]]:
    """Documents, utterances and sentences, plus the Spine that anchors later layers."""
    curated, text = load_document(root)
    meta = curated.data
    document_id = curated.section("document_id")
    labels = curated.section("speaker_labels")
    if not isinstance(labels, dict):
        raise curated.error(None, None, "speaker_labels", "expected a mapping speaker_id: [labels]")
    lines = text.split("\n")
    plan = _line_plan(curated, len(lines))

    utterances: list[dict[str, Any]] = []
    sentences: list[dict[str, Any]] = []
    spine_sentences: dict[str, list[tuple[str, Span]]] = {}
    no_break_after = meta.get("no_break_after") or []
    offset = 0
    last_question: str | None = None
    for seq, (line_text, step) in enumerate(zip(lines, plan, strict=True)):
        line_no = seq + 1
        uid = step["utterance_id"]
        label_speaker, label = _label_of(line_text, labels)
        if label is not None and label_speaker != step["speaker_id"]:
            raise curated.error(step["record"], uid, "speaker_id",
                                f"line {line_no} is labelled {label!r} (speaker {label_speaker}), "
                                f"but the turn order expects {step['speaker_id'] or 'no speaker'} "
                                f"({step['kind']})")
        start = offset + (len(label) if label else 0)
        end = offset + len(line_text)
        if start >= end:
            raise curated.error(step["record"], uid, "line", f"line {line_no} has no text")
        reply_to = None
        if step["kind"] == "question":
            last_question = uid
        elif step["kind"] == "answer":
            if last_question is None:
                raise curated.error(step["record"], uid, "kind",
                                    f"answer on line {line_no} follows no question")
            reply_to, last_question = last_question, None
        utterances.append({
            "utterance_id": uid, "document_id": document_id, "seq": seq, "line": line_no,
            "kind": step["kind"], "speaker_id": step["speaker_id"], "speaker_label": label,
            "char_start": start, "char_end": end, "text": text[start:end], "reply_to": reply_to,
        })
        spine_sentences[uid] = []
        for index, (s_start, s_end) in enumerate(split_sentences(text, start, end, no_break_after)):
            sentence_id = f"{uid}-s{index + 1:02d}"
            sentences.append({"sentence_id": sentence_id, "utterance_id": uid, "seq": index,
                              "char_start": s_start, "char_end": s_end,
                              "text": text[s_start:s_end]})
            spine_sentences[uid].append((sentence_id, (s_start, s_end)))
        offset = end + 1

    by_kind = {u["kind"]: u for u in reversed(utterances)}
    date_error = curated.error(None, document_id, "date_published", "expected a date YYYY-MM-DD")
    document = {
        "document_id": document_id,
        "title": by_kind["headline"]["text"] if "headline" in by_kind else None,
        "standfirst": by_kind["standfirst"]["text"] if "standfirst" in by_kind else None,
        "publisher_id": meta.get("publisher_id"),
        "interviewee_id": meta.get("interviewee_id"),
        "date_published": as_date(meta.get("date_published"), date_error),
        "language": meta.get("language"),
        "translated_from": meta.get("translated_from"),
        "source_url": meta.get("source_url"),
        "source_sha256": meta["source"]["sha256"],
        "n_chars": len(text),
    }
    spine = Spine(text, meta["source"]["path"], document, utterances, sentences, spine_sentences)
    tables = {"documents": [document], "utterances": utterances, "sentences": sentences}
    origins = {name: {row_id: DOCUMENT_FILE for row_id in ids} for name, ids in {
        "documents": [document_id],
        "utterances": [u["utterance_id"] for u in utterances],
    }.items()}
    return spine, tables, origins
