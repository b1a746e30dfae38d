"""Starting and finishing trials under a budget: the one runner behind ``Study.optimize`` and
HPOSearchCV's fold scheduler.

:class:`TrialRunner` owns what every loop over trials must get right the same way: the trial
budget, the timeout, the study's stop flag, an exhausted space, trials started with a
heartbeat (so a dead process's trials are failed as stale and their claims released),
trials finished by another process while they ran, and the claims of abandoned trials. The
caller keeps its own work: ``optimize`` calls the objective, the scheduler runs fold fits.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sk_hpo._warnings import warn_user
from sk_hpo.exceptions import SearchSpaceExhausted, UpdateFinishedTrialError
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study._study import Study
    from sk_hpo.trial import FrozenTrial, Trial

__all__ = ["TrialRunner"]


class TrialRunner:
    """Start trials while the budget, the clock and the space allow; finish them.

    Parameters
    ----------
    study : Study
    n_trials : int or None
        Trials to start; None: no limit.
    timeout : float or None
        No trial is started after this many seconds (counted from the runner's creation).

    Attributes
    ----------
    n_started : int
        Trials started (minus those :meth:`forget` gave back).
    exhausted : bool
        The sampler said nothing is left to propose.
    timed_out : bool
        A start was refused because the time was up.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study()
    >>> runner = TrialRunner(study, n_trials=2, timeout=None)
    >>> while (started := runner.start(lambda t: t.suggest_float("x", 0, 1))) is not None:
    ...     trial, x = started
    ...     _ = runner.finish(trial, x ** 2)
    >>> runner.n_started, len(study.trials), runner.may_start()
    (2, 2, False)
    """

    def __init__(self, study: Study, *, n_trials: int | None, timeout: float | None) -> None:
        self.study = study
        self.n_trials = n_trials
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.n_started = 0
        self.exhausted = False
        self.timed_out = False
        self._lock = threading.Lock()

    def time_is_up(self) -> bool:
        """Whether the timeout has passed (then no trial is started any more)."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.timed_out = True
        return self.timed_out

    def may_start(self) -> bool:
        """Whether another trial may start: not stopped, within budget and time, space left."""
        if self.exhausted or self.study._stop_flag:
            return False
        if self.n_trials is not None and self.n_started >= self.n_trials:
            return False
        if self.time_is_up():
            return False
        if self.study.sampler.is_exhausted(self.study):
            self.exhausted = True
            return False
        return True

    def start(
        self, suggest: Callable[[Trial], Any] | None = None
    ) -> tuple[Trial, Any] | None:
        """Start a trial if :meth:`may_start`: ``(trial, suggest(trial))``, else None.

        The trial has a heartbeat, so it is failed as stale (its claims released) if this
        process dies. ``suggest`` (e.g. the suggestions of a whole candidate) runs right
        away; if the sampler finds the space exhausted there (or in ``before_trial``), the
        trial is failed and None returned; any other error fails the trial, releases its
        claims and is raised.
        """
        with self._lock:  # several threads of optimize share one budget
            if not self.may_start():
                return None
            self.n_started += 1
        try:
            trial = self.study._ask(None, heartbeat=True)  # a failed ask fails its trial
        except SearchSpaceExhausted:
            self.exhausted = True
            return None
        if suggest is None:
            return trial, None
        try:
            return trial, suggest(trial)
        except SearchSpaceExhausted:
            self.study._fail_quietly(trial._trial_id)
            self.exhausted = True
            return None
        except BaseException:
            self.abandon(trial)
            raise

    def finish(
        self, trial: Trial, value: Any = None, state: TrialState | None = None
    ) -> FrozenTrial:
        """Tell ``trial``; if another process failed it as stale meanwhile, return it as
        stored, with a warning (its result is dropped)."""
        try:
            return self.study._tell(trial, value, state)
        except UpdateFinishedTrialError:
            frozen = self.finished_elsewhere(trial)
            if frozen is None:
                raise
            return frozen

    def finished_elsewhere(self, trial: Trial) -> FrozenTrial | None:
        """The trial, when another worker finished it while it ran (None if it is still
        RUNNING).

        A storage with heartbeats marks a RUNNING trial FAIL when its heartbeat is older
        than the grace period: the worker's process looked dead (suspended machine, a long
        pause). Its result is dropped, with a warning, and the run goes on: the stored trial
        stays as the other worker left it.
        """
        frozen = self.study._storage.get_trial(trial._trial_id)
        if not frozen.state.is_finished():
            return None
        self.study._heartbeat.discard(trial._trial_id)
        warn_user(
            f"Trial {frozen.number} was marked {frozen.state.name} by another worker while it "
            "ran (no heartbeat for longer than the storage's grace_period); its result is "
            "dropped and the study goes on. Give the storage a larger grace_period if trials "
            "can stall that long.",
            RuntimeWarning,
        )
        return copy.deepcopy(frozen)

    def abandon(self, trial: Trial) -> None:
        """Fail ``trial`` unevaluated (Ctrl-C, an error elsewhere) and release its claims,
        so a later run evaluates what it held."""
        self.study._fail_quietly(trial._trial_id)
        self.study.claims.release(trial)

    def forget(self, trial: Trial) -> None:
        """Give back the budget of a trial another process failed as stale while it ran:
        it does not count, and as its claims were released the space may have room again."""
        with self._lock:
            self.n_started -= 1
            self.exhausted = False
        self.study._heartbeat.discard(trial._trial_id)
