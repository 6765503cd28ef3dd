"""Exporters: the tables in the formats other tools read, behind one design.

Every format is a :class:`Format` in :data:`FORMATS`: a writer (one module per format), whether
it exports the annotated text as a whole or table by table, and the libraries it needs.
:func:`export` does the common steps around it: resolve the tables (each once), check and create
the target folder (only that folder, never missing parents), run the writer, copy the
transcript with ``LICENSE`` and ``PROVENANCE.md``, and return an :class:`ExportReport` whose
:meth:`~ExportReport.summary` is one line naming the tables carried and what was left out.

Heavy libraries (spaCy, ``datasets``) are imported inside the writer that needs them; a missing
one is an :class:`ExportError` that names what to install.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from rfi_umarov_2022 import loader
from rfi_umarov_2022.errors import ExportError, missing_library
from rfi_umarov_2022.exports.common import ExportReport, Writer


def _writer(module: str, function: str) -> Writer:
    """A writer imported on first use, so that listing the formats imports none of them."""

    def run(target: Path, tables: list[str], report: ExportReport) -> None:
        writer = getattr(importlib.import_module(f"rfi_umarov_2022.exports.{module}"), function)
        writer(target, tables, report)

    return run


@dataclass(frozen=True)
class Format:
    """One export target."""

    writer: Writer
    help: str
    requires: tuple[tuple[str, str], ...] = ()  # (module, distribution to pip install)
    copies_transcript: bool = True
    whole_dataset: bool = False  # exports the annotated text as a whole: --table does not apply


FORMATS: dict[str, Format] = {
    "csv": Format(_writer("tabular", "write_csv"), "CSV per table + datapackage.json"),
    "jsonl": Format(_writer("tabular", "write_jsonl"), "JSON Lines per table + datapackage.json"),
    "parquet": Format(_writer("tabular", "write_parquet"), "Parquet per table + datapackage.json"),
    "stata": Format(_writer("stata", "write_stata"), "Stata 118 .dta per table, labelled"),
    "hf": Format(_writer("hf", "write_hf"), "Hugging Face dataset folder (card + Parquet)",
                 requires=(("datasets", "datasets"), ("yaml", "pyyaml"))),
    "spacy": Format(_writer("spacy", "write_spacy"), "spaCy DocBin, one Doc per utterance",
                    requires=(("spacy", "spacy"),), whole_dataset=True),
    "brat": Format(_writer("brat", "write_brat"), "brat standoff (.txt/.ann/.conf)",
                   copies_transcript=False, whole_dataset=True),
    "webanno": Format(_writer("webanno", "write_webanno"), "W3C Web Annotation JSON-LD",
                      whole_dataset=True),
}


def _check_target(target: Path) -> None:
    if target.is_file() or (target.exists() and not target.is_dir()):
        raise ExportError(f"{target} is a file; give a new or empty folder", 2)
    if target.is_dir() and any(target.iterdir()):
        raise ExportError(f"{target} is not empty; give a new or empty folder", 2)
    if not target.exists() and not target.parent.is_dir():
        raise ExportError(f"{target.parent} does not exist; export creates only the folder it is given "
                          "(give a new or empty folder)", 2)


def _tables(fmt: str, spec: Format, tables: list[str] | None) -> list[str]:
    """The tables to export, each once, in the descriptor's order."""
    known = loader.list_tables()
    for name in tables or []:
        if name not in known:
            raise ExportError(f"unknown table {name!r}; the tables are: {', '.join(known)}", 2)
    if tables and spec.whole_dataset:
        raise ExportError(f"--table does not apply to {fmt}: it exports the annotated text as a whole", 2)
    return [name for name in known if not tables or name in tables]


def export(fmt: str, target: Path | str, tables: list[str] | None = None) -> ExportReport:
    """Export ``tables`` (default: all) as ``fmt`` into the new or empty folder ``target``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", 2)
    spec = FORMATS[fmt]
    target = Path(target)
    chosen = _tables(fmt, spec, tables)
    missing = [dist for module, dist in spec.requires if importlib.util.find_spec(module) is None]
    if missing:
        raise missing_library(" ".join(missing), f"--format {fmt}")
    _check_target(target)
    created = not target.exists()
    try:
        target.mkdir(exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot create {target}: {error.strerror or error}") from error
    report = ExportReport(fmt, target, chosen)
    try:
        spec.writer(target, chosen, report)
        from rfi_umarov_2022.exports.common import copy_shipped

        copy_shipped(target, report, spec.copies_transcript)
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return report


__all__ = ["FORMATS", "ExportError", "ExportReport", "Format", "export"]
