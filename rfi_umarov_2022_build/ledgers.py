"""Completeness checks that layers share: a sentence ledger and a vocabulary sweep.

- ``check_ledger``: every sentence is covered by the layer or listed, with a reason, as holding
  nothing of it; nothing listed is covered, unknown or listed twice (claims, events).
- ``check_sweep``: every case-insensitive whole-word hit of a curated vocabulary lies inside a
  row of the layer or is listed, with a reason, as not belonging to it (dates, events).
"""

from __future__ import annotations

from rfi_umarov_2022_build.curated import BuildError, Curated, Record
from rfi_umarov_2022_build.spans import Span
from rfi_umarov_2022_build.spine import Spine, place

SWEEP_SECONDS = 5.0


def check_ledger(curated: Curated, spine: Spine, covered: set[str], key: str, what: str) -> None:
    """Every sentence holds some of the layer (``covered``) or is listed under ``key``."""
    listed: set[str] = set()
    all_sentences = {s["sentence_id"] for s in spine.sentences}
    for record in curated.records(key):
        sentence_id = record["sentence_id"]
        if sentence_id not in all_sentences:
            raise curated.error(record, sentence_id, "sentence_id", "unknown sentence")
        if sentence_id in covered:
            raise curated.error(record, sentence_id, "sentence_id",
                                f"listed as holding no {what}, but one lies in it")
        if sentence_id in listed:
            raise curated.error(record, sentence_id, "sentence_id", "listed twice")
        listed.add(sentence_id)
    for sentence in spine.sentences:
        if sentence["sentence_id"] not in covered | listed:
            section: Record | None = curated.data if isinstance(curated.data, Record) else None
            raise curated.error(section, sentence["sentence_id"], key,
                                f"sentence {sentence['text'][:60]!r} holds no {what} and is "
                                f"not listed as holding none")


def sweep_hits(spine: Spine, vocabulary: list[str]) -> list[tuple[str, Span]]:
    """(utterance_id, span) of every case-insensitive whole-word hit of the vocabulary.

    The vocabulary is curated regular expressions: they run with a time limit, so that a
    pathological pattern fails the build instead of hanging it; ValueError says why.
    """
    import regex

    constructs = [item for item in vocabulary if "(?" in item]
    if constructs:
        raise ValueError(f"{constructs[0]!r}: vocabulary items are plain alternatives; flags, named "
                         "groups and look-arounds, (?...), are not supported")
    try:
        pattern = regex.compile(r"\b(?:" + "|".join(f"(?:{item})" for item in vocabulary) + r")\b",
                                regex.IGNORECASE | regex.VERSION0)
    except regex.error as error:
        raise ValueError(f"the vocabulary is not one regular expression: {error}") from None
    hits = []
    for utterance in spine.utterances:
        try:
            for match in pattern.finditer(spine.text, utterance["char_start"], utterance["char_end"],
                                          timeout=SWEEP_SECONDS):
                hits.append((utterance["utterance_id"], match.span()))
        except TimeoutError:
            raise ValueError(f"the vocabulary takes more than {SWEEP_SECONDS:g} s on one utterance: "
                             "simplify its patterns") from None
    return hits


def check_sweep(curated: Curated, spine: Spine, covered: list[Span], listed_key: str, what: str) -> None:
    """Every hit of ``sweep_vocabulary`` is inside a ``covered`` span or listed under ``listed_key``."""
    spans = list(covered)
    for index, record in enumerate(curated.records(listed_key), start=1):
        spans.append(place(curated, spine, record, f"{listed_key} #{index}", "surface"))
    try:
        hits = sweep_hits(spine, curated.get("sweep_vocabulary"))
    except ValueError as error:
        raise BuildError(curated.label, None, "sweep_vocabulary", str(error),
                         line=curated.data.line_of("sweep_vocabulary")) from None
    for utterance_id, (start, end) in hits:
        if not any(begin <= start and end <= finish for begin, finish in spans):
            raise BuildError(curated.label, f"{utterance_id} offset {start}", listed_key,
                             f"{what} word {spine.text[start:end]!r} is in no row and not listed "
                             f"under {listed_key}", line=curated.data.line_of(listed_key))
