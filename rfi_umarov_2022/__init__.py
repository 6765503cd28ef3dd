"""Annotated RFI interview with Temur Umarov (2022-09-14) as typed pandas tables.

>>> import rfi_umarov_2022 as ds
>>> ds.list_tables()            # doctest: +SKIP
>>> claims = ds.load("claims")  # doctest: +SKIP

Importing this module is cheap: pandas and pyarrow are imported on the first ``load``.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__version__ = "0.1.0"

__all__ = [
    "DataIntegrityError",
    "__version__",
    "datapackage_path",
    "list_tables",
    "load",
    "load_all",
    "source_text",
    "verify",
]


class DataIntegrityError(RuntimeError):
    """A data file is missing, extra, modified or unreadable."""


def _data_root() -> Path:
    """Folder holding ``datapackage.json``: inside the installed wheel, or the source checkout."""
    packaged = Path(__file__).resolve().parent / "data"
    if (packaged / "datapackage.json").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "datapackage.json").is_file():
        return checkout
    raise DataIntegrityError(
        "datapackage.json not found next to the package; in a checkout, run `python scripts/build.py`"
    )


def datapackage_path() -> Path:
    """Path of the Frictionless descriptor (``datapackage.json``) that describes every table."""
    return _data_root() / "datapackage.json"


@cache
def _descriptor() -> dict[str, Any]:
    return json.loads(datapackage_path().read_text(encoding="utf-8"))


def _resources() -> dict[str, dict[str, Any]]:
    return {resource["name"]: resource for resource in _descriptor()["resources"]}


def list_tables() -> list[str]:
    """Names of the tables, in the descriptor's order."""
    return list(_resources())


def _resource(name: str) -> dict[str, Any]:
    resources = _resources()
    if name not in resources:
        raise KeyError(f"unknown table {name!r}; the tables are: {', '.join(resources)}")
    return resources[name]


@cache
def _table_schema(name: str) -> dict[str, Any]:
    schema = _resource(name)["schema"]
    if isinstance(schema, str):
        return json.loads((_data_root() / schema).read_text(encoding="utf-8"))
    return schema


def load(name: str) -> pd.DataFrame:
    """Load one table as a DataFrame with the documented dtypes.

    Enum fields are ``Categorical`` (categories in schema order), integers ``Int64``, strings
    pandas' ``string`` dtype (missing = ``pd.NA``), dates ``datetime64[s]`` (missing = ``NaT``).
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = _data_root() / _resource(name)["path"]
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise DataIntegrityError(
            f"cannot read {path}: {error}. Run rfi_umarov_2022.verify() to check the data files"
        ) from error
    string = pd.StringDtype()
    mapping = {pa.string(): string, pa.large_string(): string, pa.int64(): pd.Int64Dtype(),
               pa.bool_(): pd.BooleanDtype()}
    frame = table.to_pandas(types_mapper=mapping.get, date_as_object=False)
    for field in _table_schema(name)["fields"]:
        column = field["name"]
        enum = field.get("constraints", {}).get("enum")
        if enum is not None:
            frame[column] = pd.Categorical(frame[column], categories=enum)
        elif field["type"] == "date":
            frame[column] = frame[column].astype("datetime64[s]")
    return frame


def load_all() -> dict[str, pd.DataFrame]:
    """Every table, keyed by name."""
    return {name: load(name) for name in list_tables()}


def _local_sources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """The descriptor's sources that are files shipped with the data (not web addresses)."""
    return [s for s in descriptor.get("sources", []) if "://" not in s.get("path", "://")]


def source_text() -> str:
    """The transcript exactly as annotated: every ``char_start``/``char_end`` indexes this string."""
    for source in _local_sources(_descriptor()):
        return (_data_root() / source["path"]).read_text(encoding="utf-8")
    raise DataIntegrityError("the descriptor names no source text")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify() -> None:
    """Check every data file against the descriptor's sha256; raise naming each file that differs.

    Missing, modified and extra Parquet files are all reported.
    """
    root = _data_root()
    descriptor = _descriptor()
    files = [(r["path"], r["hash"]) for r in descriptor["resources"]]
    files += [(s["path"], s["hash"]) for s in _local_sources(descriptor) if "hash" in s]
    problems = []
    for relpath, digest in files:
        path = root / relpath
        if not path.is_file():
            problems.append(f"missing: {relpath}")
        elif _sha256(path) != digest.removeprefix("sha256:"):
            problems.append(f"modified: {relpath} (sha256 differs from datapackage.json)")
    listed = {(root / relpath).resolve() for relpath, _ in files}
    data_dirs = {(root / resource["path"]).parent for resource in descriptor["resources"]}
    for folder in sorted(data_dirs):
        for path in sorted(folder.glob("*.parquet")):
            if path.resolve() not in listed:
                problems.append(f"extra: {path.relative_to(root)} (not in datapackage.json)")
    if problems:
        raise DataIntegrityError("data files do not match datapackage.json: " + "; ".join(problems))
