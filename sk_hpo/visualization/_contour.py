"""Contour plot: the objective over pairs of parameters, interpolated between trials."""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.importance._trials import (
    ParamDomain,
    Target,
    completed_trials,
    param_domains,
    resolve_study,
)
from sk_hpo.visualization._interpolate import idw_grid
from sk_hpo.visualization._utils import (
    DEFAULT_TARGET_NAME,
    StudyDisplay,
    axes_grid,
    note,
    plot_direction,
    set_param_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ContourData", "ContourDisplay", "ContourPair", "contour_data", "plot_contour"]

_GRID = 50
_N_LEVELS = 15  # odd: a constant surface sits mid-band, not on an edge


@dataclasses.dataclass
class ContourPair:
    """The trials and the interpolated surface of one (x, y) pair of parameters.

    Attributes
    ----------
    x, y : ndarray of shape (n_points,)
        Parameter values (choice index for a categorical one) of the trials having both.
    z : ndarray of shape (n_points,)
        Their objective (or target) values.
    grid_x, grid_y : ndarray of shape (n_grid,)
        Grid coordinates along each axis (log-spaced for a log parameter).
    grid_z : ndarray of shape (n_grid, n_grid)
        Inverse-distance-weighted interpolation of ``z`` (in the axes' own scales) at
        ``(grid_x[j], grid_y[i])``; empty when no trial has both parameters.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    grid_x: np.ndarray
    grid_y: np.ndarray
    grid_z: np.ndarray


@dataclasses.dataclass
class ContourData:
    """What :func:`plot_contour` draws.

    Attributes
    ----------
    domains : dict of str to ParamDomain
        The plotted parameters, in order.
    pairs : dict of (str, str) to ContourPair
        One entry per ordered pair ``(x_name, y_name)`` of distinct parameters.
    target_name : str
    direction : {"minimize", "maximize"}
        Colors run from light (bad) to dark (good) in this direction.
    """

    domains: dict[str, ParamDomain]
    pairs: dict[tuple[str, str], ContourPair]
    target_name: str
    direction: str


def contour_data(
    study: Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> ContourData:
    """Compute the data of :func:`plot_contour` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     return trial.suggest_float("x", 0, 1) + trial.suggest_int("n", 1, 5)
    >>> study.optimize(objective, n_trials=6)
    >>> data = contour_data(study)
    >>> sorted(data.pairs), data.pairs["n", "x"].grid_z.shape
    ([('n', 'x'), ('x', 'n')], (50, 50))
    """
    owner = "plot_contour"
    study = resolve_study(study, owner)
    trials, values = completed_trials(study, target, owner)
    domains = param_domains(trials, params, owner)
    if params is not None and len(domains) < 2:
        raise ValueError(
            f"The 'params' parameter of {owner} must name at least 2 parameters. Got "
            f"{params!r} instead. Use plot_slice for one parameter."
        )
    positions = {name: d.values(trials) for name, d in domains.items()}
    pairs = {}
    for xn, yn in itertools.permutations(domains, 2):
        dx, dy = domains[xn], domains[yn]
        has = ~np.isnan(positions[xn]) & ~np.isnan(positions[yn])
        x, y, z = positions[xn][has], positions[yn][has], values[has]
        gx, gy = _grid_axis(dx), _grid_axis(dy)
        if z.size:
            points = np.column_stack([dx.to_unit(x), dy.to_unit(y)])
            gz = idw_grid(points, z, dx.to_unit(gx), dy.to_unit(gy))
        else:
            gz = np.empty((0, 0))
        pairs[xn, yn] = ContourPair(x, y, z, gx, gy, gz)
    return ContourData(domains, pairs, target_name, plot_direction(study))


def _grid_axis(domain: ParamDomain) -> np.ndarray:
    """Grid coordinates covering the parameter's axis (never a degenerate range)."""
    low, high = domain.low, domain.high
    if domain.is_categorical:
        return np.linspace(-0.5, high + 0.5, _GRID)
    if domain.log:
        if high == low:
            low, high = low / 1.5, high * 1.5
        return np.geomspace(low, high, _GRID)
    if high == low:
        low, high = low - 0.5, high + 0.5
    return np.linspace(low, high, _GRID)


class ContourDisplay(StudyDisplay, ContourData):
    """Contour plot (see :func:`plot_contour`).

    Attributes
    ----------
    domains, pairs, target_name, direction
        As in :class:`ContourData`.
    ax_ : matplotlib Axes, or ndarray of Axes of shape (n_params, n_params)
        Set by :meth:`plot`: one Axes for two parameters, a grid for more.
    figure_
        Set by :meth:`plot`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     return trial.suggest_float("x", 0, 1) * trial.suggest_float("y", 1, 100, log=True)
    >>> study.optimize(objective, n_trials=6)
    >>> ContourDisplay.from_study(study).plot().ax_.get_yscale()
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
    ) -> ContourDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(
            contour_data(study, params=params, target=target, target_name=target_name)
        )

    def plot(self, ax: Any = None) -> ContourDisplay:
        """Draw on ``ax`` (new Axes when None) and return the display.

        With more than two parameters, ``ax`` must hold n x n Axes (any array-like).
        """
        from matplotlib.colors import Normalize

        names = list(self.domains)
        n = len(names)
        if n < 2:
            grid = axes_grid(ax, 1, 1, "ContourDisplay.plot")
            grid[0, 0].set_title("Contour plot")
            note(grid[0, 0], "A contour plot needs COMPLETE trials with at least 2 parameters.")
            return self._finish(grid[0, 0])
        grid = axes_grid(ax, 1, 1, "ContourDisplay.plot") if n == 2 else axes_grid(
            ax, n, n, "ContourDisplay.plot"
        )
        z_all = np.concatenate([p.z for p in self.pairs.values()])
        norm = Normalize(*(_bounds(z_all) if z_all.size else (0.0, 1.0)))
        cmap = "Blues_r" if self.direction == "minimize" else "Blues"
        filled = None
        cells = [(0, 0, names[0], names[1])] if n == 2 else [
            (i, j, names[j], names[i]) for i in range(n) for j in range(n)
        ]
        for i, j, xn, yn in cells:
            axis = grid[i, j]
            if xn == yn:
                axis.axis("off")
                axis.text(0.5, 0.5, xn, ha="center", va="center", transform=axis.transAxes)
                continue
            filled = self._draw_pair(axis, xn, yn, norm, cmap) or filled
            if n > 2 and i < n - 1:
                axis.set_xlabel("")
            if n > 2 and j > 0:
                axis.set_ylabel("")
        figure = grid[0, 0].figure
        figure.suptitle("Contour plot")
        if filled is not None:
            figure.colorbar(filled, ax=list(grid.ravel()), label=self.target_name, pad=0.01)
        return self._finish(grid[0, 0] if n == 2 else grid)

    def _draw_pair(self, axis: Axes, xn: str, yn: str, norm: Any, cmap: str) -> Any:
        pair = self.pairs[xn, yn]
        set_param_axis(axis, self.domains[xn], "x")
        set_param_axis(axis, self.domains[yn], "y")
        if pair.z.size == 0:
            note(axis, "No trial has both parameters.")
            return None
        low, high = norm.vmin, norm.vmax
        filled = axis.contourf(
            pair.grid_x,
            pair.grid_y,
            np.clip(pair.grid_z, low, high),
            levels=np.linspace(low, high, _N_LEVELS + 1),
            cmap=cmap,
            norm=norm,
        )
        axis.scatter(pair.x, pair.y, s=10, color="k", edgecolors="w", linewidths=0.4)
        return filled


def _bounds(z: np.ndarray) -> tuple[float, float]:
    low, high = float(z.min()), float(z.max())
    return (low - 0.5, high + 0.5) if low == high else (low, high)


def plot_contour(
    study: Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    ax: Any = None,
) -> Any:
    """Plot the objective over pairs of parameters, interpolated between the trials.

    The surface interpolates the COMPLETE trials by inverse distance weighting on each axis's
    own scale (log for log parameters, choice index for categorical ones); the dots are the
    trials having both parameters. Darker is better in the study's direction.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
    params : list of str, default=None
        At least 2 parameters; None means all, sorted by name (n parameters give an n x n
        grid of panels).
    target : callable, default=None
        ``target(frozen_trial) -> float`` to plot instead of the value.
    target_name : str, default="Objective Value"
    ax : matplotlib Axes or array-like of them, default=None
        One Axes for two parameters, n x n for more; new ones when None.

    Returns
    -------
    matplotlib Axes, or ndarray of shape (n_params, n_params) of them

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.visualization import plot_contour
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -1, 1)
    ...     y = trial.suggest_float("y", -1, 1)
    ...     return x ** 2 + y ** 2
    >>> study.optimize(objective, n_trials=10)
    >>> ax = plot_contour(study, params=["x", "y"])
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('x', 'y')
    """
    display = ContourDisplay.from_study(
        study, params=params, target=target, target_name=target_name
    )
    return display.plot(ax=ax).ax_
