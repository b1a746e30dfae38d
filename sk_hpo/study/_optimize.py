"""The trial loop behind :meth:`Study.optimize`."""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sk_hpo._progress import TrialProgress
from sk_hpo._validation import (
    BOOLEAN,
    CALLABLE,
    CALLBACKS,
    INT,
    NONE,
    Constraint,
    int_range,
    interval,
    validate_params,
)
from sk_hpo._warnings import warn_user
from sk_hpo.exceptions import SearchSpaceExhausted, TrialPruned, UpdateFinishedTrialError
from sk_hpo.study._runner import TrialRunner
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study._study import Study

__all__ = ["run_optimize"]

_logger = logging.getLogger("sk_hpo")


_NON_ZERO_INT = Constraint(lambda v: INT.check(v) and v != 0, "a non-zero int (-1: all CPUs)")
_EXCEPTION_CLASSES = Constraint(
    lambda v: (isinstance(v, type) and issubclass(v, BaseException))
    or (isinstance(v, (tuple, list, set, frozenset))
        and all(isinstance(c, type) and issubclass(c, BaseException) for c in v)),
    "an exception class or a tuple (list, set) of them",
)


def _check_args(
    n_trials: Any, timeout: Any, n_jobs: Any, catch: Any, callbacks: Any
) -> tuple[tuple[type[BaseException], ...], int]:
    validate_params(
        "optimize",
        {"n_trials": n_trials, "timeout": timeout, "n_jobs": n_jobs, "catch": catch,
         "callbacks": callbacks},
        {
            "n_trials": [int_range(0), NONE],
            "timeout": [interval(0, None), NONE],
            "n_jobs": [_NON_ZERO_INT],
            "catch": [_EXCEPTION_CLASSES],
            "callbacks": [CALLBACKS, NONE],
        },
    )
    n_workers = int(n_jobs) if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
    return ((catch,) if isinstance(catch, type) else tuple(catch)), n_workers


def run_optimize(
    study: Study,
    func: Any,
    *,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch: Iterable[type[Exception]] | type[Exception],
    callbacks: list[Any] | None,
    gc_after_trial: bool,
    show_progress_bar: bool,
) -> None:
    validate_params(
        "Study.optimize",
        {"func": func, "show_progress_bar": show_progress_bar},
        {"func": [CALLABLE], "show_progress_bar": [BOOLEAN]},
    )
    catch_t, n_workers = _check_args(n_trials, timeout, n_jobs, catch, callbacks)
    if threading.get_ident() in study._optimizing_threads:
        raise RuntimeError(
            "Nested invocation of Study.optimize isn't allowed: an objective or a callback of "
            "this study called its optimize; use another study (or ask/tell) inside."
        )
    study._stop_flag = False
    runner = TrialRunner(study, n_trials=n_trials, timeout=timeout)
    progress = None
    if show_progress_bar:  # Optuna's tqdm line
        progress = TrialProgress(study, total=n_trials, timeout=timeout, layout="optuna")

    def worker(reseed: bool) -> None:
        study._optimizing_threads.add(threading.get_ident())
        try:
            work(reseed)
        finally:
            study._optimizing_threads.discard(threading.get_ident())

    def work(reseed: bool) -> None:
        while runner.may_start():
            if reseed:  # each thread that runs a trial draws its own random stream
                study.sampler.reseed_rng()
                reseed = False
            try:
                frozen = _run_trial(runner, func, catch_t)
            except SearchSpaceExhausted:  # the sampler found no room left while suggesting
                runner.exhausted = True
                return
            if frozen is None:  # no trial started: the budget, the clock or the space ran out
                return
            for callback in callbacks or ():
                callback(study, frozen)
            if gc_after_trial:
                gc.collect()
            if progress is not None:
                progress(study, frozen)

    try:
        if n_workers == 1:
            worker(reseed=False)
        else:
            with ThreadPoolExecutor(max_workers=n_workers) as pool:
                futures = [pool.submit(worker, True) for _ in range(n_workers)]
                try:
                    for f in futures:
                        f.result()
                except BaseException:
                    study._stop_flag = True
                    raise
    finally:
        study._stop_flag = False
        if progress is not None:
            progress.close()


WORKER_ATTR = "worker"


def _worker_name() -> str:
    """``host/pid/thread``: who ran a trial (rows of :func:`~sk_hpo.visualization.plot_timeline`)."""
    return f"{socket.gethostname()}/{os.getpid()}/{threading.current_thread().name}"


def _run_trial(
    runner: TrialRunner, func: Any, catch: tuple[type[BaseException], ...]
) -> Any:
    started = runner.start()
    if started is None:
        return None
    trial = started[0]
    try:
        trial.set_system_attr(WORKER_ATTR, _worker_name())
        value = func(trial)
    except TrialPruned:
        frozen = runner.finish(trial, state=TrialState.PRUNED)
        _logger.info("Trial %d pruned.", frozen.number)
        return frozen
    except BaseException as e:
        return _after_error(runner, trial, e, catch)
    frozen = runner.finish(trial, value)  # None, NaN or a non-number: FAIL with a warning
    if frozen.state == TrialState.COMPLETE:
        _logger.info(
            "Trial %d finished with values %r and parameters %r.",
            frozen.number,
            frozen.values,
            frozen.params,
        )
    return frozen


def _after_error(
    runner: TrialRunner, trial: Any, error: BaseException, catch: tuple[type[BaseException], ...]
) -> Any:
    if isinstance(error, UpdateFinishedTrialError):
        frozen = runner.finished_elsewhere(trial)
        if frozen is not None:
            return frozen
    if not isinstance(error, catch):
        if isinstance(error, Exception):  # the sampler's after_trial sees the failure
            try:
                runner.finish(trial, state=TrialState.FAIL)
            except Exception:
                pass  # the objective's error is the one raised
            runner.study._fail_quietly(trial._trial_id)
        else:  # Ctrl-C, SystemExit: the trial was not evaluated
            runner.abandon(trial)
        raise error
    frozen = runner.finish(trial, state=TrialState.FAIL)
    warn_user(
        f"Trial {frozen.number} failed with {type(error).__name__}: {error}; the study goes on "
        "because this exception is in 'catch'."
    )
    return frozen
