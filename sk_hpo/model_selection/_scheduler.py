"""The asynchronous fold loop of HPOSearchCV: fold fits in flight, pruning across folds.

A fold fit is the unit of work. The driver (the process calling ``fit``) keeps a priority
queue of ready fold tasks, older candidates first, and feeds them to one joblib
``Parallel(return_as="generator_unordered")`` call through a lazy task stream, so joblib
backends (loky, threading, dask, ...) run them; a backend that cannot stream results (ray's)
gets the ready tasks in waves instead (:meth:`FoldScheduler._outputs`). Results are handled in the driver as they
complete: each is reported to its trial, the pruner decides at the end of each segment of
steps (see :mod:`~sk_hpo.model_selection._pruning`; a step is a fold, or with a budget
resource a cheap rung over every fold, see :mod:`~sk_hpo.model_selection._resource`); with
a pruner stating a halving rate the candidate instead waits at its rung until promoted or
pruned (successive halving with pause, see :mod:`~sk_hpo.model_selection._promotion`), and
the waiting ones are decided rung by rung once no candidate can start. A
finished candidate is told to the
study, and a new candidate is asked from the sampler whenever the queue runs low, with the
candidates in flight visible to the sampler as RUNNING trials. Workers only fit and score.

joblib pulls the task stream from its own callback threads and must never block there, so
when no task is ready yet (the next folds of a candidate wait for a pruning decision) the
stream yields a short sleep instead, while the driver catches up. When fold fits are so fast
that a round trip to a worker would cost more than the fit, ready fold fits are sent in
batches lasting about :data:`_BATCH_SECONDS` (joblib's own automatic batching cannot be
used: it would pull many tasks at once from a stream that has none ready).
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.utils.parallel import Parallel, delayed

from sk_hpo._warnings import warn_user
from sk_hpo.exceptions import SearchSpaceExhausted, UpdateFinishedTrialError
from sk_hpo.model_selection._fold import FoldResult
from sk_hpo.model_selection._objectives import ObjectiveRule
from sk_hpo.model_selection._promotion import Decision, make_promotion
from sk_hpo.model_selection._pruning import PruningPlan
from sk_hpo.model_selection._proposer import CandidateSampler
from sk_hpo.model_selection._records import RECORD_KEY, encode_folds
from sk_hpo.model_selection._resource import ResourcePlan, Step
from sk_hpo.model_selection._space import SearchSpace
from sk_hpo.study._runner import TrialRunner
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study
    from sk_hpo.trial import Trial

__all__ = ["FIT_SECONDS_KEY", "FoldScheduler", "SearchStats"]

_IDLE_MIN, _IDLE_MAX = 0.001, 0.005
_BATCH_SECONDS, _MAX_BATCH = 0.05, 32
FIT_SECONDS_KEY = "sk_hpo:fit_seconds"  # a candidate's fit seconds, summed over all its fits


def _run_folds(tasks: list[tuple[tuple[int, int, int], Callable[..., FoldResult], tuple, dict]]):
    """Worker side: run a batch of fold fits, return ``(tag, result)`` pairs."""
    return [(tag, func(*args, **kwargs)) for tag, func, args, kwargs in tasks]


def _idle(seconds: float) -> None:
    time.sleep(seconds)


def _running_mean(mean: float | None, value: float) -> float:
    """An exponential running mean of fold times (``value`` itself for the first)."""
    return value if mean is None else 0.8 * mean + 0.2 * value


@dataclass
class _Run:
    trial: Trial
    params: dict[str, Any]
    results: dict[tuple[int, int], FoldResult] = field(default_factory=dict)  # (level, fold)
    dispatched: int = 0  # steps 0..dispatched-1 are queued, running or done
    contiguous: int = 0  # steps 0..contiguous-1 are done
    reported: set[int] = field(default_factory=set)  # steps reported to the trial
    last_value: float = math.nan  # the value of the last step, NaN when not reported
    fitted: dict[int, Any] = field(default_factory=dict)  # fold -> estimator to continue


@dataclass
class SearchStats:
    """What one fit did: trials by state, fold fits, failures, whether the space ran out."""

    n_trials: int = 0
    states: dict[str, int] = field(default_factory=dict)
    n_fits: int = 0
    fit_errors: list[str] = field(default_factory=list)
    exhausted: bool = False
    timed_out: bool = False


class FoldScheduler:
    """Run one search (see the module docstring).

    Parameters
    ----------
    study : Study
        Its sampler is a :class:`CandidateSampler` over ``space``.
    space : SearchSpace
    n_splits : int
    fold_task : callable
        ``fold_task(params, level, fold, start) -> (function, args, kwargs)``: the worker
        call (returning a :class:`FoldResult`) that fits ``params`` on split ``fold`` at
        budget level ``level`` of ``resource``, continuing ``start`` (the estimator a
        previous rung of that fold returned, or None; see
        :mod:`~sk_hpo.model_selection._continuation`).
    plan : PruningPlan
    resource : ResourcePlan
        The budget levels; a candidate runs through ``resource.steps(plan.active)``.
    metric : callable
        ``metric(fold_result["test"]) -> float``: the score candidates are compared on.
    n_iter : int or None
        New candidates to evaluate; None runs until the space is exhausted.
    timeout : float or None
        No new candidate is started after this many seconds.
    n_jobs : int or None
        As for :class:`joblib.Parallel`; ``n_workers`` is the effective number of workers.
    pre_dispatch : int
        Fold tasks dispatched ahead of the running ones (joblib's ``pre_dispatch``); the
        driver keeps that many ready when it can.
    callbacks : list of callable
        ``callback(study, frozen_trial)`` after each finished candidate.
    log : callable
        ``log(level, message)`` prints when ``verbose >= level``.
    objectives : ObjectiveRule, default=None
        With several objectives: stores each step's values, decides pruning by dominance
        and gives the values told (see :mod:`~sk_hpo.model_selection._objectives`), in place
        of ``metric``, ``trial.report``/``should_prune`` and ``tell(value)``.
    """

    def __init__(
        self,
        *,
        study: Study,
        space: SearchSpace,
        n_splits: int,
        fold_task: Callable[[dict[str, Any], int, int], Any],
        plan: PruningPlan,
        resource: ResourcePlan,
        metric: Callable[[Any], float],
        n_iter: int | None,
        timeout: float | None,
        n_jobs: int | None,
        n_workers: int,
        pre_dispatch: int,
        callbacks: list[Callable[..., Any]],
        log: Callable[[int, str], None],
        objectives: ObjectiveRule | None = None,
    ) -> None:
        self.study = study
        self.space = space
        self.n_splits = n_splits
        self.fold_task = fold_task
        self.plan = plan
        self.resource = resource
        self.steps: list[Step] = resource.steps(cheap_rungs=plan.active)
        self._segment_end = plan.segment_ends([step.number for step in self.steps])
        self._final_level = len(resource.budgets) - 1
        self.metric = metric
        self.n_iter = n_iter
        self.timeout = timeout
        self.n_jobs = n_jobs
        self.n_workers = n_workers
        self.pre_dispatch = pre_dispatch
        self.target = 1 if n_workers == 1 else max(n_workers, pre_dispatch)
        # An adaptive sampler (TPE, GP) proposes a candidate only while fewer than this many,
        # or than the candidates already finished, are in flight: enough to keep every worker
        # busy, and it has always seen as many results as it has guesses pending. (Fast fold
        # fits are batched; without a cap, filling the batches would propose every candidate
        # before the first result.) Grid, random and QMC need no cap.
        self.min_in_flight_cap = (
            max(self.target, n_workers + 1)
            if n_workers > 1 and study.sampler.is_adaptive()
            else math.inf
        )
        self._fold_seconds: float | None = None  # running mean of a fold's fit + score time
        self._level_seconds: dict[int, float] = {}  # the same, by budget level
        self.callbacks = callbacks
        self.log = log
        self.objectives = objectives
        self.stats = SearchStats()
        self._runs: dict[int, _Run] = {}
        self._ready: list[tuple[tuple[int, int, int], int, Any]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._done = False
        self._committed = 0
        self._processed = 0
        # successive halving with pause (see _promotion): parked candidates wait for a rung
        n_candidates = n_iter if n_iter is not None else space.n_candidates
        self.promotion = make_promotion(
            plan,
            [s.number for s in self.steps],
            n_candidates,
            cheap_steps=[s.number for s in self.steps if not s.final],
        )
        self._parked: dict[int, _Run] = {}
        self.runner: TrialRunner  # made by run(), whose start begins the timeout

    # -- main loop -------------------------------------------------------------------------------

    def run(self) -> SearchStats:
        self.runner = TrialRunner(self.study, n_trials=self.n_iter, timeout=self.timeout)
        self.study._stop_flag = False
        try:
            self._fill()
            if not self._ready:
                return self.stats
            for out in self._outputs():
                for tag, result in out or ():
                    self._on_result(tag, result)
                self._fill()
                self._resume_parked()
                with self._lock:
                    if not self._ready and self._committed == self._processed:
                        self._done = True
        except BaseException:
            self._abort()
            raise
        finally:
            self.study._stop_flag = False
        return self.stats

    def _outputs(self):
        """Worker outputs as they complete.

        One ``Parallel`` call streams the lazy task stream when the joblib backend can return
        results as a generator (loky, threading, dask, ...). A backend that cannot (ray's) gets
        the ready fold tasks in successive waves, each one blocking ``Parallel`` call: less
        overlap between candidates, the same results.
        """
        try:
            parallel = Parallel(
                n_jobs=self.n_jobs,
                pre_dispatch=self.pre_dispatch,
                batch_size=1,
                return_as="generator_unordered",
            )
        except ValueError as error:
            if "does not support return_as" not in str(error):
                raise
        else:
            yield from parallel(self._stream())
            return
        # one pool for every wave: the context keeps the backend's workers up between calls
        with Parallel(n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch, batch_size=1) as run:
            while True:
                with self._lock:
                    wave = [heapq.heappop(self._ready)[2] for _ in range(len(self._ready))]
                    self._committed += len(wave)
                if not wave:
                    return
                size = self._batch_size()
                batches = [wave[i : i + size] for i in range(0, len(wave), size)]
                yield from run(delayed(_run_folds)(batch) for batch in batches)

    def _stream(self):
        idle = _IDLE_MIN
        while True:
            with self._lock:
                batch = self._take_batch()
                self._committed += len(batch)
                if not batch and self._done:
                    return
            if batch:
                idle = _IDLE_MIN
                yield delayed(_run_folds)(batch)
            else:
                yield delayed(_idle)(idle)
                idle = min(2 * idle, _IDLE_MAX)

    def _take_batch(self) -> list:
        """Pop the next worker task's fold fits (the lock held): the first ready one, then
        more while their expected time, by budget level, stays within _BATCH_SECONDS.

        Fold fits are batched by their own level's time: a full-budget fit is not bundled
        with others on the strength of the cheap rungs' fits (one worker would run them
        in turn while the other waits); a level with no fit done yet is sent alone.
        """
        if self.n_workers == 1:
            return [heapq.heappop(self._ready)[2]] if self._ready else []
        batch: list = []
        seconds = 0.0
        while self._ready and len(batch) < _MAX_BATCH:
            level = self._ready[0][2][0][1]
            expected = self._level_seconds.get(level, _BATCH_SECONDS)
            if batch and seconds + expected > _BATCH_SECONDS * (1 + 1e-9):
                break
            batch.append(heapq.heappop(self._ready)[2])
            seconds += expected
        return batch

    def _batch_size(self) -> int:
        """Fold fits per task: 1, or enough fast ones to fill about _BATCH_SECONDS."""
        if self.n_workers == 1 or self._fold_seconds is None:
            return 1
        return int(min(_MAX_BATCH, max(1.0, _BATCH_SECONDS / max(self._fold_seconds, 1e-6))))

    def _push(self, run: _Run, index: int, fold: int) -> None:
        level = self.steps[index].level
        func, args, kwargs = self.fold_task(run.params, level, fold, run.fitted.pop(fold, None))
        task = ((run.trial.number, level, fold), func, args, kwargs)
        with self._lock:
            priority = (run.trial.number, index, fold)
            heapq.heappush(self._ready, (priority, next(self._seq), task))

    def _dispatch_segment(self, run: _Run) -> None:
        if run.dispatched >= len(self.steps):  # no split at all: the caller reports it
            return
        end = self._segment_end[run.dispatched]
        for index in range(run.dispatched, end + 1):
            for fold in self.steps[index].folds:
                self._push(run, index, fold)
        run.dispatched = end + 1

    # -- new candidates --------------------------------------------------------------------------

    def _can_ask(self) -> bool:
        if self.runner.may_start():
            return True
        self.stats.exhausted = self.runner.exhausted
        self.stats.timed_out = self.runner.timed_out
        return False

    def _fill(self) -> None:
        while (
            len(self._ready) < self.target * self._batch_size()
            and len(self._runs) < max(self.min_in_flight_cap, self._n_finished())
            and self._can_ask()
        ):
            run = self._ask()
            if run is None:
                return
            self._runs[run.trial.number] = run
            self.stats.n_trials += 1
            self._dispatch_segment(run)

    def _n_finished(self) -> int:
        """Candidates of this fit already finished (complete, pruned or failed)."""
        return self.stats.n_trials - len(self._runs)

    def _ask(self) -> _Run | None:
        assert isinstance(self.study.sampler, CandidateSampler)
        started = self.runner.start(self._suggest)
        if started is None:
            self.stats.exhausted = self.runner.exhausted
            return None
        trial, candidate = started
        params = self.space.to_estimator_params(candidate)
        self.log(3, f"[trial {trial.number}] start {_format_params(params)}")
        return _Run(trial, params)

    def _suggest(self, trial: Trial) -> dict[str, Any]:
        """A whole candidate, claimed: by the sampler as it proposes it, or here when every
        parameter has a single value (the sampler is then not asked)."""
        candidate = self.space.suggest(trial)
        if not self.study.claims.claim(trial, self.space.candidate_key(candidate)):
            raise SearchSpaceExhausted("The one candidate was taken by another process.")
        return candidate

    # -- results ---------------------------------------------------------------------------------

    def _on_result(self, tag: tuple[int, int, int], result: FoldResult) -> None:
        number, level, fold = tag
        self._processed += 1
        self.stats.n_fits += 1
        run = self._runs.get(number)
        if run is None:  # a fold in flight when its trial was dropped (see _drop)
            return
        try:
            self._record(run, level, fold, result)
        except UpdateFinishedTrialError:
            if not self.study._storage.get_trial(run.trial._trial_id).state.is_finished():
                raise
            self._drop(run)

    def _drop(self, run: _Run) -> None:
        """Forget a candidate whose trial another process failed as stale while it ran.

        Its heartbeat looked dead to a process sharing the study (a suspended machine, a
        pause longer than the storage's grace period): its result is dropped, with a warning,
        and the search goes on. Its queued folds are withdrawn; folds in flight are ignored.
        It does not count against ``n_iter``, and as its claim on the candidate was released,
        a space thought exhausted may have room again.
        """
        number = run.trial.number
        del self._runs[number]
        self.stats.n_trials -= 1
        self.stats.exhausted = False
        self.runner.forget(run.trial)
        with self._lock:
            self._ready = [entry for entry in self._ready if entry[0][0] != number]
            heapq.heapify(self._ready)
        self.study._heartbeat.discard(run.trial._trial_id)
        self.stats.states["FAIL"] = self.stats.states.get("FAIL", 0) + 1
        warn_user(
            f"Trial {number} was marked FAIL by another process sharing the study while it "
            "ran (no heartbeat for longer than the storage's grace_period); its folds are "
            "dropped and the search goes on. Give the storage a larger grace_period if fits "
            "can stall that long.",
            RuntimeWarning,
        )

    def _record(self, run: _Run, level: int, fold: int, result: FoldResult) -> None:
        number = run.trial.number
        if "estimator" in result:  # kept for the fold's next rung (see _continuation)
            run.fitted[fold] = result.pop("estimator")
        run.results[(level, fold)] = result
        seconds = result["fit_time"] + result["score_time"]
        self._fold_seconds = _running_mean(self._fold_seconds, seconds)
        self._level_seconds[level] = _running_mean(self._level_seconds.get(level), seconds)
        for message in result["warnings"]:
            warn_user(message)
        if result["fit_error"] is not None:
            self.stats.fit_errors.append(result["fit_error"])
        budget = self.resource.budgets[level]
        at = "" if level == self._final_level else f"; {self.resource.resource}={budget}"
        self.log(
            3,
            f"[CV {fold + 1}/{self.n_splits}{at}; trial {number}] END "
            f"{_format_params(run.params)}; {_format_score(result)} total time="
            f"{result['fit_time'] + result['score_time']:.1f}s",
        )
        steps = self.steps
        while run.contiguous < len(steps) and all(
            (steps[run.contiguous].level, j) in run.results for j in steps[run.contiguous].folds
        ):
            self._report(run, steps[run.contiguous])
            run.contiguous += 1
        if run.contiguous == len(steps):
            self._finish(run, TrialState.COMPLETE)
        elif run.contiguous == run.dispatched:
            if self.promotion is not None:
                self._park(run, steps[run.contiguous - 1].number)
            elif self._should_prune(run, steps[run.contiguous - 1].number):
                self._finish(run, TrialState.PRUNED)
            else:
                self._dispatch_segment(run)

    def _fold_values(self, run: _Run, level: int, folds: range | tuple[int, ...]) -> np.ndarray:
        return np.array([self.metric(run.results[(level, j)]["test"]) for j in folds])

    def _report(self, run: _Run, step: Step) -> None:
        if not self.plan.active:
            return
        if step.final and not self.plan.per_fold_values:  # running mean of the folds so far
            folds: range | tuple[int, ...] = range(step.folds[-1] + 1)
        else:
            folds = step.folds
        if self.objectives is not None:  # several objectives: a vector, not trial.report
            if self.plan.decides_at(step.number) and self.objectives.report(
                run.trial, step.number, [run.results[(step.level, j)] for j in folds]
            ):
                run.reported.add(step.number)
            return
        value = float(np.mean(self._fold_values(run, step.level, folds)))
        run.last_value = value
        if math.isfinite(value):
            run.trial.report(value, step.number)
            run.reported.add(step.number)

    def _should_prune(self, run: _Run, step: int) -> bool:
        plan = self.plan
        if not plan.active:
            return False
        if plan.decision_steps is not None and step not in plan.decision_steps:
            return False
        if step not in run.reported:  # a NaN score is not reported
            return False
        if self.objectives is not None:  # several objectives: by dominance, startup included
            return self.objectives.should_prune(self.study, run.trial, step)
        if not run.trial.should_prune():
            return False
        if plan.n_startup:
            peers = sum(
                1
                for t in self.study._get_trials(deepcopy=False)
                if t.number != run.trial.number and step in t.intermediate_values
            )
            return peers >= plan.n_startup
        return True

    # -- promotion (successive halving with pause, see _promotion) ----------------------------

    def _park(self, run: _Run, step: int) -> None:
        """``run`` reached the rung at ``step``: it waits there until promoted or pruned."""
        number = run.trial.number
        self._parked[number] = self._runs.pop(number)
        self._apply(self.promotion.add(number, step, run.last_value))

    def _apply(self, decision: Decision) -> None:
        for number in decision.prune:
            run = self._runs[number] = self._parked.pop(number)
            self._finish(run, TrialState.PRUNED)
        for number in decision.promote:
            run = self._runs[number] = self._parked.pop(number)
            self._dispatch_segment(run)

    def _resume_parked(self) -> None:
        """When nothing runs and no candidate can start: promote the parked candidates
        rung by rung as synchronous halving would (all are pruned after a timeout or a
        ``study.stop()``)."""
        while self._parked:
            with self._lock:
                if self._ready or self._committed != self._processed:
                    return
            stopped = self.stats.timed_out or self.study._stop_flag
            decision = Decision() if stopped else self.promotion.drain()
            if not decision.promote and not decision.prune:
                decision = Decision(prune=sorted(self._parked))
                for number in decision.prune:
                    self.promotion.forget(number)
            self._apply(decision)

    def _finish(self, run: _Run, state: TrialState) -> None:
        trial = run.trial
        run.fitted.clear()
        trial.set_system_attr(RECORD_KEY, self._encode(run))
        trial.set_system_attr(
            FIT_SECONDS_KEY, float(sum(r["fit_time"] for r in run.results.values()))
        )
        if state == TrialState.COMPLETE and self.objectives is not None:
            values = self.objectives.values(
                [run.results[(self._final_level, j)] for j in range(self.n_splits)]
            )
            if values is not None:
                frozen = self.study.tell(trial, values=values)
            else:
                frozen = self.study.tell(trial, state=TrialState.FAIL)
        elif state == TrialState.COMPLETE:
            value = float(
                np.mean(self._fold_values(run, self._final_level, range(self.n_splits)))
            )
            if math.isfinite(value):
                frozen = self.study.tell(trial, value)
            else:
                frozen = self.study.tell(trial, state=TrialState.FAIL)
        else:
            frozen = self.study.tell(trial, state=state)
        del self._runs[trial.number]
        name = frozen.state.name
        self.stats.states[name] = self.stats.states.get(name, 0) + 1
        value_text = "nan" if frozen.values is None else ", ".join(
            f"{x:.4g}" for x in frozen.values
        )
        self.log(
            2,
            f"[trial {trial.number}] {name:<8} mean {value_text} over "
            f"{self._n_final(run)}/{self.n_splits} folds: {_format_params(run.params)}",
        )
        for callback in self.callbacks:
            callback(self.study, frozen)

    def _n_final(self, run: _Run) -> int:
        return sum(level == self._final_level for level, _ in run.results)

    def _encode(self, run: _Run) -> dict[str, Any]:
        """The stored record: the full-budget folds; with a budget resource also the level
        reached (``iter``), its budget and the scores of the cheap rungs."""
        by_level: dict[int, dict[int, FoldResult]] = {}
        for (level, fold), result in run.results.items():
            by_level.setdefault(level, {})[fold] = result
        record = encode_folds(by_level.get(self._final_level, {}), self.n_splits)
        if self.resource.active:
            reached = self.steps[max(run.contiguous - 1, 0)].level
            record["iter"] = reached
            record["n_resources"] = self.resource.budgets[reached]
            record["rungs"] = {
                str(level): encode_folds(folds, self.n_splits)
                for level, folds in sorted(by_level.items())
                if level != self._final_level
            }
        return record

    def _abort(self) -> None:
        """Fail the candidates in flight and release their claims: none was fully evaluated
        (Ctrl-C, or ``error_score="raise"`` on one of them), so a search continuing the study
        evaluates them again."""
        self._runs.update(self._parked)
        self._parked.clear()
        for run in list(self._runs.values()):
            self.study.tell(run.trial, state=TrialState.FAIL, skip_if_finished=True)
            self.runner.abandon(run.trial)
        self._runs.clear()


def _format_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def _format_score(result: FoldResult) -> str:
    """A fold's scores as GridSearchCV's ``verbose=3`` shows them."""
    test, train = result["test"], result["train"]
    if isinstance(test, dict):
        return " ".join(
            f"{k}: (train={float(train[k]):.3f}, test={float(v):.3f})"
            if train is not None
            else f"{k}: (test={float(v):.3f})"
            for k, v in test.items()
        )
    if train is not None:
        return f"score=(train={float(train):.3f}, test={float(test):.3f})"
    return f"score={float(test):.3f}"
