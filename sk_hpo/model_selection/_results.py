"""``cv_results_`` from the per-candidate fold records: columns, means, ranks.

Notations
---------
- ``n``: number of candidates (rows), ``k``: number of CV splits.
- ``S``: ``(n, k)`` float array of one metric's fold scores; NaN where a fold was not run
  (a pruned candidate) or failed with ``error_score=np.nan``.
- ``m = mean(S, axis=1)``: NaN as soon as one fold is NaN, so a pruned candidate never has a
  mean score and never ranks first.
- ``rank``: dense-from-1 rank of ``-m`` with ties sharing the lower rank; NaN means rank
  after every finite mean (and every candidate ranks 1 when all means are NaN).

Columns follow ``GridSearchCV``: ``mean/std_fit_time``, ``mean/std_score_time``, masked
``param_<name>`` arrays, ``params``, then per metric ``split<i>_test_<metric>``,
``mean/std/rank_test_<metric>`` and, with ``return_train_score``, the ``train`` columns. With
pruning, three more: ``n_splits_run`` (folds fitted), ``state`` (``"COMPLETE"``,
``"PRUNED"`` or ``"FAIL"``) and ``trial_number`` (the trial in ``study_``); the times of a
pruned candidate are then averaged over the folds it ran.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata

from sk_hpo._warnings import warn_user
from sk_hpo.model_selection._records import CandidateRecord

__all__ = ["build_cv_results", "rank_scores", "param_columns"]


def rank_scores(means: np.ndarray) -> np.ndarray:
    """Ranks (int32) of mean scores, greater is better; see the module Notations.

    Examples
    --------
    >>> rank_scores(np.array([0.5, np.nan, 0.9, 0.5]))
    array([2, 4, 1, 2], dtype=int32)
    """
    if np.all(np.isnan(means)):
        return np.ones(len(means), dtype=np.int32)
    filled = np.nan_to_num(means, nan=np.nanmin(means) - 1)
    return rankdata(-filled, method="min").astype(np.int32)


def _mean_std(array: np.ndarray, skip_missing: bool) -> tuple[np.ndarray, np.ndarray]:
    if skip_missing:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # rows with no fold: NaN
            return np.nanmean(array, axis=1), np.nanstd(array, axis=1)
    means = np.average(array, axis=1)
    stds = np.sqrt(np.average((array - means[:, np.newaxis]) ** 2, axis=1))
    return means, stds


def _column_dtype(values: list[Any]) -> np.dtype:
    try:
        arr = np.array(values)
    except ValueError:  # ragged sequences
        return np.dtype(object)
    return arr.dtype if arr.dtype.kind != "U" and arr.ndim == 1 else np.dtype(object)


def param_columns(all_params: Sequence[dict[str, Any]]) -> dict[str, MaskedArray]:
    """One masked array per parameter, masked where a candidate does not set it.

    Examples
    --------
    >>> cols = param_columns([{"C": 1}, {"C": 2, "kernel": "rbf"}])
    >>> cols["param_kernel"].mask.tolist(), cols["param_C"].dtype
    ([True, False], dtype('int64'))
    """
    by_name: dict[str, dict[int, Any]] = {}
    for i, params in enumerate(all_params):
        for name, value in params.items():
            by_name.setdefault(f"param_{name}", {})[i] = value
    out = {}
    for key, values in by_name.items():
        column = MaskedArray(
            np.empty(len(all_params), dtype=_column_dtype(list(values.values()))), mask=True
        )
        for i, value in values.items():
            column[i] = value
        out[key] = column
    return out


def _scores(records: Sequence[CandidateRecord], part: str, metric: str, k: int) -> np.ndarray:
    array = np.full((len(records), k), np.nan)
    for i, record in enumerate(records):
        folds = record.test if part == "test" else record.train
        for j, fold in enumerate(folds or ()):
            if fold is not None:
                array[i, j] = fold[metric]
    return array


def _times(records: Sequence[CandidateRecord], attr: str, k: int) -> np.ndarray:
    array = np.full((len(records), k), np.nan)
    for i, record in enumerate(records):
        for j, t in enumerate(getattr(record, attr)):
            if t is not None:
                array[i, j] = t
    return array


def build_cv_results(
    records: Sequence[CandidateRecord],
    metrics: Sequence[str],
    n_splits: int,
    return_train_score: bool,
    pruning_columns: bool,
) -> dict[str, Any]:
    """The ``cv_results_`` dict of ``records`` (one row each, in order)."""
    results: dict[str, Any] = {}
    for name in ("fit_time", "score_time"):
        array = _times(records, name, n_splits)
        means, stds = _mean_std(array, skip_missing=pruning_columns)
        results[f"mean_{name}"], results[f"std_{name}"] = means, stds
    results.update(param_columns([r.params for r in records]))
    results["params"] = [r.params for r in records]
    complete = np.array([r.state != "PRUNED" for r in records], dtype=bool)
    for metric in metrics:
        parts = ("test", "train") if return_train_score else ("test",)
        for part in parts:
            array = _scores(records, part, metric, n_splits)
            for j in range(n_splits):
                results[f"split{j}_{part}_{metric}"] = array[:, j]
            means, stds = _mean_std(array, skip_missing=False)
            results[f"mean_{part}_{metric}"], results[f"std_{part}_{metric}"] = means, stds
            if np.any(~np.isfinite(means[complete])):
                warn_user(f"One or more of the {part} scores are non-finite: {means}")
            if part == "test":
                results[f"rank_test_{metric}"] = rank_scores(means)
    if pruning_columns:
        results["n_splits_run"] = np.array([r.n_splits_run for r in records], dtype=np.int64)
        results["state"] = np.array([r.state for r in records], dtype=object)
        results["trial_number"] = np.array([r.trial_number for r in records], dtype=np.int64)
    return results
