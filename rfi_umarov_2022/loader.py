"""Verified reads: a table as Arrow or pandas, the transcript, the field reference, ``verify()``.

Every read checks the file's sha256 against the descriptor first, and every table's descriptor
schema against the schema stored inside its Parquet file (which that sha256 covers): a
descriptor edited by hand (a renamed category, a retyped field, a reversed scale, a resource
pointed at another table's file) is refused, never passed on. pyarrow and pandas are imported
on the first read, not at package import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rfi_umarov_2022 import descriptor as dp
from rfi_umarov_2022.errors import DataIntegrityError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: Key of the Parquet schema metadata that holds the table's published Table Schema (JSON).
SCHEMA_KEY = "table_schema"
TABLE_KEY = "table"


def list_tables() -> list[str]:
    """Names of the tables, in the descriptor's order."""
    return list(dp.resources())


def read_parquet(data: bytes, rel: str) -> pa.Table:
    """Parse verified Parquet bytes on the calling thread only.

    No reader threads and no pre-buffering: Arrow's thread pools still running at interpreter
    exit can abort the process (apache/arrow#34314); these files are small.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(pa.BufferReader(data), pre_buffer=False).read(use_threads=False)
    except Exception as error:  # corrupt input raises OSError, ArrowException, ValueError, ...
        raise dp.broken(f"cannot read {rel}: {type(error).__name__}: {error}") from None


def _schema_problem(name: str, resource: dict[str, Any], arrow_schema: pa.Schema) -> str | None:
    """Why the descriptor's schema is not the one stored in the file, or None."""
    metadata = arrow_schema.metadata or {}
    expected = [field["name"] for field in resource["schema"]["fields"]]
    if arrow_schema.names != expected:
        return f"has columns {arrow_schema.names}, the descriptor {expected}"
    try:
        stored_name = metadata[TABLE_KEY.encode()].decode("utf-8")
        stored = json.loads(metadata[SCHEMA_KEY.encode()])
    except (KeyError, ValueError, RecursionError):
        return "holds no readable Table Schema"
    if stored_name != name:
        return f"holds table {stored_name!r}, not {name!r}"
    if stored != resource["schema"]:
        differing = sorted(k for k in set(stored) | set(resource["schema"])
                           if stored.get(k) != resource["schema"].get(k))
        return f"holds another schema than the descriptor says ({', '.join(differing)} differ)"
    return None


def load_table(name: str) -> pa.Table:
    """One table as a ``pyarrow.Table``, exactly as stored: categorical fields are dictionary
    columns (ordered where the scale is ordinal), dates ``date32``. Verified like ``load``."""
    resource = dp.resource(name)
    data = dp.read_verified(resource["path"], resource["hash"], f"resource {name!r}")
    table = read_parquet(data, resource["path"])
    problem = _schema_problem(name, resource, table.schema)
    if problem:
        raise dp.broken(f"{resource['path']} {problem}")
    return table


def load(name: str) -> pd.DataFrame:
    """Load one table as a DataFrame with the documented dtypes.

    Categorical fields are pandas ``Categorical`` (categories in schema order; ordinal scales
    such as ``certainty`` are ordered), integers ``Int64``, strings pandas' ``string`` dtype
    (missing = ``pd.NA``), dates ``datetime64[s]`` (missing = ``NaT``). The file is checked
    against its sha256 first: a modified file raises ``DataIntegrityError``.
    """
    import pyarrow as pa

    table = load_table(name)
    dates = [i for i, arrow_type in enumerate(table.schema.types) if arrow_type == pa.date32()]
    if dates:  # date32 -> timestamp[s] in Arrow: pandas then gets datetime64[s] without a copy
        schema = table.schema
        for i in dates:
            schema = schema.set(i, schema.field(i).with_type(pa.timestamp("s")))
        table = table.cast(schema)
    return table.to_pandas(types_mapper=_pandas_types().get, use_threads=False)


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


def schema(name: str) -> dict[str, Any]:
    """A table's Table Schema, checked against the one stored in its (verified) Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    resource = dp.resource(name)
    data = dp.read_verified(resource["path"], resource["hash"], f"resource {name!r}")
    try:
        stored = pq.read_schema(pa.BufferReader(data))
    except Exception as error:
        raise dp.broken(f"cannot read {resource['path']}: {type(error).__name__}") from None
    problem = _schema_problem(name, resource, stored)
    if problem:
        raise dp.broken(f"{resource['path']} {problem}")
    return resource["schema"]


def schemas() -> dict[str, dict[str, Any]]:
    """Every table's checked Table Schema, in the descriptor's order."""
    return {name: schema(name) for name in list_tables()}


def fields(name: str) -> pd.DataFrame:
    """The fields of a table from its Table Schema: name, type, required, categories, description."""
    import pandas as pd

    from rfi_umarov_2022 import registry

    rows = []
    for field in schema(name)["fields"]:
        values = registry.categories(field)
        rows.append({
            "field": field["name"],
            "type": field["type"],
            "required": bool(field.get("constraints", {}).get("required", False)),
            "categories": list(values) if values is not None else None,
            "ordered": registry.is_ordered(field),
            "description": field.get("description", ""),
        })
    return pd.DataFrame(rows).astype({"field": "string", "type": "string", "description": "string"})


def source_text() -> str:
    """The transcript exactly as annotated: every ``char_start``/``char_end`` indexes this string.

    Checked against the sha256 the descriptor records, like every table.
    """
    for source in dp.local_sources(dp.descriptor()):
        data = dp.read_verified(source["path"], source["hash"], "source")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise dp.broken(f"{source['path']} is not UTF-8") from None
    raise dp.broken("the descriptor names no source text")


def source_name() -> str:
    """File name of the transcript (``transcript.txt``)."""
    for source in dp.local_sources(dp.descriptor()):
        return Path(source["path"]).name
    raise dp.broken("the descriptor names no source text")


@dataclass(frozen=True)
class Verified:
    """What ``verify()`` checked: every file, and the bytes read."""

    descriptor: Path
    files: int
    tables: int
    bytes: int

    def __str__(self) -> str:
        return (f"ok: {self.files} files ({self.tables} tables and the transcript, {self.bytes:,} "
                f"bytes) match their sha256 and schemas in {self.descriptor}")


def verify() -> Verified:
    """Check every file ``load`` and ``source_text`` read against the descriptor.

    Each file's sha256, each table's stored schema; missing, modified and extra Parquet files,
    and a build left unfinished, are all named in one ``DataIntegrityError``. Returns a summary.
    """
    root = dp.data_root()
    package = dp.descriptor()
    problems: list[str] = []
    listed: set[Path] = set()
    size = 0
    checks = [(name, r["path"], r["hash"]) for name, r in dp.resources().items()]
    checks += [(None, s["path"], s["hash"]) for s in dp.local_sources(package)]
    for name, rel, digest in checks:
        try:
            if name is None:
                size += len(dp.read_verified(rel, digest, "source"))
            else:
                schema(name)
                size += dp.resolve(rel, name).stat().st_size
        except DataIntegrityError as error:
            problems.append(str(error).split(". Run rfi_umarov_2022.verify()")[0])
        listed.add((root / rel).resolve())
    for folder in sorted({(root / r["path"]).parent for r in package["resources"]}):
        for path in sorted(folder.glob("*.parquet")):
            if path.resolve() not in listed:
                problems.append(f"extra: {path.relative_to(root)} (not in {dp.DESCRIPTOR})")
    if (root / dp.JOURNAL).exists():
        problems.append(f"an interrupted build left {dp.JOURNAL}: run the build again to restore "
                        "the previous outputs")
    if problems:
        raise DataIntegrityError(f"data files do not match {dp.DESCRIPTOR}: " + "; ".join(problems))
    return Verified(root / dp.DESCRIPTOR, len(checks), len(package["resources"]), size)
