"""What changed between two releases of the dataset, table by table, row by row, field by field.

``diff(old, new=None)`` compares two builds: folders that hold a ``datapackage.json`` (a clone
of any release, built, or an unpacked install), the installed package when ``new`` is None.
Every table of either release is compared: tables added or removed, fields added, removed or
retyped (type and categories), and rows matched by the primary key (the newer release's, else
the older's) as added, removed or changed, with each changed field's old and new value. Each
side's files are checked against its own descriptor's sha256 first.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rfi_umarov_2022.errors import DataIntegrityError, ExportError

COLUMNS = ("table", "change", "key", "field", "old", "new")


@dataclass
class Release:
    """One build: its version, its resources' schemas and a way to read their rows."""

    root: Path
    version: str
    resources: dict[str, dict[str, Any]]

    def rows(self, name: str) -> list[dict[str, Any]]:
        from rfi_umarov_2022.descriptor import matches
        from rfi_umarov_2022.loader import read_parquet

        resource = self.resources[name]
        data = (self.root / resource["path"]).read_bytes()
        expected = str(resource.get("hash", ""))
        if expected and not matches(data, expected):
            raise DataIntegrityError(f"{self.root / resource['path']} does not match the sha256 its "
                                     "datapackage.json records")
        table = read_parquet(data, str(self.root / resource["path"]))  # the loader's one read path
        return [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def release(where: str | Path | None) -> Release:
    """A build in a folder, or the installed package (None)."""
    if where is None:
        from rfi_umarov_2022 import datapackage_path

        root = datapackage_path().parent
    else:
        root = Path(where)
        if not (root / "datapackage.json").is_file():
            raise ExportError(f"{root}: no datapackage.json there (give the folder of a built clone "
                              "of a release)", exit_code=2)
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor.get("resources", []) if r.get("schema")}
    other = [r["path"] for r in resources.values() if not str(r.get("path", "")).endswith(".parquet")]
    if other:
        raise ExportError(f"{root}: its datapackage.json lists {other[0]}, not a Parquet file: an "
                          "export, not a build (give the folder of a built clone of a release)",
                          exit_code=2)
    return Release(root, str(descriptor.get("version", "unknown")), resources)


def _fields(resource: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {f["name"]: (f.get("type"), tuple(f.get("categories") or ()) or None)
            for f in resource["schema"].get("fields", [])}


def _key(row: dict[str, Any], key: list[str]) -> str:
    return "/".join(str(row.get(c)) for c in key)


def compare(old: Release, new: Release) -> list[dict[str, Any]]:
    """Every change from ``old`` to ``new``, as rows of COLUMNS, in table order."""
    changes: list[dict[str, Any]] = []

    def add(table: str, change: str, key: str | None = None, field: str | None = None,
            before: Any = None, after: Any = None) -> None:
        changes.append({"table": table, "change": change, "key": key, "field": field,
                        "old": before, "new": after})

    names = list(new.resources) + [n for n in old.resources if n not in new.resources]
    for name in names:
        if name not in old.resources:
            add(name, "table added", after=f"{len(new.rows(name))} rows")
            continue
        if name not in new.resources:
            add(name, "table removed", before=f"{len(old.rows(name))} rows")
            continue
        before, after = _fields(old.resources[name]), _fields(new.resources[name])
        for field in after.keys() - before.keys():
            add(name, "field added", field=field, after=after[field][0])
        for field in before.keys() - after.keys():
            add(name, "field removed", field=field, before=before[field][0])
        for field in before.keys() & after.keys():
            if before[field] != after[field]:
                add(name, "field retyped", field=field, before=_describe(before[field]),
                    after=_describe(after[field]))
        key = (new.resources[name]["schema"].get("primaryKey")
               or old.resources[name]["schema"].get("primaryKey"))
        key = [key] if isinstance(key, str) else list(key or [])
        old_rows = {_key(r, key): r for r in old.rows(name)}
        new_rows = {_key(r, key): r for r in new.rows(name)}
        for ident in new_rows.keys() - old_rows.keys():
            add(name, "row added", key=ident)
        for ident in old_rows.keys() - new_rows.keys():
            add(name, "row removed", key=ident)
        shared = sorted(before.keys() & after.keys())
        for ident in new_rows.keys() & old_rows.keys():
            for field in shared:
                if old_rows[ident].get(field) != new_rows[ident].get(field):
                    add(name, "value changed", ident, field, old_rows[ident].get(field),
                        new_rows[ident].get(field))
    order = {name: i for i, name in enumerate(names)}
    return sorted(changes, key=lambda c: (order[c["table"]], c["change"], str(c["key"]), str(c["field"])))


def _describe(spec: tuple[Any, ...]) -> str:
    kind, values = spec
    return kind if values is None else f"{kind} [{', '.join(map(str, values))}]"


def diff(old: str | Path, new: str | Path | None = None) -> Any:
    """Changes from the build in ``old`` to ``new`` (default: the installed package), as a pandas
    DataFrame with columns table, change, key, field, old, new (values as text)."""
    import pandas as pd

    rows = compare(release(old), release(new))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("old", "new"):
        frame[column] = [None if v is None else str(v) for v in frame[column]]
    return frame.astype("string")


def summary(changes: list[dict[str, Any]]) -> list[tuple[str, dict[str, int]]]:
    """(table, change -> count) in table order, for a short report."""
    out: dict[str, dict[str, int]] = {}
    for change in changes:
        counts = out.setdefault(change["table"], {})
        counts[change["change"]] = counts.get(change["change"], 0) + 1
    return list(out.items())
