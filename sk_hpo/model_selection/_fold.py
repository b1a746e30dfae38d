"""Fit and score one candidate on one cross-validation split: the unit of work of a worker.

Workers only fit and score; they never touch the study. Everything the driver needs comes
back in a small :class:`FoldResult` dict (scores, times, the traceback of a failed fit and
the warnings to re-emit in the driver's process).
"""

from __future__ import annotations

import time
import traceback
from typing import Any, TypedDict

import numpy as np
from sklearn.base import clone

from sk_hpo._compat import safe_indexing
from sk_hpo.model_selection._scoring import MultiScorer, check_score

__all__ = ["FoldResult", "evaluate_fold", "num_samples", "split_data", "subset_params"]


class _FoldScores(TypedDict):
    test: Any  # float, or dict of metric name to float
    train: Any  # same as test, or None without return_train_score
    fit_time: float
    score_time: float
    fit_error: str | None
    warnings: list[str]


class FoldResult(_FoldScores, total=False):
    estimator: Any  # the fitted estimator, only when asked (see _continuation)


def num_samples(x: Any) -> int | None:
    """Number of rows of an array-like, None for anything else (scalars, estimators)."""
    shape = getattr(x, "shape", None)
    if shape is not None and len(shape) > 0 and shape[0] is not None:
        return int(shape[0])
    if hasattr(x, "__len__") and not isinstance(x, (str, bytes, dict)):
        try:
            return len(x)
        except TypeError:
            return None
    return None


def subset_params(params: dict[str, Any], n_rows: int | None, rows: np.ndarray) -> dict[str, Any]:
    """Index the per-sample entries of ``params`` (same length as X) by ``rows``."""
    return {
        k: safe_indexing(v, rows) if n_rows is not None and num_samples(v) == n_rows else v
        for k, v in params.items()
    }


def split_data(
    X: Any, y: Any, rows: np.ndarray, columns: np.ndarray | None, pairwise: bool
) -> tuple[Any, Any]:
    """Rows of X and y; for a precomputed kernel (``pairwise``) also the ``columns`` of X."""
    if pairwise:
        if not hasattr(X, "shape"):
            raise ValueError(
                "A precomputed kernel or affinity matrix must be passed as an array or a "
                f"sparse matrix. Got {type(X).__name__} instead."
            )
        if X.shape[0] != X.shape[1]:
            raise ValueError(
                "X must be a square kernel matrix for a pairwise estimator. Got shape "
                f"{X.shape} instead."
            )
        X_sub = safe_indexing(safe_indexing(X, rows, axis=0), columns, axis=1)
    else:
        X_sub = safe_indexing(X, rows)
    return X_sub, (None if y is None else safe_indexing(y, rows))


def _score(
    estimator: Any, X: Any, y: Any, scorer: Any, params: dict[str, Any], error_score: Any
) -> tuple[Any, list[str]]:
    messages: list[str] = []
    data = (X,) if y is None else (X, y)  # as scikit-learn: scorer(estimator, X) without y
    if error_score == "raise":
        scores = scorer(estimator, *data, **params)
    else:
        try:
            scores = scorer(estimator, *data, **params)
        except Exception:
            if isinstance(scorer, MultiScorer):  # its scorers' errors come back as tracebacks:
                raise  # what escapes is a misconfiguration (metadata routing), as in sklearn
            scores = error_score
            messages.append(
                f"Scoring failed; the score on this split is set to {error_score}. "
                f"Details:\n{traceback.format_exc()}"
            )
    if isinstance(scores, dict):
        checked = {}
        for name, score in scores.items():
            if isinstance(scorer, MultiScorer) and isinstance(score, str):
                messages.append(
                    f"Scoring {name!r} failed; its score on this split is set to "
                    f"{error_score}. Details:\n{score}"
                )
                score = error_score
            checked[name] = check_score(score, scorer, name)
        return checked, messages
    return check_score(scores, scorer), messages


def evaluate_fold(
    estimator: Any,
    params: dict[str, Any],
    X: Any,
    y: Any,
    train: np.ndarray,
    test: np.ndarray,
    scorer: Any,
    *,
    fit_params: dict[str, Any],
    score_params: dict[str, Any],
    return_train_score: bool,
    error_score: Any,
    pairwise: bool,
    start: Any = None,
    return_estimator: bool = False,
) -> FoldResult:
    """Fit a clone of ``estimator`` with ``params`` on ``train``, score it on ``test``.

    With ``error_score="raise"`` any exception propagates; otherwise a failed fit gets
    ``error_score`` as its scores and its traceback in ``fit_error``. A fitted ``start``
    (a continued fit, see :mod:`~sk_hpo.model_selection._continuation`) is fitted again
    with ``params`` instead of a clone; ``return_estimator`` returns the fitted estimator
    under ``"estimator"`` (not after a failed fit).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.metrics import get_scorer
    >>> X = np.r_[np.zeros((5, 1)), np.ones((5, 1))]; y = np.r_[[0] * 5, [1] * 5]
    >>> out = evaluate_fold(LogisticRegression(), {"C": 1.0}, X, y, np.arange(1, 9),
    ...                     np.array([0, 9]), get_scorer("accuracy"), fit_params={},
    ...                     score_params={}, return_train_score=False, error_score=np.nan,
    ...                     pairwise=False)
    >>> out["test"], out["fit_error"]
    (1.0, None)
    """
    est = (clone(estimator) if start is None else start).set_params(**clone(params, safe=False))
    n_rows = num_samples(X)
    X_train, y_train = split_data(X, y, train, train, pairwise)
    X_test, y_test = split_data(X, y, test, train, pairwise)
    fit_params = subset_params(fit_params, n_rows, train)
    fit_error = None
    start = time.perf_counter()
    try:
        if y_train is None:
            est.fit(X_train, **fit_params)
        else:
            est.fit(X_train, y_train, **fit_params)
    except Exception:
        if error_score == "raise":
            raise
        fit_error = traceback.format_exc()
    fit_time = time.perf_counter() - start
    if fit_error is not None:
        return FoldResult(
            test=error_score,
            train=error_score if return_train_score else None,
            fit_time=fit_time,
            score_time=0.0,
            fit_error=fit_error,
            warnings=[],
        )
    start = time.perf_counter()
    test_scores, messages = _score(
        est, X_test, y_test, scorer, subset_params(score_params, n_rows, test), error_score
    )
    score_time = time.perf_counter() - start
    train_scores = None
    if return_train_score:
        train_scores, more = _score(
            est, X_train, y_train, scorer, subset_params(score_params, n_rows, train), error_score
        )
        messages += more
    result = FoldResult(
        test=test_scores,
        train=train_scores,
        fit_time=fit_time,
        score_time=score_time,
        fit_error=None,
        warnings=messages,
    )
    if return_estimator:
        result["estimator"] = est
    return result
