"""Learning curves: the values each trial reported, step by step, pruned trials marked."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.importance._trials import resolve_study
from sk_hpo.visualization._utils import StudyDisplay, new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "IntermediateValuesData",
    "IntermediateValuesDisplay",
    "intermediate_values_data",
    "plot_intermediate_values",
]

_STYLE = {  # state name -> (color, line style, alpha)
    "COMPLETE": ("tab:blue", "-", 0.8),
    "PRUNED": ("tab:orange", "-", 0.8),
    "FAIL": ("tab:red", ":", 0.8),
    "RUNNING": ("0.5", "--", 0.8),
}


@dataclasses.dataclass
class IntermediateValuesData:
    """What :func:`plot_intermediate_values` draws: one curve per trial that reported.

    Attributes
    ----------
    numbers : ndarray of shape (n_curves,)
        Trial numbers.
    states : list of str
        Trial state names (``"COMPLETE"``, ``"PRUNED"``, ``"FAIL"``, ``"RUNNING"``).
    steps : list of ndarray
        Reported steps of each trial, increasing.
    values : list of ndarray
        Reported values at those steps (NaN and infinities kept out).
    """

    numbers: np.ndarray
    states: list[str]
    steps: list[np.ndarray]
    values: list[np.ndarray]


def intermediate_values_data(study: Any) -> IntermediateValuesData:
    """Compute the data of :func:`plot_intermediate_values` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> trial = study.ask()
    >>> trial.report(0.5, step=0); trial.report(0.25, step=1)
    >>> _ = study.tell(trial, state=sk_hpo.TrialState.PRUNED)
    >>> data = intermediate_values_data(study)
    >>> data.states, data.values[0].tolist()
    (['PRUNED'], [0.5, 0.25])
    """
    study = resolve_study(study, "plot_intermediate_values")
    numbers, states, steps, values = [], [], [], []
    for trial in study._get_trials(deepcopy=False):
        if trial.state.name not in _STYLE or not trial.intermediate_values:
            continue
        s = np.array(sorted(trial.intermediate_values), dtype=int)
        v = np.array([trial.intermediate_values[i] for i in s], dtype=float)
        finite = np.isfinite(v)
        numbers.append(trial.number)
        states.append(trial.state.name)
        steps.append(s[finite])
        values.append(v[finite])
    return IntermediateValuesData(np.array(numbers, dtype=int), states, steps, values)


class IntermediateValuesDisplay(StudyDisplay, IntermediateValuesData):
    """Learning-curve plot (see :func:`plot_intermediate_values`).

    Attributes
    ----------
    numbers, states, steps, values
        As in :class:`IntermediateValuesData`.
    ax_, figure_
        Set by :meth:`plot`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> trial = study.ask()
    >>> trial.report(1.0, step=0)
    >>> _ = study.tell(trial, 1.0)
    >>> IntermediateValuesDisplay.from_study(study).plot().ax_.get_xlabel()
    'Step'
    """

    @classmethod
    def from_study(cls, study: Any) -> IntermediateValuesDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(intermediate_values_data(study))

    def plot(self, ax: Axes | None = None) -> IntermediateValuesDisplay:
        """Draw on ``ax`` (a new figure when None) and return the display."""
        from matplotlib.lines import Line2D

        ax = new_axes(ax)
        ax.set_title("Intermediate values")
        ax.set_xlabel("Step")
        ax.set_ylabel("Intermediate value")
        if not any(v.size for v in self.values):
            note(ax, "No trial reported intermediate values (trial.report) yet.")
            return self._finish(ax)
        for state, s, v in zip(self.states, self.steps, self.values):
            color, style, alpha = _STYLE[state]
            ax.plot(s, v, linestyle=style, color=color, alpha=alpha, marker=".", markersize=3)
            if state == "PRUNED" and v.size:
                ax.plot(s[-1], v[-1], marker="x", color=color, markersize=7, linestyle="none")
        handles = [
            Line2D([], [], color=_STYLE[st][0], linestyle=_STYLE[st][1], label=st.capitalize())
            for st in _STYLE
            if st in self.states
        ]
        ax.legend(handles=handles, loc="best")
        return self._finish(ax)


def plot_intermediate_values(study: Any, *, ax: Axes | None = None) -> Axes:
    """Plot each trial's reported values by step: learning curves, pruned ones in orange.

    A pruned trial's curve ends with a cross where it was stopped.

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
    >>> from sk_hpo.visualization import plot_intermediate_values
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     lr = trial.suggest_float("lr", 0.1, 1.0)
    ...     for step in range(5):
    ...         trial.report(lr / (step + 1), step)
    ...     return lr / 5
    >>> study.optimize(objective, n_trials=3)
    >>> plot_intermediate_values(study).get_title()
    'Intermediate values'
    """
    return IntermediateValuesDisplay.from_study(study).plot(ax=ax).ax_
