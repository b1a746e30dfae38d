from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sk_hpo._direction import StudyDirection
from sk_hpo._validation import check_param, int_range, interval
from sk_hpo._warnings import warn_user
from sk_hpo.pruners._base import BasePruner
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
        In ``[0, 1]``. Smaller prunes less, with fewer mistakes (0 never prunes).
    n_startup_steps : int, default=2
        No pruning before the trial shares this many steps with the best trial.

    Notes
    -----
    The test is :func:`scipy.stats.wilcoxon` on the differences ``d`` (oriented so that
    ``d > 0`` means the trial is worse), ``alternative="greater"``, ``zero_method="zsplit"``
    (ties count half for each side, so they argue against pruning). With ``n`` shared steps
    the smallest one-sided p-value is ``2 ** -n``: with ``p_threshold=0.1``, pruning needs at
    least 4 shared steps. A trial whose mean over its reported steps is at least as good as
    the best trial's mean is never pruned, even when most of its differences are losses: the
    objective is the mean.

    Infinite or NaN values (in the trial or in the best trial) and a best trial without
    intermediate values stop the pruner from pruning, with a warning, as in Optuna.

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
        self.p_threshold = float(
            check_param("WilcoxonPruner", "p_threshold", p_threshold, [interval(0, 1)])
        )
        self.n_startup_steps = check_param(
            "WilcoxonPruner", "n_startup_steps", n_startup_steps, [int_range(0)]
        )

    def per_step_values(self) -> bool:
        """True: each step is one instance (a fold), paired with the best trial's."""
        return True

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        from scipy.stats import wilcoxon

        if not trial.intermediate_values:
            return False
        own = trial.intermediate_values
        if not all(math.isfinite(v) for v in own.values()):
            warn_user(
                f"The intermediate values of trial #{trial.number} contain infinity or NaN: "
                "WilcoxonPruner does not prune it."
            )
            return False
        try:
            best = study._storage.get_best_trial(study._study_id)
        except ValueError:
            return False
        ref = best.intermediate_values
        if not ref:
            warn_user(
                f"The best trial #{best.number} has no intermediate values, so WilcoxonPruner "
                "cannot prune; give add_trial's trials intermediate_values."
            )
            return False
        if not all(math.isfinite(v) for v in ref.values()):
            warn_user(
                f"The intermediate values of the best trial #{best.number} contain infinity or "
                "NaN: WilcoxonPruner does not prune against it."
            )
            return False
        shared = [s for s in own if s in ref]
        if len(shared) < len(own):
            warn_user(
                f"Trial #{trial.number} reported steps the best trial #{best.number} lacks; "
                "WilcoxonPruner ignores them."
            )
        if len(shared) < max(self.n_startup_steps, 2):
            return False
        sign = -1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0
        # positive = the trial is worse
        diff = sign * (np.array([own[s] for s in shared]) - np.array([ref[s] for s in shared]))
        # The objective is a mean: a trial whose mean is at least as good as the best trial's
        # is never pruned, whatever the ranks say.
        if sign * (np.mean(list(own.values())) - np.mean(list(ref.values()))) <= 0.0:
            return False
        result = wilcoxon(diff, alternative="greater", zero_method="zsplit")
        return bool(result.pvalue < self.p_threshold)

    def __repr__(self) -> str:
        return (
            f"WilcoxonPruner(p_threshold={self.p_threshold!r}, "
            f"n_startup_steps={self.n_startup_steps})"
        )
