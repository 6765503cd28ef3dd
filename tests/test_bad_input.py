"""The catalogue of bad input: each case breaks a copy of the project, and the build must
exit non-zero, print one clear line naming the file, the record and the field, and leave
every output byte for byte as it was. The README's "Guarantees" section lists these cases.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import build
import pytest
from conftest import ROOT, output_files


@dataclass(frozen=True)
class Case:
    case_id: str
    what: str
    mutate: Callable[[Path], None]
    expected: tuple[str, ...]  # fragments of the error line: file, record, field, message


def edit(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    """A mutation that replaces text in one file of the copy (and checks it was there)."""

    def mutate(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= count, (rel, old)
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return mutate


def edit_json(rel: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    return mutate


def append_field(data: dict) -> None:
    data["fields"].append({"name": "extra_column", "type": "string", "description": "x"})


def drop_last_field(data: dict) -> None:
    data["fields"].pop()


CLAIMS = "dataset/annotations/claims.yaml"
ACTORS = "dataset/annotations/actors.yaml"
DATES = "dataset/annotations/dates.yaml"
NOTES = "dataset/annotations/notes.yaml"
DOCUMENT = "dataset/annotations/document.yaml"

CASES = [
    Case("quote-missing", "a quote not found in its utterance",
         edit(CLAIMS, "quote: The priority for China is security issues",
              "quote: The priority for China is economic issues"),
         (CLAIMS, "record c007", "field quote", "not found")),
    Case("quote-ambiguous", "a quote found more than once without an occurrence index",
         edit(NOTES, "surface: Chinese power", "surface: China"),
         (NOTES, "record n07", "field surface", "add occurrence")),
    Case("occurrence-out-of-range", "an occurrence index beyond the quote's occurrences",
         edit(DATES, "surface: right now\n    occurrence: 1", "surface: right now\n    occurrence: 3"),
         (DATES, "record t07", "field surface", "occurrence 3")),
    Case("unknown-actor", "a claim about an unknown actor",
         edit(CLAIMS, "actors: {china: agent, central-asia: mentioned}",
              "actors: {chna: agent, central-asia: mentioned}"),
         (CLAIMS, "record c007", "field actors", "unknown actor 'chna'")),
    Case("unknown-date", "a claim tied to an unknown date",
         edit(CLAIMS, "dates: [t01]", "dates: [t99]"),
         (CLAIMS, "record c003", "field dates", "unknown date 't99'")),
    Case("unknown-claim", "a restatement of an unknown claim",
         edit(CLAIMS, "restates_claim_id: c081", "restates_claim_id: c999"),
         (CLAIMS, "record c001", "field restates_claim_id", "refers to no row of claims")),
    Case("unknown-utterance", "a note in an unknown utterance",
         edit(NOTES, "utterance_id: standfirst\n    surface: Carnegie Foundation",
              "utterance_id: a9\n    surface: Carnegie Foundation"),
         (NOTES, "record n02", "field utterance_id", "unknown utterance")),
    Case("unknown-sentence", "an unknown sentence listed as holding no claim",
         edit(CLAIMS, "sentence_id: q1-s02", "sentence_id: q1-s09"),
         (CLAIMS, "record q1-s09", "field sentence_id", "unknown sentence")),
    Case("unknown-interviewee", "a document whose interviewee is an unknown actor",
         edit(DOCUMENT, "interviewee_id: temur-umarov", "interviewee_id: temur-umarof"),
         (DOCUMENT, "record rfi-2022-09-14-umarov", "field interviewee_id", "refers to no row of actors")),
    Case("duplicate-claim-id", "a duplicate id in claims.yaml",
         edit(CLAIMS, "claim_id: c004", "claim_id: c003"),
         (CLAIMS, "record c003", "field claim_id", "duplicate id")),
    Case("duplicate-actor-id", "a duplicate id in actors.yaml",
         edit(ACTORS, "actor_id: uzbekistan", "actor_id: kazakhstan"),
         (ACTORS, "record kazakhstan", "field actor_id", "duplicate id")),
    Case("duplicate-date-id", "a duplicate id in dates.yaml",
         edit(DATES, "date_id: t02", "date_id: t01"),
         (DATES, "record t01", "field date_id", "duplicate id")),
    Case("enum", "a value outside its enum",
         edit(CLAIMS, "certainty: possible\n    hedge: could", "certainty: likely\n    hedge: could"),
         (CLAIMS, "record c062", "field certainty", "not one of")),
    Case("wikidata-pattern", "a malformed Wikidata id",
         edit(ACTORS, "wikidata_id: Q148", "wikidata_id: Q0148"),
         (ACTORS, "record china", "field wikidata_id", "pattern")),
    Case("iso-pattern", "a malformed ISO code",
         edit(ACTORS, "iso3: KAZ", "iso3: KZ"),
         (ACTORS, "record kazakhstan", "field iso3", "pattern")),
    Case("wikidata-duplicate", "two actors sharing one Wikidata id",
         edit(ACTORS, "wikidata_id: Q265", "wikidata_id: Q232"),
         (ACTORS, "field wikidata_id", "must be unique")),
    Case("edtf-malformed", "a malformed EDTF value",
         edit(DATES, "edtf: 2020-01", "edtf: 2020-13"),
         (DATES, "record t01", "field edtf", "not valid EDTF")),
    Case("edtf-season", "an EDTF season code, which the edtf package bounds wrongly",
         edit(DATES, "edtf: 2021-12/2022-02", "edtf: 2022-24"),
         (DATES, "record t08", "field edtf", "season")),
    Case("earliest-after-latest", "earliest later than latest",
         edit(DATES, "earliest: 2020-01-17", "earliest: 2020-01-19"),
         (DATES, "record t01", "field earliest", "after latest")),
    Case("interval-outside-edtf", "an interval outside its exact EDTF value",
         edit(DATES, "latest: 2020-01-18", "latest: 2020-02-18"),
         (DATES, "record t01", "field latest", "outside the EDTF value")),
    Case("anchor", "an anaphoric date anchored to a later expression",
         edit(DATES, "anchor_date_id: t05", "anchor_date_id: t16"),
         (DATES, "record t06", "field anchor_date_id", "not an earlier expression")),
    Case("sweep", "a temporal word in no dates row and not listed",
         edit(DATES, "  - utterance_id: a1\n    surface: after\n",
              "  - utterance_id: a1\n    surface: Since\n"),
         (DATES, "field not_temporal", "'after'")),
    Case("span-two-actors", "one span resolved to two actors",
         edit(ACTORS, "      - {alias: Ukraine, alias_type: name}",
              "      - {alias: Ukraine, alias_type: name}\n      - {alias: Russia, alias_type: metonym}"),
         (ACTORS, "field aliases", "several actors")),
    Case("exception-dangling", "a mention exception that matches no alias occurrence",
         edit(ACTORS, "    surface: Russian\n    occurrence: 1", "    surface: strong\n    occurrence: 1"),
         (ACTORS, "field surface", "matches no alias occurrence")),
    Case("country-not-state", "a country_id that is not a state",
         edit(ACTORS, "country_id: china\n    description: Xinjiang",
              "country_id: central-asia\n    description: Xinjiang"),
         (ACTORS, "record xinjiang", "field country_id", "not a state")),
    Case("transcript-hash", "the transcript changed: its hash differs",
         lambda root: (root / "dataset/source/transcript.txt").write_text(
             (ROOT / "dataset/source/transcript.txt").read_text(encoding="utf-8") + " ",
             encoding="utf-8"),
         (DOCUMENT, "record source", "field sha256", "record the new hash here")),
    Case("schema-field-missing-from-data", "a schema field the data lacks",
         edit_json("schema/notes.json", append_field),
         (NOTES, "record n01", "field extra_column", "schema field missing from the data")),
    Case("data-field-missing-from-schema", "data with a field the schema lacks",
         edit_json("schema/notes.json", drop_last_field),
         (NOTES, "record n01", "field explanation", "not in schema/notes.json")),
    Case("yaml-syntax", "a YAML syntax error, reported with its line number",
         edit(CLAIMS, "    quote: First economic\n", "    quote: [First economic\n"),
         (CLAIMS + ":", "YAML syntax error")),
    Case("empty-file", "an empty annotation file",
         lambda root: (root / NOTES).write_text("# nothing yet\n", encoding="utf-8"),
         (NOTES, "annotation file is empty")),
    Case("missing-file", "a missing annotation file",
         lambda root: (root / DATES).unlink(),
         (DATES, "annotation file is missing")),
    Case("sentence-unaccounted", "a sentence covered by no claim and not listed",
         edit(CLAIMS, "  - sentence_id: q4-s02\n", "  - sentence_id: q4-s02-gone\n"),
         (CLAIMS, "record q4-s02-gone", "field sentence_id", "unknown sentence")),
    Case("sentence-unlisted", "a claimless sentence missing from no_claim_sentences",
         lambda root: (root / CLAIMS).write_text(
             (root / CLAIMS).read_text(encoding="utf-8").split("  - sentence_id: q4-s02")[0],
             encoding="utf-8"),
         (CLAIMS, "record q4-s02", "field no_claim_sentences", "covered by no claim")),
    Case("sentence-listed-but-claimed", "a sentence listed as claimless that holds a claim",
         edit(CLAIMS, "  - sentence_id: q4-s02\n", "  - sentence_id: a1-s01\n"),
         (CLAIMS, "record a1-s01", "field sentence_id", "a claim's quote lies in it")),
    Case("label-contradicts-turns", "a printed speaker label that contradicts the turn order",
         edit(DOCUMENT, "    - {kind: question, speaker_id: rfi, id_prefix: q}\n"
                        "    - {kind: answer, speaker_id: temur-umarov, id_prefix: a}",
              "    - {kind: answer, speaker_id: temur-umarov, id_prefix: a}\n"
              "    - {kind: question, speaker_id: rfi, id_prefix: q}"),
         (DOCUMENT, "record a1", "field speaker_id", "labelled 'RFI: '")),
    Case("hedged-certain", "a hedged claim coded certain",
         edit(CLAIMS, "certainty: probable\n    hedge: probably", "certainty: certain\n    hedge: probably"),
         (CLAIMS, "record c085", "field certainty", "cannot be certain")),
    Case("hedge-not-in-text", "a hedge that is not written in the claim's sentence",
         edit(CLAIMS, "hedge: probably", "hedge: perhaps"),
         (CLAIMS, "record c085", "field hedge", "not written")),
    Case("reported-own-source", "reported speech whose source is the speaker",
         edit(CLAIMS, "    source_id: critics-of-china\n    reporting_cue: say the critics\n"
                      "    claim_type: fact\n    certainty: certain\n    polarity: negative",
              "    source_id: temur-umarov\n    reporting_cue: say the critics\n"
              "    claim_type: fact\n    certainty: certain\n    polarity: negative"),
         (CLAIMS, "record c038", "field source_id", "source other than the speaker")),
    Case("unknown-field", "a misspelt field in a curated record",
         edit(CLAIMS, "    paraphrase: Security is China's priority",
              "    parafrase: Security is China's priority"),
         (CLAIMS, "record c007", "field parafrase", "unknown field")),
    Case("schema-json", "a schema file that is not valid JSON",
         lambda root: (root / "schema/dates.json").write_text('{\n  "name": "dates",\n',
                                                              encoding="utf-8"),
         ("schema/dates.json:", "JSON syntax error")),
]


def test_catalogue_is_large_and_listed_in_the_readme():
    assert len(CASES) >= 15
    assert len({case.case_id for case in CASES}) == len(CASES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guarantees = readme.split("## Guarantees\n", 1)[1].split("\n## ", 1)[0]
    assert f"{len(CASES)} kinds of bad input" in guarantees
    listed = re.findall(r"^\d+\. (.+)$", guarantees, re.MULTILINE)
    assert listed == [case.what for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
def test_bad_input_is_refused_cleanly(case, project_copy, capsys):
    before = output_files(project_copy)
    case.mutate(project_copy)
    code = build.run(project_copy)
    captured = capsys.readouterr()
    assert code != 0
    first = captured.err.splitlines()[0]
    assert first.startswith("error: ")
    for fragment in case.expected:
        assert fragment in first, (fragment, first)
    assert "Traceback" not in captured.err
    assert output_files(project_copy) == before
    assert not list(project_copy.glob(".build-tmp-*"))


def test_the_command_line_reports_one_line_and_exits_non_zero(project_copy):
    before = output_files(project_copy)
    edit(CLAIMS, "certainty: probable\n    hedge: probably",
         "certainty: sure\n    hedge: probably")(project_copy)
    result = subprocess.run([sys.executable, str(project_copy / "scripts" / "build.py")],
                            capture_output=True, text=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {CLAIMS}:")
    assert "record c085: field certainty" in lines[0]
    assert lines[1:] == ["build failed; the outputs were left untouched"]
    assert output_files(project_copy) == before


def test_check_lists_the_files_that_differ(project_copy):
    (project_copy / "dataset" / "notes.parquet").write_bytes(b"stale")
    (project_copy / "docs" / "tables.md").write_text("stale", encoding="utf-8")
    result = subprocess.run([sys.executable, str(project_copy / "scripts" / "build.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "dataset/notes.parquet" in result.stdout and "docs/tables.md" in result.stdout
    assert "dataset/claims.parquet" not in result.stdout
