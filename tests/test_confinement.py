"""The loader reads only its own files, and a descriptor cannot lie about the data.

Each case edits a copy of the installed data (descriptor, files) the way an adversary would,
with the hashes updated where that makes the lie harder to see. A victim file outside the data
folder carries a valid sha256 in every case that points at it: the loader must refuse it, and
every public function must fail with DataIntegrityError (one line), never return it, never hang
and never raise anything else.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT

import rfi_umarov_2022 as ds

VICTIM = b"secret outside the data folder\n"


def sha(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def data(tmp_path, loader_at) -> Path:
    root = tmp_path / "data"
    (root / "dataset" / "source").mkdir(parents=True)
    shutil.copyfile(ROOT / "datapackage.json", root / "datapackage.json")
    for path in (ROOT / "dataset").glob("*.parquet"):
        shutil.copyfile(path, root / "dataset" / path.name)
    shutil.copyfile(ROOT / "dataset/source/transcript.txt", root / "dataset/source/transcript.txt")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_bytes(VICTIM)
    shutil.copyfile(ROOT / "dataset/notes.parquet", tmp_path / "outside" / "claims.parquet")
    loader_at(root)
    return root


def edit(root: Path, change: Callable[[dict], None]) -> None:
    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    change(package)
    (root / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")


def resource(package: dict, name: str) -> dict:
    return next(r for r in package["resources"] if r["name"] == name)


def field(package: dict, table: str, name: str) -> dict:
    return next(f for f in resource(package, table)["schema"]["fields"] if f["name"] == name)


def outside(root: Path, name: str) -> Path:
    return root.parent / "outside" / name


def source_outside(root: Path, relative: bool) -> Callable[[dict], None]:
    target = outside(root, "secret.txt")

    def change(package: dict) -> None:
        package["sources"][0]["path"] = "../outside/secret.txt" if relative else str(target)
        package["sources"][0]["hash"] = sha(target)

    return change


def table_outside(root: Path, relative: bool) -> Callable[[dict], None]:
    target = outside(root, "claims.parquet")

    def change(package: dict) -> None:
        claims = resource(package, "claims")
        claims["path"] = "../outside/claims.parquet" if relative else str(target)
        claims["hash"] = sha(target)

    return change


def second_claims(package: dict) -> None:
    notes = copy.deepcopy(resource(package, "notes"))
    notes["name"] = "claims"
    package["resources"].append(notes)


def claims_is_notes(package: dict) -> None:
    notes = resource(package, "notes")
    claims = resource(package, "claims")
    claims.update(path=notes["path"], hash=notes["hash"], schema=copy.deepcopy(notes["schema"]))


def rename_category(package: dict) -> None:
    certainty = field(package, "claims", "certainty")
    certainty["categories"] = ["sure" if v == "certain" else v for v in certainty["categories"]]
    certainty["constraints"]["enum"] = list(certainty["categories"])


def retype(package: dict) -> None:
    field(package, "claims", "char_start")["type"] = "string"


def reverse_scale(package: dict) -> None:
    certainty = field(package, "claims", "certainty")
    certainty["categories"].reverse()
    certainty["constraints"]["enum"].reverse()


def nan_constraint(package: dict) -> None:
    field(package, "claims", "char_start")["constraints"]["minimum"] = float("nan")


CASES: dict[str, Callable[[Path], Callable[[dict], None]]] = {
    "source outside (relative)": lambda root: source_outside(root, True),
    "source outside (absolute)": lambda root: source_outside(root, False),
    "table outside (relative)": lambda root: table_outside(root, True),
    "table outside (absolute)": lambda root: table_outside(root, False),
    "a second resource named claims": lambda root: second_claims,
    "claims pointed at notes' file": lambda root: claims_is_notes,
    "a renamed category": lambda root: rename_category,
    "a retyped field": lambda root: retype,
    "a reversed ordinal scale": lambda root: reverse_scale,
    "a NaN constraint": lambda root: nan_constraint,
    "a path given as a number": lambda root: lambda p: resource(p, "claims").update(path=5),
    "sources given as a dict": lambda root: lambda p: p.update(sources={"path": "x"}),
    "a null source path": lambda root: lambda p: p["sources"][0].update(path=None),
    "a path with a backslash": lambda root: lambda p: resource(p, "claims").update(
        path="dataset\\claims.parquet"),
}


def calls(root: Path) -> dict[str, Callable[[], object]]:
    return {"load": lambda: ds.load("claims"), "load_table": lambda: ds.load_table("claims"),
            "fields": lambda: ds.fields("claims"), "source_text": ds.source_text, "verify": ds.verify}


@pytest.mark.parametrize("case", CASES)
def test_a_lying_descriptor_is_refused_everywhere(case, data):
    edit(data, CASES[case](data))
    refused = 0
    for name, call in calls(data).items():
        try:
            result = call()
        except ds.DataIntegrityError as error:
            assert "\n" not in str(error), (name, str(error))
            refused += 1
            continue
        except KeyError:  # the table is gone from a descriptor that no longer names it
            continue
        assert result != VICTIM.decode(), name
        if name in ("load", "load_table"):
            assert len(result) == len(pq.read_table(ROOT / "dataset/claims.parquet")), name
    assert refused, f"{case}: no function refused the descriptor"
    with pytest.raises(ds.DataIntegrityError):
        ds.verify()
    assert outside(data, "secret.txt").read_bytes() == VICTIM


def test_a_symlink_out_of_the_data_folder_is_refused(data):
    link = data / "dataset" / "source" / "transcript.txt"
    target = outside(data, "secret.txt")
    target.write_bytes(link.read_bytes())  # the same bytes, so the hash matches
    link.unlink()
    link.symlink_to(target)
    with pytest.raises(ds.DataIntegrityError, match="outside the data folder"):
        ds.source_text()


def test_a_bit_flip_with_its_hash_updated_is_refused_in_one_line(data):
    """Corrupt Parquet that passes the hash (the descriptor was updated too) is still refused
    with DataIntegrityError, never a raw Arrow or Unicode error."""
    path = data / "dataset" / "claim_cues.parquet"
    original = path.read_bytes()
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    refused = 0
    for offset in range(0, len(original), max(1, len(original) // 97)):
        flipped = bytearray(original)
        flipped[offset] ^= 0x10
        path.write_bytes(bytes(flipped))
        resource(package, "claim_cues")["hash"] = sha(path)
        (data / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
        try:
            ds.load("claim_cues")
        except ds.DataIntegrityError:
            refused += 1
    assert refused > 0


FIFO = """
import os, sys
import rfi_umarov_2022 as ds
from rfi_umarov_2022 import descriptor
from pathlib import Path
root = Path(sys.argv[1])
descriptor.data_root = lambda: root
for call in (ds.source_text, lambda: ds.load("claims")):
    try:
        call()
    except ds.DataIntegrityError as error:
        print("refused:", error)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_without_hanging(data):
    for rel in ("dataset/source/transcript.txt", "dataset/claims.parquet"):
        (data / rel).unlink()
        os.mkfifo(data / rel)
    result = subprocess.run([sys.executable, "-c", FIFO, str(data)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("refused:") == 2 and "not a regular file" in result.stdout


def test_sources_that_are_not_a_list_of_objects_are_named(data):
    """A descriptor whose "sources" is a string, not Data Package's list of source objects."""
    edit(data, lambda p: p.update(sources="dataset/source/transcript.txt"))
    for call in (ds.verify, ds.source_text, lambda: ds.load("claims")):
        with pytest.raises(ds.DataIntegrityError, match=r": sources is not a list of objects\. "):
            call()


def test_verify_names_each_broken_file_without_repeating_the_advice(data):
    """verify() lists every problem in its one error; the advice to run verify() (which the
    loader's own errors end with) is not repeated per file."""
    (data / "dataset" / "notes.parquet").unlink()
    path = data / "dataset" / "claims.parquet"
    flipped = bytearray(path.read_bytes())
    flipped[100] ^= 0xFF
    path.write_bytes(bytes(flipped))
    with pytest.raises(ds.DataIntegrityError) as info:
        ds.verify()
    message = str(info.value)
    assert "notes.parquet" in message and "claims.parquet" in message and "\n" not in message
    assert message.count("Run rfi_umarov_2022.verify()") <= 1
