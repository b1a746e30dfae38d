"""Timeline: which worker ran which trial when, colored by state."""

from __future__ import annotations

import dataclasses
import datetime
import heapq
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.importance._trials import resolve_study
from sk_hpo.visualization._utils import StudyDisplay, new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["TimelineData", "TimelineDisplay", "assign_lanes", "plot_timeline", "timeline_data"]

WORKER_ATTR = "worker"
_SLOT = "slot "
_COLORS = {
    "COMPLETE": "tab:blue",
    "PRUNED": "tab:orange",
    "FAIL": "tab:red",
    "RUNNING": "0.6",
}


@dataclasses.dataclass
class TimelineData:
    """What :func:`plot_timeline` draws: one bar per started trial.

    Attributes
    ----------
    numbers : ndarray of shape (n_trials,)
    states : list of str
    starts, ends : ndarray of shape (n_trials,)
        Seconds since ``t0``; a RUNNING trial ends now.
    lanes : ndarray of shape (n_trials,)
        Row of each bar: the trial's worker.
    lane_labels : list of str
        Name of each row: the trial's ``"worker"`` system attribute when it has one, else an
        inferred slot (trials packed greedily so that overlapping ones never share a row).
    t0 : datetime or None
        Start of the earliest trial.
    """

    numbers: np.ndarray
    states: list[str]
    starts: np.ndarray
    ends: np.ndarray
    lanes: np.ndarray
    lane_labels: list[str]
    t0: datetime.datetime | None

    @property
    def rows_text(self) -> str:
        """What a row is: a worker, a slot of trials in flight at once, or either.

        HPOSearchCV records no worker: it keeps more candidates in flight than it has
        workers (their folds interleave), so its rows are slots, not workers.
        """
        slots = sum(label.startswith(_SLOT) for label in self.lane_labels)
        if slots == 0:
            return "one row per worker"
        slot_text = "trials that overlap in time are put on separate rows (a row is not a worker)"
        if slots == len(self.lane_labels):
            return slot_text
        return f"one row per worker where it was recorded, else {slot_text}"


def assign_lanes(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Pack intervals into the fewest rows so that no two in a row overlap (greedy).

    Intervals are taken by start time; each goes to the lowest free row. Touching intervals
    (one ends when the next starts) may share a row.

    Examples
    --------
    >>> assign_lanes(np.array([0.0, 1.0, 2.0, 3.5]), np.array([2.0, 3.0, 4.0, 5.0])).tolist()
    [0, 1, 0, 1]
    """
    lanes = np.zeros(len(starts), dtype=int)
    free: list[int] = []  # heap of free row numbers
    busy: list[tuple[float, int]] = []  # heap of (end, row)
    n_rows = 0
    for i in np.lexsort((np.arange(len(starts)), starts)):
        while busy and busy[0][0] <= starts[i]:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            row = heapq.heappop(free)
        else:
            row, n_rows = n_rows, n_rows + 1
        lanes[i] = row
        heapq.heappush(busy, (float(ends[i]), row))
    return lanes


def timeline_data(study: Any) -> TimelineData:
    """Compute the data of :func:`plot_timeline` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> data = timeline_data(study)  # optimize records each trial's worker: host/pid/thread
    >>> data.lanes.tolist(), data.lane_labels[0].endswith("/MainThread")
    ([0, 0, 0], True)
    >>> for _ in range(2):  # trials run by ask and tell have no worker: slots are inferred
    ...     _ = study.tell(study.ask(), 1.0)
    >>> timeline_data(study).lane_labels[1:]
    ['slot 0']
    """
    study = resolve_study(study, "plot_timeline")
    trials = [
        t
        for t in study._get_trials(deepcopy=False)
        if t.datetime_start is not None and t.state.name in _COLORS
    ]
    if not trials:
        none = np.empty(0, dtype=int)
        return TimelineData(none, [], np.empty(0), np.empty(0), none, [], None)
    t0 = min(t.datetime_start for t in trials)
    now = datetime.datetime.now(tz=t0.tzinfo)
    starts = np.array([(t.datetime_start - t0).total_seconds() for t in trials])
    ends = np.array([((t.datetime_complete or now) - t0).total_seconds() for t in trials])
    ends = np.maximum(ends, starts)
    workers = [t.system_attrs.get(WORKER_ATTR) for t in trials]
    named = np.array([w is not None for w in workers], dtype=bool)
    order = np.argsort(starts, kind="stable")
    lane_labels = list(dict.fromkeys(str(workers[i]) for i in order if workers[i] is not None))
    lanes = np.zeros(len(trials), dtype=int)
    lanes[named] = [lane_labels.index(str(w)) for w in workers if w is not None]
    if (~named).any():
        slots = assign_lanes(starts[~named], ends[~named])
        lanes[~named] = len(lane_labels) + slots
        lane_labels += [f"{_SLOT}{k}" for k in range(int(slots.max()) + 1)]
    return TimelineData(
        numbers=np.array([t.number for t in trials], dtype=int),
        states=[t.state.name for t in trials],
        starts=starts,
        ends=ends,
        lanes=lanes,
        lane_labels=lane_labels,
        t0=t0,
    )


class TimelineDisplay(StudyDisplay, TimelineData):
    """Timeline plot (see :func:`plot_timeline`).

    Attributes
    ----------
    numbers, states, starts, ends, lanes, lane_labels, t0
        As in :class:`TimelineData`.
    ax_, figure_
        Set by :meth:`plot`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    >>> TimelineDisplay.from_study(study).plot().ax_.get_title()
    'Timeline'
    """

    @classmethod
    def from_study(cls, study: Any) -> TimelineDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(timeline_data(study))

    def plot(self, ax: Axes | None = None) -> TimelineDisplay:
        """Draw on ``ax`` (a new figure when None) and return the display."""
        from matplotlib.patches import Patch

        n_lanes = len(self.lane_labels)
        ax = new_axes(ax, figsize=(7.2, max(2.6, 0.35 * n_lanes + 1.6)))
        ax.set_title("Timeline")
        start = "" if self.t0 is None else f" since {self.t0:%Y-%m-%d %H:%M:%S}"
        ax.set_xlabel(f"Seconds{start}")
        if self.numbers.size == 0:
            note(ax, "No trial has started yet.")
            return self._finish(ax)
        # A bar is at least 0.2% of the span wide, so instant trials stay visible.
        width = np.maximum(self.ends - self.starts, 0.002 * max(float(self.ends.max()), 1e-9))
        colors = [_COLORS[s] for s in self.states]
        ax.barh(
            self.lanes, width, left=self.starts, height=0.7, color=colors, edgecolor="w",
            linewidth=0.3,
        )
        ax.set_yticks(np.arange(n_lanes), labels=self.lane_labels)
        ax.set_ylim(n_lanes - 0.5, -0.5)
        slots = sum(label.startswith(_SLOT) for label in self.lane_labels)
        ax.set_ylabel("Worker" if not slots else "Slot" if slots == n_lanes else "Worker / slot")
        present = [s for s in _COLORS if s in self.states]
        ax.legend(
            handles=[Patch(color=_COLORS[s], label=s.capitalize()) for s in present],
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=8,
        )
        return self._finish(ax)


def plot_timeline(study: Any, *, ax: Axes | None = None) -> Axes:
    """Plot when each trial ran, colored by state: one row per worker, or per slot.

    Rows are the trials' ``"worker"`` system attribute when the runner recorded it
    (:meth:`Study.optimize` does); otherwise (ask and tell, HPOSearchCV) trials are packed into
    as few rows ("slots") as possible without overlap, so the number of rows is how many
    trials were in flight at once. HPOSearchCV keeps more candidates in flight than it has
    workers, their folds interleaving, so its slots outnumber its workers.
    Pruned trials show as short orange bars.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.visualization import plot_timeline
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4, n_jobs=2)
    >>> plot_timeline(study).get_ylabel()
    'Worker'
    """
    return TimelineDisplay.from_study(study).plot(ax=ax).ax_
