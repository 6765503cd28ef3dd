"""The statistics of the scorer, in plain Python: P/R/F1, accuracy, macro-F1, Krippendorff's
alpha for two coders, and a seeded cluster bootstrap.

Each statistic takes a flat list of items and returns a float, or None where it is undefined
(no item; alpha when the two readings use one value between them). The bootstrap resamples
units (sentences) with replacement and recomputes the statistic on the items of the sample.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any

#: The seed of every bootstrap (the interview's date): same inputs, same intervals.
SEED = 20220914
REPS = 1000

Pair = tuple[Hashable, Hashable]
Stat = Callable[[list[Any]], float | None]


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def accuracy(pairs: list[Pair]) -> float | None:
    """Share of items on which gold and prediction are equal (None equals None)."""
    return ratio(sum(g == p for g, p in pairs), len(pairs))


def macro_f1(pairs: list[Pair]) -> float | None:
    """Unweighted mean of the per-value F1 over every value that gold or prediction uses."""
    if not pairs:
        return None
    values = {v for pair in pairs for v in pair}
    scores = []
    for value in values:
        tp = sum(g == value and p == value for g, p in pairs)
        fp = sum(g != value and p == value for g, p in pairs)
        fn = sum(g == value and p != value for g, p in pairs)
        scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def alpha(pairs: list[Pair], order: Sequence[Hashable] | None = None) -> float | None:
    """Krippendorff's alpha for two coders and no missing values (Krippendorff 2011, "Computing
    Krippendorff's alpha-reliability"): nominal, or ordinal over ``order`` when given (then
    pairs with a value outside ``order``, such as a null, are left out)."""
    if order is not None:
        pairs = [(g, p) for g, p in pairs if g in order and p in order]
    if not pairs:
        return None
    coincidences: Counter[tuple[Hashable, Hashable]] = Counter()
    for g, p in pairs:
        coincidences[(g, p)] += 1
        coincidences[(p, g)] += 1
    totals: Counter[Hashable] = Counter()
    for (c, _), count in coincidences.items():
        totals[c] += count
    n = sum(totals.values())
    delta = _ordinal_delta(order, totals) if order is not None else (lambda c, k: float(c != k))
    observed = sum(count * delta(c, k) for (c, k), count in coincidences.items()) / n
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in totals for k in totals) / (n * (n - 1))
    return None if expected == 0 else 1 - observed / expected


def _ordinal_delta(order: Sequence[Hashable], totals: Counter[Hashable]) -> Callable[[Any, Any], float]:
    """Squared ordinal distance: (sum of the totals from c to k, minus half of c's and k's)^2."""
    rank = {value: i for i, value in enumerate(order)}

    def delta(c: Hashable, k: Hashable) -> float:
        low, high = sorted((rank[c], rank[k]))
        between = sum(totals[order[i]] for i in range(low, high + 1))
        return (between - (totals[c] + totals[k]) / 2) ** 2

    return delta


def bootstrap(units: Sequence[list[Any]], stat: Stat, seed: int = SEED,
              reps: int = REPS) -> tuple[float | None, float | None]:
    """95% percentile interval of ``stat`` over ``reps`` resamples of the units (each a list of
    items), or (None, None) when fewer than half of the resamples define the statistic."""
    if reps <= 0 or not units:
        return None, None
    rng = random.Random(seed)
    values = []
    for _ in range(reps):
        sample = [item for _ in units for item in units[rng.randrange(len(units))]]
        value = stat(sample)
        if value is not None:
            values.append(value)
    if len(values) < reps / 2:
        return None, None
    values.sort()
    return _percentile(values, 2.5), _percentile(values, 97.5)


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (NumPy's default)."""
    position = (len(values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)
