"""The data package: descriptor, Parquet files, loader, integrity, reproducibility."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, output_files
from tableschema import load_schemas

import rfi_umarov_2022 as ds

SCHEMAS = load_schemas(ROOT)
TABLES = list(SCHEMAS)


def test_list_tables_matches_the_schemas():
    assert sorted(ds.list_tables()) == sorted(p.stem for p in (ROOT / "schema").glob("*.json"))


def test_descriptor_validates_with_frictionless():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(ds.datapackage_path()))
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_descriptor_metadata():
    package = json.loads(ds.datapackage_path().read_text(encoding="utf-8"))
    assert package["name"] == "rfi-umarov-2022"
    assert package["version"] == ds.__version__
    assert package["$schema"].endswith("/2.0/datapackage.json")
    assert {lic["name"] for lic in package["licenses"]} == {
        "CC-BY-4.0", "MIT", "LicenseRef-RFI-Transcript"}
    assert package["sources"][0]["path"] == "dataset/source/transcript.txt"
    for resource in package["resources"]:
        assert resource["format"] == "parquet"
        assert resource["mediatype"] == "application/vnd.apache.parquet"
        assert "bytes" not in resource  # frictionless misreports it for Parquet
        assert resource["schema"] == f"schema/{resource['name']}.json"
        assert resource["description"] == SCHEMAS[resource["name"]].descriptor["description"]


@pytest.mark.parametrize("name", TABLES)
def test_hash_matches_descriptor(name):
    resource = next(r for r in json.loads(ds.datapackage_path().read_text())["resources"]
                    if r["name"] == name)
    digest = hashlib.sha256((ROOT / resource["path"]).read_bytes()).hexdigest()
    assert resource["hash"] == f"sha256:{digest}"


@pytest.mark.parametrize("name", TABLES)
def test_stored_arrow_schema_is_derived_from_table_schema(name):
    stored = pq.read_schema(ROOT / "dataset" / f"{name}.parquet")
    expected = SCHEMAS[name].arrow_schema()
    assert stored.names == expected.names
    assert stored.types == expected.types
    assert [f.nullable for f in stored] == [f.nullable for f in expected]
    assert "list" not in str(stored.types)


@pytest.mark.parametrize("name", TABLES)
def test_loader_dtypes_follow_the_schema(name):
    frame = ds.load(name)
    fields = SCHEMAS[name].fields
    assert list(frame.columns) == [f["name"] for f in fields]
    for field in fields:
        column = frame[field["name"]]
        enum = field.get("constraints", {}).get("enum")
        if enum:
            assert isinstance(column.dtype, pd.CategoricalDtype), field["name"]
            assert list(column.cat.categories) == enum
        elif field["type"] == "integer":
            assert column.dtype == pd.Int64Dtype(), field["name"]
        elif field["type"] == "string":
            assert column.dtype == pd.StringDtype(), field["name"]
        elif field["type"] == "date":
            assert column.dtype == "datetime64[s]", field["name"]
    assert len(frame) == pq.read_metadata(ROOT / "dataset" / f"{name}.parquet").num_rows
    assert len(frame) > 0


def test_primary_keys_are_unique_in_every_table(tables):
    for name, schema in SCHEMAS.items():
        assert not tables[name].duplicated(schema.primary_key).any(), name


def test_unknown_table_name_lists_the_real_ones():
    with pytest.raises(KeyError) as info:
        ds.load("claimz")
    message = str(info.value)
    assert "claimz" in message
    for name in TABLES:
        assert name in message


def test_import_is_lazy():
    code = ("import sys, rfi_umarov_2022 as ds; ds.list_tables(); "
            "heavy = [m for m in ('pandas', 'pyarrow', 'frictionless') if m in sys.modules]; "
            "print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_verify_passes_on_the_shipped_files():
    ds.verify()


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """The package's data files copied to a temporary root the loader reads from."""
    root = tmp_path / "data"
    (root / "dataset" / "source").mkdir(parents=True)
    shutil.copyfile(ds.datapackage_path(), root / "datapackage.json")
    shutil.copytree(ROOT / "schema", root / "schema")
    for path in (ROOT / "dataset").glob("*.parquet"):
        shutil.copyfile(path, root / "dataset" / path.name)
    shutil.copyfile(ROOT / "dataset" / "source" / "transcript.txt",
                    root / "dataset" / "source" / "transcript.txt")
    monkeypatch.setattr(ds, "_data_root", lambda: root)
    ds._descriptor.cache_clear()
    ds._table_schema.cache_clear()
    yield root
    ds._descriptor.cache_clear()
    ds._table_schema.cache_clear()


def test_verify_names_a_modified_file(data_copy):
    path = data_copy / "dataset" / "claims.parquet"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ds.DataIntegrityError, match=r"modified: dataset/claims\.parquet"):
        ds.verify()


def test_verify_names_missing_and_extra_files(data_copy):
    (data_copy / "dataset" / "notes.parquet").unlink()
    shutil.copyfile(data_copy / "dataset" / "dates.parquet", data_copy / "dataset" / "stray.parquet")
    with pytest.raises(ds.DataIntegrityError) as info:
        ds.verify()
    assert "missing: dataset/notes.parquet" in str(info.value)
    assert "extra: dataset/stray.parquet" in str(info.value)


def test_verify_names_a_modified_transcript(data_copy):
    path = data_copy / "dataset" / "source" / "transcript.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Kazakhstan", "Kazakstan", 1),
                    encoding="utf-8")
    with pytest.raises(ds.DataIntegrityError, match=r"transcript\.txt"):
        ds.verify()


def test_corrupt_parquet_raises_naming_the_file_and_verify(data_copy):
    (data_copy / "dataset" / "mentions.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(ds.DataIntegrityError, match=r"mentions\.parquet.*verify\(\)"):
        ds.load("mentions")


def test_rebuild_is_byte_identical():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "equal a fresh build" in result.stdout


def test_failed_build_leaves_outputs_untouched(project_copy):
    before = output_files(project_copy)
    transcript = project_copy / "dataset" / "source" / "transcript.txt"
    transcript.write_bytes(transcript.read_bytes() + b" ")
    result = subprocess.run([sys.executable, str(project_copy / "scripts" / "build.py")],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "dataset/annotations/document.yaml" in result.stderr
    assert "sha256" in result.stderr and "record the new hash" in result.stderr
    assert "Traceback" not in result.stderr
    assert output_files(project_copy) == before
    assert not list(project_copy.glob(".build-tmp-*"))


def test_build_in_a_copy_reproduces_the_outputs(project_copy):
    before = output_files(project_copy)
    result = subprocess.run([sys.executable, str(project_copy / "scripts" / "build.py")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert output_files(project_copy) == before
