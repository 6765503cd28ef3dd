"""The build on the fixture project: reproducible, checkable, locked, and atomic under failures.

The full kill matrix (a SIGKILL before every rename of the swap) is in the slow tier
(tests/slow/test_kills.py); one representative kill runs here.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from conftest import FIXTURE, ROOT, copy_fixture, output_files, schema_files

import rfi_umarov_2022 as ds
from rfi_umarov_2022_build import pipeline, swap
from rfi_umarov_2022_build.swap import JOURNAL

OUTPUT_SUFFIXES = (".parquet", ".json", ".md", ".html", ".cff")
#: The second line of every failed build that left the outputs alone (the module's promise).
LEFT_COMPLETE = "build failed; the previous outputs were left complete"


def outputs(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in output_files(root).items()
            if k.endswith(OUTPUT_SUFFIXES) and not k.startswith(("schema/", "."))}


def verify_at(root: Path, loader_at) -> None:
    """Run the package's verify() against the data under ``root``."""
    loader_at(root)
    ds.verify()


def edit_claim(root: Path) -> None:
    claims = root / "dataset/annotations/claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        "Freedonia needs ports for its trade.", "Freedonia needs ports."), encoding="utf-8")


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


def test_a_failing_check_says_it_wrote_nothing(project, capsys):
    """--check never writes, so its failure does not speak of previous outputs."""
    before = outputs(project)
    claims = project / "dataset/annotations/claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8") + "bad: [\n", encoding="utf-8")
    capsys.readouterr()
    assert pipeline.run(project, check=True, validate=False) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: dataset/annotations/claims.yaml:") and len(err) == 2
    assert err[1] == "check failed; nothing was written"
    assert outputs(project) == before


def test_curator_edits_rebuild_and_verify(project, loader_at):
    """A paraphrase change, a swapped role and two new notes: the build takes them in. An
    optional field (not required in schema/notes.json) may be left out or written as null."""
    claims = project / "dataset/annotations/claims.yaml"
    text = claims.read_text(encoding="utf-8")
    text = text.replace("Freedonia needs ports for its trade.", "Freedonia needs ports.")
    text = text.replace("actors: {sylvania: agent, freedonia: target}",
                        "actors: {sylvania: target, freedonia: agent}")
    claims.write_text(text, encoding="utf-8")
    notes = project / "dataset/annotations/notes.yaml"
    notes.write_text(notes.read_text(encoding="utf-8") + (
        "  - note_id: n02\n    utterance_id: a1\n    surface: ports\n    note_type: translation\n"
        "    explanation: A second note.\n"
        "  - note_id: n03\n    utterance_id: q2\n    surface: army\n    note_type: translation\n"
        "    suggestion: null\n    explanation: A third note.\n"), encoding="utf-8")
    assert pipeline.run(project) == 0
    verify_at(project, loader_at)
    notes = ds.load("notes").set_index("note_id")
    assert len(notes) == 3
    optional = next(f["name"] for f in schema_files(project)["notes"]["fields"]
                    if not f.get("constraints", {}).get("required"))
    assert notes[optional][["n02", "n03"]].isna().all()


def test_the_build_reports_what_it_built(project, capsys):
    """One line on stdout: the number of tables and rows, and each table's rows, as written."""
    edit_claim(project)
    assert pipeline.run(project) == 0
    package = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    counts = {r["name"]: pq.read_metadata(project / r["path"]).num_rows for r in package["resources"]}
    assert capsys.readouterr().out.splitlines() == [
        f"built {len(counts)} tables, {sum(counts.values())} rows: "
        + ", ".join(f"{name} {n}" for name, n in counts.items())]


def test_the_readme_table_tour_is_regenerated(project):
    """A README with the tour markers (as the real README has them) gets its tour rewritten: one
    row per table with the rows written; the text around the markers stays as it was."""
    begin, end = re.findall(r"^<!-- (?:end of )?table tour.*-->$",
                            (ROOT / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    before, after = "# A project\n\nIntro.\n\n", "\n\nOutro.\n"
    (project / "README.md").write_text(f"{before}{begin}\nstale tour\n{end}{after}", encoding="utf-8")
    assert pipeline.run(project) == 0
    text = (project / "README.md").read_text(encoding="utf-8")
    assert text.startswith(before + begin) and text.endswith(end + after)
    tour = text.split(begin, 1)[1].split(end, 1)[0]
    package = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    assert dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", tour, re.MULTILINE)) == {
        r["name"]: str(pq.read_metadata(project / r["path"]).num_rows) for r in package["resources"]}
    assert "stale tour" not in text


def test_a_resolve_exception_gives_the_occurrence_to_another_actor(project, loader_at):
    """An exception with action resolve: the alias occurrence becomes one mention of the named
    actor, with the mention type given, or else the one its alias type maps to (actors.yaml's
    alias_types). The readings are made up; the mechanism is the point."""
    target = "freedonians-in-sylvania"
    actors = project / "dataset/annotations/actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8") + (
        f"  - {{utterance_id: standfirst, surface: Sylvania, action: resolve, actor_id: {target},\n"
        "     mention_type: description, reason: Made up.}\n"
        f"  - {{utterance_id: q2, surface: Freedonian, action: resolve, actor_id: {target},\n"
        "     reason: Made up.}\n"), encoding="utf-8")
    assert pipeline.run(project) == 0
    registry = yaml.safe_load(actors.read_text(encoding="utf-8"))
    alias_type = next(a["alias_type"] for actor in registry["actors"] for a in actor.get("aliases") or []
                      if a["alias"] == "Freedonian")
    lines = (project / "dataset/source/transcript.txt").read_text(encoding="utf-8").split("\n")

    def span(line_no: int, surface: str) -> tuple[int, int]:
        start = sum(len(line) + 1 for line in lines[:line_no - 1]) + lines[line_no - 1].index(surface)
        return start, start + len(surface)

    loader_at(project)
    mentions = ds.load("mentions")
    # document.yaml: the standfirst is line 2; turns run from line 3 (q1, a1), so q2 is line 5
    for (start, end), mention_type in ((span(2, "Sylvania"), "description"),
                                       (span(5, "Freedonian"), registry["alias_types"][alias_type])):
        rows = mentions[(mentions.char_start == start) & (mentions.char_end == end)]
        assert len(rows) == 1, (start, end)
        assert rows.iloc[0].actor_id == target and rows.iloc[0].mention_type == mention_type


def test_a_table_whose_schema_is_removed_is_retired(project, loader_at):
    """Removing a layer (its Table Schema and its annotation file): the next build removes the
    table the previous build wrote, and the descriptor no longer lists it."""
    package = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    retired = next(r for r in package["resources"] if r["name"] == "notes")
    (project / "schema/notes.json").unlink()
    (project / "dataset/annotations/notes.yaml").unlink()
    assert (project / retired["path"]).is_file()
    assert pipeline.run(project) == 0
    assert not (project / retired["path"]).exists()
    package = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    assert "notes" not in {r["name"] for r in package["resources"]}
    verify_at(project, loader_at)


def test_the_build_leaves_files_with_its_reserved_names_alone(project):
    """User files named like the build's temporary files survive a build that changes nothing
    near them (the build never globs for leftovers)."""
    mine = [project / ".build-tmp-mine" / "keep.txt", project / "docs" / ".notes.md.build-old",
            project / ".build-journal-mine.json"]
    for path in mine:
        path.parent.mkdir(exist_ok=True)
        path.write_text("mine", encoding="utf-8")
    edit_claim(project)
    assert pipeline.run(project) == 0
    assert all(path.read_text(encoding="utf-8") == "mine" for path in mine)


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


def kill_at(built_fixture: Path, root: Path, step: int) -> subprocess.CompletedProcess:
    """Copy the built fixture to ``root``, edit a claim, and build with a SIGKILL at rename ``step``."""
    shutil.copytree(built_fixture, root)
    edit_claim(root)
    return subprocess.run([sys.executable, "-c", KILLER, str(root), str(step)], capture_output=True,
                          text=True)


def test_a_kill_in_the_middle_of_the_swap_is_rolled_back(built_fixture, tmp_path, loader_at):
    """SIGKILL at the third rename (journal written, some outputs replaced): the next build
    rolls back to the old set, then builds the new one."""
    root = tmp_path / "killed"
    old = outputs(built_fixture)
    result = kill_at(built_fixture, root, 3)
    assert result.returncode == -9, result.stderr
    assert (root / JOURNAL).is_file() and outputs(root) != old
    with pytest.raises(ds.DataIntegrityError, match="interrupted build"):
        verify_at(root, loader_at)
    swap.recover(root, pipeline.is_output)
    assert outputs(root) == old and not (root / JOURNAL).exists()
    verify_at(root, loader_at)
    assert pipeline.run(root) == 0
    verify_at(root, loader_at)


def test_a_failing_rename_rolls_back(project, monkeypatch, loader_at, capsys):
    old = outputs(project)
    edit_claim(project)
    real = os.replace
    calls = []

    def replace(source, target, *args, **kwargs):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    assert pipeline.run(project) == 2
    monkeypatch.setattr(os, "replace", real)
    assert outputs(project) == old
    assert "previous outputs were left complete" in capsys.readouterr().err
    verify_at(project, loader_at)


def test_a_full_disk_names_the_destination_and_leaves_nothing(project, monkeypatch, capsys):
    """ENOSPC while staging: one line naming the output that could not be written, no staged
    file left behind, the old outputs in place."""
    old = output_files(project)
    edit_claim(project)
    edited = output_files(project)
    real = shutil.copyfileobj

    def full(source, target, *args, **kwargs):
        real(source, target, 10)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", full)
    assert pipeline.run(project) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    named = first.removeprefix("error: ").split(": cannot write: No space left on device")[0]
    assert pipeline.is_output(named) and first.endswith("cannot write: No space left on device")
    assert err.splitlines()[1:] == [LEFT_COMPLETE]
    assert output_files(project) == edited and old != edited


def test_a_read_only_output_folder_fails_cleanly(project, monkeypatch, capsys):
    """Permission denied on the first staged file (as in a read-only folder; injected, since the
    tests may run as root): one line, nothing changed."""
    edit_claim(project)
    before = output_files(project)
    real_open = open

    def refuse(path, mode="r", *args, **kwargs):
        if str(path).endswith(swap.NEW):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    assert pipeline.run(project) == 2
    err = capsys.readouterr().err
    assert "cannot write: Permission denied" in err.splitlines()[0]
    assert err.splitlines()[1:] == [LEFT_COMPLETE]
    monkeypatch.undo()
    assert output_files(project) == before


def test_a_journal_that_cannot_be_written_fails_cleanly(project, monkeypatch, capsys):
    """Permission denied on the build journal (injected): one line naming the journal, nothing
    changed, no journal left behind."""
    edit_claim(project)
    before = output_files(project)
    real_open = open

    def refuse(path, mode="r", *args, **kwargs):
        if Path(path).name == swap.JOURNAL_TMP:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    assert pipeline.run(project) == 2
    monkeypatch.undo()
    err = capsys.readouterr().err.splitlines()
    assert err == [f"error: {JOURNAL}: cannot write the build journal: Permission denied", LEFT_COMPLETE]
    assert output_files(project) == before


def test_an_unrestorable_rollback_says_so_and_keeps_the_journal(built_fixture, tmp_path, monkeypatch,
                                                                capsys):
    """A rollback that cannot put an old file back (immutable output, injected) must not claim
    that the previous outputs are complete, and keeps the journal for the next build."""
    root = tmp_path / "killed"
    kill_at(built_fixture, root, 3)
    real = os.replace

    def stuck(source, target, *args, **kwargs):
        if str(source).endswith(swap.OLD):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", stuck)
    assert pipeline.run(root) == 2
    err = capsys.readouterr().err
    assert "NOT complete" in err and "left complete" not in err
    assert (root / JOURNAL).is_file()
    monkeypatch.undo()
    assert pipeline.run(root) == 0 and not (root / JOURNAL).exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs advisory locks")
def test_a_second_build_is_refused_while_one_runs(project, capsys):
    import fcntl

    fd = os.open(project, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert pipeline.run(project) == 2
        assert "another build is running" in capsys.readouterr().err
    finally:
        os.close(fd)
    assert pipeline.run(project) == 0


def test_the_build_is_deterministic_under_environment(built_fixture, tmp_path):
    env = {**os.environ, "PYTHONHASHSEED": "4242", "TZ": "Asia/Tokyo", "LC_ALL": "C"}
    root = tmp_path / "env"
    shutil.copytree(built_fixture, root)
    result = subprocess.run([sys.executable, "-m", "rfi_umarov_2022_build", "--check", "--no-validate",
                             "--root", str(root)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fixture_documents_every_curated_file():
    """The fixture holds one small example of every curated file the build reads: each declared
    shape and each annotation file of the real project."""
    present = {p.stem for p in (FIXTURE / "dataset" / "annotations").glob("*.yaml")}
    shapes = {p.stem for p in (ROOT / "schema" / "curated").glob("*.json")}
    real = {p.stem for p in (ROOT / "dataset" / "annotations").glob("*.yaml")}
    assert shapes <= present and real == present


def test_the_fixture_descriptor_inlines_the_schemas_as_written(built_fixture):
    """Each resource's schema is its schema/*.json without $schema, plus the enum copy of its
    categories; the build adds nothing else."""
    package = json.loads((built_fixture / "datapackage.json").read_text(encoding="utf-8"))
    written = schema_files(built_fixture)
    for resource in package["resources"]:
        expected = written[resource["name"]]
        expected.pop("$schema", None)
        for field in expected["fields"]:
            if "categories" in field:
                field.setdefault("constraints", {})["enum"] = field["categories"]
        assert resource["schema"] == expected, resource["name"]
