"""Stata 118 ``.dta``: one file per table, variable labels, categories as value-labelled codes."""

from __future__ import annotations

import csv
from pathlib import Path

from rfi_umarov_2022 import loader, registry
from rfi_umarov_2022.errors import ExportError
from rfi_umarov_2022.exports.common import ExportReport, schema

STATA_LABEL_LIMIT = 80
STATA_STR_LIMIT = 2045
STATA_NAME_LIMIT = 32


def stata_label(text: str, limit: int = STATA_LABEL_LIMIT) -> tuple[str, bool]:
    """A Stata label of at most ``limit`` characters; True if it had to be truncated."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, False
    return text[: limit - 3].rstrip() + "...", True


def write_stata(target: Path, tables: list[str], report: ExportReport) -> None:
    """One Stata 118 ``.dta`` per table: variable labels, categories as value-labelled int codes
    1..n in the schema's order (so ``<`` on the codes follows an ordinal scale)."""
    import pandas as pd

    truncated: list[str] = []
    long_strings: list[str] = []
    for name in tables:
        table_schema = schema(name)
        table = loader.load(name)
        labels: dict[str, str] = {}
        value_labels: dict[str, dict[int, str]] = {}
        convert_dates: dict[str, str] = {}
        strl: list[str] = []
        out = pd.DataFrame(index=table.index)
        for field in table_schema["fields"]:
            column = field["name"]
            if len(column) > STATA_NAME_LIMIT or not column.isidentifier():
                raise ExportError(f"{name}.{column} is not a valid Stata variable name")
            label, cut = stata_label(field.get("description", ""))
            labels[column] = label
            if cut:
                truncated.append(f"{name}.{column}")
            values = registry.categories(field)
            series = table[column]
            if values is not None:
                codes = pd.Series(series.cat.codes, index=table.index).astype("Int64")
                out[column] = (codes + 1).where(codes >= 0, pd.NA).astype("Int32")
                value_labels[column] = {i + 1: v for i, v in enumerate(values)}
            elif field["type"] == "date":
                out[column] = pd.to_datetime(series).astype("datetime64[ns]")
                convert_dates[column] = "td"
            elif field["type"] == "integer":
                out[column] = series.astype("Int64")
            elif field["type"] == "boolean":
                out[column] = series.astype("Int8")
            else:
                text = series.astype(object).where(series.notna(), "")
                out[column] = text.astype(str)
                if max((len(v.encode("utf-8")) for v in text), default=0) > STATA_STR_LIMIT:
                    strl.append(column)
                    long_strings.append(f"{name}.{column}")
        path = target / f"{name}.dta"
        data_label, _ = stata_label(str(table_schema.get("title", name)))
        out.to_stata(path, write_index=False, version=118, variable_labels=labels,
                     value_labels=value_labels or None, convert_dates=convert_dates or None,
                     convert_strl=strl or None, data_label=data_label)
        report.files.append(path.name)
    write_fields_csv(target, tables, report)
    report.leave_out("a missing string is \"\" (Stata has no string missing value)")
    report.leave_out("primary and foreign keys (a .dta has none: merge on the *_id variables)")
    if truncated:
        report.leave_out(f"the end of {len(truncated)} variable labels, cut to Stata's "
                         f"{STATA_LABEL_LIMIT} characters (full text in fields.csv): "
                         f"{', '.join(truncated)}")
    if long_strings:
        report.notes.append(f"stored as strL (over {STATA_STR_LIMIT} bytes): {', '.join(long_strings)}")


def write_fields_csv(target: Path, tables: list[str], report: ExportReport) -> None:
    """Full field descriptions and categories, for tools whose labels are shorter."""
    with (target / "fields.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["table", "field", "type", "values", "ordered", "description"])
        for name in tables:
            for field in schema(name)["fields"]:
                values = registry.categories(field) or ()
                writer.writerow([name, field["name"], field["type"], "|".join(values),
                                 "true" if registry.is_ordered(field) else "false",
                                 field.get("description", "")])
    report.files.append("fields.csv")
