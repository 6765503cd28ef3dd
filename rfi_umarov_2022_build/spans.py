"""Span routines: locate a quote, split sentences, find whole-word aliases.

All offsets are Python ``str`` indices into the full text; ``end`` is exclusive.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

Span = tuple[int, int]

CLOSERS = "”’\"')]»"
OPENERS = "“‘\"'([«"
_TERMINATOR = re.compile(r"[.?!]+[" + re.escape(CLOSERS) + r"]*")


class SpanError(ValueError):
    """A quote that cannot be placed unambiguously."""


def occurrences(text: str, needle: str, start: int = 0, end: int | None = None) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``needle`` in text[start:end]."""
    if not needle:
        raise SpanError("empty quote")
    end = len(text) if end is None else end
    found = []
    position = text.find(needle, start, end)
    while position != -1:
        found.append(position)
        position = text.find(needle, position + 1, end)
    return found


def locate(text: str, quote: str, start: int = 0, end: int | None = None,
           occurrence: int | None = None) -> Span:
    """Place ``quote`` in text[start:end]; ``occurrence`` (1-based) picks one of several."""
    found = occurrences(text, quote, start, end)
    if not found:
        raise SpanError(f"quote {quote!r} not found")
    if occurrence is None:
        if len(found) > 1:
            raise SpanError(f"quote {quote!r} found {len(found)} times; add occurrence: 1..{len(found)}")
        occurrence = 1
    if not 1 <= occurrence <= len(found):
        raise SpanError(f"occurrence {occurrence} asked, but quote {quote!r} is found {len(found)} times")
    begin = found[occurrence - 1]
    return begin, begin + len(quote)


def split_sentences(text: str, start: int, end: int, no_break_after: Iterable[str] = ()) -> list[Span]:
    """Split text[start:end] into sentences.

    A sentence ends at '.', '?' or '!' (with any closing quotes or brackets after it) when
    whitespace follows and the next sentence starts with an upper-case letter or a digit,
    possibly behind an opening quote or bracket. A lower-case continuation does not break
    (e.g. a stray full stop inside a sentence). Tokens in ``no_break_after`` (abbreviations
    such as "Mr.") never end a sentence. Sentences are trimmed of surrounding whitespace.
    """
    exceptions = tuple(no_break_after)
    cuts = [start]
    for match in _TERMINATOR.finditer(text, start, end):
        after = match.end()
        cursor = after
        while cursor < end and text[cursor].isspace():
            cursor += 1
        if cursor == after or cursor >= end:
            continue
        head = cursor
        while head < end and text[head] in OPENERS:
            head += 1
        if head >= end or not (text[head].isupper() or text[head].isdigit()):
            continue
        if any(text[start:after].endswith(token) for token in exceptions):
            continue
        cuts.append(cursor)
    cuts.append(end)
    spans = []
    for left, right in itertools.pairwise(cuts):
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        if right > left:
            spans.append((left, right))
    return spans


def is_word_char(char: str) -> bool:
    """The one definition of a word character (as regular expressions' ``\\w``)."""
    return char.isalnum() or char == "_"


def word_bounded(text: str, span: Span) -> bool:
    """Does text[start:end] neither start nor end inside a word?"""
    start, end = span
    if start > 0 and is_word_char(text[start - 1]) and is_word_char(text[start]):
        return False
    return not (end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]))


def find_whole_words(text: str, alias: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Case-sensitive occurrences of ``alias`` in text[start:end] not inside a longer word."""
    end = len(text) if end is None else end
    spans = []
    for begin in occurrences(text, alias, start, end):
        finish = begin + len(alias)
        before_ok = begin == start or not (is_word_char(text[begin - 1]) and is_word_char(alias[0]))
        after_ok = finish == end or not (is_word_char(text[finish]) and is_word_char(alias[-1]))
        if before_ok and after_ok:
            spans.append((begin, finish))
    return spans


def longest_non_overlapping(spans: Iterable[Span]) -> list[Span]:
    """Greedy leftmost-longest selection: keep a span unless it overlaps one already kept."""
    kept: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(span[1] <= other[0] or span[0] >= other[1] for other in kept):
            kept.append(span)
    return sorted(kept)

