"""Parallel-coordinate plot: each trial a line across the objective and parameter axes."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

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
    new_axes,
    note,
    plot_direction,
    value_cmap,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ParallelCoordinateData",
    "ParallelCoordinateDisplay",
    "parallel_coordinate_data",
    "plot_parallel_coordinate",
]

ABSENT = -0.12  # where a trial without a (conditional) parameter crosses that axis
_N_TICKS = 5


@dataclasses.dataclass
class ParallelCoordinateData:
    """What :func:`plot_parallel_coordinate` draws.

    Attributes
    ----------
    names : list of str
        Axis names: ``target_name`` first, then the parameters.
    domains : dict of str to ParamDomain
        The plotted parameters.
    positions : ndarray of shape (n_trials, n_axes)
        Each trial's position on each axis, scaled to [0, 1] on the axis's own scale (log for
        log parameters, evenly spaced choices for categorical ones); NaN where the trial does
        not have the parameter.
    values : ndarray of shape (n_trials,)
        Objective (or target) values, the color of the lines.
    numbers : ndarray of shape (n_trials,)
    ticks : list of (ndarray, list of str)
        For each axis, tick positions in [0, 1] and their labels.
    target_name : str
    direction : {"minimize", "maximize"}
    """

    names: list[str]
    domains: dict[str, ParamDomain]
    positions: np.ndarray
    values: np.ndarray
    numbers: np.ndarray
    ticks: list[tuple[np.ndarray, list[str]]]
    target_name: str
    direction: str


def parallel_coordinate_data(
    study: Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> ParallelCoordinateData:
    """Compute the data of :func:`plot_parallel_coordinate` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> for v in [1.0, 3.0]:
    ...     trial = study.ask()
    ...     _ = trial.suggest_categorical("kind", ["a", "b"])
    ...     _ = study.tell(trial, v)
    >>> data = parallel_coordinate_data(study)
    >>> data.names, data.positions[:, 0].tolist()
    (['Objective Value', 'kind'], [0.0, 1.0])
    """
    owner = "plot_parallel_coordinate"
    study = resolve_study(study, owner)
    trials, values = completed_trials(study, target, owner)
    domains = param_domains(trials, params, owner)
    objective = ParamDomain(
        target_name, "float", False, *(_span(values) if values.size else (0.0, 1.0))
    )
    columns = [objective.to_unit(values)]
    ticks = [_numeric_ticks(objective)]
    for domain in domains.values():
        columns.append(domain.to_unit(domain.values(trials)))
        ticks.append(_ticks(domain))
    return ParallelCoordinateData(
        names=[target_name, *domains],
        domains=domains,
        positions=np.column_stack(columns) if trials else np.empty((0, len(columns))),
        values=values,
        numbers=np.array([t.number for t in trials], dtype=int),
        ticks=ticks,
        target_name=target_name,
        direction=plot_direction(study),
    )


def _span(values: np.ndarray) -> tuple[float, float]:
    return float(values.min()), float(values.max())


def _ticks(domain: ParamDomain) -> tuple[np.ndarray, list[str]]:
    if domain.is_categorical:
        n = len(domain.labels)
        return domain.to_unit(np.arange(n, dtype=float)), list(domain.labels)
    return _numeric_ticks(domain)


def _numeric_ticks(domain: ParamDomain) -> tuple[np.ndarray, list[str]]:
    if domain.high == domain.low:
        return np.array([0.5]), [f"{domain.low:.3g}"]
    space = np.geomspace if domain.log else np.linspace
    values = space(domain.low, domain.high, _N_TICKS)
    if domain.kind == "int":
        values = np.unique(np.round(values))
    return domain.to_unit(values), [f"{v:.3g}" for v in values]


class ParallelCoordinateDisplay(StudyDisplay, ParallelCoordinateData):
    """Parallel-coordinate plot (see :func:`plot_parallel_coordinate`).

    Attributes
    ----------
    names, domains, positions, values, numbers, ticks, target_name, direction
        As in :class:`ParallelCoordinateData`.
    ax_, figure_
        Set by :meth:`plot`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
    >>> display = ParallelCoordinateDisplay.from_study(study).plot()
    >>> [t.get_text() for t in display.ax_.get_xticklabels()]
    ['Objective Value', 'x']
    """

    @classmethod
    def from_study(
        cls,
        study: Any,
        *,
        params: list[str] | None = None,
        target: Target | None = None,
        target_name: str = DEFAULT_TARGET_NAME,
    ) -> ParallelCoordinateDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(
            parallel_coordinate_data(study, params=params, target=target, target_name=target_name)
        )

    def plot(self, ax: Axes | None = None) -> ParallelCoordinateDisplay:
        """Draw on ``ax`` (a new figure when None) and return the display."""
        from matplotlib.cm import ScalarMappable
        from matplotlib.collections import LineCollection
        from matplotlib.colors import Normalize

        m = len(self.names)
        ax = new_axes(ax, figsize=(max(6.4, 1.6 * m), 4.2))
        ax.set_title("Parallel coordinate plot")
        ax.set_xticks(np.arange(m), labels=self.names)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.set_xlim(-0.1, m - 0.6)
        ax.set_ylim(ABSENT - 0.06, 1.06)
        if self.values.size == 0:
            note(ax, "No COMPLETE trial to plot yet.")
            return self._finish(ax)
        absent = np.isnan(self.positions)
        y = np.where(absent, ABSENT, self.positions)
        order = np.argsort(self.values if self.direction == "maximize" else -self.values)
        segments = np.stack([np.broadcast_to(np.arange(m), y.shape), y], axis=2)[order]
        norm = Normalize(*(_span(self.values) if np.ptp(self.values) else (0.0, 1.0)))
        cmap = value_cmap(self.direction)
        lines = LineCollection(list(segments), cmap=cmap, norm=norm, linewidths=1.2, alpha=0.8)
        lines.set_array(self.values[order])
        ax.add_collection(lines)
        for k, (positions, labels) in enumerate(self.ticks):
            ax.axvline(k, color="0.3", linewidth=0.8)
            if absent[:, k].any():
                positions, labels = np.append(positions, ABSENT), [*labels, "(absent)"]
            for pos, label in zip(positions, labels):
                ax.text(k + 0.03, pos, label, fontsize=7, va="center", color="0.2")
        ax.figure.colorbar(ScalarMappable(norm, cmap), ax=ax, label=self.target_name, pad=0.01)
        return self._finish(ax)


def plot_parallel_coordinate(
    study: Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    ax: Axes | None = None,
) -> Axes:
    """Plot each COMPLETE trial as a line across the objective and parameter axes.

    Each axis runs on its parameter's own scale (log for log parameters, evenly spaced
    choices for categorical ones). A trial without a conditional parameter crosses that
    axis at "(absent)", below its range. Lines are colored by value, the best drawn on top.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
    params : list of str, default=None
        Parameters to show; None means all, sorted by name.
    target : callable, default=None
        ``target(frozen_trial) -> float`` to plot instead of the value.
    target_name : str, default="Objective Value"
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.visualization import plot_parallel_coordinate
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    ...     depth = trial.suggest_int("depth", 1, 8)
    ...     return lr * depth
    >>> study.optimize(objective, n_trials=10)
    >>> plot_parallel_coordinate(study, params=["lr"]).get_title()
    'Parallel coordinate plot'
    """
    display = ParallelCoordinateDisplay.from_study(
        study, params=params, target=target, target_name=target_name
    )
    return display.plot(ax=ax).ax_
