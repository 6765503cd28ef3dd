"""The scorer: gold against itself, the format checker, and metrics that move as they must.

Oracles: the tables read with plain pyarrow, the schemas, the transcript, and arithmetic on
the perturbation itself (drop k of n spans: recall (n-k)/n), never the scorer's own output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import LAYERS, ROOT, SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rfi_umarov_2022 as ds
from rfi_umarov_2022 import registry
from rfi_umarov_2022.errors import PredictionError
from rfi_umarov_2022.scoring import COLUMNS, METRICS, stats

TEXT = (ROOT / "dataset" / "source" / "transcript.txt").read_text(encoding="utf-8")


def gold(name: str) -> list[dict]:
    """A table as plain pyarrow reads it, dates as ISO text."""
    rows = pq.read_table(ROOT / "dataset" / f"{name}.parquet").to_pylist()
    return [{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in r.items()} for r in rows]


def frame(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame(rows)


def values(result) -> dict[str, float]:
    return dict(zip(result.metric, result.value, strict=True))


def link_tables(layer: str) -> list[str]:
    """Tables whose two-column key joins ``layer`` to another table (from the schemas)."""
    found = []
    for name, schema in SCHEMAS.items():
        key = registry.primary_key(schema)
        columns = registry.column_links(name, schema)
        if registry.span_table(name, schema) is None and len(key) == 2 and \
                any(columns.get(c, ("",))[0] == layer for c in key):
            found.append(name)
    return found


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """Every table as CSV, the way a user would write predictions."""
    out = tmp_path_factory.mktemp("gold") / "csv"
    ds_main = [sys.executable, "-m", "rfi_umarov_2022", "export", "--format", "csv", str(out)]
    assert subprocess.run(ds_main, capture_output=True).returncode == 0
    return out


@pytest.mark.parametrize("layer", LAYERS)
def test_gold_against_itself_scores_one(layer, exported):
    result = ds.score(exported, layer, reps=20)
    assert list(result.columns) == list(COLUMNS)
    assert set(result.version) == {json.loads((ROOT / "datapackage.json").read_text())["version"]}
    rows = gold(layer)
    for metric, value in values(result).items():
        name = metric.split(":", 1)[-1]
        if metric.startswith("alpha:") and name in rows[0] and len({r[name] for r in rows}) < 2:
            assert value != value, f"{metric}: alpha is undefined on a field with one value"
        else:
            assert value == 1.0, metric
    names = set(result.metric)
    for table in link_tables(layer):
        assert f"f1:{table}" in names
    for field_name, _ in registry.enum_fields(SCHEMAS[layer], exclude=registry.primary_key(SCHEMAS[layer])):
        assert f"accuracy:{field_name}" in names
    documented = {m.split(":")[0] + (":" if ":" in m else "") for m in METRICS}
    for metric in names:
        assert (metric.split(":")[0] + ":" if ":" in metric else metric) in documented, metric


def test_results_are_reproducible_and_the_seed_is_used():
    """Predictions that miss some mentions, so that the intervals have width: the same seed gives
    the same frame, another seed other intervals around the same values."""
    import pandas as pd

    mentions = pq.read_table(ROOT / "dataset" / "mentions.parquet").to_pandas()
    predictions = mentions[mentions.index % 4 != 0]
    first = ds.score(predictions, "mentions", reps=50, seed=7)
    again = ds.score(predictions, "mentions", reps=50, seed=7)
    other = ds.score(predictions, "mentions", reps=50, seed=8)
    assert first.equals(again)
    assert ((first.ci_high - first.ci_low) > 0).any()
    pd.testing.assert_series_equal(first.value, other.value)
    assert not first[["ci_low", "ci_high"]].equals(other[["ci_low", "ci_high"]])


# --- metrics move as they must -------------------------------------------------------------

MENTIONS = gold("mentions")
TYPES = registry.categories(registry.field(SCHEMAS["mentions"], "mention_type"))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.integers(0, len(MENTIONS) - 1), max_size=30))
def test_dropping_spans_lowers_recall_only(dropped):
    kept = [m for i, m in enumerate(MENTIONS) if i not in dropped]
    result = values(ds.score(frame(kept), "mentions", reps=0))
    n = len(MENTIONS)
    assert result["precision_exact"] == (1.0 if kept else result["precision_exact"])
    assert result["recall_exact"] == pytest.approx((n - len(dropped)) / n)
    assert result["recall_overlap"] == pytest.approx((n - len(dropped)) / n)


@settings(max_examples=15, deadline=None)
@given(st.sets(st.integers(0, len(MENTIONS) - 1), min_size=1, max_size=30), st.integers(1, len(TYPES) - 1))
def test_relabelling_lowers_accuracy_not_spans(relabelled, step):
    rows = [dict(m) for m in MENTIONS]
    for i in relabelled:
        rows[i]["mention_type"] = TYPES[(TYPES.index(rows[i]["mention_type"]) + step) % len(TYPES)]
    result = values(ds.score(frame(rows), "mentions", reps=0))
    assert result["f1_exact"] == 1.0
    assert result["accuracy:mention_type"] == pytest.approx(1 - len(relabelled) / len(rows))
    assert result["accuracy:actor_id"] == 1.0
    assert result["alpha:mention_type"] < 1.0


def shrink(row: dict, text_field: str) -> dict | None:
    """The span one word shorter at its end, or None if it is one word."""
    head = row[text_field].rsplit(" ", 1)[0]
    if head == row[text_field]:
        return None
    return {**row, "char_end": row["char_start"] + len(head), text_field: head}


@settings(max_examples=15, deadline=None)
@given(st.sets(st.integers(0, len(MENTIONS) - 1), min_size=1, max_size=20))
def test_shifted_ends_break_exact_matches_not_overlaps(chosen):
    rows, changed = [], 0
    for i, m in enumerate(MENTIONS):
        shorter = shrink(m, "surface") if i in chosen else None
        changed += shorter is not None
        rows.append(shorter or m)
    result = values(ds.score(frame(rows), "mentions", reps=0))
    offsets = Counter((r["char_start"], r["char_end"]) for r in MENTIONS)
    same = offsets & Counter((r["char_start"], r["char_end"]) for r in rows)  # multiset intersection
    assert changed == 0 or sum(same.values()) < len(MENTIONS)
    assert result["recall_exact"] == pytest.approx(sum(same.values()) / len(MENTIONS))
    assert result["f1_overlap"] == 1.0


def test_a_spurious_span_lowers_precision(text):
    extra = {"mention_id": "x001", "char_start": 0, "char_end": 3, "surface": text[:3], "actor_id": "china",
             "mention_type": TYPES[0]}
    covered = any(m["char_start"] < 3 for m in MENTIONS)
    result = values(ds.score(frame([*MENTIONS, extra]), "mentions", reps=0))
    n = len(MENTIONS)
    assert result["recall_exact"] == 1.0
    assert result["precision_exact"] == pytest.approx(n / (n + 1))
    if not covered:
        assert result["precision_overlap"] == pytest.approx(n / (n + 1))


@pytest.mark.parametrize("table", link_tables("claims"))
def test_dropped_links_lower_link_recall(table):
    claims, links = gold("claims"), gold(table)
    result = values(ds.score({"claims": frame(claims), table: frame(links[::2])}, "claims", reps=0))
    assert result[f"precision:{table}"] == 1.0
    assert result[f"recall:{table}"] == pytest.approx(len(links[::2]) / len(links))
    assert f"f1:{next(t for t in link_tables('claims') if t != table)}" not in result


def test_ids_are_compared_through_the_span_matching():
    """Renaming every predicted id changes nothing: ids are matched through their spans."""
    claims = [{**c, "claim_id": "p" + c["claim_id"],
               "frame_claim_id": c["frame_claim_id"] and "p" + c["frame_claim_id"],
               "restates_claim_id": c["restates_claim_id"] and "p" + c["restates_claim_id"]}
              for c in gold("claims")]
    actors = [{**a, "claim_id": "p" + a["claim_id"]} for a in gold("claim_actors")]
    result = values(ds.score({"claims": frame(claims), "claim_actors": frame(actors)}, "claims", reps=0))
    assert result["accuracy:frame_claim_id"] == 1.0
    assert result["f1:claim_actors"] == 1.0


def test_interval_overlap_is_shared_days_over_union():
    dates = gold("dates")
    closed = next(i for i, d in enumerate(dates)
                  if d["earliest"] and d["latest"] and d["earliest"] != d["latest"])
    import datetime as dt

    start, end = (dt.date.fromisoformat(dates[closed][k]) for k in ("earliest", "latest"))
    days = (end - start).days + 1
    rows = [dict(d) for d in dates]
    rows[closed]["latest"] = (end + dt.timedelta(days=days)).isoformat()  # twice as long
    result = values(ds.score(frame(rows), "dates", reps=0))
    assert result["interval_overlap"] == pytest.approx((len(dates) - 1 + 0.5) / len(dates))
    assert result["interval_exact"] == pytest.approx((len(dates) - 1) / len(dates))


# --- statistics against hand arithmetic ----------------------------------------------------

def test_alpha_by_hand():
    # two units, both in disagreement over two values: Do = 1, De = 8/12, alpha = 1 - 1.5
    assert stats.alpha([("a", "b"), ("b", "a")]) == pytest.approx(-0.5)
    assert stats.alpha([("a", "a"), ("b", "b")]) == 1.0
    assert stats.alpha([("a", "a"), ("a", "a")]) is None
    # ordinal: a one-step disagreement costs less than a two-step one
    order = ("low", "mid", "high")
    near = stats.alpha([("low", "mid"), ("mid", "mid"), ("high", "high"), ("low", "low")], order)
    far = stats.alpha([("low", "high"), ("mid", "mid"), ("high", "high"), ("low", "low")], order)
    assert near > far


def test_macro_f1_by_hand():
    # value a: tp 1, fp 0, fn 1 -> 2/3; value b: tp 1, fp 1, fn 0 -> 2/3
    assert stats.macro_f1([("a", "a"), ("a", "b"), ("b", "b")]) == pytest.approx(2 / 3)


# --- the format checker --------------------------------------------------------------------

def bad(change, layer: str = "mentions"):
    rows = [dict(m) for m in gold(layer)]
    change(rows)
    return frame(rows)


def set_field(index: int, name: str, value):
    return lambda rows: rows[index].__setitem__(name, value)


CHECKS = [
    ("missing column", lambda rows: [r.pop("char_end") for r in rows], "missing column 'char_end'"),
    ("unknown column", lambda rows: [r.__setitem__("mention_typ", "x") for r in rows],
     "unknown column 'mention_typ'"),
    ("end outside", set_field(2, "char_end", len(TEXT) + 5), "row 3 ("),
    ("end outside names char_end", set_field(2, "char_end", len(TEXT) + 5), "field char_end: offsets"),
    ("start outside names char_start", set_field(2, "char_start", -1), "field char_start: offsets"),
    ("text mismatch", set_field(4, "surface", "Atlantis"), "row 5 ("),
    ("unknown category", set_field(1, "mention_type", "nickname"), "'nickname' is not a category"),
    ("duplicate id", lambda rows: rows.append(dict(rows[0])), "duplicate id"),
    ("unknown actor", set_field(0, "actor_id", "atlantis"),
     "'atlantis' is not among the actor_id values of actors"),
    ("not an integer", set_field(0, "char_start", "ten"), "'ten' is not an integer"),
    ("empty id", set_field(0, "mention_id", None), "field mention_id: empty"),
]


@pytest.mark.parametrize("what, change, fragment", CHECKS, ids=[c[0] for c in CHECKS])
def test_bad_predictions_fail_in_one_line(what, change, fragment):
    with pytest.raises(PredictionError) as error:
        ds.check_predictions(bad(change), "mentions")
    message = str(error.value)
    assert fragment in message
    assert "\n" not in message


def test_link_to_a_claim_not_predicted():
    claims = gold("claims")
    actors = [{"claim_id": "c999", "actor_id": "china", "role": "agent"}]
    expected = r"claim_actors.*'c999' is not among the claim_id values of claims"
    with pytest.raises(PredictionError, match=expected):
        ds.check_predictions({"claims": frame(claims), "claim_actors": frame(actors)}, "claims")


def test_files_in_every_format(tmp_path):
    rows = gold("notes")
    frame(rows).to_csv(tmp_path / "notes.csv", index=False)
    (tmp_path / "notes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    frame(rows).to_parquet(tmp_path / "notes.parquet")
    for suffix in ("csv", "jsonl", "parquet"):
        assert ds.check_predictions(tmp_path / f"notes.{suffix}", "notes") == {"notes": len(rows)}
    with pytest.raises(PredictionError, match="given twice"):
        ds.check_predictions(tmp_path, "notes")
    with pytest.raises(PredictionError, match="not a layer"):
        ds.check_predictions(tmp_path / "notes.csv", "documents")


def test_cli_prints_a_table_and_json(exported):
    run = [sys.executable, "-m", "rfi_umarov_2022", "score", "--layer", "notes", "--reps", "10",
           str(exported)]
    table = subprocess.run(run, capture_output=True, text=True)
    assert table.returncode == 0, table.stderr
    assert "f1_exact" in table.stdout and "1.000" in table.stdout
    records = json.loads(subprocess.run([*run, "--json"], capture_output=True, text=True).stdout)
    assert {tuple(r) for r in records} == {tuple(COLUMNS)}
    broken = subprocess.run([*run[:-1], str(exported / "nowhere.csv")], capture_output=True, text=True)
    assert broken.returncode == 2
    assert broken.stderr.count("\n") == 1 and broken.stderr.startswith("error: ")


def test_scoring_imports_nothing_heavy():
    code = ("import sys, rfi_umarov_2022, rfi_umarov_2022.scoring; "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_unreadable_or_stray_files_are_refused_in_one_line(tmp_path):
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    (tmp_path / "garbage.parquet").write_bytes(b"not parquet at all")
    cases = {tmp_path / "empty.csv": "empty, not even a header row",
             tmp_path / "garbage.parquet": "not a Parquet file"}
    for path, fragment in cases.items():
        with pytest.raises(PredictionError, match=fragment):
            ds.check_predictions(path, "notes")
    folder = tmp_path / "folder"
    folder.mkdir()
    frame(gold("notes")).to_csv(folder / "notes.csv", index=False)
    frame(gold("notes")).to_csv(folder / "note.csv", index=False)  # a misspelt table name
    with pytest.raises(PredictionError, match="no table of this dataset is called 'note'"):
        ds.check_predictions(folder, "notes")


def test_what_the_predictions_leave_out_is_named():
    """Every scorable field a prediction drops, and every link table it lacks, is named."""
    claims = gold("claims")
    dropped = [f for f, _ in registry.enum_fields(SCHEMAS["claims"], exclude=("claim_id",))][:2]
    rows = [{k: v for k, v in c.items() if k not in dropped} for c in claims]
    result = ds.score(frame(rows), "claims", reps=0)
    named = result.attrs["not_scored"]
    assert [f"claims.{name}" for name in dropped] == [n for n in named if n.startswith("claims.")]
    assert set(link_tables("claims")) <= set(named)
    assert not any(m.endswith(tuple(dropped)) for m in result.metric)


def test_a_build_folder_as_gold_is_scored_with_that_build_s_version(built_fixture):
    """gold=<folder>: the fixture project's claims score 1.0 against that build, and every row
    carries the version its descriptor states (not the installed package's)."""
    claims = pq.read_table(built_fixture / "dataset" / "claims.parquet").to_pandas()
    stated = json.loads((built_fixture / "datapackage.json").read_text(encoding="utf-8"))["version"]
    frame = ds.score(claims, "claims", gold=built_fixture, reps=20)
    assert set(frame.version) == {stated}
    assert frame.loc[frame.metric == "f1_exact", "value"].item() == 1.0


def test_only_a_table_keyed_by_two_links_is_a_link_table_of_a_layer():
    """relevant(): claim_actors-like tables (a key of two foreign keys, one to the layer) are the
    layer's link tables; a table keyed by a claim and a plain column is not, whatever its name."""
    from rfi_umarov_2022.scoring.tables import relevant

    def keyed(*links: str) -> dict:
        fields = [{"name": "claim_id", "type": "string"}, {"name": "other", "type": "string"}]
        keys = [{"fields": ["claim_id"], "reference": {"resource": "claims", "fields": ["claim_id"]}}]
        if links:
            keys.append({"fields": ["other"], "reference": {"resource": links[0], "fields": ["actor_id"]}})
        return {"fields": fields, "primaryKey": ["claim_id", "other"], "foreignKeys": keys}

    schemas = {name: SCHEMAS[name] for name in ("claims", "actors", "sentences", "utterances")}
    links, _ = relevant("claims", {**schemas, "claim_labels": keyed(), "claim_people": keyed("actors")})
    assert links == ["claim_people"]


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (True, "boolean", True), ("false", "boolean", False), ("TRUE", "boolean", True),
    ("7", "integer", 7), (7.0, "integer", 7), ("2022-09-14", "date", "2022-09-14"),
    (float("nan"), "string", None), ("c001", "string", "c001")])
def test_a_prediction_cell_is_cast_as_its_table_schema_type(value, kind, expected):
    """Every Table Schema type the build supports (a second interview may use booleans, which
    this one does not), from the forms CSV, JSON Lines and pandas give."""
    from rfi_umarov_2022.scoring.tables import cast

    assert cast(value, kind) == expected and type(cast(value, kind)) is type(expected)


@pytest.mark.parametrize(("value", "kind"), [("yes", "boolean"), (True, "integer"), ("7.5", "integer"),
                                             ("2022-02-30", "date"), (5, "string")])
def test_a_cell_of_the_wrong_type_is_refused(value, kind):
    from rfi_umarov_2022.scoring.tables import cast

    with pytest.raises(ValueError, match=re.escape(repr(value))):  # the message quotes the cell
        cast(value, kind)


def test_a_gold_folder_that_is_no_build_is_named_in_one_line(tmp_path):
    claims = pq.read_table(ROOT / "dataset" / "claims.parquet").to_pandas()
    with pytest.raises(PredictionError) as info:
        ds.score(claims, "claims", gold=tmp_path, reps=5)
    message = str(info.value)
    assert message.startswith(f"{tmp_path}: ") and "not a build" in message and "\n" not in message
