"""Command line: python -m rfi_umarov_2022 {info,validate,export}."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import rfi_umarov_2022 as ds

EPILOG = """examples:
  python -m rfi_umarov_2022 info                      what the tables hold
  python -m rfi_umarov_2022 validate                  check the installed files
  python -m rfi_umarov_2022 export --format csv out/  every table as CSV, with a descriptor

In Python: import rfi_umarov_2022 as ds; ds.load("claims")
"""
FORMATS = {"csv": ("csv", "text/csv"), "jsonl": ("jsonl", "application/jsonl")}


def info(_: argparse.Namespace) -> int:
    """Tables, row counts and descriptions."""
    import pyarrow.parquet as pq

    package = json.loads(ds.datapackage_path().read_text(encoding="utf-8"))
    print(f"{package['title']}\nversion {package['version']}\n")
    root = ds.datapackage_path().parent
    width = max(len(r["name"]) for r in package["resources"])
    for resource in package["resources"]:
        rows = pq.read_metadata(root / resource["path"]).num_rows
        print(f"{resource['name']:<{width}}  {rows:>5} rows  {resource['description']}")
    print("\nLoad one with rfi_umarov_2022.load(name); field reference: docs/tables.md")
    return 0


def validate(_: argparse.Namespace) -> int:
    """sha256 of every file; then frictionless (keys, foreign keys, constraints) if installed."""
    try:
        ds.verify()
    except ds.DataIntegrityError as error:
        print(f"invalid: {error}", file=sys.stderr)
        print("reinstall the package (pip install --force-reinstall rfi-umarov-2022)",
              file=sys.stderr)
        return 1
    print(f"ok: every file matches its sha256 in {ds.datapackage_path()}")
    try:
        import frictionless
    except ImportError:
        print("frictionless is not installed, so keys and constraints were not re-checked; "
              "pip install 'rfi-umarov-2022[validate]' to add it")
        return 0
    report = frictionless.validate(str(ds.datapackage_path()))
    if not report.valid:
        for error in report.flatten(["type", "note"])[:10]:
            print(f"invalid: {error[0]}: {error[1]}", file=sys.stderr)
        return 1
    print("ok: frictionless validates the descriptor (keys, foreign keys, constraints)")
    return 0


def export(args: argparse.Namespace) -> int:
    """Every table as CSV or JSON Lines, with a descriptor rewritten to match."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    target: Path = args.directory
    if target.exists() and any(target.iterdir()):
        print(f"error: {target} is not empty; give a new or empty folder", file=sys.stderr)
        return 2
    target.mkdir(parents=True, exist_ok=True)
    extension, mediatype = FORMATS[args.format]
    root = ds.datapackage_path().parent
    package = json.loads(ds.datapackage_path().read_text(encoding="utf-8"))
    for resource in package["resources"]:
        table = pq.read_table(root / resource["path"])
        path = target / f"{resource['name']}.{extension}"
        if args.format == "csv":
            pacsv.write_csv(table, path)
        else:
            with path.open("w", encoding="utf-8") as handle:
                for row in table.to_pylist():
                    handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        schema_path = root / resource["schema"]
        resource["schema"] = json.loads(schema_path.read_text(encoding="utf-8"))
        resource["path"] = path.name
        resource["format"] = extension
        resource["mediatype"] = mediatype
        resource["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    for source in ds._local_sources(package):
        shutil.copyfile(root / source["path"], target / Path(source["path"]).name)
        source["path"] = Path(source["path"]).name
    (target / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(package['resources'])} tables as {args.format} and datapackage.json "
          f"to {target}")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m rfi_umarov_2022",
        description="The annotated RFI interview with Temur Umarov (14 September 2022): "
                    "utterances, sentences, actors, mentions, dates, claims and notes.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    main.add_argument("--version", action="version", version=ds.__version__)
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("info", help="list the tables with row counts and descriptions"
                        ).set_defaults(run=info)
    commands.add_parser("validate", help="check every file's sha256, then keys and constraints "
                        "with frictionless if installed").set_defaults(run=validate)
    exporter = commands.add_parser("export", help="write every table as CSV or JSON Lines, "
                                   "with a matching datapackage.json")
    exporter.add_argument("--format", choices=sorted(FORMATS), default="csv",
                          help="file format (default: csv)")
    exporter.add_argument("directory", type=Path, help="new or empty folder to write into")
    exporter.set_defaults(run=export)
    return main


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if not hasattr(arguments, "run"):
        parser().print_help()
        return 0
    return arguments.run(arguments)


if __name__ == "__main__":
    sys.exit(main())
