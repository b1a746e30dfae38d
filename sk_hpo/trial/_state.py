from __future__ import annotations

import enum

__all__ = ["TrialState"]


class TrialState(enum.IntEnum):
    """State of a trial.

    ``RUNNING``: being evaluated. ``COMPLETE``: finished with a value. ``PRUNED``: stopped
    early (its value, if any, is the last reported intermediate value). ``FAIL``: the
    objective raised, returned an invalid value, or its process died. ``WAITING``: enqueued,
    not yet started.

    Examples
    --------
    >>> TrialState.PRUNED.is_finished()
    True
    """

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    def __repr__(self) -> str:
        return f"TrialState.{self.name}"

    def is_finished(self) -> bool:
        """Return whether the trial can no longer change (COMPLETE, PRUNED or FAIL)."""
        return self in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
