"""Shared plumbing of the plots: lazy matplotlib, the Display base, axis helpers.

Nothing here imports matplotlib at import time; :func:`import_pyplot` does it on first draw.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.importance._trials import ParamDomain

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_direction",
    "DEFAULT_TARGET_NAME",
    "StudyDisplay",
    "axes_grid",
    "import_pyplot",
    "new_axes",
    "note",
    "set_param_axis",
    "value_cmap",
]

DEFAULT_TARGET_NAME = "Objective Value"


def plot_direction(study: Any) -> str:
    """The direction a plot colours by: the study's, or "minimize" for a ``target`` of a study
    of several objectives (Optuna's convention)."""
    return "minimize" if study._is_multi_objective() else study.direction.value


def import_pyplot() -> Any:
    """Import ``matplotlib.pyplot``, or say how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "sk_hpo.visualization needs matplotlib, an optional dependency: install it with "
            'pip install "sk-hpo[plot]" (or pip install matplotlib).'
        ) from e
    return plt


class StudyDisplay:
    """Base of the displays: data attributes (from a dataclass) plus ``plot``.

    Following scikit-learn's visualization API, a display is built from the plotted data
    (``XDisplay(**data)``, or ``XDisplay.from_study(study)`` which computes it without
    matplotlib) and drawn by ``plot(ax=None)``, which stores ``ax_`` and ``figure_``.
    """

    ax_: Any
    figure_: Any

    @classmethod
    def _from_data(cls, data: Any) -> Any:
        return cls(**{f.name: getattr(data, f.name) for f in dataclasses.fields(data)})

    def _finish(self, ax: Any) -> Any:
        self.ax_ = ax
        first = ax.flat[0] if isinstance(ax, np.ndarray) else ax
        self.figure_ = first.figure
        return self


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (6.4, 4.2)) -> Axes:
    """``ax`` itself, or the axes of a new figure."""
    if ax is not None:
        return ax
    _, ax = import_pyplot().subplots(figsize=figsize, layout="constrained")
    return ax


def axes_grid(ax: Any, n_rows: int, n_cols: int, owner: str, **kwargs: Any) -> np.ndarray:
    """A (n_rows, n_cols) object array of Axes: new ones when ``ax`` is None, else ``ax``."""
    if ax is None:
        size = (max(4.0, 3.2 * n_cols), max(3.4, 3.0 * n_rows))
        _, grid = import_pyplot().subplots(
            n_rows, n_cols, squeeze=False, figsize=size, layout="constrained", **kwargs
        )
        return grid
    grid = np.asarray(ax, dtype=object)
    if grid.size != n_rows * n_cols:
        raise ValueError(
            f"The 'ax' parameter of {owner} must hold {n_rows * n_cols} Axes "
            f"({n_rows} x {n_cols}). Got {grid.size} Axes instead. Pass ax=None to create them."
        )
    return grid.reshape(n_rows, n_cols)


def value_cmap(direction: str) -> Any:
    """Blues without its near-white end (lines stay visible), dark = good in ``direction``."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    colors = colormaps["Blues"](np.linspace(0.25, 1.0, 256))
    return ListedColormap(colors[::-1] if direction == "minimize" else colors)


def note(ax: Axes, text: str) -> None:
    """Write ``text`` in the middle of an otherwise empty ``ax``."""
    ax.text(
        0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4", wrap=True
    )


def set_log_ticks(axis: Any, low: float, high: float) -> None:
    """Few, non-overlapping labels on a log axis spanning ``low`` to ``high``.

    matplotlib labels minor ticks (``2x10^-4``, ``3x10^-4``, ...) when a log axis spans less
    than a decade or two, and those overlap in a narrow panel. Here: no minor labels; plain
    numbers at ``1, 2, 5`` (under a decade), ``1, 3`` (under two) or about three
    round values (under half a decade); a label per decade, at most five, on wider ranges.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    decades = float(np.log10(high / low)) if low > 0 and high > low else 0.0
    if decades < 0.5:
        axis.set_major_locator(MaxNLocator(nbins=3))
    elif decades < 2.0:
        axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if decades < 1.0 else (1.0, 3.0)))
    else:
        axis.set_major_locator(LogLocator(numticks=5))
    if decades < 2.0:
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    axis.set_minor_formatter(NullFormatter())


def set_param_axis(ax: Axes, domain: ParamDomain, which: str = "x") -> None:
    """Label an axis by ``domain``: log scale, choice names, or integer ticks."""
    set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
    set_label(domain.name)
    if domain.is_categorical:
        ticks = np.arange(len(domain.labels))
        (ax.set_xticks if which == "x" else ax.set_yticks)(ticks, labels=domain.labels)
        (ax.set_xlim if which == "x" else ax.set_ylim)(-0.5, len(ticks) - 0.5)
        if which == "x" and len(ticks) > 3:
            ax.tick_params(axis="x", labelrotation=30)
    elif domain.log:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        set_log_ticks(ax.xaxis if which == "x" else ax.yaxis, domain.low, domain.high)
    elif domain.kind == "int":
        from matplotlib.ticker import MaxNLocator

        (ax.xaxis if which == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
