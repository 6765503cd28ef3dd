"""A new span table needs a schema and an annotation file, not code.

On a copy of the fixture project, a made-up layer ("quips") is added as schema/quips.json and
dataset/annotations/quips.yaml only. The build must take it in, and the reader page and every
export must carry its rows, with nothing in the code naming it.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

import rfi_umarov_2022 as ds
from rfi_umarov_2022 import exports, loader, registry
from rfi_umarov_2022_build import pipeline

QUIPS = {
    "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
    "name": "quips",
    "title": "Quips",
    "description": "A made-up layer: witty phrases in the text.",
    "span": {"kind": "annotation", "text": "surface", "label": "quip_type"},
    "fields": [
        {"name": "quip_id", "type": "string", "description": "Identifier.",
         "constraints": {"required": True, "unique": True}},
        {"name": "utterance_id", "type": "string", "description": "Utterance.",
         "constraints": {"required": True}},
        {"name": "sentence_id", "type": "string", "description": "Sentence.",
         "constraints": {"required": True}},
        {"name": "char_start", "type": "integer", "description": "Start.", "constraints": {"required": True}},
        {"name": "char_end", "type": "integer", "description": "End.", "constraints": {"required": True}},
        {"name": "surface", "type": "string", "description": "The words.", "constraints": {"required": True}},
        {"name": "quip_type", "type": "string", "description": "Kind of quip.",
         "categories": ["wry", "dry", "bone-dry", "dead pan"], "constraints": {"required": True}},
        {"name": "comment", "type": "string", "description": "Why it is a quip."},
        {"name": "deadpan", "type": "boolean", "description": "Said with a straight face."},
    ],
    "primaryKey": ["quip_id"],
    "foreignKeys": [
        {"fields": ["utterance_id"], "reference": {"resource": "utterances", "fields": ["utterance_id"]}},
        {"fields": ["sentence_id"], "reference": {"resource": "sentences", "fields": ["sentence_id"]}},
    ],
}
QUIPS_YAML = """quips:
  - quip_id: q-one
    utterance_id: a1
    surface: ports
    quip_type: wry
    comment: A fixture quip.
    deadpan: true
  - quip_id: q-two
    utterance_id: headline
    surface: courts
    quip_type: dry
    deadpan: false
"""


@pytest.fixture(scope="module")
def with_quips(tmp_path_factory, built_fixture) -> Path:
    import shutil

    root = tmp_path_factory.mktemp("quips") / "project"
    shutil.copytree(built_fixture, root)
    (root / "schema" / "quips.json").write_text(json.dumps(QUIPS, indent=2), encoding="utf-8")
    (root / "dataset" / "annotations" / "quips.yaml").write_text(QUIPS_YAML, encoding="utf-8")
    assert pipeline.run(root) == 0
    return root


def test_the_build_places_the_new_layer(with_quips, loader_at):
    loader_at(with_quips)
    quips = ds.load("quips")
    text = ds.source_text()
    assert list(quips.quip_id) == ["q-one", "q-two"]
    for row in quips.itertuples():
        assert text[row.char_start:row.char_end] == row.surface
    assert "quips" in [s.name for s in registry.layers({n: loader.schema(n) for n in ds.list_tables()})]


def test_the_reader_shows_the_new_layer(with_quips):
    page = (with_quips / "docs" / "reader.html").read_text(encoding="utf-8")
    for quip in ("q-one", "q-two"):
        assert page.count(f'data-t="quips" data-id="{quip}"') == 1
    assert 'data-layer="quips"' in page


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "stata", "brat", "webanno"])
def test_every_export_carries_the_new_layer(fmt, with_quips, loader_at, tmp_path):
    loader_at(with_quips)
    report = exports.export(fmt, tmp_path / fmt)
    assert "quips" in report.tables
    files = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (tmp_path / fmt).iterdir()
                      if p.suffix in (".csv", ".jsonl", ".ann", ".jsonld", ".json", ".conf"))
    if fmt in ("csv", "jsonl", "parquet", "stata"):
        assert any(p.stem == "quips" for p in (tmp_path / fmt).iterdir())
    if fmt == "brat":
        assert files.count("\tQuips ") == 2 and "QuipType" in files
    if fmt == "webanno":
        assert '"#quips/q-one"' in files and '"#quips/q-two"' in files


def test_a_boolean_field_is_true_or_false_in_csv(with_quips, loader_at, tmp_path):
    """A boolean cell is spelt as the Table Schema's canonical true/false (the first of its
    default trueValues and falseValues, and JSON's spelling), not Python's True/False."""
    loader_at(with_quips)
    exports.export("csv", tmp_path / "csv", ["quips"])
    with (tmp_path / "csv" / "quips.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["quip_id"]: row for row in csv.DictReader(handle)}
    assert {k: row["deadpan"] for k, row in rows.items()} == {"q-one": "true", "q-two": "false"}


def test_brat_names_are_letters_digits_underscore_and_hyphen(with_quips, loader_at, tmp_path):
    """brat type and attribute names may hold letters, digits, _ and - only: a category with a
    space is written with _ for it, one with a hyphen unchanged."""
    loader_at(with_quips)
    exports.export("brat", tmp_path / "brat")
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    (line,) = [line for line in conf.splitlines() if line.startswith("QuipType\t")]
    values = line.split("Value:", 1)[1].split("|")
    assert values == ["wry", "dry", "bone-dry", "dead_pan"]
    (ann,) = (tmp_path / "brat").glob("*.ann")
    for line in ann.read_text(encoding="utf-8").splitlines():
        if line.startswith(("T", "A")):
            head = line.split("\t")[1].split(" ")
            assert re.fullmatch(r"[\w-]+", head[0]) and (line[0] == "T" or re.fullmatch(r"[\w-]+", head[-1]))


@pytest.mark.parametrize("span, key, parts", [
    ("inline", "span", ["must be an object"]),
    ({**QUIPS["span"], "colour": "red"}, "span",
     ["unknown key 'colour'", "kind", "text", "label", "link", "display", "entity", "score"]),
    ({**QUIPS["span"], "display": "sideways"}, "span.display", ["inline", "underline"]),
])
def test_a_malformed_span_block_is_refused_by_its_key(span, key, parts):
    """The span block as the registry's docstring defines it: an object with the keys kind, text,
    label, link, display, entity and score, display inline or underline."""
    assert registry.span_problem("quips", {"quips": QUIPS}) is None
    problem = registry.span_problem("quips", {"quips": {**QUIPS, "span": span}})
    assert problem is not None and problem[0] == key
    assert all(part in problem[1] for part in parts), problem
    if span == "inline":
        assert problem[1] == "must be an object"


def test_the_unit_is_the_segment_every_layer_refers_to_or_an_error():
    """registry.unit: the segment table every annotation layer points into; without one, a
    ValueError that says so."""
    from conftest import SCHEMAS

    segments = {s.name for s in registry.span_tables(SCHEMAS, "segment")}
    without = {name: s for name, s in SCHEMAS.items() if name not in segments}
    assert registry.layers(without)
    with pytest.raises(ValueError, match=r"^no segment table that every annotation layer refers to$"):
        registry.unit(without)
