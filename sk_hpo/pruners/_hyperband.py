from __future__ import annotations

import math
import zlib
from typing import TYPE_CHECKING

from sk_hpo._validation import check_param, int_range, options
from sk_hpo.pruners._base import BasePruner
from sk_hpo.pruners._successive_halving import SuccessiveHalvingPruner, rung_steps
from sk_hpo.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["HyperbandPruner"]

_BRACKET_KEY = "hyperband:bracket"


class HyperbandPruner(BasePruner):
    """Hyperband: several successive-halving brackets that trade exploration for depth.

    Bracket ``b`` is a :class:`SuccessiveHalvingPruner` with ``min_early_stopping_rate=b``:
    bracket 0 prunes most aggressively, the last never prunes before ``max_resource``. Each
    trial is assigned one bracket, deterministically from the study name and its number and
    in proportion to the brackets' budgets; the bracket is kept in the trial's system
    attributes and a trial is compared only with trials of its own bracket.

    Parameters
    ----------
    min_resource : int, default=1
        Resource units (``step + 1``) before the first rung.
    max_resource : int or "auto", default="auto"
        The most resource a trial uses. ``"auto"`` takes ``last_step + 1`` of the finished
        trials, and prunes nothing until a trial has finished.
    reduction_factor : int, default=3
        ``eta`` of every bracket.
    bootstrap_count : int, default=0
        See :class:`SuccessiveHalvingPruner`.

    Notes
    -----
    A trial's bracket is stored under ``"hyperband:bracket"`` and its rungs under
    ``"hyperband:<bracket>:completed_rung_<k>"``. NaN values are handled as in
    :class:`SuccessiveHalvingPruner`.

    Examples
    --------
    >>> HyperbandPruner(min_resource=1, max_resource=27).n_brackets
    4
    """

    def __init__(
        self,
        min_resource: int = 1,
        max_resource: int | str = "auto",
        reduction_factor: int = 3,
        bootstrap_count: int = 0,
    ) -> None:
        owner = "HyperbandPruner"
        self.min_resource = check_param(owner, "min_resource", min_resource, [int_range(1)])
        check_param(owner, "max_resource", max_resource, [int_range(1), options("auto")])
        if max_resource != "auto":
            if max_resource < self.min_resource:
                raise ValueError(
                    f"HyperbandPruner requires min_resource <= max_resource, but got "
                    f"(min_resource={min_resource!r}, max_resource={max_resource!r})."
                )
        self.max_resource = max_resource
        self.reduction_factor = check_param(
            owner, "reduction_factor", reduction_factor, [int_range(2)]
        )
        self.bootstrap_count = check_param(
            owner, "bootstrap_count", bootstrap_count, [int_range(0)]
        )
        if self.bootstrap_count > 0 and max_resource == "auto":
            raise ValueError(
                f"HyperbandPruner cannot use bootstrap_count={bootstrap_count!r} with "
                "max_resource='auto' (the brackets are unknown until a trial finishes); give "
                "max_resource an int."
            )

    @property
    def n_brackets(self) -> int | None:
        """Number of brackets; None while ``max_resource="auto"`` is unknown."""
        if self.max_resource == "auto":
            return None
        return _n_brackets(self.min_resource, int(self.max_resource), self.reduction_factor)

    def _max_resource(self, study: Study) -> int | None:
        if self.max_resource != "auto":
            return int(self.max_resource)
        steps = [
            t.last_step
            for t in study._get_trials(deepcopy=False)
            if t.state.is_finished() and t.last_step is not None
        ]
        return max(steps) + 1 if steps else None

    def decision_steps(self, n_steps: int) -> frozenset[int]:
        """Steps of the rungs of bracket 0; the other brackets' rungs are among them.

        Examples
        --------
        >>> sorted(HyperbandPruner(min_resource=1, max_resource=27).decision_steps(27))
        [0, 2, 8, 26]
        """
        return rung_steps(
            lambda rung: self.min_resource * self.reduction_factor**rung, n_steps
        )

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        if trial.last_step is None:
            return False
        bracket = trial.system_attrs.get(_BRACKET_KEY)
        if bracket is None:  # chosen once, at the first decision max_resource is known for
            max_resource = self._max_resource(study)
            if max_resource is None:
                return False
            n = _n_brackets(
                self.min_resource, max(max_resource, self.min_resource), self.reduction_factor
            )
            bracket = _choose_bracket(study.study_name, trial.number, n, self.reduction_factor)
            study._storage.set_trial_system_attr(trial._trial_id, _BRACKET_KEY, bracket)
        sha = SuccessiveHalvingPruner(
            min_resource=self.min_resource,
            reduction_factor=self.reduction_factor,
            min_early_stopping_rate=int(bracket),
            bootstrap_count=self.bootstrap_count,
        )
        sha._prefix = f"hyperband:{bracket}:"
        return sha.prune(study, trial)

    def __repr__(self) -> str:
        return (
            f"HyperbandPruner(min_resource={self.min_resource}, "
            f"max_resource={self.max_resource!r}, reduction_factor={self.reduction_factor}, "
            f"bootstrap_count={self.bootstrap_count})"
        )


def _n_brackets(min_resource: int, max_resource: int, eta: int) -> int:
    return int(math.floor(math.log(max_resource / min_resource, eta) + 1e-9)) + 1


def _choose_bracket(study_name: str, number: int, n_brackets: int, eta: int) -> int:
    """Bracket of a trial, in proportion to the brackets' budgets, the same in any process."""
    budgets = [
        math.ceil(n_brackets * eta ** (n_brackets - 1 - b) / (n_brackets - b))
        for b in range(n_brackets)
    ]
    slot = zlib.crc32(f"{study_name}:{number}".encode()) % sum(budgets)
    for bracket, budget in enumerate(budgets):
        if slot < budget:
            return bracket
        slot -= budget
    return n_brackets - 1
