"""The TIMEX3 value grammar against the calendar: intervals checked by calendar invariants
(Python's own ``datetime`` and ``isocalendar``, not the parser), units against the schema's
granularity vocabulary, and the forms TimeML 1.2.1 names written out by hand."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import SCHEMAS
from hypothesis import given
from hypothesis import strategies as st

from rfi_umarov_2022_build import timex

GRANULARITIES = next(f for f in SCHEMAS["dates"]["fields"] if f["name"] == "granularity")["categories"]
DAYS = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31))
ONE_DAY = dt.timedelta(days=1)


def last_of_month(day: dt.date) -> bool:
    return (day + ONE_DAY).day == 1


@given(DAYS)
def test_a_day_covers_itself(day):
    parsed = timex.parse(day.isoformat())
    assert (parsed.kind, parsed.lower, parsed.upper) == ("date", day, day)
    assert timex.problem(day.isoformat(), "DATE", "day") is None  # its unit is the granularity


@given(DAYS)
def test_an_iso_week_day_is_that_day(day):
    year, week, weekday = day.isocalendar()
    if year > 9998:
        return
    parsed = timex.parse(f"{year:04d}-W{week:02d}-{weekday}")
    assert (parsed.lower, parsed.upper) == (day, day)
    assert timex.problem(f"{year:04d}-W{week:02d}-{weekday}", "DATE", "day") is None


@given(DAYS)
def test_a_week_runs_monday_to_sunday_and_holds_the_day(day):
    year, week, _ = day.isocalendar()
    if year > 9998:
        return
    parsed = timex.parse(f"{year:04d}-W{week:02d}")
    assert parsed.lower <= day <= parsed.upper
    assert parsed.lower.isoweekday() == 1 and (parsed.upper - parsed.lower).days == 6
    assert timex.problem(f"{year:04d}-W{week:02d}", "DATE", "week") is None


@given(DAYS)
def test_month_quarter_and_half_hold_the_day_and_end_on_a_month_end(day):
    year, month = day.year, day.month
    quarter, half = (month - 1) // 3 + 1, (month - 1) // 6 + 1
    for value, months in ((f"{year:04d}-{month:02d}", 1), (f"{year:04d}-Q{quarter}", 3),
                          (f"{year:04d}-H{half}", 6)):
        parsed = timex.parse(value)
        assert parsed.lower <= day <= parsed.upper, value
        assert parsed.lower.day == 1 and last_of_month(parsed.upper), value
        assert (parsed.upper.month - parsed.lower.month + 1) == months, value
    assert timex.problem(f"{year:04d}-{month:02d}", "DATE", "month") is None


@given(DAYS)
def test_year_decade_and_century_hold_the_day(day):
    year = day.year
    for value, unit in ((f"{year:04d}", "year"), (f"{year:04d}"[:3], "decade"),
                        (f"{year:04d}"[:2], "century")):
        parsed = timex.parse(value)
        assert parsed.lower <= day <= parsed.upper and parsed.unit == unit, value
        assert parsed.upper == dt.date(parsed.upper.year, 12, 31), value


def test_units_of_the_forms_the_schema_knows_are_granularities():
    """Every unit a value names that the schema's granularity has is spelt as the schema
    spells it (a value of another unit is refused for every granularity)."""
    forms = {"2022-09-14": "day", "2022-W37": "week", "2022-09": "month", "2022-SU": "season",
             "2022": "year", "202": "decade"}
    assert set(forms.values()) <= set(GRANULARITIES)
    for value, unit in forms.items():
        assert timex.parse(value).unit == unit, value
        assert timex.problem(value, "DATE", unit) is None, value
    for value in ("19", "2022-Q3", "2022-H2"):  # no granularity names these units
        assert all(timex.problem(value, "DATE", g) for g in GRANULARITIES), value


def test_times_cover_their_day_and_seasons_follow_the_codebook():
    parsed = timex.parse("2022-09-14T10:30")
    assert (parsed.kind, parsed.lower, parsed.upper) == ("time", dt.date(2022, 9, 14), dt.date(2022, 9, 14))
    assert timex.parse("2022-09-14TEV").lower == dt.date(2022, 9, 14)
    winter = timex.parse("2022-WI")  # the winter whose January falls in 2022
    assert (winter.lower, winter.upper) == (dt.date(2021, 12, 1), dt.date(2022, 2, 28))
    assert (timex.parse("2022-FA").lower, timex.parse("2022-FA").upper) == (
        dt.date(2022, 9, 1), dt.date(2022, 11, 30))


@pytest.mark.parametrize(("value", "says"), [
    ("20X", "is not a TIMEX3 value"), ("2022-XX-X", "is not a TIMEX3 value"),
    ("2022-13", "month 13 does not exist"), ("2022-W53", "2022 has no ISO week 53"),
    ("2021-02-29", "is not a day of the calendar"), ("P", "is not a TIMEX3 duration"),
    ("2022-09-14T25:00", "is not a time of day"), ("0000", "outside 1-9999"), ("2022-Q5", "TIMEX3")])
def test_values_outside_the_grammar_or_the_calendar_say_why(value, says):
    with pytest.raises(timex.TimexError, match=re.escape(says)):
        timex.parse(value)
    assert timex.problem(value, "DATE", None).startswith(repr(value))
