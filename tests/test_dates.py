"""Temporal expressions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import ROOT, curated
from dates import EDTFError, edtf_bounds, sweep_hits
from spans import locate
from spine import build_spine


def rows(tables):
    return tables["dates"].set_index("date_id")


def test_surface_equals_its_slice(tables, text):
    for row in tables["dates"].itertuples():
        assert text[row.char_start:row.char_end] == row.surface


def test_vocabulary_sweep_is_accounted_for(tables, text):
    data = curated("dates.yaml")
    utterances = tables["utterances"].set_index("utterance_id")
    covered = list(zip(tables["dates"].char_start, tables["dates"].char_end, strict=True))
    for item in data["not_temporal"]:
        u = utterances.loc[item["utterance_id"]]
        covered.append(locate(text, item["surface"], u.char_start, u.char_end,
                              item.get("occurrence")))
        assert item["reason"].strip()
    spine, _, _ = build_spine(ROOT)
    hits = sweep_hits(spine, data["sweep_vocabulary"])
    assert len(hits) == 22
    for _, (start, end) in hits:
        assert any(b <= start and end <= e for b, e in covered), text[start:end]


EVENTS = {
    # date_id: a day the resolved interval must contain (checked event dates)
    "t01": dt.date(2020, 1, 17),   # Xi in Myanmar
    "t02": dt.date(1991, 12, 16),  # Kazakhstan independent
    "t03": dt.date(2013, 9, 7),    # Nazarbayev University speech
    "t04": dt.date(2022, 9, 14),   # interview date
    "t05": dt.date(2022, 1, 2),    # unrest begins
    "t08": dt.date(2022, 1, 6),    # CSTO troops sent
    "t10": dt.date(2022, 1, 6),    # MFA: internal affair
    "t11": dt.date(2022, 1, 7),    # Xi: colour revolution
    "t13": dt.date(2022, 8, 1),    # Medvedev's post
    "t14": dt.date(2022, 9, 14),   # "after Ukraine": the war goes on at the interview
    "t15": dt.date(2022, 2, 23),   # the day before the invasion
    "t16": dt.date(2022, 9, 15),   # Putin-Xi talks in Samarkand
}


@pytest.mark.parametrize("date_id,day", sorted(EVENTS.items()))
def test_interval_contains_the_known_event(tables, date_id, day):
    row = rows(tables).loc[date_id]
    earliest = None if pd.isna(row.earliest) else row.earliest.date()
    latest = None if pd.isna(row.latest) else row.latest.date()
    assert earliest is None or earliest <= day
    assert latest is None or day <= latest


def test_bounds_are_ordered_and_inside_exact_edtf(tables):
    for row in tables["dates"].itertuples():
        earliest = None if pd.isna(row.earliest) else row.earliest.date()
        latest = None if pd.isna(row.latest) else row.latest.date()
        if earliest and latest:
            assert earliest <= latest
        lower, upper = edtf_bounds(row.edtf)
        if not any(q in row.edtf for q in "~?%"):
            assert lower is None or (earliest and earliest >= lower), row.date_id
            assert upper is None or (latest and latest <= upper), row.date_id


def test_deictic_expressions_resolve_to_the_document_date(tables):
    d = rows(tables)
    published = tables["documents"].iloc[0].date_published
    for date_id in ("t04", "t07", "t12"):
        assert d.loc[date_id, "anchor_type"] == "document_date"
        assert d.loc[date_id, "earliest"] == published == d.loc[date_id, "latest"]


def test_anaphora_resolve_to_earlier_expressions(tables):
    d = rows(tables)
    anaphoric = d[d.anchor_type == "previous_expression"]
    assert dict(anaphoric.anchor_date_id) == {"t06": "t05", "t09": "t08", "t10": "t09",
                                              "t11": "t10"}
    for date_id, anchor in anaphoric.anchor_date_id.items():
        assert d.loc[anchor, "char_start"] < d.loc[date_id, "char_start"]
    assert d[d.anchor_type != "previous_expression"].anchor_date_id.isna().all()


def test_open_ends(tables):
    d = rows(tables)
    assert pd.isna(d.loc["t15", "earliest"]) and d.loc["t15", "edtf"] == "../2022-02-23"
    assert pd.isna(d.loc["t14", "latest"]) and d.loc["t14", "edtf"] == "2022-02-24/.."


def test_edtf_bounds_by_hand():
    assert edtf_bounds("2022-02") == (dt.date(2022, 2, 1), dt.date(2022, 2, 28))
    assert edtf_bounds("199X") == (dt.date(1990, 1, 1), dt.date(1999, 12, 31))
    assert edtf_bounds("../2022-02-23") == (None, dt.date(2022, 2, 23))
    assert edtf_bounds("2022-02-24/..") == (dt.date(2022, 2, 24), None)
    assert edtf_bounds("2021-12/2022-02") == (dt.date(2021, 12, 1), dt.date(2022, 2, 28))
    assert edtf_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    for bad in ("2022-24", "2022-13", "not a date", "../..", "2022-03/2022-01"):
        with pytest.raises(EDTFError):
            edtf_bounds(bad)
