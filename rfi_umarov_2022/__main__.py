"""Command line: python -m rfi_umarov_2022 {info,validate,export,docs,view}."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import rfi_umarov_2022 as ds

EPILOG = """examples:
  python -m rfi_umarov_2022 info                      what the tables hold
  python -m rfi_umarov_2022 validate                  check the installed files
  python -m rfi_umarov_2022 export --format csv out/  every table as CSV, with a descriptor
  python -m rfi_umarov_2022 docs codebook             print the codebook (or: tables, datasheet)
  python -m rfi_umarov_2022 view                      open the annotated reader page

In Python: import rfi_umarov_2022 as ds; ds.load("claims")
"""


def info(_: argparse.Namespace) -> int:
    """Tables, row counts and descriptions."""
    import pyarrow.parquet as pq

    package = ds._descriptor()
    print(f"{package['title']}\nversion {package['version']}\n")
    root = ds.datapackage_path().parent
    width = max(len(r["name"]) for r in package["resources"])
    for resource in package["resources"]:
        try:
            rows = f"{pq.read_metadata(root / resource['path']).num_rows:>5} rows"
        except (OSError, ValueError):
            rows = "missing" if not (root / resource["path"]).is_file() else "unreadable"
        print(f"{resource['name']:<{width}}  {rows:>10}  {resource['description']}")
    print(f"\nLoad one with rfi_umarov_2022.load(name); field reference: {ds.docs_path() / 'tables.md'}")
    return 0


def validate(_: argparse.Namespace) -> int:
    """sha256 of every file; then frictionless (keys, foreign keys, constraints) if installed."""
    try:
        ds.verify()
    except ds.DataIntegrityError as error:
        print(f"invalid: {error}", file=sys.stderr)
        print("reinstall the package from the wheel or clone you installed it from "
              "(pip install --force-reinstall WHEEL_OR_FOLDER)", file=sys.stderr)
        return 1
    print(f"ok: every file matches its sha256 in {ds.datapackage_path()}")
    try:
        import frictionless
    except ImportError:
        print("frictionless is not installed, so keys and constraints were not re-checked; "
              "to re-check them: pip install frictionless")
        return 0
    report = frictionless.validate(str(ds.datapackage_path()))
    if not report.valid:
        for error in report.flatten(["type", "note"])[:10]:
            print(f"invalid: {error[0]}: {error[1]}", file=sys.stderr)
        return 1
    print("ok: frictionless validates the descriptor (keys, foreign keys, constraints)")
    return 0


def export(args: argparse.Namespace) -> int:
    """Delegate to rfi_umarov_2022.export; every failure is one line on stderr."""
    from rfi_umarov_2022 import export as exporter

    try:
        report = exporter.export(args.format, args.directory, args.table or None)
    except exporter.ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except (OSError, ds.DataIntegrityError) as error:
        print(f"error: export failed: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # one line, never a traceback
        print(f"error: export failed ({type(error).__name__}): {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


DOCS = {"codebook": "codebook.md", "tables": "tables.md", "datasheet": "datasheet.md",
        "reader": "reader.html"}


def docs(args: argparse.Namespace) -> int:
    """Where the documentation is, or one document printed."""
    folder = ds.docs_path()
    if args.name is None:
        for name, file in DOCS.items():
            print(f"{name:<10} {folder / file}")
        return 0
    path = folder / DOCS[args.name]
    if not path.is_file():
        print(f"error: {path} is missing from this install", file=sys.stderr)
        return 1
    sys.stdout.write(path.read_text(encoding="utf-8"))
    return 0


def view(args: argparse.Namespace) -> int:
    """Open the annotated reader page in the default browser, or write it to a file."""
    import shutil
    import webbrowser

    page = ds.docs_path() / DOCS["reader"]
    if not page.is_file():
        print(f"error: {page} is missing from this install", file=sys.stderr)
        return 1
    if args.out is not None:
        if args.out.exists():
            print(f"error: {args.out} exists; give a new file name", file=sys.stderr)
            return 2
        try:
            shutil.copyfile(page, args.out)
        except OSError as error:
            print(f"error: cannot write {args.out}: {error.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {args.out}")
        return 0
    if not webbrowser.open(page.as_uri()):
        print(f"no browser could be started; open {page.as_uri()}")
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
    from rfi_umarov_2022.export import FORMATS

    exporter = commands.add_parser(
        "export", help="write the tables for another tool: " + ", ".join(FORMATS),
        description="formats: " + "; ".join(f"{k}: {v.help}" for k, v in FORMATS.items()))
    exporter.add_argument("--format", choices=list(FORMATS), default="csv",
                          help="target format (default: csv)")
    exporter.add_argument("--table", action="append", metavar="NAME",
                          help="export only this table (repeatable; tabular formats and stata/hf)")
    exporter.add_argument("directory", type=Path, help="new or empty folder to write into")
    exporter.set_defaults(run=export)
    documents = commands.add_parser("docs", help="list the documentation files, or print one")
    documents.add_argument("name", nargs="?", choices=list(DOCS), help="document to print")
    documents.set_defaults(run=docs)
    viewer = commands.add_parser("view", help="open the annotated reader page in a browser")
    viewer.add_argument("--out", type=Path, help="write the page to this new file instead")
    viewer.set_defaults(run=view)
    return main


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if not hasattr(arguments, "run"):
        parser().print_help()
        return 0
    try:
        return arguments.run(arguments)
    except ds.DataIntegrityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
