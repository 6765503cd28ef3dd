"""The tables in DuckDB and Polars with their categories typed, so that ordinal scales compare in
the codebook's order there too.

Read directly, the Parquet files give DuckDB plain text and Polars ``Categorical`` columns: both
then compare ``certainty >= 'probable'`` alphabetically and return wrong rows without a word.
:func:`duckdb` and :func:`polars` read the verified tables and type every categorical field as
an enumeration in schema order: a DuckDB ``ENUM`` named ``<table>_<field>`` (compare with a
literal cast to it: ``certainty >= 'probable'::claims_certainty``) and a Polars ``pl.Enum``
(``pl.col("certainty") >= "probable"`` works as written).
"""

from __future__ import annotations

from typing import Any

from rfi_umarov_2022 import loader, registry


def _require(module: str, distribution: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{module} is not installed: pip install {distribution}") from None


def enum_type(table: str, field: str) -> str:
    """The DuckDB type name of a categorical field."""
    return f"{table}_{field}"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duckdb(connection: Any = None) -> Any:
    """A DuckDB connection (new, or ``connection``) with one view per table, each categorical
    field typed as an ENUM in schema order. The data are the verified tables, held in memory."""
    duckdb_ = _require("duckdb", "duckdb")
    con = connection if connection is not None else duckdb_.connect()
    for name in loader.list_tables():
        schema = loader.schema(name)
        table = loader.load_table(name)
        con.register(f"{name}__arrow", table)
        casts = []
        for field, values in registry.enum_fields(schema):
            type_name = enum_type(name, field)
            con.execute(f'DROP TYPE IF EXISTS "{type_name}"')
            con.execute(f'CREATE TYPE "{type_name}" AS ENUM ({", ".join(map(_quote, values))})')
            casts.append(f'CAST("{field}" AS "{type_name}") AS "{field}"')
        replace = f" REPLACE ({', '.join(casts)})" if casts else ""
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT *{replace} FROM "{name}__arrow"')
    return con


def polars(name: str) -> Any:
    """One table as a Polars DataFrame, each categorical field a ``pl.Enum`` in schema order."""
    pl = _require("polars", "polars")
    schema = loader.schema(name)
    frame = pl.from_arrow(loader.load_table(name))
    enums = dict(registry.enum_fields(schema))
    return frame.with_columns([pl.col(field).cast(pl.String).cast(pl.Enum(list(values)))
                               for field, values in enums.items()])
