"""Hypervolume history: the hypervolume of the feasible Pareto front after each COMPLETE trial."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._pareto import hypervolume, to_loss
from sk_hpo._validation import Constraint, check_param
from sk_hpo.importance._trials import resolve_study
from sk_hpo.trial._constraints import is_feasible
from sk_hpo.trial._state import TrialState
from sk_hpo.visualization._pareto_front import check_several_objectives
from sk_hpo.visualization._utils import StudyDisplay, new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "HypervolumeHistoryData",
    "HypervolumeHistoryDisplay",
    "hypervolume_history_data",
    "plot_hypervolume_history",
]

_OWNER = "plot_hypervolume_history"
_POINT = Constraint(
    lambda v: np.ndim(v) == 1
    and np.asarray(v).dtype.kind in "iuf"
    and bool(np.all(np.isfinite(np.asarray(v, dtype=float)))),
    "a sequence of finite floats",
)


@dataclasses.dataclass
class HypervolumeHistoryData:
    """What :func:`plot_hypervolume_history` draws.

    Attributes
    ----------
    numbers : ndarray of shape (n_trials,)
        Numbers of the COMPLETE trials, in order.
    values : ndarray of shape (n_trials,)
        Hypervolume of the front of the feasible trials up to each one, bounded by the
        reference point (non-decreasing).
    reference_point : ndarray of shape (n_objectives,)
        In the objectives' own units and directions.
    """

    numbers: np.ndarray
    values: np.ndarray
    reference_point: np.ndarray


def hypervolume_history_data(
    study: Any, reference_point: Sequence[float]
) -> HypervolumeHistoryData:
    """Compute the data of :func:`plot_hypervolume_history` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(directions=["minimize", "maximize"])
    >>> for v in ([2, 1], [1, 0.5], [3, 0]):
    ...     _ = study.tell(study.ask(), values=v)
    >>> hypervolume_history_data(study, [3, 0]).values.tolist()
    [1.0, 1.5, 1.5]
    """
    study = resolve_study(study, _OWNER)
    check_several_objectives(study, _OWNER, "plot_optimization_history")
    check_param(_OWNER, "reference_point", reference_point, [_POINT])
    ref = np.asarray(reference_point, dtype=float)
    directions = study.directions
    if ref.shape[0] != len(directions):
        raise ValueError(
            f"The 'reference_point' parameter of {_OWNER} must hold one value per objective "
            f"({len(directions)}). Got {list(reference_point)!r} instead."
        )
    ref_loss = to_loss(ref, directions)[0]
    complete = study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    front = np.empty((0, len(directions)))
    volume = 0.0
    values = np.empty(len(complete))
    for k, trial in enumerate(complete):
        point = to_loss(trial.values, directions)[0]
        # a trial changes the volume when feasible, inside the box and not weakly dominated
        if (
            is_feasible(trial)
            and np.all(point < ref_loss)
            and not np.any(np.all(front <= point, axis=1))
        ):
            front = np.vstack([front[~np.all(point <= front, axis=1)], point])
            volume = hypervolume(front, ref_loss)
        values[k] = volume
    return HypervolumeHistoryData(
        numbers=np.array([t.number for t in complete], dtype=int),
        values=values,
        reference_point=ref,
    )


class HypervolumeHistoryDisplay(StudyDisplay, HypervolumeHistoryData):
    """Hypervolume history plot (see :func:`plot_hypervolume_history`).

    Build it with :meth:`from_study` (computes the data, does not draw) and draw it with
    :meth:`plot`.

    Attributes
    ----------
    numbers, values, reference_point
        As in :class:`HypervolumeHistoryData`.
    ax_ : matplotlib Axes
        Set by :meth:`plot`.
    figure_ : matplotlib Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(directions=["minimize", "minimize"])
    >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)),
    ...                n_trials=5)
    >>> display = HypervolumeHistoryDisplay.from_study(study, [1.0, 1.0])
    >>> display.plot().ax_.get_ylabel()
    'Hypervolume'
    """

    @classmethod
    def from_study(
        cls, study: Any, reference_point: Sequence[float]
    ) -> HypervolumeHistoryDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(hypervolume_history_data(study, reference_point))

    def plot(self, ax: Axes | None = None) -> HypervolumeHistoryDisplay:
        """Draw on ``ax`` (a new figure when None) and return the display."""
        ax = new_axes(ax)
        ax.set_title("Hypervolume history")
        ax.set_xlabel("Trial")
        ax.set_ylabel("Hypervolume")
        if self.values.size == 0:
            note(ax, "No COMPLETE trial to plot yet.")
            return self._finish(ax)
        ax.plot(self.numbers, self.values, marker="o", markersize=3, color="tab:blue")
        return self._finish(ax)


def plot_hypervolume_history(
    study: Any, reference_point: Sequence[float], *, ax: Axes | None = None
) -> Axes:
    """Plot the hypervolume of the study's Pareto front after each COMPLETE trial.

    The hypervolume is the volume the feasible trials so far dominate, bounded by
    ``reference_point`` (Optuna's ``plot_hypervolume_history``); infeasible trials and trials
    not better than the reference point in every objective leave it unchanged.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
        A study of several objectives.
    reference_point : sequence of float
        One value per objective, in the objectives' own units and directions: worse than
        every value of interest (larger for a minimised objective, smaller for a maximised
        one).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        For a study of a single objective, or a reference point whose length is not the
        number of objectives.

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.visualization import plot_hypervolume_history
    >>> study = sk_hpo.create_study(directions=["minimize", "maximize"])
    >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)),
    ...                n_trials=10)
    >>> ax = plot_hypervolume_history(study, reference_point=[1.0, 0.0])
    >>> ax.get_title()
    'Hypervolume history'
    """
    display = HypervolumeHistoryDisplay.from_study(study, reference_point)
    return display.plot(ax=ax).ax_
