"""Actors, aliases and mentions."""

from __future__ import annotations

import itertools
import json
import re

import pandas as pd
import pytest
from actors import MENTION_TYPE_OF_ALIAS
from conftest import ROOT, curated
from spans import find_whole_words


def test_alias_type_mapping_covers_the_schema_enum():
    schema = json.loads((ROOT / "schema" / "actor_aliases.json").read_text())
    enum = next(f for f in schema["fields"] if f["name"] == "alias_type")["constraints"]["enum"]
    assert list(MENTION_TYPE_OF_ALIAS) == enum
    mention_schema = json.loads((ROOT / "schema" / "mentions.json").read_text())
    mention_enum = next(f for f in mention_schema["fields"]
                        if f["name"] == "mention_type")["constraints"]["enum"]
    assert set(MENTION_TYPE_OF_ALIAS.values()) == set(mention_enum)


def test_every_alias_occurrence_is_a_mention_or_an_exception(tables, text):
    mentions = tables["mentions"]
    utterances = tables["utterances"]
    exceptions = curated("actors.yaml")["exceptions"]
    excepted = set()
    for exc in exceptions:
        utt = utterances.set_index("utterance_id").loc[exc["utterance_id"]]
        hits = find_whole_words(text, exc["surface"], utt.char_start, utt.char_end)
        excepted.add(hits[exc.get("occurrence", 1) - 1])
        assert exc["reason"].strip()
    unaccounted = []
    for alias in tables["actor_aliases"].itertuples():
        for utt in utterances.itertuples():
            for start, end in find_whole_words(text, alias.alias, utt.char_start, utt.char_end):
                own = mentions[(mentions.actor_id == alias.actor_id)
                               & (mentions.char_start <= start) & (mentions.char_end >= end)]
                if own.empty and (start, end) not in excepted:
                    unaccounted.append((alias.actor_id, alias.alias, start))
    assert unaccounted == []


def test_speaker_labels_are_not_mentions(tables):
    labelled = tables["utterances"].dropna(subset=["speaker_label"])
    for utt in labelled.itertuples():
        label_start = utt.char_start - len(utt.speaker_label)
        inside = tables["mentions"][(tables["mentions"].char_start >= label_start)
                                    & (tables["mentions"].char_start < utt.char_start)]
        assert inside.empty


def test_surface_equals_its_slice_and_sentence(tables, text):
    sentences = tables["sentences"].set_index("sentence_id")
    for m in tables["mentions"].itertuples():
        assert text[m.char_start:m.char_end] == m.surface
        s = sentences.loc[m.sentence_id]
        assert s.utterance_id == m.utterance_id
        assert s.char_start <= m.char_start and m.char_end <= s.char_end


def test_no_two_mentions_of_the_same_actor_overlap(tables):
    for actor_id, group in tables["mentions"].groupby("actor_id", observed=True):
        spans = sorted(zip(group.char_start, group.char_end, strict=True))
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, actor_id


def test_every_country_id_is_a_state(tables):
    actors = tables["actors"].set_index("actor_id")
    for country in actors["country_id"].dropna():
        assert actors.loc[country, "actor_type"] == "state"


def test_identifiers_match_patterns_and_are_unique(tables):
    actors = tables["actors"]
    for column, pattern in (("wikidata_id", r"Q[1-9][0-9]*"), ("iso3", r"[A-Z]{3}")):
        values = actors[column].dropna()
        assert all(re.fullmatch(pattern, v) for v in values)
        assert values.is_unique
    assert actors["identifier_note"].str.len().min() > 20


def test_verified_identifiers(tables):
    actors = tables["actors"].set_index("actor_id")
    expected = {"china": ("Q148", "CHN"), "kazakhstan": ("Q232", "KAZ"),
                "uzbekistan": ("Q265", "UZB"), "russia": ("Q159", "RUS"),
                "ukraine": ("Q212", "UKR"), "afghanistan": ("Q889", "AFG"),
                "soviet-union": ("Q15180", "SUN")}
    for actor_id, (qid, iso3) in expected.items():
        assert (actors.loc[actor_id, "wikidata_id"], actors.loc[actor_id, "iso3"]) == (qid, iso3)
    assert actors.loc["kassym-jomart-tokayev", "wikidata_id"] == "Q200881"
    # look-alikes and unverifiable ones stay null
    for actor_id in ("carnegie-endowment", "rfi", "temur-umarov", "russian-leadership"):
        assert pd.isna(actors.loc[actor_id, "wikidata_id"])


def test_counts_read_off_the_text(tables):
    m = tables["mentions"]
    by_actor = m.groupby("actor_id", observed=True).size()
    assert by_actor["xi-jinping"] == 7           # q1 1, a1 3, a2 2, a5 1
    names = m[(m.actor_id == "kazakhstan") & (m.mention_type == "name")]
    assert len(names) == 15                       # "Kazakhstan" as a word
    assert len(m[(m.actor_id == "kazakhstan") & (m.mention_type == "demonym")]) == 2  # "Kazakh"
    assert by_actor["kassym-jomart-tokayev"] == 2  # "Tokaïev" and "Tokayev": one person
    russia = m[m.actor_id == "russia"].groupby("surface").size().to_dict()
    assert russia == {"Moscow": 4, "Russia": 11, "Russian": 3}
    assert set(m[m.actor_id == "russian-leadership"].surface) == {"the Kremlin"}
    assert by_actor["russian-leadership"] == 3


def test_nested_ethnic_adjective_is_excepted(tables, text):
    m = tables["mentions"]
    presence = m[m.actor_id == "russians-in-kazakhstan"].iloc[0]
    nested = m[(m.char_start >= presence.char_start) & (m.char_end <= presence.char_end)]
    assert list(nested.actor_id) == ["russians-in-kazakhstan"]


def test_alias_counts_add_up(tables):
    aliases = tables["actor_aliases"]
    assert aliases["n_mentions"].sum() == len(tables["mentions"])
    # every actor has its canonical name among its aliases
    names = tables["actors"].set_index("actor_id")["name"]
    for actor_id, name in names.items():
        assert ((aliases.actor_id == actor_id) & (aliases.alias == name)).any()


@pytest.mark.parametrize("name,column", [("actors", "actor_type"), ("actor_aliases", "alias_type"),
                                         ("mentions", "mention_type")])
def test_enums_load_as_categoricals(tables, name, column):
    assert isinstance(tables[name][column].dtype, pd.CategoricalDtype)
