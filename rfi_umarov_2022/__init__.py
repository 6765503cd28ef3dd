"""Annotated RFI interview with Temur Umarov (2022-09-14) as typed, verified tables.

>>> import rfi_umarov_2022 as ds
>>> ds.list_tables()            # doctest: +SKIP
>>> claims = ds.load("claims")  # doctest: +SKIP

Importing this module is cheap: pandas and pyarrow are imported on the first read.
Every read checks the file against the sha256 that ``datapackage.json`` records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rfi_umarov_2022.descriptor import DESCRIPTOR, data_root
from rfi_umarov_2022.errors import DataIntegrityError
from rfi_umarov_2022.loader import (
    fields,
    list_tables,
    load,
    load_all,
    load_table,
    source_text,
    verify,
)

__version__ = "0.4.0"

__all__ = [
    "DataIntegrityError",
    "__version__",
    "check_predictions",
    "datapackage_path",
    "diff",
    "docs_path",
    "duckdb",
    "fields",
    "list_tables",
    "load",
    "load_all",
    "load_table",
    "polars",
    "score",
    "source_text",
    "to_spacy",
    "verify",
]


def datapackage_path() -> Path:
    """Path of the Frictionless descriptor (``datapackage.json``) that describes every table."""
    return data_root() / DESCRIPTOR


def docs_path() -> Path:
    """Folder holding the codebook, the table reference, the datasheet and the reader page."""
    return data_root() / "docs"


def duckdb(connection: Any = None) -> Any:
    """A DuckDB connection with a view per table, ordinal scales as ENUMs in codebook order
    (needs duckdb; see rfi_umarov_2022.engines)."""
    from rfi_umarov_2022.engines import duckdb as connect

    return connect(connection)


def polars(name: str) -> Any:
    """One table as a Polars DataFrame with categories as ``pl.Enum`` in codebook order (needs
    polars; see rfi_umarov_2022.engines)."""
    from rfi_umarov_2022.engines import polars as frame

    return frame(name)


def to_spacy(nlp: Any = None) -> list[Any]:
    """The annotations as spaCy Docs, one per utterance (needs spaCy; see rfi_umarov_2022.nlp)."""
    from rfi_umarov_2022.nlp import to_spacy as convert

    return convert(nlp)


def score(predictions: Any, layer: str, **options: Any) -> Any:
    """Score a system's predictions for one layer against the dataset: a tidy DataFrame of
    metrics with bootstrap intervals (see rfi_umarov_2022.scoring)."""
    from rfi_umarov_2022.scoring import score as run

    return run(predictions, layer, **options)


def check_predictions(predictions: Any, layer: str, **options: Any) -> dict[str, Any]:
    """Check predictions for one layer before scoring: one-line PredictionError at the first
    problem (see rfi_umarov_2022.scoring)."""
    from rfi_umarov_2022.scoring import check_predictions as run

    return run(predictions, layer, **options)


def diff(old: Any, new: Any = None) -> Any:
    """What changed from the build in ``old`` to ``new`` (default: this install), table by table:
    a DataFrame of table, change, key, field, old, new (see rfi_umarov_2022.releases)."""
    from rfi_umarov_2022.releases import diff as run

    return run(old, new)
