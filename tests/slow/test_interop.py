"""Slow tier: the exports read back with their real tools, compared with the tables.

Hugging Face ``datasets``, spaCy, R, stock frictionless, pyreadstat, rdflib and PyLD. Nothing is
downloaded: ``datasets`` runs offline, spaCy uses ``spacy.blank``, JSON-LD uses the context the
package ships. The oracle is each table as plain pyarrow reads it, and the schemas as written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import LAYERS, ROOT, SCHEMAS
from test_export import key, truth

import rfi_umarov_2022 as ds
from rfi_umarov_2022 import exports
from rfi_umarov_2022.exports import webanno

pytestmark = pytest.mark.slow

HF_READER = """
import json, sys
import datasets
folder, names = sys.argv[1], sys.argv[2:]
out = {}
for name in names:
    d = datasets.load_dataset(folder, name, split="train")
    feats = d.features
    rows = [{k: (feats[k].int2str(v) if isinstance(feats[k], datasets.ClassLabel) and v is not None
                 else str(v) if v is not None else None) for k, v in row.items()} for row in d]
    out[name] = {"features": {k: (["ClassLabel", v.names] if isinstance(v, datasets.ClassLabel)
                                  else ["Value", v.dtype]) for k, v in feats.items()}, "rows": rows}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def hf(tmp_path_factory):
    pytest.importorskip("datasets")
    tmp = tmp_path_factory.mktemp("hf")
    exports.export("hf", tmp / "hf")
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_HOME": str(tmp / "hf-home"), "HF_DATASETS_CACHE": str(tmp / "hf-cache")}
    result = subprocess.run([sys.executable, "-c", HF_READER, str(tmp / "hf"), *SCHEMAS], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Ignoring part of dataset_info" not in result.stderr  # the card's metadata is complete
    return tmp / "hf", json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_hf_configs_equal_the_tables_with_class_labels_in_schema_order(name, hf):
    _, loaded = hf
    kinds = {"string": "string", "integer": "int64", "date": "date32", "number": "float64", "boolean": "bool"}
    for field in SCHEMAS[name]["fields"]:
        expected = (["ClassLabel", field["categories"]] if "categories" in field
                    else ["Value", kinds[field["type"]]])
        assert loaded[name]["features"][field["name"]] == expected, field["name"]
    rows = [{k: None if v is None else str(v) for k, v in row.items()} for row in truth(name)]
    assert loaded[name]["rows"] == rows


def test_hf_card_cites_and_licenses(hf):
    folder, _ = hf
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nprett") and "license: other" in card and "@misc{" in card
    croissant = json.loads((ds.datapackage_path().parent / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["citeAs"] in card  # one BibTeX entry everywhere
    assert (folder / "LICENSE").is_file()


def test_hf_card_body_is_title_description_and_its_sections(hf):
    """The card after its YAML front matter (the Hub's dataset-card format: a mapping between two
    "---" lines, one config per table): the title, the descriptor's description as its own
    paragraph, then the Configurations, Licence and Citation sections."""
    import yaml

    folder, _ = hf
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    _, front, body = (folder / "README.md").read_text(encoding="utf-8").split("---\n", 2)
    header = yaml.safe_load(front)
    assert [c["config_name"] for c in header["configs"]] == [r["name"] for r in package["resources"]]
    blocks = body.strip("\n").split("\n\n")
    assert blocks[:2] == [f"# {package['title']}", package["description"]]
    assert [b for b in blocks if b.startswith("#")] == [
        f"# {package['title']}", "## Configurations", "## Licence", "## Citation"]


def test_spacy_docs_carry_every_span_and_row(text):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    from rfi_umarov_2022.nlp import convert

    nlp = spacy.blank("en")
    conversion = convert(nlp)
    data = DocBin(docs=conversion.docs, store_user_data=True).to_bytes()
    back = list(DocBin(store_user_data=True).from_bytes(data).get_docs(nlp.vocab))
    assert len(back) == len(truth("utterances"))
    misaligned = {(p.layer, p.span_id) for p in conversion.misaligned}
    seen = dict.fromkeys(LAYERS, 0)
    units = {r["char_start"]: r for r in truth("utterances")}
    for doc in back:
        offset = doc.user_data["char_offset"]
        assert text[offset:offset + len(doc.text)] == doc.text
        unit = units[offset]
        assert {k: doc.user_data.get(k) for k in unit if k != SCHEMAS["utterances"]["span"]["text"]} == {
            k: v for k, v in unit.items() if k != SCHEMAS["utterances"]["span"]["text"]}
        for layer in LAYERS:
            rows = {key(layer, r): r for r in truth(layer)}
            for span in doc.spans[layer]:
                seen[layer] += 1
                row = rows[span.id_]
                assert doc.user_data["rows"][layer][span.id_]["char_start"] == row["char_start"]
                if (layer, span.id_) in misaligned:
                    assert row[SCHEMAS[layer]["span"]["text"]] in span.text
                else:
                    assert span.start_char + offset == row["char_start"]
                    assert span.end_char + offset == row["char_end"]
                    assert span.text == row[SCHEMAS[layer]["span"]["text"]]
        for link in ("claim_actors", "claim_dates"):
            ids = set(doc.user_data["rows"].get("claims", {}))
            assert len(doc.user_data["links"][link]) == sum(r["claim_id"] in ids for r in truth(link))
    assert seen == {layer: len(truth(layer)) for layer in LAYERS}
    actors = {a["actor_id"]: a for a in truth("actors")}
    for doc in back:
        for ent in doc.ents:
            actor = actors[doc.user_data["rows"]["mentions"][ent.id_]["actor_id"]]
            assert ent.label_ == actor["actor_type"] and ent.kb_id_ == (actor["wikidata_id"] or "")


def test_spacy_ents_are_the_entity_layers_longest_first():
    """doc.ents: the rows of the layers whose span block says "entity": true; where two overlap,
    the longer one (README: "where mentions nest, the longest")."""
    spacy = pytest.importorskip("spacy")

    from rfi_umarov_2022.nlp import convert

    entity_layers = [name for name in LAYERS if SCHEMAS[name]["span"].get("entity")]
    rows = {key(name, r): r for name in entity_layers for r in truth(name)}
    kept = [ent.id_ for doc in convert(spacy.blank("en")).docs for ent in doc.ents]
    assert kept and set(kept) <= set(rows) and len(kept) == len(set(kept))
    for ident, row in rows.items():
        if ident not in kept:
            assert any(rows[k]["char_start"] < row["char_end"] and row["char_start"] < rows[k]["char_end"]
                       and rows[k]["char_end"] - rows[k]["char_start"] >= row["char_end"] - row["char_start"]
                       for k in kept), ident


def test_spacy_language_defaults_to_english_without_one_in_documents(monkeypatch):
    """Without a language in the documents table, the blank pipeline is English (the text's)."""
    pytest.importorskip("spacy")
    from rfi_umarov_2022 import nlp
    from rfi_umarov_2022.exports import common

    real = common.records
    monkeypatch.setattr(common, "records", lambda name: [{**r, "language": None} for r in real(name)]
                        if name == "documents" else real(name))
    assert {doc.lang_ for doc in nlp.convert().docs} == {"en"}


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


def test_r_reads_the_csv_export_with_types_from_the_descriptor(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.fail("Rscript not found (apt-get install r-base-core r-cran-readr r-cran-jsonlite)")
    exports.export("csv", tmp_path / "csv")
    result = subprocess.run(["Rscript", str(ROOT / "tests" / "r" / "read_export.R"), str(tmp_path / "csv")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name in SCHEMAS:
        assert f"{name} {len(truth(name))}" in lines, name
        for field in SCHEMAS[name]["fields"]:
            if "categories" in field:
                assert f"levels {name}.{field['name']} {'|'.join(field['categories'])}" in lines
    spans = sum(len(truth(t)) for t, s in SCHEMAS.items() if "span" in s)
    assert f"offsets ok: {spans} spans" in lines


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_tabular_exports_validate_with_stock_frictionless(fmt, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    exports.export(fmt, tmp_path / fmt)
    report = frictionless.validate(str(tmp_path / fmt / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_one_table_export_validates_with_stock_frictionless(tmp_path):
    frictionless = pytest.importorskip("frictionless")
    exports.export("parquet", tmp_path / "one", ["claims"])
    assert frictionless.validate(str(tmp_path / "one" / "datapackage.json")).valid


def test_stata_value_labels_with_pyreadstat(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    exports.export("stata", tmp_path / "st")
    for name, schema in SCHEMAS.items():
        frame, meta = pyreadstat.read_dta(str(tmp_path / "st" / f"{name}.dta"))
        assert len(frame) == len(truth(name))
        for field in schema["fields"]:
            if "categories" in field:
                labels = meta.value_labels[meta.variable_to_label[field["name"]]]
                assert labels == {i + 1: v for i, v in enumerate(field["categories"])}


@pytest.fixture(scope="module")
def webanno_export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wa") / "wa"
    exports.export("webanno", folder)
    return folder / "annotations.jsonld"


def test_webanno_parses_as_json_ld_with_the_local_context(webanno_export):
    rdflib = pytest.importorskip("rdflib")
    document = json.loads(webanno_export.read_text(encoding="utf-8"))
    context = json.loads(webanno.anno_context_path().read_text(encoding="utf-8"))["@context"]
    document["@context"] = [context if c == webanno.ANNO_CONTEXT_URL else c for c in document["@context"]]
    graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld", base=webanno_export.as_uri())
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    annotations = set(graph.subjects(rdflib.RDF.type, oa.Annotation))
    assert len(annotations) == document["total"]
    starts = sorted(int(s) for s in graph.objects(None, oa.start))
    assert starts == sorted(r["char_start"] for t, s in SCHEMAS.items() if "span" in s for r in truth(t))
    assert (webanno_export.parent / "anno.jsonld").read_bytes() == webanno.anno_context_path().read_bytes()


def test_webanno_expands_offline_with_the_documented_loader(webanno_export):
    jsonld = pytest.importorskip("pyld.jsonld")
    document = json.loads(webanno_export.read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(document, {"base": webanno_export.as_uri(), "format": "application/n-quads",
                                      "documentLoader": webanno.document_loader})
    assert nquads.count("<http://www.w3.org/ns/oa#hasSelector>") == 2 * document["total"]  # position, quote
    with pytest.raises(ValueError, match="refusing to fetch"):
        webanno.document_loader("http://example.org/context.jsonld")


def test_the_readme_expands_the_web_annotation_export_offline(tmp_path, monkeypatch):
    pytest.importorskip("pyld.jsonld")
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "document_loader" in b)
    exports.export("webanno", tmp_path / "wa")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(block, namespace)
    total = json.loads((tmp_path / "wa" / "annotations.jsonld").read_text(encoding="utf-8"))["total"]
    assert json.dumps(namespace["expanded"]).count('"http://www.w3.org/ns/oa#Annotation"') == total


def test_the_readme_loads_a_hugging_face_config(hf, monkeypatch):
    import re

    folder, _ = hf
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "load_dataset" in b)
    monkeypatch.chdir(folder.parent)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    namespace: dict = {}
    exec(block, namespace)
    assert namespace["claims"].num_rows == len(truth("claims"))


def test_the_readme_spacy_example_runs():
    pytest.importorskip("spacy")
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "to_spacy" in b)
    namespace: dict = {"ds": ds}
    lines = block.strip().splitlines()
    exec("\n".join(lines[:-1]), namespace)
    assert eval(lines[-1], namespace)


def test_the_readme_duckdb_and_polars_blocks_run():
    """The README's blocks that need DuckDB or Polars, which the default tier skips."""
    import re

    import pandas as pd

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
              if "ds.duckdb(" in b or "ds.polars(" in b]
    assert blocks
    for block in blocks:
        namespace: dict = {"ds": ds, "pd": pd, "claims": ds.load("claims")}
        exec(block, namespace)


def test_spacy_language_comes_from_the_documents_table(monkeypatch):
    """nlp's docstring: without a pipeline, spacy.blank(<documents.language>) (an ISO 639-1 code)."""
    pytest.importorskip("spacy")
    from rfi_umarov_2022 import nlp
    from rfi_umarov_2022.exports import common

    real = common.records
    monkeypatch.setattr(common, "records", lambda name: [{**r, "language": "fr"} for r in real(name)]
                        if name == "documents" else real(name))
    assert {doc.lang_ for doc in nlp.convert().docs} == {"fr"}


def test_the_spacy_export_stores_every_doc_s_user_data(tmp_path, text):
    """The exported DocBin, read back from disk, keeps doc.user_data: each utterance's offset and
    every row of every layer under user_data["rows"]."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    exports.export("spacy", tmp_path / "sp")
    (path,) = (tmp_path / "sp").glob("*.spacy")
    docs = list(DocBin(store_user_data=True).from_disk(path).get_docs(spacy.blank("en").vocab))
    starts = [r["char_start"] for r in truth("utterances")]
    assert [doc.user_data.get("char_offset") for doc in docs] == starts
    for doc in docs:
        assert text[doc.user_data["char_offset"]:].startswith(doc.text)
    for layer in LAYERS:
        held = [k for doc in docs for k in doc.user_data["rows"].get(layer, {})]
        assert sorted(held) == sorted(key(layer, r) for r in truth(layer)), layer


def test_a_spacy_export_with_every_span_on_token_boundaries_says_so(built_fixture, loader_at, tmp_path):
    """The fixture project's spans all fall on token boundaries: alignment.tsv has its header
    only, and the summary says that every span is on token boundaries."""
    pytest.importorskip("spacy")
    loader_at(built_fixture)
    report = exports.export("spacy", tmp_path / "sp")
    lines = (tmp_path / "sp" / "alignment.tsv").read_text(encoding="utf-8").splitlines()
    assert lines == ["layer\tid\tquote\tspacy_text\treason"]
    assert "; every span is on token boundaries" in report.summary()
