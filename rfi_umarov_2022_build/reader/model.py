"""What the reader page shows, derived from the registry: layers, styles, lanes and marks.

Pure and deterministic. Every annotation layer of the registry is shown: the one whose spans
overlap each other (``display: underline``, the claims) as markers with stacked underlines, the
others inline, each with a style of its own assigned in registry order. A registry that a layer's
label points at (actors for mentions) can be *marked*: its spans are highlighted, and the
underlined rows that a link table joins to it (the claims about the actor).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rfi_umarov_2022 import registry

#: Okabe-Ito colours (distinguishable with colour-blindness), glyphs and line patterns, assigned
#: to the underline layer's label values by their order in the schema.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
COLOUR_NAMES = ["blue", "vermillion", "green", "pink", "orange", "sky blue", "black"]
GLYPHS = ["■", "▲", "●", "◆", "★", "✚", "▼"]
PATTERNS = ["solid", "dashed", "dotted", "dash-dot", "long dash", "dense dots", "sparse dash"]
#: Inline styles (classes i0.. in reader.css), assigned to the inline layers in registry order.
INLINE_STYLES = ["dashed box", "solid box", "wavy underline and dagger", "dotted underline",
                 "double box", "grey box"]

Rows = list[dict[str, Any]]


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Layer:
    span: registry.SpanTable
    style: int  # index into INLINE_STYLES, or -1 for the underline layer

    @property
    def name(self) -> str:
        return self.span.name


@dataclass(frozen=True)
class Mark:
    """A registry whose rows can be marked: its layer's spans, and underlined rows linked to it."""

    table: str
    title: str
    spans: tuple[tuple[str, str], ...]  # (layer, column pointing at the registry)
    links: tuple[tuple[str, str, str], ...]  # (link table, registry column, underline column)


class Model:
    """The tables as JSON-ready rows, and everything the page derives from the schemas."""

    def __init__(self, text: str, tables: Mapping[str, Rows], schemas: Mapping[str, dict]) -> None:
        self.text = text
        self.schemas = dict(schemas)
        self.tables = {name: [{k: plain(v) for k, v in row.items()} for row in rows]
                       for name, rows in tables.items()}
        spans = registry.layers(self.schemas)
        underline = [s for s in spans if s.display == "underline"]
        if len(underline) > 1:
            raise ValueError("the reader draws one underline layer; "
                             f"{', '.join(s.name for s in underline)} all ask for it")
        self.underline = Layer(underline[0], -1) if underline else None
        inline = [s for s in spans if s.display != "underline"]
        self.inline = [Layer(s, i % len(INLINE_STYLES)) for i, s in enumerate(inline)]
        self.layers = ([self.underline] if self.underline else []) + self.inline
        self.segment = registry.span_tables(self.schemas, "segment")
        self.lookup = {name: {row[registry.primary_key(self.schemas[name])[0]]: row
                              for row in self.tables.get(name, [])}
                       for name in sorted({t for s in spans for t in s.follows})}
        self.types = self._types()
        self.lane = self._lanes()
        self.marks = self._marks()

    # ------------------------------------------------------------------ underline layer
    def _types(self) -> list[str]:
        """The underline layer's label values, in schema order: one colour and glyph each."""
        if self.underline is None or self.underline.span.label is None:
            return []
        label = self.underline.span.label
        owner = self.schemas[label.via[0]] if label.via else self.schemas[self.underline.name]
        return list(registry.categories(registry.field(owner, label.target or label.column)) or ())

    def type_index(self, row: Mapping[str, Any]) -> int:
        if self.underline is None or self.underline.span.label is None:
            return 0
        value = self.underline.span.label.of(row, self.lookup)
        return self.types.index(value) if value in self.types else len(self.types)

    def _lanes(self) -> dict[str, int]:
        """Stack overlapping underlined rows on separate lanes (greedy interval colouring)."""
        if self.underline is None:
            return {}
        ends: list[int] = []
        lane: dict[str, int] = {}
        span = self.underline.span
        for row in sorted(self.rows(span.name), key=lambda r: (r["char_start"], -r["char_end"],
                                                                span.row_id(r))):
            for i, end in enumerate(ends):
                if end <= row["char_start"]:
                    ends[i] = row["char_end"]
                    lane[span.row_id(row)] = i
                    break
            else:
                lane[span.row_id(row)] = len(ends)
                ends.append(row["char_end"])
        return lane

    @property
    def n_lanes(self) -> int:
        return max(self.lane.values(), default=-1) + 1

    # ------------------------------------------------------------------ marks
    def _marks(self) -> list[Mark]:
        marks = []
        underline = self.underline.name if self.underline else None
        for table in sorted({t for layer in self.inline for t in layer.span.follows}):
            spans = tuple((layer.name, column) for layer in self.inline
                          if (column := layer.span.column_to(table)) is not None)
            links = []
            for name, schema in self.schemas.items():
                columns = registry.column_links(name, schema)
                to_registry = [c for c, (t, _) in columns.items() if t == table]
                to_underline = [c for c, (t, _) in columns.items() if t == underline]
                if to_registry and to_underline and registry.span_table(name, schema) is None:
                    links.append((name, to_registry[0], to_underline[0]))
            title = str(self.schemas[table].get("title", table))
            marks.append(Mark(table, title, spans, tuple(links)))
        return marks

    # ------------------------------------------------------------------ rows
    def rows(self, table: str) -> Rows:
        return self.tables.get(table, [])

    def name_of(self, table: str, key: Any) -> str:
        """A registry row's display name (its ``name`` or ``label`` field), else its key."""
        row = self.lookup.get(table, {}).get(key) or next(
            (r for r in self.rows(table) if r.get(registry.primary_key(self.schemas[table])[0]) == key), None)
        if row is None:
            return str(key)
        return str(row.get("name") or row.get("label") or key)

    def data(self) -> dict[str, Any]:
        """What the page's script needs, as one JSON object."""
        return {
            "tables": self.tables,
            "pk": {name: list(registry.primary_key(s)) for name, s in self.schemas.items()},
            "fk": {name: {c: list(v) for c, v in registry.column_links(name, s).items()}
                   for name, s in self.schemas.items()},
            "fields": {name: {f["name"]: {"description": f.get("description", "")}
                              for f in registry.fields(s)} for name, s in self.schemas.items()},
            "columns": {name: registry.field_names(s) for name, s in self.schemas.items()},
            "titles": {name: str(s.get("title", name)) for name, s in self.schemas.items()},
            "layers": [{"table": layer.name, "title": layer.span.title, "key": list(layer.span.key),
                        "text": layer.span.text, "style": layer.style} for layer in self.layers],
            "underline": self.underline.name if self.underline else None,
            "types": self.types,
            "label": (self.underline.span.label.column if self.underline and self.underline.span.label
                      else None),
            "marks": [{"table": m.table, "title": m.title, "spans": [list(s) for s in m.spans],
                       "links": [list(link) for link in m.links]} for m in self.marks],
        }
