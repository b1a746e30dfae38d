"""The ``pruner`` argument as a plan for pruning a candidate step by step.

A candidate's steps (its CV folds, and with a budget resource its cheap rungs first, see
:mod:`~sk_hpo.model_selection._resource`) are fitted in *segments* that end at the steps
where the pruner can decide: a pruner states them through its public hooks
(:meth:`~sk_hpo.pruners.BasePruner.decision_steps`, None meaning any step) and says through
:meth:`~sk_hpo.pruners.BasePruner.per_step_values` whether each step reports its own score
(the Wilcoxon pruner pairs per-fold scores) or the running mean of the folds so far, so
every candidate is compared on the same folds. A user's pruner is treated the same way as
ours. Folds inside a segment run in parallel; the next segment is dispatched only when the
pruner keeps the candidate.

String pruners come with a *startup*: no candidate is pruned at a step before
``n_startup`` other candidates have reached it, so a search with a small ``n_iter`` is not
decided on two or three early candidates.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sk_hpo.pruners import BasePruner, NopPruner

__all__ = ["PruningPlan", "halving_rate", "make_pruning_plan"]

PRUNER_NAMES = ("sha", "median", "wilcoxon", "hyperband")
_STARTUP = 3


@dataclass
class PruningPlan:
    """How and when a search prunes.

    Attributes
    ----------
    pruner : BasePruner
    decision_steps : frozenset of int or None
        Steps at which the pruner can prune; None means every step.
    per_fold_values : bool
        Report each step's own score rather than the running mean.
    n_startup : int
        Other candidates that must have reached a step before one is pruned there.
    active : bool
        False when nothing can be pruned (``pruner=None``, or a pruner stating no decision
        step): every candidate runs every fold, and ``cv_results_`` has no pruning columns.
    halving_rate : int or None
        The pruner's :meth:`~sk_hpo.pruners.BasePruner.halving_rate`: when set, the search
        decides promotions over its candidates (:mod:`~sk_hpo.model_selection._promotion`)
        instead of asking the pruner.
    """

    pruner: BasePruner
    decision_steps: frozenset[int] | None
    per_fold_values: bool
    n_startup: int
    active: bool
    halving_rate: int | None = None

    def decides_at(self, step: int) -> bool:
        """Whether the pruner may prune at ``step``."""
        return self.active and (self.decision_steps is None or step in self.decision_steps)

    def segment_ends(self, steps: Sequence[int]) -> list[int]:
        """For each index ``i`` of ``steps`` (the step numbers a candidate reports, in
        order), the index of the last step of the segment starting at ``i``: the next step
        where the pruner decides, else the last one.

        Examples
        --------
        >>> from sk_hpo.pruners import SuccessiveHalvingPruner
        >>> make_pruning_plan(SuccessiveHalvingPruner(1, 3), 5).segment_ends(range(5))
        [0, 2, 2, 4, 4]
        """
        last = len(steps) - 1
        ends, end = [0] * len(steps), last
        for i in range(last, -1, -1):
            if i < last and self.decides_at(steps[i]):
                end = i
            ends[i] = end
        return ends


def make_pruning_plan(
    pruner: Any, n_steps: int, factor: int = 3, first_rung: int = 1
) -> PruningPlan:
    """The plan of a ``pruner`` argument (a name, an instance or None) for ``n_steps`` steps.

    ``factor`` is the reduction factor of the ``"sha"`` and ``"hyperband"`` pruners;
    ``first_rung`` the steps a candidate runs before the first rung of ``"sha"``.

    Examples
    --------
    >>> sorted(make_pruning_plan("sha", 5).decision_steps)
    [0, 2]
    >>> sorted(make_pruning_plan("sha", 5, first_rung=2).decision_steps)
    [1]
    """
    from sk_hpo import pruners as p

    if pruner is None:
        return PruningPlan(NopPruner(), frozenset(), False, 0, active=False)
    if isinstance(pruner, str):
        if pruner == "sha":
            pruner_obj: BasePruner = p.SuccessiveHalvingPruner(
                min_resource=first_rung, reduction_factor=factor, min_early_stopping_rate=0
            )
        elif pruner == "median":
            pruner_obj = p.MedianPruner(n_startup_trials=5, n_warmup_steps=0, interval_steps=1)
        elif pruner == "wilcoxon":
            pruner_obj = p.WilcoxonPruner(p_threshold=0.1, n_startup_steps=2)
        else:
            pruner_obj = p.HyperbandPruner(
                min_resource=1, max_resource=n_steps, reduction_factor=factor
            )
        startup = _STARTUP
    else:
        pruner_obj = copy.deepcopy(pruner)
        startup = 0
    steps = pruner_obj.decision_steps(n_steps)
    if steps is not None:
        steps = frozenset(int(s) for s in steps if 0 <= s < n_steps)
    per_step = bool(pruner_obj.per_step_values())
    active = steps != frozenset()
    rate = halving_rate(pruner_obj, factor) if active else None
    return PruningPlan(pruner_obj, steps, per_step, startup, active, rate)


def halving_rate(pruner: Any, factor: int = 3) -> int | None:
    """The halving rate of a ``pruner`` argument (a name, an instance or None): ``factor``
    for ``"sha"``, the instance's :meth:`~sk_hpo.pruners.BasePruner.halving_rate`, else None.

    Examples
    --------
    >>> from sk_hpo.pruners import MedianPruner, SuccessiveHalvingPruner
    >>> halving_rate("sha", 3), halving_rate(SuccessiveHalvingPruner(reduction_factor=2))
    (3, 2)
    >>> halving_rate(MedianPruner()), halving_rate("median"), halving_rate(None)
    (None, None, None)
    """
    if pruner == "sha":
        return factor
    if not isinstance(pruner, BasePruner):
        return None
    rate = pruner.halving_rate()
    return int(rate) if rate is not None and rate >= 2 else None
