"""Exceptions raised by sk_hpo."""

from __future__ import annotations

__all__ = [
    "TrialPruned",
    "DuplicatedStudyError",
    "StudyNotFoundError",
    "UpdateFinishedTrialError",
    "StorageInternalError",
    "SearchSpaceExhausted",
]


class TrialPruned(Exception):
    """Raised by an objective to tell the study that the trial was pruned.

    Examples
    --------
    >>> import sk_hpo
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0, 1)
    ...     trial.report(x, step=0)
    ...     if trial.should_prune():
    ...         raise sk_hpo.TrialPruned()
    ...     return x
    """


class DuplicatedStudyError(ValueError):
    """A study of that name already exists in the storage."""


class StudyNotFoundError(KeyError):
    """No study of that name (or id) exists in the storage."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UpdateFinishedTrialError(ValueError, RuntimeError):
    """An attempt to change a trial that is already finished (COMPLETE, PRUNED or FAIL).

    A ``ValueError`` (what Optuna's ``tell`` raises for a finished trial) and a
    ``RuntimeError`` (what Optuna's storages raise).
    """


class StorageInternalError(RuntimeError):
    """The storage failed in a way the caller cannot fix (corrupt or foreign database)."""


class SearchSpaceExhausted(Exception):
    """Raised by a sampler when every configuration of a finite space has been claimed.

    :meth:`sk_hpo.study.Study.optimize` stops cleanly on it; a trial started at that moment
    (a race between processes sharing the study) is marked FAIL.
    """
