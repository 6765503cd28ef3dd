"""TIMEX3 values, parsed by their grammar and checked against the calendar.

The grammar is the value attribute of TimeML 1.2.1's TIMEX3 (after the TIDES conventions):
``PRESENT_REF``/``PAST_REF``/``FUTURE_REF``; a century ``19``, decade ``199``, year ``2013``;
a season ``2022-WI``, quarter ``2022-Q1``, half ``2022-H1``; a month ``2020-01``; an ISO week
``2022-W37`` (the year must have it); a day ``2022-09-14`` or ``2022-W37-3`` (it must exist);
a time ``2022-09-14T10:30``; a duration ``P3W`` or ``PT2H``; ``X`` for an unspecified digit.
Each value is parsed into its kind, its calendar unit and the interval it covers, so that the
build can check it against ``timex_type``, ``granularity`` and the EDTF value of the same row.

Seasons follow one convention, which the codebook states: ``YYYY-WI`` is the winter whose
January falls in YYYY (December of YYYY-1 to February of YYYY); spring, summer and autumn are
March-May, June-August and September-November of YYYY.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

REFS = ("PRESENT_REF", "PAST_REF", "FUTURE_REF")
SEASONS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}
_NUMBER = r"[0-9X]+(?:\.[0-9]+)?"
_DURATION = re.compile(rf"^P(?:(?P<date>(?:{_NUMBER}[YMWD])+)?)(?:T(?P<time>(?:{_NUMBER}[HMS])+))?$")
_TIME = re.compile(r"^(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})T"
                   r"(?:(?P<hms>[0-9]{2}(?::[0-9]{2}(?::[0-9]{2})?)?)|MO|AF|EV|NI)$")


class TimexError(ValueError):
    """A value outside the TIMEX3 grammar, or a date that is not on the calendar."""


@dataclass(frozen=True)
class Timex:
    """A parsed value: ``kind`` is ref, date, time or duration; ``unit`` the calendar unit a date
    names (century, decade, year, season, quarter, half, month, week, day), None otherwise;
    ``lower``/``upper`` the first and last day it covers, None where unknown."""

    kind: str
    unit: str | None = None
    lower: dt.date | None = None
    upper: dt.date | None = None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str) -> int:
    year = int(text)
    if not 1 <= year <= 9999:
        raise TimexError(f"year {year} is outside 1-9999")
    return year


def _date(value: str) -> Timex:
    if "X" in value:  # unspecified digits: the form must be a date, the interval is unknown
        if not re.fullmatch(r"[0-9X]{4}(-[0-9X]{2}(-[0-9X]{2})?)?|[0-9X]{4}-W[0-9X]{2}", value):
            raise TimexError("is not a TIMEX3 value")
        return Timex("date")
    if re.fullmatch(r"[0-9]{2}", value):
        start = _year(f"{value}00") if value != "00" else 1
        return Timex("date", "century", dt.date(start, 1, 1), dt.date(int(value) * 100 + 99, 12, 31))
    if re.fullmatch(r"[0-9]{3}", value):
        start = int(value) * 10
        return Timex("date", "decade", dt.date(max(start, 1), 1, 1), dt.date(start + 9, 12, 31))
    match = re.fullmatch(r"([0-9]{4})(?:-(.+))?", value)
    if match is None:
        raise TimexError("is not a TIMEX3 value")
    year, rest = _year(match.group(1)), match.group(2)
    if rest is None:
        return Timex("date", "year", dt.date(year, 1, 1), dt.date(year, 12, 31))
    if rest in SEASONS:
        first, last = SEASONS[rest]
        start_year = year - 1 if rest == "WI" else year
        if start_year < 1:
            raise TimexError("starts before year 1")
        return Timex("date", "season", dt.date(start_year, first, 1), _month_end(year, last))
    if re.fullmatch(r"Q[1-4]", rest):
        quarter = int(rest[1])
        return Timex("date", "quarter", dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    if re.fullmatch(r"H[12]", rest):
        half = int(rest[1])
        return Timex("date", "half", dt.date(year, 6 * half - 5, 1), _month_end(year, 6 * half))
    if re.fullmatch(r"[0-9]{2}", rest):
        month = int(rest)
        if not 1 <= month <= 12:
            raise TimexError(f"month {rest} does not exist")
        return Timex("date", "month", dt.date(year, month, 1), _month_end(year, month))
    week = re.fullmatch(r"W([0-9]{2})(?:-([1-7]))?", rest)
    if week is not None:
        try:
            monday = dt.date.fromisocalendar(year, int(week.group(1)), 1)
            if week.group(2):
                day = dt.date.fromisocalendar(year, int(week.group(1)), int(week.group(2)))
                return Timex("date", "day", day, day)
        except ValueError:
            raise TimexError(f"{year} has no ISO week {week.group(1)}") from None
        return Timex("date", "week", monday, monday + dt.timedelta(days=6))
    if re.fullmatch(r"[0-9]{2}-[0-9]{2}", rest):
        try:
            day = dt.date.fromisoformat(f"{year:04d}-{rest}")
        except ValueError:
            raise TimexError(f"{value} is not a day of the calendar") from None
        return Timex("date", "day", day, day)
    raise TimexError("is not a TIMEX3 value")


def parse(value: str) -> Timex:
    """The parsed value; a TimexError says why it is not a TIMEX3 value."""
    if value in REFS:
        return Timex("ref")
    if value.startswith("P"):
        match = _DURATION.fullmatch(value)
        if match is None or not (match.group("date") or match.group("time")):
            raise TimexError("is not a TIMEX3 duration (P[nY][nM][nW][nD][T[nH][nM][nS]])")
        return Timex("duration")
    time = _TIME.fullmatch(value)
    if time is not None:
        day = _date(time.group("day"))
        hms = time.group("hms")
        if hms is not None:
            parts = [int(p) for p in hms.split(":")]
            if parts[0] > 24 or any(p > 59 for p in parts[1:]):
                raise TimexError(f"{hms} is not a time of day")
        return Timex("time", "time", day.lower, day.upper)
    return _date(value)


#: timex_type -> the kinds of value it takes.
TYPES = {"DATE": ("date", "ref"), "TIME": ("time",), "DURATION": ("duration",),
         "SET": ("duration", "date")}


def problem(value: str, timex_type: str, granularity: str | None) -> str | None:
    """Why the value disagrees with its grammar, its type or the row's granularity, or None."""
    try:
        parsed = parse(value)
    except TimexError as error:
        return f"{value!r} {error}"
    if parsed.kind not in TYPES.get(timex_type, ()):
        return f"{value!r} is a {parsed.kind} value, which a {timex_type} cannot have"
    if parsed.kind == "date" and parsed.unit is not None and granularity != parsed.unit:
        named = "no granularity" if granularity is None else f"granularity {granularity!r}"
        return f"{value!r} names a {parsed.unit}, but the row has {named}"
    return None
