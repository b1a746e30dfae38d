"""Budgets beyond folds: the ``resource`` of HPOSearchCV as rungs handed to the fold path.

A *rung* is a change of (params, training rows): ``resource="n_samples"`` trains on a
subsample of each training fold, a parameter resource (``"max_iter"``,
``"sgdclassifier__max_iter"``) sets that parameter; every rung's fit goes through the same
:func:`~sk_hpo.model_selection._fold.evaluate_fold`. The scheduler only sees *steps*:

- one step per cheap budget ``r_0 < r_1 < ... < r_{m-2}``: the candidate is fitted at that
  budget on the first fold, or on the first few when a test fold is small (as many as
  score at least :data:`RANK_TEST_ROWS` test rows, :func:`cheap_rung_folds`), scored on
  their whole test folds; the step's value is the mean over them. A cheap rung ranks
  candidates; cross-validation is spent on those reaching the full budget. Fitting every
  fold there would cost ``k`` fits per candidate and rung for little: the training
  subsamples are small, so the fixed cost of a fit dominates, and the rank noise comes
  from the number of test rows scored more than from the folds;
- then one step per fold at the full budget ``r_{m-1} = max_resources``, exactly the fold
  steps of ``resource="folds"`` (the ``cv_results_`` splits), pruned as today.

Notations
---------
- ``f``: ``factor``; ``m``: number of budget levels; ``k``: number of CV splits.
- Budgets are geometric from the top: ``r_i = max_resources // f ** (m - 1 - i)`` with
  ``m = floor(log_f(max_resources / min_resources)) + 1``, so ``r_0 >= min_resources``.
- Step numbers count resource units, so that successive halving with reduction factor ``f``
  has one rung per budget and then its rungs after ``1, f, f**2, ...`` full folds: the cheap
  step of level ``i`` is step ``f ** i - 1``, full-budget fold ``j`` is step
  ``f ** (m - 1) * (j + 1) - 1``. With ``resource="folds"`` (``m = 1``) fold ``j`` is step
  ``j``, as it has always been.

Subsamples (``n_samples``) are nested (each rung's rows contain the previous rung's), the
same for every candidate, drawn once per training fold that uses them (the cheap rungs'
folds; every fold under a given ``max_resources``) from the search's seed: stratified by
class for classifiers; with ``groups``, whole groups are drawn (a rung holds at least its
budget of rows, group by group).

A parameter resource continues a fold's fit from one rung to the next where that gives the
from-scratch fit (see :mod:`~sk_hpo.model_selection._continuation`), and the refit on the
whole data uses ``max_resources``, from scratch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.utils.multiclass import type_of_target

from sk_hpo import _validation as v
from sk_hpo.model_selection._records import CandidateRecord

__all__ = [
    "MIN_RUNG_ROWS",
    "RANK_TEST_ROWS",
    "RESOURCE_CONSTRAINTS",
    "ResourcePlan",
    "Step",
    "budget_levels",
    "cheap_rung_folds",
    "make_resource_plan",
    "resource_columns",
]

_OWNER = "HPOSearchCV"
# Test rows a cheap rung scores at least (over its folds): the standard error of an
# accuracy near 0.8 is then under 0.03, and a candidate's rank no longer hangs on a few rows.
RANK_TEST_ROWS = 200
# Training rows a cheap subsample rung holds at least under min_resources="auto", where the
# training folds leave room for it (factor times as many rows): below ~100 rows the rungs'
# ranks of random candidates agreed poorly with 5-fold CV on four of eight tasks (Spearman
# -0.47 to +0.58 on saga, gradient boosting, forests; benchmarks/bench_rung_fidelity.py),
# and a 200-row floor gained 0.002 of held-out score on average for 8% more CPU (8 tasks x
# 12 seeds). Where the folds are smaller, resource="auto" halves across folds instead: on
# 176- to 320-row training folds the small rungs fitted every fold to score enough test
# rows, so they cost 1.4-2.2x the CPU of "folds" and scored 0.002-0.007 lower (30 seeds on
# breast cancer and diabetes, 20 on a forest task). An explicit "n_samples" keeps them.
# There, the first rung of "sha" waits for a second fold when a test fold is under
# RANK_TEST_ROWS rows (ResourcePlan.first_rung): +0.0024 +- 0.0014 of held-out score over
# pruning after one fold, for 1.5x its CPU (0.54x RandomizedSearchCV's; same 80 pairs).
MIN_RUNG_ROWS = 200
RESOURCE_CONSTRAINTS: dict[str, list[v.Constraint]] = {
    "resource": [v.STR],
    "min_resources": [v.int_range(1), v.options("auto", "smallest")],
    "max_resources": [v.int_range(1), v.options("auto")],
    "factor": [v.int_range(2)],
}


@dataclass(frozen=True)
class Step:
    """One step of a candidate: the folds it fits at one budget level.

    Attributes
    ----------
    number : int
        The trial step its value is reported at.
    level : int
        Index of its budget (the ``iter`` column).
    folds : tuple of int
        The folds it fits.
    final : bool
        Whether it is a full-budget fold (a ``split<j>`` column of ``cv_results_``).
    """

    number: int
    level: int
    folds: tuple[int, ...]
    final: bool


def budget_levels(min_resources: int, max_resources: int, factor: int) -> list[int]:
    """The budgets ``r_0 < ... < r_{m-1} = max_resources`` (see the module Notations).

    Examples
    --------
    >>> budget_levels(10, 100, 3)
    [11, 33, 100]
    >>> budget_levels(100, 100, 3)
    [100]
    """
    m, top = 1, factor
    while max_resources // top >= min_resources:
        m, top = m + 1, top * factor
    return [max_resources // factor ** (m - 1 - i) for i in range(m)]


@dataclass
class ResourcePlan:
    """The resolved ``resource``, its budget levels and how a rung changes a fold fit.

    Attributes
    ----------
    resource : str
    budgets : list of int or None
        One per level; ``[None]`` for ``resource="folds"``.
    n_splits : int
    factor : int
    """

    resource: str
    budgets: list[int | None]
    n_splits: int
    factor: int
    splits: Sequence[tuple[np.ndarray, np.ndarray]] = field(repr=False)
    subsamples: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)
    pooled: bool = True  # full-budget fits are those of resource="folds"

    @property
    def active(self) -> bool:
        """Whether a budget resource is used (``cv_results_`` gets ``iter``/``n_resources``)."""
        return self.resource != "folds"

    @property
    def cheap_folds(self) -> int:
        """Folds a cheap rung fits (:func:`cheap_rung_folds`; 1 without splits)."""
        return cheap_rung_folds(self.splits)

    @property
    def first_rung(self) -> int:
        """Folds a candidate runs before the first rung of the ``"sha"`` pruner: two
        without cheap budgets (``resource="folds"``) when a test fold scores fewer than
        :data:`RANK_TEST_ROWS` rows and there are more than two folds, else one.

        Examples
        --------
        >>> rows = lambda n: (np.arange(4 * n), np.arange(n))
        >>> ResourcePlan("folds", [None], 5, 3, [rows(80)] * 5).first_rung
        2
        >>> ResourcePlan("folds", [None], 5, 3, [rows(400)] * 5).first_rung
        1
        """
        if len(self.budgets) > 1 or self.n_splits < 3 or self.cheap_folds < 2:
            return 1
        return 2

    @property
    def n_steps(self) -> int:
        """Steps a never-pruned candidate runs through, counted as the pruner counts them."""
        steps = self.steps(cheap_rungs=True)
        return steps[-1].number + 1 if steps else 0

    def steps(self, cheap_rungs: bool) -> list[Step]:
        """The steps of a candidate, cheap rungs first unless ``cheap_rungs`` is False (a
        search that cannot prune only fits the full budget).

        Examples
        --------
        >>> plan = ResourcePlan("max_iter", [11, 33, 100], n_splits=2, factor=3, splits=[])
        >>> [(s.number, s.level, s.folds) for s in plan.steps(cheap_rungs=True)]
        [(0, 0, (0,)), (2, 1, (0,)), (8, 2, (0,)), (17, 2, (1,))]
        """
        last = len(self.budgets) - 1
        if not cheap_rungs:
            return [Step(j, last, (j,), True) for j in range(self.n_splits)]
        ranked = tuple(range(min(self.cheap_folds, self.n_splits)))
        cheap = [Step(self.factor**i - 1, i, ranked, False) for i in range(last)]
        unit = self.factor**last
        return cheap + [Step(unit * (j + 1) - 1, last, (j,), True) for j in range(self.n_splits)]

    def fold_inputs(
        self, params: dict[str, Any], level: int, fold: int
    ) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
        """The parameters, training rows and test rows of ``params`` on ``fold`` at budget
        ``level``."""
        train, test = self.splits[fold]
        if self.resource == "n_samples":
            return params, self.subsamples.get((level, fold), train), test
        if self.resource != "folds":
            return {**params, self.resource: self.budgets[level]}, train, test
        return params, train, test

    def refit_params(self) -> dict[str, Any]:
        """Parameters the refit sets besides ``best_params_``: the full budget."""
        if self.resource in ("folds", "n_samples"):
            return {}
        return {self.resource: self.budgets[-1]}

    def describe(self) -> dict[str, Any] | None:
        """JSON description for the study's search context, None when the full-budget fits
        are those of ``resource="folds"`` (their scores pool with that search's, whatever
        the cheap rungs were)."""
        if self.pooled:
            return None
        return {"resource": self.resource, "max_resources": self.budgets[-1]}


def cheap_rung_folds(splits: Sequence[tuple[np.ndarray, np.ndarray]]) -> int:
    """Folds a cheap rung fits: the first ones, as many as score :data:`RANK_TEST_ROWS`
    test rows (every fold when the test folds are that small).

    Examples
    --------
    >>> rows = lambda n: (np.arange(4 * n), np.arange(n))
    >>> cheap_rung_folds([rows(400)] * 5), cheap_rung_folds([rows(57)] * 5)
    (1, 4)
    """
    if not splits:
        return 1
    return min(len(splits), math.ceil(RANK_TEST_ROWS / max(len(splits[0][1]), 1)))


def _check_resource(estimator: Any, resource: str, searched: set[str]) -> None:
    names = sorted(estimator.get_params(deep=True))
    shown = ", ".join(repr(n) for n in names[:8]) + (", ..." if len(names) > 8 else "")
    v.check_param(
        _OWNER,
        "resource",
        resource,
        [
            v.Constraint(
                lambda r: r in ("auto", "folds", "n_samples") or r in names,
                f"'auto', 'folds', 'n_samples' or the name of a parameter of "
                f"{type(estimator).__name__} ({shown})",
            )
        ],
    )
    v.check_param(
        _OWNER,
        "resource",
        resource,
        [
            v.Constraint(
                lambda r: r not in searched,
                f"a parameter that param_distributions does not search (it searches "
                f"{sorted(searched)!r}; a budget is set by min_resources/max_resources)",
            )
        ],
    )


def _class_counts(y: Any, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    classes, codes = np.unique(np.asarray(y)[rows], return_inverse=True)
    return classes, codes, np.bincount(codes, minlength=len(classes))


def _smallest_n_samples(
    splits: Sequence[tuple[np.ndarray, np.ndarray]], y: Any, stratify: bool
) -> int:
    """The smallest sensible rung: scikit-learn's ``"smallest"`` (``2 * n_splits``, times
    the number of classes for classifiers), raised for classifiers so that every class has
    two samples in every training fold."""
    if not stratify:
        return 2 * len(splits)
    counts = [_class_counts(y, train)[2] for train, _ in splits]
    return max(
        2 * len(splits) * max(len(c) for c in counts),
        max(math.ceil(2 * len(train) / c.min()) for (train, _), c in zip(splits, counts)),
    )


def spread_levels(low: int, top: int, m: int, factor: int) -> list[int]:
    """``m`` budgets geometric from ``low`` to ``top``, fewer when successive ones would be
    closer than a ratio of ``sqrt(factor)``.

    Examples
    --------
    >>> spread_levels(100, 718, 4, 3), spread_levels(20, 4000, 4, 3)
    ([100, 192, 372, 718], [20, 116, 683, 4000])
    >>> spread_levels(100, 250, 4, 3), spread_levels(100, 150, 4, 3)
    ([100, 250], [150])
    """
    if low >= top:
        return [top]
    n = min(m, 1 + int(math.log(top / low) / math.log(math.sqrt(factor)) + 1e-9))
    if n <= 1:
        return [top]
    return [int(low * (top / low) ** (i / (n - 1))) for i in range(n - 1)] + [top]


def _n_levels(n_candidates: int | None, factor: int) -> int:
    """Budget levels for ``n_candidates`` (as HalvingRandomSearchCV's ``"exhaust"``): keep
    ``ceil(q / factor)`` of ``q`` candidates per level until at most ``factor`` remain,
    which reach the full budget (then halved across folds). 3 when unknown.

    Examples
    --------
    >>> _n_levels(40, 3), _n_levels(10, 3), _n_levels(3, 3), _n_levels(None, 3)
    (4, 3, 1, 3)
    """
    if n_candidates is None:
        return 3
    m, q = 1, n_candidates
    while q > factor:
        m, q = m + 1, math.ceil(q / factor)
    return m


def _nested_subsamples(
    train: np.ndarray,
    sizes: Sequence[int],
    y: Any,
    groups: Any,
    stratify: bool,
    rng: np.random.RandomState,
) -> list[np.ndarray]:
    """Nested subsamples of ``train`` of the given sizes (rows kept in ``train``'s order)."""
    train = np.asarray(train)
    n = len(train)
    if groups is not None:
        fold_groups = np.asarray(groups)[train]
        unique, codes = np.unique(fold_groups, return_inverse=True)
        order = rng.permutation(len(unique))
        cumulative = np.cumsum(np.bincount(codes)[order])
        out = []
        for size in sizes:
            n_groups = int(np.searchsorted(cumulative, min(size, n))) + 1
            out.append(train[np.isin(codes, order[:n_groups])])
        return out
    if stratify:
        _, codes, counts = _class_counts(y, train)
        by_class = [rng.permutation(np.flatnonzero(codes == c)) for c in range(len(counts))]
        out = []
        for size in sizes:
            exact = size * counts / n
            take = np.floor(exact).astype(int)
            extra = np.argsort(take - exact, kind="stable")[: size - take.sum()]
            take[extra] += 1
            rows = np.concatenate([members[:t] for members, t in zip(by_class, take)])
            out.append(train[np.sort(rows)])
        return out
    order = rng.permutation(n)
    return [train[np.sort(order[:size])] for size in sizes]


def _check_n_samples_rung(
    splits: Sequence[tuple[np.ndarray, np.ndarray]], y: Any, smallest: int, min_arg: Any
) -> None:
    for j, (train, _) in enumerate(splits):
        if smallest >= len(train):
            continue
        classes, _, counts = _class_counts(y, train)
        c = int(np.argmin(counts))
        if smallest * counts[c] < len(train):
            need = math.ceil(len(train) / counts[c])
            raise ValueError(
                f"The 'min_resources' parameter of HPOSearchCV is too small for "
                f"resource='n_samples': its smallest rung trains on {smallest} of the "
                f"{len(train)} samples of training fold {j}, which leaves class "
                f"{classes[c].item()!r} ({counts[c]} samples there) less than one sample. Got "
                f"min_resources={min_arg!r}; use min_resources >= {need}, or "
                "resource='folds'."
            )


def make_resource_plan(
    *,
    resource: str,
    min_resources: int | str,
    max_resources: int | str,
    factor: int,
    estimator: Any,
    searched: set[str],
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    y: Any,
    groups: Any,
    classifier: bool,
    seed: int | None,
    n_candidates: int | None = None,
    halving: bool = False,
) -> ResourcePlan:
    """Resolve HPOSearchCV's ``resource`` arguments (already type-checked) into a plan.

    ``"auto"`` resource: ``"n_samples"`` when the pruner halves (``halving``), both budgets
    are ``"auto"``, there are more than ``factor`` candidates and the training folds leave
    room for a cheap rung of :data:`MIN_RUNG_ROWS` rows (``factor`` times as many); else
    ``"folds"``.

    ``min_resources="smallest"``: the smallest sensible rung, and the ``m`` levels are
    geometric between it and ``max_resources`` (:func:`spread_levels`).

    ``"auto"`` budgets: ``max_resources`` is the whole training fold (``n_samples``; the
    smallest fold's size) or the estimator's own value of the parameter; ``min_resources``
    is ``max_resources // factor**(m - 1)`` with ``m`` levels such that about ``factor``
    of the ``n_candidates`` reach the full budget (:func:`_n_levels`), raised to the
    smallest sensible rung (``n_samples``: scikit-learn's ``"smallest"``, two samples of
    each class per training fold for classifiers, and :data:`MIN_RUNG_ROWS` where the
    training folds hold ``factor`` times as many; a parameter: 1); when raised, the ``m``
    levels are spread between it and the top with ratios under ``factor``
    (:func:`spread_levels`), so that no more candidates than planned reach the full budget.
    """
    n_splits = len(splits)
    if resource == "auto":
        resource = "folds"
        if halving and min_resources in ("auto", "smallest") and max_resources == "auto":
            stratify = _stratifies(classifier, groups, y)
            top = min(len(train) for train, _ in splits)
            if (
                _n_levels(n_candidates, factor) > 1
                and _room_for_min_rung(_smallest_n_samples(splits, y, stratify), top, factor)
            ):
                resource = "n_samples"
    if resource == "folds":
        return ResourcePlan(resource, [None], n_splits, factor, splits)
    _check_resource(estimator, resource, searched)
    stratify = resource == "n_samples" and _stratifies(classifier, groups, y)
    if resource == "n_samples":
        top = min(len(train) for train, _ in splits) if max_resources == "auto" else max_resources
        smallest = _smallest_n_samples(splits, y, stratify)
    else:
        top = max_resources
        if top == "auto":
            top = estimator.get_params(deep=True)[resource]
            v.check_param(
                _OWNER,
                "max_resources",
                top,
                [v.Constraint(v.int_range(1).check, f"an int (the estimator's {resource!r} "
                              f"is not one: give max_resources) in the range [1, inf)")],
            )
        smallest = 1
    m = _n_levels(n_candidates, factor)
    if min_resources == "auto":
        floor = smallest
        if resource == "n_samples" and _room_for_min_rung(smallest, top, factor):
            floor = max(smallest, MIN_RUNG_ROWS)
        low = max(top // factor ** (m - 1), min(floor, top))
    elif min_resources == "smallest":
        low = min(smallest, top)
    else:
        low = min_resources
    v.check_param(
        _OWNER,
        "min_resources",
        low,
        [v.Constraint(lambda r: r <= top, f"an int in the range [1, max_resources={top}]")],
    )
    budgets: list[int | None] = list(budget_levels(int(low), int(top), factor))
    if min_resources == "smallest" or (min_resources == "auto" and len(budgets) != m):
        budgets = list(spread_levels(int(low), int(top), m, factor))
    pooled = resource == "n_samples" and max_resources == "auto"
    plan = ResourcePlan(resource, budgets, n_splits, factor, splits, pooled=pooled)
    if resource == "n_samples":
        if stratify:
            _check_n_samples_rung(splits, y, int(budgets[0]), min_resources)
        sizes = [int(b) for b in budgets]
        # cheap rungs fit the first folds only; a given max_resources also caps the full
        # budget's folds
        folds = range(len(splits) if max_resources != "auto" else plan.cheap_folds)
        for fold in folds:
            train = splits[fold][0]
            rng = np.random.RandomState([0 if seed is None else seed, fold])
            nested = _nested_subsamples(train, sizes, y, groups, stratify, rng)
            for level, rows in enumerate(nested):
                whole = level == len(sizes) - 1 and max_resources == "auto"
                if len(rows) < len(train) and not whole:
                    plan.subsamples[(level, fold)] = rows
    return plan


def _room_for_min_rung(smallest: int, top: int, factor: int) -> bool:
    """Whether training folds of ``top`` rows hold ``factor`` times a cheap rung of
    :data:`MIN_RUNG_ROWS` rows (and of the ``smallest`` sensible rung)."""
    return max(smallest, MIN_RUNG_ROWS) <= top // factor


def _stratifies(classifier: bool, groups: Any, y: Any) -> bool:
    """Whether ``n_samples`` subsamples are drawn class by class."""
    return (
        classifier
        and groups is None
        and y is not None
        and type_of_target(y) in ("binary", "multiclass")
    )


def resource_columns(records: Sequence[CandidateRecord]) -> dict[str, np.ndarray]:
    """HalvingRandomSearchCV's ``iter`` and ``n_resources`` columns: the budget level each
    candidate reached and its budget (one row per candidate)."""
    return {
        "iter": np.array([r.iter for r in records], dtype=np.int64),
        "n_resources": np.array([r.n_resources for r in records], dtype=np.int64),
    }
