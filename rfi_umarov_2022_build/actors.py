"""Actors layer: the registry, its aliases, and every mention found from them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rfi_umarov_2022_build.curated import BuildError, Curated, Record, Row
from rfi_umarov_2022_build.schemas import TableSchema
from rfi_umarov_2022_build.spans import Span, find_whole_words, longest_non_overlapping
from rfi_umarov_2022_build.spine import Spine, place

ACTORS_FILE = "dataset/annotations/actors.yaml"


@dataclass(frozen=True)
class Candidate:
    actor_id: str
    utterance_id: str
    span: Span
    alias: str
    mention_type: str
    origin: Row


def alias_candidates(spine: Spine, aliases: list[Row], mention_types: dict[str, str]
                     ) -> list[Candidate]:
    """Every whole-word, case-sensitive occurrence of every alias in every utterance text."""
    found = []
    for utterance in spine.utterances:
        for alias in aliases:
            for span in find_whole_words(spine.text, alias["alias"], utterance["char_start"],
                                         utterance["char_end"]):
                found.append(Candidate(alias["actor_id"], utterance["utterance_id"], span,
                                       alias["alias"], mention_types[alias["alias_type"]], alias))
    return found


def _alias_types(curated: Curated, schemas: dict[str, TableSchema]) -> dict[str, str]:
    """alias_type -> mention_type, checked against both vocabularies in the schemas."""
    mapping = curated.get("alias_types")
    alias_types = set(schemas["actor_aliases"].categories("alias_type"))
    mention_types = set(schemas["mentions"].categories("mention_type"))
    for alias_type, mention_type in mapping.items():
        if alias_type not in alias_types:
            raise curated.error(mapping, "alias_types", alias_type,
                                f"not an alias_type of schema/actor_aliases.json {sorted(alias_types)}")
        if mention_type not in mention_types:
            raise curated.error(mapping, "alias_types", alias_type,
                                f"{mention_type!r} is not a mention_type {sorted(mention_types)}")
    missing = sorted(alias_types - set(mapping))
    if missing:
        raise curated.error(mapping, "alias_types", missing[0], "alias type has no mention type")
    return dict(mapping)


def build_actors(root: Path, spine: Spine, schemas: dict[str, TableSchema]) -> dict[str, list[Row]]:
    """Tables actors, actor_aliases and mentions."""
    curated = Curated(root, ACTORS_FILE)
    mention_types = _alias_types(curated, schemas)
    fields = [name for name in schemas["actors"].field_names]
    actors: list[Row] = []
    aliases: list[Row] = []
    for record in curated.records("actors"):
        actors.append(curated.row(record, **{name: record.get(name) for name in fields}))
        listed = set()
        for alias in record.get("aliases") or []:
            if alias["alias"] in listed:
                raise curated.error(alias, record["actor_id"], "alias",
                                    f"alias {alias['alias']!r} is listed twice")
            listed.add(alias["alias"])
            aliases.append(curated.row(alias, actor_id=record["actor_id"], alias=alias["alias"],
                                       alias_type=alias["alias_type"]))
        if record["name"] not in listed:
            aliases.append(curated.row(record, actor_id=record["actor_id"], alias=record["name"],
                                       alias_type="name"))
    actor_ids = {actor["actor_id"] for actor in actors}
    states = {actor["actor_id"] for actor in actors if actor["actor_type"] == "state"}
    for actor in actors:
        country = actor["country_id"]
        if country is not None and country in actor_ids and country not in states:
            raise curated.error(_record_of(curated, actor["actor_id"]), actor["actor_id"],
                                "country_id", f"{country!r} is not a state")

    candidates = alias_candidates(spine, [a for a in aliases if a["alias_type"] in mention_types],
                                  mention_types)
    candidates = _apply_exceptions(curated, spine, candidates, actor_ids, set(mention_types.values()))
    mentions = _resolve_mentions(curated, spine, candidates)
    counts: dict[tuple[str, str], int] = {}
    for mention in mentions:
        key = (mention["actor_id"], mention["surface"])
        counts[key] = counts.get(key, 0) + 1
    for alias in aliases:
        alias["n_mentions"] = counts.get((alias["actor_id"], alias["alias"]), 0)
    return {"actors": actors, "actor_aliases": aliases, "mentions": mentions}


def _record_of(curated: Curated, actor_id: str) -> Record | None:
    return next((r for r in curated.records("actors") if r["actor_id"] == actor_id), None)


def _apply_exceptions(curated: Curated, spine: Spine, candidates: list[Candidate],
                      actor_ids: set[str], mention_types: set[str]) -> list[Candidate]:
    for index, record in enumerate(curated.records("exceptions"), start=1):
        record_id = f"exception #{index} ({record['utterance_id']}: {record['surface']!r})"
        span = place(curated, spine, record, record_id, "surface")
        hits = [c for c in candidates if c.span == span and c.utterance_id == record["utterance_id"]]
        if not hits:
            raise curated.error(record, record_id, "surface",
                                "matches no alias occurrence, so there is nothing to except")
        if record["action"] == "ignore":
            candidates = [c for c in candidates if c not in hits]
        elif record["action"] == "resolve":
            target = record.get("actor_id")
            if target not in actor_ids:
                raise curated.error(record, record_id, "actor_id", f"unknown actor {target!r}")
            mention_type = record.get("mention_type") or hits[0].mention_type
            if mention_type not in mention_types:
                raise curated.error(record, record_id, "mention_type",
                                    f"{mention_type!r} is not a mention type")
            candidates = [c for c in candidates if c not in hits]
            candidates.append(Candidate(target, hits[0].utterance_id, span, hits[0].alias,
                                        mention_type, curated.row(record)))
    return candidates


def _resolve_mentions(curated: Curated, spine: Spine, candidates: list[Candidate]) -> list[Row]:
    """Per actor keep the longest non-overlapping spans; refuse one span with two actors."""
    by_actor: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_actor.setdefault(candidate.actor_id, []).append(candidate)
    kept: list[Candidate] = []
    for actor_id in sorted(by_actor):
        group = by_actor[actor_id]
        spans = set(longest_non_overlapping(c.span for c in group))
        chosen: dict[Span, Candidate] = {}
        for candidate in sorted(group, key=lambda c: (c.span, c.alias)):
            if candidate.span in spans:
                chosen.setdefault(candidate.span, candidate)
        kept.extend(chosen.values())
    by_span: dict[Span, set[str]] = {}
    for candidate in kept:
        by_span.setdefault(candidate.span, set()).add(candidate.actor_id)
    for span, actors in sorted(by_span.items()):
        if len(actors) > 1:
            first = min((c for c in kept if c.span == span), key=lambda c: c.actor_id)
            line = first.origin.origin.line if first.origin.origin else None
            raise BuildError(curated.label,
                             f"span {span[0]}-{span[1]} {spine.text[span[0]:span[1]]!r}", "aliases",
                             f"one span resolves to several actors {sorted(actors)}; "
                             "add an exception that says which", line=line)
    mentions = []
    counters: dict[str, int] = {}
    for candidate in sorted(kept, key=lambda c: (c.span[0], -c.span[1], c.actor_id)):
        uid = candidate.utterance_id
        counters[uid] = counters.get(uid, 0) + 1
        sentence_id = spine.sentence_at(uid, candidate.span[0])
        row = Row(
            mention_id=f"{uid}-m{counters[uid]:02d}", actor_id=candidate.actor_id,
            utterance_id=uid, sentence_id=sentence_id,
            char_start=candidate.span[0], char_end=candidate.span[1],
            surface=spine.text[candidate.span[0]:candidate.span[1]],
            mention_type=candidate.mention_type)
        row.origin = candidate.origin.origin
        mentions.append(row)
    return mentions
