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

    Three optional hooks tell a caller that schedules the steps itself (``HPOSearchCV`` fits
    folds in parallel up to the next step where a decision can fall) what the pruner needs;
    their defaults suit any pruner: :meth:`decision_steps` (``None``: it may prune at any
    step), :meth:`per_step_values` (``False``: it is given running values, such as the
    mean of the folds so far) and :meth:`halving_rate` (``None``: ask :meth:`prune`).

    Examples
    --------
    A pruner that stops a trial whose value at step 2 is below 0.5, and says so:

    >>> class Below(BasePruner):
    ...     def prune(self, study, trial):
    ...         return trial.last_step == 2 and trial.intermediate_values[2] < 0.5
    ...     def decision_steps(self, n_steps):
    ...         return frozenset({2}) if n_steps > 2 else frozenset()
    >>> Below().decision_steps(5), Below().per_step_values()
    (frozenset({2}), False)
    """

    @abc.abstractmethod
    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        """Return True when ``trial`` should be pruned at its last reported step."""

    def decision_steps(self, n_steps: int) -> frozenset[int] | None:
        """The steps among ``0 .. n_steps - 1`` at which :meth:`prune` may return True.

        Parameters
        ----------
        n_steps : int
            Number of steps a trial runs when it is never pruned.

        Returns
        -------
        steps : frozenset of int or None
            None (the default) when the pruner may prune at any step; an empty set when it
            never prunes. A caller may skip asking at the other steps.
        """
        return None

    def per_step_values(self) -> bool:
        """Whether each step should report its own measurement rather than a running value.

        True for a pruner comparing *instances* step by step (one CV fold, one data set per
        step, as :class:`~sk_hpo.pruners.WilcoxonPruner`); False (the default) for one
        reading a learning curve or a running mean.

        Returns
        -------
        per_step : bool
        """
        return False

    def halving_rate(self) -> int | None:
        """The reduction factor ``eta`` when the pruner is successive halving, else None.

        A caller that runs a known batch of trials side by side (``HPOSearchCV``) may then
        decide promotions itself over the whole batch at the :meth:`decision_steps`,
        instead of calling :meth:`prune` as each trial reports: a trial not yet in the top
        ``1 / eta`` of its rung *waits* there, goes on when a larger field puts it in the
        top, and is pruned only when it can no longer get there (see
        :mod:`sk_hpo.model_selection._promotion`). None (the default) keeps :meth:`prune`.

        Returns
        -------
        eta : int or None
        """
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
