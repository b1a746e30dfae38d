from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from sk_hpo.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["BasePruner"]


class BasePruner(abc.ABC):
    """Policy that decides whether a running trial should stop early.

    :meth:`prune` is the whole interface. It is called by ``trial.should_prune()`` with a fresh
    snapshot of the trial (its intermediate values reported so far). Any state a pruner needs
    across calls (rungs) lives in the trial's system attributes in the storage, never in the
    pruner object, so that several processes sharing a study prune consistently.
    """

    @abc.abstractmethod
    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        """Return True when ``trial`` should be pruned at its last reported step."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
