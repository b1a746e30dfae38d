"""``param_distributions`` as a study search space: branches, study keys, candidate keys.

A dict is one branch; a list of dicts is a conditional space with one branch per dict, chosen
by a categorical parameter named :data:`BRANCH` (absent when there is one branch). A
scikit-learn parameter keeps its name as its study key unless two branches search it with
different distributions; it is then keyed ``"name[i]"`` in branch ``i``, so a study never
sees one name with two distributions.

A *candidate* is a dict ``study key -> study value`` (external representation). Its
*candidate key* is canonical JSON of the estimator values it means, so two candidates that
set the same estimator parameters to the same values share a key wherever they come from:
that key is what HPOSearchCV claims in the storage to never evaluate a candidate twice.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.utils.random import sample_without_replacement

from sk_hpo import _validation as v
from sk_hpo.distributions import BaseDistribution, CategoricalDistribution
from sk_hpo.model_selection._params import ParamSpec, make_param_spec
from sk_hpo.samplers._random import sample_uniform

if TYPE_CHECKING:
    from sk_hpo.trial import Trial

__all__ = ["BRANCH", "SearchSpace"]

_GRIDS = v.Constraint(
    lambda p: isinstance(p, dict)
    or (isinstance(p, (list, tuple)) and len(p) > 0 and all(isinstance(g, dict) for g in p)),
    "a dict or a non-empty list of dicts (an empty dict searches the default parameters)",
)

BRANCH = "_branch"
# Finite spaces up to this many candidates are enumerated (to count and to find unseen ones).
_ENUMERATION_LIMIT = 100_000


class SearchSpace:
    """The search space of a ``param_distributions`` dict or list of dicts.

    Parameters
    ----------
    param_distributions : dict or list of dict
        As given to :class:`~sk_hpo.HPOSearchCV`.

    Examples
    --------
    >>> space = SearchSpace([{"kernel": ["rbf"], "C": [1, 2]}, {"kernel": ["linear"]}])
    >>> space.n_candidates
    3
    >>> [space.to_estimator_params(c) for c in space.grid()]
    [{'C': 1, 'kernel': 'rbf'}, {'C': 2, 'kernel': 'rbf'}, {'kernel': 'linear'}]
    """

    def __init__(self, param_distributions: Any) -> None:
        v.check_param("HPOSearchCV", "param_distributions", param_distributions, [_GRIDS])
        grids = [param_distributions] if isinstance(param_distributions, dict) else (
            param_distributions
        )
        branches = [
            sorted((make_param_spec(k, v) for k, v in g.items()), key=lambda s: s.name)
            for g in grids
        ]
        self.branches: list[list[ParamSpec]] = branches
        self.branch_distribution = (
            CategoricalDistribution(list(range(len(branches)))) if len(branches) > 1 else None
        )
        self._keys = _study_keys(branches)
        self.n_candidates = self._count()

    # -- study side -----------------------------------------------------------------------------

    def study_key(self, branch: int, spec: ParamSpec) -> str:
        return self._keys[branch][spec.name]

    def distributions(self) -> dict[str, BaseDistribution]:
        """Every study key with its distribution (the branch parameter first)."""
        out: dict[str, BaseDistribution] = {}
        if self.branch_distribution is not None:
            out[BRANCH] = self.branch_distribution
        for b, specs in enumerate(self.branches):
            for spec in specs:
                out[self.study_key(b, spec)] = spec.distribution
        return out

    def suggest(self, trial: Trial) -> dict[str, Any]:
        """Suggest a candidate through ``trial`` (define-by-run) and return it."""
        candidate: dict[str, Any] = {}
        branch = 0
        if self.branch_distribution is not None:
            branch = trial._suggest(BRANCH, self.branch_distribution)
            candidate[BRANCH] = branch
        for spec in self.branches[branch]:
            key = self.study_key(branch, spec)
            candidate[key] = trial._suggest(key, spec.distribution)
        return candidate

    def branch_of(self, candidate: dict[str, Any]) -> int:
        return int(candidate.get(BRANCH, 0))

    # -- estimator side -------------------------------------------------------------------------

    def to_estimator_params(self, candidate: dict[str, Any]) -> dict[str, Any]:
        """The ``set_params`` arguments of a candidate, in sorted name order."""
        b = self.branch_of(candidate)
        return {s.name: s.decode(candidate[self.study_key(b, s)]) for s in self.branches[b]}

    def candidate_key(self, candidate: dict[str, Any]) -> str:
        """Canonical JSON of the estimator values of ``candidate``."""
        b = self.branch_of(candidate)
        pairs = [[s.name, s.key_value(candidate[self.study_key(b, s)])] for s in self.branches[b]]
        return "cand:" + json.dumps(pairs, separators=(",", ":"))

    def is_candidate(self, params: dict[str, Any]) -> bool:
        """Whether a trial's ``params`` hold a whole candidate of this space."""
        b = params.get(BRANCH, 0) if self.branch_distribution is not None else 0
        if not isinstance(b, int) or not 0 <= b < len(self.branches):
            return False
        return all(self.study_key(b, s) in params for s in self.branches[b])

    # -- finite spaces --------------------------------------------------------------------------

    @property
    def from_lists(self) -> bool:
        """Whether every parameter is a list of values (a grid, in scikit-learn's terms)."""
        return all(s.kind in ("range", "choices") for specs in self.branches for s in specs)

    def random_grid_order(
        self, n_first: int | None, random_state: np.random.RandomState
    ) -> list[dict[str, Any]]:
        """The grid in RandomizedSearchCV's order, then the rest of it at random.

        The first ``n_first`` (all when None) candidates are those scikit-learn's
        ``ParameterSampler`` draws from these lists with ``random_state``, in its order;
        the others (for a search continuing the study) follow in an order drawn next.
        """
        grid = list(self.grid())
        n = len(grid)
        first = sample_without_replacement(
            n, n if n_first is None else min(n_first, n), random_state=random_state
        ).tolist()
        chosen = set(first)
        rest = [i for i in range(n) if i not in chosen]
        rest = [rest[i] for i in random_state.permutation(len(rest))]
        return [grid[i] for i in [*first, *rest]]

    @property
    def is_finite(self) -> bool:
        return all(s.grid() is not None for specs in self.branches for s in specs)

    def grid(self) -> Iterator[dict[str, Any]]:
        """Every candidate of a finite space, in ``ParameterGrid`` order (a candidate two
        branches both hold is given once; a value listed twice in one list is two)."""
        seen: set[str] = set()
        for b, specs in enumerate(self.branches):
            keys = [self.study_key(b, s) for s in specs]
            columns = [s.grid() for s in specs]
            for values in itertools.product(*columns):  # type: ignore[arg-type]
                candidate = dict(zip(keys, values))
                if self.branch_distribution is not None:
                    candidate[BRANCH] = b
                key = self.candidate_key(candidate)
                if key not in seen:
                    seen.add(key)
                    yield candidate

    def random_candidate(self, rng: np.random.Generator) -> dict[str, Any]:
        """A candidate drawn uniformly, branch first."""
        b = int(rng.integers(len(self.branches)))
        candidate = {
            self.study_key(b, s): sample_uniform(rng, s.distribution) for s in self.branches[b]
        }
        if self.branch_distribution is not None:
            candidate[BRANCH] = b
        return candidate

    def unseen_candidate(
        self, rng: np.random.Generator, claimed: set[str], n_draws: int = 200
    ) -> dict[str, Any] | None:
        """A candidate whose key is not in ``claimed``, or None when none could be found.

        Finite spaces small enough are enumerated (None then means exhausted); others are
        sampled at random ``n_draws`` times.
        """
        if self.n_candidates is not None and self.n_candidates <= _ENUMERATION_LIMIT:
            unseen = [c for c in self.grid() if self.candidate_key(c) not in claimed]
            return unseen[int(rng.integers(len(unseen)))] if unseen else None
        for _ in range(n_draws):
            candidate = self.random_candidate(rng)
            if self.candidate_key(candidate) not in claimed:
                return candidate
        return None

    def _count(self) -> int | None:
        """Number of distinct candidates of a finite space (None when infinite)."""
        if not self.is_finite:
            return None
        sizes = [
            math.prod(len(s.grid()) for s in specs)  # type: ignore[arg-type]
            for specs in self.branches
        ]
        if sum(sizes) <= _ENUMERATION_LIMIT:
            return sum(1 for _ in self.grid())
        return sum(sizes)

    def describe(self) -> list[dict[str, Any]]:
        """JSON description of the space (for the study's search context)."""
        return [{s.name: s.describe() for s in specs} for specs in self.branches]


def _study_keys(branches: list[list[ParamSpec]]) -> list[dict[str, str]]:
    by_name: dict[str, set[str]] = {}
    for specs in branches:
        for s in specs:
            by_name.setdefault(s.name, set()).add(s.distribution.to_json())
    for name in by_name:
        if name == BRANCH:
            raise ValueError(
                f"The parameter name {BRANCH!r} is reserved by HPOSearchCV for the choice of "
                "a branch in a list of dicts; rename the parameter."
            )
    return [
        {
            s.name: s.name if len(by_name[s.name]) == 1 else f"{s.name}[{b}]"
            for s in specs
        }
        for b, specs in enumerate(branches)
    ]
