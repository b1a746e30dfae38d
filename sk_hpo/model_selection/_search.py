"""HPOSearchCV: a drop-in for GridSearchCV / RandomizedSearchCV built on sk_hpo studies."""

from __future__ import annotations

import copy
import time
import warnings
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
from sk_hpo.model_selection._context import check_context, search_context
from sk_hpo.model_selection._fold import evaluate_fold
from sk_hpo.model_selection._proposer import CandidateSampler
from sk_hpo.model_selection._pruning import PRUNER_NAMES, PruningPlan, make_pruning_plan
from sk_hpo.model_selection._records import records_from_study
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
    "pre_dispatch": [v.INT, v.STR],
    "random_state": [v.RANDOM_STATE, v.NONE],
    "error_score": [v.options("raise"), v.REAL],
    "return_train_score": [v.BOOLEAN],
    "timeout": [v.POSITIVE_REAL, v.NONE],
    "storage": [v.STR, v.instance_of(BaseStorage, "a BaseStorage"), v.NONE],
    "study_name": [v.STR, v.NONE],
    "callbacks": [v.CALLBACKS, v.NONE],
}


def _check_refit(search: HPOSearchCV, attr: str) -> None:
    if not search.refit:
        raise AttributeError(
            f"This {type(search).__name__} instance was initialized with refit=False: {attr} "
            "needs the estimator refitted with the best parameters. Set refit=True, or fit "
            "an estimator yourself with best_params_."
        )


def _estimator_has(attr: str) -> Callable[[HPOSearchCV], bool]:
    """available_if check: refit is on and the (best) estimator has ``attr``."""

    def check(self: HPOSearchCV) -> bool:
        _check_refit(self, attr)
        getattr(self.best_estimator_ if hasattr(self, "best_estimator_") else self.estimator, attr)
        return True

    return check


def _pre_dispatch_amount(pre_dispatch: int | str, n_workers: int) -> int:
    if isinstance(pre_dispatch, str):
        text = pre_dispatch.replace(" ", "")
        if text == "all":
            return 2 * n_workers
        factor = text.replace("n_jobs", "").rstrip("*") or "1"
        if not text.endswith("n_jobs") or not factor.isdigit():
            raise ValueError(
                f"The 'pre_dispatch' parameter of HPOSearchCV must be an int or a str like "
                f"'2*n_jobs', got {pre_dispatch!r}."
            )
        return int(factor) * n_workers
    return max(1, int(pre_dispatch))


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
        A candidate is never evaluated twice; when a finite space runs out the search stops
        (with a warning, except for ``sampler="grid"``, where that is the plan).
    sampler : {"tpe", "gp", "random", "grid", "qmc"} or BaseSampler, default="tpe"
        How candidates are proposed. ``"grid"`` walks the space in ``ParameterGrid`` order:
        with ``n_iter=None`` and ``pruner=None`` it evaluates what GridSearchCV evaluates, in
        the same order. A sampler instance is copied at each fit (``random_state`` then
        does not apply to it).
    pruner : {"sha", "median", "wilcoxon", "hyperband"}, BasePruner or None, default="sha"
        How weak candidates are stopped across folds. ``"sha"`` is asynchronous successive
        halving with rungs after 1 and 3 folds (reduction factor 3); None fits every fold.
        String pruners never prune at a fold before 3 other candidates have reached it.
    scoring : str, callable, list, tuple, set, dict or None, default=None
        As in GridSearchCV; several metrics need ``refit`` to name the one to select with.
        Pruning compares candidates on the ``refit`` metric (the first one otherwise).
    n_jobs : int, default=None
        Fold fits running at once (joblib); None means 1 unless in a joblib context.
    refit : bool, str or callable, default=True
        Refit the best candidate on the whole data (see GridSearchCV).
    cv : int, cross-validation generator or iterable, default=None
        As in GridSearchCV (5-fold by default). Every candidate uses the same splits.
    verbose : int, default=0
        1: a summary; 2: one line per candidate with its score and state; 3: one per fold.
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

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        GridSearchCV's columns, one row per candidate of the study in trial order. With a
        pruner also ``n_splits_run``, ``state`` and ``trial_number``; a pruned candidate has
        NaN in the folds it skipped and NaN mean test scores.
    best_estimator_ : estimator
        The best candidate refitted on the whole data (``refit`` only).
    best_score_ : float
        Mean cross-validated score of the best candidate.
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

    def _scorer(self) -> tuple[Any, bool | None]:
        scorer, multimetric = resolve_scoring(
            self.estimator, self.scoring, raise_exc=(self.error_score == "raise")
        )
        if multimetric:
            self._check_refit_for_multimetric(list(scorer.scorers))
        return scorer, multimetric

    def _check_refit_for_multimetric(self, names: list[str]) -> None:
        if self.refit is not False and not callable(self.refit) and self.refit not in names:
            raise ValueError(
                "With several metrics in 'scoring', refit must be the name of one of them "
                f"({names!r}), a callable, or False to refit nothing; got refit={self.refit!r}."
            )

    def _base_sampler(self, seed: int | None) -> BaseSampler | None:
        from sk_hpo import samplers

        if isinstance(self.sampler, samplers.GridSampler):
            raise ValueError(
                "HPOSearchCV walks the grid of param_distributions itself: pass "
                "sampler='grid' instead of a GridSampler instance."
            )
        if isinstance(self.sampler, BaseSampler):
            return copy.deepcopy(self.sampler)

        if self.sampler == "grid":
            return None
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

    def _open_study(self, sampler: CandidateSampler, plan: PruningPlan) -> Study:
        return create_study(
            storage=self.storage,
            sampler=sampler,
            pruner=plan.pruner,
            study_name=self.study_name,
            direction="maximize",
            load_if_exists=True,
        )

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
        v.validate_params(type(self).__name__, self.get_params(deep=False), _CONSTRAINTS)
        space = SearchSpace(self.param_distributions)
        self._check_space(space)
        scorer, multimetric = self._scorer()
        X, y = indexable(X, y)
        routed = route_fit_params(self, params, scorer)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        n_splits = cv.get_n_splits(X, y, **routed.split)
        splits = list(cv.split(X, y, **routed.split))
        if len(splits) != n_splits:
            raise ValueError(
                f"cv.split gave {len(splits)} splits but cv.get_n_splits said {n_splits}; the "
                "cross-validator must give the number of splits it announces."
            )
        self.n_splits_ = n_splits

        seed = self._seed()
        plan = make_pruning_plan(self.pruner, n_splits)
        sampler = CandidateSampler(
            self._base_sampler(seed), space, seed=None if seed is None else seed + 1
        )
        study = self._open_study(sampler, plan)
        context = search_context(self.estimator, space, self.scoring, splits, X, y)
        check_context(study, context, len(study._get_trials(deepcopy=False)))

        n_workers = joblib.effective_n_jobs(self.n_jobs)
        n_iter = self.n_iter
        self._log(
            1,
            f"Fitting {n_splits} folds for each of "
            f"{'all' if n_iter is None else f'up to {n_iter}'} candidates "
            f"({type(sampler.base).__name__ if sampler.base is not None else 'grid'}, "
            f"{type(plan.pruner).__name__ if plan.active else 'no'} pruning, "
            f"{n_workers} worker{'s' if n_workers > 1 else ''})",
        )
        base_estimator = clone(self.estimator)
        pairwise = get_tags(self.estimator).input_tags.pairwise

        def fold_task(candidate_params: dict[str, Any], fold: int):
            train, test = splits[fold]
            kwargs = dict(
                fit_params=routed.fit,
                score_params=routed.score,
                return_train_score=self.return_train_score,
                error_score=self.error_score,
                pairwise=pairwise,
            )
            args = (base_estimator, candidate_params, X, y, train, test, scorer)
            return evaluate_fold, args, kwargs

        start = time.monotonic()
        scheduler = FoldScheduler(
            study=study,
            space=space,
            n_splits=n_splits,
            fold_task=fold_task,
            plan=plan,
            metric=self._pruning_metric,
            n_iter=n_iter,
            timeout=self.timeout,
            n_jobs=self.n_jobs,
            n_workers=n_workers,
            pre_dispatch=_pre_dispatch_amount(self.pre_dispatch, n_workers),
            callbacks=list(self.callbacks or ()),
            log=self._log,
        )
        stats = scheduler.run()
        self.study_ = study
        self._warn_about_search(stats, space)

        results, metrics = self._results(study, space, multimetric, plan.active)
        self.multimetric_ = metrics != ["score"] or bool(multimetric)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(metrics)
        refit_metric = self.refit if self.multimetric_ else "score"
        self._select_best(results, refit_metric)
        self._log(1, self._summary(stats, time.monotonic() - start))

        if self.refit:
            self.best_estimator_ = clone(base_estimator).set_params(
                **clone(self.best_params_, safe=False)
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

    def _warn_about_search(self, stats: SearchStats, space: SearchSpace) -> None:
        n_failed = len(stats.fit_errors)
        if n_failed and n_failed == stats.n_fits:
            raise ValueError(
                f"All the {stats.n_fits} fits failed, so the search has no score; the "
                "estimator is most likely misconfigured (set error_score='raise' to see "
                f"the error where it happens).\nThe failures:\n{_summarize(stats.fit_errors)}"
            )
        if n_failed:
            warnings.warn(
                f"\n{n_failed} fits failed out of a total of {stats.n_fits}; their scores are "
                f"set to {self.error_score}. Set error_score='raise' to see each error where "
                f"it happens.\nThe failures:\n{_summarize(stats.fit_errors)}",
                FitFailedWarning,
                stacklevel=3,
            )
        walked_the_grid = self.sampler == "grid"
        if (
            stats.exhausted
            and not walked_the_grid
            and self.n_iter is not None
            and stats.n_trials < self.n_iter
        ):
            warnings.warn(
                f"The search space has {space.n_candidates} distinct candidates and all of "
                f"them have been evaluated, so the search stopped after {stats.n_trials} new "
                f"candidates instead of n_iter={self.n_iter}.",
                UserWarning,
                stacklevel=3,
            )

    def _results(
        self, study: Study, space: SearchSpace, multimetric: bool | None, pruning: bool
    ) -> tuple[dict[str, Any], list[str]]:
        names = None
        if multimetric:
            names = list(resolve_scoring(self.estimator, self.scoring, True)[0].scorers)
        records, metrics = records_from_study(study, space, names)
        results = build_cv_results(
            records, metrics, self.n_splits_, self.return_train_score, pruning
        )
        return results, metrics

    def _select_best(self, results: dict[str, Any], refit_metric: Any) -> None:
        if not (self.refit or not self.multimetric_):
            return
        if callable(self.refit):
            index = self.refit(results)
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise TypeError(
                    f"best_index_ returned by the refit callable is not an integer: {index!r}."
                )
            if not 0 <= index < len(results["params"]):
                raise IndexError(
                    f"best_index_ returned by the refit callable is out of range: {index} "
                    f"for {len(results['params'])} candidates."
                )
            self.best_index_ = int(index)
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
                f"HPOSearchCV.score got extra arguments {sorted(params)}; they are supported "
                "only with sklearn.set_config(enable_metadata_routing=True)."
            )
        score_params = process_routing(self, "score", **params).scorer["score"] if (
            routing_enabled()
        ) else {}
        if isinstance(self.scorer_, dict):
            scorer = self.scorer_[self.refit] if self.multimetric_ else self.scorer_
            return scorer(self.best_estimator_, X, y, **score_params)
        score = self.scorer_(self.best_estimator_, X, y, **score_params)
        return score[self.refit] if self.multimetric_ else score

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
