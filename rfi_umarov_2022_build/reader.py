"""Self-contained annotated reader page: the transcript with every claim, mention, date and note in place.

Pure and deterministic: standard library only, no import from the rest of the project. The page holds its
CSS, script and data inline and loads nothing. Vocabularies (legend, filters) come from the schemas' enums,
and every column a row has is shown, so new columns need no change here.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
from collections.abc import Iterable
from typing import Any

# The span layers: table, primary key, data attribute, CSS class, label.
LAYERS: list[tuple[str, str, str, str, str]] = [
    ("claims", "claim_id", "data-claim-id", "cm", "Claims"),
    ("mentions", "mention_id", "data-mention-id", "m", "Mentions"),
    ("dates", "date_id", "data-date-id", "d", "Dates"),
    ("notes", "note_id", "data-note-id", "n", "Notes"),
]
INLINE = LAYERS[1:]

# Okabe-Ito colours (distinguishable with colour-blindness), glyphs and line patterns, assigned to a
# vocabulary's values by their order in the schema.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
COLOUR_NAMES = ["blue", "vermillion", "green", "pink", "orange", "sky blue", "black"]
GLYPHS = ["■", "▲", "●", "◆", "★", "✚", "▼"]
PATTERNS = ["solid", "dashed", "dotted", "dash-dot", "long dash", "dense dots", "sparse dash"]
PATTERN_STOPS = [
    None,
    (7, 4),
    (2, 3),
    None,
    (12, 4),
    (1, 2),
    (4, 8),
]
LANE_GAP = 5  # px between stacked claim underlines
LINE_PX = 3  # px thickness of a claim underline


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _json(value: Any) -> str:
    """Compact, key-sorted JSON that is safe inside a <script> element."""
    out = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_jsonable)
    return out.replace("</", "<\\/").replace("<!--", "<\\!--")


def enum_values(schema: dict, field: str) -> list[str]:
    """The allowed values of a field: ``constraints.enum`` or Table Schema v2 ``categories``."""
    for fd in schema.get("fields", []):
        if fd.get("name") != field:
            continue
        if "enum" in fd.get("constraints", {}):
            return [str(v) for v in fd["constraints"]["enum"]]
        cats = fd.get("categories")
        if cats:
            return [str(c["value"]) if isinstance(c, dict) else str(c) for c in cats]
    return []


def _enum_fields(schema: dict) -> list[str]:
    return [fd["name"] for fd in schema.get("fields", []) if enum_values(schema, fd["name"])]


def _describe(schema: dict, field: str) -> str:
    for fd in schema.get("fields", []):
        if fd.get("name") == field:
            return str(fd.get("description", ""))
    return ""


def _columns(rows: list[dict], schema: dict) -> list[str]:
    """Schema field order first, then any extra columns the rows have, sorted."""
    declared = [fd["name"] for fd in schema.get("fields", [])]
    present: set[str] = set()
    for row in rows:
        present.update(row)
    return [c for c in declared if c in present] + sorted(present - set(declared))


def _foreign_keys(schemas: dict[str, dict]) -> dict[str, dict[str, list[str]]]:
    """table -> field -> [target table, target field], single-field keys only."""
    out: dict[str, dict[str, list[str]]] = {}
    for name, schema in schemas.items():
        for fk in schema.get("foreignKeys", []):
            fields = fk.get("fields")
            ref = fk.get("reference", {})
            target_fields = ref.get("fields")
            if isinstance(fields, str):
                fields = [fields]
            if isinstance(target_fields, str):
                target_fields = [target_fields]
            if fields and target_fields and len(fields) == 1 and len(target_fields) == 1:
                out.setdefault(name, {})[fields[0]] = [ref.get("resource") or name, target_fields[0]]
    return out


def _lanes(claims: list[dict]) -> dict[str, int]:
    """Stack overlapping claims on separate underline lanes (greedy interval colouring, text order)."""
    ends: list[int] = []
    lane: dict[str, int] = {}
    for c in sorted(claims, key=lambda r: (r["char_start"], -r["char_end"], r["claim_id"])):
        for i, end in enumerate(ends):
            if end <= c["char_start"]:
                ends[i] = c["char_end"]
                lane[c["claim_id"]] = i
                break
        else:
            lane[c["claim_id"]] = len(ends)
            ends.append(c["char_end"])
    return lane


class _Span:
    """One inline annotation (mention, date or note) clipped to the region it is rendered in."""

    def __init__(self, layer: tuple[str, str, str, str, str], row: dict, start: int, end: int, rank: int):
        self.layer, self.row, self.start, self.end, self.rank = layer, row, start, end, rank

    @property
    def key(self) -> str:
        return str(self.row[self.layer[1]])


class _Renderer:
    def __init__(self, text: str, tables: dict[str, list[dict]], schemas: dict[str, dict]):
        self.text, self.tables, self.schemas = text, tables, schemas
        self.actors = {a["actor_id"]: a for a in tables.get("actors", [])}
        self.claim_types = enum_values(schemas.get("claims", {}), "claim_type")
        self.lane = _lanes(tables.get("claims", []))
        self.n_lanes = max(self.lane.values(), default=-1) + 1
        self.claim_type = {c["claim_id"]: c.get("claim_type") for c in tables.get("claims", [])}
        self.placed: set[tuple[str, str]] = set()

    # ---------------------------------------------------------------- labels
    def actor_name(self, actor_id: Any) -> str:
        actor = self.actors.get(actor_id)
        return str(actor.get("name") or actor_id) if actor else str(actor_id)

    def type_index(self, claim_id: str) -> int:
        value = self.claim_type.get(claim_id)
        return self.claim_types.index(value) if value in self.claim_types else len(self.claim_types)

    def segment_classes(self, claim_ids: list[str]) -> str:
        return " ".join(f"k{self.lane[c]}-{self.type_index(c)}" for c in claim_ids)

    # ---------------------------------------------------------------- elements
    def claim_marker(self, row: dict) -> str:
        cid = str(row["claim_id"])
        t = self.type_index(cid)
        glyph = GLYPHS[t % len(GLYPHS)]
        enums = _enum_fields(self.schemas.get("claims", {}))
        bits = [str(row.get(f)) for f in enums if row.get(f) is not None]
        label = f"Claim {cid}: {', '.join(bits)}. {row.get('paraphrase') or ''}".strip()
        return (
            f'<button type="button" class="cm ty{t}" data-claim-id="{_esc(cid)}" '
            f'data-lane="{self.lane[cid]}" aria-label="{_esc(label)}" title="{_esc(label)}">'
            f'<span class="g" aria-hidden="true">{glyph}</span>{_esc(cid)}</button>'
        )

    def open_tag(self, span: _Span, continued: bool) -> str:
        table, _pk, attr, cls, _ = span.layer
        row = span.row
        surface = self.text[span.start:span.end]
        if continued:
            return f'<span class="{cls} cont" data-cont="{_esc(table)}:{_esc(span.key)}">'
        extra = ""
        if table == "mentions":
            name = self.actor_name(row.get("actor_id"))
            extra = f' data-actor-id="{_esc(row.get("actor_id"))}"'
            label = f"{surface}: mention of {name} ({row.get('mention_type')}), {span.key}"
        elif table == "dates":
            label = f"{surface}: date {span.key}, {row.get('edtf') or row.get('timex_value') or ''}"
        else:
            label = f"{surface}: note {span.key} ({row.get('note_type')}): {row.get('suggestion') or ''}"
        return (
            f'<span class="{cls}" {attr}="{_esc(span.key)}"{extra} tabindex="0" role="button" '
            f'aria-label="{_esc(label)}" title="{_esc(label)}">'
        )

    # ---------------------------------------------------------------- regions
    def region(self, start: int, end: int, claims: list[dict], spans: list[_Span]) -> str:
        """Text ``[start, end)`` with inline spans nested (crossing ones continue in a second element)."""
        markers: dict[int, list[dict]] = {}
        cuts = {start, end}
        for c in claims:
            s = min(max(c["char_start"], start), end)
            markers.setdefault(s, []).append(c)
            cuts.update((s, min(max(c["char_end"], start), end)))
        for sp in spans:
            cuts.update((sp.start, sp.end))
        opening: dict[int, list[_Span]] = {}
        for sp in sorted(spans, key=lambda x: (x.start, -x.end, x.rank, x.key)):
            opening.setdefault(sp.start, []).append(sp)
        points = sorted(cuts)
        out: list[str] = []
        stack: list[_Span] = []
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
            for c in sorted(markers.get(p, []), key=lambda r: (-r["char_end"], r["claim_id"])):
                out.append(self.claim_marker(c))
            for sp in opening.get(p, []):
                out.append(self.open_tag(sp, continued=False))
                if sp.end <= p:
                    out.append("</span>")
                else:
                    stack.append(sp)
            if i + 1 < len(points):
                q = points[i + 1]
                chunk = _esc(self.text[p:q])
                cover = [c["claim_id"] for c in claims if c["char_start"] <= p and q <= c["char_end"]]
                if cover:
                    out.append(
                        f'<span class="s {self.segment_classes(cover)}" data-c="{_esc(" ".join(cover))}">'
                        f"{chunk}</span>"
                    )
                else:
                    out.append(chunk)
        out.append("</span>" * len(stack))
        return "".join(out)

    def utterances(self) -> str:
        rows = sorted(self.tables.get("utterances", []), key=lambda u: (u.get("seq", 0), u["char_start"]))
        kind_n: dict[str, int] = {}
        parts: list[str] = []
        for u in rows:
            kind = str(u.get("kind") or "utterance")
            kind_n[kind] = kind_n.get(kind, 0) + 1
            parts.append(self.utterance(u, kind, kind_n[kind]))
        leftovers = self.unplaced()
        if leftovers:
            parts.append(leftovers)
        return "\n".join(parts)

    def _inside(self, table: str, start: int, end: int) -> list[dict]:
        rows = [r for r in self.tables.get(table, []) if start <= r["char_start"] < end]
        return [r for r in rows if (table, str(r[self._pk(table)])) not in self.placed]

    def _pk(self, table: str) -> str:
        return next(layer[1] for layer in LAYERS if layer[0] == table)

    def utterance(self, u: dict, kind: str, n: int) -> str:
        start, end = u["char_start"], u["char_end"]
        claims = self._inside("claims", start, end)
        spans: list[_Span] = []
        for rank, layer in enumerate(INLINE):
            for r in self._inside(layer[0], start, end):
                spans.append(_Span(layer, r, r["char_start"], min(r["char_end"], end), rank))
        for c in claims:
            self.placed.add(("claims", str(c["claim_id"])))
        for sp in spans:
            self.placed.add((sp.layer[0], sp.key))
        speaker = u.get("speaker_id")
        who = f' — <span class="who">{_esc(self.actor_name(speaker))}</span>' if speaker else ""
        numbered = kind in ("question", "answer")
        head = f"{kind.capitalize()} {n}" if numbered else kind.capitalize()
        uid = _esc(u.get("utterance_id"))
        label = u.get("speaker_label")
        printed = f' <span class="lbl" title="speaker label as printed">{_esc(label)}</span>' if label else ""
        return (
            f'<section class="utt k-{_esc(kind)}" data-utterance-id="{uid}" aria-label="{_esc(head)}">'
            f'<h2 class="uh"><span class="kind">{_esc(head)}</span>{who}'
            f' <span class="uid">{uid}</span>{printed}</h2>'
            f'<p class="tx">{self.region(start, end, claims, spans)}</p></section>'
        )

    def unplaced(self) -> str:
        """Annotations outside every utterance still get their element, so that counts equal the tables."""
        items: list[str] = []
        for table, pk, *_ in LAYERS:
            for r in self.tables.get(table, []):
                if (table, str(r[pk])) in self.placed:
                    continue
                s, e = r["char_start"], max(r["char_end"], r["char_start"])
                claims = [r] if table == "claims" else []
                layer = next(x for x in LAYERS if x[0] == table)
                spans = [] if table == "claims" else [_Span(layer, r, s, e, 0)]
                items.append(f"<li>{self.region(s, e, claims, spans)}</li>")
        if not items:
            return ""
        return (
            '<section class="utt" aria-label="Outside the utterances"><h2 class="uh">'
            f'Outside the utterances</h2><ul>{"".join(items)}</ul></section>'
        )


# ------------------------------------------------------------------------------------------ page parts
def _css(n_lanes: int, n_types: int) -> str:
    """The stylesheet, with one underline lane per level of claim overlap and one pattern per claim type."""
    lanes = max(n_lanes, 1)
    rules = [_CSS]
    gradients = []
    for t in range(n_types + 1):
        colour = COLOURS[t % len(COLOURS)] if t < n_types else "#666"
        stops = PATTERN_STOPS[t % len(PATTERN_STOPS)] if t < n_types else (3, 3)
        if t % len(PATTERN_STOPS) == 3 and t < n_types:
            g = (f"repeating-linear-gradient(90deg,{colour} 0 9px,transparent 9px 12px,"
                 f"{colour} 12px 14px,transparent 14px 17px)")
        elif stops is None:
            g = f"linear-gradient({colour},{colour})"
        else:
            on, off = stops
            g = f"repeating-linear-gradient(90deg,{colour} 0 {on}px,transparent {on}px {on + off}px)"
        gradients.append(f"--g{t}:{g};--c{t}:{colour}")
    rules.append(":root{" + ";".join(gradients) + "}")
    images = ",".join(f"var(--l{k},none)" for k in range(lanes))
    positions = ",".join(f"0 calc(100% - {k * LANE_GAP}px)" for k in range(lanes))
    pad = lanes * LANE_GAP + 1
    rules.append(
        f".s{{background-image:{images};background-position:{positions};background-size:100% {LINE_PX}px;"
        f"background-repeat:no-repeat;padding-bottom:{pad}px;"
        "-webkit-box-decoration-break:clone;box-decoration-break:clone}"
    )
    rules.append(f".tx{{line-height:calc(1.55em + {pad}px)}}")
    for k in range(lanes):
        for t in range(n_types + 1):
            rules.append(f".k{k}-{t}{{--l{k}:var(--g{t})}}")
    for t in range(n_types + 1):
        rules.append(f".ty{t}{{border-color:var(--c{t})}}.ty{t} .g{{color:var(--c{t})}}")
    return "\n".join(rules)


def _select(fid: str, label: str, options: Iterable[tuple[str, str]], desc: str = "") -> str:
    opts = "".join(f'<option value="{_esc(v)}">{_esc(t)}</option>' for v, t in options)
    tip = f' title="{_esc(desc)}"' if desc else ""
    return f'<label{tip}><span>{_esc(label)}</span> <select id="{fid}">{opts}</select></label>'


def _controls(tables: dict[str, list[dict]], schemas: dict[str, dict]) -> str:
    layers = "".join(
        f'<label><input type="checkbox" checked data-layer="{table}"> {label} '
        f'<span class="n-count">({len(tables.get(table, []))})</span></label>'
        for table, _, _, _, label in LAYERS
    )
    mention_n: dict[str, int] = {}
    for m in tables.get("mentions", []):
        mention_n[m.get("actor_id")] = mention_n.get(m.get("actor_id"), 0) + 1
    actors = sorted(tables.get("actors", []), key=lambda a: (str(a.get("name", "")).lower(), a["actor_id"]))
    actor_opts = [("", "none")] + [
        (a["actor_id"], f"{a.get('name')} ({mention_n.get(a['actor_id'], 0)})") for a in actors
    ]
    actor = _select("f-actor", "Mark an actor", actor_opts,
                    "Marks every mention of the actor (mentions in brackets) and every claim about it")
    claim_schema = schemas.get("claims", {})
    claims = tables.get("claims", [])
    filters = []
    for field in _enum_fields(claim_schema):
        counts: dict[str, int] = {}
        for c in claims:
            counts[str(c.get(field))] = counts.get(str(c.get(field)), 0) + 1
        opts = [("", "all")] + [(v, f"{v} ({counts.get(v, 0)})") for v in enum_values(claim_schema, field)]
        filters.append(_select(f"f-{field}", field.replace("_", " "), opts, _describe(claim_schema, field))
                       .replace("<select ", f'<select data-field="{_esc(field)}" ', 1))
    return (
        '<div id="controls" role="group" aria-label="Display controls">'
        f'<fieldset><legend>Layers</legend>{layers}</fieldset>'
        f'<fieldset><legend>Actor</legend>{actor}</fieldset>'
        f'<fieldset class="cf"><legend>Claims</legend>{"".join(filters)}'
        '<button type="button" id="f-reset">Show all</button></fieldset>'
        '<p id="status" role="status" aria-live="polite"></p></div>'
    )


def _legend(schemas: dict[str, dict], n_types: int) -> str:
    claim_schema = schemas.get("claims", {})
    items = []
    for t, value in enumerate(enum_values(claim_schema, "claim_type")):
        items.append(
            f'<li><span class="cm ty{t} sample" aria-hidden="true"><span class="g">{GLYPHS[t % len(GLYPHS)]}'
            f'</span>id</span> <span class="s k0-{t} sample" aria-hidden="true">claim text</span> '
            f"<b>{_esc(value)}</b> claim: {COLOUR_NAMES[t % len(COLOURS)]} "
            f"{PATTERNS[t % len(PATTERNS)]} underline, "
            f"{GLYPHS[t % len(GLYPHS)]} marker</li>"
        )
    desc = _esc(_describe(claim_schema, "claim_type"))
    return (
        '<details id="legend" open><summary><h2>Legend</h2></summary>'
        f'<ul class="lg"><li class="lg-h" title="{desc}">A marker with its id opens each claim where it '
        "starts; underlines below the text show its extent, one line per overlapping claim.</li>"
        + "".join(items)
        + '<li><span class="m sample">mention</span> mention of an actor (boxed, solid); '
        '<span class="m sample"><span class="m">nested</span> mention</span> inside another</li>'
        '<li><span class="d sample">date</span> temporal expression (boxed, dashed)</li>'
        '<li><span class="n sample">noted words</span> editorial note (wavy underline and dagger)</li>'
        '<li><span class="s sel sample">selected claim</span> text of the open claim (blue); '
        '<span class="cur-sample">open item</span> thick black outline</li>'
        '<li><span class="m hit sample">actor</span> mention of the marked actor '
        '(yellow, bold, thick frame); '
        '<span class="s ahit sample">claim text</span> claim about it (pale yellow, marker starred ☆)</li>'
        "</ul></details>"
    )


def _appendix(r: _Renderer) -> str:
    """Printable list of claims and notes, so a printout keeps what the panel shows."""
    claim_schema = r.schemas.get("claims", {})
    enums = _enum_fields(claim_schema)
    rows = []
    for c in r.tables.get("claims", []):
        cid = str(c["claim_id"])
        vals = " · ".join(str(c[f]) for f in enums if c.get(f) is not None)
        src = r.actor_name(c.get("source_id"))
        spk = r.actor_name(c.get("speaker_id"))
        who = spk if src == spk else f"{spk}, after {src}"
        rows.append(
            f'<tr><th scope="row"><a href="#{_esc(cid)}" data-ref="{_esc(cid)}">{_esc(cid)}</a></th>'
            f"<td>{_esc(c.get('paraphrase') or '')}</td><td>{_esc(vals)}</td><td>{_esc(who)}</td></tr>"
        )
    notes = []
    for n in r.tables.get("notes", []):
        nid = str(n["note_id"])
        notes.append(
            f'<tr><th scope="row"><a href="#{_esc(nid)}" data-ref="{_esc(nid)}">{_esc(nid)}</a></th>'
            f"<td>{_esc(n.get('surface') or '')}</td><td>{_esc(n.get('note_type') or '')}</td>"
            f"<td>{_esc(n.get('suggestion') or '')}</td><td>{_esc(n.get('explanation') or '')}</td></tr>"
        )
    head = " · ".join(f.replace("_", " ") for f in enums)
    return (
        '<section id="appendix" aria-labelledby="app-h"><h2 id="app-h">All claims</h2>'
        '<table><thead><tr><th scope="col">id</th><th scope="col">paraphrase</th>'
        f'<th scope="col">{_esc(head)}'
        f'</th><th scope="col">speaker</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        '<h2>All notes</h2><table><thead><tr><th scope="col">id</th><th scope="col">span</th>'
        '<th scope="col">type</th><th scope="col">suggestion</th><th scope="col">explanation</th>'
        '</tr></thead>'
        f'<tbody>{"".join(notes)}</tbody></table></section>'
    )


def _document_meta(tables: dict[str, list[dict]], schemas: dict[str, dict], r: _Renderer) -> str:
    docs = tables.get("documents", [])
    if not docs:
        return ""
    schema = schemas.get("documents", {})
    fks = _foreign_keys(schemas).get("documents", {})
    items = []
    for col in _columns(docs, schema):
        value = docs[0].get(col)
        if value is None:
            shown = "—"
        elif fks.get(col, [""])[0] == "actors":
            shown = _esc(r.actor_name(value))
        elif isinstance(value, _dt.date):
            shown = _esc(value.isoformat())
        else:
            shown = _esc(value)
        tip = _esc(_describe(schema, col))
        items.append(f'<div><dt title="{tip}">{_esc(col)}</dt><dd>{shown}</dd></div>')
    return f'<details class="meta"><summary>About this document</summary><dl>{"".join(items)}</dl></details>'


def _data(tables: dict[str, list[dict]], schemas: dict[str, dict], r: _Renderer) -> dict:
    fields = {
        name: {fd["name"]: {"description": fd.get("description", ""), "enum": enum_values(schema, fd["name"])}
               for fd in schema.get("fields", [])}
        for name, schema in schemas.items()
    }
    return {
        "columns": {name: _columns(rows, schemas.get(name, {})) for name, rows in tables.items()},
        "fields": fields,
        "fk": _foreign_keys(schemas),
        "lanes": r.n_lanes,
        "pk": {name: (s.get("primaryKey") if isinstance(s.get("primaryKey"), list) else [s.get("primaryKey")])
               for name, s in schemas.items() if s.get("primaryKey")},
        "tables": tables,
        "titles": {name: s.get("title", name) for name, s in schemas.items()},
        "types": r.claim_types,
    }


def render(text: str, tables: dict[str, list[dict]], schemas: dict[str, dict], title: str) -> str:
    """The whole reader page as one HTML string: same input, same bytes."""
    r = _Renderer(text, tables, schemas)
    body = r.utterances()
    n_types = len(r.claim_types)
    counts = ", ".join(f"{len(tables.get(t, []))} {label.lower()}" for t, _, _, _, label in LAYERS)
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_esc(title)}</title><style>\n{_css(r.n_lanes, n_types)}\n</style></head>\n<body>",
        '<a class="skip" href="#text">Skip to the text</a> '
        '<a class="skip" href="#details">Skip to details</a>',
        f'<header><h1>{_esc(title)}</h1><p class="sub">Annotated reader: {_esc(counts)}. '
        "Select any marked item, with the mouse or with Tab and Enter, to see all of its attributes.</p>",
        _document_meta(tables, schemas, r),
        _controls(tables, schemas),
        _legend(schemas, n_types),
        '</header>\n<div class="wrap"><main id="text" tabindex="-1" aria-label="Annotated text">',
        body,
        "</main>\n",
        '<aside id="details" tabindex="-1" aria-labelledby="details-h" aria-live="polite">'
        '<button type="button" id="close" aria-label="Close the details">Close ✕</button>'
        '<h2 id="details-h">Details</h2><div id="details-body"><p class="hint">Select a claim marker, '
        "a mention, a date or a noted span to see its attributes here.</p></div></aside></div>\n",
        _appendix(r),
        f'\n<script type="application/json" id="reader-data">{_json(_data(tables, schemas, r))}</script>\n',
        f"<script>\n{_JS}\n</script>\n</body></html>\n",
    ])


_CSS = r"""
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:17px/1.5 Georgia,"DejaVu Serif",serif;color:#1b1b1b;background:#fff}
header{max-width:84rem;margin:0 auto;padding:.6rem 1rem 0}
h1{font-size:1.35rem;margin:.4rem 0 .2rem;line-height:1.3}
.sub{margin:.1rem 0 .4rem;color:#444;font-size:.9rem}
.skip{position:absolute;left:-999px;top:0;background:#000;color:#fff;padding:.4rem .6rem;z-index:10}
.skip:focus{left:.5rem}
.meta{font:13px/1.4 "DejaVu Sans",Arial,sans-serif;margin:.2rem 0 .4rem}
.meta dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:.2rem 1rem;margin:.3rem 0}
.meta dt{font-weight:bold;display:inline}.meta dd{display:inline;margin:0 0 0 .4rem;overflow-wrap:anywhere}
#controls{display:flex;flex-wrap:wrap;gap:.3rem .6rem;align-items:flex-start;
 font:13px/1.4 "DejaVu Sans",Arial,sans-serif;border-top:1px solid #ccc;padding-top:.4rem}
#controls fieldset{border:1px solid #bbb;border-radius:4px;margin:0;padding:.15rem .5rem .35rem;
 display:flex;flex-wrap:wrap;gap:.2rem .7rem;align-items:center}
#controls legend{font-weight:bold;padding:0 .2rem}
#controls label{white-space:nowrap}
#controls select,#controls button{font:inherit;max-width:15rem}
#status{flex-basis:100%;margin:.1rem 0;min-height:1.2em;color:#333}
#legend{font:13px/1.5 "DejaVu Sans",Arial,sans-serif;border-bottom:1px solid #ccc;padding-bottom:.3rem}
#legend h2{font-size:13px;margin:.3rem 0 .1rem}
#close{float:right;font:13px "DejaVu Sans",sans-serif;margin-top:.3rem}
#details:not(.has) #close{display:none}
.lg{list-style:none;margin:0;padding:0;columns:2 30rem}
.lg li{break-inside:avoid;margin:.05rem 0}
.lg li{line-height:1.9}
.lg .s.sample{padding-bottom:6px;background-position:0 100%}
#legend summary{cursor:pointer}#legend summary h2{display:inline}
.sample{pointer-events:none}
.cur-sample{outline:3px solid #000;outline-offset:1px}
.wrap{max-width:84rem;margin:0 auto;padding:0 1rem;display:grid;
 grid-template-columns:minmax(0,1fr) minmax(17rem,25rem);gap:1.4rem;align-items:start}
main{min-width:0}
main:focus{outline:none}
.utt{margin:.9rem 0 1.1rem}
.uh{font:bold 13px/1.3 "DejaVu Sans",Arial,sans-serif;margin:0 0 .15rem;color:#333;text-transform:none}
.uh .kind{text-transform:uppercase;letter-spacing:.04em}
.uh .uid{font-weight:normal;color:#666;font-family:"DejaVu Sans Mono",monospace}
.uh .lbl{font-weight:normal;color:#666;font-style:italic}
.tx{margin:0;max-width:46rem}
.k-headline .tx{font-size:1.25rem;font-weight:bold}
.k-standfirst .tx{font-style:italic}
.k-question .tx{font-weight:bold;color:#222}
.cm{font:11px/1.15 "DejaVu Sans Mono",monospace;color:#222;background:#fff;border:1.5px solid #666;
 border-radius:3px;padding:0 .2em;margin:0 .15em 0 .05em;vertical-align:.35em;cursor:pointer;
 font-weight:normal;font-style:normal}
.cm .g{margin-right:.15em}
.cm.hit{background:#fff2a8;border-width:2.5px}
.cm.hit::after{content:"☆";margin-left:.1em}
.cm[hidden]{display:none}
.m,.d,.n{cursor:pointer}
.m{background:rgba(138,110,60,.10);border:1px solid rgba(110,85,40,.65);border-radius:3px;padding:0 1px}
.m .m{background:rgba(138,110,60,.20)}
.d{background:rgba(0,140,120,.09);border:1.5px dashed #00796b;border-radius:3px;padding:0 1px}
.n{text-decoration:underline wavy #a0522d;text-decoration-thickness:1.5px;text-underline-offset:2px}
.n:not(.cont)::after{content:"†";font:bold 11px "DejaVu Sans",sans-serif;color:#a0522d;vertical-align:.5em;
 margin-left:1px}
.m.hit{background:#ffd84d;border:2.5px solid #5c4300;font-weight:bold}
.s.ahit{background-color:#fff6c2}
.s.sel{background-color:#d3e5ff}
.cur{outline:3px solid #000;outline-offset:1px}
:focus-visible{outline:3px solid #1a56db;outline-offset:2px}
.no-claims .cm{display:none}.no-claims .s{background-image:none;padding-bottom:0}
.no-claims .s.sel,.no-claims .s.ahit{background-color:transparent}
.no-mentions .m{background:none;border-color:transparent;font-weight:inherit;cursor:auto}
.no-dates .d{background:none;border-color:transparent;cursor:auto}
.no-notes .n{text-decoration:none;cursor:auto}.no-notes .n::after{content:none}
#details{position:sticky;top:.5rem;max-height:calc(100vh - 1rem);overflow:auto;
 font:14px/1.45 "DejaVu Sans",Arial,sans-serif;border:1px solid #bbb;border-radius:6px;
 padding:.3rem .8rem .8rem;margin-top:.9rem;background:#fcfcfc}
#details h2{font-size:15px;margin:.3rem 0}
#details h3{font-size:13px;margin:.7rem 0 .2rem;text-transform:uppercase;letter-spacing:.04em;color:#444}
#details blockquote{margin:.3rem 0;padding:.2rem .6rem;border-left:4px solid #888;
 font:15px/1.45 Georgia,serif}
#details .expl{color:#444}
#details dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem .6rem;margin:.2rem 0}
#details dt{font-weight:bold;color:#333;cursor:help}
#details dd{margin:0;overflow-wrap:anywhere}
#details .null{color:#888}
#details ul{margin:.2rem 0;padding-left:1.1rem}
#details .hint{color:#555}
.ln{font:inherit;color:#0b4fa8;background:none;border:0;padding:0;text-decoration:underline;cursor:pointer;
 text-align:left}
.chip{display:inline-block;margin:0 .3rem .2rem 0}
mark{background:#ffe08a;padding:0 1px}
#appendix{max-width:84rem;margin:1.5rem auto;padding:0 1rem;font:13px/1.4 "DejaVu Sans",Arial,sans-serif}
#appendix h2{font-size:15px}
#appendix table{border-collapse:collapse;width:100%}
#appendix th,#appendix td{border-top:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}
@media (max-width:60rem){
 .wrap{grid-template-columns:minmax(0,1fr)}
 #details{position:sticky;top:auto;bottom:0;max-height:42vh;margin:0 -1rem;border-radius:0;
  border-width:2px 0 0;box-shadow:0 -3px 8px rgba(0,0,0,.15)}
 .lg{columns:1}
 #details:not(.has){max-height:5.5rem}
}
@media print{
 body{font-size:11pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .skip,#controls,#close{display:none}
 .meta{display:none}
 .wrap{display:block;max-width:none}
 #details{display:none}
 #details.has{display:block;position:static;max-height:none;border:1px solid #999;break-inside:avoid}
 .tx{max-width:none}
 .utt{break-inside:auto}
 .cm{border-width:1px}
 #appendix{max-width:none;break-before:page}
 #appendix tr{break-inside:avoid}
 a[data-ref]{color:#000;text-decoration:none}
}
"""

_JS = r"""
(function(){
"use strict";
var D=JSON.parse(document.getElementById("reader-data").textContent);
var T=D.tables, PK={}, BY={};
var LAYER={claims:"data-claim-id",mentions:"data-mention-id",dates:"data-date-id",notes:"data-note-id"};
var OPENABLE=["claims","mentions","dates","notes","actors"];
Object.keys(D.pk).forEach(function(t){ if(D.pk[t].length===1){ PK[t]=D.pk[t][0]; } });
Object.keys(T).forEach(function(t){
  var k=PK[t]; if(!k){return;} BY[t]={};
  T[t].forEach(function(r){ BY[t][String(r[k])]=r; });
});
var body=document.getElementById("details-body"), panel=document.getElementById("details");
var status=document.getElementById("status");
var markers={};
document.querySelectorAll("[data-claim-id]").forEach(function(e){
  markers[e.getAttribute("data-claim-id")]=e;
});
var segs=[].slice.call(document.querySelectorAll(".s[data-c]"));
segs.forEach(function(s){ s._c=s.getAttribute("data-c").split(" "); });
var typeIndex=function(v){ var i=D.types.indexOf(v); return i<0?D.types.length:i; };
var state={actor:"", filters:{}, current:null};
var ENT={"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"};

function esc(v){ return String(v).replace(/[&<>"]/g,function(c){ return ENT[c]; }); }
function human(c){ return c.replace(/_/g," "); }
function el(table,id){
  var a=LAYER[table]; if(!a){return null;}
  return document.querySelector("["+a+'="'+CSS.escape(id)+'"]');
}
function find(id){
  for(var i=0;i<OPENABLE.length;i++){
    if(BY[OPENABLE[i]]&&BY[OPENABLE[i]][id]){ return OPENABLE[i]; }
  }
  return null;
}
function desc(table,f){ var x=(D.fields[table]||{})[f]; return x?x.description:""; }
function label(table,id){
  var r=(BY[table]||{})[id]; if(!r){return String(id);}
  if(table==="actors"){ return r.name||id; }
  if(table==="dates"){
    var span=r.earliest||r.latest?" ["+(r.earliest||"…")+" – "+(r.latest||"…")+"]":"";
    return id+" “"+r.surface+"” = "+(r.edtf||r.timex_value||"")+span;
  }
  if(table==="mentions"){ return "“"+r.surface+"”"; }
  if(table==="notes"){ return id+" ("+r.note_type+")"; }
  return String(id);
}
function openable(table,id){ return OPENABLE.indexOf(table)>=0&&BY[table]&&BY[table][id]; }
function link(table,id,text){
  var shown=text==null?label(table,id):text;
  if(!openable(table,id)){ return esc(shown); }
  return '<button type="button" class="ln" data-go="'+esc(table)+":"+esc(id)+'">'+esc(shown)+"</button>";
}
function fkOf(table,col){
  var fk=(D.fk[table]||{})[col];
  return fk&&PK[fk[0]]===fk[1]?fk[0]:null;
}
function value(table,col,v){
  if(v===null||v===undefined||v===""){ return '<span class="null">—</span>'; }
  var target=fkOf(table,col);
  return target?link(target,String(v)):esc(v);
}
function fieldList(table,row,skip){
  var h="<dl>";
  (D.columns[table]||Object.keys(row)).forEach(function(c){
    if(skip&&skip.indexOf(c)>=0){return;}
    h+='<dt title="'+esc(desc(table,c))+'">'+esc(human(c))+"</dt><dd>"+value(table,c,row[c])+"</dd>";
  });
  return h+"</dl>";
}
// rows of other tables that point at this entity through a foreign key
function referrers(table,id){
  var out=[];
  Object.keys(D.fk).sort().forEach(function(t){
    Object.keys(D.fk[t]).sort().forEach(function(f){
      var fk=D.fk[t][f]; if(fk[0]!==table||fk[1]!==PK[table]){return;}
      var rows=(T[t]||[]).filter(function(r){ return String(r[f])===String(id); });
      if(rows.length){ out.push({table:t,field:f,rows:rows}); }
    });
  });
  return out;
}
var SKIP=["char_start","char_end","utterance_id","sentence_id"];
function rowLine(t,f,r){
  // an openable row is a link (a claim with its paraphrase); a link-table row shows its other keys
  // as links, then its other columns
  if(openable(t,String(r[PK[t]]))){
    return link(t,String(r[PK[t]]))+(r.paraphrase?": "+esc(r.paraphrase):"");
  }
  var parts=[];
  (D.columns[t]||Object.keys(r)).forEach(function(c){
    if(c===f||r[c]===null||r[c]===undefined||SKIP.indexOf(c)>=0){return;}
    var target=fkOf(t,c);
    if(target){ parts.push(link(target,String(r[c]))); return; }
    parts.push('<span title="'+esc(desc(t,c))+'">'+esc(human(c))+": "+esc(r[c])+"</span>");
  });
  return parts.join(", ");
}
function overlapping(table,row){
  var out=[];
  ["claims","mentions","dates","notes"].forEach(function(t){
    if(t===table){return;}
    (T[t]||[]).forEach(function(r){
      if(r.char_start<row.char_end&&row.char_start<r.char_end){ out.push([t,r]); }
    });
  });
  return out;
}
function section(title,items){
  if(!items.length){ return ""; }
  return "<h3>"+esc(title)+"</h3><ul>"+items.map(function(x){ return "<li>"+x+"</li>"; }).join("")+"</ul>";
}
function refSections(table,id){
  var h="";
  referrers(table,id).forEach(function(g){
    var same=Object.keys(D.fk[g.table]).filter(function(f){ return D.fk[g.table][f][0]===table; }).length;
    var name=(D.titles[g.table]||g.table)+(same>1||g.table===table?" ("+human(g.field)+")":"");
    if(g.table==="mentions"){
      h+="<h3>"+esc(name)+" · "+g.rows.length+"</h3><p>"+g.rows.map(function(r){
        return '<span class="chip">'+link("mentions",r.mention_id)+"</span>";
      }).join("")+"</p>";
    } else {
      h+=section(name,g.rows.map(function(r){ return rowLine(g.table,g.field,r); }));
    }
  });
  return h;
}
function quoteHtml(row){
  var q=row.quote||row.surface||"", h=esc(q);
  ["hedge","reporting_cue"].forEach(function(k){
    var v=row[k];
    if(v&&q.indexOf(v)>=0){ h=h.replace(esc(v),'<mark title="'+human(k)+'">'+esc(v)+"</mark>"); }
  });
  return "<blockquote>"+h+"</blockquote>";
}
function claimNotes(row){
  return overlapping("claims",row).filter(function(x){ return x[0]==="notes"; }).map(function(x){
    var n=x[1];
    return link("notes",n.note_id)+": “"+esc(n.surface)+"” → "+esc(n.suggestion||"")+
      ' <span class="expl">'+esc(n.explanation||"")+"</span>";
  });
}
function show(table,id,opts){
  opts=opts||{};
  var row=(BY[table]||{})[id]; if(!row){return false;}
  var h="";
  if(table==="claims"){
    h+="<h2>Claim "+esc(id)+"</h2>"+quoteHtml(row);
    h+="<p><strong>"+esc(row.paraphrase||"")+"</strong></p>";
    h+=fieldList(table,row,["quote","paraphrase"]);
    h+=refSections(table,id);
    h+=section("Notes on its text",claimNotes(row));
  } else if(table==="actors"){
    h+="<h2>Actor: "+esc(row.name||id)+"</h2>";
    h+='<p><button type="button" class="ln" data-mark="'+esc(id)+'">'+
      "Mark its mentions and claims</button></p>";
    h+=fieldList(table,row);
    h+=refSections(table,id);
  } else {
    var names={mentions:"Mention",dates:"Date",notes:"Note"};
    h+="<h2>"+names[table]+" "+esc(id)+"</h2>"+quoteHtml(row)+fieldList(table,row);
    h+=refSections(table,id);
    var cl=overlapping(table,row).filter(function(x){ return x[0]==="claims"; });
    h+=section("Claims over this text",cl.map(function(x){
      return link("claims",x[1].claim_id)+": "+esc(x[1].paraphrase||"");
    }));
  }
  body.innerHTML=h;
  panel.classList.add("has");
  if(state.current){ state.current.classList.remove("cur"); }
  segs.forEach(function(s){ s.classList.remove("sel"); });
  var e=el(table,id);
  state.current=e;
  if(e){ e.classList.add("cur"); }
  if(table==="claims"){
    segs.forEach(function(s){ if(s._c.indexOf(id)>=0){ s.classList.add("sel"); } });
  }
  if(e&&opts.scroll){ e.scrollIntoView({block:"center"}); }
  if(opts.hash!==false){ history.replaceState(null,"","#"+encodeURIComponent(id)); }
  panel.scrollTop=0;
  return true;
}
function visibleClaim(cid){
  var r=BY.claims[cid]; if(!r){return false;}
  return Object.keys(state.filters).every(function(f){
    return !state.filters[f]||String(r[f])===state.filters[f];
  });
}
function paint(){
  var about={};
  (T.claim_actors||[]).forEach(function(l){
    if(state.actor&&l.actor_id===state.actor){ about[l.claim_id]=true; }
  });
  var shown=0, total=0;
  Object.keys(markers).forEach(function(cid){
    total++;
    var v=visibleClaim(cid); if(v){shown++;}
    markers[cid].hidden=!v;
    markers[cid].classList.toggle("hit",!!about[cid]);
  });
  segs.forEach(function(s){
    var cls=["s"], hit=false;
    s._c.forEach(function(cid){
      if(!visibleClaim(cid)){return;}
      cls.push("k"+markers[cid].getAttribute("data-lane")+"-"+typeIndex(BY.claims[cid].claim_type));
      if(about[cid]){hit=true;}
    });
    if(hit){cls.push("ahit");}
    if(s.classList.contains("sel")){cls.push("sel");}
    s.className=cls.join(" ");
  });
  var nm=0;
  document.querySelectorAll("[data-mention-id]").forEach(function(m){
    var h=!!state.actor&&m.getAttribute("data-actor-id")===state.actor;
    m.classList.toggle("hit",h); if(h){nm++;}
  });
  var msg=shown+" of "+total+" claims shown";
  if(state.actor){
    var nc=Object.keys(about).filter(visibleClaim).length;
    msg+="; "+label("actors",state.actor)+": "+nm+" mentions and "+nc+" claims marked";
  }
  status.textContent=msg;
}
function markActor(id){
  state.actor=id;
  document.getElementById("f-actor").value=id;
  paint();
}
function open(id,opts){
  var t=find(id); if(!t){return false;}
  return show(t,id,opts);
}
function fromHash(){
  var h=location.hash.slice(1); if(!h){return;}
  try{ h=decodeURIComponent(h); }catch(err){ return; }
  if(find(h)){ open(h,{scroll:true,hash:false}); }
}
var ANY="[data-claim-id],[data-mention-id],[data-date-id],[data-note-id],[data-cont]";
function activate(target){
  var a=target.closest(ANY);
  if(a&&a.hasAttribute("data-cont")){
    var p=a.getAttribute("data-cont").split(":");
    return show(p[0],p.slice(1).join(":"));
  }
  if(a){
    for(var t in LAYER){ if(a.hasAttribute(LAYER[t])){ return show(t,a.getAttribute(LAYER[t])); } }
  }
  var s=target.closest(".s[data-c]");
  if(s&&!document.body.classList.contains("no-claims")){
    // plain claim text: open the shortest visible claim over it
    var best=null;
    s._c.forEach(function(cid){
      var r=BY.claims[cid];
      if(visibleClaim(cid)&&(!best||r.char_end-r.char_start<best.char_end-best.char_start)){best=r;}
    });
    if(best){ return show("claims",best.claim_id); }
  }
  return false;
}
var main=document.getElementById("text");
main.addEventListener("click",function(ev){ if(activate(ev.target)){ ev.stopPropagation(); } });
main.addEventListener("keydown",function(ev){
  if((ev.key==="Enter"||ev.key===" ")&&ev.target.getAttribute("role")==="button"){
    ev.preventDefault(); activate(ev.target);
  }
});
panel.addEventListener("click",function(ev){
  var b=ev.target.closest("[data-go],[data-mark]"); if(!b){return;}
  if(b.hasAttribute("data-mark")){ markActor(b.getAttribute("data-mark")); return; }
  var p=b.getAttribute("data-go").split(":");
  show(p[0],p.slice(1).join(":"),{scroll:true});
});
document.getElementById("appendix").addEventListener("click",function(ev){
  var a=ev.target.closest("[data-ref]"); if(!a){return;}
  ev.preventDefault(); open(a.getAttribute("data-ref"),{scroll:true});
});
document.querySelectorAll("[data-layer]").forEach(function(cb){
  cb.addEventListener("change",function(){
    var t=cb.getAttribute("data-layer");
    document.body.classList.toggle("no-"+t,!cb.checked);
    if(t==="claims"){ return; }
    document.querySelectorAll("["+LAYER[t]+"]").forEach(function(e){ e.tabIndex=cb.checked?0:-1; });
  });
});
document.getElementById("f-actor").addEventListener("change",function(ev){ markActor(ev.target.value); });
document.querySelectorAll("select[data-field]").forEach(function(s){
  s.addEventListener("change",function(){ state.filters[s.getAttribute("data-field")]=s.value; paint(); });
});
var hint=body.innerHTML;
document.getElementById("close").addEventListener("click",function(){
  var back=state.current;
  body.innerHTML=hint; panel.classList.remove("has");
  if(back){ back.classList.remove("cur"); }
  segs.forEach(function(s){ s.classList.remove("sel"); });
  state.current=null;
  history.replaceState(null,"",location.pathname+location.search);
  if(back&&back.focus){ back.focus(); }
});
document.getElementById("f-reset").addEventListener("click",function(){
  state.filters={};
  document.querySelectorAll("select[data-field]").forEach(function(s){ s.value=""; });
  paint();
});
window.addEventListener("hashchange",fromHash);
paint();
fromHash();
})();
"""
