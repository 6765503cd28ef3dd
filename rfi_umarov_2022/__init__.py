"""Annotated RFI interview with Temur Umarov (2022-09-14) as typed pandas tables.

>>> import rfi_umarov_2022 as ds
>>> ds.list_tables()            # doctest: +SKIP
>>> claims = ds.load("claims")  # doctest: +SKIP

Importing this module is cheap: pandas and pyarrow are imported on the first ``load``.
Every ``load`` checks the file it reads against the sha256 that ``datapackage.json`` records.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__version__ = "0.3.0"

__all__ = [
    "DataIntegrityError",
    "__version__",
    "datapackage_path",
    "docs_path",
    "fields",
    "list_tables",
    "load",
    "load_all",
    "source_text",
    "to_spacy",
    "verify",
]


class DataIntegrityError(RuntimeError):
    """A data file is missing, extra, modified or unreadable, or the descriptor is broken."""


@cache
def _data_root() -> Path:
    """Folder holding ``datapackage.json``: inside the installed wheel, or the source checkout.

    Cached: resolving it costs about as much as converting a small table.
    """
    packaged = Path(__file__).resolve().parent / "data"
    if (packaged / "datapackage.json").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "datapackage.json").is_file():
        return checkout
    raise DataIntegrityError(
        "datapackage.json not found next to the package; in a checkout, run "
        "`python -m rfi_umarov_2022_build`")


def datapackage_path() -> Path:
    """Path of the Frictionless descriptor (``datapackage.json``) that describes every table."""
    return _data_root() / "datapackage.json"


def docs_path() -> Path:
    """Folder holding the codebook, the table reference and the datasheet."""
    return _data_root() / "docs"


def _broken(message: str) -> DataIntegrityError:
    return DataIntegrityError(f"{message}. Run rfi_umarov_2022.verify() to check the data files, "
                              "and reinstall the package (or rebuild the checkout) if they differ")


@cache
def _descriptor() -> dict[str, Any]:
    path = datapackage_path()
    try:
        descriptor = json.loads(path.read_bytes())
        resources = descriptor["resources"]
        for resource in resources:
            for key in ("name", "path", "hash", "schema"):
                if key not in resource:
                    raise KeyError(f"resource without {key!r}")
            resource["schema"]["fields"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise _broken(f"{path} is not a readable data package descriptor ({error!r})") from None
    return descriptor


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


def _matches(data: bytes, digest: str) -> bool:
    """Do these bytes have the sha256 the descriptor records ("sha256:<hex>")?"""
    return hashlib.sha256(data).hexdigest() == str(digest).removeprefix("sha256:")


def _read_verified(relpath: str, digest: str) -> bytes:
    """A data file's bytes, refused unless their sha256 is the one the descriptor records."""
    path = _data_root() / relpath
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _broken(f"missing: {path}") from None
    except OSError as error:
        raise _broken(f"cannot read {path}: {error.strerror}") from None
    if not _matches(data, digest):
        raise _broken(f"modified: {path} (its sha256 differs from datapackage.json)")
    return data


def load(name: str) -> pd.DataFrame:
    """Load one table as a DataFrame with the documented dtypes.

    Categorical fields are pandas ``Categorical`` (categories in schema order; ordinal scales
    such as ``certainty`` are ordered), integers ``Int64``, strings pandas' ``string`` dtype
    (missing = ``pd.NA``), dates ``datetime64[s]`` (missing = ``NaT``). The file is checked
    against its sha256 first: a modified file raises ``DataIntegrityError``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    resource = _resource(name)
    data = _read_verified(resource["path"], resource["hash"])
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (OSError, pa.ArrowException) as error:
        raise _broken(f"cannot read {resource['path']}: {error}") from error
    expected = [field["name"] for field in resource["schema"]["fields"]]
    if table.column_names != expected:
        raise _broken(f"{resource['path']} has columns {table.column_names}, the descriptor "
                      f"{expected}")
    dates = [i for i, arrow_type in enumerate(table.schema.types) if arrow_type == pa.date32()]
    if dates:  # date32 -> timestamp[s] in Arrow: pandas then gets datetime64[s] without a copy
        schema = table.schema
        for i in dates:
            schema = schema.set(i, schema.field(i).with_type(pa.timestamp("s")))
        table = table.cast(schema)
    return table.to_pandas(types_mapper=_pandas_types().get)


@cache
def _pandas_types() -> dict[Any, Any]:
    """Arrow type -> pandas dtype for ``to_pandas``: nullable strings, integers and booleans."""
    import pandas as pd
    import pyarrow as pa

    string = pd.StringDtype()
    return {pa.string(): string, pa.large_string(): string, pa.int64(): pd.Int64Dtype(),
            pa.bool_(): pd.BooleanDtype()}


def load_all() -> dict[str, pd.DataFrame]:
    """Every table, keyed by name."""
    return {name: load(name) for name in list_tables()}


def fields(name: str) -> pd.DataFrame:
    """The fields of a table from its Table Schema: name, type, required, categories, description."""
    import pandas as pd

    rows = []
    for field in _resource(name)["schema"]["fields"]:
        rows.append({
            "field": field["name"],
            "type": field["type"],
            "required": bool(field.get("constraints", {}).get("required", False)),
            "categories": field.get("categories"),
            "ordered": bool(field.get("categoriesOrdered", False)),
            "description": field.get("description", ""),
        })
    return pd.DataFrame(rows).astype({"field": "string", "type": "string", "description": "string"})


def _local_sources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """The descriptor's sources that are files shipped with the data (not web addresses)."""
    return [s for s in descriptor.get("sources", []) if "://" not in s.get("path", "://")]


def source_text() -> str:
    """The transcript exactly as annotated: every ``char_start``/``char_end`` indexes this string.

    Checked against the sha256 the descriptor records, like every table.
    """
    for source in _local_sources(_descriptor()):
        return _read_verified(source["path"], source.get("hash", "")).decode("utf-8")
    raise _broken("the descriptor names no source text")


def verify() -> None:
    """Check every file ``load`` and ``source_text`` read against the descriptor's sha256.

    Missing, modified and extra Parquet files are all named in one ``DataIntegrityError``.
    """
    root = _data_root()
    descriptor = _descriptor()
    files = [(r["path"], r["hash"]) for r in descriptor["resources"]]
    files += [(s["path"], s.get("hash", "")) for s in _local_sources(descriptor)]
    problems = []
    for relpath, digest in files:
        path = root / relpath
        if not path.is_file():
            problems.append(f"missing: {relpath}")
        elif not _matches(path.read_bytes(), digest):
            problems.append(f"modified: {relpath} (sha256 differs from datapackage.json)")
    listed = {(root / relpath).resolve() for relpath, _ in files}
    data_dirs = {(root / resource["path"]).parent for resource in descriptor["resources"]}
    for folder in sorted(data_dirs):
        for path in sorted(folder.glob("*.parquet")):
            if path.resolve() not in listed:
                problems.append(f"extra: {path.relative_to(root)} (not in datapackage.json)")
    if (root / ".build-journal.json").is_file():
        problems.append("an interrupted build left .build-journal.json: run the build again to "
                        "restore the previous outputs")
    if problems:
        raise DataIntegrityError("data files do not match datapackage.json: " + "; ".join(problems))


def to_spacy(nlp: Any = None) -> list[Any]:
    """The annotations as spaCy Docs, one per utterance (needs spaCy; see rfi_umarov_2022.nlp)."""
    from rfi_umarov_2022.nlp import to_spacy as convert

    return convert(nlp)
