"""The annotated text: one section per unit (utterance), every span of every layer in place.

Underlined rows (claims) get a marker button where they start and a segment class per lane;
inline spans nest as elements, and a span that crosses another continues in a second element
(``data-cont``), so that every row has exactly one element carrying ``data-t`` and ``data-id``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022_build.reader.model import GLYPHS, Layer, Model


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Inline:
    """One inline span clipped to the region it is rendered in."""

    layer: Layer
    row: dict[str, Any]
    start: int
    end: int

    @property
    def key(self) -> str:
        return self.layer.span.row_id(self.row)


class Body:
    def __init__(self, model: Model) -> None:
        self.m = model

    def label_text(self, layer: Layer, row: dict[str, Any]) -> str:
        """An accessible name: the span text, the layer, its label and the row's id."""
        span = layer.span
        label = span.label.of(row, self.m.lookup) if span.label else None
        referent = ""
        if span.label is not None and span.label.via is not None:
            referent = f" of {self.m.name_of(span.label.via[0], row[span.label.column])}"
        shown = f" ({label})" if label is not None else ""
        return f"{row[span.text]}: {span.title.lower()}{referent}{shown}, {span.row_id(row)}"

    def marker(self, row: dict[str, Any]) -> str:
        layer = self.m.underline
        assert layer is not None
        key = layer.span.row_id(row)
        t = self.m.type_index(row)
        enums = [str(row[f]) for f, _ in registry.enum_fields(self.m.schemas[layer.name])
                 if row.get(f) is not None]
        label = f"{layer.span.title} {key}: {', '.join(enums)}. {row.get('paraphrase') or ''}".strip()
        return (f'<button type="button" class="cm ty{t}" data-t="{esc(layer.name)}" data-id="{esc(key)}" '
                f'data-lane="{self.m.lane[key]}" aria-label="{esc(label)}" title="{esc(label)}">'
                f'<span class="g" aria-hidden="true">{GLYPHS[t % len(GLYPHS)]}</span>{esc(key)}</button>')

    def open_tag(self, span: Inline, continued: bool) -> str:
        cls = f"i i{span.layer.style}"
        if continued:
            return f'<span class="{cls} cont" data-cont="{esc(span.layer.name)}:{esc(span.key)}">'
        marks = "".join(f' data-m-{esc(column.replace("_", "-"))}="{esc(span.row[column])}"'
                        for mark in self.m.marks for layer, column in mark.spans
                        if layer == span.layer.name and span.row.get(column) is not None)
        label = self.label_text(span.layer, span.row)
        return (f'<span class="{cls}" data-t="{esc(span.layer.name)}" data-id="{esc(span.key)}"{marks} '
                f'tabindex="0" role="button" aria-label="{esc(label)}" title="{esc(label)}">')

    def region(self, start: int, end: int, underlined: list[dict[str, Any]], spans: list[Inline]) -> str:
        """Text ``[start, end)`` with inline spans nested (crossing ones continue in a second element)."""
        layer = self.m.underline
        markers: dict[int, list[dict[str, Any]]] = {}
        cuts = {start, end}
        for row in underlined:
            s = min(max(row["char_start"], start), end)
            markers.setdefault(s, []).append(row)
            cuts.update((s, min(max(row["char_end"], start), end)))
        for sp in spans:
            cuts.update((sp.start, sp.end))
        opening: dict[int, list[Inline]] = {}
        for sp in sorted(spans, key=lambda x: (x.start, -x.end, x.layer.style, x.key)):
            opening.setdefault(sp.start, []).append(sp)
        points = sorted(cuts)
        out: list[str] = []
        stack: list[Inline] = []
        for i, p in enumerate(points):
            # close what ends here; anything above it that goes on is reopened as a continuation
            low = next((k for k, sp in enumerate(stack) if sp.end <= p), None)
            if low is not None:
                closed = stack[low:]
                del stack[low:]
                out.append("</span>" * len(closed))
                for sp in closed:
                    if sp.end > p:
                        out.append(self.open_tag(sp, continued=True))
                        stack.append(sp)
            for row in sorted(markers.get(p, []), key=lambda r: (-r["char_end"], layer.span.row_id(r))):
                out.append(self.marker(row))
            for sp in opening.get(p, []):
                out.append(self.open_tag(sp, continued=False))
                if sp.end <= p:
                    out.append("</span>")
                else:
                    stack.append(sp)
            if i + 1 < len(points):
                q = points[i + 1]
                chunk = esc(self.m.text[p:q])
                cover = [layer.span.row_id(r) for r in underlined
                         if r["char_start"] <= p and q <= r["char_end"]] if layer else []
                if cover:
                    lanes = " ".join(f"k{self.m.lane[c]}-{self.m.type_index(self.by_key[c])}" for c in cover)
                    out.append(f'<span class="s {lanes}" data-c="{esc(" ".join(cover))}">{chunk}</span>')
                else:
                    out.append(chunk)
        out.append("</span>" * len(stack))
        return "".join(out)

    @property
    def by_key(self) -> dict[str, dict[str, Any]]:
        layer = self.m.underline
        if layer is None:
            return {}
        if not hasattr(self, "_by_key"):
            self._by_key = {layer.span.row_id(r): r for r in self.m.rows(layer.name)}
        return self._by_key

    def units(self) -> str:
        unit = registry.unit(self.m.schemas)
        rows = sorted(self.m.rows(unit.name), key=lambda u: (u.get("seq", 0), u["char_start"]))
        numbers: dict[str, int] = {}
        parts = []
        for row in rows:
            kind = str(row.get("kind") or unit.name)
            numbers[kind] = numbers.get(kind, 0) + 1
            parts.append(self.unit(unit, row, kind, numbers[kind]))
        return "\n".join(parts)

    def unit(self, unit: registry.SpanTable, row: dict[str, Any], kind: str, n: int) -> str:
        start, end = row["char_start"], row["char_end"]
        key = unit.row_id(row)

        def inside(table: str) -> list[dict[str, Any]]:
            return [r for r in self.m.rows(table) if r.get(unit.key[0]) == key]

        underlined = inside(self.m.underline.name) if self.m.underline else []
        spans = [Inline(layer, r, r["char_start"], r["char_end"])
                 for layer in self.m.inline for r in inside(layer.name)]
        links = registry.column_links(unit.name, self.m.schemas[unit.name])
        speaker = row.get("speaker_id")
        who = (f' — <span class="who">{esc(self.m.name_of(links["speaker_id"][0], speaker))}</span>'
               if speaker and "speaker_id" in links else "")
        numbered = sum(1 for r in self.m.rows(unit.name) if r.get("kind") == row.get("kind")) > 1
        head = f"{kind.capitalize()} {n}" if numbered else kind.capitalize()
        label = row.get("speaker_label")
        printed = f' <span class="lbl" title="speaker label as printed">{esc(label)}</span>' if label else ""
        return (f'<section class="utt k-{esc(kind)}" data-unit="{esc(key)}" aria-label="{esc(head)}">'
                f'<h2 class="uh"><span class="kind">{esc(head)}</span>{who}'
                f' <span class="uid">{esc(key)}</span>{printed}</h2>'
                f'<p class="tx">{self.region(start, end, underlined, spans)}</p></section>')
