"""The span routines under generated text and edits (hypothesis): exact, or a clean failure."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rfi_umarov_2022_build.spans import (
    SpanError,
    find_whole_words,
    locate,
    longest_non_overlapping,
    occurrences,
    split_sentences,
    word_bounded,
)

ALPHABET = st.sampled_from(list("ab AB.?!\n’”“ïéZ1,:-"))
TEXT = st.text(alphabet=ALPHABET, max_size=120)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(TEXT, TEXT, st.one_of(st.none(), st.integers(min_value=-2, max_value=5)))
def test_locate_is_exact_or_fails_cleanly(text, quote, occurrence):
    try:
        start, end = locate(text, quote, occurrence=occurrence)
    except SpanError:
        return
    assert text[start:end] == quote


@PROPERTY
@given(TEXT, st.data())
def test_locate_after_an_edit_never_shifts(text, data):
    if not text:
        return
    begin = data.draw(st.integers(0, len(text) - 1))
    finish = data.draw(st.integers(begin + 1, len(text)))
    quote = text[begin:finish]
    position = data.draw(st.integers(0, len(text)))
    inserted = data.draw(TEXT)
    deleted = data.draw(st.integers(0, 3))
    edited = text[:position] + inserted + text[position + deleted:]
    count = len(occurrences(edited, quote)) if quote else 0
    occurrence = data.draw(st.integers(1, max(count, 1)))
    try:
        start, end = locate(edited, quote, occurrence=occurrence)
    except SpanError:
        assert count == 0
        return
    assert edited[start:end] == quote


@PROPERTY
@given(TEXT, st.data())
def test_sentences_tile_the_span(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    spans = split_sentences(text, start, end)
    previous = start
    for left, right in spans:
        assert start <= left < right <= end
        assert text[previous:left].strip() == ""
        assert text[left:right] == text[left:right].strip()
        previous = right
    assert text[previous:end].strip() == ""


@PROPERTY
@given(TEXT, st.text(alphabet=ALPHABET, min_size=1, max_size=6))
def test_whole_word_matches_are_exact_and_bounded(text, alias):
    for start, end in find_whole_words(text, alias):
        assert text[start:end] == alias
        if re.match(r"\w", alias[0]) and start > 0:
            assert not re.match(r"\w", text[start - 1])
        if re.match(r"\w", alias[-1]) and end < len(text):
            assert not re.match(r"\w", text[end])


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10)), max_size=20))
def test_longest_non_overlapping_keeps_disjoint_spans(pairs):
    spans = [(start, start + length) for start, length in pairs]
    kept = longest_non_overlapping(spans)
    assert set(kept) <= set(spans)
    for (_, end), (start, _) in itertools.pairwise(kept):
        assert end <= start
    for span in spans:  # anything dropped overlaps something kept
        assert span in kept or any(span[0] < k[1] and k[0] < span[1] for k in kept)


def test_sentence_splitter_on_known_cases():
    text = 'He said “Go.” Then 3 left. a stray. lower stays. Mr. Smith came. Why? Yes!'
    spans = split_sentences(text, 0, len(text), no_break_after=["Mr."])
    assert [text[a:b] for a, b in spans] == [
        "He said “Go.”", "Then 3 left. a stray. lower stays.", "Mr. Smith came.", "Why?", "Yes!"]




@PROPERTY
@given(TEXT, st.data())
def test_word_bounded_spans_do_not_cut_words(text, data):
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    word = re.compile(r"\w")  # the oracle: regular expressions' word characters
    inside_start = start > 0 and word.match(text[start - 1]) and word.match(text[start])
    inside_end = end < len(text) and word.match(text[end - 1]) and word.match(text[end])
    assert word_bounded(text, (start, end)) == (not inside_start and not inside_end)
