"""Self-contained annotated reader page: the transcript with every annotation layer in place.

Pure and deterministic. The layers, their styles, the filters, the legend and the details panel
all come from the registry (``rfi_umarov_2022.registry``), so a new span table appears without a
change here. The page's stylesheet and script are the files ``reader.css`` and ``reader.js``
beside this module (linted as CSS and JavaScript); the build inlines them with the data, so the
page loads nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022_build.reader.body import Body, esc
from rfi_umarov_2022_build.reader.model import (
    COLOUR_NAMES,
    COLOURS,
    GLYPHS,
    INLINE_STYLES,
    PATTERNS,
    Model,
)

LANE_GAP = 5  # px between stacked underlines
LINE_PX = 3  # px thickness of an underline
PATTERN_STOPS = [None, (7, 4), (2, 3), "dash-dot", (12, 4), (1, 2), (4, 8)]


def asset(name: str) -> str:
    """A packaged asset (reader.css, reader.js) as text."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _json(value: Any) -> str:
    """Compact, key-sorted JSON that is safe inside a <script> element."""
    out = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return out.replace("</", "<\\/").replace("<!--", "<\\!--")


def css(n_lanes: int, n_types: int) -> str:
    """The stylesheet: the static file, then one underline lane per level of overlap and one
    colour and line pattern per type of the underline layer."""
    lanes = max(n_lanes, 1)
    rules = [asset("reader.css").rstrip()]
    gradients = []
    for t in range(n_types + 1):
        colour = COLOURS[t % len(COLOURS)] if t < n_types else "#666"
        stops = PATTERN_STOPS[t % len(PATTERN_STOPS)] if t < n_types else (3, 3)
        if stops == "dash-dot":
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
    rules.append(f".s{{background-image:{images};background-position:{positions};"
                 f"background-size:100% {LINE_PX}px;background-repeat:no-repeat;padding-bottom:{pad}px;"
                 "-webkit-box-decoration-break:clone;box-decoration-break:clone}")
    rules.append(f".tx{{line-height:calc(1.55em + {pad}px)}}")
    rules += [f".k{k}-{t}{{--l{k}:var(--g{t})}}" for k in range(lanes) for t in range(n_types + 1)]
    rules += [f".ty{t}{{border-color:var(--c{t})}}.ty{t} .g{{color:var(--c{t})}}" for t in range(n_types + 1)]
    return "\n".join(rules)


def _select(fid: str, label: str, options: list[tuple[str, str]], desc: str = "", attrs: str = "") -> str:
    opts = "".join(f'<option value="{esc(v)}">{esc(t)}</option>' for v, t in options)
    tip = f' title="{esc(desc)}"' if desc else ""
    return f'<label{tip}><span>{esc(label)}</span> <select id="{fid}"{attrs}>{opts}</select></label>'


def controls(m: Model) -> str:
    toggles = "".join(
        f'<label><input type="checkbox" checked data-layer="{esc(layer.name)}"> {esc(layer.span.title)} '
        f'<span class="n-count">({len(m.rows(layer.name))})</span></label>' for layer in m.layers)
    marks = []
    for mark in m.marks:
        counts: dict[Any, int] = {}
        for layer, column in mark.spans:
            for row in m.rows(layer):
                counts[row[column]] = counts.get(row[column], 0) + 1
        key = registry.primary_key(m.schemas[mark.table])[0]
        rows = sorted(m.rows(mark.table), key=lambda r: (m.name_of(mark.table, r[key]).lower(), r[key]))
        options = [("", "none")] + [(r[key], f"{m.name_of(mark.table, r[key])} ({counts.get(r[key], 0)})")
                                    for r in rows]
        marks.append(_select(f"f-{mark.table}", mark.title, options,
                             "Marks every span that refers to it (their number in brackets) and every "
                             "underlined row linked to it", f' data-mark="{esc(mark.table)}"'))
    filters = []
    if m.underline is not None:
        schema = m.schemas[m.underline.name]
        for field, values in registry.enum_fields(schema):
            counts = {}
            for row in m.rows(m.underline.name):
                counts[str(row.get(field))] = counts.get(str(row.get(field)), 0) + 1
            options = [("", "all")] + [(v, f"{v} ({counts.get(v, 0)})") for v in values]
            filters.append(_select(f"f-{field}", field.replace("_", " "), options,
                                   registry.field(schema, field).get("description", ""),
                                   f' data-field="{esc(field)}"'))
    underline = esc(m.underline.span.title) if m.underline else ""
    return ('<div id="controls" role="group" aria-label="Display controls">'
            f'<fieldset><legend>Layers</legend>{toggles}</fieldset>'
            + (f'<fieldset><legend>Mark</legend>{"".join(marks)}</fieldset>' if marks else "")
            + (f'<fieldset class="cf"><legend>{underline}</legend>{"".join(filters)}'
               '<button type="button" id="f-reset">Show all</button></fieldset>' if filters else "")
            + '<p id="status" role="status" aria-live="polite"></p></div>')


def legend(m: Model) -> str:
    items = []
    if m.underline is not None:
        title = m.underline.span.title.lower()
        items.append(f'<li class="lg-h">A marker with its id opens each of the {esc(title)} where it '
                     "starts; underlines below the text show its extent, one line per overlap.</li>")
        for t, value in enumerate(m.types):
            glyph = GLYPHS[t % len(GLYPHS)]
            items.append(f'<li><span class="cm ty{t} sample" aria-hidden="true"><span class="g">{glyph}'
                         f'</span>id</span> <span class="s k0-{t} sample" aria-hidden="true">text</span> '
                         f"<b>{esc(value)}</b>: {COLOUR_NAMES[t % len(COLOURS)]} "
                         f"{PATTERNS[t % len(PATTERNS)]} underline, {glyph} marker</li>")
    for layer in m.inline:
        items.append(f'<li><span class="i i{layer.style} sample">{esc(layer.span.title.lower())}</span> '
                     f"{esc(layer.span.title)}: {INLINE_STYLES[layer.style]}</li>")
    items.append('<li><span class="s sel sample">selected text</span> text of the open item (blue); '
                 '<span class="cur-sample">open item</span> thick black outline; '
                 '<span class="i hit sample">marked</span> span of a marked entry (yellow, bold), '
                 '<span class="s ahit sample">text</span> underlined row linked to it (pale yellow, '
                 "marker starred ☆)</li>")
    return ('<details id="legend"><summary><h2>Legend</h2></summary>'
            f'<ul class="lg">{"".join(items)}</ul></details>')


def _free_text(m: Model, name: str) -> list[str]:
    """String fields of a layer beyond its keys, span text and categories (a paraphrase, a note)."""
    schema = m.schemas[name]
    skip = {*registry.primary_key(schema), *registry.column_links(name, schema),
            registry.span_table(name, schema).text, *(f for f, _ in registry.enum_fields(schema))}
    return [f["name"] for f in registry.fields(schema) if f["type"] == "string" and f["name"] not in skip]


def appendix(m: Model) -> str:
    """A printable table per layer that carries free text, so a printout keeps what the panel shows."""
    parts = []
    for layer in m.layers:
        extra = _free_text(m, layer.name)
        if not extra:
            continue
        enums = [f for f, _ in registry.enum_fields(m.schemas[layer.name])]
        rows = []
        for row in m.rows(layer.name):
            key = layer.span.row_id(row)
            values = " · ".join(str(row[f]) for f in enums if row.get(f) is not None)
            text = " — ".join(f"{f.replace('_', ' ')}: {row[f]}" for f in extra if row.get(f))
            rows.append(f'<tr><th scope="row"><a href="#{esc(key)}" data-ref="{esc(key)}">{esc(key)}</a></th>'
                        f"<td>{esc(row[layer.span.text])}</td><td>{esc(values)}</td><td>{esc(text)}</td></tr>")
        parts.append(f'<h2>All {esc(layer.span.title.lower())}</h2><div class="scroll"><table><thead><tr>'
                     '<th scope="col">id</th><th scope="col">text</th>'
                     f'<th scope="col">{esc(" · ".join(f.replace("_", " ") for f in enums))}</th>'
                     f'<th scope="col">{esc(", ".join(f.replace("_", " ") for f in extra))}</th></tr>'
                     f'</thead><tbody>{"".join(rows)}</tbody></table></div>')
    return f'<section id="appendix" aria-label="Every row">{"".join(parts)}</section>'


def document_meta(m: Model) -> str:
    """The fields of the one-row tables the unit table points at (the document)."""
    unit = registry.unit(m.schemas)
    items = []
    for table, _ in registry.column_links(unit.name, m.schemas[unit.name]).values():
        rows = m.rows(table)
        if len(rows) != 1:
            continue
        links = registry.column_links(table, m.schemas[table])
        for field in registry.fields(m.schemas[table]):
            value = rows[0].get(field["name"])
            shown = "—" if value is None else (m.name_of(links[field["name"]][0], value)
                                                if field["name"] in links else value)
            items.append(f'<div><dt title="{esc(field.get("description", ""))}">{esc(field["name"])}</dt>'
                         f"<dd>{esc(shown)}</dd></div>")
    if not items:
        return ""
    return f'<details class="meta"><summary>About this document</summary><dl>{"".join(items)}</dl></details>'


def render(text: str, tables: Mapping[str, list[dict[str, Any]]], schemas: Mapping[str, dict],
           title: str) -> str:
    """The whole reader page as one HTML string: same input, same bytes."""
    m = Model(text, tables, schemas)
    body = Body(m).units()
    counts = ", ".join(f"{len(m.rows(layer.name))} {layer.span.title.lower()}" for layer in m.layers)
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{esc(title)}</title><style>\n{css(m.n_lanes, len(m.types))}\n</style></head>\n<body>",
        '<a class="skip" href="#text">Skip to the text</a> '
        '<a class="skip" href="#details">Skip to details</a>',
        f'<header><h1>{esc(title)}</h1><p class="sub">Annotated reader: {esc(counts)}. '
        "Select any marked item, with the mouse or with Tab and Enter, to see all of its attributes.</p>",
        document_meta(m), controls(m), legend(m),
        '</header>\n<div class="wrap"><main id="text" tabindex="-1" aria-label="Annotated text">',
        body, "</main>\n",
        '<aside id="details" tabindex="-1" aria-labelledby="details-h" aria-live="polite">'
        '<button type="button" id="close" aria-label="Close the details">Close ✕</button>'
        '<h2 id="details-h">Details</h2><div id="details-body"><p class="hint">Select a marker or a '
        "marked span to see its attributes here.</p></div></aside></div>\n",
        appendix(m),
        f'\n<script type="application/json" id="reader-data">{_json(m.data())}</script>\n',
        f"<script>\n{asset('reader.js').rstrip()}\n</script>\n</body></html>\n",
    ])
