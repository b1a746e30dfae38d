"""Optimization history: each COMPLETE trial's value by trial number, and the best so far."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.importance._trials import Target, completed_trials, resolve_study
from sk_hpo.visualization._utils import (
    DEFAULT_TARGET_NAME,
    StudyDisplay,
    new_axes,
    note,
    plot_direction,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "OptimizationHistoryData",
    "OptimizationHistoryDisplay",
    "optimization_history_data",
    "plot_optimization_history",
]


@dataclasses.dataclass
class OptimizationHistoryData:
    """What :func:`plot_optimization_history` draws.

    Attributes
    ----------
    numbers : ndarray of shape (n_trials,)
        Numbers of the COMPLETE trials with a finite value.
    values : ndarray of shape (n_trials,)
        Their values (or ``target(trial)``).
    best_values : ndarray of shape (n_trials,) or None
        Best value so far in the study's direction; None when a ``target`` is plotted (its
        direction is unknown).
    target_name : str
    direction : {"minimize", "maximize"}
    """

    numbers: np.ndarray
    values: np.ndarray
    best_values: np.ndarray | None
    target_name: str
    direction: str


def optimization_history_data(
    study: Any, *, target: Target | None = None, target_name: str = DEFAULT_TARGET_NAME
) -> OptimizationHistoryData:
    """Compute the data of :func:`plot_optimization_history` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> for v in [3.0, 1.0, 2.0]:
    ...     _ = study.tell(study.ask(), v)
    >>> optimization_history_data(study).best_values.tolist()
    [3.0, 1.0, 1.0]
    """
    study = resolve_study(study, "plot_optimization_history")
    trials, values = completed_trials(study, target, "plot_optimization_history")
    best = None
    if target is None:
        running = np.fmax if plot_direction(study) == "maximize" else np.fmin
        best = running.accumulate(values) if values.size else values.copy()
    return OptimizationHistoryData(
        numbers=np.array([t.number for t in trials], dtype=int),
        values=values,
        best_values=best,
        target_name=target_name,
        direction=plot_direction(study),
    )


class OptimizationHistoryDisplay(StudyDisplay, OptimizationHistoryData):
    """Optimization history plot (see :func:`plot_optimization_history`).

    Build it with :meth:`from_study` (computes the data, does not draw) and draw it with
    :meth:`plot`.

    Attributes
    ----------
    numbers, values, best_values, target_name, direction
        As in :class:`OptimizationHistoryData`.
    ax_ : matplotlib Axes
        Set by :meth:`plot`.
    figure_ : matplotlib Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    >>> display = OptimizationHistoryDisplay.from_study(study)
    >>> display.values.shape
    (5,)
    >>> display.plot().ax_.get_title()
    'Optimization history'
    """

    @classmethod
    def from_study(
        cls,
        study: Any,
        *,
        target: Target | None = None,
        target_name: str = DEFAULT_TARGET_NAME,
    ) -> OptimizationHistoryDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(
            optimization_history_data(study, target=target, target_name=target_name)
        )

    def plot(self, ax: Axes | None = None) -> OptimizationHistoryDisplay:
        """Draw on ``ax`` (a new figure when None) and return the display."""
        ax = new_axes(ax)
        ax.set_title("Optimization history")
        ax.set_xlabel("Trial")
        ax.set_ylabel(self.target_name)
        if self.values.size == 0:
            note(ax, "No COMPLETE trial to plot yet.")
            return self._finish(ax)
        ax.scatter(self.numbers, self.values, s=18, color="tab:blue", label=self.target_name)
        if self.best_values is not None:
            ax.step(
                self.numbers, self.best_values, where="post", color="tab:red", label="Best value"
            )
        ax.legend(loc="best")
        return self._finish(ax)


def plot_optimization_history(
    study: Any,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    ax: Axes | None = None,
) -> Axes:
    """Plot each COMPLETE trial's value by trial number, with the best value so far.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
    target : callable, default=None
        ``target(frozen_trial) -> float`` to plot instead of the value (no best-value line).
    target_name : str, default="Objective Value"
        Label of the value axis.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.visualization import plot_optimization_history
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    >>> ax = plot_optimization_history(study)
    >>> ax.get_ylabel()
    'Objective Value'
    """
    display = OptimizationHistoryDisplay.from_study(study, target=target, target_name=target_name)
    return display.plot(ax=ax).ax_
