"""What every writer shares: verified rows, schemas, the report, and the files that travel along."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rfi_umarov_2022 import descriptor as dp
from rfi_umarov_2022 import loader, registry
from rfi_umarov_2022.errors import ExportError


@dataclass
class ExportReport:
    """What an export wrote, what it carried and what it could not carry over."""

    format: str
    target: Path
    tables: list[str]
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def leave_out(self, what: str) -> None:
        """Record something the format cannot hold (named in the summary line)."""
        self.left_out.append(what)

    def summary(self) -> str:
        """One line: what went where, then what was left out, then anything else to know."""
        line = (f"wrote {len(self.tables)} table(s) as {self.format} to {self.target} "
                f"({len(self.files)} files; tables: {', '.join(self.tables)})")
        line += "; left out: " + ("; ".join(self.left_out) if self.left_out else "nothing")
        return line + "".join(f"; {note}" for note in self.notes)


Writer = Callable[[Path, list[str], ExportReport], None]


def schema(name: str) -> dict[str, Any]:
    """The verified Table Schema of one table (read, never change)."""
    try:
        return loader.schema(name)
    except KeyError:
        raise ExportError(f"unknown table {name!r}; the tables are: "
                          f"{', '.join(loader.list_tables())}", 2) from None


def schemas() -> dict[str, dict[str, Any]]:
    return {name: schema(name) for name in loader.list_tables()}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@cache
def _rows(name: str, stamp: Any) -> tuple[dict[str, Any], ...]:
    return tuple({k: _plain(v) for k, v in row.items()} for row in loader.load_table(name).to_pylist())


def records(name: str) -> list[dict[str, Any]]:
    """One table's rows as JSON-ready dicts, straight from the verified Arrow table: missing is
    ``None``, dates are ISO strings, categories their value. Never modify the rows."""
    resource = dp.resource(name)
    return list(_rows(name, resource["hash"]))


def index(names: list[str]) -> dict[str, dict[Any, dict[str, Any]]]:
    """table -> key -> row, for tables with a one-column primary key."""
    out = {}
    for name in names:
        key = registry.primary_key(schema(name))
        if len(key) == 1:
            out[name] = {row[key[0]]: row for row in records(name)}
    return out


def sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def camel(name: str) -> str:
    """``holds_at`` -> ``HoldsAt``: a type name for tools that want one word."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_") if part)


def shipped_file(name: str) -> Path | None:
    """``LICENSE`` or ``PROVENANCE.md``: beside the descriptor or beside the transcript, where both
    the checkout and the wheel's data folder keep them."""
    root = dp.data_root()
    folders = [root, *(root / Path(s["path"]).parent for s in dp.local_sources(dp.descriptor()))]
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


def copy_shipped(target: Path, report: ExportReport, transcript: bool) -> None:
    """Copy the transcript (if asked), LICENSE and PROVENANCE.md: the text's terms travel with it."""
    if transcript:
        name = loader.source_name()
        (target / name).write_text(loader.source_text(), encoding="utf-8", newline="")
        report.files.append(name)
    for name in ("LICENSE", "PROVENANCE.md"):
        found = shipped_file(name)
        if found is None:
            report.notes.append(f"{name} not found in this install, not copied")
            continue
        shutil.copyfile(found, target / name)
        report.files.append(name)


def links(schemas_: Mapping[str, Mapping[str, Any]]) -> list[Link]:
    """The link tables: non-span tables whose primary key joins two tables that have spans of
    their own or spans that refer to them (claim x actor, claim x date, ...)."""
    layer_names = {layer.name for layer in registry.layers(schemas_)}
    found = []
    for name, table_schema in schemas_.items():
        if name in layer_names:
            continue
        columns = registry.column_links(name, table_schema)
        key = registry.primary_key(table_schema)
        sides = [(column, columns[column][0]) for column in key if column in columns]
        if len(sides) != 2 or not all(anchor_layer(t, schemas_) for _, t in sides):
            continue
        label = next((f for f, _ in registry.enum_fields(table_schema) if f not in key), None)
        found.append(Link(name, sides[0], sides[1], label))
    return found


@dataclass(frozen=True)
class Link:
    """A link table: two sides (column, table) and the categorical field that types each row."""

    table: str
    first: tuple[str, str]
    second: tuple[str, str]
    label: str | None

    def kind(self, row: Mapping[str, Any]) -> str:
        return str(row[self.label]) if self.label else self.table


def unreached(table: str, layers: list[registry.SpanTable]) -> list[str]:
    """Keys of ``table``'s rows that no row of ``layers`` reads through its label or link: a
    format that carries a registry only on the spans that point at it cannot carry these."""
    (key,) = registry.primary_key(schema(table))
    used = {row[column] for layer in layers if (column := layer.column_to(table))
            for row in records(layer.name)}
    return [str(row[key]) for row in records(table) if row[key] not in used]


def anchor_layer(table: str, schemas_: Mapping[str, Mapping[str, Any]]) -> registry.SpanTable | None:
    """The annotation layer whose rows stand for ``table``'s rows in the text: the table itself
    if it is one, else the layer whose label or link reads through it (mentions for actors,
    event mentions for events)."""
    layers = registry.layers(schemas_)
    for layer in layers:
        if layer.name == table:
            return layer
    return next((layer for layer in layers if table in layer.follows), None)


def nearest(rows: list[dict[str, Any]], to: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The span row that best stands for something at ``to``: inside its span, else in the same
    sentence, else the same utterance, else the nearest; ties go to the earliest."""
    if not rows:
        return None
    if to is None:
        return min(rows, key=lambda r: (r["char_start"], r["char_end"]))

    def rank(row: Mapping[str, Any]) -> tuple[int, int, int, int, int]:
        inside = to["char_start"] <= row["char_start"] and row["char_end"] <= to["char_end"]
        return (0 if inside else 1, 0 if row.get("sentence_id") == to.get("sentence_id") else 1,
                0 if row.get("utterance_id") == to.get("utterance_id") else 1,
                abs(row["char_start"] - to["char_start"]), row["char_start"])

    return min(rows, key=rank)
