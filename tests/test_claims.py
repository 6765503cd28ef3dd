"""Claims, their actors and dates, sentence coverage, editorial notes."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import curated


def test_quotes_equal_their_slices(tables, text):
    for c in tables["claims"].itertuples():
        assert text[c.char_start:c.char_end] == c.quote
    for n in tables["notes"].itertuples():
        assert text[n.char_start:n.char_end] == n.surface


def test_claim_lies_in_its_utterance_and_starts_in_its_sentence(tables):
    utt = tables["utterances"].set_index("utterance_id")
    sent = tables["sentences"].set_index("sentence_id")
    for c in tables["claims"].itertuples():
        u, s = utt.loc[c.utterance_id], sent.loc[c.sentence_id]
        assert u.char_start <= c.char_start and c.char_end <= u.char_end
        assert s.char_start <= c.char_start < s.char_end


def test_every_sentence_is_accounted_for(tables):
    claims, sentences = tables["claims"], tables["sentences"]
    listed = {item["sentence_id"]: item["reason"]
              for item in curated("claims.yaml")["no_claim_sentences"]}
    for s in sentences.itertuples():
        overlapping = claims[(claims.char_start < s.char_end) & (claims.char_end > s.char_start)]
        assert (len(overlapping) > 0) != (s.sentence_id in listed), s.sentence_id
    assert all(reason.strip() for reason in listed.values())


def test_every_claim_has_an_actor(tables):
    assert set(tables["claims"].claim_id) == set(tables["claim_actors"].claim_id)


def test_reported_claims_have_another_source(tables, text):
    claims = tables["claims"]
    reported = claims[claims.reporting_cue.notna()]
    assert len(reported) == 10
    assert (reported.source_id != reported.speaker_id).all()
    sentences = tables["sentences"].set_index("sentence_id")
    for c in reported.itertuples():
        assert c.reporting_cue in text[sentences.loc[c.sentence_id].char_start:
                                       sentences.loc[c.sentence_id].char_end]


def test_hedged_claims_are_not_certain(tables):
    claims = tables["claims"]
    hedged = claims[claims.hedge.notna()]
    assert len(hedged) >= 10
    assert (hedged.certainty != "certain").all()
    boosted = claims[claims.quote.str.contains("definitely|of course|at all")]
    assert (boosted.certainty == "certain").all() and boosted.hedge.isna().all()


def test_restatement_resolves_and_keeps_the_source(tables):
    claims = tables["claims"].set_index("claim_id")
    restating = claims[claims.restates_claim_id.notna()]
    assert list(restating.index) == ["c001"]
    target = claims.loc[restating.loc["c001", "restates_claim_id"]]
    assert target.utterance_id == "a5"
    assert restating.loc["c001", "source_id"] == target.speaker_id == "temur-umarov"
    assert restating.loc["c001", "speaker_id"] == "rfi"


def test_speakers_follow_the_utterances(tables):
    claims = tables["claims"].merge(tables["utterances"][["utterance_id", "speaker_id"]],
                                    on="utterance_id", suffixes=("", "_utt"))
    spoken = claims[claims.speaker_id_utt.notna()]
    assert (spoken.speaker_id == spoken.speaker_id_utt).all()
    assert set(claims[claims.speaker_id_utt.isna()].speaker_id) == {"rfi"}


EXPECTED = {
    # claim_id: (claim_type, certainty, source_id, {actor: role})
    "c001": ("interpretation", "certain", "temur-umarov", {"central-asia": "agent", "the-west": "target"}),
    "c003": ("fact", "certain", "rfi",
             {"xi-jinping": "agent", "kazakhstan": "target", "uzbekistan": "target"}),
    "c029": ("evaluation", "certain", "china", {"kazakhstan": "agent"}),
    "c036": ("prediction", "probable", "temur-umarov",
             {"xi-jinping": "agent", "kassym-jomart-tokayev": "agent", "kazakhstan": "target"}),
    "c038": ("fact", "certain", "critics-of-china", {"china": "agent", "central-asia": "target"}),
    "c051": ("interpretation", "certain", "temur-umarov", {"russia": "agent", "china": "target"}),
    "c055": ("prediction", "certain", "temur-umarov", {"china": "agent", "russia": "target"}),
    "c062": ("prediction", "possible", "dmitry-medvedev",
             {"russia": "agent", "kazakhstan": "target", "ukraine": "mentioned"}),
    "c066": ("evaluation", "certain", "russia", {"ukraine": "target"}),
    "c069": ("evaluation", "doubtful", "temur-umarov", {"russian-leadership": "target"}),
    "c080": ("interpretation", "certain", "rahmatulla-nurimbetov",
             {"sco": "target", "the-west": "mentioned"}),
    "c081": ("interpretation", "probable", "temur-umarov", {"central-asia": "agent"}),
    "c085": ("prediction", "probable", "temur-umarov", {"sco": "mentioned", "the-west": "mentioned"}),
}


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_hand_annotated_expectations(tables, claim_id):
    claim = tables["claims"].set_index("claim_id").loc[claim_id]
    claim_type, certainty, source, actors = EXPECTED[claim_id]
    assert (claim.claim_type, claim.certainty, claim.source_id) == (claim_type, certainty, source)
    links = tables["claim_actors"]
    got = dict(links[links.claim_id == claim_id][["actor_id", "role"]].astype(str).values)
    assert got == actors


def test_hedge_and_polarity_examples(tables):
    claims = tables["claims"].set_index("claim_id")
    assert claims.loc["c081", "hedge"] == "I don’t think"
    assert claims.loc["c081", "polarity"] == "negative"
    assert claims.loc["c069", "hedge"] == "not sure"
    assert claims.loc["c069", "polarity"] == "affirmative"
    assert claims.loc["c046", "certainty"] == "certain" and pd.isna(claims.loc["c046", "hedge"])


def test_claim_dates_link_claims_to_the_right_times(tables):
    links = tables["claim_dates"]
    assert set(links[links.claim_id == "c062"].date_id) == {"t14"}
    assert set(links[links.claim_id == "c084"].date_id) == {"t16"}
    assert set(links[links.claim_id == "c003"].date_id) == {"t01"}


def test_counts(tables):
    claims = tables["claims"]
    assert 60 <= len(claims) <= 100
    assert claims.claim_id.is_unique
    assert set(claims.speaker_id) == {"rfi", "temur-umarov"}


def test_notes_flag_the_known_slips(tables):
    notes = tables["notes"].set_index("surface")
    assert notes.loc["Carnegie Foundation", "note_type"] == "naming"
    assert notes.loc["pre-square", "suggestion"] == "backyard"
    assert notes.loc["Tokaïev", "note_type"] == "spelling"
    assert notes.loc["difficulties. related", "note_type"] == "grammar"
