"""Exports read back with their real readers: frictionless, pandas' Stata reader, brat's .ann
format, JSON-LD with the W3C context held locally. The heavy targets are in test_interop_slow.py."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import rfi_umarov_2022 as ds
from rfi_umarov_2022 import export as ex

SPAN_LAYERS = {"mentions": "surface", "claims": "quote", "dates": "surface", "notes": "surface",
               "claim_cues": "cue"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rfi_umarov_2022", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Export each fast format once (in-process); returns format -> folder."""
    root = tmp_path_factory.mktemp("exports")
    out = {}
    for fmt in ("csv", "jsonl", "parquet", "stata", "brat", "webanno"):
        ex.export(fmt, root / fmt)
        out[fmt] = root / fmt
    return out


def schema_fields(name: str) -> list[dict]:
    return ex.table_schema(name)["fields"]


# ---------------------------------------------------------------- common steps and the CLI


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "stata", "webanno"])
def test_every_export_carries_the_text_with_its_terms(fmt, exported, text):
    folder = exported[fmt]
    assert (folder / "transcript.txt").read_text(encoding="utf-8") == text
    for name in ("LICENSE", "PROVENANCE.md"):
        assert (folder / name).read_bytes() == ex._find_shipped(name).read_bytes(), name


def test_brat_text_is_the_transcript_with_its_terms(exported, text):
    folder = exported["brat"]
    (txt,) = folder.glob("*.txt")
    assert txt.read_text(encoding="utf-8") == text
    assert (folder / "LICENSE").is_file() and (folder / "PROVENANCE.md").is_file()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_tabular_export_validates_with_frictionless(fmt, exported, tables):
    frictionless = pytest.importorskip("frictionless")
    descriptor = exported[fmt] / "datapackage.json"
    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["type", "note"])[:5]
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == list(tables)
    assert package["sources"][0]["path"] == "transcript.txt"


def test_csv_reads_back_to_the_loader_values(exported, tables):
    for name, frame in tables.items():
        back = pd.read_csv(exported["csv"] / f"{name}.csv", dtype=str, keep_default_na=False)
        assert len(back) == len(frame), name
        for field in schema_fields(name):
            column = field["name"]
            expected = [ex._plain(v, field["type"]) for v in frame[column].astype(object)]
            expected = ["" if v is None else str(v) for v in expected]
            assert back[column].tolist() == expected, (name, column)


def test_jsonl_rows_equal_the_loader_rows(exported, tables):
    for name in tables:
        lines = (exported["jsonl"] / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == ex.records(name)


def test_parquet_export_is_the_distributed_files(exported):
    package = json.loads(ds.datapackage_path().read_text(encoding="utf-8"))
    for resource in package["resources"]:
        original = (ds.datapackage_path().parent / resource["path"]).read_bytes()
        assert (exported["parquet"] / f"{resource['name']}.parquet").read_bytes() == original


def test_one_table_export_drops_foreign_keys_to_tables_left_out(tmp_path):
    frictionless = pytest.importorskip("frictionless")
    result = cli("export", "--format", "parquet", "--table", "claims", str(tmp_path / "one"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and "1 table(s)" in result.stdout
    package = json.loads((tmp_path / "one" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["claims"]
    fks = package["resources"][0]["schema"]["foreignKeys"]
    assert all("resource" not in fk["reference"] for fk in fks)  # only the self-reference is left
    assert frictionless.validate(str(tmp_path / "one" / "datapackage.json")).valid


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


def test_cli_refuses_a_path_under_a_file(tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    result = cli("export", str(tmp_path / "f" / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_cli_unknown_table_and_whole_text_formats(tmp_path):
    result = cli("export", "--table", "nope", str(tmp_path / "a"))
    assert result.returncode == 2 and "unknown table 'nope'" in result.stderr
    result = cli("export", "--format", "brat", "--table", "claims", str(tmp_path / "b"))
    assert result.returncode == 2 and "does not apply" in result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_missing_library_is_one_line_naming_the_distribution_and_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(ex.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ex.ExportError, match=r"pip install spacy .*'\.\[interop\]'"):
        ex.export("spacy", tmp_path / "s")
    with pytest.raises(ex.ExportError, match=r"pip install datasets pyyaml "):  # distributions, not modules
        ex.export("hf", tmp_path / "h")
    assert not (tmp_path / "s").exists() and not (tmp_path / "h").exists()


def test_a_failing_writer_leaves_no_half_export(tmp_path, monkeypatch):
    def broken(target, tables, report):
        (target / "half.csv").write_text("x", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setitem(ex.FORMATS, "csv", ex.Format(broken, "broken"))
    with pytest.raises(OSError):
        ex.export("csv", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_enums_from_constraints_or_table_schema_v2_categories():
    assert ex.enum_values({"constraints": {"enum": ["a", "b"]}}) == ["a", "b"]
    assert ex.enum_values({"categories": ["b", "a"], "categoriesOrdered": True}) == ["b", "a"]
    assert ex.enum_values({"categories": [{"value": "x", "label": "X"}, {"value": "y"}]}) == ["x", "y"]
    assert ex.is_ordered({"categories": ["b", "a"], "categoriesOrdered": True})
    assert ex.enum_values({"type": "string"}) is None


def test_importing_the_package_imports_neither_pandas_nor_pyarrow():
    code = ("import sys, rfi_umarov_2022, rfi_umarov_2022.export, rfi_umarov_2022.nlp; "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'spacy', 'datasets') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


# ---------------------------------------------------------------- Stata


def test_stata_reads_back_every_table_with_labels_and_categories(exported, tables):
    for name, frame in tables.items():
        path = exported["stata"] / f"{name}.dta"
        with pd.io.stata.StataReader(path) as reader:
            back = reader.read()
            variable_labels = reader.variable_labels()
            value_labels = reader.value_labels()
        assert path.read_bytes()[:60].startswith(b"<stata_dta><header><release>118</release>"), name
        assert len(back) == len(frame), name
        for field in schema_fields(name):
            column = field["name"]
            assert variable_labels[column] == ex.stata_label(field.get("description", ""))[0]
            assert len(variable_labels[column]) <= ex.STATA_LABEL_LIMIT
            values = ex.enum_values(field)
            if values is not None:
                # pandas keeps only the labels in use as categories, in code (= schema) order;
                # the full set, in order, is in the value labels
                observed = set(frame[column].dropna())
                assert list(back[column].cat.categories) == [v for v in values if v in observed]
                assert value_labels[column] == {i + 1: v for i, v in enumerate(values)}
                assert back[column].astype(object).where(back[column].notna(), None).tolist() == \
                    frame[column].astype(object).where(frame[column].notna(), None).tolist()
            elif field["type"] == "integer":
                assert back[column].astype("Int64").tolist() == frame[column].tolist(), (name, column)
            elif field["type"] == "date":
                assert back[column].tolist() == frame[column].tolist(), (name, column)
            else:
                expected = frame[column].astype(object).where(frame[column].notna(), "").tolist()
                assert back[column].tolist() == expected, (name, column)


def test_stata_truncated_labels_are_reported_and_kept_in_full(exported):
    rows = list(csv.DictReader((exported["stata"] / "fields.csv").open(encoding="utf-8")))
    long = [r for r in rows if len(r["description"]) > ex.STATA_LABEL_LIMIT]
    assert long, "expected some descriptions longer than Stata's label limit"
    for row in long:
        assert ex.stata_label(row["description"])[1]


def test_stata_with_pyreadstat(exported, tables):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame, meta = pyreadstat.read_dta(str(exported["stata"] / "claims.dta"))
    assert len(frame) == len(tables["claims"])
    values = ex.enum_values(next(f for f in schema_fields("claims") if f["name"] == "claim_type"))
    assert meta.variable_value_labels["claim_type"] == {i + 1: v for i, v in enumerate(values)}


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
            out[ident] = {"type": type_, "args": [arg1.split(":")[1], arg2.split(":")[1]]}
        elif ident[0] == "A":
            type_, target, value = rest.split(" ")
            out[ident] = {"type": type_, "args": [target], "value": value}
        elif ident[0] in "N#":
            head = rest.split("\t")[0].split(" ")
            out[ident] = {"type": head[0], "args": [head[1]]}
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


def test_brat_offsets_slice_the_txt_and_every_reference_exists(exported, tables):
    folder = exported["brat"]
    (ann_path,) = folder.glob("*.ann")
    text = ann_path.with_suffix(".txt").read_text(encoding="utf-8")
    ann = parse_ann(ann_path)
    conf = parse_conf(folder / "annotation.conf")
    entity_types = set(conf["entities"])
    relation_types = {line.split("\t")[0] for line in conf["relations"]}
    attribute_values = {line.split("\t")[0]: line.split("Value:")[1].split("|")
                        for line in conf["attributes"]}
    textbound = {k: v for k, v in ann.items() if k[0] == "T"}
    for ident, t in textbound.items():
        assert text[t["start"]:t["end"]] == t["text"], ident
        assert t["type"] in entity_types
    for ident, a in ann.items():
        for arg in a.get("args", []):
            assert arg in textbound, (ident, arg)
        if ident[0] == "R":
            assert a["type"] in relation_types
        if ident[0] == "A":
            assert a["value"] in attribute_values[a["type"]], ident
    assert len(textbound) == sum(len(tables[layer]) for layer in SPAN_LAYERS)
    roles = {a["type"] for a in ann.values() if a["type"] in {"Agent", "Target", "Mentioned"}}
    assert roles == {"Agent", "Target", "Mentioned"}
    used = {a["type"] for ident, a in ann.items() if ident[0] == "R"}
    camel = {v: "".join(p.capitalize() for p in v.split("_"))
             for v in tables["claim_dates"].relation.cat.categories}
    assert {camel[v] for v in tables["claim_dates"].relation} <= used
    assert set(camel.values()) <= relation_types
    assert ("Frame" in used) == tables["claims"].frame_claim_id.notna().any()
    assert ("Cue" in used) == (not tables["claim_cues"].empty)
    assert sum(1 for a in ann.values() if a["type"] == "Reference") > 0  # Wikidata normalizations
    assert parse_conf(folder / "visual.conf")["labels"]


# ---------------------------------------------------------------- W3C Web Annotation


def local_jsonld(document: dict) -> dict:
    """The document with the W3C context URL replaced by the package's local copy."""
    context = json.loads(ex.anno_context_path().read_text(encoding="utf-8"))["@context"]
    document = dict(document)
    document["@context"] = [context if c == ex.ANNO_CONTEXT_URL else c for c in document["@context"]]
    return document


def test_webanno_selectors_slice_the_source(exported, tables, text):
    document = json.loads((exported["webanno"] / "annotations.jsonld").read_text(encoding="utf-8"))
    assert document["type"] == "AnnotationCollection"
    items = document["first"]["items"]
    assert document["total"] == len(items) == sum(len(tables[layer]) for layer in SPAN_LAYERS)
    source = (exported["webanno"] / items[0]["target"]["source"]).read_text(encoding="utf-8")
    assert source == text
    for item in items:
        position, quote = item["target"]["selector"]
        assert position["type"] == "TextPositionSelector" and quote["type"] == "TextQuoteSelector"
        assert source[position["start"]:position["end"]] == quote["exact"], item["id"]
        assert source[:position["start"]].endswith(quote["prefix"])
        assert source[position["end"]:].startswith(quote["suffix"])
    actors = tables["actors"].set_index("actor_id")
    for mention in tables["mentions"].itertuples():
        item = next(i for i in items if i["id"] == f"#mentions/{mention.mention_id}")
        links = {b.get("id") for b in item["body"]}
        qid = actors.loc[mention.actor_id, "wikidata_id"]
        if pd.notna(qid):
            assert f"http://www.wikidata.org/entity/{qid}" in links


def test_webanno_parses_as_json_ld_with_the_local_context(exported):
    rdflib = pytest.importorskip("rdflib")
    path = exported["webanno"] / "annotations.jsonld"
    document = local_jsonld(json.loads(path.read_text(encoding="utf-8")))
    graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld", base=path.as_uri())
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    annotations = set(graph.subjects(rdflib.RDF.type, oa.Annotation))
    assert len(annotations) == json.loads(path.read_text(encoding="utf-8"))["total"]
    starts = list(graph.objects(None, oa.start))
    assert starts and all(s.datatype == rdflib.XSD.nonNegativeInteger for s in starts)
    wikidata = {str(o) for o in graph.objects(None, oa.hasBody) if "wikidata.org/entity/Q" in str(o)}
    assert wikidata
    # the shipped copy of the context is the one the export carries
    assert (exported["webanno"] / "anno.jsonld").read_bytes() == ex.anno_context_path().read_bytes()


def test_webanno_expands_with_pyld_and_a_local_document_loader(exported):
    jsonld = pytest.importorskip("pyld.jsonld")
    path = exported["webanno"] / "annotations.jsonld"
    document = json.loads(path.read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(document, {"base": path.as_uri(), "format": "application/n-quads",
                                      "documentLoader": ex.jsonld_document_loader})
    assert "<http://www.w3.org/ns/oa#hasSelector>" in nquads
    with pytest.raises(ValueError, match="refusing to fetch"):
        ex.jsonld_document_loader("http://example.org/context.jsonld")


def test_help_lists_every_format():
    help_text = cli("export", "--help").stdout
    for fmt in ex.FORMATS:
        assert re.search(rf"\b{fmt}\b", help_text), fmt
