"""Build the dataset: curated annotations + transcript -> checked Parquet, descriptor, docs.

    python -m rfi_umarov_2022_build           # build, check, then replace the outputs
    python -m rfi_umarov_2022_build --check   # rebuild aside; compare, and validate with frictionless

Steps of ``run``: load (schemas, curated files), build every table, enforce each against its
Table Schema (types and every constraint, with errors pointing at the curated file and line),
write Parquet, descriptor and docs into a temporary folder, check them there (sha256, stored
Arrow types), and only then swap them in (see ``swap``). Any error prints one line naming file,
record and field, exits 2, and leaves the previous outputs complete.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rfi_umarov_2022_build import citation, docs
from rfi_umarov_2022_build.actors import build_actors
from rfi_umarov_2022_build.anchors import check_anchored
from rfi_umarov_2022_build.claims import build_claims
from rfi_umarov_2022_build.croissant import croissant
from rfi_umarov_2022_build.curated import BuildError, Curated, Row, read_text
from rfi_umarov_2022_build.dates import build_dates
from rfi_umarov_2022_build.events import build_events
from rfi_umarov_2022_build.layers import build_table
from rfi_umarov_2022_build.reader import render as render_reader
from rfi_umarov_2022_build.rules import check_rules
from rfi_umarov_2022_build.schemas import (
    TableSchema,
    check_foreign_keys,
    enforce,
    load_schemas,
    stored_schema_problem,
    write_parquet,
)
from rfi_umarov_2022_build.spine import Spine, build_spine, sha256_file
from rfi_umarov_2022_build.swap import JOURNAL, Swap, digest, recover

PACKAGE_FILE = "dataset/annotations/package.yaml"
DATA_DIR = "dataset"
DESCRIPTOR = "datapackage.json"
CROISSANT = "croissant.json"
READER = "docs/reader.html"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
TMP_PREFIX = "rfi-umarov-2022-build-"


def package_version(root: Path, meta: Curated) -> str:
    """The one version number, read from the file package.yaml names."""
    relpath = meta.data["version_file"]
    match = re.search(r'^__version__ = "([^"]+)"$', read_text(root, relpath, "version file"),
                      re.MULTILINE)
    if match is None:
        raise BuildError(relpath, None, "__version__", 'no line __version__ = "X.Y.Z"')
    return match.group(1)


def build_tables(root: Path, schemas: dict[str, TableSchema]) -> tuple[dict[str, list[Row]], Spine]:
    """Every table as rows (each row knows its origin), and the spine (text and its path).

    The spine, actors, dates, claims and events have builders of their own; every other table is read
    from its annotation file by the generic builder (``layers``).
    """
    spine, tables = build_spine(root)
    tables.update(build_actors(root, spine, schemas))
    tables.update(build_dates(root, spine))
    tables.update(build_claims(root, spine, schemas))
    if "events" in schemas:
        tables.update(build_events(root, spine, schemas))
    unknown = sorted(set(tables) - set(schemas))
    if unknown:
        raise BuildError(f"schema/{unknown[0]}.json", None, None, "no Table Schema for this table")
    for name in schemas:
        if name not in tables:
            tables[name] = build_table(root, spine, schemas[name])
    return tables, spine


def descriptor(root: Path, meta: Curated, schemas: dict[str, TableSchema],
               hashes: dict[str, str], source_relpath: str) -> dict[str, Any]:
    """The Frictionless v2 descriptor, with each resource's schema inline."""
    data = meta.data
    source = {"title": data["source_title"], "path": source_relpath,
              "hash": f"sha256:{sha256_file(root / source_relpath)}"}
    package: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": data["name"],
        "title": data["title"],
        "description": data["description"],
        "version": package_version(root, meta),
    }
    for key in ("homepage", "keywords"):
        if data.get(key):
            package[key] = data[key]
    package["docs"] = dict(data["docs"])
    package.update({
        "licenses": [{k: v for k, v in lic.items() if k in ("name", "path", "title")}
                     for lic in data["licenses"]],
        "sources": [source, *data["sources"]],
        "contributors": data["contributors"],
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
            "schema": schema.published(),
        })
    return package


def check_written(folder: Path, schemas: dict[str, TableSchema]) -> None:
    """What the build checks of its own outputs: sha256 and stored Arrow types."""
    package = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    for resource in package["resources"]:
        path = folder / resource["path"]
        if f"sha256:{sha256_file(path)}" != resource["hash"]:
            raise BuildError(resource["path"], None, None, "sha256 differs from the descriptor")
        problem = stored_schema_problem(path, schemas[resource["name"]])
        if problem:
            raise BuildError(resource["path"], None, None, f"stored Arrow schema: {problem}")


def frictionless_problem(folder: Path) -> str | None:
    """Stock frictionless on the descriptor (keys, foreign keys, constraints): slow, the reference."""
    try:
        import frictionless
    except ImportError:
        raise BuildError(DESCRIPTOR, None, None, "validating needs stock frictionless, which is not "
                         "installed: pip install -c constraints.txt -e '.[validate]' (or skip it "
                         "with --no-validate)") from None

    report = frictionless.validate(str(folder / DESCRIPTOR))
    if report.valid:
        return None
    errors = report.flatten(["type", "note"])
    first = errors[0] if errors else ["?", "invalid descriptor"]
    return f"frictionless: {len(errors)} error(s), first: {first[0]}: {first[1]}"


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_into(root: Path, folder: Path) -> dict[str, int]:
    """Load, build, enforce and write every output into ``folder``; check it there."""
    # load
    schemas = load_schemas(root)
    meta = Curated(root, PACKAGE_FILE)
    # build
    rows, spine = build_tables(root, schemas)
    # enforce
    tables = {name: enforce(schema, rows[name]) for name, schema in schemas.items()}
    check_foreign_keys(schemas, rows)
    check_anchored(schemas, rows, spine)
    check_rules(schemas, rows)
    # write
    (folder / DATA_DIR).mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, table in tables.items():
        path = folder / DATA_DIR / f"{name}.parquet"
        write_parquet(table, path)
        hashes[name] = sha256_file(path)
    package = descriptor(root, meta, schemas, hashes, spine.source_path)
    package = {"$schema": package.pop("$schema"), "id": citation.content_id(package), **package}
    write_json(folder / DESCRIPTOR, package)
    write_json(folder / CROISSANT, croissant(package, schemas, meta.data))
    write_text(folder / citation.CITATION_FILE,
               citation.citation_cff(meta.data, package["version"], PACKAGE_FILE, package["id"]))
    row_counts = {name: table.num_rows for name, table in tables.items()}
    write_text(folder / docs.TABLE_DOCS, docs.table_reference(root, schemas, row_counts))
    write_text(folder / docs.DATASHEET, docs.datasheet(root, schemas, row_counts))
    records = {name: table.to_pylist() for name, table in tables.items()}
    published = {resource["name"]: resource["schema"] for resource in package["resources"]}
    write_text(folder / READER, render_reader(spine.text, records, published,
                                              str(records["documents"][0]["title"])))
    readme = docs.readme(root, schemas, row_counts)
    if readme is not None:
        write_text(folder / docs.README, readme)
    # check
    check_written(folder, schemas)
    return row_counts


def outputs(folder: Path) -> list[str]:
    """Relative paths of everything a build wrote into ``folder``."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


OUTPUT_FILES = {DESCRIPTOR, CROISSANT, citation.CITATION_FILE, docs.TABLE_DOCS, docs.DATASHEET,
                READER, docs.README}
TABLE_FILE = re.compile(rf"^{DATA_DIR}/[a-z][a-z0-9_]*\.parquet$")


def is_output(rel: str) -> bool:
    """Is ``rel`` a path the build writes? The only paths it may replace or remove."""
    return rel in OUTPUT_FILES or TABLE_FILE.fullmatch(rel) is not None


def previous_outputs(root: Path) -> dict[str, str]:
    """Data files the previous build wrote, with the sha256 it recorded: the only files it may
    remove. A descriptor that names anything else is refused before any file is touched."""
    path = root / DESCRIPTOR
    if not path.is_file():
        return {}
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
        resources = [(r.get("name"), r.get("path"), r.get("hash")) for r in package["resources"]]
    except (OSError, ValueError, RecursionError, KeyError, TypeError, AttributeError):
        return {}  # unreadable: nothing it names is removed; the new descriptor replaces it
    found = {}
    for name, rel, recorded in resources:
        if not (isinstance(rel, str) and is_output(rel) and rel.startswith(f"{DATA_DIR}/")):
            raise BuildError(DESCRIPTOR, str(name), "path",
                             f"{rel!r} is not a data file the build writes ({DATA_DIR}/<table>.parquet): "
                             "the descriptor was edited; restore it from version control")
        found[rel] = str(recorded).removeprefix("sha256:")
    return found


def _compare(root: Path, folder: Path) -> list[str]:
    new = outputs(folder)
    old = {p.relative_to(root).as_posix() for p in (root / DATA_DIR).glob("*.parquet")}
    return sorted(rel for rel in set(new) | old
                  if not (root / rel).is_file() or not (folder / rel).is_file()
                  or (root / rel).read_bytes() != (folder / rel).read_bytes())


def _strays(root: Path, new: list[str], previous: dict[str, str]) -> list[str]:
    """Parquet files in the data folder that neither this build nor the previous one wrote."""
    ours = set(new) | set(previous)
    return sorted(p.relative_to(root).as_posix() for p in (root / DATA_DIR).glob("*.parquet")
                  if p.relative_to(root).as_posix() not in ours)


def _retired(root: Path, new: list[str], previous: dict[str, str]) -> list[str]:
    """Previous data files this build no longer writes; each must still be what was recorded."""
    retired = []
    for rel in sorted(set(previous) - set(new)):
        current = digest(root / rel)
        if current is None:
            continue
        if current != previous[rel]:
            raise BuildError(rel, None, None, "is no longer an output, but it differs from what the "
                             "previous build wrote, and the build never deletes a file it did not "
                             "write: move it out of the data folder")
        retired.append(rel)
    return retired


@contextlib.contextmanager
def lock(root: Path, shared: bool = False) -> Iterator[None]:
    """One build at a time in a project (a --check may run beside another --check)."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform
        yield
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(str(root), None, None, "another build is running in this project; "
                             "wait for it to finish, then build again") from None
        yield
    finally:
        os.close(fd)


def run(root: Path, check: bool = False, validate: bool | None = None) -> int:
    """Build (or, with ``check``, compare with the outputs in place). Returns the exit code.

    ``validate`` runs stock frictionless on the fresh outputs (default: with ``check`` only).
    """
    validate = check if validate is None else validate
    try:
        if not (root / PACKAGE_FILE).is_file():
            raise BuildError(PACKAGE_FILE, None, None, f"not found under {root}: is --root a "
                             "project folder?")
        with lock(root, shared=check), tempfile.TemporaryDirectory(prefix=TMP_PREFIX) as tmp:
            if not check:
                recover(root, is_output)
            folder = Path(tmp)
            row_counts = build_into(root, folder)
            if validate:
                problem = frictionless_problem_with_sources(root, folder)
                if problem:
                    raise BuildError(DESCRIPTOR, None, None, problem)
            new = outputs(folder)
            if check:
                return _report_check(root, folder, new)
            previous = previous_outputs(root)
            strays = _strays(root, new, previous)
            if strays:
                raise BuildError(strays[0], None, None, "this file is not an output of the build "
                                 "and would make verify() fail; move it out of the data folder")
            Swap(root, folder, new, _retired(root, new, previous)).run()
    except BuildError as error:
        print(f"error: {error.one_line()}", file=sys.stderr)
        if check:
            print("check failed; nothing was written", file=sys.stderr)
        else:
            complete = not (root / JOURNAL).exists()
            print("build failed; " + ("the previous outputs were left complete" if complete else
                                      "see the error: the previous outputs are not complete"),
                  file=sys.stderr)
        return 2
    except OSError as error:
        where = error.filename or root
        print(f"error: {where}: cannot write: {error.strerror}", file=sys.stderr)
        print("build failed; the previous outputs were left complete", file=sys.stderr)
        return 2
    total = sum(row_counts.values())
    print(f"built {len(row_counts)} tables, {total} rows: "
          + ", ".join(f"{name} {n}" for name, n in row_counts.items()))
    return 0


def frictionless_problem_with_sources(root: Path, folder: Path) -> str | None:
    """Run frictionless in ``folder`` with the source text beside the outputs, as published."""
    package = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    copied = []
    for source in package.get("sources", []):
        path = source.get("path", "")
        if "://" not in path and not (folder / path).exists():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / path, folder / path)
            copied.append(folder / path)
    try:
        return frictionless_problem(folder)
    finally:
        for path in copied:
            with contextlib.suppress(OSError):
                path.unlink()


def _report_check(root: Path, folder: Path, new: list[str]) -> int:
    differing = _compare(root, folder)
    if differing:
        print("outputs differ from a fresh build (run python -m rfi_umarov_2022_build):")
        for rel in differing:
            print(f"  {rel}")
        return 1
    print(f"ok: {len(new)} outputs equal a fresh build")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rfi_umarov_2022_build",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="rebuild in a temporary folder, validate it with frictionless, and "
                             "exit 1 listing outputs that differ from those in place")
    parser.add_argument("--validate", action=argparse.BooleanOptionalAction, default=None,
                        help="also run stock frictionless on the new outputs (default: with --check)")
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="project folder (default: the current folder)")
    args = parser.parse_args(argv)
    return run(args.root.resolve(), check=args.check, validate=args.validate)
