"""Swap a finished build into place so that the outputs are always one complete set.

Several files cannot be replaced in one atomic step, so the swap works like a database's
rollback journal:

1. journal: write ``.build-journal.json`` (atomically, phase ``stage``) naming every output to
   replace, add or remove, with the sha256 of its old and new content;
2. stage: copy each new output next to its target (``.NAME.build-new``, same folder, so the
   final rename cannot cross filesystems), and back up each file about to be replaced or
   removed (``.NAME.build-old``, a hard link or a copy); a read-only folder or a full disk
   fails here, before any output is touched, and the staged files are removed again;
3. the journal's phase becomes ``swap``: from here on, the swap is undone unless it finishes;
4. rename the staged files into place, the descriptor last, and remove retired outputs;
5. delete the journal (the commit point), then the backups.

:func:`recover` (run at the start of every build) finishes the work of a build that was killed:
it removes what a ``stage`` journal staged, and rolls a ``swap`` journal back to the complete
previous set, checked file by file against the recorded sha256; only then is the journal
deleted. Every path comes from the journal and must be an output of the build (``is_output``);
a file is removed only where its sha256 is the one the journal recorded for it, or where the
journal names it as a staged copy or backup that this swap created under a name it first
checked to be free. The build never globs for leftovers, so a user's file is never deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rfi_umarov_2022_build.curated import BuildError

JOURNAL = ".build-journal.json"
JOURNAL_TMP = f"{JOURNAL}.tmp"
MAGIC = "rfi-umarov-2022 build journal"
NEW, OLD = ".build-new", ".build-old"
LAST = "datapackage.json"
DIGEST = re.compile(r"^[0-9a-f]{64}$")


def digest(path: Path) -> str | None:
    """sha256 of a regular file, None if there is none."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def aside(root: Path, rel: str, suffix: str) -> Path:
    target = root / rel
    return target.with_name(f".{target.name}{suffix}")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Entry:
    """One output: its path, the sha256 of the file it replaces (None: new) and of its new
    content (None: the output is retired)."""

    rel: str
    old: str | None
    new: str | None


def _cannot(path: Path, root: Path, error: OSError, what: str) -> BuildError:
    where = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    return BuildError(where, None, None, f"cannot {what}: {error.strerror or error}")


def _write_journal(root: Path, phase: str, entries: list[Entry]) -> None:
    data = json.dumps({"magic": MAGIC, "phase": phase,
                       "entries": [[e.rel, e.old, e.new] for e in entries]})
    tmp = root / JOURNAL_TMP
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / JOURNAL)
    _fsync_dir(root)


def _ours(path: Path) -> bool:
    """Is this file a journal (or a temporary journal) that a build wrote?"""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(MAGIC) + 20).startswith(b'{"magic": "' + MAGIC.encode())
    except OSError:
        return False


class Swap:
    """Replace the outputs under ``root`` by the files built in ``folder``."""

    def __init__(self, root: Path, folder: Path, new: list[str], removed: list[str]) -> None:
        self.root, self.folder = root, folder
        entries = []
        for rel in new:
            old, fresh = digest(root / rel), digest(folder / rel)
            if old != fresh:
                entries.append(Entry(rel, old, fresh))
        entries += [Entry(rel, digest(root / rel), None) for rel in removed if (root / rel).is_file()]
        # the descriptor goes last: until it is in place, the old one describes the old files
        self.entries = sorted(entries, key=lambda e: (e.rel == LAST, e.rel))

    def _check_free(self) -> None:
        for entry in self.entries:
            target = self.root / entry.rel
            if target.exists() and not target.is_file():
                raise BuildError(entry.rel, None, None, "is in the way: an output of the build must "
                                 "be a regular file; move it away")
            for suffix in (NEW, OLD):
                path = aside(self.root, entry.rel, suffix)
                if path.exists() or path.is_symlink():
                    raise BuildError(path.relative_to(self.root).as_posix(), None, None,
                                     "is in the way: the build stages its outputs under this name "
                                     "and never deletes a file it did not write; move it away")
        tmp = self.root / JOURNAL_TMP
        if tmp.exists() and not _ours(tmp):
            raise BuildError(JOURNAL_TMP, None, None, "is in the way: the build writes its journal "
                             "under this name; move it away")

    def run(self) -> None:
        if not self.entries:
            return
        self._check_free()
        made: list[Path] = []
        try:
            _write_journal(self.root, "stage", self.entries)
            for entry in self.entries:
                target = self.root / entry.rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if entry.new is not None:
                    stage = aside(self.root, entry.rel, NEW)
                    made.append(stage)
                    try:
                        with open(self.folder / entry.rel, "rb") as src, open(stage, "xb") as dst:
                            shutil.copyfileobj(src, dst)
                            dst.flush()
                            os.fsync(dst.fileno())
                    except OSError as error:
                        raise _cannot(target, self.root, error, "write") from None
                if entry.old is not None:
                    backup = aside(self.root, entry.rel, OLD)
                    made.append(backup)
                    try:
                        os.link(target, backup)
                    except OSError:
                        try:
                            shutil.copy2(target, backup)
                        except OSError as error:
                            raise _cannot(backup, self.root, error, "back up the previous output") from None
            _write_journal(self.root, "swap", self.entries)
        except (OSError, BuildError) as error:
            for path in made:
                with contextlib.suppress(OSError):
                    path.unlink()
            with contextlib.suppress(OSError):
                (self.root / JOURNAL).unlink()
            if isinstance(error, BuildError):
                raise
            raise _cannot(self.root / JOURNAL, self.root, error, "write the build journal") from None
        try:
            for entry in self.entries:
                if entry.new is not None:
                    os.replace(aside(self.root, entry.rel, NEW), self.root / entry.rel)
                else:
                    (self.root / entry.rel).unlink()
            for folder in {(self.root / e.rel).parent for e in self.entries}:
                _fsync_dir(folder)
        except OSError as error:
            recover(self.root, lambda rel: any(e.rel == rel for e in self.entries))
            raise _cannot(self.root / entry.rel, self.root, error, "replace the output") from None
        (self.root / JOURNAL).unlink()
        _fsync_dir(self.root)
        for entry in self.entries:
            with contextlib.suppress(OSError):
                aside(self.root, entry.rel, OLD).unlink()


def _read_journal(root: Path, is_output: Callable[[str], bool]) -> tuple[str, list[Entry]]:
    path = root / JOURNAL
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
        assert journal["magic"] == MAGIC and journal["phase"] in ("stage", "swap")
        entries = [Entry(*item) for item in journal["entries"]]
    except (OSError, ValueError, KeyError, TypeError, AssertionError):
        raise BuildError(JOURNAL, None, None, "is not a journal this build wrote; it was left in "
                         "place: move it away, then build again") from None
    for entry in entries:
        if not (isinstance(entry.rel, str) and is_output(entry.rel)):
            raise BuildError(JOURNAL, None, None, f"names {entry.rel!r}, which is not an output of "
                             "the build; nothing was touched: restore the outputs from version "
                             "control, move the journal away, then build again")
        for value in (entry.old, entry.new):
            if value is not None and not (isinstance(value, str) and DIGEST.fullmatch(value)):
                raise BuildError(JOURNAL, None, entry.rel, "holds a malformed sha256; nothing was touched")
    return journal["phase"], entries


def recover(root: Path, is_output: Callable[[str], bool]) -> bool:
    """Undo an interrupted swap (see the module docstring). True if there was something to undo.

    Raises a BuildError, leaving the journal in place, if the previous set cannot be restored.
    """
    tmp = root / JOURNAL_TMP
    if tmp.is_file() and _ours(tmp):
        tmp.unlink()
    if not (root / JOURNAL).exists():
        return False
    phase, entries = _read_journal(root, is_output)
    problems = []
    for entry in entries:
        target, stage, backup = root / entry.rel, aside(root, entry.rel, NEW), aside(root, entry.rel, OLD)
        try:
            if stage.is_file():
                stage.unlink()
            if entry.old is not None and backup.is_file():
                # a backup that is a hard link of the target (not replaced yet) is just removed:
                # rename() between two links of one file does nothing
                same = target.exists() and os.path.samefile(backup, target)
                if phase == "swap" and not same and digest(backup) == entry.old:
                    os.replace(backup, target)
                else:
                    backup.unlink()
            elif phase == "swap" and entry.old is None and digest(target) == entry.new:
                target.unlink()
        except OSError as error:
            problems.append(f"{entry.rel}: {error.strerror or error}")
            continue
        if digest(target) != entry.old:
            problems.append(f"{entry.rel} is not the previous output")
    if problems:
        raise BuildError(JOURNAL, None, None, "an interrupted build could not be rolled back ("
                         + "; ".join(problems) + "); the previous outputs are NOT complete and the "
                         "journal was kept: fix the cause (permissions?) and build again")
    (root / JOURNAL).unlink()
    _fsync_dir(root)
    return True
