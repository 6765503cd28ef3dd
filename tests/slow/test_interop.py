"""The heavy targets read back with their real tools: Hugging Face ``datasets``, spaCy, and R.

Marked slow; each skips with a reason when its library or program is absent. Nothing is
downloaded: ``datasets`` runs offline, spaCy uses ``spacy.blank``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rfi_umarov_2022 as ds
from rfi_umarov_2022 import export as ex

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent.parent

HF_READER = """
import json, sys
import datasets
folder, names = sys.argv[1], sys.argv[2:]
out = {}
for name in names:
    d = datasets.load_dataset(folder, name, split="train")
    out[name] = {"rows": d.num_rows, "features": {
        k: (["ClassLabel", v.names] if isinstance(v, datasets.ClassLabel) else ["Value", v.dtype])
        for k, v in d.features.items()}, "first": {k: str(v) for k, v in d[0].items()}}
print(json.dumps(out))
"""


def test_hf_folder_loads_every_config_offline(tmp_path, tables):
    pytest.importorskip("datasets")
    folder = tmp_path / "hf"
    ex.export("hf", folder)
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "hf-home"), "HF_DATASETS_CACHE": str(tmp_path / "hf-cache")}
    result = subprocess.run([sys.executable, "-c", HF_READER, str(folder), *tables], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Ignoring part of dataset_info" not in result.stderr  # the card's metadata is complete
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    kinds = {"string": "string", "integer": "int64", "date": "date32", "number": "float64", "boolean": "bool"}
    for name, frame in tables.items():
        assert loaded[name]["rows"] == len(frame), name
        for field in ex.table_schema(name)["fields"]:
            values = ex.enum_values(field)
            expected = ["ClassLabel", values] if values is not None else ["Value", kinds[field["type"]]]
            assert loaded[name]["features"][field["name"]] == expected, (name, field["name"])
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nprett") and "license: other" in card and "@misc{" in card
    croissant = json.loads((ds.datapackage_path().parent / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["citeAs"] in card  # one BibTeX entry everywhere
    assert (folder / "LICENSE").is_file()


def test_hf_class_labels_decode_to_the_loader_values(tmp_path, tables):
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "hf"
    ex.export("hf", folder, ["claims"])
    dataset = datasets.Dataset.from_parquet(str(folder / "data" / "claims.parquet"))
    feature = dataset.features["claim_type"]
    assert isinstance(feature, datasets.ClassLabel)
    decoded = [feature.int2str(i) for i in dataset["claim_type"]]
    assert decoded == tables["claims"]["claim_type"].astype(str).tolist()


def test_spacy_docs_round_trip_through_docbin(tables, text):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    from rfi_umarov_2022.nlp import to_spacy_with_report

    nlp = spacy.blank("en")
    docs, problems = to_spacy_with_report(nlp)
    data = DocBin(docs=docs, store_user_data=True).to_bytes()
    back = list(DocBin(store_user_data=True).from_bytes(data).get_docs(nlp.vocab))
    assert len(back) == len(tables["utterances"])
    misaligned = {(p.layer, p.span_id) for p in problems}
    actors = tables["actors"].set_index("actor_id")
    seen = {layer: 0 for layer in ("mentions", "claims", "dates", "notes")}
    quote_of = {"mentions": ("mention_id", "surface"), "claims": ("claim_id", "quote"),
                "dates": ("date_id", "surface"), "notes": ("note_id", "surface")}
    for doc in back:
        offset = doc.user_data["char_offset"]
        assert text[offset:offset + len(doc.text)] == doc.text
        for layer, (key, column) in quote_of.items():
            rows = tables[layer].set_index(key)
            for span in doc.spans[layer]:
                seen[layer] += 1
                row = rows.loc[span.id_]
                if (layer, span.id_) in misaligned:
                    assert row[column] in span.text
                else:
                    assert span.text == row[column], (layer, span.id_)
                    assert span.start_char + offset == row["char_start"]
        for ent in doc.ents:
            actor = actors.loc[tables["mentions"].set_index("mention_id").loc[ent.id_, "actor_id"]]
            assert ent.label_ == actor["actor_type"]
            assert ent.kb_id_ == ("" if actor.isna()["wikidata_id"] else actor["wikidata_id"])
    assert seen == {layer: len(tables[layer]) for layer in seen}
    labels = {span.label_ for doc in back for span in doc.spans["claims"]}
    assert labels <= set(tables["claims"]["claim_type"].cat.categories)


def test_spacy_export_reports_misaligned_spans(tmp_path):
    pytest.importorskip("spacy")
    result = subprocess.run([sys.executable, "-m", "rfi_umarov_2022", "export", "--format", "spacy",
                             str(tmp_path / "sp")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "sp" / "alignment.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("layer\tid")
    for row in rows[1:]:
        layer, ident = row.split("\t")[:2]
        assert f"{layer}:{ident}" in result.stdout
    assert list((tmp_path / "sp").glob("*.spacy"))


def test_r_reads_the_csv_export_with_types_from_the_descriptor(tmp_path, tables):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not found (apt-get install r-base-core r-cran-readr r-cran-jsonlite)")
    ex.export("csv", tmp_path / "csv")
    result = subprocess.run(["Rscript", str(ROOT / "tests" / "r" / "read_export.R"), str(tmp_path / "csv")],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0 and "there is no package called" in result.stderr:
        pytest.skip(f"R package missing: {result.stderr.strip().splitlines()[-1]}")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name, frame in tables.items():
        assert f"{name} {len(frame)}" in lines, name
        for field in ex.table_schema(name)["fields"]:
            values = ex.enum_values(field)
            if values is not None:
                assert f"levels {name}.{field['name']} {'|'.join(values)}" in lines
    spans = sum(len(tables[t]) for t in ("claims", "mentions", "dates", "notes"))
    assert f"offsets ok: {spans} spans" in lines
    assert ds.source_text()  # the script sliced this very text
