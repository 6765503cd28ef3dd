"""Swap a finished build into place so that the outputs are always one complete set.

Several files cannot be replaced in one atomic step, so the swap works like a database's
rollback journal:

1. stage: copy each new output next to its target (``.NAME.build-new``, same folder, so the
   final rename cannot cross filesystems); a read-only folder or a full disk fails here,
   before anything is touched;
2. back up: hard-link (or copy) each file about to be replaced or removed to ``.NAME.build-old``;
3. write the journal ``.build-journal.json`` (atomically): from here on, the swap is undone
   unless it finishes;
4. rename the staged files into place, the descriptor last, and remove retired outputs;
5. delete the journal: the commit point; then the backups.

``recover`` (run at the start of every build) rolls an interrupted swap back to the complete
previous set, and removes leftovers of a swap that was killed before its journal existed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

JOURNAL = ".build-journal.json"
NEW, OLD = ".build-new", ".build-old"
LAST = "datapackage.json"


def _aside(root: Path, rel: str, suffix: str) -> Path:
    target = root / rel
    return target.with_name(f".{target.name}{suffix}")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Swap:
    """Replace the outputs under ``root`` by the files built in ``folder``."""

    def __init__(self, root: Path, folder: Path, new: list[str], removed: list[str]) -> None:
        self.root = root
        self.folder = folder
        changed = [rel for rel in new if not (root / rel).is_file()
                   or (root / rel).read_bytes() != (folder / rel).read_bytes()]
        # the descriptor goes last: until it is in place, the old one describes the old files
        self.changed = sorted(changed, key=lambda rel: (rel == LAST, rel))
        self.removed = sorted(removed)

    def run(self) -> None:
        if not self.changed and not self.removed:
            return
        staged = []
        try:
            for rel in self.changed:
                target = self.root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                stage = _aside(self.root, rel, NEW)
                shutil.copyfile(self.folder / rel, stage)
                staged.append(stage)
                with open(stage, "rb") as handle:
                    os.fsync(handle.fileno())
            for rel in self.changed + self.removed:
                target = self.root / rel
                if target.is_file():
                    self._backup(target, _aside(self.root, rel, OLD))
            self._write_journal()
        except OSError:
            for path in staged:
                with contextlib.suppress(OSError):
                    path.unlink()
            _remove_backups(self.root, self.changed + self.removed)
            raise
        try:
            for rel in self.changed:
                os.replace(_aside(self.root, rel, NEW), self.root / rel)
            for rel in self.removed:
                with contextlib.suppress(FileNotFoundError):
                    (self.root / rel).unlink()
            for folder in {(self.root / rel).parent for rel in self.changed}:
                _fsync_dir(folder)
        except OSError:
            recover(self.root)
            raise
        (self.root / JOURNAL).unlink()
        _fsync_dir(self.root)
        _remove_backups(self.root, self.changed + self.removed)

    @staticmethod
    def _backup(target: Path, backup: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            backup.unlink()
        try:
            os.link(target, backup)
        except OSError:
            shutil.copy2(target, backup)

    def _write_journal(self) -> None:
        existed = [rel for rel in self.changed + self.removed if (self.root / rel).is_file()]
        journal = {"changed": self.changed, "removed": self.removed, "existed": existed}
        tmp = self.root / f"{JOURNAL}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(journal, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / JOURNAL)
        _fsync_dir(self.root)


def _remove_backups(root: Path, rels: list[str]) -> None:
    for rel in rels:
        with contextlib.suppress(OSError):
            _aside(root, rel, OLD).unlink()


def recover(root: Path) -> bool:
    """Undo an interrupted swap; remove leftovers. True if there was something to undo."""
    journal_path = root / JOURNAL
    undone = False
    if journal_path.is_file():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
            rels = list(journal["changed"]) + list(journal["removed"])
            existed = set(journal["existed"])
        except (OSError, ValueError, KeyError, TypeError):
            rels, existed = [], set()  # a torn journal: it was never committed, nothing moved
        for rel in rels:
            backup = _aside(root, rel, OLD)
            if rel in existed:
                if backup.is_file():
                    os.replace(backup, root / rel)
            else:
                with contextlib.suppress(FileNotFoundError):
                    (root / rel).unlink()
        journal_path.unlink()
        undone = True
    with contextlib.suppress(FileNotFoundError):
        (root / f"{JOURNAL}.tmp").unlink()
    folders = [root, *(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))]
    for folder in folders:
        for suffix in (NEW, OLD):
            for leftover in folder.glob(f".*{suffix}"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
    return undone
