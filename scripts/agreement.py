"""The agreement study: every blind second reading scored by the package's scorer.

Each second reading is turned into predictions (its quotes placed in the text by the build's
own ``locate``) and scored with ``rfi_umarov_2022.score`` against the build it was compared
with, the second reading playing the system:

- round 1: every layer (claims with their actors, mentions, dates) against the first annotation
  as audited (the build of ``--round1``);
- round 2: the same reading with the fields re-annotated after round 1 (``round2_*.yaml``),
  against the adjudicated annotation (the build of ``--round2``);
- links: the claim-date links and frames of reported claims, on the given claims and dates
  (the build of ``--links``);
- roles: the claim actors and roles of round 3, on the given claims (the build of ``--roles``);
- notes and cues: the editorial notes, and the hedge and reporting-cue spans of the given
  claims (the build of ``--notes-cues``);
- events: the event mentions, the events they refer to and the claims' events, against the
  build they were read on (``--events``). The reader named its own events: each is mapped to
  the gold event that most of its matched mentions refer to (ties: the first in the registry),
  and event fields are compared on the mapped pairs.

Claims cited by id in the codebook a reader saw were worked examples for it: claim metrics are
also given on the other claims (subset ``not cited``). Writes ``agreement.json`` (tidy rows)
and ``agreement.md`` into ``--out``; both are deterministic. Needs a checkout (the build's
``locate``) and PyYAML.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

import rfi_umarov_2022 as ds
from rfi_umarov_2022.scoring import match, stats
from rfi_umarov_2022.scoring.tables import gold as read_gold
from rfi_umarov_2022_build.spans import find_whole_words, locate

ROOT = Path(__file__).resolve().parent.parent
SECOND = ROOT / "quality" / "second_reading"
#: The round-1 reader named mention types from the codebook's prose; the schema's closed list
#: has no 'variant' or 'short_name': both are aliases.
MENTION_TYPES = {"variant": "alias", "short_name": "alias"}
CLAIM_FIELDS = ("claim_type", "certainty", "polarity", "time_orientation", "topic", "speaker_id",
                "source_id", "restates_claim_id")
DATE_FIELDS = ("timex_type", "timex_value", "timex_mod", "granularity", "anchor_type",
               "anchor_date_id", "earliest", "latest", "edtf")
EVENT_FIELDS = ("event_kind", "plover_type", "plover_mode", "plover_context", "parent_event_id")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def cited(codebook: Path) -> set[str]:
    return set(re.findall(r"\bc\d{3}\b", codebook.read_text(encoding="utf-8")))


class Placer:
    """Places a reader's quotes in the utterances of a build."""

    def __init__(self, build: Path | None) -> None:
        self.build = build
        tables = read_gold(build, ["utterances", "claims", "events", "event_mentions", "event_actors"])
        self.rows = tables.rows
        self.text = tables.text
        self.utterances = {u["utterance_id"]: u for u in tables.rows["utterances"]}
        self.claims = tables.rows["claims"]

    def span(self, utterance: str, quote: str, occurrence: int | None, whole_words: bool = False):
        u = self.utterances[utterance]
        if whole_words:
            return find_whole_words(self.text, quote, u["char_start"], u["char_end"])[(occurrence or 1) - 1]
        return locate(self.text, quote, u["char_start"], u["char_end"], occurrence)

    def given_claims(self, keep: set[str] | None = None) -> pd.DataFrame:
        """The build's claims as given to a reader: ids and spans only."""
        rows = [{k: c[k] for k in ("claim_id", "char_start", "char_end", "quote")} for c in self.claims
                if keep is None or c["claim_id"] in keep]
        return pd.DataFrame(rows)


def round_one(placer: Placer, overrides: bool) -> dict[str, dict[str, pd.DataFrame]]:
    """Predictions per layer from the round-1 second reading (with its round-2 fields)."""
    patches: dict[str, dict[str, Any]] = {}
    if overrides:
        for path in sorted(SECOND.glob("round2_*.yaml")):
            doc = load(path)
            patches[doc["field"]] = doc["values"]
    claims, actors = [], []
    for c in load(SECOND / "claims.yaml")["claims"]:
        start, end = placer.span(c["utterance_id"], c["quote"], c.get("occurrence"))
        claims.append({"claim_id": c["claim_id"], "char_start": start, "char_end": end,
                       "quote": c["quote"], **{f: c.get(f) for f in CLAIM_FIELDS}})
        roles = patches.get("actor_roles", {}).get(c["claim_id"], c.get("actors") or {})
        actors += [{"claim_id": c["claim_id"], "actor_id": a, "role": r} for a, r in roles.items()]
    mentions = []
    for i, m in enumerate(load(SECOND / "mentions.yaml")["mentions"], 1):
        start, end = placer.span(m["utterance_id"], m["surface"], m.get("occurrence"))
        mentions.append({"mention_id": f"m{i:03d}", "char_start": start, "char_end": end,
                         "surface": m["surface"], "actor_id": m["actor_id"],
                         "mention_type": MENTION_TYPES.get(m["mention_type"], m["mention_type"])})
    dates = []
    for d in load(SECOND / "dates.yaml")["dates"]:
        start, end = placer.span(d["utterance_id"], d["surface"], d.get("occurrence"))
        row = {"date_id": d["date_id"], "char_start": start, "char_end": end, "surface": d["surface"],
               **{f: d.get(f) for f in DATE_FIELDS}}
        if d["date_id"] in patches.get("bounds", {}):
            row["earliest"], row["latest"] = patches["bounds"][d["date_id"]]
        dates.append(row)
    return {"claims": {"claims": pd.DataFrame(claims), "claim_actors": pd.DataFrame(actors)},
            "mentions": {"mentions": pd.DataFrame(mentions)},
            "dates": {"dates": pd.DataFrame(dates).astype({"earliest": "string", "latest": "string"})}}


def links(placer: Placer) -> dict[str, dict[str, pd.DataFrame]]:
    second = load(SECOND / "links" / "second_links.yaml")
    claims = placer.given_claims()
    frames = second.get("frame_claim") or {}
    pairs = [{"claim_id": c, "date_id": d, "relation": r}
             for c, dates in (second.get("claim_dates") or {}).items() for d, r in dates.items()]
    framed = claims.copy()
    framed["frame_claim_id"] = [frames.get(c) for c in framed.claim_id]
    return {"claim_dates": {"claims": claims, "claim_dates": pd.DataFrame(pairs)},
            "frames": {"claims": framed}}


def frames_of_reported(placer: Placer) -> dict[str, Any]:
    """Frame agreement on the reported claims only (the scorer counts every claim)."""
    frames = load(SECOND / "links" / "second_links.yaml").get("frame_claim") or {}
    gold = {c["claim_id"]: c.get("frame_claim_id") for c in placer.claims}
    reported = sorted({c for c, f in gold.items() if f} | set(frames))
    pairs = [(gold.get(c), frames.get(c)) for c in reported]
    return {"metric": "accuracy:frame_claim_id (reported claims)", "value": stats.accuracy(pairs),
            "n": len(pairs), "ci_low": None, "ci_high": None}


def roles(placer: Placer) -> dict[str, pd.DataFrame]:
    second = load(SECOND / "roles_round3" / "second_roles.yaml")["claims"]
    rows = [{"claim_id": c, "actor_id": a, "role": r}
            for c, actors in second.items() for a, r in actors.items()]
    return {"claims": placer.given_claims(), "claim_actors": pd.DataFrame(rows)}


def events(placer: Placer) -> tuple[dict[str, dict[str, pd.DataFrame]], dict[str, Any]]:
    """Event-mention and claim-event predictions, with the reader's events mapped to gold ones."""
    second = load(SECOND / "events" / "second_events.yaml")
    rows = []
    for i, m in enumerate(second["mentions"], 1):
        start, end = placer.span(m["utterance_id"], m["surface"], m.get("occurrence"), whole_words=True)
        rows.append({"event_mention_id": f"s{i:03d}", "char_start": start, "char_end": end,
                     "surface": m["surface"], "timeml_class": m["timeml_class"],
                     "polarity": m["polarity"], "modality": m.get("modality"), "event_id": m["event_id"]})
    gold = placer.rows["event_mentions"]
    registry = [e["event_id"] for e in placer.rows["events"]]
    votes: dict[str, Counter[str]] = {}
    for i, j in match.overlap(gold, rows):
        votes.setdefault(rows[j]["event_id"], Counter())[gold[i]["event_id"]] += 1
    mapping = {e: min(v, key=lambda g: (-v[g], registry.index(g))) for e, v in votes.items()}
    for row in rows:
        row["event_id"] = mapping.get(row["event_id"], row["event_id"])
    unmapped = [e["event_id"] for e in second["events"] if e["event_id"] not in mapping]
    known = [row for row in rows if row["event_id"] in registry]  # the rest name no gold event
    links_ = [{"claim_id": x["claim_id"], "event_id": mapping[x["event_id"]], "relation": x["relation"]}
              for x in second["claim_events"] if x["event_id"] in mapping]
    predictions = {"event_mentions": {"event_mentions": pd.DataFrame(known)},
                   "claim_events": {"claims": placer.given_claims(), "claim_events": pd.DataFrame(links_)}}
    extra = {"mapping": mapping, "unmapped": unmapped,
             "mentions_of_unmapped_events": len(rows) - len(known),
             "events": event_fields(placer, second["events"], mapping)}
    return predictions, extra


def event_fields(placer: Placer, second: list[dict[str, Any]],
                 mapping: dict[str, str]) -> list[dict[str, Any]]:
    """Event fields and actors on mapped pairs (one pair per gold event: the first reader event
    mapped to it), by the scorer's statistics."""
    gold = {e["event_id"]: e for e in placer.rows["events"]}
    gold_actors = {(r["event_id"], r["actor_id"]): r["role"] for r in placer.rows["event_actors"]}
    pairs = {}
    for e in second:
        if e["event_id"] in mapping and mapping[e["event_id"]] not in pairs.values():
            pairs[e["event_id"]] = mapping[e["event_id"]]
    out = []
    for name in EVENT_FIELDS:
        values = [(gold[pairs[s["event_id"]]][name],
                   mapping.get(s[name], s[name]) if name == "parent_event_id" else s[name])
                  for s in second if s["event_id"] in pairs]
        out += [{"metric": f"accuracy:{name}", "value": stats.accuracy(values), "n": len(values)},
                {"metric": f"alpha:{name}", "value": stats.alpha(values), "n": len(values)}]
    second_actors = {(pairs[s["event_id"]], a): r for s in second if s["event_id"] in pairs
                     for a, r in (s.get("actors") or {}).items()}
    mapped_gold = {k: v for k, v in gold_actors.items() if k[0] in pairs.values()}
    return [{**row, "ci_low": None, "ci_high": None} for row in out] + actor_roles(mapped_gold, second_actors)


def notes_and_cues(placer: Placer) -> dict[str, dict[str, pd.DataFrame]]:
    """Predictions for the notes and the claims' cue spans, from their blind second reading."""
    second = load(SECOND / "notes_cues" / "second_notes_cues.yaml")
    notes = []
    for i, n in enumerate(second["notes"], 1):
        start, end = placer.span(n["utterance_id"], n["surface"], n.get("occurrence"), whole_words=True)
        notes.append({"note_id": f"s{i:03d}", "utterance_id": n["utterance_id"], "char_start": start,
                      "char_end": end, "surface": n["surface"], "note_type": n["note_type"]})
    utterance = {c["claim_id"]: c["utterance_id"] for c in placer.claims}
    cues = []
    for c in second["cues"]:
        start, end = placer.span(utterance[c["claim_id"]], c["cue"], c.get("occurrence"), whole_words=True)
        cues.append({"claim_id": c["claim_id"], "cue_type": c["cue_type"], "char_start": start,
                     "char_end": end, "cue": c["cue"]})
    return {"notes": {"notes": pd.DataFrame(notes)}, "claim_cues": {"claim_cues": pd.DataFrame(cues)}}


def actor_roles(gold: dict[tuple[str, str], str], second: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    """P/R/F1 of (event, actor, role) and alpha of the role over every pair in either reading,
    with 95% intervals from a bootstrap over events (the scorer's statistics and seed)."""
    events = sorted({e for e, _ in gold} | {e for e, _ in second})
    detect = {e: [("g", second.get(k) == v) for k, v in gold.items() if k[0] == e]
              + [("p", gold.get(k) == v) for k, v in second.items() if k[0] == e] for e in events}
    roles = {e: [(gold.get(k, "<absent>"), second.get(k, "<absent>"))
                 for k in sorted(set(gold) | set(second)) if k[0] == e] for e in events}

    def share(side: str):
        return lambda items: stats.ratio(sum(i[0] == side and i[1] for i in items),
                                         sum(i[0] == side for i in items))

    measures = [("precision:event_actors", share("p"), detect, len(second)),
                ("recall:event_actors", share("g"), detect, len(gold)),
                ("f1:event_actors", lambda items: stats.f1(share("p")(items), share("g")(items)),
                 detect, len(gold)),
                ("alpha:event_actors", stats.alpha, roles, len(set(gold) | set(second)))]
    out = []
    for metric, stat, units, n in measures:
        low, high = stats.bootstrap([units[e] for e in events], stat)
        out.append({"metric": metric, "value": stat([i for e in events for i in units[e]]),
                    "ci_low": low, "ci_high": high, "n": n})
    return out


def event_actors_round2(build: Path) -> list[dict[str, Any]]:
    """The event actors read again, on the given events, after the role rule was revised."""
    second = load(SECOND / "event_actors_round2" / "second_event_actors.yaml")["events"]
    pairs = {(e, a): r for e, actors in second.items() for a, r in actors.items()}
    rows = read_gold(build, ["event_actors"]).rows["event_actors"]
    gold = {(r["event_id"], r["actor_id"]): r["role"] for r in rows}
    return actor_roles(gold, pairs)


def scored(study: str, subset: str, predictions: dict[str, pd.DataFrame], layer: str,
           gold: Path | None) -> list[dict[str, Any]]:
    """The scorer's rows; on a subset of claims (``not cited``) only the field metrics, since
    span and link detection there would count every other gold claim as missed."""
    result = ds.score(predictions, layer, gold=gold)
    rows = json.loads(result.to_json(orient="records"))
    if "not cited" in subset:
        rows = [r for r in rows if re.match(r"(accuracy|macro_f1|alpha):", r["metric"])]
    return [{"study": study, "subset": subset, **row} for row in rows]


def not_cited(predictions: dict[str, pd.DataFrame], layer: str, gold: Path | None,
              ids: set[str]) -> dict[str, pd.DataFrame]:
    """The predictions without the claims that overlap a cited gold claim (and their links):
    their field metrics are then on claims the reader had not seen as examples."""
    gold_rows = [r for r in read_gold(gold, [layer]).rows[layer] if r["claim_id"] in ids]
    pred = predictions[layer].to_dict("records")
    drop = {pred[j]["claim_id"] for _, j in match.overlap(gold_rows, pred)}
    drop |= {p["claim_id"] for p in pred for g in gold_rows
             if p["char_start"] < g["char_end"] and g["char_start"] < p["char_end"]}
    return {name: frame[~frame.claim_id.isin(drop)].reset_index(drop=True)
            for name, frame in predictions.items()}


def run(args: argparse.Namespace) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for study, build, overrides in (("round 1", args.round1, False), ("round 2", args.round2, True)):
        placer = Placer(build)
        for layer, predictions in round_one(placer, overrides).items():
            rows += scored(study, "all", predictions, layer, build)
            if layer == "claims":
                rest = not_cited(predictions, layer, build, cited(SECOND / "codebook_as_read.md"))
                rows += scored(study, "not cited", rest, layer, build)
    placer = Placer(args.links)
    for subset, predictions in links(placer).items():
        rows += scored("links", subset, predictions, "claims", args.links)
    rows.append({"study": "links", "subset": "frames", "layer": "claims", **frames_of_reported(placer),
                 "version": rows[-1]["version"]})
    rest = not_cited(links(placer)["claim_dates"], "claims", args.links,
                     cited(SECOND / "links" / "codebook_extract.md"))
    rows += scored("links", "claim_dates, not cited", rest, "claims", args.links)
    placer = Placer(args.roles)
    rows += scored("roles", "all", roles(placer), "claims", args.roles)
    rest = not_cited(roles(placer), "claims", args.roles,
                     cited(SECOND / "roles_round3" / "codebook_as_read.md"))
    rows += scored("roles", "not cited", rest, "claims", args.roles)
    predictions, extra = events(Placer(args.events))
    rows += scored("events", "event mentions", predictions["event_mentions"], "event_mentions", args.events)
    rows += scored("events", "claim events", predictions["claim_events"], "claims", args.events)
    rest = not_cited(predictions["claim_events"], "claims", args.events,
                     cited(SECOND / "events" / "codebook_as_read.md"))
    rows += scored("events", "claim events, not cited", rest, "claims", args.events)
    rows += [{"study": "events", "subset": "events (mapped pairs)", "layer": "events", **row,
              "version": rows[-1]["version"]} for row in extra.pop("events")]
    placer = Placer(args.notes_cues)
    for layer, predictions in notes_and_cues(placer).items():
        rows += scored("notes and cues", layer, predictions, layer, args.notes_cues)
    rows += [{"study": "events", "subset": "event actors, round 2 (revised rule)", "layer": "events", **row,
              "version": read_gold(args.event_actors, ["documents"]).version}
             for row in event_actors_round2(args.event_actors)]
    return {"seed": stats.SEED, "reps": stats.REPS, "event_mapping": extra, "rows": rows}


def render(doc: dict[str, Any]) -> str:
    lines = ["# Agreement between the first annotation and the blind second readings", "",
             "Generated by `scripts/agreement.py` with the package's scorer (`rfi_umarov_2022.score`), "
             "the second reading playing the system; every row is in `agreement.json`. 95% intervals: "
             f"{doc['reps']} bootstrap resamples of the text's sentences (seed {doc['seed']}); metric "
             "definitions: `rfi_umarov_2022.scoring.METRICS`. n/a: undefined (alpha when the two "
             "readings use one value between them).", ""]
    frame = pd.DataFrame(doc["rows"])
    for (study, subset, layer), group in frame.groupby(["study", "subset", "layer"], sort=False):
        lines += [f"## {study}: {subset} ({layer}, against {group.version.iloc[0]})", "",
                  "| metric | value | 95% interval | n |", "|---|---|---|---|"]
        for row in group.itertuples():
            value = "n/a" if row.value is None or row.value != row.value else f"{row.value:.3f}"
            ci = ("" if row.ci_low is None or row.ci_low != row.ci_low
                  else f"[{row.ci_low:.3f}, {row.ci_high:.3f}]")
            lines.append(f"| {row.metric} | {value} | {ci} | {row.n} |")
        lines.append("")
    mapping = doc["event_mapping"]
    lines += ["## events: the reader's events mapped to gold events", "",
              *(f"- {s} → {g}" for s, g in sorted(mapping["mapping"].items())),
              f"- not mapped (no matched mention): {', '.join(mapping['unmapped']) or 'none'} "
              f"({mapping['mentions_of_unmapped_events']} mentions, left out of linking)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--round1", type=Path, required=True, help="build of the audited first annotation")
    parser.add_argument("--round2", type=Path, required=True, help="build of the adjudicated annotation")
    parser.add_argument("--links", type=Path, required=True, help="build the 0.3.0 links were read on")
    parser.add_argument("--roles", type=Path, required=True, help="build the round-3 roles were read on")
    parser.add_argument("--events", type=Path, required=True, help="build the events were read on")
    parser.add_argument("--event-actors", type=Path, required=True,
                        help="build the event actors were read again on (round 2)")
    parser.add_argument("--notes-cues", type=Path, required=True,
                        help="build the notes and cues were read on")
    parser.add_argument("--out", type=Path, default=ROOT / "quality")
    args = parser.parse_args(argv)
    doc = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (args.out / "agreement.json").write_text(text, encoding="utf-8")
    (args.out / "agreement.md").write_text(render(doc), encoding="utf-8")
    print(f"wrote agreement.json and agreement.md to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
