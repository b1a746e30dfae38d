"""Progress of a search: a live bar on a terminal, a few plain lines elsewhere.

:class:`ProgressBar` draws; :class:`TrialProgress` is the ``callback(study, frozen_trial)`` that
feeds it (candidates done, best score so far) from :meth:`Study.optimize` and
:class:`~sk_hpo.HPOSearchCV`. On a terminal the bar is redrawn in place at most
``1 / MIN_REDRAW`` times a second, and every ``TICK`` seconds so its clocks move during a long
fit; anywhere else (a log file, CI, a notebook's captured stderr)
it prints a plain line at each tenth of the budget, or every ``PLAIN_EVERY`` seconds when the
budget is only a timeout, so a long search gives about ten lines, not one per trial.

No third-party dependency: the plain-line mode is needed anyway (``verbose=1`` must work with
the runtime dependencies alone), and the terminal mode is a few lines more.
"""

from __future__ import annotations

import math
import shutil
import sys
import threading
import time
from typing import Any, TextIO

from sk_hpo._validation import check_param, options
from sk_hpo.trial._state import TrialState

__all__ = ["ProgressBar", "TrialProgress"]

MIN_REDRAW = 0.1  # seconds between two redraws of the terminal bar
TICK = 1.0  # seconds between two redraws of the terminal bar when nothing finishes
PLAIN_EVERY = 30.0  # seconds between two plain lines when the budget is only a timeout
_WIDTH = 20  # characters of the bar itself


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))  # whole seconds elapsed, as tqdm shows them
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressBar:
    """Draw ``done/total``, the best score, elapsed and remaining time.

    Parameters
    ----------
    unit : str, default="trials"
        What is counted ("trials", "candidates").
    stream : file-like, default=None
        Where to draw; None means ``sys.stderr`` at :meth:`start` time. A terminal gets a live
        bar, anything else plain lines.
    layout : {"sk_hpo", "optuna"}, default="sk_hpo"
        The text of a line. "optuna" is the tqdm line of Optuna's ``optimize``
        (``Best trial: 3. Best value: 0.25: 100%|####| 10/10 [00:01<00:00, 9.52it/s]``; with
        only a timeout, ``... 40%|##--| 00:24/01:00``), on a terminal and off it alike; its
        description is the ``note`` given to :meth:`update`.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> bar = ProgressBar(unit="trials", stream=out)
    >>> bar.start(total=2)
    >>> bar.update(1, best=0.5)
    >>> bar.update(2, best=0.25)
    >>> bar.close()
    >>> print(out.getvalue().splitlines()[-1])  # doctest: +ELLIPSIS
    [sk_hpo] 2/2 trials (100%), best=0.25, elapsed ..., remaining 00:00
    """

    def __init__(
        self, *, unit: str = "trials", stream: TextIO | None = None, layout: str = "sk_hpo"
    ) -> None:
        check_param("ProgressBar", "layout", layout, [options("sk_hpo", "optuna")])
        self.unit = unit
        self.layout = layout
        self._stream = stream
        self._lock = threading.RLock()
        self._started = False

    def start(self, total: int | None = None, *, timeout: float | None = None) -> None:
        """Start the clock; ``total`` is the budget in units, ``timeout`` in seconds."""
        self.stream = sys.stderr if self._stream is None else self._stream
        self.terminal = _is_terminal(self.stream)
        self.total = total
        self.timeout = timeout
        self._t0 = time.monotonic()
        self._last_draw = -math.inf
        self._last_step = -1  # last tenth of the budget printed (plain mode)
        self._done = 0
        self._best: float | None = None
        self._note = ""
        self._width = 0  # characters of the bar on screen (terminal mode)
        self._started = True
        if self.terminal:
            self._draw(force=True)
            self._stop = threading.Event()
            threading.Thread(target=self._tick, name="sk_hpo-progress", daemon=True).start()

    def _tick(self) -> None:
        """Redraw every ``TICK`` seconds, so the clocks move while a long fit runs."""
        while not self._stop.wait(TICK):
            with self._lock:
                if self._started:
                    self._draw(force=True)

    def update(self, done: int, best: float | None = None, note: str = "") -> None:
        """``done`` units finished so far; ``best`` the best score so far (None: none yet);
        ``note`` the description of the "optuna" layout."""
        with self._lock:
            if not self._started:
                return
            self._done, self._best, self._note = done, best, note
            self._draw(force=self.total is not None and done >= self.total)

    def write(self, message: str, file: TextIO | None = None) -> None:
        """Print ``message`` (to stdout by default) without garbling the terminal bar."""
        file = sys.stdout if file is None else file
        with self._lock:
            live = self._started and self.terminal
            if live:
                self._erase()
            print(message, file=file, flush=True)
            if live:
                self._draw(force=True)

    def close(self) -> None:
        """Leave the final state on screen; later updates are ignored."""
        with self._lock:
            if not self._started:
                return
            if self.terminal:
                self._stop.set()
                self._draw(force=True)
                self.stream.write("\n")
                self.stream.flush()
            elif self._done != self._printed:
                self._print_line()
            self._started = False

    # -- drawing ---------------------------------------------------------------------------------

    def _text(self) -> str:
        """tqdm's layout on a terminal (``40%|####------| 8/20 trials, best=0.91
        [00:12<00:18]``), words in plain lines."""
        elapsed = time.monotonic() - self._t0
        if self.layout == "optuna":
            return self._optuna_text(elapsed)
        remaining = self._remaining(elapsed)
        done, total = self._done, self.total
        best = "-" if self._best is None else f"{self._best:.4g}"
        count = f"{done} {self.unit}" if total is None else f"{done}/{total} {self.unit}"
        frac = None if total is None else (min(1.0, done / total) if total else 1.0)
        if self.terminal:
            bar = "" if frac is None else f"{frac:4.0%}|{_bar(frac)}| "
            clocks = _clock(elapsed) + ("" if remaining is None else "<" + _clock(remaining))
            return f"[sk_hpo] {bar}{count}, best={best} [{clocks}]"
        percent = "" if frac is None else f" ({frac:.0%})"
        left = "" if remaining is None else f", remaining {_clock(remaining)}"
        return f"[sk_hpo] {count}{percent}, best={best}, elapsed {_clock(elapsed)}{left}"

    def _optuna_text(self, elapsed: float) -> str:
        """The tqdm line Optuna's ``optimize`` draws."""
        desc = f"{self._note}: " if self._note else ""
        done, total, timeout = self._done, self.total, self.timeout
        rate = f"{done / elapsed if elapsed > 0 else 0.0:.2f}it/s"
        if total is None and timeout is None:  # no budget: count what was done
            return f"{desc}{done}it [{_clock(elapsed)}, {rate}]"
        if total is None:
            shown = min(elapsed, timeout)
            frac = shown / timeout if timeout else 1.0
            return f"{desc}{frac:4.0%}|{_bar(frac)}| {_clock(shown)}/{_clock(timeout)}"
        frac = min(1.0, done / total) if total else 1.0
        left = elapsed / done * max(0, total - done) if done else None
        clocks = _clock(elapsed) + "<" + ("?" if left is None else _clock(left))
        seconds = "" if timeout is None else f", {elapsed:.2f}/{timeout} seconds"
        return f"{desc}{frac:4.0%}|{_bar(frac)}| {done}/{total} [{clocks}, {rate}{seconds}]"

    def _remaining(self, elapsed: float) -> float | None:
        estimates = []
        if self.total is not None and self._done > 0:
            estimates.append(elapsed / self._done * max(0, self.total - self._done))
        if self.timeout is not None:
            estimates.append(max(0.0, self.timeout - elapsed))
        return min(estimates) if estimates else None

    def _draw(self, force: bool = False) -> None:
        if self.terminal:
            now = time.monotonic()
            if not force and now - self._last_draw < MIN_REDRAW:
                return
            self._last_draw = now
            text = self._text()[: shutil.get_terminal_size().columns - 1]
            self.stream.write("\r" + text + " " * max(0, self._width - len(text)))
            self._width = len(text)
            self.stream.flush()
        elif self._plain_due():
            self._print_line()

    def _plain_due(self) -> bool:
        if self.total:
            step = min(10, self._done * 10 // self.total)
            if step > self._last_step:
                self._last_step = step
                return True
            return False
        return time.monotonic() - self._last_draw >= PLAIN_EVERY

    def _print_line(self) -> None:
        self._last_draw = time.monotonic()
        self._printed = self._done
        self.stream.write(self._text() + "\n")
        self.stream.flush()

    def _erase(self) -> None:
        self.stream.write("\r" + " " * self._width + "\r")
        self.stream.flush()
        self._last_draw = -math.inf

    _printed = -1


def _bar(frac: float) -> str:
    filled = int(round(frac * _WIDTH))
    return "#" * filled + "-" * (_WIDTH - filled)


class TrialProgress:
    """``callback(study, frozen_trial)`` counting finished trials into a :class:`ProgressBar`.

    The best score is the best COMPLETE value in the study's direction, the study's earlier
    trials included. Thread-safe (``optimize(n_jobs>1)`` calls it from several threads).

    Examples
    --------
    >>> import io, sk_hpo
    >>> study = sk_hpo.create_study()
    >>> progress = TrialProgress(study, total=3, stream=io.StringIO())
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3, callbacks=[progress])
    >>> progress.close()
    >>> progress.done
    3
    """

    def __init__(
        self,
        study: Any,
        *,
        total: int | None,
        timeout: float | None = None,
        unit: str = "trials",
        stream: TextIO | None = None,
        layout: str = "sk_hpo",
    ) -> None:
        self.bar = ProgressBar(unit=unit, stream=stream, layout=layout)
        self.done = 0
        self.best: float | None = None
        self.best_number: int | None = None
        try:
            self._maximize: bool | None = str(study.direction) == "maximize"
        except RuntimeError:  # several objectives (Optuna's rule): no single best to show
            self._maximize = None
        if self._maximize is not None:
            try:
                best = study.best_trial
                self.best, self.best_number = float(best.value), best.number
            except ValueError:  # no complete trial yet
                pass
        self.bar.start(total, timeout=timeout)

    def __call__(self, study: Any, trial: Any) -> None:
        complete = self._maximize is not None and trial.state == TrialState.COMPLETE
        value = trial.value if complete else None
        with self.bar._lock:
            self.done += 1
            if value is not None and math.isfinite(value) and self._better(value):
                self.best, self.best_number = float(value), trial.number
            note = ""
            if self.best is not None:
                note = f"Best trial: {self.best_number}. Best value: {self.best:.6g}"
            self.bar.update(self.done, self.best, note)

    def _better(self, value: float) -> bool:
        if self.best is None:
            return True
        return value > self.best if self._maximize else value < self.best

    def write(self, message: str) -> None:
        self.bar.write(message)

    def close(self) -> None:
        self.bar.close()
