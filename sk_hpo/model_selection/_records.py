"""The fold results of a candidate as stored in its trial (JSON), and read back.

Each finished trial of an HPOSearchCV study holds, under the system attribute
:data:`RECORD_KEY`, its per-fold test scores (and train scores), fit and score times, with
``null`` for a fold it did not run and for a NaN score. Any process sharing the study can
rebuild ``cv_results_`` rows from these records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sk_hpo.model_selection._fold import FoldResult
from sk_hpo.model_selection._space import SearchSpace
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study
    from sk_hpo.trial import FrozenTrial

__all__ = [
    "RECORD_KEY",
    "CandidateRecord",
    "candidate_trials",
    "decode_record",
    "encode_folds",
    "metric_names",
    "records_from_study",
]

RECORD_KEY = "sk_hpo:cv"


@dataclass
class CandidateRecord:
    """The folds of one candidate.

    ``test``/``train`` hold, per fold, a dict metric -> score (NaN for a failed score) or
    None for a fold that was not run; ``fit_time``/``score_time`` hold floats or None.
    With a budget resource, ``iter`` is the budget level the candidate reached and
    ``n_resources`` its budget (None otherwise).
    """

    params: dict[str, Any]
    test: list[dict[str, float] | None]
    train: list[dict[str, float] | None] | None
    fit_time: list[float | None]
    score_time: list[float | None]
    state: str
    trial_number: int
    iter: int | None = None
    n_resources: int | None = None

    @property
    def n_splits_run(self) -> int:
        return sum(t is not None for t in self.fit_time)


def _encode_number(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _encode_scores(scores: Any) -> Any:
    if isinstance(scores, dict):
        return {k: _encode_number(v) for k, v in scores.items()}
    return _encode_number(scores)


def encode_folds(results: dict[int, FoldResult], n_splits: int) -> dict[str, Any]:
    """The JSON record of the fold results of one candidate."""
    folds = [results.get(j) for j in range(n_splits)]
    with_train = any(f is not None and f["train"] is not None for f in folds)
    return {
        "test": [None if f is None else _encode_scores(f["test"]) for f in folds],
        "train": (
            [None if f is None else _encode_scores(f["train"]) for f in folds]
            if with_train
            else None
        ),
        "fit_time": [None if f is None else f["fit_time"] for f in folds],
        "score_time": [None if f is None else f["score_time"] for f in folds],
    }


def metric_names(records: Sequence[dict[str, Any]]) -> list[str] | None:
    """Metric names of multi-metric records (from the first dict of scores), else None."""
    for record in records:
        for fold in record["test"]:
            if isinstance(fold, dict):
                return list(fold)
    return None


def _decode_scores(fold: Any, metrics: Sequence[str]) -> dict[str, float] | None:
    if fold is None:
        return None
    if isinstance(fold, dict):
        return {m: math.nan if fold.get(m) is None else float(fold[m]) for m in metrics}
    value = math.nan if fold is None else float(fold)
    return {m: value for m in metrics}


def decode_record(
    record: dict[str, Any],
    metrics: Sequence[str],
    params: dict[str, Any],
    state: str,
    trial_number: int,
) -> CandidateRecord:
    """A :class:`CandidateRecord` from a stored record.

    A scalar score under multi-metric scoring (a failed fit's ``error_score``) is given to
    every metric.
    """
    fit_time = record["fit_time"]
    n_run = [t is not None for t in fit_time]

    def scores(folds: list[Any]) -> list[dict[str, float] | None]:
        out = []
        for ran, fold in zip(n_run, folds):
            if not ran:
                out.append(None)
            elif fold is None:  # a NaN scalar score
                out.append({m: math.nan for m in metrics})
            else:
                out.append(_decode_scores(fold, metrics))
        return out

    return CandidateRecord(
        params=params,
        test=scores(record["test"]),
        train=None if record.get("train") is None else scores(record["train"]),
        fit_time=list(fit_time),
        score_time=list(record["score_time"]),
        state=state,
        trial_number=trial_number,
        iter=record.get("iter"),
        n_resources=record.get("n_resources"),
    )


def candidate_trials(study: Study, space: SearchSpace) -> list[FrozenTrial]:
    """The finished trials of ``study`` that evaluated a candidate of ``space``, in order."""
    finished = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
    return [
        t
        for t in study._get_trials(deepcopy=False, states=finished)
        if RECORD_KEY in t.system_attrs and space.is_candidate(t.params)
    ]


def records_from_study(
    study: Study, space: SearchSpace, metrics: list[str] | None
) -> tuple[list[CandidateRecord], list[str]]:
    """The records of every finished candidate of ``study``, in trial order, and the metrics.

    ``metrics`` are the scorer names of multi-metric scoring; None reads them from the
    records (a callable returning a dict) or uses ``["score"]``.
    """
    trials = candidate_trials(study, space)
    if not trials:
        raise ValueError(
            "No fits were performed. Were there no candidates? The search space was "
            "already exhausted in this study, or the timeout left no time for a first "
            "candidate."
        )
    stored = [t.system_attrs[RECORD_KEY] for t in trials]
    metrics = metrics or metric_names(stored) or ["score"]
    records = [
        decode_record(rec, metrics, space.to_estimator_params(t.params), t.state.name, t.number)
        for t, rec in zip(trials, stored)
    ]
    return records, metrics
