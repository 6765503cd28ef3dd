"""Score a system's annotation of the interview against this dataset, one layer at a time.

>>> import rfi_umarov_2022 as ds
>>> ds.score("my_claims.csv", "claims")  # doctest: +SKIP

``score`` checks the predictions first (``check_predictions``), then matches predicted spans to
gold spans one to one on character offsets (``rfi_umarov_2022.scoring.match``) and returns a
tidy table: one row per metric, with a 95% bootstrap interval, the number of items behind it
and the dataset version. ``METRICS`` says what each metric is. This is one interview: report
the intervals, not only the values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rfi_umarov_2022.errors import PredictionError
from rfi_umarov_2022.scoring.stats import REPS, SEED

#: Every metric name (``<field>`` and ``<table>`` stand for the layer's own fields and link
#: tables), with what it measures.
METRICS: dict[str, str] = {
    "precision_exact": "share of predicted spans with the same char_start and char_end as a gold span "
                       "(one-to-one)",
    "recall_exact": "share of gold spans predicted with the same offsets",
    "f1_exact": "harmonic mean of precision_exact and recall_exact",
    "precision_overlap": "share of predicted spans matched to an overlapping gold span (one-to-one, "
                         "largest overlap first)",
    "recall_overlap": "share of gold spans matched to an overlapping predicted span",
    "f1_overlap": "harmonic mean of precision_overlap and recall_overlap",
    "accuracy:<field>": "on overlap-matched spans, share with the same value (a null equals a null); "
                        "ids of another span table are compared through that table's matching",
    "macro_f1:<field>": "on overlap-matched spans, mean F1 over every value gold or prediction uses",
    "alpha:<field>": "Krippendorff's alpha on overlap-matched spans, ordinal where the schema's "
                     "categories are ordered (then pairs with a null are left out), else nominal",
    "linking_accuracy": "accuracy of the id the span links to (actor_id of a mention, event_id of an "
                        "event mention)",
    "value_accuracy": "accuracy of the normalized value (dates: the TIMEX3 value, strict, as in "
                      "TempEval-3)",
    "interval_overlap": "mean over matched spans of shared days / days in the union of "
                        "[earliest, latest]; an open bound counts 1 only if both intervals are identical",
    "interval_exact": "share of matched spans with the same earliest and the same latest",
    "precision:<table>": "share of predicted links (span, other id, label) that gold has; the span "
                         "and any span-table id are compared through the span matching",
    "recall:<table>": "share of gold links (span, other id, label) predicted",
    "f1:<table>": "harmonic mean of precision:<table> and recall:<table>",
    "alpha:<table>": "Krippendorff's alpha (nominal) of the link's label on overlap-matched spans, one "
                     "item per partner in either reading, a missing link being the value '<absent>'",
}
COLUMNS = ("layer", "metric", "value", "ci_low", "ci_high", "n", "version")


def layers() -> list[str]:
    """The tables a system can be scored on (the annotation layers with spans)."""
    from rfi_umarov_2022 import loader
    from rfi_umarov_2022.scoring.check import layer_names

    return layer_names(loader.schemas())


def check_predictions(predictions: Any, layer: str, gold: str | Path | None = None) -> dict[str, Any]:
    """Check predictions for ``layer`` before scoring; returns table -> number of rows.

    ``predictions``: a DataFrame or a CSV, JSON Lines or Parquet file with the layer's columns,
    or a folder (or dict) of ``<table>.<suffix>`` files adding the layer's link tables. Raises
    PredictionError, one line naming the table, row and field, at the first problem.
    """
    from rfi_umarov_2022.scoring import check, tables

    checked = check.check(predictions, layer, tables.gold(gold))
    return {name: len(rows) for name, rows in checked.rows.items()}


def score(predictions: Any, layer: str, *, gold: str | Path | None = None, seed: int = SEED,
          reps: int = REPS) -> Any:
    """Score predictions for ``layer`` against the dataset; a tidy pandas DataFrame.

    Columns: layer, metric (see ``METRICS``), value, ci_low and ci_high (a 95% percentile
    interval from ``reps`` bootstrap resamples of the text's sentences, seeded: the same inputs
    give the same intervals), n (the items behind the value), version (of the gold). ``gold``
    names another build of this dataset (a folder with ``dataset/``) to score against.
    ``frame.attrs["not_scored"]`` lists the fields and link tables the scorer could score for
    this layer but the predictions leave out (their metrics are absent, not zero).
    """
    import pandas as pd

    from rfi_umarov_2022.scoring import check, metrics, tables

    reference = tables.gold(gold)
    predicted = check.check(predictions, layer, reference)
    rows = [{"layer": layer, **metric.row(seed, reps), "version": reference.version}
            for metric in metrics.Scorer(reference, predicted, layer).metrics()]
    frame = pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {"layer": "string", "metric": "string", "value": "float64", "ci_low": "float64",
         "ci_high": "float64", "n": "Int64", "version": "string"})
    frame.attrs["not_scored"] = list(predicted.not_scored or [])
    return frame


__all__ = ["COLUMNS", "METRICS", "PredictionError", "check_predictions", "layers", "score"]
