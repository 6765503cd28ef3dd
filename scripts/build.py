"""Build the dataset: curated annotations + transcript -> validated Parquet, descriptor, docs.

    python scripts/build.py           # build, validate, then replace the outputs
    python scripts/build.py --check   # rebuild in a temporary folder and compare with the outputs

Steps (``run``): load the schemas, build every table from the annotations, enforce each table
against its Table Schema, write Parquet and the descriptor into a temporary folder, validate
there (frictionless, sha256, stored Arrow types), and only then replace the outputs. Any error
prints one line naming file, record and field, exits 2, and leaves the outputs untouched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))

from actors import build_actors  # noqa: E402
from claims import build_claims  # noqa: E402
from curation import BuildError, Curated  # noqa: E402
from dates import build_dates  # noqa: E402
from spine import build_spine  # noqa: E402
from tableschema import (  # noqa: E402
    TableSchema,
    check_foreign_keys,
    enforce,
    load_schemas,
    markdown_reference,
    stored_schema_matches,
    write_parquet,
)

ROOT = SCRIPTS.parent
PACKAGE_FILE = "dataset/annotations/package.yaml"
DATA_DIR = "dataset"
DESCRIPTOR = "datapackage.json"
TABLE_DOCS = "docs/tables.md"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
Layer = Callable[..., tuple]


def package_version(root: Path) -> str:
    """The one version number, read from the package's ``__init__.py``."""
    source = (root / "rfi_umarov_2022" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', source, re.MULTILINE)
    if match is None:
        raise BuildError("rfi_umarov_2022/__init__.py", None, "__version__", "version not found")
    return match.group(1)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_tables(root: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, str]]]:
    """Every table as records, with the curated file each record came from."""
    spine, tables, origins = build_spine(root)
    actor_tables, actor_origins, _ = build_actors(root, spine)
    date_tables, date_origins = build_dates(root, spine)
    claim_tables, claim_origins = build_claims(root, spine, actor_tables, date_tables)
    for more, more_origins in ((actor_tables, actor_origins), (date_tables, date_origins),
                               (claim_tables, claim_origins)):
        tables.update(more)
        for name, mapping in more_origins.items():
            origins.setdefault(name, {}).update(mapping)
    return tables, origins


def descriptor(root: Path, schemas: dict[str, TableSchema], hashes: dict[str, str],
               source_relpath: str) -> dict[str, Any]:
    """The Frictionless v2 descriptor; resources reference their schema files by path."""
    meta = Curated(root, PACKAGE_FILE).data
    for key in ("name", "title", "description", "licenses", "sources", "contributors"):
        if not meta.get(key):
            raise BuildError(PACKAGE_FILE, None, key, "required package metadata is missing")
    source = {"title": meta.get("source_title", "Source text"), "path": source_relpath,
              "hash": f"sha256:{sha256(root / source_relpath)}"}
    package: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": package_version(root),
    }
    for key in ("homepage", "keywords"):
        if meta.get(key):
            package[key] = meta[key]
    package.update({
        "licenses": meta["licenses"],
        "sources": [source, *meta["sources"]],
        "contributors": meta["contributors"],
        "resources": [],
    })
    for name, schema in schemas.items():
        package["resources"].append({
            "name": name,
            "type": "table",
            "title": schema.descriptor["title"],
            "description": schema.descriptor["description"],
            "path": f"{DATA_DIR}/{name}.parquet",
            "format": "parquet",
            "mediatype": PARQUET_MEDIATYPE,
            "hash": f"sha256:{hashes[name]}",
            "schema": schema.path,
        })
    return package


def validate(folder: Path, schemas: dict[str, TableSchema]) -> None:
    """What frictionless checks (keys, foreign keys, constraints), then what it skips for Parquet."""
    package = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    for resource in package["resources"]:
        path = folder / resource["path"]
        if f"sha256:{sha256(path)}" != resource["hash"]:
            raise BuildError(resource["path"], None, None, "sha256 differs from the descriptor")
        problem = stored_schema_matches(path, schemas[resource["name"]])
        if problem:
            raise BuildError(resource["path"], None, None, f"stored Arrow schema: {problem}")
    try:
        import frictionless
    except ImportError:
        print("note: frictionless is not installed; skipped its validation", file=sys.stderr)
        return
    report = frictionless.validate(str(folder / DESCRIPTOR))
    if not report.valid:
        errors = report.flatten(["type", "note"])
        first = errors[0] if errors else ["?", "invalid descriptor"]
        raise BuildError(DESCRIPTOR, None, None,
                         f"frictionless: {len(errors)} error(s), first: {first[0]}: {first[1]}")


def outputs(folder: Path) -> list[str]:
    """Relative paths of everything the build writes (and --check compares)."""
    found = [DESCRIPTOR, TABLE_DOCS]
    found += sorted(p.relative_to(folder).as_posix() for p in (folder / DATA_DIR).glob("*.parquet"))
    return found


def build_into(root: Path, folder: Path) -> dict[str, int]:
    """Load, build, enforce and write every output into ``folder``; validate it there."""
    # load
    schemas = load_schemas(root)
    # build
    records, origins = build_tables(root)
    unknown = sorted(set(records) - set(schemas))
    missing = sorted(set(schemas) - set(records))
    if unknown:
        raise BuildError(f"schema/{unknown[0]}.json", None, None, "no Table Schema for this table")
    if missing:
        raise BuildError(f"schema/{missing[0]}.json", None, None, "no builder for this table")
    # enforce
    tables = {name: enforce(schema, records[name], origins.get(name, {}))
              for name, schema in schemas.items()}
    check_foreign_keys(schemas, tables, origins)
    # write
    (folder / DATA_DIR).mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, table in tables.items():
        path = folder / DATA_DIR / f"{name}.parquet"
        write_parquet(table, path)
        hashes[name] = sha256(path)
    document_meta = Curated(root, "dataset/annotations/document.yaml").data
    package = descriptor(root, schemas, hashes, document_meta["source"]["path"])
    (folder / DESCRIPTOR).write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    row_counts = {name: table.num_rows for name, table in tables.items()}
    preamble = (root / "docs" / "tables.preamble.md").read_text(encoding="utf-8")
    (folder / TABLE_DOCS).parent.mkdir(parents=True, exist_ok=True)
    (folder / TABLE_DOCS).write_text(markdown_reference(schemas, row_counts, preamble),
                                     encoding="utf-8")
    # validate (in place, with the schemas and source beside the outputs as in the package)
    shutil.copytree(root / "schema", folder / "schema", dirs_exist_ok=True)
    source = folder / document_meta["source"]["path"]
    source.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / document_meta["source"]["path"], source)
    validate(folder, schemas)
    return row_counts


def run(root: Path = ROOT, check: bool = False) -> int:
    """Build (or, with ``check``, compare with the committed outputs). Returns the exit code."""
    with tempfile.TemporaryDirectory(prefix=".build-tmp-", dir=root if not check else None) as tmp:
        folder = Path(tmp)
        try:
            row_counts = build_into(root, folder)
        except BuildError as error:
            print(f"error: {error.one_line()}", file=sys.stderr)
            print("build failed; the outputs were left untouched", file=sys.stderr)
            return 2
        new = outputs(folder)
        if check:
            old = outputs(root)
            differing = sorted(rel for rel in set(new) | set(old)
                               if not (root / rel).is_file() or not (folder / rel).is_file()
                               or (root / rel).read_bytes() != (folder / rel).read_bytes())
            if differing:
                print("outputs differ from a fresh build (run python scripts/build.py):")
                for rel in differing:
                    print(f"  {rel}")
                return 1
            print(f"ok: {len(new)} outputs equal a fresh build")
            return 0
        for rel in outputs(root):
            if rel not in new:
                (root / rel).unlink()
        for rel in new:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(folder / rel, root / rel)
    total = sum(row_counts.values())
    print(f"built {len(row_counts)} tables, {total} rows: "
          + ", ".join(f"{name} {n}" for name, n in row_counts.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="rebuild in a temporary folder; exit 1 listing outputs that differ")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="project folder (default: the one holding this script)")
    args = parser.parse_args(argv)
    return run(args.root.resolve(), check=args.check)


if __name__ == "__main__":
    sys.exit(main())
