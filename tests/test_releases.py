"""Release diff: an older build with planted changes is compared with this one, and the diff
names exactly the planted changes (the oracle is the plant), on every table."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SCHEMAS

import rfi_umarov_2022 as ds
from rfi_umarov_2022 import registry
from rfi_umarov_2022.errors import DataIntegrityError
from rfi_umarov_2022.releases import compare, release


def copy_build(target: Path) -> Path:
    """The built dataset of this checkout (descriptor and data files) in ``target``."""
    target.mkdir()
    shutil.copy(ROOT / "datapackage.json", target / "datapackage.json")
    shutil.copytree(ROOT / "dataset", target / "dataset", ignore=shutil.ignore_patterns("annotations"))
    return target


def rewrite(build: Path, name: str, change) -> None:
    """Apply ``change`` to a table (a list of rows) and record the new file's sha256."""
    descriptor = json.loads((build / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    path = build / resource["path"]
    table = pq.read_table(path)
    rows = change(table.to_pylist())
    schema = table.schema
    if rows and set(rows[0]) != set(schema.names):
        schema = pa.schema([f for f in schema if f.name in rows[0]])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    resource["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (build / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def test_a_build_against_itself_has_no_change():
    assert compare(release(ROOT), release(None)) == []
    assert len(ds.diff(ROOT)) == 0


def test_planted_changes_and_nothing_else(tmp_path):
    old = copy_build(tmp_path / "old")
    claims = pq.read_table(ROOT / "dataset" / "claims.parquet").to_pylist()
    mentions = pq.read_table(ROOT / "dataset" / "mentions.parquet").to_pylist()
    removed, changed = claims[3]["claim_id"], mentions[5]
    types = registry.categories(registry.field(SCHEMAS["mentions"], "mention_type"))
    new_type = next(t for t in types if t != changed["mention_type"])
    rewrite(old, "claims", lambda rows: [r for r in rows if r["claim_id"] != removed])
    rewrite(old, "mentions", lambda rows: [{**r, "mention_type": new_type}
                                           if r["mention_id"] == changed["mention_id"] else r
                                           for r in rows])
    rewrite(old, "notes", lambda rows: [{k: v for k, v in r.items() if k != "suggestion"} for r in rows])
    descriptor = json.loads((old / "datapackage.json").read_text(encoding="utf-8"))
    notes = next(r for r in descriptor["resources"] if r["name"] == "notes")
    notes["schema"]["fields"] = [f for f in notes["schema"]["fields"] if f["name"] != "suggestion"]
    gone = descriptor["resources"].pop(next(i for i, r in enumerate(descriptor["resources"])
                                            if r["name"] == "claim_events"))
    (old / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")

    changes = compare(release(old), release(None))
    found = {(c["table"], c["change"], c["key"], c["field"]) for c in changes}
    assert found == {
        ("claims", "row added", removed, None),
        ("mentions", "value changed", changed["mention_id"], "mention_type"),
        ("notes", "field added", None, "suggestion"),
        (gone["name"], "table added", None, None),
    }
    value = next(c for c in changes if c["change"] == "value changed")
    assert (value["old"], value["new"]) == (new_type, changed["mention_type"])


def test_a_modified_file_is_refused(tmp_path):
    old = copy_build(tmp_path / "old")
    with (old / "dataset" / "notes.parquet").open("r+b") as handle:
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.raises(DataIntegrityError, match=r"notes\.parquet does not match"):
        compare(release(old), release(None))


def test_cli_summary_and_json(tmp_path):
    old = copy_build(tmp_path / "old")
    rewrite(old, "dates", lambda rows: rows[1:])
    run = [sys.executable, "-m", "rfi_umarov_2022", "diff", str(old)]
    summary = subprocess.run([*run, "--summary"], capture_output=True, text=True)
    assert summary.returncode == 0, summary.stderr
    assert "dates: row added: 1" in summary.stdout
    records = json.loads(subprocess.run([*run, "--json"], capture_output=True, text=True).stdout)
    assert [(r["table"], r["change"]) for r in records] == [("dates", "row added")]
    missing = subprocess.run([*run[:-1], str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.startswith("error: ")


def test_an_export_folder_is_not_taken_for_a_build(tmp_path):
    """A CSV export has a datapackage.json too: diff names it as an export (usage error, 2),
    instead of failing on its files as if a build were damaged."""
    out = tmp_path / "csv"
    export = [sys.executable, "-m", "rfi_umarov_2022", "export", "--format", "csv", str(out)]
    assert subprocess.run(export, capture_output=True).returncode == 0
    result = subprocess.run([sys.executable, "-m", "rfi_umarov_2022", "diff", str(out), "--summary"],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {out}: ") and "not a build" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "reinstall" not in result.stderr
