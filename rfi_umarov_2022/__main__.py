"""Command line: python -m rfi_umarov_2022 {info,validate,export,docs,view}.

Every failure is one line on stderr and a non-zero exit, never a traceback; ``--traceback`` (or
the environment variable RFI_UMAROV_2022_TRACEBACK=1) shows the traceback of an unexpected error
for a bug report.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import rfi_umarov_2022 as ds
from rfi_umarov_2022.errors import DataIntegrityError, ExportError

EPILOG = """examples:
  python -m rfi_umarov_2022 info                      what the tables hold
  python -m rfi_umarov_2022 validate                  check the installed files
  python -m rfi_umarov_2022 export --format csv out/  every table as CSV, with a descriptor
  python -m rfi_umarov_2022 docs codebook             print the codebook (or: tables, datasheet)
  python -m rfi_umarov_2022 view                      open the annotated reader page
  python -m rfi_umarov_2022 score --layer claims p/   score a system's claims (files in p/)
  python -m rfi_umarov_2022 diff old-build/ --summary what changed since an older release

In Python: import rfi_umarov_2022 as ds; ds.load("claims")
"""
TRACEBACK_ENV = "RFI_UMAROV_2022_TRACEBACK"


def shipped_docs() -> dict[str, Path]:
    """The documents the descriptor lists (name -> installed path); the wheel ships these."""
    from rfi_umarov_2022 import descriptor as dp

    return {name: dp.data_root() / dp.relative_path(rel, f"document {name!r}")
            for name, rel in dp.descriptor().get("docs", {}).items()}


def info(_: argparse.Namespace) -> int:
    """Tables, row counts and descriptions."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rfi_umarov_2022 import descriptor as dp

    package = dp.descriptor()
    print(f"{package.get('title', package.get('name', ''))}\nversion {package.get('version', '?')}"
          f", data id {package.get('id', '?')}\n")
    width = max(len(name) for name in dp.resources())
    for name, resource in dp.resources().items():
        try:
            data = dp.read_verified(resource["path"], resource["hash"], name)
            n = pq.read_metadata(pa.BufferReader(data)).num_rows
            rows = f"{n:>5} {'row' if n == 1 else 'rows'}"
        except DataIntegrityError as error:
            rows = "missing" if "missing:" in str(error) else "invalid"
        print(f"{name:<{width}}  {rows:>10}  {resource.get('description', '')}")
    print(f"\nLoad one with rfi_umarov_2022.load(name); field reference: {shipped_docs()['tables']}")
    return 0


def validate(_: argparse.Namespace) -> int:
    """sha256 and schema of every file; then frictionless (keys, foreign keys, constraints)."""
    try:
        summary = ds.verify()
    except DataIntegrityError as error:
        print(f"invalid: {error}", file=sys.stderr)
        print("reinstall the package from the wheel or clone you installed it from "
              "(pip install --force-reinstall WHEEL_OR_FOLDER)", file=sys.stderr)
        return 1
    print(summary)
    try:
        import frictionless
    except ImportError:
        print("frictionless is not installed, so keys and constraints were not re-checked; "
              "to re-check them: pip install 'frictionless[json]'")
        return 0
    report = frictionless.validate(str(ds.datapackage_path()))
    if not report.valid:
        for error in report.flatten(["type", "note"])[:10]:
            print(f"invalid: {error[0]}: {error[1]}", file=sys.stderr)
        return 1
    print("ok: frictionless validates the descriptor (keys, foreign keys, constraints)")
    return 0


def export(args: argparse.Namespace) -> int:
    """Write the tables for another tool (see rfi_umarov_2022.exports)."""
    from rfi_umarov_2022 import exports

    report = exports.export(args.format, args.directory, args.table or None)
    print(report.summary())
    return 0


def docs(args: argparse.Namespace) -> int:
    """Where the documentation is, or one document printed."""
    documents = shipped_docs()
    if args.name is None:
        for name, path in documents.items():
            print(f"{name:<10} {path}")
        return 0
    if args.name not in documents:
        print(f"error: no document {args.name!r}; the documents are: {', '.join(documents)}",
              file=sys.stderr)
        return 2
    path = documents[args.name]
    if not path.is_file():
        print(f"error: {path} is missing from this install", file=sys.stderr)
        return 1
    sys.stdout.write(path.read_text(encoding="utf-8"))
    return 0


def view(args: argparse.Namespace) -> int:
    """Open the annotated reader page in the default browser, or write it to a file."""
    import shutil
    import webbrowser

    page = shipped_docs()["reader"]
    if not page.is_file():
        print(f"error: {page} is missing from this install", file=sys.stderr)
        return 1
    if args.out is not None:
        out = Path(args.out)
        if args.out.endswith(("/", os.sep)) and not out.exists():
            out.mkdir(parents=True)  # a folder, as export makes one
        out = out / page.name if out.is_dir() else out
        if out.exists():
            print(f"error: {out} exists; give a new file name", file=sys.stderr)
            return 2
        if not out.parent.is_dir():
            print(f"error: {out.parent} is not a folder; give a file in an existing folder",
                  file=sys.stderr)
            return 2
        try:
            shutil.copyfile(page, out)
        except OSError as error:
            print(f"error: cannot write {out}: {error.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {out}")
        return 0
    if not webbrowser.open(page.as_uri()):
        print(f"no browser could be started; open {page.as_uri()}")
    return 0


def score(arguments: argparse.Namespace) -> int:
    """Check and score predictions; a table (or JSON records) on stdout."""
    import json

    from rfi_umarov_2022.errors import PredictionError
    from rfi_umarov_2022.scoring import score as run

    try:
        result = run(arguments.predictions, arguments.layer, seed=arguments.seed, reps=arguments.reps)
    except PredictionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if result.attrs.get("not_scored"):
        print("note: not scored (absent from the predictions): " + ", ".join(result.attrs["not_scored"]),
              file=sys.stderr)
    if arguments.json:
        records = json.loads(result.to_json(orient="records"))
        print(json.dumps(records, indent=1, ensure_ascii=False))
        return 0
    width = max(len(m) for m in result.metric)
    print(f"{'metric':<{width}}  value  95% interval      n   (dataset {result.version.iloc[0]})")
    for row in result.itertuples():
        value = "  n/a" if row.value != row.value else f"{row.value:.3f}"
        interval = "" if row.ci_low != row.ci_low else f"[{row.ci_low:.3f}, {row.ci_high:.3f}]"
        print(f"{row.metric:<{width}}  {value}  {interval:<16}  {row.n}")
    return 0


def diff(arguments: argparse.Namespace) -> int:
    """Changes between two releases: counts per table, then every change (or JSON records)."""
    import json

    from rfi_umarov_2022 import releases

    old, new = releases.release(arguments.old), releases.release(arguments.new)
    changes = releases.compare(old, new)
    if arguments.json:
        print(json.dumps(changes, indent=1, ensure_ascii=False, default=str))
        return 0
    print(f"{old.version} ({old.root}) -> {new.version} ({new.root}): {len(changes)} changes")
    for table, counts in releases.summary(changes):
        print(f"  {table}: " + ", ".join(f"{change}: {n}" for change, n in counts.items()))
    if not arguments.summary:
        for c in changes:
            where = "/".join(str(x) for x in (c["key"], c["field"]) if x is not None)
            values = "" if c["old"] is None and c["new"] is None else f": {c['old']!r} -> {c['new']!r}"
            print(f"{c['table']}\t{c['change']}\t{where}{values}")
    return 0


def _doc_names() -> str:
    """The documents the descriptor lists (for the help); help works without them."""
    try:
        return ", ".join(shipped_docs())
    except (DataIntegrityError, KeyError, TypeError, AttributeError):
        return "see the list this command prints"


def _layers() -> str:
    """The layers a system can be scored on, from the descriptor's schemas (for the help)."""
    from rfi_umarov_2022 import descriptor as dp
    from rfi_umarov_2022 import registry

    try:
        schemas = {r["name"]: r["schema"] for r in dp.descriptor()["resources"]}
        return ", ".join(span.name for span in registry.layers(schemas))
    except (DataIntegrityError, KeyError, TypeError):
        return "see rfi_umarov_2022.scoring.layers()"


def _description() -> str:
    """The descriptor's title and its tables; help still works if the descriptor does not."""
    from rfi_umarov_2022 import descriptor as dp

    try:
        package = dp.descriptor()
        tables = ", ".join(r["name"] for r in package["resources"])
        return f"{package['title']}. Tables: {tables}."
    except (DataIntegrityError, KeyError, TypeError):
        return "The annotated interview (its descriptor could not be read: run validate)."


def parser() -> argparse.ArgumentParser:
    from rfi_umarov_2022.exports import FORMATS
    from rfi_umarov_2022.scoring.stats import REPS, SEED

    main = argparse.ArgumentParser(
        prog="python -m rfi_umarov_2022",
        description=_description(),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    main.add_argument("--version", action="version", version=ds.__version__)
    main.add_argument("--traceback", action="store_true",
                      help=f"show the traceback of an unexpected error (or set {TRACEBACK_ENV}=1)")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, run, summary: str, description: str):
        sub = commands.add_parser(name, help=summary, description=description)
        sub.set_defaults(run=run)
        return sub

    command("info", info, "list the tables with row counts and descriptions",
            "List every table with its row count and description, read from the installed "
            "descriptor and checked against its sha256.")
    command("validate", validate, "check every file's sha256, then keys and constraints "
            "with frictionless if installed",
            "Check every data file's sha256 and stored schema against datapackage.json (the same "
            "check as rfi_umarov_2022.verify()), then, if frictionless is installed, every key, "
            "foreign key and constraint.")
    exporter = command(
        "export", export, "write the tables for another tool: " + ", ".join(FORMATS),
        "Write the tables into a new or empty folder for another tool. Formats: "
        + "; ".join(f"{k}: {v.help}" for k, v in FORMATS.items())
        + ". The summary line names every table carried and everything left out.")
    exporter.add_argument("--format", choices=list(FORMATS), default="csv",
                          help="target format (default: csv)")
    exporter.add_argument("--table", action="append", metavar="NAME",
                          help="export only this table (repeatable; tabular formats, stata and hf)")
    exporter.add_argument("directory", type=Path, help="new or empty folder to write into")
    documents = command("docs", docs, "list the documentation files, or print one",
                        "Print where the codebook, table reference, datasheet and reader page are "
                        "installed, or print one of them.")
    documents.add_argument("name", nargs="?", help="document to print: " + _doc_names()
                           + " (without a name, the command lists them)")
    scorer = command(
        "score", score, "score a system's predictions for one layer against the dataset",
        "Check predictions for one layer, then score them against the dataset: span precision, "
        "recall and F1 (exact and overlap), accuracy, macro-F1 and Krippendorff's alpha per field, "
        "link F1, with 95% bootstrap intervals over the text's sentences (seeded). What each "
        "metric means: rfi_umarov_2022.scoring.METRICS; what a system receives and produces per "
        "layer: the project README, section 'Use it as a test set'. Fields and link tables the "
        "predictions leave out are named on stderr and not scored.")
    scorer.add_argument("--layer", required=True, help="the table scored: " + _layers())
    scorer.add_argument("--json", action="store_true", help="print the tidy result as JSON records")
    scorer.add_argument("--reps", type=int, default=REPS, help=f"bootstrap resamples (default {REPS}; "
                        "0: no intervals)")
    scorer.add_argument("--seed", type=int, default=SEED, help=f"bootstrap seed (default {SEED})")
    scorer.add_argument("predictions", type=Path, help="a CSV, JSON Lines or Parquet file of the "
                        "layer, or a folder of <table>.csv|jsonl|parquet files with its link tables")
    differ = command(
        "diff", diff, "what changed between two releases, table by table",
        "Compare two builds of the dataset (folders holding datapackage.json: a built clone of "
        "a release); without NEW, compare with the installed package. Lists tables and fields "
        "added, removed or retyped, and rows added, removed or changed (by primary key), with "
        "each changed value.")
    differ.add_argument("old", type=Path, help="the older build")
    differ.add_argument("new", type=Path, nargs="?", help="the newer build (default: installed)")
    differ.add_argument("--json", action="store_true", help="print every change as JSON records")
    differ.add_argument("--summary", action="store_true", help="print only the counts per table")
    viewer = command("view", view, "open the annotated reader page in a browser",
                     "Open the self-contained annotated reader page in the default browser, or "
                     "write a copy of it with --out.")
    viewer.add_argument("--out", help="write the page to this new file (or into this "
                        "folder, made if the name ends in /) instead")
    return main


def _run(arguments: argparse.Namespace) -> int:
    try:
        return arguments.run(arguments)
    except BrokenPipeError:
        raise
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except (DataIntegrityError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        if arguments.traceback or os.environ.get(TRACEBACK_ENV) == "1":
            raise
        print(f"error: unexpected {type(error).__name__}: {error} (run again with --traceback "
              "and report it)", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if not hasattr(arguments, "run"):
        parser().print_help()
        return 0
    try:
        code = _run(arguments)
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head` closed the pipe: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
