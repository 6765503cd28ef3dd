"""Invariants of the real data: keys, offsets, coverage, agreement with the source and schemas.

Nothing here repeats an annotation value or a count: a curator's correction keeps these green,
and a broken build, a stale output or a slip in the text fails them.
"""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import LAYERS, ROOT, SCHEMAS, SPAN_TABLES

import rfi_umarov_2022 as ds
from rfi_umarov_2022_build.spans import find_whole_words

TABLES = list(SCHEMAS)
SPANNED = SPAN_TABLES
#: The column holding a span's text, as the schema's span block declares it.
TEXT_COLUMN = {name: SCHEMAS[name]["span"]["text"] for name in SPANNED}


def curated(name: str):
    """A curated file, read with plain PyYAML (not the build's reader)."""
    return yaml.load((ROOT / "dataset/annotations" / name).read_text(encoding="utf-8"),
                     Loader=yaml.BaseLoader)


def fields(name: str) -> list[dict]:
    return SCHEMAS[name]["fields"]


def primary_key(name: str) -> list[str]:
    return SCHEMAS[name]["primaryKey"]


def foreign_keys(name: str) -> list[dict]:
    return SCHEMAS[name].get("foreignKeys", [])


def test_transcript_is_the_annotated_one(text):
    document = curated("document.yaml")
    digest = hashlib.sha256((ROOT / document["source"]["path"]).read_bytes()).hexdigest()
    assert digest == document["source"]["sha256"]
    assert text.encode("utf-8") == (ROOT / document["source"]["path"]).read_bytes()


def test_labels_and_texts_reassemble_the_file_byte_for_byte(tables, text):
    utterances = tables["utterances"].sort_values("seq")
    lines = [("" if pd.isna(row.speaker_label) else row.speaker_label) + row.text
             for row in utterances.itertuples()]
    assert "\n".join(lines) == text


@pytest.mark.parametrize("name", SPANNED)
def test_every_span_slices_the_source_to_its_text(name, tables, text):
    frame = tables[name]
    assert (frame.char_start < frame.char_end).all()
    assert (frame.char_end <= len(text)).all()
    column = TEXT_COLUMN[name]
    for row in frame.itertuples():
        assert text[row.char_start:row.char_end] == getattr(row, column), (name, row)


@pytest.mark.parametrize("name", LAYERS)
def test_spans_lie_in_their_utterance_and_start_in_their_sentence(name, tables):
    utterances = tables["utterances"].set_index("utterance_id")
    sentences = tables["sentences"].set_index("sentence_id")
    for row in tables[name].itertuples():
        utterance = utterances.loc[row.utterance_id]
        assert utterance.char_start <= row.char_start and row.char_end <= utterance.char_end
        if "sentence_id" in tables[name].columns:
            sentence = sentences.loc[row.sentence_id]
            assert sentence.utterance_id == row.utterance_id
            assert sentence.char_start <= row.char_start < sentence.char_end


def test_sentences_tile_each_utterance_with_only_whitespace_between(tables, text):
    sentences = tables["sentences"]
    for utt in tables["utterances"].itertuples():
        own = sentences[sentences["utterance_id"] == utt.utterance_id].sort_values("seq")
        assert list(own["seq"]) == list(range(len(own)))
        assert own["char_start"].iloc[0] == utt.char_start
        assert own["char_end"].iloc[-1] == utt.char_end
        for left, right in zip(own["char_end"].iloc[:-1], own["char_start"].iloc[1:], strict=True):
            assert left < right and text[left:right].isspace()


def test_every_answer_replies_to_the_question_before_it(tables):
    u = tables["utterances"].sort_values("seq").reset_index(drop=True)
    for i, row in u.iterrows():
        if row["kind"] == "answer":
            assert row["reply_to"] == u.loc[i - 1, "utterance_id"]
        else:
            assert pd.isna(row["reply_to"])


def test_speaker_means_the_same_in_utterances_and_claims(tables):
    merged = tables["claims"].merge(tables["utterances"][["utterance_id", "speaker_id"]],
                                    on="utterance_id", suffixes=("", "_utterance"))
    assert (merged.speaker_id == merged.speaker_id_utterance).all()
    assert tables["utterances"].speaker_id.notna().all()


def test_document_row_agrees_with_the_text(tables, text):
    document = tables["documents"].iloc[0]
    lines = text.split("\n")
    assert document.n_chars == len(text)
    assert document.title in lines and document.standfirst in lines


@pytest.mark.parametrize("name", TABLES)
def test_primary_key_is_unique(name, tables):
    assert not tables[name].duplicated(primary_key(name)).any()


@pytest.mark.parametrize("name", TABLES)
def test_foreign_keys_resolve(name, tables):
    for fk in foreign_keys(name):
        target = tables[fk["reference"].get("resource", name)]
        keys = set(map(tuple, target[fk["reference"]["fields"]].astype(object).values.tolist()))
        values = tables[name][fk["fields"]].dropna()
        for row in map(tuple, values.astype(object).values.tolist()):
            assert row in keys, (name, fk["fields"], row)


def test_every_alias_occurrence_is_a_mention_or_an_exception(tables, text):
    mentions = tables["mentions"]
    utterances = tables["utterances"].set_index("utterance_id")
    excepted = set()
    for exception in curated("actors.yaml").get("exceptions") or []:
        utterance = utterances.loc[exception["utterance_id"]]
        hits = find_whole_words(text, exception["surface"], utterance.char_start, utterance.char_end)
        excepted.add(hits[int(exception.get("occurrence", 1)) - 1])
    unaccounted = []
    for alias in tables["actor_aliases"].itertuples():
        for utt in utterances.itertuples():
            for start, end in find_whole_words(text, alias.alias, utt.char_start, utt.char_end):
                own = mentions[(mentions.actor_id == alias.actor_id)
                               & (mentions.char_start <= start) & (mentions.char_end >= end)]
                if own.empty and (start, end) not in excepted:
                    unaccounted.append((alias.actor_id, alias.alias, start))
    assert unaccounted == []


def test_no_two_mentions_of_one_actor_overlap(tables):
    for _, group in tables["mentions"].sort_values("char_start").groupby("actor_id", observed=True):
        assert (group.char_start.iloc[1:].values >= group.char_end.iloc[:-1].values).all()


def test_alias_counts_add_up(tables):
    aliases = tables["actor_aliases"]
    assert aliases["n_mentions"].sum() == len(tables["mentions"])
    names = tables["actors"].set_index("actor_id")["name"]
    for actor_id, name in names.items():
        assert ((aliases.actor_id == actor_id) & (aliases.alias == name)).any()


def test_country_ids_are_states(tables):
    actors = tables["actors"].set_index("actor_id")
    for country in actors.country_id.dropna():
        assert actors.loc[country, "actor_type"] == "state"


def test_every_sentence_holds_a_claim_or_is_listed(tables):
    claims, sentences = tables["claims"], tables["sentences"]
    listed = {r["sentence_id"] for r in curated("claims.yaml").get("no_claim_sentences") or []}
    for sentence in sentences.itertuples():
        inside = claims[(claims.char_start < sentence.char_end) & (claims.char_end > sentence.char_start)]
        assert inside.empty == (sentence.sentence_id in listed), sentence.sentence_id


def test_reported_claims_name_another_source_and_a_written_cue(tables, text):
    claims = tables["claims"]
    reported = claims[claims.reporting_cue.notna()]
    assert (reported.source_id != reported.speaker_id).all()
    sentences = tables["sentences"].set_index("sentence_id")
    for claim in claims[claims.hedge.notna()].itertuples():
        assert claim.certainty != "certain"
    for claim in reported.itertuples():
        utterance = tables["utterances"].set_index("utterance_id").loc[claim.utterance_id]
        assert claim.reporting_cue in text[utterance.char_start:utterance.char_end]
        assert claim.sentence_id in sentences.index


def test_every_cue_is_one_span_in_its_claims_sentences(tables):
    """claim_cues holds exactly the claims' hedges and reporting cues, each within the
    sentences its claim's quote spans."""
    claims, cues = tables["claims"].set_index("claim_id"), tables["claim_cues"]
    sentences = tables["sentences"]
    expected = {(claim_id, column): value
                for column in ("hedge", "reporting_cue")
                for claim_id, value in claims[column].dropna().items()}
    found = {(row.claim_id, row.cue_type): row.cue for row in cues.itertuples()}
    assert found == expected
    for cue in cues.itertuples():
        claim = claims.loc[cue.claim_id]
        spanned = sentences[(sentences.utterance_id == claim.utterance_id)
                            & (sentences.char_start < claim.char_end)
                            & (sentences.char_end > claim.char_start)]
        assert cue.utterance_id == claim.utterance_id
        assert spanned.char_start.min() <= cue.char_start and cue.char_end <= spanned.char_end.max()


def test_frame_claims_are_the_speakers_own_in_the_same_utterance(tables):
    claims = tables["claims"].set_index("claim_id")
    framed = claims[claims.frame_claim_id.notna()]
    assert framed.reporting_cue.notna().all()
    for claim_id, claim in framed.iterrows():
        frame = claims.loc[claim.frame_claim_id]
        assert claim.frame_claim_id != claim_id
        assert frame.utterance_id == claim.utterance_id
        assert frame.source_id == frame.speaker_id and pd.isna(frame.reporting_cue)


def test_dates_bounds_are_ordered_and_anchors_come_first(tables):
    dates = tables["dates"].sort_values("char_start")
    both = dates.dropna(subset=["earliest", "latest"])
    assert (both.earliest <= both.latest).all()
    seen: set[str] = set()
    for row in dates.itertuples():
        if row.anchor_type == "previous_expression":
            assert row.anchor_date_id in seen
        else:
            assert pd.isna(row.anchor_date_id)
        seen.add(row.date_id)


def test_deictic_expressions_contain_the_interview_date(tables):
    published = tables["documents"].iloc[0].date_published
    dates = tables["dates"]
    for row in dates[dates.timex_value == "PRESENT_REF"].itertuples():
        assert row.earliest <= published <= row.latest


ARROW = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
         "boolean": pa.bool_(), "date": pa.date32()}


@pytest.mark.parametrize("name", TABLES)
def test_stored_arrow_schema_follows_the_table_schema(name):
    """Read with plain pyarrow, each file's columns, types, nullability and dictionaries are what
    the Table Schema as written says."""
    table = pq.read_table(ROOT / "dataset" / f"{name}.parquet")
    assert table.column_names == [f["name"] for f in fields(name)]
    for field in fields(name):
        column = table.column(field["name"])
        arrow = table.schema.field(field["name"])
        assert arrow.nullable == (not field.get("constraints", {}).get("required", False)), field
        if "categories" in field:
            assert arrow.type.ordered == field.get("categoriesOrdered", False)
            for chunk in column.chunks:
                assert chunk.dictionary.to_pylist() == field["categories"], field["name"]
        else:
            assert arrow.type == ARROW[field["type"]], field["name"]


def test_descriptor_describes_the_files():
    """Each resource: the file's sha256, and the schema as written plus the enum copy of its
    categories (for readers of Table Schema v1)."""
    package = json.loads(ds.datapackage_path().read_text(encoding="utf-8"))
    assert package["version"] == ds.__version__
    assert sorted(r["name"] for r in package["resources"]) == sorted(SCHEMAS)
    for resource in package["resources"]:
        data = (ROOT / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        expected = json.loads(json.dumps(SCHEMAS[resource["name"]]))
        expected.pop("$schema", None)
        for field in expected["fields"]:
            if "categories" in field:
                field.setdefault("constraints", {})["enum"] = field["categories"]
        assert resource["schema"] == expected
        assert "bytes" not in resource  # frictionless misreports it for Parquet


def test_every_claim_id_the_codebook_cites_exists(tables):
    codebook = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    cited = {m.group() for m in re.finditer(r"\bc\d{3,}\b", codebook)
             if not re.search(r"retired|until\s+the\s+audit",
                              codebook[max(m.start() - 160, 0):m.end() + 160])}
    assert cited <= set(tables["claims"].claim_id), sorted(cited - set(tables["claims"].claim_id))


def test_every_table_field_and_value_is_documented():
    reference = (ROOT / "docs" / "tables.md").read_text(encoding="utf-8")
    codebook = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    for name in SCHEMAS:
        section = reference.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        for field in fields(name):
            assert f"| `{field['name']}` |" in section, (name, field["name"])
    missing = [(name, field["name"], value) for name in SCHEMAS for field in fields(name)
               for value in field.get("categories", ())
               if not re.search(rf"(\| |\*\*|`){re.escape(value)}(\*\*| \||`)", codebook)]
    assert missing == []


def test_documented_values_equal_the_data_byte_for_byte(tables):
    """Quoted cue words in the docs (codebook, table reference, README, datasheet) are spelt as
    in the data, apostrophes included."""
    docs = "\n".join((ROOT / path).read_text(encoding="utf-8") for path in
                     ("docs/codebook.md", "docs/tables.md", "README.md", "docs/datasheet.md"))
    claims = tables["claims"]
    values = set(claims.hedge.dropna()) | set(claims.reporting_cue.dropna())
    for value in values:
        straight = value.replace("’", "'")
        if straight != value:
            for quoted in (f"“{straight}”", f'"{straight}"', f"'{straight}'"):
                assert quoted not in docs, value


def test_license_names_every_column_that_quotes_the_text(tables, text):
    """A text column whose every value is written in the transcript quotes it: LICENSE must say
    that it is RFI's text, not CC BY. Every column LICENSE names exists."""
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    named = set(re.findall(r"\b([a-z_]+\.[a-z_]+)\b", licence.split("\n2.", 1)[0]))
    columns = {f"{name}.{field['name']}" for name in SCHEMAS for field in fields(name)}
    assert named - {"transcript.txt"} <= columns
    for name, frame in tables.items():
        for field in fields(name):
            values = frame[field["name"]].dropna()
            if field["type"] != "string" or "categories" in field or values.empty:
                continue
            if values.str.len().max() > 3 and all(value in text for value in values):
                assert f"{name}.{field['name']}" in named, f"{name}.{field['name']}"


def test_the_wheel_declares_the_licences_of_package_yaml():
    """pyproject.toml's licence expression is the one hand-written copy: it must name the
    licences package.yaml declares (from which the descriptor, Croissant and CITATION.cff derive)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [lic["name"] for lic in curated("package.yaml")["licenses"]]
    assert project["license"].split(" AND ") == declared
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert [lic["name"] for lic in package["licenses"]] == declared


def test_the_changelog_names_this_release():
    """The newest CHANGELOG entry is this version, released on package.yaml's date."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## \[([^\]]+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.MULTILINE)
    assert newest is not None
    assert newest.groups() == (ds.__version__, curated("package.yaml")["date_published"])


def test_the_changelog_names_this_releases_data_id():
    """A version is citable only if its data can be told apart: the newest entry names the
    descriptor's id, which hashes every file the descriptor lists (so a data change without a
    CHANGELOG entry fails here); every older entry names the commit to build it from."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = re.split(r"^## ", changelog, flags=re.MULTILINE)[1:]
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert package["id"] in entries[0], "the newest CHANGELOG entry must name the data id"
    for entry in entries[1:]:
        assert re.search(r"\bcommit `[0-9a-f]{7,40}`", entry), entry.splitlines()[0]


def test_holds_at_dates_agree_with_the_claims_time_orientation(tables):
    """A claim's tense and the dates it holds at tell the same story about the interview date:
    a past claim does not hold only after it, a future claim not only before it, a present one
    holds across it; a 'since' date starts before it."""
    interview = tables["documents"].date_published.iloc[0]
    links = (tables["claim_dates"].merge(tables["dates"], on="date_id")
             .merge(tables["claims"][["claim_id", "time_orientation"]], on="claim_id"))
    after = links.earliest > interview    # False where the bound is open (NaT)
    before = links.latest < interview
    holds = links.relation == "holds_at"
    wrong = ((holds & (links.time_orientation == "past") & after)
             | (holds & (links.time_orientation == "future") & before)
             | (holds & (links.time_orientation == "present") & (after | before))
             | ((links.relation == "since") & after))
    assert not wrong.any(), links[wrong][["claim_id", "date_id", "relation", "time_orientation"]]


def test_no_claim_actor_is_merely_mentioned_without_being_named(tables):
    """Codebook rule 'implicit actors' as the audit's one query: a claim actor with role
    'mentioned' has a mention of that actor inside the claim's quote."""
    links = tables["claim_actors"].merge(tables["claims"][["claim_id", "char_start", "char_end"]],
                                         on="claim_id")
    mentions = tables["mentions"][["actor_id", "char_start", "char_end"]].rename(
        columns={"char_start": "m_start", "char_end": "m_end"})
    joined = links.merge(mentions, on="actor_id", how="left")
    joined["inside"] = (joined.m_start >= joined.char_start) & (joined.m_end <= joined.char_end)
    named = joined.groupby(["claim_id", "actor_id"], observed=True).inside.any()
    mentioned = links[links.role == "mentioned"].set_index(["claim_id", "actor_id"]).index
    assert [pair for pair in mentioned if not named.get(pair, False)] == []
