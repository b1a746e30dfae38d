from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._validation import NONE, check_param, int_range, options
from sk_hpo._warnings import warn_user
from sk_hpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.samplers._random import RandomSampler
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["QMCSampler", "from_unit"]


def from_unit(u: float, distribution: BaseDistribution) -> Any:
    """Map ``u`` in ``[0, 1)`` to a valid value of ``distribution`` (log scale when ``log``).

    Examples
    --------
    >>> round(from_unit(0.5, FloatDistribution(1.0, 100.0, log=True)), 9)
    10.0
    >>> from_unit(0.99, IntDistribution(0, 10, step=5))
    10
    """
    u = min(max(float(u), 0.0), np.nextafter(1.0, 0.0))
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[int(u * len(distribution.choices))]
    low, high = distribution.low, distribution.high
    if isinstance(distribution, IntDistribution):
        if distribution.log:
            lo, hi = math.log(low - 0.5), math.log(high + 0.5)
            value = round(math.exp(lo + u * (hi - lo)))
        else:
            n = (high - low) // distribution.step + 1
            value = low + int(u * n) * distribution.step
        return int(min(max(value, low), high))
    assert isinstance(distribution, FloatDistribution)
    if distribution.step is not None:
        n = int(round((high - low) / distribution.step)) + 1
        return float(min(low + int(u * n) * distribution.step, high))
    if distribution.log:
        value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    else:
        value = low + u * (high - low)
    return float(min(max(value, low), high))


class QMCSampler(BaseSampler):
    """Quasi-Monte Carlo sampling: low-discrepancy points (Sobol or Halton) over the space.

    The search space is the one of the first finished (COMPLETE or PRUNED) trial (its
    parameters that can vary, in sorted order), fixed once the sampler has seen it: a
    low-discrepancy sequence needs a fixed dimension. Until a trial finishes, it is the union
    of what the RUNNING trials suggested (as in Optuna). Trials before any space is known,
    and parameters outside it (or suggested with another distribution), go to
    ``independent_sampler``. Each relative sample takes the next point of the
    sequence, counted in the study's system attributes (an atomic compare-and-set, as in
    Optuna), so several processes sharing a study (with the same ``seed``) walk one sequence
    together instead of repeating it. Log distributions are covered uniformly in log space;
    integers and stepped floats take the grid cell the coordinate falls in; categorical
    choices split ``[0, 1)`` into equal parts.

    Parameters
    ----------
    qmc_type : {"sobol", "halton"}, default="sobol"
    scramble : bool, default=True
        Randomise the sequence (Owen scrambling); the seed makes it reproducible.
    seed : int, default=None
        None draws one at construction: pass a seed to share a sequence across processes.
    independent_sampler : BaseSampler, default=None
        None means ``RandomSampler(seed)``.
    warn_independent_sampling : bool, default=True
        Warn when a parameter outside the space is sampled independently.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=QMCSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8)
    >>> len({round(t.params["x"], 6) for t in study.trials})
    8
    """

    def __init__(
        self,
        *,
        qmc_type: str = "sobol",
        scramble: bool = True,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        warn_independent_sampling: bool = True,
    ) -> None:
        check_param("QMCSampler", "qmc_type", qmc_type, [options("sobol", "halton")])
        self._qmc_type = qmc_type
        self._scramble = bool(scramble)
        check_param("QMCSampler", "seed", seed, [int_range(0), NONE])
        self._seed = int(np.random.default_rng().integers(2**31)) if seed is None else seed
        self._independent = independent_sampler or RandomSampler(seed=seed)
        self._warn = warn_independent_sampling
        self._space: dict[str, BaseDistribution] | None = None

    def is_adaptive(self) -> bool:
        """False: proposals do not depend on results."""
        return False

    def reseed_rng(self) -> None:
        self._independent.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if self._space is not None:
            return self._space
        finished = study._get_trials(
            deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)
        )
        if finished:
            self._space = _varying(min(finished, key=lambda t: t.number).distributions)
            return self._space
        # Nothing finished yet: the union of what the running trials suggested (Optuna's
        # order), so parallel first trials already walk the sequence; not fixed until then.
        union: dict[str, BaseDistribution] = {}
        for t in study._get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            union.update(t.distributions)
        return _varying(union)

    def _point(self, index: int, dim: int) -> np.ndarray:
        from scipy.stats import qmc

        if self._qmc_type == "sobol":
            engine = qmc.Sobol(dim, scramble=self._scramble, seed=self._seed)
        else:
            engine = qmc.Halton(dim, scramble=self._scramble, seed=self._seed)
        if index > 0:  # scipy's Sobol fast_forward(0) overflows
            engine.fast_forward(index)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*balance properties.*")
            return engine.random(1)[0]

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        u = self._point(self._next_sample_id(study), len(search_space))
        return {name: from_unit(ui, d) for ui, (name, d) in zip(u, search_space.items())}

    def _next_sample_id(self, study: Study) -> int:
        """Index of the next point of this sequence in ``study`` (0, 1, ...), claimed atomically."""
        storage, study_id = study._storage, study._study_id
        key = f"qmc:{self._qmc_type}:scramble={self._scramble}:seed={self._seed}:last_sample_id"
        while True:
            last = storage.get_study_system_attrs(study_id).get(key)
            index = 0 if last is None else last + 1
            if storage.compare_and_set_study_system_attr(study_id, key, last, index):
                return index

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if self._warn and self._space is not None:
            warn_user(
                f"QMCSampler samples {param_name!r} of trial #{trial.number} with "
                f"{self._independent!r}: it is outside the space of the first finished trial."
            )
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def __repr__(self) -> str:
        return (
            f"QMCSampler(qmc_type={self._qmc_type!r}, scramble={self._scramble}, "
            f"seed={self._seed!r})"
        )


def _varying(distributions: dict[str, BaseDistribution]) -> dict[str, BaseDistribution]:
    """The distributions that hold more than one value, by parameter name."""
    return {n: d for n, d in sorted(distributions.items()) if not d.single()}
