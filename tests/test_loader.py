"""The installed package's promises: lazy import, verified loads, verify(), no network."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

import rfi_umarov_2022 as ds


def test_list_tables_matches_the_schemas():
    assert sorted(ds.list_tables()) == sorted(p.stem for p in (ROOT / "schema").glob("*.json"))


def test_import_is_lazy():
    code = ("import sys, rfi_umarov_2022 as ds; ds.list_tables(); "
            "heavy = [m for m in ('pandas', 'pyarrow', 'frictionless') if m in sys.modules]; "
            "print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_unknown_table_name_lists_the_real_ones():
    with pytest.raises(KeyError) as info:
        ds.load("claimz")
    for name in ds.list_tables():
        assert name in str(info.value)


def test_ordinal_scales_compare(tables):
    ordered = [(name, column) for name, frame in tables.items() for column in frame.columns
               if isinstance(frame[column].dtype, pd.CategoricalDtype) and frame[column].cat.ordered]
    assert ordered, "no ordinal scale"
    for name, column in ordered:
        series = tables[name][column]
        lowest = series.cat.categories[0]
        assert ((series > lowest) | (series == lowest) | series.isna()).all()


def test_fields_describe_a_table():
    frame = ds.fields("claims")
    assert list(frame["field"]) == list(ds.load("claims").columns)
    assert frame["description"].str.len().min() > 10


def test_verify_passes_on_the_shipped_files():
    ds.verify()


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """The package's data files copied to a temporary root the loader reads from."""
    root = tmp_path / "data"
    (root / "dataset" / "source").mkdir(parents=True)
    shutil.copyfile(ds.datapackage_path(), root / "datapackage.json")
    for path in (ROOT / "dataset").glob("*.parquet"):
        shutil.copyfile(path, root / "dataset" / path.name)
    shutil.copyfile(ROOT / "dataset" / "source" / "transcript.txt",
                    root / "dataset" / "source" / "transcript.txt")
    monkeypatch.setattr(ds, "_data_root", lambda: root)
    ds._descriptor.cache_clear()
    yield root
    ds._descriptor.cache_clear()


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
    path.write_bytes(path.read_bytes().replace(b"a", b"b", 1))
    with pytest.raises(ds.DataIntegrityError, match=r"transcript\.txt"):
        ds.verify()
    with pytest.raises(ds.DataIntegrityError, match=r"modified"):
        ds.source_text()


def test_missing_file_is_named_missing(data_copy):
    (data_copy / "dataset" / "mentions.parquet").unlink()
    with pytest.raises(ds.DataIntegrityError, match=r"missing: .*mentions\.parquet.*verify\(\)"):
        ds.load("mentions")


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"resources": [{"name": "x"}]}'])
def test_a_broken_descriptor_raises_data_integrity_error(data_copy, content):
    (data_copy / "datapackage.json").write_bytes(content)
    with pytest.raises(ds.DataIntegrityError, match="descriptor"):
        ds.list_tables()


def test_every_bit_flip_of_a_table_is_refused(data_copy):
    """A sweep over every byte of one Parquet file: load() never returns different data."""
    path = data_copy / "dataset" / "claim_dates.parquet"
    original = path.read_bytes()
    expected = ds.load("claim_dates")
    for offset in range(len(original)):
        flipped = bytearray(original)
        flipped[offset] ^= 1 << (offset % 8)
        path.write_bytes(bytes(flipped))
        with pytest.raises(ds.DataIntegrityError):
            ds.load("claim_dates")
    path.write_bytes(original)
    pd.testing.assert_frame_equal(ds.load("claim_dates"), expected)


def test_a_schema_edit_in_the_descriptor_is_refused(data_copy):
    package = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"][0]["schema"]["fields"].pop()
    (data_copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    ds._descriptor.cache_clear()
    with pytest.raises(ds.DataIntegrityError):
        ds.load(package["resources"][0]["name"])


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
