"""The catalogue of bad input, on the fixture project (tests/fixture), never on the real data.

Each case breaks a copy of the built fixture, and the build must exit non-zero, print one
line naming the file (and line), the record and the field, and leave every file as it was.
The README's "Guarantees" section lists these cases; a test keeps the two lists equal.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, output_files

from rfi_umarov_2022_build import pipeline
from rfi_umarov_2022_build.swap import MAGIC


@dataclass(frozen=True)
class Case:
    case_id: str
    what: str
    mutate: Callable[[Path], None]
    expected: tuple[str, ...]  # fragments of the error line: file, record, field, message
    patch: tuple[tuple[str, str, float], ...] = ()  # (module, attribute, value): a shorter time limit


def edit(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    """A mutation that replaces text in one file of the copy (and checks it was there)."""

    def mutate(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= count, (rel, old)
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return mutate


def write(rel: str, content: str | bytes) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return mutate


def delete(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).unlink()


def edit_json(rel: str, change: Callable[[dict], object]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    return mutate


def field_of(data: dict, name: str) -> dict:
    return next(f for f in data["fields"] if f["name"] == name)


def new_transcript(transform: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Change the transcript and record its new hash, as a curator accepting it would."""
    import hashlib

    def mutate(root: Path) -> None:
        path = root / TRANSCRIPT
        old = hashlib.sha256(path.read_bytes()).hexdigest()
        path.write_bytes(transform(path.read_bytes()))
        edit(DOCUMENT, old, hashlib.sha256(path.read_bytes()).hexdigest())(root)

    return mutate


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        for mutation in mutations:
            mutation(root)

    return mutate


def descriptor_resource(path: str) -> Callable[[Path], None]:
    """Add to the previous descriptor a resource that names ``path``."""

    def mutate(root: Path) -> None:
        descriptor = root / DESCRIPTOR
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        package["resources"].append({**package["resources"][0], "name": "stolen", "path": path,
                                     "hash": "sha256:" + "0" * 64})
        descriptor.write_text(json.dumps(package, indent=2), encoding="utf-8")

    return mutate


def link_outside(root: Path, rel: str) -> None:
    """Replace ``rel`` by a symbolic link to a copy of it outside the project (same bytes)."""
    target = root.parent / "outside-copy"
    shutil.copyfile(root / rel, target)
    (root / rel).unlink()
    (root / rel).symlink_to(target)


def fifo(root: Path, rel: str) -> None:
    (root / rel).unlink()
    os.mkfifo(root / rel)


A = "dataset/annotations/"
CLAIMS, ACTORS, DATES = A + "claims.yaml", A + "actors.yaml", A + "dates.yaml"
EVENTS = A + "events.yaml"
NOTES, DOCUMENT, PACKAGE = A + "notes.yaml", A + "document.yaml", A + "package.yaml"
TRANSCRIPT = "dataset/source/transcript.txt"
DESCRIPTOR = "datapackage.json"
VICTIM = b"a file outside the project that no build may touch\n"
VICTIM_SHA = hashlib.sha256(VICTIM).hexdigest()
NOTES_SCHEMA = "schema/notes.json"
DATES_SCHEMA = "schema/dates.json"
C010 = """  - claim_id: c010
    utterance_id: a2
    quote: the army left
    paraphrase: At the time of the visit, the Freedonian army left.
    claim_type: fact
    certainty: certain
    polarity: affirmative
    time_orientation: past
    topic: security
    actors: {freedonian-army: agent}
    dates: {t04: holds_at}
"""
NOTE = """  - note_id: n01
    utterance_id: headline
    surface: courts
    note_type: translation
    suggestion: woos
    explanation: A fixture note, to show the format.
"""

CASES = [
    # quotes and offsets
    Case("quote-missing", "a quote not found in its utterance",
         edit(CLAIMS, "quote: Freedonia needs ports to look after its trade",
              "quote: Freedonia needs ports to look after its commerce"),
         (CLAIMS + ":", "record c004", "field quote", "not found")),
    Case("quote-ambiguous", "a quote found more than once without an occurrence index",
         edit(NOTES, "utterance_id: headline\n    surface: courts", "utterance_id: a1\n    surface: Freedonia"),  # noqa: E501
         (NOTES + ":", "record n01", "field surface", "add occurrence")),
    Case("occurrence-out-of-range", "an occurrence index beyond the quote's occurrences",
         edit(CLAIMS, "occurrence: 1", "occurrence: 3"),
         (CLAIMS + ":", "record c006", "field quote", "occurrence 3")),
    Case("quote-mid-word", "a quote that starts or ends inside a word",
         edit(CLAIMS, "quote: the army left", "quote: he army lef"),
         (CLAIMS + ":", "record c010", "field quote", "inside a word")),
    Case("quote-padded", "a quote with leading or trailing whitespace",
         edit(CLAIMS, "quote: Sylvania courts Freedonia", 'quote: " Sylvania courts Freedonia"'),
         (CLAIMS + ":", "record c001", "field quote", "does not match")),
    Case("surface-blank", "a whitespace-only surface",
         edit(NOTES, "surface: courts", 'surface: " "'),
         (NOTES + ":", "record n01", "field surface", "no visible character")),
    Case("alias-blank", "an alias of a single space",
         edit(ACTORS, "{alias: Freedonian, alias_type: demonym}", '{alias: " ", alias_type: demonym}'),
         (ACTORS + ":", "record freedonia", "field alias", "does not match")),
    # references
    Case("unknown-actor", "a claim about an unknown actor",
         edit(CLAIMS, "actors: {sylvania: agent, freedonia: target}",
              "actors: {sylvanya: agent, freedonia: target}"),
         (CLAIMS + ":", "record c001/sylvanya", "field actor_id", "'sylvanya' refers to no row of actors")),
    Case("unknown-date", "a claim tied to an unknown date",
         edit(CLAIMS, "dates: {t03: holds_at}", "dates: {t09: holds_at}"),
         (CLAIMS + ":", "record c007/t09", "field date_id", "'t09' refers to no row of dates")),
    Case("unknown-claim", "a restatement of an unknown claim",
         edit(CLAIMS, "    topic: diplomacy\n    actors: {freedonia: agent, sylvania: agent}",
              "    topic: diplomacy\n    restates_claim_id: c999\n    actors: {freedonia: agent, sylvania: agent}"),  # noqa: E501
         (CLAIMS + ":", "record c011", "field restates_claim_id", "refers to no row of claims")),
    Case("restates-itself", "a claim that restates itself",
         edit(CLAIMS, "    topic: diplomacy\n    actors: {freedonia: agent, sylvania: agent}",
              "    topic: diplomacy\n    restates_claim_id: c011\n    actors: {freedonia: agent, sylvania: agent}"),  # noqa: E501
         (CLAIMS + ":", "record c011", "field restates_claim_id", "cannot restate itself")),
    Case("unknown-utterance", "a note in an unknown utterance",
         edit(NOTES, "utterance_id: headline", "utterance_id: a9"),
         (NOTES + ":", "record n01", "field utterance_id", "unknown utterance")),
    Case("unknown-sentence", "an unknown sentence listed as holding no claim",
         edit(CLAIMS, "sentence_id: q1-s02", "sentence_id: q1-s09"),
         (CLAIMS + ":", "record q1-s09", "field sentence_id", "unknown sentence")),
    Case("unknown-interviewee", "a document whose interviewee is an unknown actor",
         edit(DOCUMENT, "interviewee_id: ana-berg", "interviewee_id: ana-borg"),
         (DOCUMENT, "field interviewee_id", "refers to no row of actors")),
    Case("country-not-state", "a country_id that is not a state",
         edit(ACTORS, "country_id: freedonia\n    description: Head", "country_id: ana-berg\n    description: Head"),  # noqa: E501
         (ACTORS + ":", "record freedonian-president", "field country_id", "not a state")),
    # ids and duplicates
    Case("duplicate-claim-id", "a duplicate id in claims.yaml",
         edit(CLAIMS, "claim_id: c004", "claim_id: c003"),
         (CLAIMS + ":", "record c003", "field claim_id", "duplicate")),
    Case("duplicate-actor-id", "a duplicate id in actors.yaml",
         edit(ACTORS, "actor_id: sylvania", "actor_id: freedonia"),
         (ACTORS + ":", "record freedonia", "field actor_id", "duplicate")),
    Case("duplicate-date-id", "a duplicate id in dates.yaml",
         edit(DATES, "date_id: t02", "date_id: t01"),
         (DATES + ":", "record t01", "field date_id", "duplicate")),
    Case("duplicate-claim", "a claim duplicated under a new id",
         edit(CLAIMS, C010, C010 + C010.replace("c010", "c012")),
         (CLAIMS + ":", "record c012", "field quote", "duplicated claim")),
    Case("yaml-anchor", "a YAML anchor reused for two identical records",
         edit(NOTES, "  - note_id: n01", "  - &note\n    note_id: n01"),
         (NOTES + ":", "anchor &note", "not supported")),
    Case("alias-bomb", "an alias bomb used as a value",
         edit(CLAIMS, "claims:\n", "bomb: &a [x, x, x]\nboom: &b [*a, *a, *a]\nclaims:\n"),
         (CLAIMS + ":1", "anchor &a", "not supported")),
    # values and vocabularies
    Case("enum", "a value outside its vocabulary",
         edit(CLAIMS, "certainty: probable", "certainty: likely"),
         (CLAIMS + ":", "record c007", "field certainty", "not one of")),
    Case("wikidata-pattern", "a malformed Wikidata id",
         edit(ACTORS, "wikidata_id: null", "wikidata_id: Q0148"),
         (ACTORS + ":", "record freedonia", "field wikidata_id", "pattern")),
    Case("iso-pattern", "a malformed ISO code",
         edit(ACTORS, "iso3: null", "iso3: FR"),
         (ACTORS + ":", "record freedonia", "field iso3", "pattern")),
    Case("wikidata-duplicate", "two actors sharing one Wikidata id",
         both(edit(ACTORS, "wikidata_id: null", "wikidata_id: Q1000"),
              edit(ACTORS, "    description: Another", "    wikidata_id: Q1000\n    description: Another")),
         (ACTORS + ":", "field wikidata_id", "must be unique")),
    Case("int-for-text", "an unquoted number where text is expected",
         edit(ACTORS, "name: Sylvania", "name: 2013"),
         (ACTORS + ":", "record sylvania", "field name", "not of type 'string'")),
    Case("int-hedge", "a number as a hedge",
         edit(CLAIMS, "hedge: probably", "hedge: 5"),
         (CLAIMS + ":", "record c007", "field hedge", "not of type 'string'")),
    Case("int-id", "a number as an actor id",
         edit(ACTORS, "actor_id: critics", "actor_id: 7"),
         (ACTORS + ":", "field actor_id", "not of type 'string'")),
    Case("string-occurrence", "an occurrence index written as text",
         edit(CLAIMS, "occurrence: 1", 'occurrence: "1"'),
         (CLAIMS + ":", "record c006", "field occurrence", "not of type 'integer'")),
    Case("list-quote", "a quote given as a list",
         edit(CLAIMS, "quote: the army left", "quote: [the army, left]"),
         (CLAIMS + ":", "record c010", "field quote", "not of type 'string'")),
    Case("dates-as-list", "claim dates listed without their relation",
         edit(CLAIMS, "dates: {t03: holds_at}", "dates: [t03]"),
         (CLAIMS + ":", "record c007", "field dates", "not of type 'object'")),
    Case("nested-dates", "a mapping where a date's relation is expected",
         edit(CLAIMS, "dates: {t03: holds_at}", "dates: {t03: {relation: holds_at}}"),
         (CLAIMS + ":", "record c007", "field t03", "not of type 'string'")),
    Case("empty-name", "an empty actor name",
         edit(ACTORS, "name: Sylvania", 'name: ""'),
         (ACTORS + ":", "record sylvania", "field name", "does not match")),
    Case("empty-paraphrase", "an empty paraphrase",
         edit(CLAIMS, "paraphrase: Sylvania seeks closer ties with Freedonia.", 'paraphrase: ""'),
         (CLAIMS + ":", "record c001", "field paraphrase", "does not match")),
    Case("blank-explanation", "a whitespace-only explanation",
         edit(NOTES, "explanation: A fixture note, to show the format.", 'explanation: "   "'),
         (NOTES + ":", "record n01", "field explanation", "no visible character")),
    Case("empty-hedge", "an empty hedge",
         edit(CLAIMS, "hedge: probably", 'hedge: ""'),
         (CLAIMS + ":", "record c007", "field hedge", "does not match")),
    # claims' own rules
    Case("hedged-certain", "a hedged claim coded certain",
         edit(CLAIMS, "certainty: probable", "certainty: certain"),
         (CLAIMS + ":", "record c007", "field certainty", "cannot be certain")),
    Case("hedge-not-written", "a hedge that is not written in the claim's sentence",
         edit(CLAIMS, "hedge: probably", "hedge: surely"),
         (CLAIMS + ":", "record c007", "field hedge", "not written")),
    Case("hedge-twice", "a hedge written more than once in the claim's sentences",
         edit(CLAIMS, C010, C010 + "    hedge: and\n"),
         (CLAIMS + ":", "record c010", "field hedge", "written 2 times", "hedge_occurrence")),
    Case("hedge-occurrence-beyond", "a hedge occurrence beyond the hedge's occurrences",
         edit(CLAIMS, C010, C010 + "    hedge: and\n    hedge_occurrence: 3\n"),
         (CLAIMS + ":", "record c010", "field hedge_occurrence", "written 2 times")),
    Case("occurrence-without-cue", "a cue occurrence given for a null cue",
         edit(CLAIMS, C010, C010 + "    reporting_cue_occurrence: 1\n"),
         (CLAIMS + ":", "record c010", "field reporting_cue_occurrence", "reporting_cue is null")),
    Case("hedge-mid-word", "a hedge that starts or ends inside a word",
         edit(CLAIMS, "hedge: probably", "hedge: probab"),
         (CLAIMS + ":", "record c007", "field hedge", "inside a word")),
    Case("cue-not-written", "a reporting cue that is not written in the claim's sentences",
         edit(CLAIMS, "reporting_cue: The critics say", "reporting_cue: The critics said"),
         (CLAIMS + ":", "record c006", "field reporting_cue", "not written")),
    Case("unknown-relation", "a claim date with a relation outside the vocabulary",
         edit(CLAIMS, "dates: {t03: holds_at}", "dates: {t03: during}"),
         (CLAIMS + ":", "record c007", "field relation", "during")),
    Case("frame-not-reported", "a frame claim on a claim that is not reported speech",
         edit(CLAIMS, "    topic: economy\n", "    topic: economy\n    frame_claim_id: c005\n"),
         (CLAIMS + ":", "record c004", "field frame_claim_id", "only reported speech")),
    Case("frame-unknown", "a frame claim that does not exist",
         edit(CLAIMS, "frame_claim_id: c005", "frame_claim_id: c099"),
         (CLAIMS + ":", "record c006", "field frame_claim_id", "'c099' refers to no row of claims")),
    Case("frame-self", "a reported claim that is its own frame",
         edit(CLAIMS, "frame_claim_id: c005", "frame_claim_id: c006"),
         (CLAIMS + ":", "record c006", "field frame_claim_id", "its own frame")),
    Case("frame-elsewhere", "a frame claim in another utterance",
         edit(CLAIMS, "frame_claim_id: c005", "frame_claim_id: c003"),
         (CLAIMS + ":", "record c006", "field frame_claim_id", "utterance q1")),
    Case("frame-reported", "a frame claim that is itself reported speech",
         edit(CLAIMS, "paraphrase: The critics say that Freedonia wants control.\n",
              "paraphrase: The critics say that Freedonia wants control.\n"
              "    source_id: critics\n    reporting_cue: The critics say\n"),
         (CLAIMS + ":", "record c006", "field frame_claim_id", "itself reported")),
    Case("reported-self", "reported speech whose source is the speaker",
         edit(CLAIMS, "source_id: critics", "source_id: ana-berg"),
         (CLAIMS + ":", "record c006", "field source_id", "other than the speaker")),
    Case("sentence-unaccounted", "a sentence covered by no claim and not listed",
         edit(CLAIMS, "  - {sentence_id: q1-s02, reason: A request for an explanation.}\n", ""),
         (CLAIMS + ":", "record q1-s02", "field no_claim_sentences", "holds no claim")),
    Case("sentence-listed-but-claimed", "a sentence listed as claimless that holds a claim",
         edit(CLAIMS, "sentence_id: q1-s02", "sentence_id: a1-s01"),
         (CLAIMS + ":", "record a1-s01", "field sentence_id", "but one lies in it")),
    # dates
    Case("edtf-malformed", "a malformed EDTF value",
         edit(DATES, 'edtf: "2021-03"', 'edtf: "2021-13"'),
         (DATES + ":", "record t01", "field edtf", "not valid EDTF")),
    Case("edtf-season", "an EDTF season code, which the edtf package bounds wrongly",
         edit(DATES, 'edtf: "2021-03"', 'edtf: "2021-21"'),
         (DATES + ":", "record t01", "field edtf", "season")),
    Case("edtf-three-parts", "a three-part EDTF interval",
         edit(DATES, 'edtf: "2021-03"', 'edtf: "2021-03/2021-04/2021-05"'),
         (DATES + ":", "record t01", "field edtf", "two parts")),
    Case("edtf-year-range", "an EDTF year outside 1-9999",
         edit(DATES, 'edtf: "2021-03"', 'edtf: "Y12345"'),
         (DATES + ":", "record t01", "field edtf", "outside 1-9999")),
    Case("timex-value", "a TIMEX3 value that is no date, such as 2020-13",
         edit(DATES, 'timex_value: "2021-03"', 'timex_value: "2021-13"'),
         (DATES + ":", "record t01", "field timex_value", "month 13 does not exist")),
    Case("impossible-date", "an impossible date written unquoted",
         edit(DATES, 'earliest: "2021-03-01"', "earliest: 2021-02-30"),
         (DATES + ":", "record t01", "field earliest", "is not a 'date'")),
    Case("earliest-after-latest", "earliest later than latest",
         edit(DATES, 'earliest: "2021-03-01"', 'earliest: "2021-04-01"'),
         (DATES + ":", "record t01", "field earliest", "after latest")),
    Case("interval-bound-empty", "an empty bound where the exact EDTF value gives one",
         edit(DATES, '    earliest: "2021-03-01"\n    latest: "2021-03-31"\n    granularity: month\n    anchor_type: absolute',  # noqa: E501
              '    latest: "2021-03-31"\n    granularity: month\n    anchor_type: absolute'),
         (DATES + ":", "record t01", "field earliest", "is empty, but the EDTF value '2021-03' starts 2021-03-01")),  # noqa: E501
    Case("interval-outside-edtf", "an interval outside its exact EDTF value",
         edit(DATES, 'latest: "2021-03-31"', 'latest: "2021-04-30"'),
         (DATES + ":", "record t01", "field latest", "outside the EDTF value")),
    Case("anchor", "an anaphoric date anchored to a later expression",
         edit(DATES, "anchor_date_id: t01", "anchor_date_id: t04"),
         (DATES + ":", "record t04", "field anchor_date_id", "not an earlier expression")),
    Case("sweep", "a temporal word in no dates row and not listed",
         edit(DATES, "  - utterance_id: a1\n    surface: after\n    reason: \"'look after' is a verb, not a time\"\n", ""),  # noqa: E501
         (DATES + ":", "field not_temporal", "'after'")),
    # mentions
    Case("span-two-actors", "one span resolved to two actors",
         edit(ACTORS, "      - {alias: Freedonian, alias_type: demonym}",
              "      - {alias: Freedonian, alias_type: demonym}\n      - {alias: Sylvania, alias_type: metonym}"),  # noqa: E501
         (ACTORS + ":", "field aliases", "several actors")),
    Case("exception-dangling", "a mention exception that matches no alias occurrence",
         edit(ACTORS, "surface: Freedonian\n    occurrence: 1", "surface: community\n    occurrence: 1"),
         (ACTORS + ":", "field surface", "matches no alias occurrence")),
    # the transcript and the document
    Case("transcript-hash", "the transcript changed: its hash differs",
         lambda root: (root / TRANSCRIPT).write_bytes((root / TRANSCRIPT).read_bytes() + b" "),
         (DOCUMENT + ":", "record source", "field sha256", "record the new hash here")),
    Case("transcript-crlf", "a transcript with CRLF line ends, even once rehashed",
         new_transcript(lambda data: data.replace(b"\n", b"\r\n")),
         (TRANSCRIPT, "carriage return")),
    Case("transcript-bom", "a transcript with a byte-order mark, even once rehashed",
         new_transcript(lambda data: b"\xef\xbb\xbf" + data),
         (TRANSCRIPT, "byte-order mark")),
    Case("transcript-nfd", "a transcript in decomposed Unicode (NFD), even once rehashed",
         new_transcript(lambda data: data.replace(b"Example", "Exe\u0301mple".encode())),
         (TRANSCRIPT, "normal form NFC")),
    Case("label-contradicts-turn", "a printed speaker label that contradicts the turn order",
         edit(DOCUMENT, 'host-radio: ["Host: "]\n  ana-berg: ["Ana Berg : "]',
              'host-radio: ["Ana Berg : "]\n  ana-berg: ["Host: "]'),
         (DOCUMENT + ":", "field speaker_id", "turn order")),
    Case("labels-as-text", "speaker labels given as text instead of a list",
         edit(DOCUMENT, 'host-radio: ["Host: "]', 'host-radio: "Host: "'),
         (DOCUMENT + ":", "field host-radio", "not of type 'array'")),
    Case("no-break-as-text", "no_break_after given as text instead of a list",
         edit(DOCUMENT, "no_break_after: []", "no_break_after: Mr."),
         (DOCUMENT + ":", "field no_break_after", "not of type 'array'")),
    Case("document-misspelt-key", "a misspelt top-level key in document.yaml",
         edit(DOCUMENT, "translated_from: fr", "translated_fro: fr"),
         (DOCUMENT + ":", "field translated_fro", "unknown field")),
    Case("source-absolute", "an absolute source path",
         edit(DOCUMENT, "path: dataset/source/transcript.txt", "path: /etc/hostname"),
         (DOCUMENT + ":", "field path", "does not match")),
    Case("source-outside", "a source path outside the project",
         edit(DOCUMENT, "path: dataset/source/transcript.txt", "path: ../transcript.txt"),
         (DOCUMENT + ":", "field path", "does not match")),
    # package.yaml
    Case("package-list", "a package.yaml that is a list",
         write(PACKAGE, "- name\n- title\n"),
         (PACKAGE, "not of type 'object'")),
    Case("package-sources-number", "package sources given as a number",
         edit(PACKAGE, "sources:\n  - title: The fictional original\n    path: https://example.org/interview",
              "sources: 5"),
         (PACKAGE + ":", "field sources", "not of type 'array'")),
    Case("package-misspelt-key", "a misspelt top-level key in package.yaml",
         edit(PACKAGE, "keywords: [fixture]", "keyword: [fixture]"),
         (PACKAGE + ":", "field keyword", "unknown field")),
    # YAML and files
    Case("yaml-syntax", "a YAML syntax error, reported with its line number",
         edit(CLAIMS, "    quote: Freedonia needs ports", "    quote: [Freedonia needs ports"),
         (CLAIMS + ":", "YAML syntax error")),
    Case("yaml-merge-key", "a YAML merge key",
         edit(CLAIMS, "  - claim_id: c002\n", "  - <<: {topic: meta}\n    claim_id: c002\n"),
         (CLAIMS + ":", "merge keys", "not supported")),
    Case("yaml-python-tag", "a YAML Python tag",
         edit(CLAIMS, "quote: the army left", "quote: !!python/name:os.system the army left"),
         (CLAIMS + ":", "explicit YAML tag", "not supported")),
    Case("misspelt-field", "a misspelt field in a curated record",
         edit(CLAIMS, "    paraphrase: Freedonia needs ports for its trade.",
              "    paraphrse: Freedonia needs ports for its trade."),
         (CLAIMS + ":", "record c004", "field paraphrse", "unknown field")),
    Case("empty-file", "an empty annotation file",
         write(NOTES, "# nothing yet\n"),
         (NOTES, "annotation file is empty")),
    Case("missing-file", "a missing annotation file",
         delete(DATES),
         (DATES, "annotation file is missing")),
    Case("not-utf8", "non-UTF-8 bytes in an annotation file",
         lambda root: (root / NOTES).write_bytes((root / NOTES).read_bytes() + b"\xff\n"),
         (NOTES, "not UTF-8")),
    Case("missing-preamble", "a missing table reference template",
         delete("docs/tables.preamble.md"),
         ("docs/tables.preamble.md", "missing")),
    Case("missing-datasheet-template", "a missing datasheet template",
         delete("docs/datasheet.in.md"),
         ("docs/datasheet.in.md", "missing")),
    Case("stray-parquet", "a Parquet file in the data folder that the build did not write",
         lambda root: shutil.copyfile(root / "dataset/notes.parquet", root / "dataset/mine.parquet"),
         ("dataset/mine.parquet", "not an output of the build")),
    # Table Schemas
    Case("schema-field-missing-from-data", "a schema field the data lacks",
         edit_json(DATES_SCHEMA, lambda d: d["fields"].append(
             {"name": "extra_column", "type": "string", "description": "x"})),
         (DATES + ":", "record t01", "field extra_column", "schema field missing from the data")),
    Case("data-field-missing-from-schema", "data with a field the schema lacks",
         edit_json(DATES_SCHEMA, lambda d: d["fields"].pop()),
         (DATES + ":", "record t01", "field note", "not in schema/dates.json")),
    Case("generic-unknown-field", "a field a generic layer's schema does not have",
         edit(NOTES, "    note_type: translation\n", "    note_type: translation\n    note_kind: x\n"),
         (NOTES + ":", "record n01", "field note_kind", "unknown field")),
    Case("schema-not-json", "a schema file that is not valid JSON",
         write(NOTES_SCHEMA, "{not json"),
         (NOTES_SCHEMA + ":1", "JSON syntax error")),
    Case("schema-not-utf8", "non-UTF-8 bytes in a schema file",
         write(NOTES_SCHEMA, b'{"name": "notes\xff"}'),
         (NOTES_SCHEMA, "not UTF-8")),
    Case("schema-list", "a schema that is a list",
         write(NOTES_SCHEMA, "[]"),
         (NOTES_SCHEMA, "JSON object")),
    Case("schema-unknown-type", "a schema field of an unknown type",
         edit_json(NOTES_SCHEMA, lambda d: field_of(d, "surface").update(type="text")),
         (NOTES_SCHEMA, "field surface", "unsupported type")),
    Case("schema-no-primary-key", "a schema without a primary key",
         edit_json(NOTES_SCHEMA, lambda d: d.pop("primaryKey")),
         (NOTES_SCHEMA, "field primaryKey")),
    Case("schema-no-fields", "a schema without fields",
         edit_json(NOTES_SCHEMA, lambda d: d.pop("fields")),
         (NOTES_SCHEMA, "field fields")),
    Case("schema-bad-regex", "a schema pattern that is not a valid regular expression",
         edit_json(NOTES_SCHEMA, lambda d: field_of(d, "surface").setdefault(
             "constraints", {}).update(pattern="([")),
         (NOTES_SCHEMA, "field surface", "invalid pattern")),
    Case("schema-fk-missing-column", "a foreign key to a missing column",
         edit_json(NOTES_SCHEMA, lambda d: d["foreignKeys"][0]["reference"].update(fields=["nope"])),
         (NOTES_SCHEMA, "field foreignKeys", "no field 'nope'")),
    Case("schema-unknown-constraint", "a schema constraint the build does not implement",
         edit_json(NOTES_SCHEMA, lambda d: field_of(d, "surface").setdefault(
             "constraints", {}).update(maxItems=3)),
         (NOTES_SCHEMA, "field surface", "unknown key", "maxItems")),
    Case("schema-max-length", "a value longer than its schema's maxLength",
         edit_json(NOTES_SCHEMA, lambda d: field_of(d, "surface").setdefault(
             "constraints", {}).update(maxLength=3)),
         (NOTES + ":", "record n01", "field surface", "longer than 3")),
    # confinement: paths from a descriptor, a journal or a curated file stay in the project
    Case("descriptor-path-outside", "a previous descriptor that names a file outside the project",
         descriptor_resource("../victim.txt"),
         (DESCRIPTOR, "record stolen", "field path", "not a data file the build writes")),
    Case("descriptor-path-absolute", "a previous descriptor that names an absolute path",
         lambda root: descriptor_resource(str(root.parent / "victim.txt"))(root),
         (DESCRIPTOR, "record stolen", "field path", "not a data file the build writes")),
    Case("descriptor-path-input", "a previous descriptor that names a curated input",
         descriptor_resource(CLAIMS),
         (DESCRIPTOR, "record stolen", "field path", "not a data file the build writes")),
    Case("descriptor-path-schema", "a previous descriptor that names a Table Schema",
         descriptor_resource(NOTES_SCHEMA),
         (DESCRIPTOR, "record stolen", "field path", "not a data file the build writes")),
    Case("retired-output-changed", "a retired output that differs from what the build wrote",
         both(lambda root: shutil.copyfile(root / "dataset/notes.parquet", root / "dataset/old.parquet"),
              descriptor_resource("dataset/old.parquet")),
         ("dataset/old.parquet", "never deletes a file it did not write")),
    Case("journal-foreign", "a journal the build did not write, naming a file outside",
         write(".build-journal.json", '{"changed": ["../../victim.txt"], "removed": [], "existed": []}'),
         (".build-journal.json", "not a journal this build wrote")),
    Case("journal-outside", "a build journal that names a file outside the project",
         lambda root: write(".build-journal.json", json.dumps({
             "magic": MAGIC, "phase": "swap", "entries": [["../victim.txt", None, VICTIM_SHA]]}))(root),
         (".build-journal.json", "'../victim.txt', which is not an output")),
    Case("reserved-stage-name", "a user file with the name the build stages an output under",
         both(edit(CLAIMS, "Freedonia needs ports for its trade.", "Freedonia needs ports."),
              write("dataset/.claims.parquet.build-new", "mine")),
         ("dataset/.claims.parquet.build-new", "is in the way")),
    Case("reserved-journal-name", "a user file with the name of the build's temporary journal",
         both(edit(CLAIMS, "Freedonia needs ports for its trade.", "Freedonia needs ports."),
              write(".build-journal.json.tmp", "mine")),
         (".build-journal.json.tmp", "is in the way")),
    Case("source-symlink-outside", "a transcript that is a link to a file outside the project",
         lambda root: link_outside(root, TRANSCRIPT),
         (TRANSCRIPT, "leads outside the project")),
    Case("source-fifo", "a transcript that is a FIFO, not a file",
         lambda root: fifo(root, TRANSCRIPT),
         (TRANSCRIPT, "not a regular file")),
    Case("annotation-fifo", "an annotation file that is a FIFO, not a file",
         lambda root: fifo(root, NOTES),
         (NOTES, "not a regular file")),
    # values are what they claim to be: the calendar, TIMEX3 and EDTF agree
    Case("edtf-not-a-day", "an EDTF day that is not on the calendar (29 February of 2021)",
         edit(DATES, 'edtf: "2021-03"', 'edtf: "2021-02-29"'),
         (DATES + ":", "record t01", "field edtf", "not a day of the calendar")),
    Case("timex-not-a-day", "a TIMEX3 day that is not on the calendar (29 February of 2021)",
         edit(DATES, 'timex_value: "2021-03"', 'timex_value: "2021-02-29"'),
         (DATES + ":", "record t01", "field timex_value", "not a day of the calendar")),
    Case("timex-31-february", "a TIMEX3 day that is not on the calendar (31 February)",
         edit(DATES, 'timex_value: "2021-03"', 'timex_value: "2020-02-31"'),
         (DATES + ":", "record t01", "field timex_value", "not a day of the calendar")),
    Case("timex-week-53", "a TIMEX3 week the year does not have (2022-W53)",
         edit(DATES, 'timex_value: "2021-03"', 'timex_value: "2022-W53"'),
         (DATES + ":", "record t01", "field timex_value", "no ISO week 53")),
    Case("timex-duration", "a TIMEX3 duration outside the grammar (P...Y)",
         edit(DATES, 'timex_value: "2021-03"', 'timex_value: "P...Y"'),
         (DATES + ":", "record t01", "field timex_value", "not a TIMEX3 duration")),
    Case("timex-edtf-disagree", "a TIMEX3 value that does not cover the EDTF value of its row",
         edit(DATES, 'timex_value: "2021-03"', 'timex_value: "1815-06"'),
         (DATES + ":", "record t01", "field edtf", "not inside the TIMEX3 value '1815-06'")),
    Case("timex-type-disagree", "a timex_type that contradicts the value",
         edit(DATES, "timex_type: DATE", "timex_type: DURATION"),
         (DATES + ":", "record t01", "field timex_value", "which a DURATION cannot have")),
    Case("granularity-disagree", "a granularity that contradicts the value",
         edit(DATES, "granularity: month", "granularity: year"),
         (DATES + ":", "record t01", "field timex_value", "names a month", "granularity 'year'")),
    Case("approximate-bounds", "bounds far outside an approximate (~) EDTF value",
         both(edit(DATES, 'edtf: "2021-03"', 'edtf: "2021-03~"'),
              edit(DATES, 'earliest: "2021-03-01"', 'earliest: "0001-01-01"')),
         (DATES + ":", "record t01", "field earliest", "outside the EDTF value")),
    Case("edtf-space", "an EDTF value with a leading space",
         edit(DATES, 'edtf: "2021-03"', 'edtf: " 2021-03"'),
         (DATES + ":", "record t01", "field edtf", "U+0020")),
    Case("document-date-moved", "a publication date that the deictic dates no longer contain",
         edit(DOCUMENT, 'date_published: "2022-05-10"', 'date_published: "2023-05-10"'),
         (DATES + ":", "record t02", "field timex_value", "document date 2023-05-10")),
    # text is clean: NFC, no invisible or padded ends, whatever the YAML style
    Case("paraphrase-newline", "a paraphrase ending in a newline (a YAML block)",
         edit(CLAIMS, "paraphrase: Sylvania seeks closer ties with Freedonia.",
              "paraphrase: |\n      Sylvania seeks closer ties with Freedonia."),
         (CLAIMS + ":", "record c001", "field paraphrase", "U+000A")),
    Case("zero-width-explanation", "an explanation of zero-width characters only",
         edit(NOTES, "explanation: A fixture note, to show the format.", 'explanation: "\\u200B\\u200B"'),
         (NOTES + ":", "record n01", "field explanation", "no visible character")),
    Case("bom-reason", "a reason that starts with a byte-order mark",
         edit(CLAIMS, "reason: A request for an explanation.}", 'reason: "\\uFEFFA request for an explanation."}'),  # noqa: E501
         (CLAIMS + ":", "record q1-s02", "field reason", "U+FEFF")),
    Case("alias-newline", "an alias ending in a newline",
         edit(ACTORS, "{alias: Freedonian, alias_type: demonym}", '{alias: "Freedonian\\n", alias_type: demonym}'),  # noqa: E501
         (ACTORS + ":", "record freedonia", "field alias", "U+000A")),
    Case("alias-nfd", "a name spelt in decomposed Unicode (NFD)",
         edit(ACTORS, "name: Sylvania", 'name: "Sylva\\u0300nia"'),
         (ACTORS + ":", "record sylvania", "field name", "NFC")),
    Case("iso3-long", "an ISO code longer than three letters",
         edit(ACTORS, "iso3: null", "iso3: FRDNA"),
         (ACTORS + ":", "record freedonia", "field iso3", "pattern")),
    Case("url-newline", "a source address ending in a newline",
         edit(DOCUMENT, "source_url: https://example.org/interview", 'source_url: "https://example.org/interview\\n"'),
         (DOCUMENT + ":", "field source_url", "U+000A")),
    # one line, never a traceback
    Case("occurrence-float", "an occurrence index written as a decimal",
         edit(CLAIMS, "occurrence: 1", "occurrence: 1.0"),
         (CLAIMS + ":", "record c006", "field occurrence", "not of type 'integer'")),
    Case("hedge-occurrence-float", "a hedge occurrence written as a decimal",
         edit(CLAIMS, "hedge: probably", "hedge: probably\n    hedge_occurrence: 1.0"),
         (CLAIMS + ":", "record c007", "field hedge_occurrence", "not of type 'integer'")),
    Case("from-line-float", "a turn's first line written as a decimal",
         edit(DOCUMENT, "from_line: 3", "from_line: 3.0"),
         (DOCUMENT + ":", "field from_line", "not of type 'integer'")),
    Case("yaml-timestamp-tag", "an impossible date given an explicit YAML timestamp tag",
         edit(DATES, 'earliest: "2021-03-01"', "earliest: !!timestamp 2020-02-30"),
         (DATES + ":", "explicit YAML tag", "timestamp")),
    Case("yaml-int-tag", "a word given an explicit YAML integer tag",
         edit(CLAIMS, "occurrence: 1", "occurrence: !!int abc"),
         (CLAIMS + ":", "explicit YAML tag", "int")),
    Case("yaml-float-tag", "a word given an explicit YAML float tag",
         edit(CLAIMS, "occurrence: 1", "occurrence: !!float abc"),
         (CLAIMS + ":", "explicit YAML tag", "float")),
    Case("yaml-bool-tag", "a word given an explicit YAML boolean tag",
         edit(ACTORS, "wikidata_id: null", "wikidata_id: !!bool maybe"),
         (ACTORS + ":", "explicit YAML tag", "bool")),
    Case("sweep-construct", "a temporal vocabulary item with an inline flag",
         edit(DATES, "sweep_vocabulary: [March, year, now, time, after]",
              'sweep_vocabulary: [March, "(?i)year", now, time, after]'),
         (DATES + ":", "field sweep_vocabulary", "(?...)")),
    Case("sweep-slow", "a temporal vocabulary that backtracks without end",
         edit(DATES, "sweep_vocabulary: [March, year, now, time, after]",
              'sweep_vocabulary: [March, year, now, time, after, "(.+?)(.+?)(.+?)(.+?)(.+?)\\\\5\\\\4\\\\3\\\\2\\\\1"]'),  # noqa: E501
         (DATES + ":", "field sweep_vocabulary", "takes more than"),
         patch=(("rfi_umarov_2022_build.ledgers", "SWEEP_SECONDS", 0.05),)),
    # Table Schemas say only what the build implements, in the right types
    Case("schema-minimum-string", "a schema minimum written as text",
         edit_json(NOTES_SCHEMA, lambda d: field_of(d, "char_start")["constraints"].update(minimum="0")),
         (NOTES_SCHEMA, "field char_start", "is not of type 'number'")),
    Case("schema-required-string", "a schema 'required' written as text",
         edit_json(NOTES_SCHEMA, lambda d: field_of(d, "surface")["constraints"].update(required="false")),
         (NOTES_SCHEMA, "field surface", "is not of type 'boolean'")),
    Case("schema-ordered-string", "categoriesOrdered written as text",
         edit_json("schema/claims.json", lambda d: field_of(d, "certainty").update(categoriesOrdered="no")),
         ("schema/claims.json", "field certainty", "is not of type 'boolean'")),
    Case("schema-misspelt-key", "a misspelt schema key (foreignkeys)",
         edit_json(NOTES_SCHEMA, lambda d: d.update(foreignkeys=d.pop("foreignKeys"))),
         (NOTES_SCHEMA, "unknown key", "foreignkeys")),
    Case("schema-format", "a field format the build does not implement",
         edit_json(NOTES_SCHEMA, lambda d: field_of(d, "surface").update(format="email")),
         (NOTES_SCHEMA, "field surface", "'default' was expected")),
    Case("schema-missing-values", "missingValues, which the build does not implement",
         edit_json(NOTES_SCHEMA, lambda d: d.update(missingValues=["", "NA"])),
         (NOTES_SCHEMA, "unknown key", "missingValues")),
    Case("schema-nan", "a NaN in a schema constraint",
         lambda root: (root / NOTES_SCHEMA).write_text((root / NOTES_SCHEMA).read_text(encoding="utf-8")
                                                        .replace('"minimum": 0', '"minimum": NaN', 1),
                                                        encoding="utf-8"),
         (NOTES_SCHEMA, "not strict JSON", "NaN")),
    Case("schema-slow-pattern", "a schema pattern that backtracks without end",
         edit_json("schema/utterances.json", lambda d: field_of(d, "text").setdefault(
             "constraints", {}).update(pattern="^(?:.{0,30}|(.+?)(.+?)(.+?)(.+?)(.+?)\\5\\4\\3\\2\\1)$")),
         ("field text", "takes more than"),
         patch=(("rfi_umarov_2022_build.schemas", "PATTERN_SECONDS", 0.05),)),
    # codebook rules across tables
    Case("implicit-mentioned", "an actor the quote does not name, coded as merely mentioned",
         edit(CLAIMS, "actors: {freedonia: agent}\n  - claim_id: c005",
              "actors: {freedonia: agent, sylvania: mentioned}\n  - claim_id: c005"),
         (CLAIMS + ":", "record c004/sylvania", "field role", "implicit actors")),
    Case("named-not-actor", "an actor the quote names that is not an actor of the claim",
         edit(CLAIMS, "actors: {freedonia: agent, sylvania: agent}", "actors: {freedonia: agent}"),
         (CLAIMS + ":", "record c011", "field quote", "every actor named in the quote")),
    Case("restates-polarity", "a restatement with the opposite polarity",
         edit(CLAIMS, "    topic: diplomacy\n    actors: {freedonia: agent, sylvania: agent}",
              "    topic: diplomacy\n    restates_claim_id: c009\n    actors: {freedonia: agent, sylvania: agent}"),  # noqa: E501
         (CLAIMS + ":", "record c011", "field restates_claim_id", "restatement")),
    Case("restates-cycle", "two claims that restate each other",
         both(edit(CLAIMS, "    topic: economy\n", "    topic: economy\n    restates_claim_id: c011\n"),
              edit(CLAIMS, "    topic: diplomacy\n    actors: {freedonia: agent, sylvania: agent}",
                   "    topic: diplomacy\n    restates_claim_id: c004\n    actors: {freedonia: agent, sylvania: agent}")),  # noqa: E501
         (CLAIMS + ":", "record c004", "references without cycles", "c004 -> c011 -> c004")),
    Case("restates-cycle-three", "three claims that restate each other in a circle",
         both(edit(CLAIMS, "    topic: economy\n", "    topic: economy\n    restates_claim_id: c011\n"),
              edit(CLAIMS, "    topic: diplomacy\n    actors: {freedonia: agent, sylvania: agent}",
                   "    topic: diplomacy\n    restates_claim_id: c001\n    actors: {freedonia: agent, sylvania: agent}"),  # noqa: E501
              edit(CLAIMS, "    topic: diplomacy\n    actors: {sylvania: agent, freedonia: target}",
                   "    topic: diplomacy\n    restates_claim_id: c004\n    actors: {sylvania: agent, freedonia: target}")),  # noqa: E501
         (CLAIMS + ":", "references without cycles", "c001 -> c004 -> c011 -> c001")),
    Case("frame-restates-cycle", "a frame claim that restates the claim it frames",
         edit(CLAIMS, "    topic: meta\n    actors: {critics: agent, freedonia: mentioned}",
              "    topic: meta\n    restates_claim_id: c006\n    actors: {critics: agent, freedonia: mentioned}"),  # noqa: E501
         (CLAIMS + ":", "references without cycles", "c005 -> c006 -> c005")),
    Case("country-cycle", "two states that are each other's country",
         both(edit(ACTORS, "    iso3: null\n", "    iso3: null\n    country_id: sylvania\n"),
              edit(ACTORS, "    description: Another fictional state", "    country_id: freedonia\n    description: Another fictional state")),  # noqa: E501
         (ACTORS + ":", "record freedonia", "references without cycles", "freedonia -> sylvania -> freedonia")),  # noqa: E501
    # events
    Case("event-mode-of-other-type", "a PLOVER mode that belongs to another type",
         edit(EVENTS, "plover_mode: withdraw", "plover_mode: visit"),
         (EVENTS + ":", "record army-withdrawal-2021", "field plover_mode", "not a mode of RETREAT")),
    Case("event-type-unknown", "a PLOVER type outside the vocabulary",
         edit(EVENTS, "plover_type: SUPPORT", "plover_type: NEGOTIATE"),
         (EVENTS + ":", "record treaty-2021", "field plover_type", "NEGOTIATE")),
    Case("event-mode-list-unknown", "a mode listed under plover_modes that the schema lacks",
         edit(EVENTS, "AGREE: []", "AGREE: [hug]"),
         (EVENTS + ":", "field AGREE", "'hug' is not a plover_mode")),
    Case("event-action-untyped", "an action without a PLOVER type",
         edit(EVENTS, "    plover_type: SUPPORT\n    plover_context: diplomatic\n", ""),
         (EVENTS + ":", "record treaty-2021", "field plover_type", "has a PLOVER type")),
    Case("event-episode-typed", "an episode with a PLOVER type of its own",
         edit(EVENTS, "event_kind: action\n    plover_type: SUPPORT", "event_kind: episode\n    plover_type: SUPPORT"),  # noqa: E501
         (EVENTS + ":", "record treaty-2021", "field plover_type", "no PLOVER type of its own")),
    Case("event-bounds-reversed", "an event whose earliest bound is after its latest",
         edit(EVENTS, 'plover_context: diplomatic\n    earliest: "2021-03-01"\n    latest: "2021-03-31"\n'
              '    edtf: "2021-03"\n    identifier_note: Fictional, so it has no identifier.\n    note: At',
              'plover_context: diplomatic\n    earliest: "2021-03-31"\n    latest: "2021-03-01"\n'
              '    edtf: "2021-03"\n    identifier_note: Fictional, so it has no identifier.\n    note: At'),
         (EVENTS + ":", "record treaty-2021", "field earliest", "is after latest")),
    Case("event-sub-outside", "a sub-event that starts before its event",
         edit(EVENTS, 'parent_event_id: freedonian-visit-2021\n    earliest: "2021-03-01"\n    latest: "2021-03-31"\n'  # noqa: E501
              '    edtf: "2021-03"', 'parent_event_id: freedonian-visit-2021\n    earliest: "2021-02-15"\n'
              '    latest: "2021-03-31"\n    edtf: "2021-02-15/2021-03-31"'),
         (EVENTS + ":", "record army-withdrawal-2021", "field earliest", "sub-events within their event")),
    Case("event-unreferred", "an event that nothing in the text refers to",
         edit(EVENTS, "\nmentions:\n", "  - event_id: never-told\n    label: An event the text never tells\n"
              "    description: Nothing.\n    event_kind: statement\n    earliest: \"2021-01-01\"\n    latest: \"2021-12-31\"\n    edtf: \"2021\"\n    identifier_note: None.\n"  # noqa: E501
              "    note: None.\n    actors: {sylvania: participant}\n\nmentions:\n"),
         (EVENTS + ":", "record never-told", "field event_id", "every event is referred to")),
    Case("event-required-missing", "an event without its actors, named at the event's own line",
         edit(EVENTS, "\nmentions:\n", "  - event_id: never-told\n    label: An event the text never tells\n"
              "    description: Nothing.\n    event_kind: statement\n    edtf: \"2021\"\n"
              "    identifier_note: None.\n    note: None.\n\nmentions:\n"),
         (EVENTS + ":69:", "record never-told", "field actors", "required field is missing")),
    Case("event-actor-unknown", "an event actor that is not in the actor registry",
         edit(EVENTS, "actors: {freedonia: source, sylvania: source}", "actors: {freedonia: source, atlantis: source}"),  # noqa: E501
         (EVENTS + ":", "atlantis", "field actor_id")),
    Case("event-mention-missing", "an event mention whose surface is not in its utterance",
         edit(EVENTS, "utterance_id: a2, surface: signed", "utterance_id: q1, surface: signed"),
         (EVENTS + ":", "record em04", "field surface", "not found")),
    Case("event-mention-modality", "a mention's modality that its sentence does not write",
         edit(EVENTS, "surface: visited, timeml_class: OCCURRENCE, polarity: POS",
              "surface: visited, timeml_class: OCCURRENCE, polarity: POS, modality: might"),
         (EVENTS + ":", "record em02", "field modality", "not written in the mention's sentence")),
    Case("event-ledger-gap", "a sentence with no event mention that the ledger does not list",
         edit(EVENTS, '  - {sentence_id: q2-s01, reason: "A question about staying, no event."}\n', ""),
         (EVENTS + ":", "record q2-s01", "field no_event_sentences", "not listed as holding none")),
    Case("event-ledger-wrong", "a sentence listed as eventless that holds a mention",
         edit(EVENTS, '  - {sentence_id: q2-s01, reason: "A question about staying, no event."}\n',
              '  - {sentence_id: q2-s01, reason: "A question about staying, no event."}\n'
              '  - {sentence_id: q1-s01, reason: "Wrong."}\n'),
         (EVENTS + ":", "record q1-s01", "field sentence_id", "but one lies in it")),
    Case("event-sweep-unexplained", "an event word of the sweep that is neither mention nor excused",
         edit(EVENTS, '  - {utterance_id: a1, surface: say, reason: "Standing criticism by unnamed critics."}\n', ""),  # noqa: E501
         (EVENTS + ":", "say", "not_events")),
    Case("date-event-wrong-anchor", "a date that names an event without being anchored by one",
         edit(DATES, "    anchor_type: previous_expression\n", "    anchor_type: previous_expression\n    event_id: treaty-2021\n"),  # noqa: E501
         (DATES + ":", "record t04", "field event_id", "anchor_type event")),
    Case("claim-event-unknown", "a claim linked to an event that is not in the registry",
         edit(CLAIMS, "events: {treaty-2021: about}", "events: {treaty-2099: about}"),
         (CLAIMS + ":", "treaty-2099", "field event_id")),
    Case("claim-predicts-past", "a claim that predicts an event that ended before the interview",
         edit(CLAIMS, "events: {treaty-2021: about}", "events: {treaty-2021: predicts}"),
         (CLAIMS + ":", "field relation", "predictions of events", "had ended")),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.case_id)
def test_bad_input_fails_cleanly(case, project, capsys, monkeypatch):
    import importlib

    for module, attribute, value in case.patch:
        monkeypatch.setattr(importlib.import_module(module), attribute, value)
    victim = project.parent / "victim.txt"
    victim.write_bytes(VICTIM)
    case.mutate(project)
    mutated = output_files(project)
    code = pipeline.run(project)
    captured = capsys.readouterr()
    assert code == 2, captured.out + captured.err
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, captured.err
    for fragment in case.expected:
        assert fragment in errors[0], (fragment, errors[0])
    assert "Traceback" not in captured.err
    after = output_files(project)
    assert after == mutated, "the failed build changed files"
    assert not list(project.glob(".build-tmp-*"))
    assert victim.read_bytes() == VICTIM, "a file outside the project was touched"


def test_cli_error_is_one_line_without_traceback(project):
    (project / NOTES).write_text("# nothing yet\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "rfi_umarov_2022_build", "--root", str(project)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(f"error: {NOTES}: annotation file is empty")
    assert "Traceback" not in result.stderr


def test_root_that_is_no_project(tmp_path, capsys):
    assert pipeline.run(tmp_path / "nowhere") == 2
    assert "package.yaml: not found under" in capsys.readouterr().err


def test_unwritable_root_is_one_line(project, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(project))

    monkeypatch.setattr(pipeline.tempfile, "TemporaryDirectory", refuse)
    assert pipeline.run(project) == 2
    assert "cannot write: Permission denied" in capsys.readouterr().err


def test_readme_lists_every_case():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Guarantees\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\d+\. (.+)$", section, re.MULTILINE)
    assert listed == [case.what for case in CASES]
    assert f"each of the {len(CASES)} kinds" in section
