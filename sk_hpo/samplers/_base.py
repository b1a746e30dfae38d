from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sk_hpo.distributions import BaseDistribution
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["BaseSampler"]


class BaseSampler(abc.ABC):
    """Policy that proposes parameter values for a trial.

    A sampler is a pure policy over the trials in the study's storage: it keeps no state that
    is not in the storage (apart from its random generator and caches of finished trials), so
    several processes sharing a study behave as one search.

    Call order for each trial (by :class:`~sk_hpo.study.Study` and :class:`~sk_hpo.trial.Trial`):

    1. :meth:`before_trial` once, when the trial starts;
    2. :meth:`infer_relative_search_space` then :meth:`sample_relative` once, at the first
       ``suggest_*`` call (``sample_relative`` even when the space is empty, as in Optuna):
       joint proposals for the parameters the sampler can model together. A proposal is used
       when it lies in the distribution the objective suggests (bounds may differ from the
       inferred space's; another kind raises). ``sample_relative`` must return only names of
       the space it was given;
    3. :meth:`sample_independent` for each suggested parameter that step 2 did not cover;
    4. :meth:`after_trial` once, when the trial is told, before its state is stored.

    ``trial`` arguments are :class:`~sk_hpo.trial.FrozenTrial` snapshots of the running trial.
    """

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        """The parameters (and distributions) to sample jointly; empty by default."""
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        """Joint proposals, external representation, for ``search_space``; empty by default."""
        return {}

    @abc.abstractmethod
    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        """Propose one value (external representation) for one parameter."""

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Hook called when a trial starts (no-op by default)."""

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        value: float | None,
    ) -> None:
        """Hook called when a trial finishes, before its state is stored (no-op by default)."""

    def is_exhausted(self, study: Study) -> bool:
        """Whether nothing is left to propose; ``optimize`` then starts no more trials."""
        return False

    def reseed_rng(self) -> None:
        """Reseed the random generator (called once by each thread of ``optimize(n_jobs>1)``
        that runs a trial)."""

    def is_adaptive(self) -> bool:
        """Whether proposals depend on the results of finished trials.

        True by default (TPE, GP, CMA-ES, a user's sampler unless it says otherwise); False
        for the random, QMC and grid samplers. ``HPOSearchCV`` limits the candidates in
        flight only for an adaptive sampler, so that it has seen about as many results as it
        has guesses pending.
        """
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def finished_trials(
    study: Study, *, states: Sequence[TrialState] = (TrialState.COMPLETE,)
) -> list[FrozenTrial]:
    """Shared, read-only trials of ``study`` in ``states`` (helper for samplers)."""
    return study._get_trials(deepcopy=False, states=tuple(states))
