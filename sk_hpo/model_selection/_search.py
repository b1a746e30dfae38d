"""HPOSearchCV: a drop-in for GridSearchCV / RandomizedSearchCV built on sk_hpo studies."""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import joblib
import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, indexable

from sk_hpo import _validation as v
from sk_hpo._compat import visual_block
from sk_hpo._progress import TrialProgress
from sk_hpo._warnings import warn_user
from sk_hpo.model_selection._context import check_context, search_context
from sk_hpo.model_selection._continuation import make_continuation
from sk_hpo.model_selection._objectives import (  # objectives lane
    Objectives,
    check_objectives,
    default_sampler,
    make_objective_plan,
    pareto_front,
    scorer_for_score,
    select_best,
)
from sk_hpo.model_selection._proposer import CandidateSampler
from sk_hpo.model_selection._pruning import (
    PRUNER_NAMES,
    PruningPlan,
    halving_rate,
    make_pruning_plan,
)
from sk_hpo.model_selection._records import candidate_trials, records_from_study
from sk_hpo.model_selection._resource import (  # resource lane
    RESOURCE_CONSTRAINTS,
    ResourcePlan,
    make_resource_plan,
    resource_columns,
)
from sk_hpo.model_selection._results import build_cv_results
from sk_hpo.model_selection._routing import route_fit_params
from sk_hpo.model_selection._scheduler import FoldScheduler, SearchStats
from sk_hpo.model_selection._scoring import MultiScorer, resolve_scoring, routing_enabled
from sk_hpo.model_selection._space import SearchSpace
from sk_hpo.pruners import BasePruner
from sk_hpo.samplers import BaseSampler
from sk_hpo.storages import BaseStorage
from sk_hpo.study import Study, create_study

__all__ = ["HPOSearchCV"]

SAMPLER_NAMES = ("tpe", "gp", "random", "grid", "qmc")


def _pre_dispatch_factor(text: str) -> int | None:
    """``k`` of ``"k*n_jobs"`` (``"n_jobs"``: 1, ``"all"``: 2), None for other strings."""
    text = text.replace(" ", "")
    if text == "all":
        return 2
    factor = text.replace("n_jobs", "").rstrip("*") or "1"
    return int(factor) if text.endswith("n_jobs") and factor.isdigit() else None


PRE_DISPATCH_EXPRESSION = v.Constraint(
    lambda p: isinstance(p, str) and _pre_dispatch_factor(p) is not None,
    "a str like '2*n_jobs' or 'all'",
)


def _pre_dispatch_amount(pre_dispatch: int | str, n_workers: int) -> int:
    if isinstance(pre_dispatch, str):
        return _pre_dispatch_factor(pre_dispatch) * n_workers  # type: ignore[operator]
    return max(1, int(pre_dispatch))


_CONSTRAINTS: dict[str, list[v.Constraint]] = {
    "estimator": [v.HAS_FIT],
    "param_distributions": [v.instance_of((dict, list, tuple), "a dict or a list of dicts")],
    "n_iter": [v.int_range(1), v.NONE],
    "sampler": [v.options(*SAMPLER_NAMES), v.instance_of(BaseSampler, "a BaseSampler")],
    "pruner": [v.options(*PRUNER_NAMES), v.instance_of(BasePruner, "a BasePruner"), v.NONE],
    "scoring": [
        v.STR,
        v.CALLABLE,
        v.instance_of((list, tuple, set), "a list, tuple or set of str"),
        v.instance_of(dict, "a dict"),
        v.NONE,
    ],
    "n_jobs": [v.INT, v.NONE],
    "refit": [v.BOOLEAN, v.STR, v.CALLABLE],
    "cv": [v.CV_OBJECT, v.NONE],
    "verbose": [v.int_range(0), v.BOOLEAN],
    "pre_dispatch": [v.INT, PRE_DISPATCH_EXPRESSION],
    "random_state": [v.RANDOM_STATE, v.NONE],
    "error_score": [v.options("raise"), v.REAL],
    "return_train_score": [v.BOOLEAN],
    "timeout": [v.POSITIVE_REAL, v.NONE],
    "storage": [v.STR, v.instance_of(BaseStorage, "a BaseStorage"), v.NONE],
    "study_name": [v.STR, v.NONE],
    "callbacks": [v.CALLBACKS, v.NONE],
    **RESOURCE_CONSTRAINTS,  # resource lane
    "objectives": [v.instance_of((list, tuple), "a list of str"), v.NONE],  # objectives lane
}


def _check_refit(search: HPOSearchCV, attr: str) -> None:
    if not search.refit:
        raise AttributeError(
            f"This {type(search).__name__} instance was initialized with `refit=False`. "
            f"{attr} is available only after refitting on the best parameters. You can "
            "refit an estimator manually using the `best_params_` attribute"
        )


def _estimator_has(attr: str) -> Callable[[HPOSearchCV], bool]:
    """available_if check: refit is on and the (best) estimator has ``attr``."""

    def check(self: HPOSearchCV) -> bool:
        _check_refit(self, attr)
        getattr(self.best_estimator_ if hasattr(self, "best_estimator_") else self.estimator, attr)
        return True

    return check


class HPOSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Search hyperparameters with a sampler, pruning weak candidates across CV folds.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV` and
    :class:`~sklearn.model_selection.RandomizedSearchCV`: same arguments, fitted attributes,
    ``cv_results_`` and delegation of ``predict``/``transform``/``score``. Each candidate is
    proposed by a sampler (TPE by default) that learns from the candidates evaluated so far;
    its folds are fitted one segment at a time and a pruner (successive halving by default)
    stops it when it trails the others on the same folds. Fold fits run asynchronously with
    joblib, and the search is recorded in a study (``study_``) that may live in a shared
    SQLite file.

    Parameters
    ----------
    estimator : estimator object
        Cloned for each fold fit.
    param_distributions : dict or list of dicts
        Parameter names (``"C"``, ``"svc__C"``) mapped to a list of values, an object with
        ``rvs`` (scipy.stats frozen distributions; ``uniform``, ``loguniform`` and
        ``randint`` are searched natively, other families through their quantile function,
        objects with only ``rvs`` through a seed) or an ``sk_hpo.distributions``
        distribution. A list of dicts is a conditional space: each candidate comes from one
        dict (a branch).
    n_iter : int or None, default=50
        Number of candidates to evaluate. None evaluates every candidate of a finite space.
        A candidate is never evaluated twice (a value listed twice is two candidates, as in
        GridSearchCV); when a finite space runs out the search stops
        (with a warning, except for ``sampler="grid"``, where that is the plan).
    sampler : {"tpe", "gp", "random", "grid", "qmc"} or BaseSampler, default="tpe"
        How candidates are proposed. ``"grid"`` walks the space in ``ParameterGrid`` order:
        with ``n_iter=None`` and ``pruner=None`` it evaluates what GridSearchCV evaluates, in
        the same order. ``"random"`` over lists only evaluates the candidates
        RandomizedSearchCV draws for the same ``random_state``, in its order. ``"gp"``
        learns from complete candidates only: give it ``pruner=None``, as successive
        halving completes too few for its model to start. A sampler
        instance is copied at each fit (``random_state`` then does not apply to it). With
        ``objectives``, ``"tpe"`` means the engine's default sampler for several objectives
        (:func:`~sk_hpo.create_study`'s; NSGA-II or multi-objective TPE), and a sampler
        instance must support several objectives.
    pruner : {"sha", "median", "wilcoxon", "hyperband"}, BasePruner or None, default="sha"
        How weak candidates are stopped. ``"sha"`` is successive halving (reduction factor
        ``factor``) with rungs at each cheap budget of ``resource`` and after 1 and 3
        full-budget folds (after 2 folds only, when there is no cheap budget and a test
        fold holds fewer than 200 rows); it *pauses* rather than prunes: a candidate not
        (yet) in the top ``1 / factor`` of the candidates at its rung waits there, goes on
        when a larger field puts it in the top, and is pruned when it can no longer reach
        the rung's quota (``ceil(n / factor)`` of the ``n`` candidates that reach it, as
        HalvingRandomSearchCV keeps; a cheap budget's rung keeps half instead, as its
        ranks are less sure); when every candidate has been proposed, the waiting
        ones are decided rung by rung. A pruner instance stating a
        :meth:`~sk_hpo.pruners.BasePruner.halving_rate` is run the same way; any other
        pruner is asked as each candidate reaches a rung. None fits every fold. The other
        string pruners never prune at a fold before 3 other candidates have reached it.
        With ``objectives``: ``"sha"`` halves by dominance (see ``objectives``), None fits
        every fold, and a pruner instance must have a ``prune_objectives(losses, index)``
        method (``losses`` of shape (n_candidates, n_objectives), all minimised; row
        ``index`` is the candidate asked about) deciding at its ``decision_steps``; other
        pruners compare one value per step and are refused.
    scoring : str, callable, list, tuple, set, dict or None, default=None
        As in GridSearchCV; several metrics need ``refit`` to name the one to select with.
        Pruning compares candidates on the ``refit`` metric (the first one otherwise).
    n_jobs : int, default=None
        Fold fits running at once (joblib); None means 1 unless in a joblib context.
    refit : bool, str or callable, default=True
        Refit the best candidate on the whole data (see GridSearchCV). With
        ``objectives``, the best candidate is chosen on the Pareto front
        (``pareto_front_``): ``True`` takes the best of the first objective, a name (an
        objective or a scorer of ``scoring``) the best of that metric (greatest score, least
        time); a callable is given ``cv_results_`` and returns ``best_index_``, as in
        scikit-learn; ``False`` selects and refits nothing.
    cv : int, cross-validation generator or iterable, default=None
        As in GridSearchCV (5-fold by default). Every candidate uses the same splits.
    verbose : int, default=0
        1: a progress bar on stderr (candidates done / ``n_iter``, best score, elapsed and
        remaining time; a few plain lines when stderr is not a terminal), the plan (and what a
        resumed study continues from) and a summary; 2: also one line per candidate with its
        state and mean score; 3: also one per fold, as GridSearchCV prints them.
    pre_dispatch : int or str, default="2*n_jobs"
        Fold tasks dispatched ahead of the running ones (``"all"`` means ``2*n_jobs``:
        candidates are proposed as results arrive, so there is no full task list).
    random_state : int, RandomState instance or None, default=None
        Seeds the sampler: with an int and ``n_jobs=1``, two fits give the same
        ``cv_results_`` apart from the times.
    error_score : "raise" or float, default=np.nan
        Score of a failed fit; ``"raise"`` raises the error.
    return_train_score : bool, default=False
        Also score each fit on its training folds.
    timeout : float, default=None
        Start no new candidate after this many seconds (running ones finish).
    storage : str, BaseStorage or None, default=None
        Where the study lives: None (memory) or a URL such as ``"sqlite:///hpo.db"``. With
        a ``study_name``, a later fit continues the study (its trials inform the sampler and
        appear in ``cv_results_``) and several processes fitting at once pool their trials.
        The study records the search context (estimator, space, scoring, splits, data) and
        refuses a different one.
    study_name : str, default=None
        Name of the study in ``storage``; None creates a new study each fit.
    callbacks : list of callable, default=None
        Each is called as ``callback(study, frozen_trial)`` after each candidate finishes.
    resource : str, default="auto"
        What a candidate's rungs grow (HalvingRandomSearchCV's vocabulary). ``"folds"``:
        the rungs are CV folds, every fit uses the whole training fold. ``"n_samples"``:
        cheap rungs first train on nested subsamples of the training folds they fit
        (stratified for classifiers; whole groups with ``groups``) and score on their whole
        test folds. An estimator parameter name (``"max_iter"``, ``"n_estimators"``,
        ``"sgdclassifier__max_iter"``): cheap rungs set it to small budgets. A rung
        continues the previous rung's fit (``warm_start=True``) where that gives the
        from-scratch fit: ensembles grown under ``warm_start`` (``n_estimators`` of forests,
        extra trees, bagging, gradient boosting without ``n_iter_no_change``); optimisers'
        ``max_iter`` and ``HistGradientBoosting*`` are refitted. At each cheap budget a
        candidate fits the first fold only, or the first few when test folds hold under 200
        rows (a cheap rung ranks; cross-validation is spent on the survivors), and only
        those the pruner keeps go on to the full budget, whose folds are pruned as with
        ``"folds"``. Without a pruner there are no cheap rungs. ``"auto"``: ``"n_samples"``
        when the pruner is successive halving (states a
        :meth:`~sk_hpo.pruners.BasePruner.halving_rate`, as the default ``"sha"``), there
        are more than ``factor`` candidates, ``min_resources`` and ``max_resources`` are
        ``"auto"`` and the training folds hold ``factor`` times the 200 samples of the
        smallest cheap rung (600 with ``factor=3``, see ``min_resources``); ``"folds"``
        otherwise (so ``pruner=None`` fits exactly what GridSearchCV and RandomizedSearchCV
        fit, and small data is halved across folds: there, the cheap rungs would fit every
        fold on a few rows, for more fits and worse picks). ``min_resources`` and
        ``max_resources`` are ignored with ``"folds"``. See Notes for what the default costs
        and finds.
    min_resources : int, "auto" or "smallest", default="auto"
        The smallest budget. ``"auto"``: ``max_resources // factor**(m - 1)`` with ``m``
        levels chosen from ``n_iter`` as HalvingRandomSearchCV's ``"exhaust"`` does: keep
        ``ceil(q / factor)`` of ``q`` candidates per level until at most ``factor`` are left
        for the full budget (``n_iter=40, factor=3``: 4 levels; as the cheap rungs of
        ``"sha"`` keep half, 40, 20, 10 and 5 candidates reach them); at least scikit-learn's ``"smallest"`` (``2 * n_splits`` samples, times
        the number of classes for classifiers), two samples of each class per training fold
        and, where the training folds hold ``factor`` times as many, 200 samples
        (``n_samples``), or 1 (a parameter); when that floor binds the levels are spread
        above it with ratios under ``factor``. The 200-sample floor is measured: on fewer
        rows, the rungs ranked candidates unlike cross-validation on half of
        ``benchmarks/``' tasks (``bench_rung_fidelity.py``). ``"smallest"``: scikit-learn's
        smallest budget (no 200-sample floor), with the ``m`` levels geometric between it
        and ``max_resources`` (cheaper cheap rungs, with noisier and more biased first
        decisions).
    max_resources : int or "auto", default="auto"
        The full budget, used by the last rung and the refit. ``"auto"``: the whole
        training fold (``n_samples``) or the estimator's value of the parameter.
    factor : int, default=3
        Ratio between successive budgets (they are ``max_resources // factor**i``), and the
        reduction factor of ``pruner="sha"`` and ``"hyperband"``.
    objectives : list of str, default=None
        Search a trade-off instead of one score: at least two distinct names, each a scorer
        of ``scoring`` (a single scorer is named ``"score"``; maximised) or ``"fit_time"`` /
        ``"score_time"`` (seconds per fold; minimised). The study gets one direction per
        objective (its metric names are these names), a candidate's values are its mean
        over the folds, and the sampler searches their Pareto front. Fold halving ranks the
        candidates that reached a rung by non-domination rank, then crowding distance, and
        keeps the first ``max(n // factor, 1)`` of ``n``. None: one objective, the refit
        metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        GridSearchCV's columns, one row per candidate of the study in trial order. With a
        pruner also ``n_splits_run``, ``state`` and ``trial_number``; a pruned candidate has
        NaN in the folds it skipped and NaN mean test scores, so it is never
        ``best_index_``. With a budget ``resource`` (``"auto"`` resolving to
        ``"n_samples"`` included) also HalvingRandomSearchCV's ``iter`` (the budget level
        the candidate reached, 0 for the cheapest) and ``n_resources`` (that level's
        budget: training samples per fold, or the parameter's value); the ``split<i>``
        columns and ``n_splits_run`` are the full-budget folds only (a candidate pruned at
        a cheap rung has ``n_splits_run == 0``).
        With ``objectives`` the columns are the same (one ``rank_test_<metric>`` per scorer,
        as multi-metric GridSearchCV; the times are ``mean_fit_time`` and
        ``mean_score_time``).
    pareto_front_ : ndarray of int
        With ``objectives``: rows of ``cv_results_`` (ascending) of the candidates that
        completed every fold and that no other such candidate dominates.
    best_estimator_ : estimator
        The best candidate refitted on the whole data (``refit`` only).
    best_score_ : float
        Mean cross-validated score of the best candidate. With ``objectives``: of the scorer
        ``refit`` names, else of the first scorer among the objectives (not set for a
        callable ``refit`` or when every objective is a time).
    best_params_ : dict
        Parameters of the best candidate.
    best_index_ : int
        Row of the best candidate in ``cv_results_``.
    scorer_ : function or dict
        The scorer(s) used.
    n_splits_ : int
        Number of CV splits.
    refit_time_ : float
        Seconds spent refitting the best candidate.
    multimetric_ : bool
        Whether several metrics were scored.
    classes_ : ndarray of shape (n_classes,)
        Class labels of the best estimator (classifiers with ``refit``).
    n_features_in_ : int
        Features seen in fit (with ``refit``).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen in fit (when X has string column names, with ``refit``).
    study_ : Study
        The study holding every candidate as a trial.

    See Also
    --------
    sklearn.model_selection.GridSearchCV, sklearn.model_selection.RandomizedSearchCV

    Notes
    -----
    What the default (TPE, ``pruner="sha"``, ``resource="auto"``) costs and finds, from
    ``benchmarks/bench_search.py`` (11 tasks: 8 estimator families plus three small or wide
    ones kept out of the default set; 10 seeds, ``n_iter=40``, 5-fold, ``n_jobs=2``):
    about 100 fits per search where RandomizedSearchCV makes 200 and HalvingRandomSearchCV
    about 300; 0.43x RandomizedSearchCV's wall time and 0.78x HalvingRandomSearchCV's, with
    a held-out score 0.0006 below RandomizedSearchCV's and 0.008 above
    HalvingRandomSearchCV's on average. Cheap rungs trained on small subsamples can misrank
    candidates whose best setting depends on the amount of data (strong regularisation wins
    on a few rows), hence the 200-sample floor of ``min_resources`` and cheap rungs that
    keep half; the saga logistic regression (800 training rows, 100 features) and the MLP
    on digits still scored about 0.005 below RandomizedSearchCV. Where that matters, give
    a larger ``min_resources`` or ``resource="folds"``, or ``pruner=None`` for every fold
    of every candidate (RandomizedSearchCV's cost). ``benchmarks/bench_rung_fidelity.py`` shows how
    well a task's cheap rungs rank candidates.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sk_hpo import HPOSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e1)}
    >>> search = HPOSearchCV(SVC(), space, n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> sorted(search.best_params_)
    ['C', 'gamma']
    >>> bool(search.best_score_ > 0.9)
    True

    Accuracy against fit time: the candidates no other beats on both, and the most
    accurate of them refitted.

    >>> search = HPOSearchCV(SVC(), space, n_iter=8, cv=3, random_state=0,
    ...                      objectives=["score", "fit_time"]).fit(X, y)
    >>> bool(search.best_index_ in search.pareto_front_)
    True
    >>> search.study_.metric_names, [d.value for d in search.study_.directions]
    (['score', 'fit_time'], ['maximize', 'minimize'])
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any,
        *,
        n_iter: int | None = 50,
        sampler: str | BaseSampler = "tpe",
        pruner: str | BasePruner | None = "sha",
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Callable[..., int] = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        timeout: float | None = None,
        storage: str | BaseStorage | None = None,
        study_name: str | None = None,
        callbacks: list[Callable[..., Any]] | None = None,
        resource: str = "auto",
        min_resources: int | str = "auto",
        max_resources: int | str = "auto",
        factor: int = 3,
        objectives: list[str] | None = None,
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.sampler = sampler
        self.pruner = pruner
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.timeout = timeout
        self.storage = storage
        self.study_name = study_name
        self.callbacks = callbacks
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.factor = factor
        self.objectives = objectives

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = copy.deepcopy(inner.classifier_tags)
        tags.regressor_tags = copy.deepcopy(inner.regressor_tags)
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.array_api_support = inner.array_api_support
        return tags

    # -- fit -------------------------------------------------------------------------------------

    def _log(self, level: int, message: str) -> None:
        if self.verbose >= level:
            print(message, flush=True)

    def _log_around(self, progress: TrialProgress) -> Callable[[int, str], None]:
        """``_log`` printing above the live progress bar."""

        def log(level: int, message: str) -> None:
            if self.verbose >= level:
                progress.write(message)

        return log

    def _scorer(self) -> tuple[Any, bool | None]:
        scorer, multimetric = resolve_scoring(
            self.estimator, self.scoring, raise_exc=(self.error_score == "raise")
        )
        if multimetric and self.objectives is None:  # with objectives: check_objectives
            self._check_refit_for_multimetric(list(scorer.scorers))
        return scorer, multimetric

    def _check_refit_for_multimetric(self, names: list[str]) -> None:
        if self.refit is not False and not callable(self.refit) and self.refit not in names:
            raise ValueError(
                "For multi-metric scoring, the parameter refit must be set to a scorer key or "
                "a callable to refit an estimator with the best parameter setting on the "
                "whole data and make the best_* attributes available for that metric. If "
                "this is not needed, refit should be set to False explicitly. "
                f"{self.refit!r} was passed. The metrics are {names!r}."
            )

    def _base_sampler(
        self, seed: int | None, objectives: Objectives | None = None
    ) -> BaseSampler | None:
        from sk_hpo import samplers

        if isinstance(self.sampler, BaseSampler):
            return copy.deepcopy(self.sampler)

        if self.sampler == "grid":
            return None
        if self.sampler == "tpe" and objectives is not None:
            return default_sampler(objectives, seed)
        if self.sampler == "qmc":
            # The parameters of the branches the first candidate did not take are sampled at
            # random: that is how a conditional space works here, not news for each trial.
            return samplers.QMCSampler(seed=seed, warn_independent_sampling=False)
        cls = {
            "tpe": "TPESampler",
            "gp": "GPSampler",
            "random": "RandomSampler",
        }[self.sampler]
        return getattr(samplers, cls)(seed=seed)

    def _candidate_sampler(
        self, space: SearchSpace, objectives: Objectives | None = None
    ) -> tuple[CandidateSampler, bool]:
        """The study's sampler, and whether it warned that the space is smaller than n_iter.

        ``sampler="random"`` over lists only walks RandomizedSearchCV's candidates (drawn
        from ``random_state`` before anything else is, as scikit-learn does) and warns in
        its words when they are fewer than ``n_iter``.
        """
        if self.sampler == "random" and space.from_lists:
            order = space.random_grid_order(self.n_iter, check_random_state(self.random_state))
            small = self.n_iter is not None and self.n_iter > len(order)
            if small:
                warn_user(  # scikit-learn's ParameterSampler's words
                    f"The total space of parameters {len(order)} is smaller than "
                    f"n_iter={self.n_iter}. Running {len(order)} iterations. For exhaustive "
                    "searches, use GridSearchCV. (With HPOSearchCV: sampler='grid', "
                    "n_iter=None.)"
                )
            return CandidateSampler(None, space, plan=order), small
        seed = self._seed()
        return CandidateSampler(
            self._base_sampler(seed, objectives), space, seed=None if seed is None else seed + 1
        ), False

    def _open_study(
        self, sampler: CandidateSampler, plan: PruningPlan, objectives: Objectives | None = None
    ) -> Study:
        study = create_study(
            storage=self.storage,
            sampler=sampler,
            pruner=plan.pruner,
            study_name=self.study_name,
            directions=["maximize"] if objectives is None else objectives.directions,
            load_if_exists=True,
        )
        if objectives is not None:
            study.set_metric_names(list(objectives.names))
        return study

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        from sk_hpo.storages import mask_url  # a storage URL's password is never shown

        return mask_url(super().__repr__(N_CHAR_MAX))

    def fit(self, X: Any, y: Any = None, **params: Any) -> HPOSearchCV:
        """Search the best candidate by cross-validation, then refit it on all data.

        Parameters
        ----------
        X : array-like, sparse matrix or dataframe of shape (n_samples, n_features)
            Training data (a square kernel for a ``precomputed`` estimator).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised estimators.
        **params : dict
            Parameters for the estimator's ``fit`` (per-sample ones are split with X) and
            ``groups`` for the splitter; with metadata routing enabled, routed to the
            estimator, the scorer and the splitter as they request.

        Returns
        -------
        self : HPOSearchCV
        """
        v.validate_params(
            type(self).__name__, {name: getattr(self, name) for name in _CONSTRAINTS}, _CONSTRAINTS
        )
        space = SearchSpace(self.param_distributions)
        self._check_space(space)
        scorer, multimetric = self._scorer()
        objectives = check_objectives(  # objectives lane
            self.objectives,
            None if multimetric is None else list(scorer.scorers) if multimetric else ["score"],
            self.refit,
        )
        try:
            X, y = indexable(X, y)
        except ValueError as error:  # scikit-learn's words, plus which arguments they are
            raise ValueError(f"{error} (X and y of {type(self).__name__}.fit must have as many "
                             "rows)") from None
        routed = route_fit_params(self, params, scorer)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        n_splits = cv.get_n_splits(X, y, **routed.split)
        splits = list(cv.split(X, y, **routed.split))
        if not splits:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? Were there no candidates?"
            )
        if len(splits) != n_splits:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {n_splits} splits, got {len(splits)}"
            )
        self.n_splits_ = n_splits

        sampler, warned_small_space = self._candidate_sampler(space, objectives)
        resource = self._resource_plan(space, splits, y, routed.split.get("groups"), self._seed())
        rule = None
        if objectives is None:
            plan = make_pruning_plan(
                self.pruner, resource.n_steps, self.factor, resource.first_rung
            )
        else:  # objectives lane: pruning by dominance
            plan, rule = make_objective_plan(self.pruner, objectives, resource.n_steps, self.factor)
        study = self._open_study(sampler, plan, objectives)
        context = search_context(self.estimator, space, self.scoring, splits, X, y)
        if resource.describe() is not None:  # resource lane
            context["resource"] = resource.describe()
        if objectives is not None:  # objectives lane
            context["objectives"] = list(objectives.names)
        check_context(study, context, len(study._get_trials(deepcopy=False)))

        n_workers = joblib.effective_n_jobs(self.n_jobs)
        n_iter = self.n_iter
        self._announce(study, space, sampler, plan, n_splits, n_workers)
        base_estimator = clone(self.estimator)
        pairwise = get_tags(self.estimator).input_tags.pairwise

        continuation = make_continuation(self.estimator, resource)

        def fold_task(candidate_params: dict[str, Any], level: int, fold: int, start: Any):
            candidate_params, train, test = resource.fold_inputs(candidate_params, level, fold)
            kwargs = dict(
                fit_params=routed.fit,
                score_params=routed.score,
                return_train_score=self.return_train_score,
                error_score=self.error_score,
                pairwise=pairwise,
            )
            args = (base_estimator, candidate_params, X, y, train, test, scorer)
            return continuation.task(args, kwargs, level, start)

        start = time.monotonic()
        progress = (
            TrialProgress(study, total=n_iter, timeout=self.timeout, unit="candidates")
            if self.verbose >= 1
            else None
        )
        scheduler = FoldScheduler(
            study=study,
            space=space,
            n_splits=n_splits,
            fold_task=fold_task,
            plan=plan,
            resource=resource,
            metric=self._pruning_metric,
            n_iter=n_iter,
            timeout=self.timeout,
            n_jobs=self.n_jobs,
            n_workers=n_workers,
            pre_dispatch=_pre_dispatch_amount(self.pre_dispatch, n_workers),
            callbacks=list(self.callbacks or ()) + ([progress] if progress else []),
            log=self._log if progress is None else self._log_around(progress),
            objectives=rule,
        )
        try:
            stats = scheduler.run()
        finally:
            if progress is not None:
                progress.close()
        self.study_ = study
        self._warn_about_search(stats, space, warned_small_space)

        results, metrics = self._results(study, space, multimetric, plan.active, resource)
        self.multimetric_ = metrics != ["score"] or bool(multimetric)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(metrics)
        if objectives is None:
            refit_metric = self.refit if self.multimetric_ else "score"
            self._select_best(results, refit_metric)
        else:  # objectives lane
            self._select_on_front(results, objectives)
        self._log(1, self._summary(stats, time.monotonic() - start))

        if self.refit:
            self.best_estimator_ = clone(base_estimator).set_params(
                **clone(self.best_params_, safe=False), **resource.refit_params()
            )
            refit_start = time.perf_counter()
            if y is None:
                self.best_estimator_.fit(X, **routed.fit)
            else:
                self.best_estimator_.fit(X, y, **routed.fit)
            self.refit_time_ = time.perf_counter() - refit_start
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_

        self.scorer_ = scorer.scorers if isinstance(scorer, MultiScorer) else scorer
        self.cv_results_ = results
        return self

    def _resource_plan(
        self, space: SearchSpace, splits: list[Any], y: Any, groups: Any, seed: int | None
    ) -> ResourcePlan:
        return make_resource_plan(
            resource=self.resource,
            min_resources=self.min_resources,
            max_resources=self.max_resources,
            factor=self.factor,
            estimator=self.estimator,
            searched={s.name for specs in space.branches for s in specs},
            splits=splits,
            y=y,
            groups=groups,
            classifier=is_classifier(self.estimator),
            seed=seed,
            n_candidates=self.n_iter if self.n_iter is not None else space.n_candidates,
            halving=halving_rate(self.pruner, self.factor) is not None,
        )

    def _announce(
        self,
        study: Study,
        space: SearchSpace,
        sampler: CandidateSampler,
        plan: PruningPlan,
        n_splits: int,
        n_workers: int,
    ) -> None:
        """The ``verbose >= 1`` header: the plan of this fit, and what it continues from."""
        if self.verbose < 1:
            return
        done = len(candidate_trials(study, space))
        left = None if space.n_candidates is None else max(space.n_candidates - done, 0)
        n_new = self.n_iter if left is None else min(left, self.n_iter or left)
        if done:
            self._log(1, f"continuing study {study.study_name!r}: {done} done, up to {n_new} more")
        walks = sampler.base is None and not plan.active
        how = "" if walks else "up to "
        name = self.sampler if isinstance(self.sampler, str) else type(self.sampler).__name__
        self._log(
            1,
            f"Fitting {n_splits} folds for each of {how}{n_new} candidates, totalling "
            f"{how}{n_new * n_splits} fits ({name} sampler, "
            f"{type(plan.pruner).__name__ if plan.active else 'no'} pruning, "
            f"{n_workers} worker{'s' if n_workers > 1 else ''})",
        )

    def _check_space(self, space: SearchSpace) -> None:
        if (self.sampler == "grid" or self.n_iter is None) and not space.is_finite:
            continuous = [
                s.name for specs in space.branches for s in specs if s.grid() is None
            ]
            why = "sampler='grid'" if self.sampler == "grid" else "n_iter=None"
            raise ValueError(
                f"{why} needs a finite search space, but {continuous!r} "
                f"{'is' if len(continuous) == 1 else 'are'} continuous; give lists of values "
                "(or stepped distributions), or an int n_iter with another sampler."
            )

    def _seed(self) -> int | None:
        """The samplers' seed: None, or drawn from ``random_state`` (an int gives a fixed one)."""
        if self.random_state is None:
            return None
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _pruning_metric(self, test: Any) -> float:
        """The score candidates are compared on: the refit metric, else the first one."""
        if isinstance(test, dict):
            refit = self.refit
            name = refit if isinstance(refit, str) and refit in test else next(iter(test))
            return float(test[name])
        return float(test)

    def _warn_about_search(
        self, stats: SearchStats, space: SearchSpace, warned_small_space: bool
    ) -> None:
        n_failed = len(stats.fit_errors)
        if n_failed and n_failed == stats.n_fits:  # scikit-learn's words
            raise ValueError(
                f"\nAll the {stats.n_fits} fits failed.\n"
                "It is very likely that your model is misconfigured.\n"
                "You can try to debug the error by setting error_score='raise'.\n\n"
                f"Below are more details about the failures:\n{_summarize(stats.fit_errors)}"
            )
        if n_failed:
            warn_user(
                f"\n{n_failed} fits failed out of a total of {stats.n_fits}.\n"
                "The score on these train-test partitions for these parameters will be set "
                f"to {self.error_score}.\nIf these failures are not expected, you can try to "
                "debug them by setting error_score='raise'.\n\n"
                f"Below are more details about the failures:\n{_summarize(stats.fit_errors)}",
                FitFailedWarning,
            )
        walked_the_grid = self.sampler == "grid"
        if (
            stats.exhausted
            and not walked_the_grid
            and not warned_small_space
            and self.n_iter is not None
            and stats.n_trials < self.n_iter
        ):
            warn_user(
                f"The search space has {space.n_candidates} distinct candidates and all of "
                f"them have been evaluated, so the search stopped after {stats.n_trials} new "
                f"candidates instead of n_iter={self.n_iter}."
            )

    def _results(
        self,
        study: Study,
        space: SearchSpace,
        multimetric: bool | None,
        pruning: bool,
        resource: ResourcePlan,
    ) -> tuple[dict[str, Any], list[str]]:
        names = None
        if multimetric:
            names = list(resolve_scoring(self.estimator, self.scoring, True)[0].scorers)
        records, metrics = records_from_study(study, space, names)
        results = build_cv_results(
            records, metrics, self.n_splits_, self.return_train_score, pruning
        )
        if resource.active:  # resource lane
            results.update(resource_columns(records))
        return results, metrics

    def _select_on_front(self, results: dict[str, Any], objectives: Objectives) -> None:
        """``pareto_front_`` and, with ``refit``, the best candidate on it."""
        self.pareto_front_ = pareto_front(results, objectives)
        index, scorer = select_best(results, objectives, self.refit, self.pareto_front_)
        if index is None:
            return
        self.best_index_ = self._checked_index(index, results) if callable(self.refit) else index
        if scorer is not None:
            self.best_score_ = results[f"mean_test_{scorer}"][self.best_index_]
        self.best_params_ = results["params"][self.best_index_]

    @staticmethod
    def _checked_index(index: Any, results: dict[str, Any]) -> int:
        """The index a refit callable returned, checked as scikit-learn does."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(
                f"best_index_ returned is not an integer (the refit callable returned "
                f"{index!r})"
            )
        if not 0 <= index < len(results["params"]):
            raise IndexError(
                f"best_index_ index out of range: the refit callable returned {index} "
                f"for {len(results['params'])} candidates"
            )
        return int(index)

    def _select_best(self, results: dict[str, Any], refit_metric: Any) -> None:
        if not (self.refit or not self.multimetric_):
            return
        if callable(self.refit):
            self.best_index_ = self._checked_index(self.refit(results), results)
        else:
            self.best_index_ = int(results[f"rank_test_{refit_metric}"].argmin())
            self.best_score_ = results[f"mean_test_{refit_metric}"][self.best_index_]
        self.best_params_ = results["params"][self.best_index_]

    def _summary(self, stats: SearchStats, seconds: float) -> str:
        states = ", ".join(f"{n} {s.lower()}" for s, n in sorted(stats.states.items()))
        best = f"; best score {self.best_score_:.4f}" if hasattr(self, "best_score_") else ""
        return (
            f"HPOSearchCV: {stats.n_trials} candidates ({states or 'none'}), "
            f"{stats.n_fits} fold fits in {seconds:.1f}s{best}"
        )

    def _sk_visual_block_(self) -> Any:
        """scikit-learn's HTML repr draws the best estimator once refitted, else ``estimator``."""
        if hasattr(self, "best_estimator_"):
            key, estimator = "best_estimator_", self.best_estimator_
        else:
            key, estimator = "estimator", self.estimator
        return visual_block(
            "parallel",
            [estimator],
            names=[f"{key}: {estimator.__class__.__name__}"],
            name_details=[str(estimator)],
        )

    # -- delegation ------------------------------------------------------------------------------

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """Score of the best estimator on X (``scoring``, or the estimator's ``score``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        **params : dict
            Passed to the scorer when metadata routing is enabled.

        Returns
        -------
        score : float
        """
        _check_refit(self, "score")
        check_is_fitted(self)
        if params and not routing_enabled():
            raise ValueError(
                f"Passing extra keyword arguments to {type(self).__name__}.score is only "
                "supported if enable_metadata_routing=True, which you can set using "
                "`sklearn.set_config`. See the User Guide "
                "<https://scikit-learn.org/stable/metadata_routing.html> for more details. "
                f"Extra parameters passed are: {set(params)}"
            )
        score_params = process_routing(self, "score", **params).scorer["score"] if (
            routing_enabled()
        ) else {}
        key = self.refit
        if self.objectives is not None and self.multimetric_:  # objectives lane
            key = scorer_for_score(Objectives(tuple(self.objectives)), self.refit, self.scorer_)
        if isinstance(self.scorer_, dict):
            scorer = self.scorer_[key] if self.multimetric_ else self.scorer_
            return scorer(self.best_estimator_, X, y, **score_params)
        score = self.scorer_(self.best_estimator_, X, y, **score_params)
        return score[key] if self.multimetric_ else score

    @available_if(_estimator_has("score_samples"))
    def score_samples(self, X: Any) -> Any:
        """``score_samples`` of the best estimator."""
        check_is_fitted(self)
        return self.best_estimator_.score_samples(X)

    @available_if(_estimator_has("predict"))
    def predict(self, X: Any) -> Any:
        """``predict`` of the best estimator."""
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        """``predict_proba`` of the best estimator."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> Any:
        """``predict_log_proba`` of the best estimator."""
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> Any:
        """``decision_function`` of the best estimator."""
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X)

    @available_if(_estimator_has("transform"))
    def transform(self, X: Any) -> Any:
        """``transform`` of the best estimator."""
        check_is_fitted(self)
        return self.best_estimator_.transform(X)

    @available_if(_estimator_has("inverse_transform"))
    def inverse_transform(self, X: Any) -> Any:
        """``inverse_transform`` of the best estimator."""
        check_is_fitted(self)
        return self.best_estimator_.inverse_transform(X)

    @property
    def n_features_in_(self) -> int:
        """Number of features seen during fit (with ``refit``)."""
        try:
            check_is_fitted(self)
        except NotFittedError as e:
            raise AttributeError(
                f"{type(self).__name__} object has no n_features_in_ attribute before fit."
            ) from e
        return self.best_estimator_.n_features_in_

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of the best estimator (classifiers with ``refit``)."""
        _estimator_has("classes_")(self)
        return self.best_estimator_.classes_

    def get_metadata_routing(self) -> MetadataRouter:
        """Routing of fit/score metadata to the estimator, the scorer and the splitter.

        Returns
        -------
        routing : MetadataRouter
        """
        scorer = resolve_scoring(self.estimator, self.scoring, raise_exc=True)[0]
        return (
            MetadataRouter(owner=self)
            .add(
                estimator=self.estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                scorer=scorer,
                method_mapping=MethodMapping()
                .add(caller="score", callee="score")
                .add(caller="fit", callee="score"),
            )
            .add(
                splitter=self.cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )


def _summarize(errors: list[str]) -> str:
    rule = "-" * 80
    return "\n".join(
        f"{rule}\n{n} fits failed with the following error:\n{error}"
        for error, n in Counter(errors).items()
    )
