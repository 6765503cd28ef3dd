"""Codebook rules that span tables, checked on the built rows before anything is written.

Each rule has the name the codebook gives it (docs/codebook.md, "Rules the build checks"), and a
broken rule is one line naming the curated file and line, the record, the field and the rule.
The rules follow the schemas' field names (claims, claim_actors, mentions, dates, documents);
a table that is absent switches its rules off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022_build.curated import BuildError
from rfi_umarov_2022_build.schemas import TableSchema, where

Rows = dict[str, list[dict[str, Any]]]


class Checker:
    def __init__(self, schemas: dict[str, TableSchema], rows: Rows) -> None:
        self.schemas, self.rows = schemas, rows

    def fail(self, table: str, row: dict[str, Any], field: str, rule: str, message: str) -> BuildError:
        file, line = where(self.schemas[table], row)
        key = "/".join(str(row[k]) for k in self.schemas[table].primary_key)
        return BuildError(file, key, field, f"{message} (codebook rule: {rule})", line=line)

    def has(self, *tables: str) -> bool:
        return all(t in self.rows for t in tables)


def _inside(row: dict[str, Any], span: dict[str, Any]) -> bool:
    return span["char_start"] <= row["char_start"] and row["char_end"] <= span["char_end"]


def claim_actor_rules(c: Checker) -> None:
    """Implicit actors (rule 4), named actors and nested mentions (rule 5)."""
    if not c.has("claims", "claim_actors", "mentions"):
        return
    claims = {row["claim_id"]: row for row in c.rows["claims"]}
    roles: dict[str, dict[str, str]] = {}
    for link in c.rows["claim_actors"]:
        roles.setdefault(link["claim_id"], {})[link["actor_id"]] = link["role"]
    for claim_id, claim in claims.items():
        inside = [m for m in c.rows["mentions"] if _inside(m, claim)]
        actors = roles.get(claim_id, {})

        def nested(m: dict[str, Any], inside: list = inside, actors: dict = actors) -> bool:
            """Inside a longer mention, in the quote, of another actor of the claim."""
            return any(o["actor_id"] != m["actor_id"] and o["actor_id"] in actors and _inside(m, o)
                       and o["char_end"] - o["char_start"] > m["char_end"] - m["char_start"]
                       for o in inside)

        named = {m["actor_id"] for m in inside if not nested(m)}
        for link in (x for x in c.rows["claim_actors"] if x["claim_id"] == claim_id):
            if link["role"] == "mentioned" and link["actor_id"] not in named:
                raise c.fail("claim_actors", link, "role", "implicit actors",
                             f"{link['actor_id']} is not named in the quote of {claim_id} (or only "
                             "inside another claim actor's mention), so it may only be its agent or "
                             "target")
        for actor_id in sorted(named - set(actors) - {claim["source_id"]}):
            raise c.fail("claims", claim, "quote", "every actor named in the quote",
                         f"the quote names {actor_id}, which is not an actor of the claim")


def restatement_rules(c: Checker) -> None:
    """A restatement keeps the polarity of the proposition it restates."""
    if not c.has("claims"):
        return
    claims = {row["claim_id"]: row for row in c.rows["claims"]}
    for claim in claims.values():
        target = claims.get(claim.get("restates_claim_id"))
        if target is not None and target["polarity"] != claim["polarity"]:
            raise c.fail("claims", claim, "restates_claim_id", "restatement",
                         f"{claim['claim_id']} is {claim['polarity']} but restates "
                         f"{target['claim_id']}, which is {target['polarity']}")


REFS = {"PRESENT_REF", "PAST_REF", "FUTURE_REF"}


def reference_time_rules(c: Checker) -> None:
    """Deictic values agree with the document date: the present contains it, the past ends by
    it, the future starts after it."""
    if not c.has("dates", "documents") or len(c.rows["documents"]) != 1:
        return
    published: dt.date = c.rows["documents"][0]["date_published"]
    for row in c.rows["dates"]:
        value, earliest, latest = row["timex_value"], row["earliest"], row["latest"]
        wrong = {
            "PRESENT_REF": (earliest is not None and earliest > published)
                           or (latest is not None and latest < published),
            "PAST_REF": latest is None or latest > published,
            "FUTURE_REF": earliest is None or earliest <= published,
        }.get(value, False)
        if wrong:
            raise c.fail("dates", row, "timex_value", "deictic values and the document date",
                         f"{value} with bounds {earliest}..{latest} disagrees with the document "
                         f"date {published}")


def cycle_rules(c: Checker) -> None:
    """References inside one table (restatements, frames, anchors, countries, parent events)
    never run in a circle, whichever of them the circle takes."""
    for name, schema in c.schemas.items():
        links = [column for column, (table, _) in
                 registry.column_links(name, schema.descriptor).items() if table == name]
        key = schema.primary_key
        if not links or len(key) != 1 or name not in c.rows:
            continue
        by_id = {row[key[0]]: row for row in c.rows[name]}
        edges = {k: [row[col] for col in links if row[col] is not None] for k, row in by_id.items()}
        state: dict[Any, int] = {}
        for start in sorted(by_id, key=str):
            path = _cycle(start, edges, state)
            if path:
                raise c.fail(name, by_id[path[0]], ",".join(links), "references without cycles",
                             "the references run in a circle: " + " -> ".join(map(str, path)))


def _cycle(start: Any, edges: dict[Any, list[Any]], state: dict[Any, int]) -> list[Any] | None:
    """A cycle reachable from ``start`` (iterative depth-first search), or None."""
    stack: list[tuple[Any, int]] = [(start, 0)]
    trail: list[Any] = []
    while stack:
        node, index = stack.pop()
        if index == 0:
            if state.get(node) == 2:
                continue
            if state.get(node) == 1:
                return [*trail[trail.index(node):], node]
            state[node] = 1
            trail.append(node)
        targets = [t for t in edges.get(node, []) if t in edges]
        if index < len(targets):
            stack.append((node, index + 1))
            stack.append((targets[index], 0))
        else:
            state[node] = 2
            trail.pop()
    return None


def event_rules(c: Checker) -> None:
    """A sub-event lies within its parent's bounds; every event is referred to by the text (a
    mention, a date that names it, or a part that is); a claim predicts only an event that had
    not ended at the interview."""
    if not c.has("events"):
        return
    events = {row["event_id"]: row for row in c.rows["events"]}
    for event in events.values():
        parent = events.get(event["parent_event_id"])
        if parent is None:
            continue
        if parent["earliest"] is not None and (event["earliest"] is None
                                               or event["earliest"] < parent["earliest"]):
            raise c.fail("events", event, "earliest", "sub-events within their event",
                         f"starts ({event['earliest']}) before its event {parent['event_id']} "
                         f"({parent['earliest']})")
        if parent["latest"] is not None and (event["latest"] is None or event["latest"] > parent["latest"]):
            raise c.fail("events", event, "latest", "sub-events within their event",
                         f"ends ({event['latest']}) after its event {parent['event_id']} "
                         f"({parent['latest']})")
    referred = {m["event_id"] for m in c.rows.get("event_mentions", [])}
    referred |= {d["event_id"] for d in c.rows.get("dates", []) if d.get("event_id")}
    changed = True
    while changed:
        parents = {events[e]["parent_event_id"] for e in referred if e in events} - referred - {None}
        changed = bool(parents)
        referred |= parents
    for event_id, event in events.items():
        if event_id not in referred:
            raise c.fail("events", event, "event_id", "every event is referred to",
                         "no mention, date or referred part of the text refers to this event")
    if c.has("claim_events", "documents") and len(c.rows["documents"]) == 1:
        published = c.rows["documents"][0]["date_published"]
        for link in c.rows["claim_events"]:
            event = events.get(link["event_id"])
            if link["relation"] == "predicts" and event is not None and event["latest"] is not None \
                    and event["latest"] < published:
                raise c.fail("claim_events", link, "relation", "predictions of events",
                             f"{link['event_id']} had ended ({event['latest']}) before the "
                             f"interview ({published}), so no claim predicts it")


RULES: list[Callable[[Checker], None]] = [claim_actor_rules, restatement_rules, reference_time_rules,
                                          event_rules, cycle_rules]


def check_rules(schemas: dict[str, TableSchema], rows: Rows) -> None:
    """Run every cross-table rule; the first broken one is a BuildError."""
    checker = Checker(schemas, rows)
    for rule in RULES:
        rule(checker)
