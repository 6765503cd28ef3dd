"""The spine: transcript, documents, utterances, sentences."""

from __future__ import annotations

import hashlib

import pandas as pd
from conftest import ROOT, curated

TRANSCRIPT_SHA256 = "3c601ee3971376632f3301a3e766a7937ffe1311b05544ff2fd4ec1fdd4a96d9"


def test_transcript_hash_is_the_annotated_one():
    raw = (ROOT / "dataset" / "source" / "transcript.txt").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == TRANSCRIPT_SHA256
    assert curated("document.yaml")["source"]["sha256"] == TRANSCRIPT_SHA256


def test_source_text_is_the_file(text):
    assert text.encode("utf-8") == (ROOT / "dataset" / "source" / "transcript.txt").read_bytes()
    assert text.count("\n") == 11 and not text.endswith("\n")


def test_labels_and_texts_reassemble_the_file_byte_for_byte(tables, text):
    utterances = tables["utterances"].sort_values("seq")
    lines = [("" if pd.isna(row.speaker_label) else row.speaker_label) + row.text
             for row in utterances.itertuples()]
    rebuilt = "\n".join(lines)
    assert rebuilt.encode("utf-8") == (ROOT / "dataset" / "source" / "transcript.txt").read_bytes()


def test_twelve_utterances_with_kinds_and_speakers(tables):
    u = tables["utterances"].sort_values("seq")
    assert len(u) == 12
    assert list(u["line"]) == list(range(1, 13))
    assert list(u["kind"].astype(str)) == ["headline", "standfirst"] + ["question", "answer"] * 5
    speakers = [None if pd.isna(s) else s for s in u["speaker_id"]]
    assert speakers == [None, None] + ["rfi", "temur-umarov"] * 5
    assert list(u["utterance_id"]) == ["headline", "standfirst", "q1", "a1", "q2", "a2", "q3",
                                       "a3", "q4", "a4", "q5", "a5"]
    labels = u.set_index("utterance_id")["speaker_label"]
    assert labels["q1"] == "RFI: " and labels["a1"] == "Temur Umarov : "
    assert labels.drop(["q1", "a1"]).isna().all()


def test_every_answer_replies_to_the_question_before_it(tables):
    u = tables["utterances"].sort_values("seq").reset_index(drop=True)
    for i, row in u.iterrows():
        if row["kind"] == "answer":
            assert row["reply_to"] == u.loc[i - 1, "utterance_id"]
            assert u.loc[i - 1, "kind"] == "question"
        else:
            assert pd.isna(row["reply_to"])


def test_utterance_and_sentence_texts_equal_their_slices(tables, text):
    for name in ("utterances", "sentences"):
        for row in tables[name].itertuples():
            assert text[row.char_start:row.char_end] == row.text, (name, row)


def test_sentences_tile_each_utterance_with_only_whitespace_between(tables, text):
    sentences = tables["sentences"]
    for utt in tables["utterances"].itertuples():
        own = sentences[sentences["utterance_id"] == utt.utterance_id].sort_values("seq")
        assert list(own["seq"]) == list(range(len(own)))
        assert own["char_start"].iloc[0] == utt.char_start
        assert own["char_end"].iloc[-1] == utt.char_end
        for left, right in zip(own["char_end"].iloc[:-1], own["char_start"].iloc[1:], strict=True):
            assert left < right and text[left:right].isspace()


def test_sentence_counts_read_off_the_text(tables):
    counts = tables["sentences"].groupby("utterance_id").size().to_dict()
    assert counts == {"headline": 1, "standfirst": 1, "q1": 2, "a1": 19, "q2": 1, "a2": 7,
                      "q3": 1, "a3": 6, "q4": 2, "a4": 9, "q5": 2, "a5": 5}
    # the stray full stop before a lower-case word does not split (see notes n13)
    a2 = tables["sentences"].set_index("sentence_id")["text"]
    assert a2["a2-s06"].endswith("difficulties. related to the sanctions against Russia.")


def test_document_row(tables, text):
    doc = tables["documents"].iloc[0]
    assert len(tables["documents"]) == 1
    assert str(doc["date_published"].date()) == "2022-09-14"
    assert (doc["language"], doc["translated_from"]) == ("en", "fr")
    assert doc["publisher_id"] == "rfi" and doc["interviewee_id"] == "temur-umarov"
    assert doc["title"] == text.split("\n")[0]
    assert doc["standfirst"] == text.split("\n")[1]
    assert doc["n_chars"] == len(text)
    assert doc["source_sha256"] == TRANSCRIPT_SHA256
