"""Slice plot: the objective against each parameter, one panel per parameter."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from sk_hpo.importance._trials import (
    ParamDomain,
    Target,
    completed_trials,
    param_domains,
    resolve_study,
)
from sk_hpo.visualization._utils import (
    DEFAULT_TARGET_NAME,
    StudyDisplay,
    axes_grid,
    note,
    set_param_axis,
)

__all__ = ["SliceData", "SliceDisplay", "plot_slice", "slice_data"]


@dataclasses.dataclass
class SliceData:
    """What :func:`plot_slice` draws.

    Attributes
    ----------
    domains : dict of str to ParamDomain
        The plotted parameters, in panel order.
    positions : dict of str to ndarray
        For each parameter, its value in each plotted trial (choice index for a categorical
        one); a trial without the parameter (conditional) is left out of that panel.
    values : dict of str to ndarray
        The objective (or target) of the same trials.
    numbers : dict of str to ndarray
        The trial numbers of the same trials (the color of the points).
    target_name : str
    """

    domains: dict[str, ParamDomain]
    positions: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    numbers: dict[str, np.ndarray]
    target_name: str


def slice_data(
    study: Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> SliceData:
    """Compute the data of :func:`plot_slice` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     if trial.suggest_categorical("kind", ["a", "b"]) == "a":
    ...         return trial.suggest_float("x", 0, 1)
    ...     return 1.0
    >>> study.optimize(objective, n_trials=6)
    >>> data = slice_data(study)
    >>> list(data.domains), data.positions["kind"].size, data.positions["x"].size < 6
    (['kind', 'x'], 6, True)
    """
    owner = "plot_slice"
    study = resolve_study(study, owner)
    trials, values = completed_trials(study, target, owner)
    domains = param_domains(trials, params, owner)
    numbers = np.array([t.number for t in trials], dtype=int)
    positions, kept_values, kept_numbers = {}, {}, {}
    for name, domain in domains.items():
        x = domain.values(trials)
        has = ~np.isnan(x)
        positions[name], kept_values[name], kept_numbers[name] = x[has], values[has], numbers[has]
    return SliceData(domains, positions, kept_values, kept_numbers, target_name)


class SliceDisplay(StudyDisplay, SliceData):
    """Slice plot (see :func:`plot_slice`).

    Attributes
    ----------
    domains, positions, values, numbers, target_name
        As in :class:`SliceData`.
    ax_ : ndarray of matplotlib Axes, shape (n_params,)
        Set by :meth:`plot` (one Axes holding a note when there is nothing to plot).
    figure_
        Set by :meth:`plot`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("lr", 1e-3, 1, log=True), n_trials=5)
    >>> SliceDisplay.from_study(study).plot().ax_[0].get_xscale()
    'log'
    """

    @classmethod
    def from_study(
        cls,
        study: Any,
        *,
        params: list[str] | None = None,
        target: Target | None = None,
        target_name: str = DEFAULT_TARGET_NAME,
    ) -> SliceDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(
            slice_data(study, params=params, target=target, target_name=target_name)
        )

    def plot(self, ax: Any = None) -> SliceDisplay:
        """Draw one panel per parameter on ``ax`` (new Axes when None); return the display.

        ``ax`` may be one Axes per parameter (any array-like of them).
        """
        n = max(1, len(self.domains))
        grid = axes_grid(ax, 1, n, "SliceDisplay.plot", sharey=True).ravel()
        grid[0].set_ylabel(self.target_name)
        if not self.domains:
            grid[0].set_title("Slice plot")
            note(grid[0], "No COMPLETE trial with parameters to plot yet.")
            return self._finish(grid)
        points = None
        vmax = max((int(num.max()) for num in self.numbers.values() if num.size), default=1)
        for axis, (name, domain) in zip(grid, self.domains.items()):
            set_param_axis(axis, domain)
            if self.positions[name].size == 0:
                note(axis, "No trial has this parameter.")
                continue
            points = axis.scatter(
                self.positions[name],
                self.values[name],
                c=self.numbers[name],
                cmap="Blues",
                vmin=0,
                vmax=max(vmax, 1),
                edgecolors="0.3",
                linewidths=0.5,
                s=22,
            )
        grid[0].figure.suptitle("Slice plot")
        if points is not None:
            grid[0].figure.colorbar(points, ax=list(grid), label="Trial", pad=0.01)
        return self._finish(grid)


def plot_slice(
    study: Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    ax: Any = None,
) -> np.ndarray:
    """Plot the objective against each parameter, one panel per parameter.

    Log parameters get a log axis, categorical ones an axis of their choices; a trial
    without a (conditional) parameter is left out of that parameter's panel. The color of a
    point is its trial number: late trials are darker.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
    params : list of str, default=None
        Parameters to plot; None means all, sorted by name.
    target : callable, default=None
        ``target(frozen_trial) -> float`` to plot instead of the value.
    target_name : str, default="Objective Value"
    ax : array-like of matplotlib Axes, default=None
        One Axes per parameter; new ones when None.

    Returns
    -------
    ndarray of matplotlib Axes, shape (n_params,)

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.visualization import plot_slice
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -1, 1)
    ...     kernel = trial.suggest_categorical("kernel", ["rbf", "linear"])
    ...     return x ** 2 + (kernel == "rbf")
    >>> study.optimize(objective, n_trials=8)
    >>> [ax.get_xlabel() for ax in plot_slice(study)]
    ['kernel', 'x']
    """
    display = SliceDisplay.from_study(
        study, params=params, target=target, target_name=target_name
    )
    return display.plot(ax=ax).ax_
