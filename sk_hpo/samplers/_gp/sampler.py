"""GPSampler: which trials train the GP, which points are pending, and the ask-time pipeline
(encode, fit, acquisition, decode). The numerics live in the sibling modules."""

from __future__ import annotations

import functools
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._validation import NONE, check_param, instance_of, int_range, validate_params
from sk_hpo._direction import StudyDirection
from sk_hpo.distributions import BaseDistribution
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.samplers._budgets import budget_keys, rank_key
from sk_hpo.samplers._gp.acquisition import log_ei, log_ei_grad
from sk_hpo.samplers._gp.gp import build_model, fit_gp
from sk_hpo.samplers._gp.optim import best_unseen, maximize_mixed
from sk_hpo.samplers._gp.outputs import training_targets
from sk_hpo.samplers._gp.space import SpaceEncoder
from sk_hpo.samplers._random import RandomSampler
from sk_hpo.samplers._search_space import SearchSpaceTracker
from sk_hpo.samplers._single_objective import check_single_objective
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["GPSampler"]

_PROPOSAL_ATTR = "gp:proposal"
# The trials the GP learns from. Adding PRUNED ones (at the worst value of the modelled
# step, see _training_set) was worse on benchmarks/bench_mixed_budget.py (variants gp-bohb,
# gp-deepest there), so the model keeps to COMPLETE trials.
_MODELLED = (TrialState.COMPLETE,)
_MAX_CLAIM_ATTEMPTS = 8  # claims lost to other processes before a repeat is accepted
_N_STARTS = 8  # local refinements of the acquisition per ask (plus the incumbent)


@functools.lru_cache(maxsize=1)
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController  # a dependency of scikit-learn

    return ThreadpoolController()


class GPSampler(BaseSampler):
    """Bayesian optimization with a Gaussian process and log expected improvement.

    For small budgets (tens to a few hundred trials of an expensive objective). Needs only
    numpy and scipy.

    One objective only: in a study of several objectives it raises ``ValueError``
    naming :class:`TPESampler` (the default there) and :class:`NSGAIISampler`. (Optuna 5's
    GPSampler also models several objectives; sk_hpo's does not.)

    - Model: a Matérn-5/2 kernel with one lengthscale per parameter (categoricals through a
      Hamming distance), log-normal priors on lengthscales and signal, a Gamma-type prior on
      the noise, fitted by MAP (L-BFGS-B, analytic gradients, warm-started from the previous
      fit) on the COMPLETE trials of the search space shared by all of them.
    - Inputs: the unit cube (log scale for ``log`` parameters; integers and stepped values
      are proposed on their grid). Outputs: a Yeo-Johnson power transform, standardised,
      then shifted so that the worst value is the GP's prior mean: regions far from every
      trial count as bad until explored, which keeps expected improvement off the empty
      corners of the cube.
    - Acquisition: log expected improvement, maximised from Sobol candidates and points near
      the best trials, by L-BFGS-B on continuous parameters (analytic gradients, the best
      starts and the incumbent refined together) and a coordinate search on discrete ones.
    - Parallel workers: RUNNING trials enter the model at the best value seen (a constant
      liar). Each proposal is stored in its trial's system attributes as soon as it is made,
      so workers in other threads and processes see it before its parameters are suggested.
    - Finite spaces (every parameter categorical, or an integer or stepped float with at most
      64 values): the GP never proposes a point that another trial holds (finished, running
      or queued) while others remain; it takes the unseen point of highest log EI. The
      random startup trials may repeat.

    Parameters
    ----------
    n_startup_trials : int, default=10
        Trials sampled by ``independent_sampler`` before the GP is used.
    deterministic_objective : bool, default=False
        Fix the noise to a tiny value (an objective without noise).
    independent_sampler : BaseSampler, default=None
        For the startup trials and for parameters outside the shared search space (the
        parameters of every COMPLETE trial). None means ``RandomSampler(seed)``.
    seed : int, default=None
    n_candidates : int, default=512
        Quasi-random candidates scored before the local refinement.
    max_train_trials : int, default=1000
        The exact GP costs O(n^3) time and O(n^2 d) memory per fit. Past this many COMPLETE
        trials, the model is fitted on the best fifth of them and the most recent others,
        so the cost of an ask stops growing (about 1.5 s on one core at the cap with 5
        parameters; see ``benchmarks/results/gp_overhead_cap.md``).

    Notes
    -----
    FAIL trials are ignored and PRUNED trials are not mistaken for complete ones: only
    COMPLETE trials train the model. (Learning pruned trials as BOHB does, at the highest
    step ``d + 1`` trials reached with those pruned lower at the worst value there, was
    measured and was not better: ``benchmarks/bench_mixed_budget.py``.) Parameters that not
    every COMPLETE trial has (conditional ones) and dynamic ranges are sampled by
    ``independent_sampler``.

    During an ask, BLAS runs on one thread: the matrices are small, and threads would only
    contend with the objective's own. The limit is process-wide while it lasts.

    Examples
    --------
    >>> import sk_hpo
    >>> sampler = GPSampler(seed=0, n_startup_trials=5)
    >>> study = sk_hpo.create_study(sampler=sampler)
    >>> study.optimize(lambda t: (t.suggest_float("x", -3, 3) - 1) ** 2, n_trials=12)
    >>> study.best_value < 0.5
    True
    """

    def __init__(
        self,
        *,
        n_startup_trials: int = 10,
        deterministic_objective: bool = False,
        independent_sampler: BaseSampler | None = None,
        seed: int | None = None,
        n_candidates: int = 512,
        max_train_trials: int = 1000,
    ) -> None:
        validate_params(
            "GPSampler",
            {
                "n_startup_trials": n_startup_trials,
                "n_candidates": n_candidates,
                "max_train_trials": max_train_trials,
                "independent_sampler": independent_sampler,
            },
            {
                "n_startup_trials": [int_range(0)],
                "n_candidates": [int_range(1)],
                "max_train_trials": [int_range(10)],
                "independent_sampler": [
                    instance_of(BaseSampler, "an instance of 'BaseSampler'"),
                    NONE,
                ],
            },
        )
        self._n_startup_trials = int(n_startup_trials)
        self._deterministic = bool(deterministic_objective)
        self._independent = independent_sampler or RandomSampler(seed=seed)
        check_param("GPSampler", "seed", seed, [int_range(0), NONE])
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        self._n_candidates = int(n_candidates)
        self._max_train = int(max_train_trials)
        self._theta: dict[tuple[str, ...], np.ndarray] = {}
        self._trackers: weakref.WeakKeyDictionary[Any, SearchSpaceTracker] = (
            weakref.WeakKeyDictionary()
        )

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._independent.reseed_rng()

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Refuse a study of several objectives (use TPESampler or NSGAIISampler there)."""
        check_single_objective(study, "GPSampler")

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        modelled = study._get_trials(deepcopy=False, states=_MODELLED)
        if len(modelled) < max(self._n_startup_trials, 1):
            return {}
        tracker = self._trackers.get(study)
        if tracker is None:
            tracker = self._trackers[study] = SearchSpaceTracker()
        tracker.update(modelled)  # reads only the trials it has not seen
        return tracker.intersection()

    def _training_set(
        self, study: Study, names: list[str]
    ) -> tuple[list[FrozenTrial], np.ndarray]:
        """The modelled trials holding ``names`` (at most ``max_train_trials``) and their
        values to minimise, at the modelled budget (see :mod:`sk_hpo.samplers._budgets`):
        trials pruned below it, when PRUNED trials are modelled, enter at the worst value
        there (a bad region). Empty when no trial reached a modelled step."""
        trials = [
            t
            for t in study._get_trials(deepcopy=False, states=_MODELLED)
            if all(n in t.internal_params for n in names)  # one may have finished meanwhile
        ]
        keys = np.array([rank_key(t) for t in trials], dtype=float).reshape(-1, 3)
        _, keys = budget_keys(trials, keys, n_min=self._budget_n_min(len(names)))
        reached = keys[:, 0] == 0
        if not reached.any():
            return [], np.empty(0)
        y = keys[:, 2] * (-1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0)
        finite = y[reached & np.isfinite(y)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
        y = np.clip(np.nan_to_num(y, nan=hi, posinf=hi, neginf=lo), lo, hi)
        y[~reached] = hi
        if len(trials) > self._max_train:
            n_best = self._max_train // 5
            best = set(np.argsort(y)[:n_best].tolist())
            recent = [i for i in range(len(trials) - 1, -1, -1) if i not in best]
            keep = sorted(best | set(recent[: self._max_train - n_best]))
            trials = [trials[i] for i in keep]
            y = y[keep]
        return trials, y

    def _budget_n_min(self, d: int) -> int:
        """Trials a step needs to be modelled, for ``d`` parameters: BOHB's ``d + 1``."""
        return d + 1

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        # The matrices are small (n <= max_train_trials): BLAS threads only add contention.
        with _blas_controller().limit(limits=1, user_api="blas"):
            proposal = self._propose(study, trial, search_space)
        if proposal is None:  # nothing to model yet: independent sampling
            return {}
        study._storage.set_trial_system_attr(trial._trial_id, _PROPOSAL_ATTR, proposal)
        return {n: search_space[n].to_external_repr(v) for n, v in proposal.items()}

    def _propose(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, float] | None:
        """Internal values of the next point: the maximiser of log EI (None: no trial to
        model)."""
        names = list(search_space)
        encoder = SpaceEncoder(search_space)
        complete, y = self._training_set(study, names)
        if not complete:
            return None
        X = encoder.encode(np.array([[t.internal_params[n] for n in names] for t in complete]))
        y = training_targets(y)
        key = tuple(names)
        model = fit_gp(
            X, y, encoder.is_cat, theta0=self._theta.get(key), deterministic=self._deterministic
        )
        self._theta[key] = model.theta
        best = float(y.min())
        pending = self._pending_points(study, trial, names)
        if len(pending):
            model = build_model(
                np.vstack([X, encoder.encode(pending)]),
                np.concatenate([y, np.full(len(pending), best)]),
                encoder.is_cat,
                model.theta,
                model.noise,
            )
        choices = encoder.discrete_choices()
        cont = np.array([c is None for c in choices])
        cont_idx = np.flatnonzero(cont)

        def f(U: np.ndarray) -> np.ndarray:
            return log_ei(*model.predict(U), best)

        def f_grad(U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return log_ei_grad(*model.predict_with_grad(U, cont_idx), best)

        candidates = self._candidates(encoder, X, y, choices)
        u = maximize_mixed(
            f,
            f_grad,
            candidates,
            cont,
            choices,
            n_starts=_N_STARTS,
            incumbents=X[np.argsort(y, kind="stable")[:1]],
        )
        if not cont.any():  # a finite space: no trial repeats a point while others remain
            return _claim_unseen(study, trial, search_space, encoder, u, f, choices, candidates)
        params = encoder.decode(u)
        return {n: search_space[n].to_internal_repr(v) for n, v in params.items()}

    @staticmethod
    def _pending_points(study: Study, trial: FrozenTrial, names: list[str]) -> np.ndarray:
        """Internal values of the RUNNING trials' proposals (stored by any process)."""
        rows = []
        for t in study._get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if t._trial_id == trial._trial_id:
                continue
            values = {**t.system_attrs.get(_PROPOSAL_ATTR, {}), **t.internal_params}
            if all(n in values for n in names):
                rows.append([values[n] for n in names])
        return np.array(rows, dtype=float).reshape(len(rows), len(names))

    def _candidates(
        self,
        encoder: SpaceEncoder,
        X: np.ndarray,
        y: np.ndarray,
        choices: list[np.ndarray | None],
    ) -> np.ndarray:
        from scipy.stats import qmc

        d = X.shape[1]
        sobol = qmc.Sobol(d, scramble=True, seed=self._rng)
        U = sobol.random(self._n_candidates)
        for k, options in enumerate(choices):
            if encoder.is_cat[k]:
                U[:, k] = np.floor(U[:, k] * len(options))
        # Local candidates around the best points found so far.
        top = X[np.argsort(y)[:5]]
        local = np.repeat(top, 20, axis=0)
        local = local + self._rng.normal(0.0, 0.05, size=local.shape) * ~encoder.is_cat
        flip = self._rng.random(local.shape) < (1.0 / max(d, 1))
        for k, options in enumerate(choices):
            if encoder.is_cat[k]:
                local[flip[:, k], k] = self._rng.integers(len(options), size=flip[:, k].sum())
        local[:, ~encoder.is_cat] = np.clip(local[:, ~encoder.is_cat], 0.0, 1.0)
        return encoder.snap(np.vstack([U, local]), choices)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def __repr__(self) -> str:
        return (
            f"GPSampler(n_startup_trials={self._n_startup_trials}, "
            f"deterministic_objective={self._deterministic}, seed={self._seed!r})"
        )


def _claim_unseen(
    study: Study,
    trial: FrozenTrial,
    search_space: dict[str, BaseDistribution],
    encoder: SpaceEncoder,
    u: np.ndarray,
    f: Any,
    choices: list[np.ndarray | None],
    candidates: np.ndarray,
) -> dict[str, float]:
    """Internal values of the best point (``u`` first) that no other trial holds, claimed in
    ``study.claims``; a point lost to another process is replaced by the next best, and a
    point is repeated only when every point is taken."""
    names = list(search_space)
    rows = [[c[n] for n in names] for c in study.claims.taken(trial, search_space)
            if len(c) == len(names)]
    seen = encoder.encode(np.array(rows, dtype=float).reshape(len(rows), len(names)))
    seen = encoder.snap(seen, choices)
    for _ in range(_MAX_CLAIM_ATTEMPTS):
        point = best_unseen(u, f, choices, seen, candidates)
        params = encoder.decode(point)
        internal = {n: search_space[n].to_internal_repr(v) for n, v in params.items()}
        repeat = len(seen) > 0 and bool(np.any(np.all(np.isclose(seen, point), axis=1)))
        if repeat or trial.system_attrs.get("fixed_params") or study.claims.claim(
            trial, study.claims.key(internal, search_space)
        ):
            break
        seen = np.vstack([seen, point[None, :]])
    return internal
