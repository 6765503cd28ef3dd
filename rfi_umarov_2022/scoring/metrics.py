"""Every metric of one layer, from the schemas: spans, categories, links, values, intervals.

What is scored follows the Table Schemas, so a new layer is scored without new code: its
categorical fields, its foreign keys (ids of another span table are compared through the span
matching), its ``span.score`` block, and the link tables that join it to another table.
Intervals come from a cluster bootstrap over the text's finest segments (sentences): every
item (a span, a matched pair, a link) belongs to the segment where its gold (else predicted)
span starts.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rfi_umarov_2022 import registry
from rfi_umarov_2022.scoring import match, stats
from rfi_umarov_2022.scoring.tables import Row, Tables

UNMATCHED = "<unmatched>"  # tags a predicted id whose span matched no gold span
ABSENT = "<absent>"  # a link that one reading has and the other lacks


@dataclass
class Metric:
    name: str
    stat: stats.Stat
    n: Callable[[list[Any]], int]
    units: dict[int, list[Any]] = field(default_factory=dict)

    def add(self, unit: int, item: Any) -> None:
        self.units.setdefault(unit, []).append(item)

    def row(self, seed: int, reps: int) -> dict[str, Any]:
        items = [item for unit in sorted(self.units) for item in self.units[unit]]
        value = self.stat(items)
        low, high = stats.bootstrap([self.units[u] for u in sorted(self.units)], self.stat, seed, reps)
        return {"metric": self.name, "value": value, "ci_low": low, "ci_high": high, "n": self.n(items)}


def _count(side: str) -> Callable[[list[Any]], int]:
    return lambda items: sum(item[0] == side for item in items)


def _share(side: str, index: int) -> stats.Stat:
    return lambda items: stats.ratio(sum(i[0] == side and i[index] for i in items), _count(side)(items))


def _f1(index: int) -> stats.Stat:
    return lambda items: stats.f1(_share("p", index)(items), _share("g", index)(items))


def detection(prefix: str, suffix: str, index: int) -> list[Metric]:
    """Precision, recall and F1 over items ('g' or 'p', found?, ...)."""
    return [Metric(f"precision{prefix}{suffix}", _share("p", index), _count("p")),
            Metric(f"recall{prefix}{suffix}", _share("g", index), _count("g")),
            Metric(f"f1{prefix}{suffix}", _f1(index), _count("g"))]


class Scorer:
    """The metrics of ``layer`` for ``pred`` against ``gold``."""

    def __init__(self, gold: Tables, pred: Tables, layer: str) -> None:
        self.gold, self.pred, self.layer = gold, pred, layer
        segments = registry.span_tables(gold.schemas, "segment")
        finest = max(segments, key=lambda s: len(gold.rows.get(s.name, [])), default=None)
        self.starts = sorted(r["char_start"] for r in gold.rows.get(finest.name, [])) if finest else [0]
        self.pairs = {name: match.overlap(gold.rows[name], pred.rows[name]) for name in pred.rows
                      if registry.span_table(name, gold.schemas[name]) is not None}
        self.ids = {name: self._id_map(name, pairs) for name, pairs in self.pairs.items()}

    def unit(self, row: Row) -> int:
        return max(bisect.bisect_right(self.starts, row["char_start"]) - 1, 0)

    def _id_map(self, name: str, pairs: list[tuple[int, int]]) -> dict[Any, Any]:
        key = registry.primary_key(self.gold.schemas[name])
        if len(key) != 1:
            return {}
        gold, pred = self.gold.rows[name], self.pred.rows[name]
        return {pred[j][key[0]]: gold[i][key[0]] for i, j in pairs}

    def mapped(self, table: str, value: Any) -> Any:
        """A predicted id as the gold id it stands for (through the span matching)."""
        if value is None or table not in self.ids:
            return value
        return self.ids[table].get(value, (UNMATCHED, value))

    def metrics(self) -> list[Metric]:
        return [*self.spans(), *self.fields(), *self.links()]

    def spans(self) -> list[Metric]:
        gold, pred = self.gold.rows[self.layer], self.pred.rows[self.layer]
        exact = match.exact(gold, pred)
        overlap = self.pairs[self.layer]
        found = [({i for i, _ in pairs}, {j for _, j in pairs}) for pairs in (exact, overlap)]
        metrics = detection("", "_exact", 1) + detection("", "_overlap", 2)
        for side, rows, k in (("g", gold, 0), ("p", pred, 1)):
            for index, row in enumerate(rows):
                item = (side, index in found[0][k], index in found[1][k])
                for metric in metrics:
                    metric.add(self.unit(row), item)
        return metrics

    def fields(self) -> list[Metric]:
        schema = self.gold.schemas[self.layer]
        span = registry.span_table(self.layer, schema)
        assert span is not None
        gold, pred = self.gold.rows[self.layer], self.pred.rows[self.layer]
        given = set(pred[0]) if pred else set()
        present = given & (set(gold[0]) if gold else set())
        key = set(registry.primary_key(schema))
        metrics: list[tuple[Metric, Callable[[Row, Row], Any]]] = []
        for name, values in registry.enum_fields(schema, exclude=key):
            if name in present:
                order = values if registry.is_ordered(registry.field(schema, name)) else None
                get = _value(name)
                metrics += [(Metric(f"accuracy:{name}", stats.accuracy, len), get),
                            (Metric(f"macro_f1:{name}", stats.macro_f1, len), get),
                            (Metric(f"alpha:{name}", lambda p, o=order: stats.alpha(p, o),
                                    _alpha_n(order)), get)]
        segments = {s.name for s in registry.span_tables(self.gold.schemas, "segment")}
        linked = span.link.column if span.link is not None else None
        for name, (target, _) in registry.column_links(self.layer, schema).items():
            if name in present and name not in key and target not in segments:
                get = _linked(name, target, self)
                metrics += [(Metric(f"accuracy:{name}", stats.accuracy, len), get),
                            (Metric(f"alpha:{name}", stats.alpha, len), get)]
                if name == linked:
                    metrics.append((Metric("linking_accuracy", stats.accuracy, len), get))
        value = span.score.get("value")
        if value in present:
            metrics.append((Metric("value_accuracy", stats.accuracy, len), _value(value)))
        interval = span.score.get("interval")
        if interval and set(interval) <= present:
            get = _interval(*interval)
            metrics += [(Metric("interval_overlap", _mean, len), get),
                        (Metric("interval_exact", _mean_exact, len), get)]
        for i, j in self.pairs[self.layer]:
            for metric, get in metrics:
                metric.add(self.unit(gold[i]), get(gold[i], pred[j]))
        return [metric for metric, _ in metrics]

    def links(self) -> list[Metric]:
        from rfi_umarov_2022.scoring.tables import relevant

        out = []
        for table in relevant(self.layer, self.gold.schemas)[0]:
            if table in self.pred.rows and table in self.gold.rows:
                out += self._link(table)
        return out

    def _link(self, table: str) -> list[Metric]:
        schema = self.gold.schemas[table]
        columns = registry.column_links(table, schema)
        own, other = sorted(registry.primary_key(schema), key=lambda c: columns[c][0] != self.layer)
        target = columns[other][0]
        label = next((f for f, _ in registry.enum_fields(schema, exclude=(own, other))), None)
        key = registry.primary_key(self.gold.schemas[self.layer])[0]
        gold_spans = {r[key]: r for r in self.gold.rows[self.layer]}
        pred_spans = {r[key]: r for r in self.pred.rows[self.layer]}
        gold = {(r[own], r[other]): r.get(label) for r in self.gold.rows[table]}
        pred = {(self.mapped(self.layer, r[own]), self.mapped(target, r[other])): r.get(label)
                for r in self.pred.rows[table]}
        metrics = detection(":", table, 1)
        for (owner, partner), value in gold.items():
            for metric in metrics:
                metric.add(self.unit(gold_spans[owner]), ("g", pred.get((owner, partner), ABSENT) == value))
        for r in self.pred.rows[table]:
            link = (self.mapped(self.layer, r[own]), self.mapped(target, r[other]))
            for metric in metrics:
                metric.add(self.unit(pred_spans[r[own]]), ("p", gold.get(link, ABSENT) == r.get(label)))
        agreement = Metric(f"alpha:{table}", stats.alpha, len)
        for i, _ in self.pairs[self.layer]:
            owner = self.gold.rows[self.layer][i][own]
            partners = {p for (o, p) in gold if o == owner} | {p for (o, p) in pred if o == owner}
            for partner in sorted(partners, key=str):
                agreement.add(self.unit(self.gold.rows[self.layer][i]),
                              (gold.get((owner, partner), ABSENT), pred.get((owner, partner), ABSENT)))
        return [*metrics, agreement]



def _alpha_n(order: tuple[str, ...] | None) -> Callable[[list[Any]], int]:
    if order is None:
        return len
    return lambda pairs: sum(g in order and p in order for g, p in pairs)


def _value(name: str) -> Callable[[Row, Row], tuple[Any, Any]]:
    return lambda g, p: (g.get(name), p.get(name))


def _linked(name: str, target: str, scorer: Scorer) -> Callable[[Row, Row], tuple[Any, Any]]:
    return lambda g, p: (g.get(name), scorer.mapped(target, p.get(name)))


def _interval(first: str, last: str) -> Callable[[Row, Row], tuple[Any, Any]]:
    return lambda g, p: ((g.get(first), g.get(last)), (p.get(first), p.get(last)))


def iou(gold: tuple[Any, Any], pred: tuple[Any, Any]) -> float:
    """Shared days over the union of days of two closed intervals; an interval with an open
    (null) bound counts 1 if the two are identical and 0 otherwise."""
    if None in gold or None in pred:
        return float(gold == pred)
    (gs, ge), (ps, pe) = ([dt.date.fromisoformat(v).toordinal() for v in b] for b in (gold, pred))
    shared = min(ge, pe) - max(gs, ps) + 1
    return max(shared, 0) / (max(ge, pe) - min(gs, ps) + 1)


def _mean(pairs: list[Any]) -> float | None:
    return sum(iou(g, p) for g, p in pairs) / len(pairs) if pairs else None


def _mean_exact(pairs: list[Any]) -> float | None:
    return stats.accuracy(pairs)
