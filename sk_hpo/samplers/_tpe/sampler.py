"""The TPE sampler: which trials, which search space, which candidate (orchestration).

The numerics (Parzen estimators, truncated normals) live in
:mod:`sk_hpo.samplers._tpe.parzen_estimator`; the finite-space choice in
:mod:`sk_hpo.samplers._tpe._finite`; what is remembered of a study between asks in
:mod:`sk_hpo.samplers._tpe._observations`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._validation import CALLABLE, NONE, check_param, int_range, interval, validate_params
from sk_hpo._warnings import warn_user
from sk_hpo._direction import StudyDirection
from sk_hpo.distributions import BaseDistribution, CategoricalDistribution
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.samplers._budgets import budget_keys, rank_key
from sk_hpo.samplers._random import RandomSampler, sample_uniform
from sk_hpo.samplers._constraints_func import store_constraints
from sk_hpo.samplers._tpe._finite import SeenConfigurations, best_unseen
from sk_hpo.samplers._tpe._observations import StudyObservations, same_distribution
from sk_hpo.samplers._tpe.parzen_estimator import (
    ParzenEstimator,
    SpaceArrays,
    age_weights,
    split_sizes_default,
)
from sk_hpo.samplers._tpe._split import split_good
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["TPESampler"]

# Claims lost to other processes before a repeat is accepted (each loss is a rare race).
_MAX_CLAIM_ATTEMPTS = 8
# Several objectives: True weighs the good trials in l(x) by their hypervolume contribution
# (MOTPE, Optuna < 4.x) instead of ``weights``. Off: in a quick run (100 trials, 8-10 seeds)
# it lowered the median hypervolume on ZDT1 and DTLZ2 and raised it on ZDT2; Optuna 5 dropped
# it as well.
_WEIGH_BY_CONTRIBUTION = False


def _is_discrete(dist: BaseDistribution) -> bool:
    return isinstance(dist, CategoricalDistribution) or getattr(dist, "step", None) is not None


class TPESampler(BaseSampler):
    """Tree-structured Parzen Estimator: model good and bad trials, sample where good is likely.

    After ``n_startup_trials`` random trials, each ask splits the finished trials into a
    *good* group (the best ``gamma(n)``) and a *bad* one, fits a Parzen estimator (a kernel
    mixture) ``l(x)`` to the good trials and ``g(x)`` to the bad ones, draws
    ``n_ei_candidates`` points from ``l`` and keeps the one maximising ``l(x) / g(x)`` (the
    expected-improvement criterion of TPE).

    It is also the default sampler of a study of several objectives (as in Optuna 5) and
    honours constraints (:meth:`~sk_hpo.trial.Trial.set_constraint`): see Notes.

    Parameters
    ----------
    n_startup_trials : int, default=10
        Finished (complete or pruned) trials drawn at random before the model is used. Ten
        gives the model a first picture of a space of a handful of parameters without
        spending much of a 50-100 trial budget.
    n_ei_candidates : int, default=24
        Candidates drawn from ``l(x)`` at each ask; more candidates exploit harder. 24 has
        been TPE's value since Bergstra et al. (2011); larger values did not help overall in
        our benchmarks.
    multivariate : bool or None, default=None
        None means True, also for several objectives (Optuna 5 then models parameters one
        at a time; jointly gave clearly larger hypervolumes on ZDT1/ZDT2 here). Model the parameters jointly (one product kernel per trial over all parameters of a
        group) rather than one at a time, so interactions between parameters are captured.
        Watanabe (2023) finds the multivariate kernel among the components that matter most.
    group : bool or None, default=None
        None means the value of ``multivariate`` (True with the default; True together with
        ``multivariate=False`` is a ValueError, as in Optuna). With ``multivariate``, decompose a conditional (define-by-run) space into groups of
        parameters that always occur together and model each group jointly on the trials
        that contain it. With False, only the parameters common to all trials are modelled
        jointly and the others one at a time.
    constant_liar : bool, default=True
        Count running trials (other workers' current configurations, including proposals
        not yet stored) among the bad trials, so parallel workers are pushed apart instead
        of all sampling the same promising spot. It changes nothing when trials run one at
        a time.
    gamma : callable, default=None
        ``gamma(n) -> int``: size of the good group among ``n`` finished trials. None means
        ``ceil(0.1 n)`` for several objectives (as Optuna 5: the good group can hold a
        whole front) and, for one, ``min(ceil(0.15 n), 25)``: a linear split, as recommended by Watanabe (2023), whose
        15% (rather than the usual 10%) gave a better-informed ``l(x)`` and better results on
        most of our benchmark tasks.
    weights : callable, default=None
        ``weights(n) -> array of n weights``: weights of ``n`` observations, oldest first.
        None means the 25 newest weigh 1 and older ones ramp down linearly towards ``1 / n``,
        so the model follows the search as it moves.
    prior_weight : float, default=1.0
        Weight, relative to one observation, of a broad prior kernel (centred, as wide as
        the range) in both mixtures; it keeps every region reachable. The ablation finds
        the prior helps; 1.0 is the usual weight.
    consider_magic_clip : bool, default=True
        Keep the bandwidths of a mixture of ``n`` observations above
        ``range / min(100, n + 1) ** 1.5``, so mixtures fitted on a handful of points stay
        wide instead of exploiting prematurely. (Bandwidths are also kept above 3% of the
        range, so late kernels do not collapse on a point.)
    consider_endpoints : bool, default=False
        Bandwidths are each observation's larger gap to its neighbours (per parameter);
        with True the range bounds count as neighbours, which narrows kernels near a bound.
        False keeps them as wide as their inner gap: it explores the edges more.
    consider_prior : bool or None, default=None
        Accepted for Optuna's signature, where it is deprecated and the prior is always
        used: a value other than None warns (FutureWarning) and changes nothing.
    seed : int, default=None
        Seed of the random generator: the same seed and the same trials give the same
        suggestions (``optimize(n_jobs>1)`` reseeds each worker thread).
    constraints_func : callable, default=None
        ``constraints_func(frozen_trial) -> sequence of float``, evaluated after each
        COMPLETE or PRUNED trial and stored as its constraints (each <= 0 when feasible).
        Deprecated, as in Optuna 5 (a FutureWarning): call
        :meth:`~sk_hpo.trial.Trial.set_constraint` in the objective instead.

    Notes
    -----
    - Until ``n_startup_trials`` trials are finished, parameters are drawn by a
      :class:`~sk_hpo.samplers.RandomSampler` sharing this sampler's random generator
      (in a finite space, the relative sampling still avoids repeating a configuration).
    - Trials stopped at different budgets (pruned at different steps) are ranked by the
      deepest step reached: COMPLETE trials first, by value; then pruned trials, deeper
      ones (larger last step) first, then by their last reported value (see
      :mod:`sk_hpo.samplers._budgets`): a pruned candidate marks a bad region.
    - A running trial that reported an intermediate value (in a study of one objective
      whose trials violate no constraint) is ranked the same way, at the step it reached,
      and counts towards ``n_startup_trials``; only running trials that reported nothing
      are constant lies. Successive halving keeps its best candidates running (waiting at
      a rung, or between folds) until its end: as lies, they pushed the model away from
      the best region.
    - Constraints (Optuna 5's rule): feasible trials (every constraint <= 0) fill the good
      group first, complete then pruned; infeasible trials come after them, by increasing
      total violation (sum of the positive constraint values).
    - Several objectives (MOTPE, Ozaki et al. 2020, as Optuna 5 splits): the good group
      takes the complete trials front by front (non-dominated sorting); the front that does
      not fit whole is cut by greedy hypervolume subset selection. The good trials weigh in
      ``l(x)`` by ``weights``, as with one objective (equal weights up to 25 good trials;
      weighting by hypervolume contribution, as MOTPE first did, did not help here).
    - In a finite space (every modelled parameter categorical, integer or stepped), the
      sampler proposes the best-scoring configuration that no trial (finished, running or
      queued) holds, and repeats a configuration only once all are taken. Processes sharing
      a study claim each configuration atomically in the storage, so two processes asking
      at the same moment still get different ones.
    - Parameters whose range changes between trials (dynamic ranges) and parameters that
      appear for the first time are sampled one at a time by univariate TPE.

    References
    ----------
    J. Bergstra, R. Bardenet, Y. Bengio and B. Kégl, "Algorithms for Hyper-Parameter
    Optimization", NeurIPS 2011. S. Watanabe, "Tree-Structured Parzen Estimator:
    Understanding Its Algorithm Components and Their Roles for Better Empirical
    Performance", arXiv:2304.11127, 2023.
    Y. Ozaki, Y. Tanigaki, S. Watanabe and M. Onishi, "Multiobjective Tree-Structured Parzen
    Estimator for Computationally Expensive Optimization Problems", GECCO 2020.

    Examples
    --------
    >>> import sk_hpo
    >>> sampler = TPESampler(seed=0)
    >>> study = sk_hpo.create_study(sampler=sampler)
    >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=30)
    >>> study.best_value < 0.1
    True
    """

    def __init__(
        self,
        *,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        multivariate: bool | None = None,
        group: bool | None = None,
        constant_liar: bool = True,
        gamma: Callable[[int], int] | None = None,
        weights: Callable[[int], np.ndarray] | None = None,
        prior_weight: float = 1.0,
        consider_magic_clip: bool = True,
        consider_endpoints: bool = False,
        consider_prior: bool | None = None,
        seed: int | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    ) -> None:
        validate_params(
            "TPESampler",
            {
                "n_startup_trials": n_startup_trials,
                "n_ei_candidates": n_ei_candidates,
                "gamma": gamma,
                "prior_weight": prior_weight,
                "constraints_func": constraints_func,
            },
            {
                "n_startup_trials": [int_range(0)],
                "n_ei_candidates": [int_range(1)],
                "gamma": [CALLABLE, NONE],
                "prior_weight": [interval(0, float("inf"), closed="neither")],
                "constraints_func": [CALLABLE, NONE],
            },
        )
        self._n_startup_trials = int(n_startup_trials)
        self._n_ei_candidates = int(n_ei_candidates)
        check_param("TPESampler", "weights", weights, [CALLABLE, NONE])
        multivariate = True if multivariate is None else bool(multivariate)
        if group and not multivariate:
            raise ValueError(
                f"The 'group' parameter of TPESampler must be False or None when "
                f"'multivariate' is False. Got group={group!r} instead."
            )
        if consider_prior is not None:
            warn_user(
                "The 'consider_prior' parameter of TPESampler is deprecated (as in Optuna) and "
                "ignored: the prior is always used; set its weight with 'prior_weight'.",
                FutureWarning,
            )
        if constraints_func is not None:
            warn_user(
                "The 'constraints_func' parameter of TPESampler is deprecated (as in Optuna 5): "
                "call trial.set_constraint(key, value) in the objective instead.",
                FutureWarning,
            )
        self._constraints_func = constraints_func
        self._multivariate = multivariate
        self._group = multivariate if group is None else bool(group)
        self._weights = weights if weights is not None else age_weights
        self._constant_liar = bool(constant_liar)
        self._gamma_given = gamma
        self._gamma = gamma if gamma is not None else split_sizes_default
        self._weigh_by_contribution = _WEIGH_BY_CONTRIBUTION
        self._prior_weight = float(prior_weight)
        self._consider_magic_clip = bool(consider_magic_clip)
        self._consider_endpoints = bool(consider_endpoints)
        check_param("TPESampler", "seed", seed, [int_range(0), NONE])
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        # The startup trials' sampler draws from this sampler's generator.
        self._random_sampler = RandomSampler(seed)
        self._random_sampler._rng = self._rng
        self._lock = threading.RLock()
        self._observations: weakref.WeakKeyDictionary[Any, StudyObservations] = (
            weakref.WeakKeyDictionary()
        )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"], state["_observations"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._observations = weakref.WeakKeyDictionary()

    def reseed_rng(self) -> None:
        self._rng = self._random_sampler._rng = np.random.default_rng()

    def __repr__(self) -> str:
        return f"TPESampler(seed={self._seed!r})"

    # -- search space ----------------------------------------------------------------------------

    def _observe(
        self, study: Study, trials: Sequence[FrozenTrial] | None = None
    ) -> StudyObservations:
        """The study's observations, updated with the trials finished since the last ask.

        ``trials``: the study's trials, when the caller has them already.
        """
        obs = self._observations.get(study)
        if obs is None:
            obs = self._observations[study] = StudyObservations()
        obs.sync(study._get_trials(deepcopy=False) if trials is None else trials)
        return obs

    def _groups(self, obs: StudyObservations) -> list[dict[str, BaseDistribution]]:
        groups = obs.tracker.groups() if self._group else [obs.tracker.intersection()]
        return [g for g in groups if g]

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if not self._multivariate:
            return {}
        with self._lock:
            obs = self._observe(study)
            return {name: dist for g in self._groups(obs) for name, dist in g.items()}

    # -- sampling --------------------------------------------------------------------------------

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        with self._lock:
            trials = study._get_trials(deepcopy=False)
            obs = self._observe(study, trials)
            groups = [
                {
                    n: d
                    for n, d in g.items()
                    if n in search_space and same_distribution(search_space[n], d)
                }
                for g in self._groups(obs)
            ]
            groups = [g for g in groups if g]
            reports = self._reports(study, obs, trials, trial)
            startup = obs.n_finished + len(reports) < self._n_startup_trials
            finite = all(_is_discrete(d) for g in groups for d in g.values())
            if startup and not finite:
                return {}  # random startup: sample_independent delegates to the random sampler
            split = self._splitter(study, obs)
            running = obs.running_configs(trials, trial, search_space)
            reported = {t.number for t in reports}
            lying = [
                c for number, c in running.items() if number not in reported
            ] if self._constant_liar else []
            names, spaces, cands, scores, score_fns = [], [], [], [], []
            for group in groups:
                group_names = list(group)
                space = SpaceArrays.from_distributions(list(group.values()))
                if startup:
                    cand = space.uniform(self._rng, self._n_ei_candidates)
                    score, score_fn = np.zeros(len(cand)), _zeros
                else:
                    numbers, X, keys, observed = _observed(obs, group, reports)
                    keys = self._budget_keys(observed, keys)
                    lies = [[c[n] for n in group_names] for c in lying if group.keys() <= c.keys()]
                    fit_keys = ((tuple(group_names), "good"), (tuple(group_names), "bad"))
                    l_est, g_est = self._fit_pair(
                        space, numbers, X, keys, lies, split,
                        previous=[obs.estimators.get(k) for k in fit_keys],
                    )
                    obs.estimators.update(zip(fit_keys, (l_est, g_est)))
                    cand = l_est.sample(self._rng, self._n_ei_candidates)
                    # Kernels that stay between asks keep their grid-cell masses.
                    l_caches = obs.mass_caches((tuple(group_names), "good"), space)
                    g_caches = obs.mass_caches((tuple(group_names), "bad"), space)

                    def score_fn(
                        X: np.ndarray, l_est=l_est, g_est=g_est, lc=l_caches, gc=g_caches
                    ) -> np.ndarray:
                        return l_est.log_pdf(X, lc) - g_est.log_pdf(X, gc)

                    score = score_fn(cand)
                names.append(group_names)
                spaces.append(space)
                cands.append(cand)
                scores.append(score)
                score_fns.append(score_fn)

            if finite:
                seen = _seen_configurations(
                    study, trials, trial, search_space, list(running.values())
                )
                internal = best_unseen(names, cands, scores, spaces, score_fns, seen, self._rng)
                # Another process may be proposing the same configuration right now: the
                # storage's atomic claim decides who takes it; the loser takes its next best.
                for _ in range(_MAX_CLAIM_ATTEMPTS):
                    if seen.contains(internal) or _claim(study, trial, search_space, internal):
                        break
                    seen.add(internal)
                    internal = best_unseen(
                        names, cands, scores, spaces, score_fns, seen, self._rng
                    )
            else:
                internal = {}
                for gn, cand, score in zip(names, cands, scores):
                    best = cand[int(np.argmax(score))]
                    internal.update(zip(gn, best.tolist()))
            # Other threads see this proposal before the trial stores its parameters.
            obs.pending[trial._trial_id] = internal
        return {
            name: search_space[name].to_external_repr(value) for name, value in internal.items()
        }

    def _reports(
        self,
        study: Study,
        obs: StudyObservations,
        trials: Sequence[FrozenTrial],
        current: FrozenTrial,
    ) -> list[FrozenTrial]:
        """Running trials the model observes at the step they reached (see Notes): those
        that reported an intermediate value, in a study of one objective whose finished
        trials violate no constraint (the good group is then chosen on rank keys alone)."""
        if len(study.directions) > 1 or obs.outcomes.any_violation:
            return []
        return obs.reporting(trials, current)

    def _budget_keys(self, trials: Sequence[FrozenTrial], keys: np.ndarray) -> np.ndarray:
        """Rank keys at the modelled step (see :mod:`sk_hpo.samplers._budgets`)."""
        return budget_keys(trials, keys, n_min=self._budget_n_min(len(keys)))[1]

    def _budget_n_min(self, n: int) -> int:
        """Trials a step needs to be modelled: 1, i.e. the deepest step any trial reached.

        COMPLETE trials then rank first (by final value), pruned ones after, deeper first.
        BOHB's choice, ``gamma(n)`` (rank everyone at the highest step that fills the good
        group), was worse with biased low budgets and Hyperband and not better with
        successive halving in ``benchmarks/bench_mixed_budget.py`` (``tpe-bohb`` there).
        """
        return 1

    def _fit_pair(
        self,
        space: SpaceArrays,
        numbers: np.ndarray,
        X: np.ndarray,
        keys: np.ndarray,
        lies: Sequence[Sequence[float]],
        split: Callable[..., tuple[np.ndarray, np.ndarray | None]],
        previous: Sequence[ParzenEstimator | None] = (None, None),
    ) -> tuple[ParzenEstimator, ParzenEstimator]:
        """Parzen estimators ``l`` of the good trials and ``g`` of the bad ones.

        ``numbers``, ``X``, ``keys``: trial numbers, internal values and rank keys of the
        finished trials; ``lies``: values of running trials, counted among the bad ones
        (constant liar); ``split(numbers, keys)``: positions of the good trials and their
        weights (None: the usual ``weights``), see :meth:`_splitter`; ``previous``: the pair
        fitted at the previous ask, whose kernels keep their normalisers.
        """
        n = len(numbers)
        good, good_weights = split(numbers, keys)
        is_good = np.zeros(n, dtype=bool)
        is_good[good] = True
        by_age = np.argsort(numbers[good])  # oldest first
        good = good[by_age]
        bad = np.flatnonzero(~is_good)
        bad = bad[np.argsort(numbers[bad])]
        X_bad = np.vstack([X[bad], np.reshape(lies, (len(lies), X.shape[1]))])
        l_weights = None if good_weights is None else good_weights[by_age]
        return (
            self._fit(X[good], space, l_weights, previous[0]),
            self._fit(X_bad, space, previous=previous[1]),
        )

    def _splitter(
        self, study: Study, obs: StudyObservations
    ) -> Callable[..., tuple[np.ndarray, np.ndarray | None]]:
        """``split(numbers, keys)`` for this study: the good group's size (``gamma``) and
        members given its directions and constraints (see
        :func:`~sk_hpo.samplers._tpe._split.split_good`)."""
        signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
        outcomes = obs.outcomes
        gamma = self._gamma
        if len(signs) > 1 and self._gamma_given is None:
            gamma = split_sizes_multi_objective

        def split(numbers: np.ndarray, keys: np.ndarray) -> Any:
            n = len(numbers)
            n_good = int(min(max(gamma(n), 0), n))
            if len(signs) == 1 and not outcomes.any_violation:
                return split_good(keys, keys[:, 2:], np.zeros(len(keys)), n_good, signs)
            memo_key = (numbers.tobytes(), n_good)
            if memo_key not in outcomes.memo:
                values, violation = outcomes.rows(numbers)
                outcomes.memo[memo_key] = split_good(
                    keys, values, violation, n_good, signs,
                    weigh_by_contribution=self._weigh_by_contribution,
                )
            return outcomes.memo[memo_key]

        return split

    def _fit(
        self,
        X: np.ndarray,
        space: SpaceArrays,
        weights: np.ndarray | None = None,
        previous: ParzenEstimator | None = None,
    ) -> ParzenEstimator:
        """Parzen estimator of the rows of ``X`` (oldest first); ``weights`` None means the
        sampler's ``weights`` by age; ``previous``: the estimator fitted at the previous ask
        for these rows, whose kernels keep their normalisers."""
        return ParzenEstimator.fit(
            X,
            np.asarray(self._weights(len(X)) if weights is None else weights, dtype=float),
            space,
            prior_weight=self._prior_weight,
            consider_magic_clip=self._consider_magic_clip,
            consider_endpoints=self._consider_endpoints,
            previous=previous,
        )

    def after_trial(
        self, study: Study, trial: FrozenTrial, state: TrialState, value: float | None
    ) -> None:
        """Store ``constraints_func``'s values (COMPLETE and PRUNED trials), then pass the
        hook on to the startup trials' sampler (Optuna's order)."""
        if self._constraints_func is not None:
            store_constraints(self._constraints_func, study, trial, state, value, "TPESampler")
        self._random_sampler.after_trial(study, trial, state, value)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        with self._lock:
            trials = study._get_trials(deepcopy=False)
            obs = self._observe(study, trials)
            reports = self._reports(study, obs, trials, trial)
            if obs.n_finished + len(reports) < self._n_startup_trials:
                return self._random_sampler.sample_independent(
                    study, trial, param_name, param_distribution
                )
            space = SpaceArrays.from_distributions([param_distribution])
            numbers, X, keys, observed = _observed(obs, {param_name: param_distribution}, reports)
            keys = self._budget_keys(observed, keys)
            # With a dynamic range, only the values inside the current one are modelled.
            inside = (X[:, 0] >= space.low[0]) & (X[:, 0] <= space.high[0])
            if not np.any(inside):
                return sample_uniform(self._rng, param_distribution)
            lies = []
            if self._constant_liar:
                reported = {t.number for t in reports}
                for t in study._get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
                    value = t.internal_params.get(param_name)
                    if (
                        t.number != trial.number
                        and t.number not in reported
                        and value is not None
                        and type(t.distributions[param_name]) is type(param_distribution)
                        and space.low[0] <= value <= space.high[0]
                    ):
                        lies.append([value])
            l_est, g_est = self._fit_pair(
                space, numbers[inside], X[inside], keys[inside], lies, self._splitter(study, obs)
            )
            cand = l_est.sample(self._rng, self._n_ei_candidates)
            score = l_est.log_pdf(cand) - g_est.log_pdf(cand)
            best = float(cand[int(np.argmax(score)), 0])
        return param_distribution.to_external_repr(best)


def split_sizes_multi_objective(n: int) -> int:
    """Default size of the good group among ``n`` trials of a study of several objectives:
    ``ceil(0.1 n)``, not capped (as Optuna 5), so the good group can hold a whole front.

    Examples
    --------
    >>> [split_sizes_multi_objective(n) for n in (1, 10, 11, 500)]
    [1, 1, 2, 50]
    """
    return int(np.ceil(0.1 * n))


def _zeros(X: np.ndarray) -> np.ndarray:
    return np.zeros(len(X))


def _claim(
    study: Study,
    trial: FrozenTrial,
    search_space: dict[str, BaseDistribution],
    internal: dict[str, float],
) -> bool:
    """Claim a finite-space configuration for ``trial`` (``study.claims``); False if taken.

    An enqueued trial keeps its fixed parameters rather than the proposal: it claims nothing.
    """
    if trial.system_attrs.get("fixed_params"):
        return True
    return study.claims.claim(trial, study.claims.key(internal, search_space))


def _observed(
    obs: StudyObservations, group: dict[str, BaseDistribution], reports: Sequence[FrozenTrial]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[FrozenTrial]]:
    """``(numbers, X, keys, trials)`` of the finished trials holding the parameters of
    ``group`` (:meth:`StudyObservations.table`), followed by the running ones of
    ``reports`` that hold them."""
    names = list(group)
    numbers, X, keys = obs.table(names)
    trials = obs.table_trials(names)
    rows = [
        t
        for t in reports
        if all(n in t.distributions and same_distribution(t.distributions[n], d)
               for n, d in group.items())
    ]
    if not rows:
        return numbers, X, keys, trials
    return (
        np.append(numbers, [t.number for t in rows]),
        np.vstack([X, np.array([[t.internal_params[n] for n in names] for t in rows])]),
        np.vstack([keys, np.array([rank_key(t) for t in rows])]),
        [*trials, *rows],
    )


def _seen_configurations(
    study: Study,
    trials: Sequence[FrozenTrial],
    current: FrozenTrial,
    search_space: dict[str, BaseDistribution],
    running: Sequence[dict[str, float]],
) -> SeenConfigurations:
    """Configurations (restricted to ``search_space``) taken by every trial but ``current``.

    Those :meth:`~sk_hpo.study.Claims.taken` lists (finished, queued, claimed by any
    process), and this process's running trials (``running``, see
    :meth:`StudyObservations.running_configs`) once their parameter names match a taken
    configuration (a complete branch) or cover the whole space (a proposal): a trial that
    has suggested only part of its parameters is not a configuration yet.
    """
    seen = SeenConfigurations()
    for config in study.claims.taken(current, search_space, trials):
        seen.add(config)
    for config in running:
        if seen.has_names(config) or len(config) == len(search_space):
            seen.add(config)
    return seen
