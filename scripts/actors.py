"""Actors layer: the registry, its aliases, and every mention found from them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation import Curated
from spans import Span, find_whole_words, longest_non_overlapping
from spine import Spine, place

ACTORS_FILE = "dataset/annotations/actors.yaml"
ACTOR_FIELDS = ("actor_id", "name", "actor_type", "wikidata_id", "iso3", "country_id",
                "description", "identifier_note")
MENTION_TYPE_OF_ALIAS = {
    "name": "name",
    "spelling_variant": "alias",
    "short_name": "alias",
    "misnomer": "alias",
    "demonym": "demonym",
    "metonym": "metonym",
    "description": "description",
}


@dataclass(frozen=True)
class Candidate:
    actor_id: str
    utterance_id: str
    span: Span
    alias: str
    mention_type: str


def alias_candidates(spine: Spine, aliases: list[dict[str, Any]]) -> list[Candidate]:
    """Every whole-word, case-sensitive occurrence of every alias in every utterance text."""
    found = []
    for utterance in spine.utterances:
        for alias in aliases:
            for span in find_whole_words(spine.text, alias["alias"], utterance["char_start"],
                                         utterance["char_end"]):
                found.append(Candidate(alias["actor_id"], utterance["utterance_id"], span,
                                       alias["alias"], MENTION_TYPE_OF_ALIAS[alias["alias_type"]]))
    return found


def build_actors(root: Path, spine: Spine) -> tuple[dict[str, list[dict[str, Any]]],
                                                     dict[str, dict[str, str]]]:
    """Tables actors, actor_aliases and mentions."""
    curated = Curated(root, ACTORS_FILE)
    actors: list[dict[str, Any]] = []
    aliases: list[dict[str, Any]] = []
    allowed = {*ACTOR_FIELDS, "aliases"}
    for record in curated.records("actors", "actor_id", allowed,
                                  ("actor_id", "name", "actor_type", "description",
                                   "identifier_note")):
        actors.append({field: record.get(field) for field in ACTOR_FIELDS})
        listed = set()
        for alias in record.get("aliases") or []:
            if not isinstance(alias, dict) or not alias.get("alias"):
                raise curated.error(record, record["actor_id"], "aliases",
                                    "each alias needs 'alias' and 'alias_type'")
            if alias.get("alias_type") not in MENTION_TYPE_OF_ALIAS:
                raise curated.error(alias, record["actor_id"], "alias_type",
                                    f"{alias.get('alias_type')!r} is not one of "
                                    f"{list(MENTION_TYPE_OF_ALIAS)}")
            if alias["alias"] in listed:
                raise curated.error(alias, record["actor_id"], "aliases",
                                    f"alias {alias['alias']!r} is listed twice")
            listed.add(alias["alias"])
            aliases.append({"actor_id": record["actor_id"], "alias": alias["alias"],
                            "alias_type": alias["alias_type"]})
        if record["name"] not in listed:
            aliases.append({"actor_id": record["actor_id"], "alias": record["name"],
                            "alias_type": "name"})
    actor_ids = {actor["actor_id"] for actor in actors}
    states = {actor["actor_id"] for actor in actors if actor["actor_type"] == "state"}
    for actor in actors:
        country = actor["country_id"]
        if country is not None and country in actor_ids and country not in states:
            raise curated.error(None, actor["actor_id"], "country_id",
                                f"{country!r} is not a state")

    candidates = alias_candidates(spine, aliases)
    candidates = _apply_exceptions(curated, spine, candidates, actor_ids)
    mentions = _resolve_mentions(curated, spine, candidates)
    counts: dict[tuple[str, str], int] = {}
    for mention in mentions:
        key = (mention["actor_id"], mention["surface"])
        counts[key] = counts.get(key, 0) + 1
    for alias in aliases:
        alias["n_mentions"] = counts.get((alias["actor_id"], alias["alias"]), 0)

    origins = {
        "actors": {actor["actor_id"]: ACTORS_FILE for actor in actors},
        "actor_aliases": {f"{a['actor_id']}/{a['alias']}": ACTORS_FILE for a in aliases},
    }
    return {"actors": actors, "actor_aliases": aliases, "mentions": mentions}, origins


def _apply_exceptions(curated: Curated, spine: Spine, candidates: list[Candidate],
                      actor_ids: set[str]) -> list[Candidate]:
    fields = {"utterance_id", "surface", "occurrence", "action", "actor_id", "mention_type",
              "reason"}
    records = curated.records("exceptions", "id", fields,
                              ("utterance_id", "surface", "action", "reason"), may_be_empty=True)
    for index, record in enumerate(records, start=1):
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
            if mention_type not in set(MENTION_TYPE_OF_ALIAS.values()):
                raise curated.error(record, record_id, "mention_type",
                                    f"{mention_type!r} is not a mention type")
            candidates = [c for c in candidates if c not in hits]
            candidates.append(Candidate(target, hits[0].utterance_id, span, hits[0].alias,
                                        mention_type))
        else:
            raise curated.error(record, record_id, "action",
                                f"{record['action']!r} is not one of ['ignore', 'resolve']")
    return candidates


def _resolve_mentions(curated: Curated, spine: Spine,
                      candidates: list[Candidate]) -> list[dict[str, Any]]:
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
            raise curated.error(None, f"span {span[0]}-{span[1]} {spine.text[span[0]:span[1]]!r}",
                                "aliases", f"one span resolves to several actors {sorted(actors)}; "
                                "add an exception that says which")
    mentions = []
    counters: dict[str, int] = {}
    for candidate in sorted(kept, key=lambda c: (c.span[0], -c.span[1], c.actor_id)):
        uid = candidate.utterance_id
        counters[uid] = counters.get(uid, 0) + 1
        sentence_id = spine.sentence_at(uid, candidate.span[0])
        mentions.append({
            "mention_id": f"{uid}-m{counters[uid]:02d}", "actor_id": candidate.actor_id,
            "utterance_id": uid, "sentence_id": sentence_id,
            "char_start": candidate.span[0], "char_end": candidate.span[1],
            "surface": spine.text[candidate.span[0]:candidate.span[1]],
            "mention_type": candidate.mention_type,
        })
    return mentions
