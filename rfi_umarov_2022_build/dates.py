"""Dates layer: temporal expressions with TIMEX3 and EDTF values, bounded and checked."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import cache
from pathlib import Path

from rfi_umarov_2022_build import timex
from rfi_umarov_2022_build.curated import Curated, Record, Row, as_date
from rfi_umarov_2022_build.ledgers import check_sweep
from rfi_umarov_2022_build.spine import Spine, place

DATES_FILE = "dataset/annotations/dates.yaml"
QUALIFIERS = re.compile(r"[~?%]")
SEASON = re.compile(r"[~?%]?-?\d{4}-2[1-4][~?%]?")


class EDTFError(ValueError):
    """An EDTF value that cannot be parsed or bounded."""


CALENDAR_DAY = re.compile(r"(?<![0-9])(-?[0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")


def _check_calendar(value: str) -> None:
    """Every full date written in the value exists (the edtf package accepts 2021-02-29)."""
    for year, month, day in CALENDAR_DAY.findall(value):
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise EDTFError(f"{value!r}: {year}-{month}-{day} is not a day of the calendar") from None


@cache
def _bounds(value: str, fuzzy: bool = False) -> tuple[dt.date, dt.date]:
    """(lower, upper) day of one EDTF date (no interval), via the edtf package: strict, or, for a
    value qualified as approximate or uncertain, the wider fuzzy bounds the package gives it."""
    import edtf

    _check_calendar(value)
    try:
        parsed = edtf.parse_edtf(value)
        moments = ((parsed.lower_fuzzy(), parsed.upper_fuzzy()) if fuzzy
                   else (parsed.lower_strict(), parsed.upper_strict()))
    except Exception as error:  # the library raises several types for bad input
        raise EDTFError(f"{value!r} is not valid EDTF ({type(error).__name__})") from None
    days = []
    for moment in moments:
        if moment is None:
            raise EDTFError(f"{value!r} has an open bound")
        year, month, day = moment.tm_year, moment.tm_mon, moment.tm_mday
        if not dt.MINYEAR <= year <= dt.MAXYEAR:
            raise EDTFError(f"{value!r}: year {year} is outside 1-9999, which the tables can hold")
        days.append(dt.date(year, month, min(day, calendar.monthrange(year, month)[1])))
    return days[0], days[1]


def _bound(value: str, *, lower: bool, fuzzy: bool = False) -> dt.date:
    lower_day, upper_day = _bounds(value, fuzzy)
    return lower_day if lower else upper_day


def edtf_bounds(value: str, fuzzy: bool = False) -> tuple[dt.date | None, dt.date | None]:
    """(earliest, latest) day of an EDTF value; None is an open end. ``fuzzy``: the wider bounds
    of approximate (~) and uncertain (?) values.

    Intervals are split by hand because edtf 5.0.2 raises on open ends ('../2022-02-24'), and
    each side is bounded on its own. Seasons (YYYY-21..24) are refused: the library bounds them
    to a single month; write the season as an interval of months instead.
    """
    if any(SEASON.fullmatch(side) for side in value.split("/")):
        raise EDTFError(f"{value!r}: write a season as an interval of months, e.g. 2021-12/2022-02")
    if value.count("/") > 1:
        raise EDTFError(f"{value!r}: an interval has exactly two parts, start/end")
    if "/" in value:
        start, _, end = value.partition("/")
        earliest = None if start in ("", "..") else _bound(start, lower=True, fuzzy=fuzzy)
        latest = None if end in ("", "..") else _bound(end, lower=False, fuzzy=fuzzy)
        if earliest is None and latest is None:
            raise EDTFError(f"{value!r} is open at both ends")
        if earliest and latest and earliest > latest:
            raise EDTFError(f"{value!r} ends before it starts")
        return earliest, latest
    return _bound(value, lower=True, fuzzy=fuzzy), _bound(value, lower=False, fuzzy=fuzzy)


def build_dates(root: Path, spine: Spine) -> dict[str, list[Row]]:
    """Table dates; checks bounds, EDTF, anchors, and that the vocabulary sweep is accounted for."""
    curated = Curated(root, DATES_FILE)
    rows: list[Row] = []
    seen_ids: set[str] = set()
    for record in curated.records("dates"):
        date_id = record["date_id"]
        span = place(curated, spine, record, date_id, "surface")
        bounds = {key: as_date(record.get(key)) for key in ("earliest", "latest")}
        if bounds["earliest"] and bounds["latest"] and bounds["earliest"] > bounds["latest"]:
            raise curated.error(record, date_id, "earliest",
                                f"earliest {bounds['earliest']} is after latest {bounds['latest']}")
        qualified = QUALIFIERS.search(record["edtf"]) is not None
        try:
            lower, upper = edtf_bounds(record["edtf"], fuzzy=qualified)
        except EDTFError as error:
            raise curated.error(record, date_id, "edtf", str(error)) from None
        check_within(curated, record, date_id, bounds, lower, upper)
        problem = timex.problem(record["timex_value"], record["timex_type"], record["granularity"])
        if problem:
            raise curated.error(record, date_id, "timex_value", problem)
        _check_agreement(curated, record, date_id, edtf_bounds(record["edtf"]))
        if record.get("event_id") is not None and record["anchor_type"] != "event":
            raise curated.error(record, date_id, "event_id",
                                "only an expression fixed by an event (anchor_type event) names one")
        anchor = record.get("anchor_date_id")
        if (record["anchor_type"] == "previous_expression") != (anchor is not None):
            raise curated.error(record, date_id, "anchor_date_id",
                                "required exactly when anchor_type is previous_expression")
        if anchor is not None and anchor not in seen_ids:
            raise curated.error(record, date_id, "anchor_date_id",
                                f"{anchor!r} is not an earlier expression")
        seen_ids.add(date_id)
        rows.append(curated.row(
            record, date_id=date_id, utterance_id=record["utterance_id"],
            sentence_id=spine.sentence_at(record["utterance_id"], span[0]),
            char_start=span[0], char_end=span[1], surface=spine.text[span[0]:span[1]],
            timex_type=record["timex_type"], timex_value=record["timex_value"],
            timex_mod=record.get("timex_mod"), edtf=record["edtf"],
            earliest=bounds["earliest"], latest=bounds["latest"],
            granularity=record["granularity"], anchor_type=record["anchor_type"],
            anchor_date_id=anchor, event_id=record.get("event_id"), refers_to=record["refers_to"],
            note=record["note"]))
    check_sweep(curated, spine, [(row["char_start"], row["char_end"]) for row in rows],
                "not_temporal", "temporal")
    return {"dates": rows}


def _check_agreement(curated: Curated, record: Record, date_id: str,
                     edtf: tuple[dt.date | None, dt.date | None]) -> None:
    """A calendar TIMEX3 value covers the EDTF value of the same expression."""
    parsed = timex.parse(record["timex_value"])
    if parsed.kind != "date" or parsed.lower is None:
        return
    lower, upper = edtf
    if lower is None or upper is None or lower < parsed.lower or upper > parsed.upper:
        raise curated.error(record, date_id, "edtf",
                            f"{record['edtf']!r} is not inside the TIMEX3 value "
                            f"{record['timex_value']!r} ({parsed.lower} to {parsed.upper})")


def check_within(curated: Curated, record: Record, date_id: str,
                  bounds: dict[str, dt.date | None], lower: dt.date | None,
                  upper: dt.date | None) -> None:
    """The resolved interval lies inside the EDTF value (its fuzzy bounds where it is qualified)."""
    for field, value, edge, outside, word in (
            ("earliest", bounds["earliest"], lower, lambda v, e: v < e, "starts"),
            ("latest", bounds["latest"], upper, lambda v, e: v > e, "ends")):
        if edge is None:
            continue
        if value is None:
            raise curated.error(record, date_id, field, f"is empty, but the EDTF value "
                                f"{record['edtf']!r} {word} {edge}: give that bound")
        if outside(value, edge):
            raise curated.error(record, date_id, field, f"{value} lies outside the EDTF value "
                                f"{record['edtf']!r} (which {word} {edge})")
