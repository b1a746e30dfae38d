from __future__ import annotations

from typing import TYPE_CHECKING

from sk_hpo.pruners._base import BasePruner
from sk_hpo.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["NopPruner"]


class NopPruner(BasePruner):
    """Never prune.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(pruner=NopPruner())
    >>> trial = study.ask()
    >>> trial.report(1.0, step=0)
    >>> trial.should_prune()
    False
    """

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        return False

    def decision_steps(self, n_steps: int) -> frozenset[int]:
        """Never prunes: the empty set."""
        return frozenset()
