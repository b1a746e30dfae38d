"""Continued fits across budget rungs of a parameter resource.

A candidate climbing from budget ``r_k`` to ``r_{k+1}`` of a parameter resource
(``"n_estimators"``, ``"randomforestclassifier__n_estimators"``, ...) on a fold goes on from
its estimator fitted at ``r_k`` instead of refitting from scratch, where that is exact.

The rule
--------
A fit is continued only when the warm-started fit at ``r_{k+1}`` is the fit a from-scratch
fit at ``r_{k+1}`` gives (the same model for an integer ``random_state``, the same
distribution otherwise): when the resource counts the members of an ensemble that
``warm_start=True`` grows, keeping the earlier members and giving the new ones the random
seeds a from-scratch fit gives them (scikit-learn's forests, extra trees, gradient boosting,
bagging, isolation forest). It is decided by probing capabilities, never by class:

1. before the search: the estimator has a ``warm_start`` parameter at the path of the
   resource (``warm_start`` for ``n_estimators``, ``randomforestclassifier__warm_start``
   for ``randomforestclassifier__n_estimators``);
2. after each cheap rung's fit, in the worker: the object at that path has fitted
   ``estimators_`` holding exactly the rung's budget of members (so an ensemble that
   stopped early, or a meta-estimator whose fitted members live in clones, is refitted),
   and it has no early stopping (its ``n_iter_no_change``, if any, is None and its
   ``early_stopping``, if any, is False): a stopping rule restarts under ``warm_start``
   (gradient boosting with ``n_iter_no_change`` would grow more stages than from scratch).

Every other case refits from scratch: iterative optimisers (``SGD*``, ``MLP*``,
``LogisticRegression``, ``Lasso``, ... with ``max_iter``) take ``warm_start`` as a starting
point and run ``max_iter`` *more* iterations with their step-size schedule, optimiser state
(Adam moments, L-BFGS memory) and stopping counters restarted, which is not the fit a
from-scratch run gives; ``HistGradientBoosting*`` continues exactly but keeps its members
private (its ``n_iter_`` counts iterations as an optimiser's counts epochs, so the probe
cannot tell it apart); a failed fit; ``resource="n_samples"`` (other rows). A pipeline
continues as a whole: its other steps are refitted on the same rows, its step at the
resource's path continues.

Cost: the fitted estimator of a cheap rung travels back to the driver in the fold result,
stays there while its candidate waits for the next rung, and travels to the worker of that
rung; it is freed when it is continued, or when its candidate is pruned or finishes. The
full-budget folds continue the last cheap rung and return no estimator; the final refit is
from scratch at the full budget. The fit time recorded for a continued rung is the time of
the continuation. Measured (scikit-learn 1.9, ``pickle`` protocol 5): a random forest of
fully grown trees takes 7 to 10 bytes per training row and tree (0.06 MB for 11 trees on
800 rows, 7.8 MB for 100 trees on 8,000 rows of 20 features); pickling and unpickling it
about 0.3 ms per tree there, growing a tree about 80 ms (a loaded machine: orders of
magnitude only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sk_hpo.model_selection._fold import FoldResult, evaluate_fold
from sk_hpo.model_selection._resource import ResourcePlan

__all__ = ["Continuation", "can_continue", "evaluate_continued", "make_continuation"]


def can_continue(fitted: Any, path: str, budget: int) -> bool:
    """Whether the next rung may continue ``fitted`` (rule 2 of the module docstring): the
    object at ``path`` (``""`` or ``"step__"``) holds ``budget`` fitted ``estimators_`` and
    does not stop early.

    Examples
    --------
    >>> from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> X, y = [[0], [1], [0], [1]], [0, 1, 0, 1]
    >>> pipe = make_pipeline(RandomForestClassifier(n_estimators=3)).fit(X, y)
    >>> can_continue(pipe, "randomforestclassifier__", 3), can_continue(pipe, "", 3)
    (True, False)
    >>> gb = GradientBoostingClassifier(n_estimators=3, n_iter_no_change=2).fit(X * 5, y * 5)
    >>> can_continue(gb, "", len(gb.estimators_))
    False
    """
    params = fitted.get_params(deep=True)
    target = params.get(path[:-2]) if path else fitted
    try:
        members = len(target.estimators_)
    except (AttributeError, TypeError):
        return False
    return (
        members == budget
        and params.get(f"{path}n_iter_no_change") is None
        and params.get(f"{path}early_stopping", False) is False
    )


def evaluate_continued(
    estimator: Any,
    params: dict[str, Any],
    *args: Any,
    start: Any,
    path: str,
    budget: int,
    keep: bool,
    **kwargs: Any,
) -> FoldResult:
    """Worker side: :func:`~sk_hpo.model_selection._fold.evaluate_fold`, continuing the
    fitted ``start`` (with ``warm_start=True`` at ``path``) when given; with ``keep``, the
    fitted estimator is returned under ``"estimator"`` if it can be continued (it holds
    ``budget`` members, see the module's rule)."""
    if start is not None:
        params = {**params, f"{path}warm_start": True}
    result = evaluate_fold(
        estimator, params, *args, start=start, return_estimator=keep, **kwargs
    )
    fitted = result.pop("estimator", None)
    if fitted is not None and can_continue(fitted, path, budget):
        result["estimator"] = fitted
    return result


@dataclass(frozen=True)
class Continuation:
    """How the fold fits of one search continue (see the module docstring).

    Attributes
    ----------
    path : str or None
        Prefix of the ``warm_start`` parameter (``""`` or ``"step__"``); None when no fit
        is continued.
    budgets : tuple of int or None
        The budget of each level of the resource.
    """

    path: str | None
    budgets: tuple[int | None, ...]

    def task(
        self, args: tuple, kwargs: dict[str, Any], level: int, start: Any
    ) -> tuple[Callable[..., FoldResult], tuple, dict[str, Any]]:
        """The worker call of a fold fit at budget ``level`` (``args``/``kwargs`` those of
        ``evaluate_fold``), continuing ``start`` (a fitted estimator of that fold, or None).

        Examples
        --------
        >>> off = Continuation(None, (None,))
        >>> off.task((), {}, 0, None)[0].__name__
        'evaluate_fold'
        >>> on = Continuation("", (3, 9))
        >>> func, _, kwargs = on.task((), {}, 0, None)
        >>> func.__name__, kwargs["keep"], kwargs["budget"]
        ('evaluate_continued', True, 3)
        """
        if self.path is None:
            return evaluate_fold, args, kwargs
        keep = level < len(self.budgets) - 1
        extra = dict(start=start, path=self.path, budget=self.budgets[level], keep=keep)
        return evaluate_continued, args, {**kwargs, **extra}


def make_continuation(estimator: Any, plan: ResourcePlan) -> Continuation:
    """The continuation of a search of ``estimator`` over ``plan`` (rule 1 of the module
    docstring).

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.svm import SVC
    >>> plan = ResourcePlan("n_estimators", [3, 9], n_splits=2, factor=3, splits=[])
    >>> make_continuation(RandomForestClassifier(), plan).path
    ''
    >>> plan = ResourcePlan("max_iter", [3, 9], n_splits=2, factor=3, splits=[])
    >>> make_continuation(SVC(), plan).path is None
    True
    """
    budgets = tuple(plan.budgets)
    prefix, _, _ = plan.resource.rpartition("__")
    path = f"{prefix}__" if prefix else ""
    if (
        plan.resource in ("folds", "n_samples")
        or len(budgets) < 2
        or f"{path}warm_start" not in estimator.get_params(deep=True)
    ):
        return Continuation(None, budgets)
    return Continuation(path, budgets)
