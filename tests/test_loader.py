"""The installed package's promises: lazy import, typed and verified loads, verify(), no network.

Expected values come from the Table Schemas as written in schema/*.json (SCHEMAS), never from
the loader itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import ROOT, SCHEMAS

import rfi_umarov_2022 as ds
from rfi_umarov_2022 import registry


def test_list_tables_matches_the_schemas():
    assert sorted(ds.list_tables()) == sorted(SCHEMAS)


def test_import_is_lazy():
    code = ("import sys, rfi_umarov_2022 as ds; ds.list_tables(); "
            "import rfi_umarov_2022.exports, rfi_umarov_2022.nlp, rfi_umarov_2022.registry; "
            "heavy = [m for m in ('pandas', 'pyarrow', 'frictionless', 'spacy', 'datasets') "
            "if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_unknown_table_name_lists_the_real_ones():
    with pytest.raises(KeyError) as info:
        ds.load("claimz")
    for name in ds.list_tables():
        assert name in str(info.value)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_dtypes_and_order_follow_the_schema(name, tables):
    """Each column's dtype as the README promises; ordinal comparisons follow the schema's order
    (checked against positions in the schema's own list, for every threshold)."""
    frame = tables[name]
    assert list(frame.columns) == [f["name"] for f in SCHEMAS[name]["fields"]]
    for field in SCHEMAS[name]["fields"]:
        column = frame[field["name"]]
        if "categories" in field:
            assert isinstance(column.dtype, pd.CategoricalDtype), field["name"]
            assert list(column.cat.categories) == field["categories"]
            assert column.cat.ordered == field.get("categoriesOrdered", False)
            if column.cat.ordered:
                rank = {value: i for i, value in enumerate(field["categories"])}
                for k, threshold in enumerate(field["categories"]):
                    expected = [v is not pd.NA and v == v and rank[v] >= k
                                for v in column.astype(object)]
                    assert (column >= threshold).fillna(False).tolist() == expected
        else:
            expected = {"integer": pd.Int64Dtype(), "string": pd.StringDtype(),
                        "boolean": pd.BooleanDtype(), "number": "float64",
                        "date": "datetime64[s]"}[field["type"]]
            assert column.dtype == expected, field["name"]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_load_table_is_the_arrow_truth(name, tables):
    table = ds.load_table(name)
    assert isinstance(table, pa.Table) and table.num_rows == len(tables[name])
    for field in SCHEMAS[name]["fields"]:
        arrow = table.schema.field(field["name"])
        if "categories" in field:
            assert pa.types.is_dictionary(arrow.type)
            assert arrow.type.ordered == field.get("categoriesOrdered", False)
        assert arrow.nullable == (not field.get("constraints", {}).get("required", False))


def test_fields_describe_a_table():
    frame = ds.fields("claims")
    assert list(frame["field"]) == [f["name"] for f in SCHEMAS["claims"]["fields"]]
    ordered = {f["name"] for f in SCHEMAS["claims"]["fields"] if f.get("categoriesOrdered")}
    assert set(frame.loc[frame.ordered, "field"]) == ordered
    assert frame["description"].str.len().min() > 10


def test_fields_are_the_schema_s_fields_for_every_table():
    """ds.fields(name): per field, the schema's name, type, required flag (constraints.required,
    false when absent), categories in order, ordinal flag and description."""
    required = set()
    for name, table_schema in SCHEMAS.items():
        rows = ds.fields(name).to_dict("records")
        for row, field in zip(rows, table_schema["fields"], strict=True):
            expected = {"field": field["name"], "type": field["type"],
                        "required": field.get("constraints", {}).get("required", False),
                        "categories": field.get("categories"),
                        "ordered": field.get("categoriesOrdered", False),
                        "description": field["description"]}
            assert row == expected, (name, field["name"])
            required.add(row["required"])
    assert required == {True, False}


def test_docs_path_holds_the_documents_the_descriptor_lists():
    """Every document of datapackage.json's "docs" mapping under docs/ is in ds.docs_path()."""
    import json

    documents = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["docs"]
    in_docs = {name: path for name, path in documents.items() if path.startswith("docs/")}
    assert {"codebook", "reader"} <= set(in_docs)
    for name, path in in_docs.items():
        installed = ds.docs_path() / path.removeprefix("docs/")
        assert installed.read_bytes() == (ROOT / path).read_bytes(), name


def test_verify_passes_and_summarises():
    summary = ds.verify()
    assert summary.tables == len(SCHEMAS) and summary.files == len(SCHEMAS) + 1
    assert str(summary).startswith("ok: ")


@pytest.fixture
def data_copy(tmp_path, loader_at) -> Path:
    """The package's data files copied to a temporary root the loader reads from."""
    root = tmp_path / "data"
    (root / "dataset" / "source").mkdir(parents=True)
    shutil.copyfile(ds.datapackage_path(), root / "datapackage.json")
    for path in (ROOT / "dataset").glob("*.parquet"):
        shutil.copyfile(path, root / "dataset" / path.name)
    shutil.copyfile(ROOT / "dataset" / "source" / "transcript.txt",
                    root / "dataset" / "source" / "transcript.txt")
    loader_at(root)
    return root


def test_verify_names_a_modified_file(data_copy):
    path = data_copy / "dataset" / "claims.parquet"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ds.DataIntegrityError, match=r"modified: .*dataset/claims\.parquet"):
        ds.verify()


def test_verify_names_missing_and_extra_files(data_copy):
    (data_copy / "dataset" / "notes.parquet").unlink()
    shutil.copyfile(data_copy / "dataset" / "dates.parquet", data_copy / "dataset" / "stray.parquet")
    with pytest.raises(ds.DataIntegrityError) as info:
        ds.verify()
    assert "missing: " in str(info.value) and "notes.parquet" in str(info.value)
    assert "extra: dataset/stray.parquet" in str(info.value)


def test_verify_names_a_modified_transcript(data_copy):
    path = data_copy / "dataset" / "source" / "transcript.txt"
    path.write_bytes(path.read_bytes().replace(b"a", b"b", 1))
    with pytest.raises(ds.DataIntegrityError, match=r"transcript\.txt"):
        ds.verify()
    with pytest.raises(ds.DataIntegrityError, match=r"modified"):
        ds.source_text()


def test_missing_file_is_named_missing(data_copy):
    (data_copy / "dataset" / "mentions.parquet").unlink()
    with pytest.raises(ds.DataIntegrityError, match=r"missing: .*mentions\.parquet.*verify\(\)"):
        ds.load("mentions")


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"resources": [{"name": "x"}]}',
                                     b"[" * 100_000, b'{"resources": 5}'])
def test_a_broken_descriptor_raises_data_integrity_error(data_copy, content):
    (data_copy / "datapackage.json").write_bytes(content)
    with pytest.raises(ds.DataIntegrityError, match="descriptor"):
        ds.list_tables()


def test_bit_flips_of_a_table_are_refused(data_copy):
    """A few representative flips (header, middle, footer); the full sweep is in the slow tier."""
    path = data_copy / "dataset" / "claim_dates.parquet"
    original = path.read_bytes()
    expected = ds.load("claim_dates")
    for offset in (0, 4, len(original) // 2, len(original) - 9, len(original) - 1):
        flipped = bytearray(original)
        flipped[offset] ^= 1 << (offset % 8)
        path.write_bytes(bytes(flipped))
        with pytest.raises(ds.DataIntegrityError):
            ds.load("claim_dates")
    path.write_bytes(original)
    pd.testing.assert_frame_equal(ds.load("claim_dates"), expected)


def test_a_rebuilt_descriptor_is_read_again(data_copy):
    """A session that loaded data keeps working after a rebuild replaces a table and the
    descriptor: the new rows load, not a stale-cache error."""
    import hashlib
    import json

    import pyarrow.parquet as pq

    before = ds.load("claims")
    path = data_copy / "dataset" / "claims.parquet"
    table = pq.read_table(path)
    pq.write_table(table.slice(1), path)  # a "rebuild" that dropped the first claim
    package = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "claims")
    resource["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (data_copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    after = ds.load("claims")
    assert list(after.claim_id) == list(before.claim_id[1:])


def test_a_field_without_a_description_has_empty_text(data_copy):
    """Table Schema makes a field's description optional, and the loader accepts a descriptor
    without one: ds.fields gives "" for it and the schema's text for the others."""
    import hashlib
    import json

    import pyarrow.parquet as pq

    name = "claim_dates"
    path = data_copy / "dataset" / f"{name}.parquet"
    table = pq.read_table(path)
    stored = json.loads(table.schema.metadata[b"table_schema"])
    del stored["fields"][0]["description"]
    metadata = {**table.schema.metadata, b"table_schema": json.dumps(stored).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path)
    package = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == name)
    resource["schema"] = stored
    resource["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (data_copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    expected = ["", *(f["description"] for f in SCHEMAS[name]["fields"][1:])]
    assert ds.fields(name)["description"].tolist() == expected


NO_NETWORK = """
import socket

def refuse(*args, **kwargs):
    raise RuntimeError("network access attempted")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import rfi_umarov_2022 as ds
ds.verify()
print(sum(len(frame) for frame in ds.load_all().values()))
"""


def test_import_and_load_do_not_touch_the_network(tables):
    result = subprocess.run([sys.executable, "-c", NO_NETWORK], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) == sum(len(frame) for frame in tables.values())


def test_span_tables_are_the_tables_with_offsets():
    """The registry's span tables are exactly the schemas with char_start and char_end."""
    with_offsets = {name for name, s in SCHEMAS.items()
                    if {"char_start", "char_end"} <= {f["name"] for f in s["fields"]}}
    assert {s.name for s in registry.span_tables(SCHEMAS)} == with_offsets
