"""Inter-annotator agreement between the built dataset and a second, independent reading.

The first annotation is read from the built tables (``<data>/dataset/*.parquet``); the second
from YAML files (``claims.yaml``, ``mentions.yaml``, ``dates.yaml``) whose spans are given as
verbatim text plus a 1-based ``occurrence`` inside the utterance text. The script locates every
second-reading span itself, then computes:

* span agreement for claims, mentions and dates, the first annotation as reference: precision,
  recall and F1 for exact matches (same start and end) and for overlap matches (one-to-one,
  greedy on the largest overlap in characters, ties broken by Jaccard and then by position);
* label agreement on overlap-matched mentions (actor, mention type) and dates (TIMEX3 value and
  modifier, EDTF, granularity, anchor type, bounds);
* for overlap-matched claims, percent agreement and Krippendorff's alpha for every attribute
  (nominal; ordinal for certainty) and for actor roles (one item per claim and actor present in
  either reading, the value being the role or ``absent``), with bootstrap 95% intervals obtained
  by resampling matched claims (fixed seed).

A second reading may carry re-annotated fields in ``round2_<field>.yaml`` files: ``layer``
(``claims`` or ``dates``), ``field`` (a claim attribute, ``actor_roles`` for the mapping actor ->
role, or ``bounds`` for the pair [earliest, latest] of a date) and ``values`` (id -> value).
``--cited-in`` names the codebook the second annotator read; claims cited there by id (``c001``)
were visible to that annotator as worked examples, so claim attributes are also reported on the
matched claims that it does not cite. With ``--baseline`` the script measures two
rounds: round 1 compares the baseline build with the second reading as made; round 2 compares
the ``--data`` build with the second reading after the round-2 files are applied.

``--links`` names a folder with a blind second reading of the links added in 0.3.0
(``second_links.yaml``: ``claim_dates`` claim -> {date: relation}, ``frame_claim`` claim ->
frame claim, made on the given claims and dates, and ``codebook_extract.md``, what that reader
saw). The links are compared with the ``--data`` build: pair P/R/F1 for claim-date links,
agreement and alpha for the relation of matched pairs (one group per claim) and for the frame of
reported claims, also apart for the claims the extract does not cite.

Outputs ``agreement.json`` (every figure and every disagreement) and ``agreement.md`` (tables) in
``--out``. Both are deterministic.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml

SEED = 20220914
REPS = 1000

#: The second reading named mention types from the codebook's prose; the schema's closed list is
#: name, alias, metonym, demonym, description. Spelling variants and short names are aliases.
MENTION_TYPE_MAP: dict[str, str] = {"variant": "alias", "short_name": "alias"}

#: Ordinal scale of certainty, lowest commitment first.
CERTAINTY_ORDER: tuple[str, ...] = ("doubtful", "possible", "probable", "certain")

#: Claim attributes compared on matched claims, with their level of measurement.
CLAIM_FIELDS: tuple[tuple[str, str], ...] = (
    ("claim_type", "nominal"),
    ("certainty", "ordinal"),
    ("polarity", "nominal"),
    ("time_orientation", "nominal"),
    ("topic", "nominal"),
    ("source_id", "nominal"),
    ("reported", "nominal"),
)
MENTION_FIELDS: tuple[str, ...] = ("actor_id", "mention_type")
DATE_FIELDS: tuple[str, ...] = (
    "timex_value", "timex_mod", "edtf", "granularity", "anchor_type", "earliest", "latest", "bounds",
)


@dataclass
class Span:
    """One annotated span with its attributes."""

    key: str
    start: int
    end: int
    text: str
    attrs: dict[str, Any] = field(default_factory=dict)


def _clean(value: Any) -> Any:
    """Turn pandas/NumPy missing values into None and dates into ISO strings."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def find_occurrence(text: str, needle: str, occurrence: int | None) -> int:
    """Return the offset of the ``occurrence``-th (1-based) match of ``needle`` in ``text``.

    Matches are counted at every position, overlapping ones included. Without an occurrence the
    needle must occur exactly once.
    """
    hits: list[int] = []
    i = text.find(needle)
    while i != -1:
        hits.append(i)
        i = text.find(needle, i + 1)
    if not hits:
        raise ValueError(f"not found: {needle!r}")
    if occurrence is None:
        if len(hits) > 1:
            raise ValueError(f"ambiguous without occurrence: {needle!r}")
        return hits[0]
    if occurrence > len(hits):
        raise ValueError(f"occurrence {occurrence} too high: {needle!r}")
    return hits[occurrence - 1]


# --- reading --------------------------------------------------------------------------------


def read_first(data: Path) -> dict[str, list[Span]]:
    """Read claims, mentions and dates of the first annotation from the built tables."""
    ds = data / "dataset"
    transcript = (ds / "source" / "transcript.txt").read_text(encoding="utf-8")
    claims = pd.read_parquet(ds / "claims.parquet")
    roles = pd.read_parquet(ds / "claim_actors.parquet")
    mentions = pd.read_parquet(ds / "mentions.parquet")
    dates = pd.read_parquet(ds / "dates.parquet")
    by_claim: dict[str, dict[str, str]] = {}
    for r in roles.itertuples(index=False):
        by_claim.setdefault(r.claim_id, {})[r.actor_id] = r.role
    out: dict[str, list[Span]] = {"claims": [], "mentions": [], "dates": []}
    for r in claims.to_dict("records"):
        attrs = {k: _clean(r[k]) for k, _ in CLAIM_FIELDS if k != "reported"}
        attrs["reported"] = _clean(r["reporting_cue"]) is not None
        attrs["actors"] = by_claim.get(r["claim_id"], {})
        out["claims"].append(Span(r["claim_id"], int(r["char_start"]), int(r["char_end"]), r["quote"], attrs))
    for r in mentions.to_dict("records"):
        attrs = {"actor_id": r["actor_id"], "mention_type": r["mention_type"]}
        span = Span(r["mention_id"], int(r["char_start"]), int(r["char_end"]), r["surface"], attrs)
        out["mentions"].append(span)
    for r in dates.to_dict("records"):
        attrs = {k: _clean(r[k]) for k in DATE_FIELDS if k != "bounds"}
        out["dates"].append(Span(r["date_id"], int(r["char_start"]), int(r["char_end"]), r["surface"], attrs))
    for layer in out.values():
        for s in layer:
            if transcript[s.start:s.end] != s.text:
                raise ValueError(f"{s.key}: offsets do not give {s.text!r}")
    return out


def read_second(second: Path, data: Path, overrides: bool) -> dict[str, list[Span]]:
    """Read the second reading and locate its spans in the utterances of ``data``.

    With ``overrides``, every ``round2_<field>.yaml`` in ``second`` replaces that claim field.
    """
    utt = pd.read_parquet(data / "dataset" / "utterances.parquet")
    texts = {r.utterance_id: (int(r.char_start), r.text) for r in utt.itertuples(index=False)}

    def locate(uid: str, needle: str, occurrence: int | None) -> tuple[int, int]:
        base, text = texts[uid]
        start = base + find_occurrence(text, needle, occurrence)
        return start, start + len(needle)

    claims = yaml.safe_load((second / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    patches: dict[str, dict[str, dict[str, Any]]] = {"claims": {}, "dates": {}}
    if overrides:
        for path in sorted(second.glob("round2_*.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            name = doc.get("field", path.stem.removeprefix("round2_"))
            patches[doc.get("layer", "claims")][name] = doc["values"]
    out: dict[str, list[Span]] = {"claims": [], "mentions": [], "dates": []}
    for c in claims:
        start, end = locate(c["utterance_id"], c["quote"], c.get("occurrence"))
        attrs = {k: c.get(k) for k, _ in CLAIM_FIELDS if k != "reported"}
        attrs["reported"] = c.get("reporting_cue") is not None
        attrs["actors"] = dict(c.get("actors") or {})
        for name, values in patches["claims"].items():
            if c["claim_id"] in values:
                attrs["actors" if name == "actor_roles" else name] = values[c["claim_id"]]
        out["claims"].append(Span(c["claim_id"], start, end, c["quote"], attrs))
    mentions = yaml.safe_load((second / "mentions.yaml").read_text(encoding="utf-8"))["mentions"]
    for i, m in enumerate(mentions, 1):
        start, end = locate(m["utterance_id"], m["surface"], m.get("occurrence"))
        mtype = MENTION_TYPE_MAP.get(m["mention_type"], m["mention_type"])
        out["mentions"].append(Span(f"m{i:03d}", start, end, m["surface"],
                                    {"actor_id": m["actor_id"], "mention_type": mtype}))
    dates = yaml.safe_load((second / "dates.yaml").read_text(encoding="utf-8"))["dates"]
    for d in dates:
        start, end = locate(d["utterance_id"], d["surface"], d.get("occurrence"))
        attrs = {k: d.get(k) for k in DATE_FIELDS if k != "bounds"}
        for name, values in patches["dates"].items():
            if d["date_id"] in values:
                if name == "bounds":
                    attrs["earliest"], attrs["latest"] = values[d["date_id"]]
                else:
                    attrs[name] = values[d["date_id"]]
        out["dates"].append(Span(d["date_id"], start, end, d["surface"], attrs))
    return out


def normalise_dates(spans: Iterable[Span]) -> None:
    """Make date attributes comparable: a null granularity (no unit named) is the value
    'unspecified'; bounds as a pair."""
    for s in spans:
        if s.attrs.get("granularity") is None:
            s.attrs["granularity"] = "unspecified"
        for k in ("earliest", "latest"):
            v = s.attrs.get(k)
            s.attrs[k] = None if v is None else str(v)
        s.attrs["bounds"] = f"{s.attrs['earliest']}/{s.attrs['latest']}"


# --- span agreement -------------------------------------------------------------------------


def overlap(a: Span, b: Span) -> int:
    """Characters shared by two spans."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def match_overlap(first: Sequence[Span], second: Sequence[Span]) -> list[tuple[Span, Span]]:
    """One-to-one greedy matching of overlapping spans, largest overlap first."""
    cands = []
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            o = overlap(a, b)
            if o:
                union = max(a.end, b.end) - min(a.start, b.start)
                cands.append((-o, -o / union, a.start, b.start, i, j))
    cands.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for *_, i, j in cands:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((first[i], second[j]))
    pairs.sort(key=lambda p: (p[0].start, p[0].end))
    return pairs


def prf(n_match: int, n_first: int, n_second: int) -> dict[str, Any]:
    """Precision (of the second), recall (of the first) and F1, with their counts."""
    p = n_match / n_second if n_second else 0.0
    r = n_match / n_first if n_first else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"matched": n_match, "first": n_first, "second": n_second,
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def span_agreement(first: Sequence[Span], second: Sequence[Span]) -> dict[str, Any]:
    """Exact and overlap span agreement, with the unmatched spans of each side."""
    exact_b = {(b.start, b.end) for b in second}
    n_exact = sum((a.start, a.end) in exact_b for a in first)
    pairs = match_overlap(first, second)
    ma = {id(a) for a, _ in pairs}
    mb = {id(b) for _, b in pairs}
    return {
        "exact": prf(n_exact, len(first), len(second)),
        "overlap": prf(len(pairs), len(first), len(second)),
        "only_first": [{"id": a.key, "text": a.text, "start": a.start} for a in first if id(a) not in ma],
        "only_second": [{"id": b.key, "text": b.text, "start": b.start} for b in second if id(b) not in mb],
        "boundary_differs": [
            {"first": a.key, "second": b.key, "first_text": a.text, "second_text": b.text}
            for a, b in pairs if (a.start, a.end) != (b.start, b.end)
        ],
    }


# --- label agreement ------------------------------------------------------------------------


def alpha(values: Sequence[tuple[Any, Any]], level: str, order: Sequence[str] | None = None) -> float | None:
    """Krippendorff's alpha for two coders; None where it is undefined (fewer than two values)."""
    if not values:
        return None
    cats = list(order) if order else sorted({str(v) for pair in values for v in pair})
    if len(cats) < 2 or len({v for pair in values for v in pair}) < 2:
        return None
    index = {c: k for k, c in enumerate(cats)}
    data = np.array([[index[str(a)] for a, _ in values], [index[str(b)] for _, b in values]], dtype=float)
    try:
        a = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level,
                                     value_domain=list(range(len(cats)))))
    except (ValueError, ZeroDivisionError):
        return None
    return None if math.isnan(a) else a


def percent(values: Sequence[tuple[Any, Any]]) -> float | None:
    """Share of items on which both readings agree."""
    return sum(a == b for a, b in values) / len(values) if values else None


Pairs = Sequence[tuple[Any, Any]]


def bootstrap(groups: Sequence[Pairs], stat: Callable[[list[tuple[Any, Any]]], float | None],
              seed: int = SEED, reps: int = REPS) -> tuple[float | None, float | None]:
    """95% percentile interval of ``stat``, resampling the groups (matched items) with replacement."""
    rng = np.random.default_rng(seed)
    n = len(groups)
    if not n:
        return None, None
    out = []
    for _ in range(reps):
        sample = [v for k in rng.integers(0, n, n) for v in groups[k]]
        s = stat(sample)
        if s is not None:
            out.append(s)
    if len(out) < reps // 2:
        return None, None
    lo, hi = np.percentile(out, [2.5, 97.5])
    return round(float(lo), 4), round(float(hi), 4)


def field_agreement(groups: Sequence[Sequence[tuple[Any, Any]]], level: str = "nominal",
                    order: Sequence[str] | None = None) -> dict[str, Any]:
    """Percent agreement and alpha with bootstrap intervals; one group per matched item."""
    flat = [v for g in groups for v in g]
    a = alpha(flat, level, order)
    p = percent(flat)
    return {
        "n_items": len(flat),
        "n_groups": len(groups),
        "level": level,
        "agreement": None if p is None else round(p, 4),
        "agreement_ci95": bootstrap(groups, percent),
        "alpha": None if a is None else round(a, 4),
        "alpha_ci95": bootstrap(groups, lambda s: alpha(s, level, order)),
    }


def role_pairs(a: Span, b: Span) -> list[tuple[str, str]]:
    """Role of each actor present in either reading of a matched claim ('absent' where missing)."""
    ra, rb = a.attrs["actors"], b.attrs["actors"]
    return [(ra.get(x, "absent"), rb.get(x, "absent")) for x in sorted(set(ra) | set(rb))]


def compare(first: dict[str, list[Span]], second: dict[str, list[Span]],
            cited: set[str] | None = None) -> dict[str, Any]:
    """All figures for one round; ``cited`` are first-annotation claim ids the second reader saw."""
    normalise_dates(first["dates"])
    normalise_dates(second["dates"])
    res: dict[str, Any] = {"spans": {}, "labels": {}, "disagreements": {}}
    for layer in ("claims", "mentions", "dates"):
        sa = span_agreement(first[layer], second[layer])
        res["spans"][layer] = {"exact": sa["exact"], "overlap": sa["overlap"]}
        res["disagreements"][f"{layer}_only_first"] = sa["only_first"]
        res["disagreements"][f"{layer}_only_second"] = sa["only_second"]
        res["disagreements"][f"{layer}_boundary"] = sa["boundary_differs"]
    for layer, fields in (("mentions", MENTION_FIELDS), ("dates", DATE_FIELDS)):
        pairs = match_overlap(first[layer], second[layer])
        res["labels"][layer] = {}
        for f in fields:
            groups = [[(a.attrs[f], b.attrs[f])] for a, b in pairs]
            res["labels"][layer][f] = field_agreement(groups)
            res["disagreements"][f"{layer}_{f}"] = [
                {"first": a.key, "second": b.key, "text": a.text, "first_value": a.attrs[f],
                 "second_value": b.attrs[f]} for a, b in pairs if a.attrs[f] != b.attrs[f]
            ]
    pairs = match_overlap(first["claims"], second["claims"])
    res["labels"]["claims"] = {}
    for f, level in CLAIM_FIELDS:
        order = CERTAINTY_ORDER if f == "certainty" else None
        groups = [[(a.attrs[f], b.attrs[f])] for a, b in pairs]
        res["labels"]["claims"][f] = field_agreement(groups, level, order)
        res["disagreements"][f"claims_{f}"] = [
            {"first": a.key, "second": b.key, "first_value": a.attrs[f], "second_value": b.attrs[f]}
            for a, b in pairs if a.attrs[f] != b.attrs[f]
        ]
    groups = [role_pairs(a, b) for a, b in pairs]
    res["labels"]["claims"]["actor_roles"] = field_agreement(groups)
    if cited is not None:
        rest = [(a, b) for a, b in pairs if a.key not in cited]
        sub: dict[str, Any] = {}
        for f, level in CLAIM_FIELDS:
            order = CERTAINTY_ORDER if f == "certainty" else None
            sub[f] = field_agreement([[(a.attrs[f], b.attrs[f])] for a, b in rest], level, order)
        sub["actor_roles"] = field_agreement([role_pairs(a, b) for a, b in rest])
        res["labels"]["claims_not_cited"] = sub
        res["cited_ids"] = sorted(cited)
    res["disagreements"]["claims_actor_roles"] = [
        {"first": a.key, "second": b.key, "first_value": a.attrs["actors"], "second_value": b.attrs["actors"]}
        for a, b in pairs if a.attrs["actors"] != b.attrs["actors"]
    ]
    res["claim_pairs"] = [[a.key, b.key] for a, b in pairs]
    return res


# --- report ---------------------------------------------------------------------------------


def link_agreement(data: Path, folder: Path) -> dict[str, Any]:
    """The links (claim_dates.relation, claims.frame_claim_id) against a blind second reading."""
    second = yaml.safe_load((folder / "second_links.yaml").read_text(encoding="utf-8"))
    cited = set(re.findall(r"\bc\d{3}\b", (folder / "codebook_extract.md").read_text(encoding="utf-8")))
    links = pq.read_table(data / "dataset" / "claim_dates.parquet").to_pylist()
    first_pairs = {(r["claim_id"], r["date_id"]): r["relation"] for r in links}
    second_pairs = {(c, d): rel for c, dates in (second.get("claim_dates") or {}).items()
                    for d, rel in dates.items()}
    claims = pq.read_table(data / "dataset" / "claims.parquet").to_pylist()
    first_frames = {c["claim_id"]: c["frame_claim_id"] for c in claims if c["reporting_cue"]}
    second_frames = second.get("frame_claim") or {}
    out: dict[str, Any] = {}
    for subset, keep in (("all", lambda claim_id: True), ("not_cited", lambda c: c not in cited)):
        first = {k: v for k, v in first_pairs.items() if keep(k[0])}
        other = {k: v for k, v in second_pairs.items() if keep(k[0])}
        matched = sorted(set(first) & set(other))
        by_claim: dict[str, list[tuple[str, str]]] = {}
        for key in matched:
            by_claim.setdefault(key[0], []).append((first[key], other[key]))
        reported = sorted(c for c in set(first_frames) | set(second_frames) if keep(c))
        frames = [[(str(first_frames.get(c)), str(second_frames.get(c)))] for c in reported]
        out[subset] = {
            "pairs": {**prf(len(matched), len(first), len(other)),
                      "first_only": sorted(f"{c}/{d}" for c, d in set(first) - set(other)),
                      "second_only": sorted(f"{c}/{d}" for c, d in set(other) - set(first))},
            "relation": {**field_agreement(list(by_claim.values())),
                         "disagreements": [f"{c}/{d}: {first[(c, d)]} vs {other[(c, d)]}"
                                           for c, d in matched if first[(c, d)] != other[(c, d)]]},
            "frame": field_agreement(frames),
        }
    return out


def render_links(links: dict[str, Any]) -> list[str]:
    """Markdown for the link agreement."""
    lines = ["", "## Links added in 0.3.0 (blind second reading of the links, on the given claims and "
             "dates)", "",
             "| subset | claim-date pairs: matched / first / second | F1 | relation: n | relation: "
             "agreement [95% CI] | relation: alpha | frames: n | frames: agreement | frames: alpha |",
             "|" + "---|" * 9]
    for subset, title in (("all", "all claims"), ("not_cited", "claims not cited in the extract")):
        x = links[subset]
        pairs, rel, frame = x["pairs"], x["relation"], x["frame"]
        lines.append(
            f"| {title} | {pairs['matched']} / {pairs['first']} / {pairs['second']} | {_fmt(pairs['f1'])} | "
            f"{rel['n_items']} | {_fmt(rel['agreement'], True)}{_ci(rel['agreement_ci95'], True)} | "
            f"{_fmt(rel['alpha'])}{_ci(rel['alpha_ci95'])} | {frame['n_items']} | "
            f"{_fmt(frame['agreement'], True)} | {_fmt(frame['alpha'])} |")
    x = links["all"]
    lines += ["", f"Pairs only in the first annotation: {', '.join(x['pairs']['first_only']) or 'none'}; "
              f"only in the second: {', '.join(x['pairs']['second_only']) or 'none'}; relation "
              f"disagreements: {', '.join(x['relation']['disagreements']) or 'none'}."]
    return lines


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{100 * x:.1f}%" if pct else f"{x:.2f}"


def _ci(ci: Sequence[float | None], pct: bool = False) -> str:
    if ci[0] is None:
        return ""
    return f" [{_fmt(ci[0], pct)}, {_fmt(ci[1], pct)}]"


def render(rounds: dict[str, dict[str, Any]]) -> str:
    """Markdown tables, one column group per round."""
    names = list(rounds)
    lines = ["# Agreement between the first annotation and the second reading", "",
             "Generated by `scripts/agreement.py`; figures in `agreement.json`. Span P/R/F1 take the "
             "first annotation as reference (precision = share of the second reading's spans that "
             "match; recall = share of the first's). Overlap matching is one-to-one, greedy on the "
             "largest overlap. Attribute figures are on overlap-matched items; 95% intervals from "
             f"{REPS} bootstrap resamples of matched items (seed {SEED}).", "", "## Spans", ""]
    head = "| layer | match | " + " | ".join(f"{r}: matched / first / second | {r}: P | {r}: R | {r}: F1"
                                             for r in names) + " |"
    if len(names) > 1:
        lines[-4:-4] = ["", "Round 2 is not an independent measure: it compares the first annotation after "
                        "adjudication with the second reading after its round-2 files, and one adjudication "
                        "step changed both. It shows how consistently the revised rules were applied.", ""]
    lines += [head, "|" + "---|" * (2 + 4 * len(names))]
    for layer in ("claims", "mentions", "dates"):
        for kind in ("exact", "overlap"):
            cells = []
            for r in names:
                s = rounds[r]["spans"][layer][kind]
                cells += [f"{s['matched']} / {s['first']} / {s['second']}", _fmt(s["precision"]),
                          _fmt(s["recall"]), _fmt(s["f1"])]
            lines.append(f"| {layer} | {kind} | " + " | ".join(cells) + " |")
    titles = {"claims": "matched claims", "claims_not_cited": "matched claims not cited in the codebook "
              "the second reader saw", "mentions": "matched mentions", "dates": "matched dates"}
    for layer in [k for k in titles if k in rounds[names[0]]["labels"]]:
        lines += ["", f"## Attributes of {titles[layer]}", ""]
        head = "| field | " + " | ".join(f"{r}: n | {r}: agreement [95% CI] | {r}: alpha [95% CI]"
                                         for r in names) + " |"
        lines += [head, "|" + "---|" * (1 + 3 * len(names))]
        for f in rounds[names[0]]["labels"][layer]:
            cells = []
            for r in names:
                s = rounds[r]["labels"][layer][f]
                n = f"{s['n_items']}"
                if s["n_items"] != s["n_groups"]:
                    n += f" ({s['n_groups']} claims)"
                level = " (ordinal)" if s["level"] == "ordinal" else ""
                cells += [n, _fmt(s["agreement"], True) + _ci(s["agreement_ci95"], True),
                          _fmt(s["alpha"]) + _ci(s["alpha_ci95"]) + level]
            lines.append(f"| {f} | " + " | ".join(cells) + " |")
    lines += ["", "n/a: alpha is undefined when the readings use a single value between them.", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("."), help="folder holding dataset/*.parquet")
    ap.add_argument("--second", type=Path, default=Path("quality/second_reading"))
    ap.add_argument("--baseline", type=Path, default=None,
                    help="folder of the build measured in round 1 (then --data is round 2)")
    ap.add_argument("--out", type=Path, default=Path("quality"))
    ap.add_argument("--links", type=Path, default=None,
                    help="folder of the blind second reading of the 0.3.0 links (second_links.yaml)")
    ap.add_argument("--links-data", type=Path, default=None,
                    help="build the links are compared with (default: --data)")
    ap.add_argument("--cited-in", type=Path, default=None,
                    help="codebook the second annotator read (claim ids cited there are reported apart)")
    args = ap.parse_args(argv)
    cited = None
    if args.cited_in is not None:
        cited = set(re.findall(r"\bc\d{3}\b", args.cited_in.read_text(encoding="utf-8")))
    rounds: dict[str, dict[str, Any]] = {}
    if args.baseline is not None:
        rounds["round 1"] = compare(read_first(args.baseline), read_second(args.second, args.baseline, False),
                                    cited)
        rounds["round 2"] = compare(read_first(args.data), read_second(args.second, args.data, True), cited)
    else:
        rounds["round 1"] = compare(read_first(args.data), read_second(args.second, args.data, False), cited)
    meta = {"seed": SEED, "bootstrap_reps": REPS, "mention_type_map": MENTION_TYPE_MAP,
            "certainty_order": list(CERTAINTY_ORDER),
            "round2_files": sorted(p.name for p in args.second.glob("round2_*.yaml"))}
    args.out.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {"meta": meta, "rounds": rounds}
    markdown = render(rounds)
    if args.links is not None:
        doc["links"] = link_agreement(args.links_data or args.data, args.links)
        markdown = markdown.rstrip("\n") + "\n" + "\n".join(render_links(doc["links"])) + "\n"
    text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (args.out / "agreement.json").write_text(text, encoding="utf-8")
    (args.out / "agreement.md").write_text(markdown, encoding="utf-8")


if __name__ == "__main__":
    main()
