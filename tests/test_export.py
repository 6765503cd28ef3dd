"""Exports compared with the tables, field by field, through readers that are not the writers.

The oracle is each table as plain pyarrow reads it from dataset/*.parquet (``truth``) and the
Table Schemas as written (conftest.SCHEMAS); the exports are read back with the csv and json
modules, pandas' Stata reader and small parsers of brat's standoff and of Web Annotation JSON.
Readers that need libraries of the slow tier (frictionless, pyreadstat, rdflib, PyLD, datasets,
spaCy, R) are in tests/slow/.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import LAYERS, ROOT, SCHEMAS

from rfi_umarov_2022 import exports
from rfi_umarov_2022.exports.common import shipped_file

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


def test_webanno_identifies_mentions_by_wikidata(annotations):
    _, _, items = annotations
    actors = {a["actor_id"]: a for a in truth("actors")}
    for mention in truth("mentions"):
        qid = actors[mention["actor_id"]]["wikidata_id"]
        ids = {b.get("id") for b in items[f"#mentions/{mention['mention_id']}"]["body"]}
        assert (f"http://www.wikidata.org/entity/{qid}" in ids) == (qid is not None)


# ---------------------------------------------------------------- the CLI around the writers


def test_cli_refuses_an_existing_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = cli("export", str(target))
    assert result.returncode == 2 and "is a file" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


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
