"""One-to-one matching of predicted spans to gold spans, on character offsets.

- **exact**: same ``char_start`` and ``char_end``. Where several spans share the same offsets,
  they pair in the order of their keys.
- **overlap**: greedy, largest overlap in characters first; ties go to the higher Jaccard
  overlap (shared characters over the union), then to the earlier gold span, then to the
  earlier predicted span. Every exact pair is also an overlap pair, since it has the largest
  overlap either span can have, so the overlap matching contains the exact one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]


def _span(row: Row) -> tuple[int, int]:
    return row["char_start"], row["char_end"]


def exact(gold: Sequence[Row], predicted: Sequence[Row]) -> list[tuple[int, int]]:
    """(gold index, predicted index) of the exact pairs."""
    waiting: dict[tuple[int, int], list[int]] = {}
    for j, row in enumerate(predicted):
        waiting.setdefault(_span(row), []).append(j)
    pairs = []
    for i, row in enumerate(gold):
        queue = waiting.get(_span(row))
        if queue:
            pairs.append((i, queue.pop(0)))
    return pairs


def overlap(gold: Sequence[Row], predicted: Sequence[Row]) -> list[tuple[int, int]]:
    """(gold index, predicted index) of the overlap pairs, in gold order."""
    candidates = []
    by_start = sorted(range(len(predicted)), key=lambda j: _span(predicted[j]))
    for i, row in enumerate(gold):
        start, end = _span(row)
        for j in by_start:
            other_start, other_end = _span(predicted[j])
            if other_start >= end:
                break
            shared = min(end, other_end) - max(start, other_start)
            if shared > 0:
                union = max(end, other_end) - min(start, other_start)
                candidates.append((-shared, -shared / union, start, i, other_start, j))
    candidates.sort()
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for *_, i, _, j in candidates:
        if i not in used_gold and j not in used_predicted:
            used_gold.add(i)
            used_predicted.add(j)
            pairs.append((i, j))
    return sorted(pairs)
