"""The scorer against reference implementations: seqeval (strict, IOB2), nervaluate (strict)
and the krippendorff package, on the mentions and on random data."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scoring import MENTIONS, TEXT, TYPES, frame, values

import rfi_umarov_2022 as ds
from rfi_umarov_2022.scoring import stats

pytestmark = pytest.mark.slow
TOKENS = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", TEXT)]


def noisy(rows: list[dict], seed: int) -> list[dict]:
    """A system's mentions: some dropped, some cut to their first word, some invented."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        roll = rng.random()
        if roll < 0.15:
            continue
        if roll < 0.3 and " " in row["surface"]:
            head = row["surface"].split(" ")[0]
            row = {**row, "surface": head, "char_end": row["char_start"] + len(head)}
        out.append(row)
    for start, end in rng.sample(TOKENS, 8):
        if not any(r["char_start"] < end and start < r["char_end"] for r in out):
            out.append({"mention_id": f"x{start}", "char_start": start, "char_end": end,
                        "surface": TEXT[start:end], "actor_id": rows[0]["actor_id"],
                        "mention_type": TYPES[0]})
    return out


def outermost(rows: list[dict]) -> list[dict]:
    """The spans no other span contains: BIO tags cannot hold nested spans."""
    return [r for r in rows if not any(o is not r and o["char_start"] <= r["char_start"]
                                       and r["char_end"] <= o["char_end"] for o in rows)]


def bio(rows: list[dict]) -> list[str]:
    tags = ["O"] * len(TOKENS)
    for row in rows:
        inside = [i for i, (s, e) in enumerate(TOKENS) if row["char_start"] <= s and e <= row["char_end"]]
        for k, i in enumerate(inside):
            tags[i] = ("B-" if k == 0 else "I-") + "MENTION"
    return tags


@pytest.mark.parametrize("seed", range(5))
def test_strict_scores_equal_seqeval(seed):
    """With no nesting on either side (BIO tags cannot hold it), the scorer's exact matching
    and statistics give seqeval's strict precision, recall and F1."""
    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    from rfi_umarov_2022.scoring import match

    gold = outermost(MENTIONS)
    pred = outermost(noisy(gold, seed))
    found = len(match.exact(gold, pred))
    precision, recall = stats.ratio(found, len(pred)), stats.ratio(found, len(gold))
    y_true, y_pred = [bio(gold)], [bio(pred)]
    assert precision_score(y_true, y_pred, mode="strict", scheme=IOB2) == pytest.approx(precision)
    assert recall_score(y_true, y_pred, mode="strict", scheme=IOB2) == pytest.approx(recall)
    assert f1_score(y_true, y_pred, mode="strict", scheme=IOB2) == pytest.approx(stats.f1(precision, recall))


@pytest.mark.parametrize("seed", range(5))
def test_strict_scores_equal_nervaluate(seed):
    from nervaluate import Evaluator

    pred = noisy(MENTIONS, seed)
    ours = values(ds.score(frame(pred), "mentions", reps=0))

    def spans(rows):
        return [[{"label": "M", "start": r["char_start"], "end": r["char_end"] - 1} for r in rows]]

    strict = Evaluator(spans(MENTIONS), spans(pred), tags=["M"]).evaluate()["overall"]["strict"]
    assert ours["precision_exact"] == pytest.approx(strict.precision)
    assert ours["recall_exact"] == pytest.approx(strict.recall)
    assert ours["f1_exact"] == pytest.approx(strict.f1)


VALUES = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(VALUES, VALUES), min_size=2, max_size=40), st.booleans())
def test_alpha_equals_the_krippendorff_package(pairs, ordinal):
    import krippendorff
    import numpy as np

    order = ("a", "b", "c", "d")
    ours = stats.alpha(pairs, order if ordinal else None)
    data = np.array([[order.index(g) for g, _ in pairs], [order.index(p) for _, p in pairs]], dtype=float)
    if len({v for pair in pairs for v in pair}) < 2:
        assert ours is None
        return
    level = "ordinal" if ordinal else "nominal"
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement=level,
                                   value_domain=list(range(len(order))))
    assert ours == pytest.approx(reference)
