"""Spine layer: documents, utterances and sentences from the transcript and ``document.yaml``."""

from __future__ import annotations

import bisect
import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rfi_umarov_2022_build.curated import (
    BuildError,
    Curated,
    Record,
    Row,
    as_date,
    read_bytes,
    read_text,
)
from rfi_umarov_2022_build.spans import Span, SpanError, locate, split_sentences, word_bounded

DOCUMENT_FILE = "dataset/annotations/document.yaml"


@dataclass
class Spine:
    """What later layers need to anchor annotations: the text and its utterances and sentences."""

    text: str
    source_path: str
    utterances: list[dict[str, Any]]
    sentences: list[dict[str, Any]]
    sentences_by_utterance: dict[str, list[tuple[str, Span]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {u["utterance_id"]: u for u in self.utterances}
        self._starts = {uid: [begin for _, (begin, _) in sentences]
                        for uid, sentences in self.sentences_by_utterance.items()}

    def utterance(self, utterance_id: Any) -> dict[str, Any] | None:
        return self._by_id.get(utterance_id) if isinstance(utterance_id, str) else None

    def sentence_at(self, utterance_id: str, position: int) -> str | None:
        """Sentence of ``utterance_id`` whose span contains the character at ``position``."""
        sentences = self.sentences_by_utterance.get(utterance_id, [])
        index = bisect.bisect_right(self._starts.get(utterance_id, []), position) - 1
        if index >= 0 and position < sentences[index][1][1]:
            return sentences[index][0]
        return None

    def sentences_overlapping(self, utterance_id: str, span: Span) -> list[tuple[str, Span]]:
        """Sentences of ``utterance_id`` that share at least one character with ``span``."""
        return [(sid, (begin, end)) for sid, (begin, end) in self.sentences_by_utterance[utterance_id]
                if begin < span[1] and span[0] < end]


def place(curated: Curated, spine: Spine, record: Record, record_id: str, field: str) -> Span:
    """Offsets of a curated quote inside its utterance; errors name file, line, record, field.

    The quote must start and end on word boundaries: a quote cut mid-word is a typo.
    """
    utterance = spine.utterance(record.get("utterance_id"))
    if utterance is None:
        raise curated.error(record, record_id, "utterance_id",
                            f"unknown utterance {record.get('utterance_id')!r}")
    try:
        span = locate(spine.text, record[field], utterance["char_start"], utterance["char_end"],
                      record.get("occurrence"))
    except SpanError as error:
        raise curated.error(record, record_id, field,
                            f"{error} in utterance {record['utterance_id']}") from None
    if not word_bounded(spine.text, span):
        raise curated.error(record, record_id, field,
                            f"quote {record[field]!r} starts or ends inside a word")
    return span


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes: the one hash helper of the build."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(root: Path) -> tuple[Curated, str]:
    """The document annotation and the transcript, refusing a transcript whose hash changed.

    The text must be exactly what was annotated: UTF-8, LF line ends, no byte-order mark.
    """
    curated = Curated(root, DOCUMENT_FILE)
    source = curated.get("source")
    relpath = source["path"]
    data = read_bytes(root, relpath, "transcript file")
    digest = hashlib.sha256(data).hexdigest()
    if digest != source["sha256"]:
        raise curated.error(
            source, "source", "sha256",
            f"{relpath} has sha256 {digest}, but {source['sha256']} is recorded. If the new "
            "text is deliberate, check every annotation against it, then record the new hash here")
    text = read_text(root, relpath, "transcript")  # the same bytes: the hash matched
    for bad, name in (("\r", "a carriage return (CRLF line ends)"), ("\ufeff", "a byte-order mark")):
        if bad in text:
            raise BuildError(relpath, None, None, f"the transcript holds {name} at offset "
                             f"{text.index(bad)}; store it with LF line ends and no BOM")
    if not unicodedata.is_normalized("NFC", text):
        raise BuildError(relpath, None, None, "the transcript is not in Unicode normal form NFC, so "
                         "quotes and aliases written in NFC would not be found; store it as NFC")
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
    for record in curated.records("lines"):
        if record["line"] in fixed:
            raise curated.error(record, record["utterance_id"], "line",
                                f"line {record['line']} is listed twice")
        fixed[record["line"]] = {"kind": record["kind"], "speaker_id": None,
                                 "utterance_id": record["utterance_id"], "record": record}
    turns = curated.get("turns")
    cycle, first = turns["cycle"], turns["from_line"]
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
            raise curated.error(turns, None, "from_line",
                                f"line {line} is neither listed in lines nor in a turn")
    extra = sorted(set(fixed) - set(range(1, n_lines + 1)))
    if extra:
        raise curated.error(fixed[extra[0]]["record"], fixed[extra[0]]["utterance_id"], "line",
                            f"line {extra[0]} does not exist (the transcript has {n_lines} lines)")
    return plan


def build_spine(root: Path) -> tuple[Spine, dict[str, list[Row]]]:
    """Tables documents, utterances and sentences, plus the Spine that anchors later layers."""
    curated, text = load_document(root)
    meta = curated.data
    document_id = meta["document_id"]
    labels = meta["speaker_labels"]
    lines = text.split("\n")
    plan = _line_plan(curated, len(lines))

    utterances: list[Row] = []
    sentences: list[Row] = []
    spine_sentences: dict[str, list[tuple[str, Span]]] = {}
    offset = 0
    last_question: str | None = None
    for seq, (line_text, step) in enumerate(zip(lines, plan, strict=True)):
        line_no = seq + 1
        uid = step["utterance_id"]
        record = step["record"]
        label_speaker, label = _label_of(line_text, labels)
        if label is not None and label_speaker != step["speaker_id"]:
            raise curated.error(record, uid, "speaker_id",
                                f"line {line_no} is labelled {label!r} (speaker {label_speaker}), "
                                f"but the turn order expects {step['speaker_id'] or 'no speaker'} "
                                f"({step['kind']})")
        start = offset + (len(label) if label else 0)
        end = offset + len(line_text)
        if not line_text[len(label or ""):].strip():
            raise curated.error(record, uid, "line", f"line {line_no} has no text")
        reply_to = None
        if step["kind"] == "question":
            last_question = uid
        elif step["kind"] == "answer":
            if last_question is None:
                raise curated.error(record, uid, "kind",
                                    f"answer on line {line_no} follows no question")
            reply_to, last_question = last_question, None
        # Headline and standfirst have no speaker of their own: the publisher speaks them.
        speaker = step["speaker_id"] or meta["publisher_id"]
        utterances.append(curated.row(
            record, utterance_id=uid, document_id=document_id, seq=seq, line=line_no,
            kind=step["kind"], speaker_id=speaker, speaker_label=label, char_start=start,
            char_end=end, text=text[start:end], reply_to=reply_to))
        spine_sentences[uid] = []
        no_break = meta.get("no_break_after") or []
        for index, (s_start, s_end) in enumerate(split_sentences(text, start, end, no_break)):
            sentence_id = f"{uid}-s{index + 1:02d}"
            sentences.append(curated.row(record, sentence_id=sentence_id, utterance_id=uid,
                                         seq=index, char_start=s_start, char_end=s_end,
                                         text=text[s_start:s_end]))
            spine_sentences[uid].append((sentence_id, (s_start, s_end)))
        offset = end + 1

    by_kind = {u["kind"]: u for u in reversed(utterances)}
    document = curated.row(
        None, document_id=document_id,
        title=by_kind["headline"]["text"] if "headline" in by_kind else None,
        standfirst=by_kind["standfirst"]["text"] if "standfirst" in by_kind else None,
        publisher_id=meta["publisher_id"], interviewee_id=meta.get("interviewee_id"),
        date_published=as_date(meta["date_published"]), language=meta["language"],
        translated_from=meta.get("translated_from"), source_url=meta.get("source_url"),
        source_sha256=meta["source"]["sha256"], n_chars=len(text))
    spine = Spine(text, meta["source"]["path"], utterances, sentences, spine_sentences)
    return spine, {"documents": [document], "utterances": utterances, "sentences": sentences}
