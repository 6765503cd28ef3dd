"""Gold and predicted tables for the scorer: reading, typing by the Table Schemas, checking.

Predictions are a pandas DataFrame or a CSV, JSON Lines or Parquet file holding the layer's
table, or a folder (or a mapping of table name to either) holding ``<table>.csv|jsonl|parquet``
files: the layer, its link tables (``claim_actors`` for claims) and the span tables those point
into (``dates`` for ``claim_dates``). CSV cells are text and an empty cell is null, as in the
package's CSV export. Every problem is a PredictionError of one line: table, row, field.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022.errors import PredictionError

Row = dict[str, Any]
SUFFIXES = (".csv", ".jsonl", ".parquet")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Tables:
    """One reading: the transcript, the Table Schemas and the typed rows of some tables."""

    text: str
    schemas: dict[str, dict[str, Any]]
    rows: dict[str, list[Row]]
    version: str
    not_scored: list[str] | None = None


def gold(folder: str | Path | None = None, names: list[str] | None = None) -> Tables:
    """The installed, verified dataset; or the build in ``folder`` (``dataset/*.parquet`` and
    ``dataset/source/*.txt``, typed by the installed schemas: for an earlier build)."""
    from rfi_umarov_2022 import loader

    schemas = loader.schemas()
    wanted = names or list(schemas)
    if folder is None:
        rows = {name: loader.load_table(name).to_pylist() for name in wanted}
        return Tables(loader.source_text(), schemas, _typed(rows), _version())
    root = Path(folder)
    texts = sorted((root / "dataset" / "source").glob("*.txt"))
    if not texts:
        raise PredictionError(f"{root}: no dataset/source/*.txt, so not a build of this dataset")
    files = {name: root / "dataset" / f"{name}.parquet" for name in wanted}
    rows = {name: loader.read_parquet(path.read_bytes(), str(path)).to_pylist()  # no reader threads
            for name, path in files.items() if path.is_file()}
    version = "unknown"
    if (root / "datapackage.json").is_file():
        version = str(json.loads((root / "datapackage.json").read_text(encoding="utf-8")).get("version"))
    return Tables(texts[0].read_text(encoding="utf-8"), schemas, _typed(rows), version)


def _version() -> str:
    from rfi_umarov_2022 import descriptor

    return str(descriptor.descriptor().get("version"))


def _typed(rows: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """Dates as ISO text, so that gold and predictions compare alike."""
    return {name: [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
                   for row in table] for name, table in rows.items()}


def relevant(layer: str, schemas: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(link tables of ``layer``, span tables those point into): what predictions may add."""
    spans = {s.name for s in registry.span_tables(schemas)}
    links, targets = [], []
    for name, schema in schemas.items():
        columns = registry.column_links(name, schema)
        key = registry.primary_key(schema)
        sides = [columns[c][0] for c in key if c in columns]
        if name in spans or len(key) != 2 or len(sides) != 2 or layer not in sides:
            continue
        links.append(name)
        targets += [t for t in sides if t != layer and t in spans and t not in targets]
    return links, targets


def read(predictions: Any, layer: str, names: list[str],
         known: set[str]) -> dict[str, tuple[str, list[Row]]]:
    """table -> (where it came from, raw rows), for the tables in ``names`` that are given;
    ``known`` are all the dataset's tables (a folder may hold any of them, and nothing else)."""
    if isinstance(predictions, Mapping):
        items = {name: value for name, value in predictions.items() if name in names}
        if layer not in items:
            raise PredictionError(f"the predictions hold no table {layer!r} (given: "
                                  f"{', '.join(map(str, predictions)) or 'none'})")
        return {name: _one(value, name) for name, value in items.items()}
    if isinstance(predictions, (str, Path)) and Path(predictions).is_dir():
        folder = Path(predictions)
        for path in sorted(folder.iterdir()):
            if path.suffix in SUFFIXES and path.stem not in known:
                raise PredictionError(f"{path}: no table of this dataset is called {path.stem!r} "
                                      f"(the {layer} layer reads: {', '.join(names)})")
        found = {}
        for name in names:
            files = [path for suffix in SUFFIXES if (path := folder / f"{name}{suffix}").is_file()]
            if len(files) > 1:
                raise PredictionError(f"{folder}: {name} is given twice ({', '.join(f.name for f in files)})")
            if files:
                found[name] = _one(files[0], name)
        if layer not in found:
            raise PredictionError(f"{folder}: no {layer}.csv, {layer}.jsonl or {layer}.parquet")
        return found
    return {layer: _one(predictions, layer)}


def _one(value: Any, name: str) -> tuple[str, list[Row]]:
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return f"{name} (DataFrame)", [dict(zip(value.columns, row, strict=True))
                                       for row in value.itertuples(index=False, name=None)]
    path = Path(value)
    if not path.is_file():
        raise PredictionError(f"{path}: no such file")
    if path.suffix == ".csv":
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                rows = [{k: (v if v != "" else None) for k, v in row.items()} for row in reader]
                header = reader.fieldnames
        except (UnicodeDecodeError, csv.Error) as error:
            raise PredictionError(f"{path}: not a UTF-8 CSV file ({error})") from None
        if not header:
            raise PredictionError(f"{path}: empty, not even a header row")
        return str(path), rows
    if path.suffix == ".jsonl":
        rows = []
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise PredictionError(f"{path}: not a UTF-8 text file") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise PredictionError(f"{path}: line {number}: not JSON ({error.msg})") from None
            if not isinstance(row, dict):
                raise PredictionError(f"{path}: line {number}: not a JSON object")
            rows.append(row)
        return str(path), rows
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(pa.BufferReader(path.read_bytes()), pre_buffer=False)
            table = reader.read(use_threads=False)
        except Exception as error:  # a corrupt file raises ArrowInvalid, OSError, ...
            raise PredictionError(f"{path}: not a Parquet file ({type(error).__name__})") from None
        return str(path), _typed({name: table.to_pylist()})[name]
    raise PredictionError(f"{path}: not a .csv, .jsonl or .parquet file")


def missing(value: Any) -> bool:
    """None, NaN, pandas' NA and NaT."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


def cast(value: Any, kind: str) -> Any:
    """A cell as the Table Schema type says, or ValueError saying why it is not one."""
    if missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # a NumPy scalar
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"{value!r} is not an integer")
        if isinstance(value, str) and not re.fullmatch(r"-?\d+", value.strip()):
            raise ValueError(f"{value!r} is not an integer")
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{value!r} is not an integer")
        return int(value)
    if kind == "date":
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date().isoformat()
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, str) and DATE.fullmatch(value):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a day of the calendar") from None
            return value
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"true", "false"}:
            return str(value).lower() == "true"
        raise ValueError(f"{value!r} is not true or false")
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value
