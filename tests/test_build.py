"""The build on the fixture project: reproducible, checkable, and atomic under kills."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE, copy_fixture, output_files

import rfi_umarov_2022 as ds
from rfi_umarov_2022_build import pipeline
from rfi_umarov_2022_build.swap import JOURNAL, recover

OUTPUT_SUFFIXES = (".parquet", ".json", ".md")


def outputs(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in output_files(root).items()
            if k.endswith(OUTPUT_SUFFIXES) and not k.startswith(("schema/", "."))}


def verify_at(root: Path, monkeypatch) -> None:
    """Run the package's verify() against the data under ``root``."""
    monkeypatch.setattr(ds, "_data_root", lambda: root)
    ds._descriptor.cache_clear()
    try:
        ds.verify()
    finally:
        ds._descriptor.cache_clear()


def test_fixture_builds_and_rebuilds_byte_for_byte(built_fixture, tmp_path):
    again = copy_fixture(tmp_path / "again")
    assert pipeline.run(again) == 0
    assert outputs(again) == outputs(built_fixture)


def test_check_passes_on_fresh_outputs_and_names_stale_ones(project, capsys):
    assert pipeline.run(project, check=True, validate=False) == 0
    claims = project / "dataset/annotations/claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        "Sylvania seeks closer ties", "Sylvania seeks much closer ties"), encoding="utf-8")
    capsys.readouterr()
    assert pipeline.run(project, check=True, validate=False) == 1
    out = capsys.readouterr().out
    assert "dataset/claims.parquet" in out and "datapackage.json" in out


def test_curator_edits_rebuild_and_verify(project, monkeypatch):
    """A paraphrase change, a swapped role and a new note: the build takes them in."""
    claims = project / "dataset/annotations/claims.yaml"
    text = claims.read_text(encoding="utf-8")
    text = text.replace("Freedonia needs ports for its trade.", "Freedonia needs ports.")
    text = text.replace("actors: {sylvania: agent, freedonia: target}",
                        "actors: {sylvania: target, freedonia: agent}")
    claims.write_text(text, encoding="utf-8")
    notes = project / "dataset/annotations/notes.yaml"
    notes.write_text(notes.read_text(encoding="utf-8") + (
        "  - note_id: n02\n    utterance_id: a1\n    surface: ports\n    note_type: translation\n"
        "    explanation: A second note.\n"), encoding="utf-8")
    assert pipeline.run(project) == 0
    verify_at(project, monkeypatch)


def test_stale_temporary_folders_are_cleaned(project):
    (project / ".build-tmp-killed").mkdir()
    assert pipeline.run(project) == 0
    assert not list(project.glob(".build-tmp-*"))


KILLER = """
import os, signal, sys
from pathlib import Path
limit = int(sys.argv[2])
real = os.replace
count = [0]
def replace(*args, **kwargs):
    if count[0] == limit:
        os.kill(os.getpid(), signal.SIGKILL)
    count[0] += 1
    return real(*args, **kwargs)
os.replace = replace
from rfi_umarov_2022_build.pipeline import run
sys.exit(run(Path(sys.argv[1])))
"""


def test_a_kill_at_any_step_of_the_swap_leaves_one_complete_set(built_fixture, tmp_path, monkeypatch):
    """SIGKILL before each rename of the swap; after recovery, verify() passes on old or new."""
    old = outputs(built_fixture)
    steps = 0
    while True:
        root = tmp_path / f"kill-{steps}"
        shutil.copytree(built_fixture, root)
        claims = root / "dataset/annotations/claims.yaml"
        claims.write_text(claims.read_text(encoding="utf-8").replace(
            "Freedonia needs ports for its trade.", "Freedonia needs ports."), encoding="utf-8")
        result = subprocess.run([sys.executable, "-c", KILLER, str(root), str(steps)],
                                capture_output=True, text=True)
        if result.returncode == 0:
            break
        assert result.returncode == -9, result.stderr
        journal = (root / JOURNAL).is_file()
        if not journal:
            verify_at(root, monkeypatch)  # killed before the journal, or after the commit point
        recover(root)
        verify_at(root, monkeypatch)
        now = outputs(root)
        assert now == old or pipeline.run(root, check=True, validate=False) == 0
        assert not [p for p in root.rglob(".*build-*") if p.is_file()]
        steps += 1
    assert steps >= 3, "the swap should have several steps"


def test_a_failing_swap_rolls_back(project, monkeypatch):
    old = outputs(project)
    claims = project / "dataset/annotations/claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        "Freedonia needs ports for its trade.", "Freedonia needs ports."), encoding="utf-8")
    real = os.replace
    calls = []

    def replace(source, target, *args, **kwargs):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(18, "Invalid cross-device link", str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    assert pipeline.run(project) == 2
    monkeypatch.setattr(os, "replace", real)
    assert outputs(project) == old
    verify_at(project, monkeypatch)


def test_the_build_is_deterministic_under_environment(built_fixture, tmp_path):
    env = {**os.environ, "PYTHONHASHSEED": "4242", "TZ": "Asia/Tokyo", "LC_ALL": "C"}
    root = tmp_path / "env"
    shutil.copytree(built_fixture, root)
    result = subprocess.run([sys.executable, "-m", "rfi_umarov_2022_build", "--check", "--no-validate",
                             "--root", str(root)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fixture_documents_every_curated_file():
    """The fixture holds one small example of every curated file the build reads."""
    shapes = {p.stem for p in (FIXTURE.parent.parent / "schema" / "curated").glob("*.json")}
    present = {p.stem for p in (FIXTURE / "dataset" / "annotations").glob("*.yaml")}
    assert shapes == present


def test_descriptor_of_the_fixture_is_frictionless_ready(built_fixture):
    package = json.loads((built_fixture / "datapackage.json").read_text(encoding="utf-8"))
    assert all(isinstance(r["schema"], dict) for r in package["resources"])


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can write into read-only folders")
def test_read_only_data_folder_fails_cleanly(project, capsys):
    claims = project / "dataset/annotations/claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("trade.", "commerce."), encoding="utf-8")
    before = outputs(project)
    os.chmod(project / "dataset", 0o555)
    try:
        assert pipeline.run(project) == 2
    finally:
        os.chmod(project / "dataset", 0o755)
    assert outputs(project) == before
