"""The ``scoring`` argument as scorers: one, several (a dict), or a callable returning a dict."""

from __future__ import annotations

import numbers
import traceback
from typing import Any

from sklearn import get_config
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from sk_hpo._compat import scorer_accepts_sample_weight
from sk_hpo._validation import CALLABLE, STR, InvalidParameterError, check_param

__all__ = ["MultiScorer", "resolve_scoring", "check_score", "routing_enabled"]


def routing_enabled() -> bool:
    """Whether scikit-learn's metadata routing is on (``set_config``)."""
    return bool(get_config().get("enable_metadata_routing", False))


class MultiScorer:
    """Several named scorers evaluated on one fitted estimator.

    Parameters
    ----------
    scorers : dict of str to callable
    raise_exc : bool, default=True
        False returns the formatted traceback of a failing scorer as its score, so the
        caller can replace it by ``error_score`` and warn.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.metrics import get_scorer
    >>> est = DummyClassifier().fit([[0], [1], [2]], [0, 0, 1])
    >>> MultiScorer({"acc": get_scorer("accuracy")})(est, [[0], [1]], [0, 1])
    {'acc': 0.5}
    """

    def __init__(self, scorers: dict[str, Any], raise_exc: bool = True) -> None:
        self.scorers = scorers
        self.raise_exc = raise_exc

    def __call__(self, estimator: Any, X: Any, y: Any = None, **kwargs: Any) -> dict[str, Any]:
        if routing_enabled():
            routed = process_routing(self, "score", **kwargs)
            per_scorer = {name: dict(routed[name].score) for name in self.scorers}
        else:
            sample_weight = kwargs.pop("sample_weight", None)
            per_scorer = {}
            for name, scorer in self.scorers.items():
                params = dict(kwargs)
                if sample_weight is not None and scorer_accepts_sample_weight(scorer):
                    params["sample_weight"] = sample_weight
                per_scorer[name] = params
        scores: dict[str, Any] = {}
        data = (X,) if y is None else (X, y)
        for name, scorer in self.scorers.items():
            try:
                scores[name] = scorer(estimator, *data, **per_scorer[name])
            except Exception:
                if self.raise_exc:
                    raise
                scores[name] = traceback.format_exc()
        return scores

    def get_metadata_routing(self) -> MetadataRouter:
        return MetadataRouter(owner=self).add(
            **self.scorers, method_mapping=MethodMapping().add(caller="score", callee="score")
        )

    def __repr__(self) -> str:
        return f"MultiScorer({', '.join(repr(n) for n in self.scorers)})"


def resolve_scoring(
    estimator: Any, scoring: Any, raise_exc: bool
) -> tuple[Any, bool | None]:
    """The scorer to call on each fold, and whether scoring is multi-metric.

    Multi-metric is None for a callable ``scoring``: it is known only once the callable has
    returned a number or a dict.
    """
    if callable(scoring):
        return scoring, None
    if scoring is None or isinstance(scoring, str):
        return check_scoring(estimator, scoring), False
    if isinstance(scoring, (list, tuple, set)):
        names = list(scoring)
        if not names or not all(isinstance(n, str) for n in names) or len(set(names)) != len(
            names
        ):
            raise InvalidParameterError(
                "The 'scoring' parameter of HPOSearchCV must be a non-empty list, tuple or set "
                f"of unique scorer names (str). Got {scoring!r} instead. See "
                "sklearn.metrics.get_scorer_names()."
            )
        unknown = [n for n in names if n not in get_scorer_names()]
        if unknown:
            raise ValueError(
                f"The scorer names {unknown!r} in 'scoring' are not known; see "
                "sklearn.metrics.get_scorer_names() for valid names."
            )
        scorers = {n: check_scoring(estimator, n) for n in names}
    elif isinstance(scoring, dict):
        if not scoring or not all(isinstance(k, str) for k in scoring):
            raise InvalidParameterError(
                "The 'scoring' parameter of HPOSearchCV must be a non-empty dict of metric names "
                f"(str) to scorers. Got {scoring!r} instead."
            )
        scorers = {}
        for name, scorer in scoring.items():
            check_param("HPOSearchCV", f"scoring[{name!r}]", scorer, [CALLABLE, STR])
            scorers[name] = check_scoring(estimator, scorer)
    else:  # pragma: no cover - the constraints of HPOSearchCV reject other types first
        raise TypeError(f"Unsupported 'scoring': {scoring!r}.")
    return MultiScorer(scorers, raise_exc=raise_exc), True


def check_score(score: Any, scorer: Any, name: str | None = None) -> float:
    """Return ``score`` as a float; raise ValueError when it is not a number."""
    if hasattr(score, "item"):
        try:
            score = score.item()
        except ValueError:
            pass
    if not isinstance(score, numbers.Number):
        where = f"the scorer {name!r}" if name is not None else f"scorer={scorer!r}"
        raise ValueError(
            f"Scoring must return a number. Got {score!r} ({type(score).__name__}) instead "
            f"({where}); a scorer is called as scorer(estimator, X, y)."
        )
    return float(score)
