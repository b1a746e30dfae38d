"""The sampler HPOSearchCV installs on its study: whole, never-evaluated candidates.

:class:`CandidateSampler` wraps the user's sampler (or a grid) and answers the first
suggestion of a trial with a whole candidate of the :class:`SearchSpace`: the wrapped sampler
is asked jointly (``sample_relative``) and then for each remaining parameter of the chosen
branch (``sample_independent``). A candidate whose key is already claimed in the study (by
this search, an earlier fit or another process) is asked again, at most ``max_reasks`` times,
then replaced by an unseen random one. The proposal is claimed through the study's
:class:`~sk_hpo.study.Claims`, whose atomic claim in the storage is what makes two processes
never evaluate one candidate twice; the wrapped sampler's own claims for the trial are left
to this one (:meth:`~sk_hpo.study.Claims.deferred`), so each candidate is claimed once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.distributions import BaseDistribution, CategoricalDistribution
from sk_hpo.exceptions import SearchSpaceExhausted
from sk_hpo.model_selection._space import BRANCH, SearchSpace
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["CandidateSampler", "claimed_candidate_keys"]

# Claims lost to other processes before the search counts the space as exhausted.
_MAX_CLAIM_ATTEMPTS = 16


def claimed_candidate_keys(study: Study) -> set[str]:
    """Candidate keys claimed in ``study`` (by any search sharing it)."""
    return study.claims.claimed(prefix="cand:")


class CandidateSampler(BaseSampler):
    """Propose unseen candidates of ``space`` with ``base`` (or in grid order).

    Parameters
    ----------
    base : BaseSampler or None
        The sampler that proposes values; None walks ``plan`` (by default the grid of a
        finite space, in order).
    space : SearchSpace
    seed : int, default=None
        Seed of the generator of the unseen random fallback.
    max_reasks : int, default=8
        How many times ``base`` is asked again when it proposes a claimed candidate.
    plan : list of dict, default=None
        Without ``base``: the candidates to walk, in order (default: ``space.grid()``).
    """

    def __init__(
        self,
        base: BaseSampler | None,
        space: SearchSpace,
        seed: int | None = None,
        max_reasks: int = 8,
        plan: list[dict[str, Any]] | None = None,
    ) -> None:
        self.base = base
        self.space = space
        self.max_reasks = max_reasks
        self._rng = np.random.default_rng(seed)
        self._grid = plan
        self._grid_keys: list[str] | None = None  # grid mode: keys in grid order
        self._cursor = 0  # grid mode: every candidate before it is claimed

    def __repr__(self) -> str:
        return f"CandidateSampler({self.base!r})"

    def is_adaptive(self) -> bool:
        """Whether proposals depend on the results so far (the base sampler's
        :meth:`~sk_hpo.samplers.BaseSampler.is_adaptive`; False for the grid walk)."""
        return self.base is not None and self.base.is_adaptive()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self.space.distributions()

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        claimed = claimed_candidate_keys(study)
        for _ in range(_MAX_CLAIM_ATTEMPTS):
            candidate = self._propose(study, trial, claimed)
            key = self.space.candidate_key(candidate)
            if study.claims.claim(trial, key):
                return candidate
            claimed.add(key)  # another process took it first: propose the next one
        raise SearchSpaceExhausted(
            f"{_MAX_CLAIM_ATTEMPTS} candidates in a row were taken by other processes sharing "
            "the study; the search counts its space as exhausted."
        )

    def _propose(self, study: Study, trial: FrozenTrial, claimed: set[str]) -> dict[str, Any]:
        """An unclaimed candidate: the base sampler's, or the grid's next one."""
        if self.base is None:
            return self._next_in_grid(claimed)
        with study.claims.deferred(trial):  # this sampler claims the candidate, once
            for _ in range(1 + self.max_reasks):
                candidate = self._ask_base(study, trial)
                if self.space.candidate_key(candidate) not in claimed:
                    return candidate
        candidate = self.space.unseen_candidate(self._rng, claimed)
        if candidate is None:
            raise SearchSpaceExhausted("Every candidate of the search space has been evaluated.")
        return candidate

    def _next_in_grid(self, claimed: set[str]) -> dict[str, Any]:
        if self._grid_keys is None:
            if self._grid is None:
                self._grid = list(self.space.grid())
            self._grid_keys = [self.space.candidate_key(c) for c in self._grid]
        for rescan in (False, True):
            if rescan:  # a dead process's trial may have given its candidate back
                self._cursor = 0
            while self._cursor < len(self._grid_keys):
                if self._grid_keys[self._cursor] not in claimed:
                    return self._grid[self._cursor]
                self._cursor += 1  # a claim stays until its process dies: skip it from now on
        raise SearchSpaceExhausted("Every candidate of the grid has been evaluated.")

    def _ask_base(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        assert self.base is not None
        space = self.base.infer_relative_search_space(study, trial)
        joint = self.base.sample_relative(study, trial, space) if space else {}

        def pick(key: str, dist: BaseDistribution) -> Any:
            if dist.single():
                if isinstance(dist, CategoricalDistribution):
                    return dist.choices[0]
                return dist.to_external_repr(dist.low)  # type: ignore[attr-defined]
            if key in joint and space.get(key) == dist:
                return joint[key]
            return self.base.sample_independent(study, trial, key, dist)  # type: ignore

        candidate: dict[str, Any] = {}
        branch = 0
        if self.space.branch_distribution is not None:
            branch = int(pick(BRANCH, self.space.branch_distribution))
            candidate[BRANCH] = branch
        for spec in self.space.branches[branch]:
            key = self.space.study_key(branch, spec)
            candidate[key] = pick(key, spec.distribution)
        return candidate

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if self.base is None:
            raise RuntimeError(
                f"Parameter {param_name!r} is not in the grid of this HPOSearchCV study."
            )
        return self.base.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if self.base is not None:
            self.base.before_trial(study, trial)

    def after_trial(
        self, study: Study, trial: FrozenTrial, state: TrialState, value: float | None
    ) -> None:
        if self.base is not None:
            self.base.after_trial(study, trial, state, value)

    def is_exhausted(self, study: Study) -> bool:
        n = self.space.n_candidates
        return n is not None and len(claimed_candidate_keys(study)) >= n

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        if self.base is not None:
            self.base.reseed_rng()
