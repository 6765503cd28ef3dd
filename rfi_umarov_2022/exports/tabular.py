"""CSV, JSON Lines and Parquet: every table, every field, with a rewritten ``datapackage.json``."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

from rfi_umarov_2022 import descriptor as dp
from rfi_umarov_2022.exports.common import ExportReport, records, schema, sha256


def rewrite_descriptor(target: Path, tables: list[str], paths: dict[str, str], fmt: str,
                       mediatype: str, report: ExportReport) -> None:
    """A datapackage.json for the exported files: verified inline schemas, new paths and hashes;
    foreign keys to tables left out are dropped (and said)."""
    package = copy.deepcopy(dp.descriptor())
    resources = []
    dropped = []
    for resource in package["resources"]:
        name = resource["name"]
        if name not in tables:
            continue
        table_schema = copy.deepcopy(schema(name))
        keys = table_schema.get("foreignKeys", [])
        kept = [fk for fk in keys if fk["reference"].get("resource", name) in tables]
        dropped += [f"{name}.{','.join(fk['fields'])}" for fk in keys if fk not in kept]
        table_schema["foreignKeys"] = kept
        if not kept:
            del table_schema["foreignKeys"]
        path = target / paths[name]
        resource.update(schema=table_schema, path=path.name, format=fmt, mediatype=mediatype,
                        hash=sha256(path))
        resources.append(resource)
    package["resources"] = resources
    for source in dp.local_sources(package):
        source["path"] = Path(source["path"]).name
    (target / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    report.files.append("datapackage.json")
    if dropped:
        report.leave_out(f"foreign keys to tables not exported ({', '.join(dropped)})")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    return ("true" if value else "false") if isinstance(value, bool) else value


def write_csv(target: Path, tables: list[str], report: ExportReport) -> None:
    """One CSV per table (UTF-8, header, missing = empty), with a rewritten datapackage.json."""
    paths = {}
    for name in tables:
        columns = [f["name"] for f in schema(name)["fields"]]
        path = target / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in records(name):
                writer.writerow([_csv_value(row[c]) for c in columns])
        paths[name] = path.name
        report.files.append(path.name)
    rewrite_descriptor(target, tables, paths, "csv", "text/csv", report)
    report.notes.append("an empty cell is a missing value; category order and ordinal scales are in "
                        "datapackage.json (categories, categoriesOrdered)")


def write_jsonl(target: Path, tables: list[str], report: ExportReport) -> None:
    """One JSON Lines file per table (missing = null), with a rewritten datapackage.json."""
    paths = {}
    for name in tables:
        path = target / f"{name}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for row in records(name):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        paths[name] = path.name
        report.files.append(path.name)
    rewrite_descriptor(target, tables, paths, "jsonl", "application/jsonl", report)
    report.notes.append("category order and ordinal scales are in datapackage.json")


def write_parquet(target: Path, tables: list[str], report: ExportReport) -> None:
    """The distributed Parquet files, byte for byte, with a rewritten datapackage.json."""
    paths = {}
    for name in tables:
        schema(name)  # the file's stored schema is the descriptor's
        resource = dp.resource(name)
        path = target / f"{name}.parquet"
        path.write_bytes(dp.read_verified(resource["path"], resource["hash"], name))
        paths[name] = path.name
        report.files.append(path.name)
    rewrite_descriptor(target, tables, paths, "parquet", "application/vnd.apache.parquet", report)
