from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

import numpy as np

from sk_hpo._direction import StudyDirection
from sk_hpo.pruners._base import BasePruner
from sk_hpo.pruners._checks import check_int
from sk_hpo.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["WilcoxonPruner"]


class WilcoxonPruner(BasePruner):
    """Prune a trial that a paired Wilcoxon signed-rank test finds worse than the best trial.

    Made for objectives that are an average over *instances* (CV folds, data sets, seeds):
    each step is one instance and reports that instance's value, not a running mean. The
    trial's values are paired with the best COMPLETE trial's values on the same steps, and
    the trial is pruned when the one-sided test (the trial is worse) gives a p-value below
    ``p_threshold``.

    Parameters
    ----------
    p_threshold : float, default=0.1
        In ``(0, 1)``. Smaller prunes less, with fewer mistakes.
    n_startup_steps : int, default=2
        No pruning before the trial shares this many steps with the best trial.

    Notes
    -----
    The test is :func:`scipy.stats.wilcoxon` on the differences ``d`` (oriented so that
    ``d > 0`` means the trial is worse), ``alternative="greater"``, ``zero_method="zsplit"``
    (ties count half for each side, so they argue against pruning). With ``n`` shared steps
    the smallest one-sided p-value is ``2 ** -n``: with ``p_threshold=0.1``, pruning needs at
    least 4 shared steps. A trial whose mean over the shared steps is at least as good as the
    best trial's is never pruned, even when most of its differences are losses: the
    objective is the mean.

    NaN values: a NaN reported by the trial prunes it (its mean would be NaN); steps where
    the best trial has NaN are left out of the pairing.

    Use it with per-step values of instances that are the same for every trial (the same
    folds, the same seeds); with a learning curve, use the other pruners.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(pruner=WilcoxonPruner(p_threshold=0.1))
    >>> best = study.ask()
    >>> for fold in range(5):
    ...     best.report(0.1, step=fold)
    >>> _ = study.tell(best, 0.1)
    >>> worse = study.ask()
    >>> for fold in range(5):
    ...     worse.report(0.5 + fold, step=fold)
    >>> worse.should_prune()
    True
    """

    def __init__(self, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        if (
            isinstance(p_threshold, bool)
            or not isinstance(p_threshold, numbers.Real)
            or not 0.0 < p_threshold < 1.0
        ):
            raise ValueError(
                "The 'p_threshold' parameter of WilcoxonPruner must be a number in (0, 1), "
                f"got {p_threshold!r}."
            )
        self.p_threshold = float(p_threshold)
        self.n_startup_steps = check_int("WilcoxonPruner", "n_startup_steps", n_startup_steps, 0)

    def per_step_values(self) -> bool:
        """True: each step is one instance (a fold), paired with the best trial's."""
        return True

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        from scipy.stats import wilcoxon

        step = trial.last_step
        if step is None:
            return False
        if any(math.isnan(v) for v in trial.intermediate_values.values()):
            return True
        try:
            best = study._storage.get_best_trial(study._study_id)
        except ValueError:
            return False
        shared = [
            s
            for s in trial.intermediate_values
            if s in best.intermediate_values and not math.isnan(best.intermediate_values[s])
        ]
        if len(shared) < max(self.n_startup_steps, 1):
            return False
        own = np.array([trial.intermediate_values[s] for s in shared])
        ref = np.array([best.intermediate_values[s] for s in shared])
        diff = own - ref
        if study.direction == StudyDirection.MAXIMIZE:
            diff = -diff  # positive = the trial is worse
        if diff.mean() <= 0.0:  # as good on average: never pruned, whatever the ranks say
            return False
        result = wilcoxon(diff, alternative="greater", zero_method="zsplit")
        return bool(result.pvalue < self.p_threshold)

    def __repr__(self) -> str:
        return (
            f"WilcoxonPruner(p_threshold={self.p_threshold!r}, "
            f"n_startup_steps={self.n_startup_steps})"
        )
