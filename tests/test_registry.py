"""A new span table needs a schema and an annotation file, not code.

On a copy of the fixture project, a made-up layer ("quips") is added as schema/quips.json and
dataset/annotations/quips.yaml only. The build must take it in, and the reader page and every
export must carry its rows, with nothing in the code naming it.
"""

from __future__ import annotations

import json
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
        {"name": "quip_type", "type": "string", "description": "Kind of quip.", "categories": ["wry", "dry"],
         "constraints": {"required": True}},
        {"name": "comment", "type": "string", "description": "Why it is a quip."},
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
  - quip_id: q-two
    utterance_id: headline
    surface: courts
    quip_type: dry
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
