"""Several objectives in HPOSearchCV: scores against fit/score time, halving by dominance.

``HPOSearchCV(objectives=[...])`` turns its study into a study of several objectives (one
direction each) and the search into a search of the trade-off. This module holds all of it
apart from the fold loop:

- :func:`check_objectives` validates ``objectives`` (and ``refit`` against it) and gives an
  :class:`Objectives`: the names, their directions, and how to read them from a fold result
  or from ``cv_results_``.
- :func:`make_objective_plan` turns the ``pruner`` argument into a :class:`PruningPlan` plus
  an :class:`ObjectiveRule`, the hook the fold scheduler calls instead of ``trial.report`` /
  ``trial.should_prune`` (the engine's pruners compare one value per step and refuse studies
  of several objectives, as Optuna's do).
- :func:`pareto_front` and :func:`select_best` give ``pareto_front_`` and ``best_index_``.

Halving by dominance
--------------------
At a decision step (the rungs of ``pruner="sha"``: after 1 and 3 folds with ``factor=3``) a
candidate's objective values over the folds so far are stored in its trial (system attribute
``sk_hpo:objectives:<step>``), so processes sharing a study see each other's candidates. The
candidates that reached the step (this fit's, earlier fits', other processes'; the candidate
itself included) are ordered by non-domination rank, then by decreasing crowding distance
within a rank (NSGA-II's order); the candidate goes on when it is among the first
``max(n // factor, 1)`` of the ``n``, as asynchronous successive halving does with one score.

A pruner of one's own takes part by contract: any :class:`~sk_hpo.pruners.BasePruner` with a
method ``prune_objectives(losses, index) -> bool`` (``losses`` of shape ``(n, m)``, every
objective minimised, row ``index`` the candidate asked about), deciding at its
``decision_steps``.

Notations
---------
n : number of candidates compared (rows).
m : number of objectives.
values : array of shape (n, m) in the objectives' own units (scores, seconds).
losses : array of shape (n, m), ``values`` with maximised objectives (scores) negated.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._pareto import crowding_distance, non_dominated_ranks, to_loss
from sk_hpo._validation import Constraint, InvalidParameterError, check_param
from sk_hpo.model_selection._pruning import PRUNER_NAMES, PruningPlan
from sk_hpo.pruners import BasePruner, SuccessiveHalvingPruner

if TYPE_CHECKING:
    from sk_hpo.model_selection._fold import FoldResult
    from sk_hpo.study import Study
    from sk_hpo.trial import FrozenTrial, Trial

__all__ = [
    "TIME_OBJECTIVES",
    "DominanceHalvingPruner",
    "ObjectiveRule",
    "Objectives",
    "check_objectives",
    "default_sampler",
    "dominance_order",
    "make_objective_plan",
    "pareto_front",
    "scorer_for_score",
    "select_best",
]

TIME_OBJECTIVES = ("fit_time", "score_time")
STEP_KEY = "sk_hpo:objectives:"  # + step number: a candidate's values at a decision step
_STARTUP = 3  # as the string pruners of _pruning: no decision before 3 others reached a step


@dataclass(frozen=True)
class Objectives:
    """The validated ``objectives``: names, and how to read them.

    Parameters
    ----------
    names : tuple of str
        Scorer names (maximised) and ``"fit_time"`` / ``"score_time"`` (minimised).

    Examples
    --------
    >>> Objectives(("accuracy", "fit_time")).directions
    ['maximize', 'minimize']
    """

    names: tuple[str, ...]

    @property
    def directions(self) -> list[str]:
        """``"maximize"`` for a score, ``"minimize"`` for a time; one per name."""
        return ["minimize" if n in TIME_OBJECTIVES else "maximize" for n in self.names]

    def fold_values(self, result: FoldResult) -> np.ndarray:
        """The objective values of one fold result, shape (m,)."""
        test = result["test"]
        out = []
        for name in self.names:
            if name in TIME_OBJECTIVES:
                out.append(float(result[name]))  # type: ignore[literal-required]
            else:  # a failed fit's error_score is one scalar for every metric
                out.append(float(test[name] if isinstance(test, dict) else test))
        return np.array(out)

    def mean_values(self, results: Sequence[FoldResult]) -> np.ndarray:
        """Mean objective values over fold ``results``, shape (m,)."""
        return np.mean([self.fold_values(r) for r in results], axis=0)

    def columns(self, cv_results: dict[str, Any]) -> np.ndarray:
        """The objective values of each row of ``cv_results``, shape (n, m): the mean test
        score of each scorer, ``mean_fit_time`` and ``mean_score_time``."""
        cols = [
            cv_results[f"mean_{n}" if n in TIME_OBJECTIVES else f"mean_test_{n}"]
            for n in self.names
        ]
        return np.column_stack([np.asarray(c, dtype=float) for c in cols])

    def first_score(self) -> str | None:
        """The first scorer among the objectives (None when they are all times)."""
        return next((n for n in self.names if n not in TIME_OBJECTIVES), None)


def _describe(names: Sequence[str]) -> str:
    return f"a list of at least two distinct names among {list(names) + list(TIME_OBJECTIVES)!r}"


def check_objectives(
    objectives: Any, metrics: Sequence[str] | None, refit: Any
) -> Objectives | None:
    """Validate ``objectives`` against the scorer names ``metrics`` (None: a callable
    ``scoring``, whose names are unknown before fitting), and ``refit`` against both.

    Examples
    --------
    >>> check_objectives(["score", "fit_time"], ["score"], True).names
    ('score', 'fit_time')
    >>> check_objectives(["score"], ["score"], True)
    Traceback (most recent call last):
    ...
    sk_hpo._validation.InvalidParameterError: The 'objectives' parameter of HPOSearchCV must be
    a list of at least two distinct names among ['score', 'fit_time', 'score_time']. Got
    ['score'] instead. A single objective is the refit metric: leave objectives=None.
    """
    if objectives is None:
        return None
    if metrics is None:
        raise InvalidParameterError(
            f"The 'objectives' parameter of HPOSearchCV needs the scorer names up front, but "
            f"scoring is a callable. Got objectives={objectives!r}. Give scoring as a str, a "
            "list or a dict of scorers (a callable may be a value of the dict)."
        )
    known = list(metrics) + list(TIME_OBJECTIVES)
    allowed = [
        Constraint(
            lambda v: isinstance(v, (list, tuple)) and all(isinstance(n, str) for n in v),
            _describe(metrics),
        )
    ]
    check_param("HPOSearchCV", "objectives", objectives, allowed)
    names = tuple(objectives)
    why = None
    unknown = [n for n in names if n not in known]
    if unknown:
        single = list(metrics) == ["score"]
        why = (
            f"{unknown!r} {'is' if len(unknown) == 1 else 'are'} not a name of scoring "
            f"({'a single scorer is named' if single else 'its names are'} "
            f"{list(metrics)!r}) nor a time."
        )
    elif len(names) < 2:
        why = "A single objective is the refit metric: leave objectives=None."
    elif len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        why = f"{twice!r} {'is' if len(twice) == 1 else 'are'} listed twice."
    if why is not None:
        raise InvalidParameterError(
            f"The 'objectives' parameter of HPOSearchCV must be {_describe(metrics)}. Got "
            f"{objectives!r} instead. {why}"
        )
    if isinstance(refit, str) and refit not in names and refit not in metrics:
        raise InvalidParameterError(
            f"The 'refit' parameter of HPOSearchCV must be a bool, a callable or a name among "
            f"{list(dict.fromkeys(list(names) + list(metrics)))!r} (an objective or a scorer) "
            f"when objectives are given. Got {refit!r} instead."
        )
    return Objectives(names)


# -- halving by dominance -------------------------------------------------------------------------


def dominance_order(losses: Any) -> np.ndarray:
    """Row indices of ``losses`` best first: by non-domination rank, then by decreasing
    crowding distance within a rank, then by row.

    Examples
    --------
    >>> dominance_order([[3, 3], [1, 2], [2, 1], [1.5, 1.5]]).tolist()
    [1, 2, 3, 0]
    """
    losses = np.asarray(losses, dtype=float)
    n = len(losses)
    if n == 0:
        return np.zeros(0, dtype=int)
    ranks = non_dominated_ranks(losses)
    crowding = np.zeros(n)
    for rank in np.unique(ranks):
        members = np.flatnonzero(ranks == rank)
        crowding[members] = crowding_distance(losses[members])
    return np.lexsort((np.arange(n), -crowding, ranks))


class DominanceHalvingPruner(BasePruner):
    """Successive halving over several objectives (``pruner="sha"`` with ``objectives``).

    Decides at the rungs of :class:`~sk_hpo.pruners.SuccessiveHalvingPruner` with
    ``min_resource=1``; a candidate goes on when it is among the first ``max(n // factor,
    1)`` of the ``n`` candidates at the step in :func:`dominance_order`. It is asked through
    :meth:`prune_objectives` by HPOSearchCV; :meth:`prune` (one value per step) never prunes.

    Parameters
    ----------
    factor : int, default=3
        Reduction factor.

    Examples
    --------
    >>> pruner = DominanceHalvingPruner(factor=3)
    >>> sorted(pruner.decision_steps(5))
    [0, 2]
    >>> losses = [[0.1, 1.0], [0.2, 2.0], [0.3, 3.0]]  # the first dominates the others
    >>> pruner.prune_objectives(losses, 0), pruner.prune_objectives(losses, 2)
    (False, True)
    """

    def __init__(self, factor: int = 3) -> None:
        self.factor = factor

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        return False

    def decision_steps(self, n_steps: int) -> frozenset[int]:
        return SuccessiveHalvingPruner(
            min_resource=1, reduction_factor=self.factor, min_early_stopping_rate=0
        ).decision_steps(n_steps)

    def prune_objectives(self, losses: Any, index: int) -> bool:
        """Whether row ``index`` of ``losses`` (shape (n, m), minimised) is pruned."""
        order = dominance_order(losses)
        keep = max(len(order) // self.factor, 1)
        return index not in order[:keep]

    def __repr__(self) -> str:
        return f"DominanceHalvingPruner(factor={self.factor})"


class ObjectiveRule:
    """What the fold scheduler calls, with several objectives, in place of the trial's
    ``report`` / ``should_prune`` / ``tell(value)``.

    Parameters
    ----------
    objectives : Objectives
    pruner : BasePruner or None
        Has ``prune_objectives(losses, index)``; None never prunes.
    n_startup : int
        Other candidates that must have reached a step before one is pruned there.
    """

    def __init__(
        self, objectives: Objectives, pruner: BasePruner | None, n_startup: int
    ) -> None:
        self.objectives = objectives
        self.pruner = pruner
        self.n_startup = n_startup

    def report(self, trial: Trial, step: int, results: Sequence[FoldResult]) -> bool:
        """Store the mean objective values of ``results`` at ``step``; False (nothing
        stored, never pruned there) when one is not finite."""
        values = self.objectives.mean_values(results)
        if not np.all(np.isfinite(values)):
            return False
        trial.set_system_attr(f"{STEP_KEY}{step}", [float(x) for x in values])
        return True

    def should_prune(self, study: Study, trial: Trial, step: int) -> bool:
        """Whether ``trial`` is pruned at ``step`` among the candidates that reached it."""
        if self.pruner is None:
            return False
        key = f"{STEP_KEY}{step}"
        peers = [t for t in study._get_trials(deepcopy=False) if key in t.system_attrs]
        index = next((i for i, t in enumerate(peers) if t.number == trial.number), None)
        if index is None or len(peers) - 1 < self.n_startup:
            return False
        losses = to_loss([t.system_attrs[key] for t in peers], self.objectives.directions)
        return bool(self.pruner.prune_objectives(losses, index))

    def values(self, results: Sequence[FoldResult]) -> list[float] | None:
        """The values to tell for a complete candidate; None (a FAIL) when one is not finite."""
        values = self.objectives.mean_values(results)
        return [float(x) for x in values] if np.all(np.isfinite(values)) else None


def make_objective_plan(
    pruner: Any, objectives: Objectives, n_steps: int, factor: int = 3
) -> tuple[PruningPlan, ObjectiveRule]:
    """The plan and scheduler hook of a ``pruner`` argument with several ``objectives``.

    ``"sha"`` is :class:`DominanceHalvingPruner`; None prunes nothing; a pruner instance
    must have ``prune_objectives`` (see the module docstring); other names are refused.

    Examples
    --------
    >>> plan, rule = make_objective_plan("sha", Objectives(("score", "fit_time")), 5)
    >>> sorted(plan.decision_steps), plan.active
    ([0, 2], True)
    """
    if pruner is None:
        from sk_hpo.pruners import NopPruner

        return PruningPlan(NopPruner(), frozenset(), False, 0, active=False), ObjectiveRule(
            objectives, None, 0
        )
    if pruner == "sha":
        pruner_obj: BasePruner = DominanceHalvingPruner(factor)
        startup = _STARTUP
    elif isinstance(pruner, BasePruner) and callable(getattr(pruner, "prune_objectives", None)):
        pruner_obj, startup = copy.deepcopy(pruner), 0
    else:
        shown = pruner if isinstance(pruner, str) else type(pruner).__name__
        raise InvalidParameterError(
            f"The 'pruner' parameter of HPOSearchCV must be 'sha', None or a pruner with a "
            f"prune_objectives(losses, index) method when objectives are given. Got "
            f"{pruner!r} instead. {shown} compares one value per step; candidates of several "
            f"objectives are compared by dominance (the other names "
            f"{[p for p in PRUNER_NAMES if p != 'sha']!r} cannot)."
        )
    steps = pruner_obj.decision_steps(n_steps)
    if steps is not None:
        steps = frozenset(int(s) for s in steps if 0 <= s < n_steps)
    plan = PruningPlan(pruner_obj, steps, False, startup, active=steps != frozenset())
    return plan, ObjectiveRule(objectives, pruner_obj, startup)


# -- results --------------------------------------------------------------------------------------


def pareto_front(cv_results: dict[str, Any], objectives: Objectives) -> np.ndarray:
    """Rows of ``cv_results`` (ascending) of the non-dominated complete candidates.

    A row is complete when it has no ``state`` column or its state is ``"COMPLETE"``, and
    every objective value is finite.

    Examples
    --------
    >>> results = {"mean_test_score": np.array([0.9, 0.8, 0.95, np.nan]),
    ...            "mean_fit_time": np.array([1.0, 2.0, 3.0, 0.1])}
    >>> pareto_front(results, Objectives(("score", "fit_time"))).tolist()
    [0, 2]
    """
    values = objectives.columns(cv_results)
    complete = np.all(np.isfinite(values), axis=1)
    if "state" in cv_results:
        complete &= np.asarray(cv_results["state"]) == "COMPLETE"
    rows = np.flatnonzero(complete)
    if len(rows) == 0:
        return rows
    ranks = non_dominated_ranks(to_loss(values[rows], objectives.directions))
    return rows[ranks == 0]


def select_best(
    cv_results: dict[str, Any], objectives: Objectives, refit: Any, front: np.ndarray
) -> tuple[int | None, str | None]:
    """``best_index_`` and the scorer whose mean test score is ``best_score_``.

    ``refit=True`` selects on the first objective; a name (an objective or a scorer)
    selects the candidate of the Pareto front with the best mean of that metric (greatest
    score, least time; ties: the first row). ``best_score_`` is that scorer's mean test
    score, or for a time the first score objective's (None when there is none). A callable
    is given ``cv_results`` and returns the index, as in scikit-learn; ``refit=False`` selects
    nothing.

    Examples
    --------
    >>> results = {"mean_test_score": np.array([0.9, 0.8, 0.95]),
    ...            "mean_fit_time": np.array([1.0, 2.0, 3.0])}
    >>> objectives = Objectives(("score", "fit_time"))
    >>> select_best(results, objectives, True, np.array([0, 2]))
    (2, 'score')
    >>> select_best(results, objectives, "fit_time", np.array([0, 2]))
    (0, 'score')
    """
    if refit is False:
        return None, None
    if callable(refit):
        return refit(cv_results), None  # checked by the caller, as for single objectives
    name = objectives.names[0] if refit is True else refit
    if len(front) == 0:
        raise ValueError(
            "No candidate completed every fold with finite objective values, so the Pareto "
            "front is empty and there is no best candidate to refit; check the failed fits "
            "(error_score='raise') or set refit=False."
        )
    if name in TIME_OBJECTIVES:
        column = -np.asarray(cv_results[f"mean_{name}"], dtype=float)
        scorer = objectives.first_score()
    else:
        column = np.asarray(cv_results[f"mean_test_{name}"], dtype=float)
        scorer = name
    best = int(front[np.argmax(column[front])])
    return best, scorer


def scorer_for_score(objectives: Objectives, refit: Any, scorers: Sequence[str]) -> str:
    """The scorer ``HPOSearchCV.score`` uses with several objectives: ``refit`` when it
    names a scorer, else the first score objective, else the first scorer."""
    if isinstance(refit, str) and refit in scorers:
        return refit
    return objectives.first_score() or next(iter(scorers))



def default_sampler(objectives: Objectives, seed: int | None) -> Any:
    """``sampler="tpe"`` with several objectives: the engine's default sampler for these
    directions (NSGA-II, or TPE once it searches several objectives), seeded."""
    from sk_hpo._direction import StudyDirection
    from sk_hpo.study._study import _default_sampler

    directions = [StudyDirection(d) for d in objectives.directions]
    return type(_default_sampler(directions))(seed=seed)
