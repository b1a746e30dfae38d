from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._validation import NONE, check_param, int_range
from sk_hpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["RandomSampler", "sample_uniform"]


def sample_uniform(rng: np.random.Generator, distribution: BaseDistribution) -> Any:
    """One value drawn uniformly from ``distribution`` (log-uniformly when ``log``)."""
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[int(rng.integers(len(distribution.choices)))]
    low, high, step = distribution.low, distribution.high, distribution.step
    if isinstance(distribution, IntDistribution) and distribution.log:
        # Uniform in log space over [low - 0.5, high + 0.5], then rounded.
        value = np.exp(rng.uniform(np.log(low - 0.5), np.log(high + 0.5)))
        return int(min(max(round(value), low), high))
    if step is not None:
        n = int(round((high - low) / step))
        value = low + step * int(rng.integers(n + 1))
        return int(value) if isinstance(distribution, IntDistribution) else min(float(value), high)
    assert isinstance(distribution, FloatDistribution)
    if distribution.log:
        value = float(np.exp(rng.uniform(np.log(low), np.log(high))))
    else:
        value = float(rng.uniform(low, high))
    return min(max(value, low), high)


class RandomSampler(BaseSampler):
    """Sample every parameter independently and uniformly (log-uniformly for ``log``).

    Parameters
    ----------
    seed : int, default=None
        Seed of the random generator; the same seed gives the same suggestions.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> len(study.trials)
    3
    """

    def __init__(self, seed: int | None = None) -> None:
        check_param("RandomSampler", "seed", seed, [int_range(0), NONE])
        self._seed = seed
        self._rng = np.random.default_rng(seed)

    def is_adaptive(self) -> bool:
        """False: proposals do not depend on results."""
        return False

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return sample_uniform(self._rng, param_distribution)

    def __repr__(self) -> str:
        return f"RandomSampler(seed={self._seed!r})"
