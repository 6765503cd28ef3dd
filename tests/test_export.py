"""Exports compared with the tables, field by field, through readers that are not the writers.

The oracle is each table as plain pyarrow reads it from dataset/*.parquet (``truth``) and the
Table Schemas as written (conftest.SCHEMAS); the exports are read back with the csv and json
modules, pandas' Stata reader and small parsers of brat's standoff and of Web Annotation JSON.
Readers that need libraries of the slow tier (frictionless, pyreadstat, rdflib, PyLD, datasets,
spaCy, R) are in tests/slow/.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import LAYERS, ROOT, SCHEMAS, output_files

from rfi_umarov_2022 import exports
from rfi_umarov_2022.__main__ import main, parser
from rfi_umarov_2022.exports import brat as brat_export
from rfi_umarov_2022.exports import webanno
from rfi_umarov_2022.exports.common import nearest, shipped_file

FAST = ("csv", "jsonl", "parquet", "stata", "brat", "webanno")


@cache
def truth(name: str) -> tuple[dict, ...]:
    """A table's rows as plain pyarrow reads the committed file."""
    return tuple(pq.read_table(ROOT / "dataset" / f"{name}.parquet").to_pylist())


def fields(name: str) -> list[dict]:
    return SCHEMAS[name]["fields"]


def key(name: str, row: dict) -> str:
    return "/".join(str(row[k]) for k in SCHEMAS[name]["primaryKey"])


def camel(value: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in value.split("_") if part)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rfi_umarov_2022", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Export each fast format once (in-process); returns format -> (folder, report)."""
    root = tmp_path_factory.mktemp("exports")
    return {fmt: (root / fmt, exports.export(fmt, root / fmt)) for fmt in FAST}


# ---------------------------------------------------------------- what every export reports


@pytest.mark.parametrize("fmt", FAST)
def test_the_summary_names_every_table_carried_or_left_out(fmt, exported):
    """One line; every table is either carried (listed) or named in 'left out'."""
    _, report = exported[fmt]
    line = report.summary()
    assert "\n" not in line and "left out: " in line
    carried, left = line.split("; left out: ", 1)
    for name in SCHEMAS:
        assert name in report.tables or name in left, (fmt, name)
        assert (name in report.tables) == (f" {name}," in carried + "," or f" {name})" in carried
                                          or carried.endswith(name) or f": {name}," in carried), name


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "stata", "webanno"])
def test_every_export_carries_the_text_with_its_terms(fmt, exported, text):
    folder, _ = exported[fmt]
    assert (folder / "transcript.txt").read_text(encoding="utf-8") == text
    for name in ("LICENSE", "PROVENANCE.md"):
        assert (folder / name).read_bytes() == shipped_file(name).read_bytes(), name


@pytest.mark.parametrize("fmt", FAST)
def test_every_file_a_summary_names_is_in_the_export(fmt, exported):
    """A file the summary line points at (fields.csv, datapackage.json, ...) is there, under that
    very name."""
    folder, report = exported[fmt]
    named = re.findall(r"[\w.-]+\.(?:jsonld|jsonl|json|csv|parquet|conf|ann|txt|dta|md|tsv)\b",
                       report.summary(), re.IGNORECASE)
    present = {p.name for p in folder.iterdir()}
    assert all(name in present for name in named), (fmt, named)
    if fmt in ("csv", "jsonl", "stata"):
        assert named, fmt


@pytest.mark.parametrize("fmt", FAST)
def test_the_report_names_exactly_the_files_written(fmt, exported):
    """ExportReport.files (counted in the summary line) is the list of the files in the folder."""
    folder, report = exported[fmt]
    assert sorted(report.files) == sorted(output_files(folder))


def test_an_export_that_loses_nothing_says_so(exported):
    """The Parquet export is the distributed files byte for byte with every key (see below), so
    what its summary line says it left out is: nothing."""
    _, report = exported["parquet"]
    left = report.summary().split("; left out: ", 1)[1]
    assert left.split("; ")[0] == "nothing"


# ---------------------------------------------------------------- tabular formats


def as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_csv_cells_equal_the_table(name, exported):
    folder, _ = exported["csv"]
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [f["name"] for f in fields(name)]
    assert rows[1:] == [[as_csv(row[f["name"]]) for f in fields(name)] for row in truth(name)]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_jsonl_rows_equal_the_table(name, exported):
    folder, _ = exported["jsonl"]
    lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    expected = [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
                for row in truth(name)]
    assert [json.loads(line) for line in lines] == expected


def test_tabular_descriptors_carry_the_schemas_and_hashes(exported):
    import hashlib

    for fmt in ("csv", "jsonl", "parquet"):
        folder, _ = exported[fmt]
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert [r["name"] for r in package["resources"]] == list(json.loads(
            (ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"][i]["name"]
            for i in range(len(SCHEMAS)))
        for resource in package["resources"]:
            data = (folder / resource["path"]).read_bytes()
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            for written, field in zip(resource["schema"]["fields"], fields(resource["name"]), strict=True):
                assert written["name"] == field["name"]
                assert written.get("categories") == field.get("categories")
                assert written.get("categoriesOrdered") == field.get("categoriesOrdered")


def test_parquet_export_is_the_distributed_files(exported):
    folder, _ = exported["parquet"]
    for name in SCHEMAS:
        original = (ROOT / "dataset" / f"{name}.parquet").read_bytes()
        assert (folder / f"{name}.parquet").read_bytes() == original


def test_one_table_export_counts_each_table_once_and_drops_keys_to_the_rest(tmp_path):
    result = cli("export", "--format", "parquet", "--table", "claims", "--table", "claims",
                 str(tmp_path / "one"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and "wrote 1 table(s)" in result.stdout
    assert "left out: foreign keys to tables not exported" in result.stdout
    package = json.loads((tmp_path / "one" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["claims"]
    fks = package["resources"][0]["schema"]["foreignKeys"]
    assert all("resource" not in fk["reference"] for fk in fks)  # only the self-references are left


# ---------------------------------------------------------------- Stata


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_stata_values_and_labels_equal_the_table(name, exported):
    folder, _ = exported["stata"]
    with pd.io.stata.StataReader(folder / f"{name}.dta") as reader:
        back = reader.read(convert_categoricals=False)
        variable_labels = reader.variable_labels()
        value_labels = reader.value_labels()
    assert (folder / f"{name}.dta").read_bytes()[:60].startswith(b"<stata_dta><header><release>118</release>")
    rows = truth(name)
    assert len(back) == len(rows)
    for field in fields(name):
        column = field["name"]
        label = " ".join(field["description"].split())
        assert variable_labels[column] == label or (
            len(variable_labels[column]) <= 80 and variable_labels[column].endswith("...")
            and label.startswith(variable_labels[column][:-3]))
        values = [row[column] for row in rows]
        got = back[column].tolist()
        if "categories" in field:
            assert value_labels[column] == {i + 1: v for i, v in enumerate(field["categories"])}
            codes = [None if v is None else field["categories"].index(v) + 1 for v in values]
            assert [None if pd.isna(v) else int(v) for v in got] == codes, column
        elif field["type"] == "integer":
            assert [None if pd.isna(v) else int(v) for v in got] == values, column
        elif field["type"] == "date":
            assert [None if pd.isna(v) else pd.Timestamp(v).date() for v in got] == values, column
        else:
            assert got == ["" if v is None else v for v in values], column


def test_stata_fields_csv_has_every_field_in_full(exported):
    """fields.csv (where the README sends a reader for the labels cut at 80 characters): one row
    per field with the schema's type, categories in order, ordinal flag and whole description."""
    folder, _ = exported["stata"]
    with (folder / "fields.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["table", "field", "type", "values", "ordered", "description"]
        rows = {(row["table"], row["field"]): row for row in reader}
    assert len(rows) == sum(len(fields(name)) for name in SCHEMAS)
    for name in SCHEMAS:
        for field in fields(name):
            row = rows[(name, field["name"])]
            assert (row["type"], row["description"]) == (field["type"], field["description"])
            assert row["values"] == "|".join(field.get("categories", []))
            assert row["ordered"] == ("true" if field.get("categoriesOrdered") else "false")


def test_stata_summary_names_every_cut_label(exported):
    """The fields whose description is longer than Stata's 80-character variable label are
    listed, comma-separated, in the summary item that points at fields.csv."""
    _, report = exported["stata"]
    cut = {f"{name}.{f['name']}" for name in SCHEMAS for f in fields(name)
           if len(" ".join(f["description"].split())) > 80}
    (item,) = [part for part in report.summary().split("; ") if "fields.csv" in part]
    assert len(cut) > 1 and set(item.rsplit(": ", 1)[1].split(", ")) == cut


# ---------------------------------------------------------------- brat


def parse_ann(path: Path) -> dict[str, dict]:
    """brat standoff lines by id: T (text-bound), R, A, N and # (notes)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        ident, rest = line.split("\t", 1)
        if ident[0] == "T":
            head, surface = rest.split("\t")
            type_, start, end = head.split(" ")
            out[ident] = {"type": type_, "start": int(start), "end": int(end), "text": surface}
        elif ident[0] == "R":
            type_, arg1, arg2 = rest.split(" ")
            out[ident] = {"type": type_, "args": [arg1.removeprefix("Arg1:"), arg2.removeprefix("Arg2:")]}
        elif ident[0] == "A":
            type_, target, value = rest.split(" ")
            out[ident] = {"type": type_, "args": [target], "value": value}
        elif ident[0] in "N#":
            head, tail = rest.split("\t")
            out[ident] = {"type": head.split(" ")[0], "args": [head.split(" ")[1]], "text": tail}
        else:
            raise AssertionError(f"unexpected line {line!r}")
    return out


def parse_conf(path: Path) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        elif line.strip() and current:
            sections[current].append(line)
    return sections


@pytest.fixture(scope="module")
def brat(exported):
    folder, _ = exported["brat"]
    (ann_path,) = folder.glob("*.ann")
    ann = parse_ann(ann_path)
    by_span = {}
    for ident, item in ann.items():
        if ident[0] == "T":
            by_span.setdefault((item["start"], item["end"]), []).append(ident)
    return ann, by_span, parse_conf(folder / "annotation.conf"), ann_path.with_suffix(".txt")


def brat_type(layer: str, row: dict) -> str:
    """The entity type the brat export's docstring promises for a row of ``layer``."""
    label = SCHEMAS[layer]["span"]["label"]
    if "." not in label:
        return camel(layer)
    column, target = label.split(".")
    table = next(fk["reference"]["resource"] for fk in SCHEMAS[layer]["foreignKeys"]
                 if fk["fields"] == [column])
    referent = next(r for r in truth(table) if r[SCHEMAS[table]["primaryKey"][0]] == row[column])
    return referent[target]


def brat_value(value) -> str:
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in str(value))


def t_of(brat, layer: str, row: dict) -> str:
    """The T id of a row: the text-bound annotation with its offsets and type; where rows share
    both, the one whose notes or attributes carry the row's key."""
    ann, by_span, _, _ = brat
    found = [i for i in by_span.get((row["char_start"], row["char_end"]), [])
             if ann[i]["type"] == brat_type(layer, row)]
    links = {fk["fields"][0]: fk["reference"].get("resource", layer)
             for fk in SCHEMAS[layer].get("foreignKeys", []) if len(fk["fields"]) == 1}
    for column in SCHEMAS[layer]["primaryKey"]:
        if len(found) > 1 and links.get(column) in LAYERS:  # the key is a relation to its row
            target = links[column]
            other = t_of(brat, target, next(r for r in truth(target) if key(target, r) == row[column]))
            found = [i for i in found if any(a.get("args") == [i, other] for a in ann.values())]
        elif len(found) > 1:  # the key is in the notes or an attribute
            marks = {f"{column}={row[column]}", brat_value(row[column])}
            found = [i for i in found if any(a.get("args") == [i] and (a.get("value") in marks or any(
                m in a.get("text", "").split("; ") for m in marks)) for a in ann.values())]
    assert len(found) == 1, (layer, key(layer, row), found)
    return found[0]


@pytest.mark.parametrize("layer", LAYERS)
def test_brat_has_one_span_per_row_with_its_offsets_text_and_type(layer, brat, text):
    ann, _, _, txt = brat
    assert txt.read_text(encoding="utf-8") == text
    for row in truth(layer):
        t = t_of(brat, layer, row)
        assert ann[t]["text"] == row[SCHEMAS[layer]["span"]["text"]] == text[ann[t]["start"]:ann[t]["end"]]
        attributes = {a["type"]: a["value"] for a in ann.values() if a.get("args") == [t] and "value" in a}
        for field in fields(layer):
            if "categories" in field and row[field["name"]] is not None:
                assert brat_value(row[field["name"]]) in attributes.values(), (layer, key(layer, row), field)
    assert sum(1 for i in ann if i[0] == "T") == sum(len(truth(name)) for name in LAYERS)


def test_brat_relations_have_the_declared_argument_types(brat):
    ann, _, conf, _ = brat
    declared = {}
    for line in conf["relations"]:
        name, args = line.split("\t")
        if not name.startswith("<"):
            arg1, arg2 = (part.split(":", 1)[1].split("|") for part in args.split(", ")[:2])
            declared[name] = (set(arg1), set(arg2))
    entities = set(conf["entities"])
    for ident, item in ann.items():
        if ident[0] == "T":
            assert item["type"] in entities
        if ident[0] == "R":
            first, second = (ann[a]["type"] for a in item["args"])
            assert first in declared[item["type"]][0] and second in declared[item["type"]][1], ident


def test_brat_relations_follow_every_key_between_layers_in_the_right_direction(brat):
    """A foreign key from one layer's row to another's (a frame claim, a cue's claim) is a
    relation from the row to the row it names; a link table's row (claim_dates) goes from its
    first key to its second; a claim-actor role goes to a mention of that very actor."""
    ann, _, _, _ = brat
    relations = {(i["type"], *i["args"]) for i in ann.values() if "args" in i and i["type"] != "Reference"
                 and len(i["args"]) == 2}
    layer_names = set(LAYERS)
    checked = 0
    for layer in LAYERS:
        for fk in SCHEMAS[layer].get("foreignKeys", []):
            target = fk["reference"].get("resource", layer)
            if target not in layer_names or len(fk["fields"]) != 1:
                continue
            column = fk["fields"][0]
            targets = {key(target, r): r for r in truth(target)}
            for row in truth(layer):
                if row[column] is not None:
                    kind = camel(column.removesuffix("_id"))
                    expected = (kind, t_of(brat, layer, row), t_of(brat, target, targets[row[column]]))
                    assert expected in relations
                    checked += 1
    claims = {r["claim_id"]: r for r in truth("claims")}
    dates = {r["date_id"]: r for r in truth("dates")}
    for link in truth("claim_dates"):
        expected = (camel(link["relation"]), t_of(brat, "claims", claims[link["claim_id"]]),
                    t_of(brat, "dates", dates[link["date_id"]]))
        assert expected in relations
        checked += 1
    mentions = {t_of(brat, "mentions", m): m for m in truth("mentions")}
    for link in truth("claim_actors"):
        first = t_of(brat, "claims", claims[link["claim_id"]])
        hits = [r for r in relations if r[0] == camel(link["role"]) and r[1] == first and r[2] in mentions
                and mentions[r[2]]["actor_id"] == link["actor_id"]]
        assert hits, (link["claim_id"], link["actor_id"])
        checked += 1
    assert checked > len(truth("claim_actors"))


def test_brat_normalizations_give_every_linked_row_its_identifier(brat, exported):
    """Each row of a layer with a ``span.link`` (``fk_field.field``) whose referenced row has an
    identifier is one N line ``Reference <T id> <db>:<identifier>``, with <db> declared in
    tools.conf's [normalization] section (brat's normalization format)."""
    folder, _ = exported["brat"]
    databases = {line.split("\t")[0] for line in parse_conf(folder / "tools.conf")["normalization"]}
    expected = []
    for layer in LAYERS:
        if "link" not in SCHEMAS[layer]["span"]:
            continue
        column, target = SCHEMAS[layer]["span"]["link"].split(".")
        table = next(fk["reference"]["resource"] for fk in SCHEMAS[layer]["foreignKeys"]
                     if fk["fields"] == [column])
        owners = {r[SCHEMAS[table]["primaryKey"][0]]: r for r in truth(table)}
        expected += [(t_of(brat, layer, row), owners[row[column]][target]) for row in truth(layer)
                     if row[column] is not None and owners[row[column]][target]]
    got = []
    for line in (brat[3].with_suffix(".ann")).read_text(encoding="utf-8").splitlines():
        if line.startswith("N"):
            kind, ident, reference = line.split("\t")[1].split(" ")
            database, identifier = reference.split(":", 1)
            assert kind == "Reference" and database in databases, line
            got.append((ident, identifier))
    assert expected and sorted(got) == sorted(expected)


def test_brat_ids_count_from_one_per_kind(brat):
    """T1.., R1.., A1.., N1.., #1.. in file order, as brat's standoff examples number them."""
    ann = brat[0]
    for prefix in "TRAN#":
        ids = [ident for ident in ann if ident[0] == prefix]
        assert ids == [f"{prefix}{i}" for i in range(1, len(ids) + 1)] and ids, prefix


def test_brat_visual_conf_labels_and_colours_every_entity_type(brat, exported):
    """visual.conf in brat's format: a [labels] entry ``Type | label`` and a [drawing] entry
    ``Type<TAB>bgColor:#rrggbb`` for every entity type of annotation.conf, nothing else, and a
    final newline."""
    folder, _ = exported["brat"]
    text = (folder / "visual.conf").read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    sections = parse_conf(folder / "visual.conf")
    assert set(sections) == {"labels", "drawing"}
    types = brat[2]["entities"]
    assert [line.split(" | ")[0] for line in sections["labels"]] == types
    assert all(re.fullmatch(r"[\w-]+ \| [\w -]+", line) for line in sections["labels"])
    assert [line.split("\t")[0] for line in sections["drawing"]] == types
    assert all(re.fullmatch(r"[\w-]+\tbgColor:#[0-9a-f]{6}", line) for line in sections["drawing"])


def reversed_key(real, table: str):
    """``schemas()`` with ``table``'s two-column primary key in the other order."""

    def schemas():
        out = copy.deepcopy(real())
        out[table]["primaryKey"] = out[table]["primaryKey"][::-1]
        return out

    return schemas


def test_brat_draws_a_registry_first_side_to_its_mention_in_the_other_side(tmp_path, monkeypatch):
    """The brat module docstring: a link-table side that is a registry row (an actor) "is drawn to
    its mention nearest to the other side". With claim_actors keyed (actor_id, claim_id), the actor
    is the first side: each role relation starts at a mention of the actor inside the claim where
    the actor has one (in the text, its first mention is often elsewhere)."""
    assert SCHEMAS["claim_actors"]["primaryKey"] == ["claim_id", "actor_id"]
    monkeypatch.setattr(brat_export, "schemas", reversed_key(brat_export.schemas, "claim_actors"))
    exports.export("brat", tmp_path / "b")
    (ann_path,) = (tmp_path / "b").glob("*.ann")
    ann = parse_ann(ann_path)
    by_span: dict = {}
    for ident, item in ann.items():
        if ident[0] == "T":
            by_span.setdefault((item["start"], item["end"]), []).append(ident)
    standoff = (ann, by_span, None, ann_path.with_suffix(".txt"))
    claims = {r["claim_id"]: r for r in truth("claims")}
    starts: dict = {}
    for ident, item in ann.items():
        if ident[0] == "R":
            starts.setdefault((item["type"], item["args"][1]), set()).add(
                (ann[item["args"][0]]["start"], ann[item["args"][0]]["end"]))
    elsewhere = 0
    for link in truth("claim_actors"):
        claim = claims[link["claim_id"]]
        mentions = sorted((m["char_start"], m["char_end"]) for m in truth("mentions")
                          if m["actor_id"] == link["actor_id"])
        inside = {m for m in mentions if claim["char_start"] <= m[0] and m[1] <= claim["char_end"]}
        if inside:
            drawn = starts[(camel(link["role"]), t_of(standoff, "claims", claim))]
            assert drawn & inside, (link["claim_id"], link["actor_id"])
            elsewhere += mentions[0] not in inside
    assert elsewhere


BRAT_UNDER_ANOTHER_LOCALE = """
import copy, json, pathlib, sys
from rfi_umarov_2022 import exports
from rfi_umarov_2022.exports import brat
extra = json.loads(sys.argv[2])
real = brat.schemas
def schemas():
    out = copy.deepcopy(real())
    for table, column, value in extra:
        field = next(f for f in out[table]["fields"] if f["name"] == column)
        field["categories"] = [*field["categories"], value]
    return out
brat.schemas = schemas
exports.export("brat", pathlib.Path(sys.argv[1]))
"""


def test_brat_files_are_utf8_whatever_the_locale(tmp_path, exported):
    """Under an ASCII locale (LC_ALL=C without Python's UTF-8 mode: what a Windows code page is to
    non-Latin-1 text) the .ann, whose text has curly quotes, is the same UTF-8 file, and an entity
    type that is not ASCII (a category added to the field a layer's label reads through a key)
    reaches annotation.conf and visual.conf as UTF-8."""
    folder, _ = exported["brat"]
    extra = []
    for layer in LAYERS:
        column, _, target = SCHEMAS[layer]["span"]["label"].partition(".")
        if target:
            table = next(fk["reference"]["resource"] for fk in SCHEMAS[layer]["foreignKeys"]
                         if fk["fields"] == [column])
            extra.append((table, target, "état"))
    assert extra
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    result = subprocess.run([sys.executable, "-c", BRAT_UNDER_ANOTHER_LOCALE, str(tmp_path / "b"),
                             json.dumps(extra)], capture_output=True, env=env)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    (ann,) = folder.glob("*.ann")
    assert not ann.read_bytes().isascii()
    assert (tmp_path / "b" / ann.name).read_bytes() == ann.read_bytes()
    for conf in ("annotation.conf", "visual.conf"):
        assert "état" in (tmp_path / "b" / conf).read_bytes().decode("utf-8"), conf


# ---------------------------------------------------------------- W3C Web Annotation


@pytest.fixture(scope="module")
def annotations(exported):
    folder, _ = exported["webanno"]
    document = json.loads((folder / "annotations.jsonld").read_text(encoding="utf-8"))
    return folder, document, {item["id"]: item for item in document["first"]["items"]}


def test_webanno_has_every_span_row_with_its_selectors_and_fields(annotations, text):
    folder, document, items = annotations
    assert document["type"] == "AnnotationCollection" and document["total"] == len(items)
    spans = [name for name, s in SCHEMAS.items() if "span" in s]
    assert len(items) == sum(len(truth(name)) for name in spans)
    for name in spans:
        for row in truth(name):
            item = items[f"#{name}/{key(name, row)}"]
            assert (folder / item["target"]["source"]).read_text(encoding="utf-8") == text
            position, quote = item["target"]["selector"]
            assert (position["start"], position["end"]) == (row["char_start"], row["char_end"])
            assert quote["exact"] == row[SCHEMAS[name]["span"]["text"]]
            assert quote["exact"] == text[row["char_start"]:row["char_end"]]
            assert text[:row["char_start"]].endswith(quote["prefix"])
            assert text[row["char_end"]:].startswith(quote["suffix"])
            data = item["body"][0]
            for column, value in row.items():
                if column not in ("char_start", "char_end") and value is not None:
                    expected = value.isoformat() if isinstance(value, dt.date) else value
                    assert data[f"data:{column}"] == expected, (name, key(name, row), column)


def test_webanno_carries_every_link_table_row(annotations):
    _, _, items = annotations
    for link, first, second in (("claim_actors", "claim_id", "actor_id"),
                                ("claim_dates", "claim_id", "date_id")):
        for row in truth(link):
            bodies = items[f"#claims/{row[first]}"]["body"]
            found = [b for b in bodies
                     if b.get("data:table") == link and b.get(f"data:{second}") == row[second]]
            assert len(found) == 1, (link, row)
            assert all(found[0][f"data:{k}"] == v for k, v in row.items())


def test_webanno_collection_and_its_page_are_identified(annotations):
    """W3C Web Annotation Data Model, Annotation Collection and Annotation Page: each has an id and
    its type; total is the number of annotations; the first page starts at index 0 and holds them."""
    _, document, items = annotations
    page = document["first"]
    assert document["type"] == "AnnotationCollection" and page["type"] == "AnnotationPage"
    assert all(isinstance(part.get("id"), str) and part["id"] for part in (document, page))
    assert len({document["id"], page["id"], *items}) == len(items) + 2
    assert page["startIndex"] == 0 and document["total"] == len(page["items"]) == len(items)


def test_webanno_dataset_body_names_the_row_s_table(annotations):
    """The Dataset body of the annotation #<table>/<key> carries data:table = <table>."""
    _, _, items = annotations
    for ident, item in items.items():
        (dataset,) = [b for b in item["body"] if b.get("type") == "Dataset"]
        assert dataset["data:table"] == ident[1:].split("/")[0], ident


def test_webanno_counts_link_rows_whose_first_side_has_no_annotation(tmp_path, monkeypatch):
    """With claim_actors keyed (actor_id, claim_id), a row goes to the mentions of its actor; a
    row whose actor has no mention is attached nowhere and counted in the summary's left out."""
    real = webanno.records
    ghost = {**truth("claim_actors")[0], "actor_id": "never-mentioned"}
    monkeypatch.setattr(webanno, "schemas", reversed_key(webanno.schemas, "claim_actors"))
    monkeypatch.setattr(webanno, "records",
                        lambda name: [*real(name), ghost] if name == "claim_actors" else real(name))
    report = exports.export("webanno", tmp_path / "wa")
    mentioned = {m["actor_id"] for m in truth("mentions")}
    alone = 1 + sum(r["actor_id"] not in mentioned for r in truth("claim_actors"))
    left = report.summary().split("; left out: ", 1)[1].split("; ")
    assert f"{alone} claim_actors rows whose first side has no annotation" in left
    document = json.loads((tmp_path / "wa" / "annotations.jsonld").read_text(encoding="utf-8"))
    assert "never-mentioned" not in json.dumps(document)


def test_webanno_identifies_mentions_by_wikidata(annotations):
    _, _, items = annotations
    actors = {a["actor_id"]: a for a in truth("actors")}
    for mention in truth("mentions"):
        qid = actors[mention["actor_id"]]["wikidata_id"]
        ids = {b.get("id") for b in items[f"#mentions/{mention['mention_id']}"]["body"]}
        assert (f"http://www.wikidata.org/entity/{qid}" in ids) == (qid is not None)


#: The motivations of the W3C Web Annotation Vocabulary.
MOTIVATIONS = {"assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
               "highlighting", "identifying", "linking", "moderating", "questioning", "replying",
               "tagging"}


def test_webanno_items_are_annotations_with_the_model_s_motivations(annotations):
    """W3C Web Annotation Data Model: every item has type Annotation and a motivation of the
    vocabulary; a row of a span table without a label (a segment) tags its text; bodies and
    selectors are of the model's types (a Dataset body is one of its resource classes)."""
    _, _, items = annotations
    tagged = 0
    for ident, item in items.items():
        assert item["type"] == "Annotation" and item["motivation"] in MOTIVATIONS, ident
        span = SCHEMAS[ident[1:].split("/")[0]]["span"]
        if "label" not in span and "link" not in span:
            assert item["motivation"] == "tagging", ident
            tagged += 1
        assert {b["type"] for b in item["body"] if "type" in b} <= {"Dataset", "TextualBody",
                                                                    "SpecificResource"}
        assert [s["type"] for s in item["target"]["selector"]] == ["TextPositionSelector",
                                                                  "TextQuoteSelector"]
    assert tagged


def test_the_json_ld_loader_serves_the_shipped_w3c_context_and_nothing_else():
    """The W3C context URL (http or https, with or without a final slash) is answered from the
    copy in the package, as PyLD's loaders answer; anything else is refused, never fetched."""
    shipped = json.loads((ROOT / "rfi_umarov_2022" / "contexts" / "anno.jsonld").read_text(encoding="utf-8"))
    for url in ("http://www.w3.org/ns/anno.jsonld", "https://www.w3.org/ns/anno.jsonld",
                "http://www.w3.org/ns/anno.jsonld/"):
        assert webanno.document_loader(url) == {"contextUrl": None, "documentUrl": url, "document": shipped}
    with pytest.raises(ValueError, match="refusing to fetch"):
        webanno.document_loader("http://www.w3.org/ns/other.jsonld")


# ---------------------------------------------------------------- where a registry row is drawn


def test_nearest_prefers_inside_then_sentence_then_utterance_then_distance():
    """The contract of exports.common.nearest's docstring, on made-up rows: inside the span,
    else the same sentence, else the same utterance, else the nearest; ties go to the earliest."""
    to = {"char_start": 100, "char_end": 120, "sentence_id": "s2", "utterance_id": "u1"}

    def row(start: int, sentence: str, utterance: str) -> dict:
        return {"char_start": start, "char_end": start + 5, "sentence_id": sentence,
                "utterance_id": utterance}

    elsewhere, same_utterance = row(125, "s9", "u2"), row(10, "s1", "u1")
    assert nearest([elsewhere, same_utterance], to) is same_utterance
    same_sentence = row(40, "s2", "u1")
    assert nearest([elsewhere, same_utterance, same_sentence], to) is same_sentence
    closer, inside = row(95, "s2", "u1"), row(112, "s2", "u1")
    assert nearest([closer, elsewhere, inside, same_sentence], to) is inside
    later, earlier = row(120, "s9", "u2"), row(80, "s9", "u2")
    assert nearest([later, earlier], to) is earlier
    assert nearest([later, earlier], None) is earlier and nearest([], to) is None


# ---------------------------------------------------------------- the CLI around the writers


def test_cli_refuses_an_existing_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = cli("export", str(target))
    assert result.returncode == 2 and "is a file" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_an_existing_target_that_is_not_a_folder_is_refused(tmp_path):
    """A FIFO (or any other non-folder) is refused like a file, with the usage exit code 2."""
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(exports.ExportError, match="is a file; give a new or empty folder") as info:
        exports.export("csv", tmp_path / "pipe")
    assert info.value.exit_code == 2 and (tmp_path / "pipe").is_fifo()


def test_a_folder_that_is_not_empty_is_refused_untouched(tmp_path, capsys):
    folder = tmp_path / "full"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep", encoding="utf-8")
    assert main(["export", "--format", "parquet", str(folder)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(f"error: {folder} is not empty")
    assert output_files(folder) == {"mine.txt": b"keep"}


def test_cli_creates_only_the_folder_it_is_given(tmp_path):
    result = cli("export", str(tmp_path / "missing" / "out"))
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "missing").exists()


def test_cli_unknown_table_and_whole_text_formats(tmp_path):
    result = cli("export", "--table", "nope", str(tmp_path / "a"))
    assert result.returncode == 2 and "unknown table 'nope'" in result.stderr
    result = cli("export", "--format", "brat", "--table", "claims", str(tmp_path / "b"))
    assert result.returncode == 2 and "does not apply" in result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_missing_library_is_one_line_naming_the_distribution_and_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(exports.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(exports.ExportError, match=r"pip install spacy .*'\.\[interop\]'"):
        exports.export("spacy", tmp_path / "s")
    with pytest.raises(exports.ExportError, match=r"pip install datasets pyyaml "):
        exports.export("hf", tmp_path / "h")
    assert not (tmp_path / "s").exists() and not (tmp_path / "h").exists()


def test_a_failing_writer_leaves_no_half_export(tmp_path, monkeypatch):
    def broken(target, tables, report):
        (target / "half.csv").write_text("x", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setitem(exports.FORMATS, "csv", exports.Format(broken, "broken"))
    with pytest.raises(OSError):
        exports.export("csv", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_unexpected_error_is_one_line_and_traceback_on_request(tmp_path):
    code = ("import sys; from rfi_umarov_2022 import exports, __main__ as m\n"
            "def boom(t, n, r): raise ZeroDivisionError('planted')\n"
            "exports.FORMATS['csv'] = exports.Format(boom, 'x')\n"
            "sys.exit(m.main(sys.argv[1:]))")
    plain = subprocess.run([sys.executable, "-c", code, "export", str(tmp_path / "a")],
                           capture_output=True, text=True)
    assert plain.returncode == 1 and plain.stderr.count("\n") == 1
    assert "ZeroDivisionError: planted" in plain.stderr and "Traceback" not in plain.stderr
    loud = subprocess.run([sys.executable, "-c", code, "--traceback", "export", str(tmp_path / "b")],
                          capture_output=True, text=True)
    assert loud.returncode != 0 and "Traceback" in loud.stderr


def test_help_lists_every_format_and_every_command_has_a_description():
    help_text = cli("export", "--help").stdout
    for fmt in exports.FORMATS:
        assert f"{fmt}:" in help_text, fmt
    for command in ("info", "validate", "export", "docs", "view"):
        lines = cli(command, "--help").stdout.split("\n\n")
        assert len(lines) > 2 and not lines[1].startswith(("positional", "options")), command


def test_a_closed_pipe_is_not_a_traceback():
    for _ in range(3):
        result = subprocess.run(f"{sys.executable} -m rfi_umarov_2022 info | head -1", shell=True,
                                capture_output=True, text=True)
        assert result.returncode == 0 and "Traceback" not in result.stderr and result.stderr == ""


def test_info_gives_every_table_s_row_count(capsys):
    """`info`: a line per resource of datapackage.json, its name then its row count (as the
    Parquet file's footer gives it), and nothing on stderr."""
    resources = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert main(["info"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = {line.split()[0]: line.split() for line in captured.out.splitlines() if line.strip()}
    for resource in resources:
        rows = pq.read_metadata(ROOT / resource["path"]).num_rows
        words = lines[resource["name"]]
        assert words[1] == str(rows) and words[2] in ("row", "rows"), resource["name"]


def test_missing_spacy_is_one_line_from_the_conversion_itself(monkeypatch):
    """rfi_umarov_2022.to_spacy() without spaCy: the message says what needs it and how to get it."""
    from rfi_umarov_2022 import nlp

    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(exports.ExportError) as info:
        nlp.convert()
    message = str(info.value)
    assert "\n" not in message and message.startswith("the spaCy conversion needs spacy: pip install spacy")


def test_the_top_level_help_lists_the_readme_s_commands_each_with_a_summary():
    """Every command the README runs (python -m rfi_umarov_2022 NAME) is listed with a one-line
    summary in argparse's own style, as its "show this help message and exit": lower case, no
    final period."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"python -m\s+rfi_umarov_2022\s+([a-z]+)", readme))
    section = parser().format_help().split("positional arguments:\n", 1)[1].split("\n\n", 1)[0]
    summaries = dict(re.findall(r"^    ([a-z]+) +(\S.*)$", section, re.MULTILINE))
    assert set(summaries) == documented and {"info", "export", "view"} <= documented
    for name, summary in summaries.items():
        assert summary[0].islower() and not summary.endswith("."), name


def test_each_command_s_help_opens_with_a_sentence(capsys):
    """`python -m rfi_umarov_2022 NAME --help` describes the command in sentences: a capital
    first letter, a final period."""
    section = parser().format_help().split("positional arguments:\n", 1)[1].split("\n\n", 1)[0]
    for name in re.findall(r"^    ([a-z]+)", section, re.MULTILINE):
        with pytest.raises(SystemExit):
            parser().parse_args([name, "--help"])
        description = capsys.readouterr().out.split("\n\n")[1]
        assert description[0].isupper() and description.rstrip().endswith("."), name


def test_docs_lists_and_prints_the_documents_of_the_descriptor(capsys):
    documents = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["docs"]
    assert main(["docs"]) == 0
    listed = [line.split(None, 1) for line in capsys.readouterr().out.splitlines()]
    assert listed == [[name, str(ROOT / path)] for name, path in documents.items()]
    assert main(["docs", "codebook"]) == 0
    assert capsys.readouterr().out == (ROOT / documents["codebook"]).read_text(encoding="utf-8")
    assert main(["docs", "nope"]) == 2
    assert "no document 'nope'" in capsys.readouterr().err


def test_docs_names_a_document_missing_from_the_install_on_stderr(tmp_path, loader_at, capsys):
    shutil.copyfile(ROOT / "datapackage.json", tmp_path / "datapackage.json")
    loader_at(tmp_path)
    assert main(["docs", "codebook"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {tmp_path / 'docs' / 'codebook.md'} is missing from this install\n"


def test_view_out_writes_the_reader_page_once(tmp_path, capsys):
    """`view --out` writes docs/reader.html into a folder or to a new file, never over a file."""
    assert main(["view", "--out", str(tmp_path)]) == 0
    page = tmp_path / "reader.html"
    assert capsys.readouterr().out == f"wrote {page}\n"
    assert page.read_bytes() == (ROOT / "docs" / "reader.html").read_bytes()
    assert main(["view", "--out", str(page)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["view", "--out", str(tmp_path / "no" / "page.html")]) == 2
    assert "is not a folder" in capsys.readouterr().err and not (tmp_path / "no").exists()
    # a name that ends in a slash means a folder (made, as export makes one): never a file
    assert main(["view", "--out", str(tmp_path / "newdir") + "/"]) == 0
    assert (tmp_path / "newdir" / "reader.html").read_bytes() == page.read_bytes()


def test_view_names_a_reader_page_missing_from_the_install(tmp_path, loader_at, capsys):
    documents = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["docs"]
    shutil.copyfile(ROOT / "datapackage.json", tmp_path / "datapackage.json")
    loader_at(tmp_path)
    assert main(["view", "--out", str(tmp_path / "page.html")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and not (tmp_path / "page.html").exists()
    assert captured.err == f"error: {tmp_path / documents['reader']} is missing from this install\n"


def registry_parts(report) -> list[str]:
    return report.summary().split("; left out: ", 1)[1].split("; ")


@pytest.mark.parametrize("fmt", ["brat", "webanno"])
def test_registry_rows_no_span_points_at_are_named(fmt, exported):
    """Formats that carry a registry (actors) only on the spans that point at it name the rows
    no mention points at: the actors (plain pyarrow) minus the actors of the mentions."""
    folder, report = exported[fmt]
    mentioned = {m["actor_id"] for m in truth("mentions")}
    alone = [a["actor_id"] for a in truth("actors") if a["actor_id"] not in mentioned]
    assert alone
    assert f"{len(alone)} actors rows that no span points at ({', '.join(alone)})" in registry_parts(report)
    if fmt == "webanno":
        document = json.loads((folder / "annotations.jsonld").read_text(encoding="utf-8"))
        embedded = {body["data:actor_id"] for item in document["first"]["items"] for body in item["body"]
                    if body.get("purpose") == "identifying" and body.get("data:table") == "actors"}
        assert embedded == mentioned  # a registry row travels only with a mention


def test_brat_names_the_registry_fields_it_cannot_carry(exported):
    """For actors and events, the summary splits the schema's fields into carried and not; a
    text field said not carried (a description) appears nowhere in the .ann."""
    folder, report = exported["brat"]
    ann = next(folder.glob("*.ann")).read_text(encoding="utf-8")
    for table in ("actors", "events"):
        (part,) = [p for p in registry_parts(report) if p.startswith(f"{table}: only ")]
        kept, dropped = re.fullmatch(rf"{table}: only (.+) on the spans that point at a row \(not (.+)\)",
                                     part).groups()
        kept, dropped = kept.split(", "), dropped.split(", ")
        assert sorted(kept + dropped) == sorted(f["name"] for f in fields(table)), table
        assert "description" in dropped
        assert not any(row["description"] in ann for row in truth(table) if row["description"]), table
