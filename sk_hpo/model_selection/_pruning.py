"""The ``pruner`` argument as a plan for pruning across CV folds.

A candidate's folds are fitted in *segments* that end at the pruner's decision steps (its
rungs): step ``s`` is decided once folds ``0..s`` are done, from the value reported at ``s``,
which is the running mean of the first ``s + 1`` fold scores (so every candidate is compared
on the same folds), or the score of fold ``s`` itself for the Wilcoxon pruner, which pairs
per-fold scores. Folds inside a segment run in parallel; the next segment is dispatched only
when the pruner keeps the candidate.

String pruners come with a *startup*: no candidate is pruned at a step before
``n_startup`` other candidates have reached it, so a search with a small ``n_iter`` is not
decided on two or three early candidates.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sk_hpo.pruners import BasePruner, NopPruner

__all__ = ["PruningPlan", "make_pruning_plan"]

PRUNER_NAMES = ("sha", "median", "wilcoxon", "hyperband")
_STARTUP = 3
_REDUCTION_FACTOR = 3


@dataclass
class PruningPlan:
    """How and when a search prunes.

    Attributes
    ----------
    pruner : BasePruner
    decision_steps : frozenset of int or None
        Steps at which the pruner can prune; None means every step.
    per_fold_values : bool
        Report each fold's score rather than the running mean.
    n_startup : int
        Other candidates that must have reached a step before one is pruned there.
    active : bool
        False for ``pruner=None``: every candidate runs every fold.
    """

    pruner: BasePruner
    decision_steps: frozenset[int] | None
    per_fold_values: bool
    n_startup: int
    active: bool

    def segment_end(self, start: int, n_splits: int) -> int:
        """Last fold of the segment starting at fold ``start``."""
        if not self.active:
            return n_splits - 1
        if self.decision_steps is None:
            return start
        later = [s for s in self.decision_steps if start <= s < n_splits - 1]
        return min(later) if later else n_splits - 1


def _rung_steps(pruner: Any, n_splits: int) -> frozenset[int] | None:
    """Steps at which a successive-halving or Hyperband pruner can prune; None if unknown.

    Rungs sit at ``min_resource * eta ** (rate + k)`` resource units (folds), i.e. step
    ``resource - 1``; Hyperband's brackets (rates ``0, 1, ...``) share the rungs of rate 0.
    """
    min_resource = getattr(pruner, "min_resource", None)
    eta = getattr(pruner, "reduction_factor", None)
    rate = getattr(pruner, "min_early_stopping_rate", 0)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (min_resource, eta, rate)):
        return None
    steps, rung = set(), 0
    while (resource := min_resource * eta ** (rate + rung)) <= n_splits:
        steps.add(resource - 1)
        rung += 1
    return frozenset(steps)


def make_pruning_plan(pruner: Any, n_splits: int) -> PruningPlan:
    """The plan of a ``pruner`` argument (a name, an instance or None)."""
    from sk_hpo import pruners as p

    if pruner is None:
        return PruningPlan(NopPruner(), frozenset(), False, 0, active=False)
    if isinstance(pruner, str):
        if pruner == "sha":
            pruner_obj: BasePruner = p.SuccessiveHalvingPruner(
                min_resource=1, reduction_factor=_REDUCTION_FACTOR, min_early_stopping_rate=0
            )
        elif pruner == "median":
            pruner_obj = p.MedianPruner(n_startup_trials=5, n_warmup_steps=0, interval_steps=1)
        elif pruner == "wilcoxon":
            pruner_obj = p.WilcoxonPruner(p_threshold=0.1, n_startup_steps=2)
        else:
            pruner_obj = p.HyperbandPruner(
                min_resource=1, max_resource=n_splits, reduction_factor=_REDUCTION_FACTOR
            )
        startup = _STARTUP
    else:
        pruner_obj = copy.deepcopy(pruner)
        startup = 0
    if isinstance(pruner_obj, NopPruner):
        return PruningPlan(pruner_obj, frozenset(), False, 0, active=False)
    steps = None
    if isinstance(pruner_obj, (p.SuccessiveHalvingPruner, p.HyperbandPruner)):
        steps = _rung_steps(pruner_obj, n_splits)
    per_fold = isinstance(pruner_obj, p.WilcoxonPruner)
    return PruningPlan(pruner_obj, steps, per_fold, startup, active=True)
