"""Pareto front: the trials of a study of several objectives, the non-dominated ones marked.

Feasibility (every constraint <= 0, from ``trial.set_constraint``) and dominance are decided
on the trials' objective values and the study's directions, as in ``study.best_trials``;
``targets`` only changes what is drawn.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._pareto import is_pareto_front, to_loss
from sk_hpo._validation import CALLABLE, BOOLEAN, NONE, Constraint, check_param
from sk_hpo._warnings import warn_user
from sk_hpo.importance._trials import resolve_study
from sk_hpo.trial._constraints import is_feasible
from sk_hpo.trial._state import TrialState
from sk_hpo.visualization._utils import StudyDisplay, import_pyplot, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sk_hpo.study import Study
    from sk_hpo.trial import FrozenTrial

__all__ = [
    "ParetoFrontData",
    "ParetoFrontDisplay",
    "check_several_objectives",
    "pareto_front_data",
    "plot_pareto_front",
]

_OWNER = "plot_pareto_front"
_NAMES = Constraint(
    lambda v: isinstance(v, Sequence) and not isinstance(v, str)
    and all(isinstance(n, str) for n in v),
    "a list of str",
)
_ORDER = Constraint(
    lambda v: isinstance(v, Sequence) and not isinstance(v, str)
    and all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in v),
    "a list of int",
)
# colours: the front stands out, dominated trials recede, infeasible ones are grey
BEST_COLOR = "tab:red"
DOMINATED_COLOR = "tab:blue"
INFEASIBLE_COLOR = "0.7"


def check_several_objectives(study: Study, owner: str, instead: str) -> None:
    """Raise a ValueError naming ``instead`` when ``study`` has a single objective."""
    if not study._is_multi_objective():
        raise ValueError(
            f"{owner} needs a study of several objectives, but study {study.study_name!r} has "
            f"one (direction={study.direction.value!r}); use {instead} for a single objective."
        )


@dataclasses.dataclass
class ParetoFrontData:
    """What :func:`plot_pareto_front` draws.

    Attributes
    ----------
    target_names : list of str
        One name per plotted target (the axes), in target order.
    best_numbers : ndarray of shape (n_best,)
        Numbers of the trials on the Pareto front (feasible, COMPLETE, not dominated).
    best_values : ndarray of shape (n_best, n_targets)
        Their targets (the objective values unless ``targets`` was given).
    dominated_numbers : ndarray of shape (n_dominated,)
        Feasible COMPLETE trials off the front (empty with ``include_dominated_trials=False``).
    dominated_values : ndarray of shape (n_dominated, n_targets)
    infeasible_numbers : ndarray of shape (n_infeasible,)
        COMPLETE trials with a constraint > 0 (empty with ``include_dominated_trials=False``).
    infeasible_values : ndarray of shape (n_infeasible, n_targets)
    axis_order : list of int
        Which target goes on the x, y (and z) axis.
    has_constraints : bool
        Whether any trial has a constraint (then feasible and infeasible trials are told
        apart in the legend).
    """

    target_names: list[str]
    best_numbers: np.ndarray
    best_values: np.ndarray
    dominated_numbers: np.ndarray
    dominated_values: np.ndarray
    infeasible_numbers: np.ndarray
    infeasible_values: np.ndarray
    axis_order: list[int]
    has_constraints: bool


def pareto_front_data(
    study: Any,
    *,
    target_names: list[str] | None = None,
    include_dominated_trials: bool = True,
    axis_order: list[int] | None = None,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
) -> ParetoFrontData:
    """Compute the data of :func:`plot_pareto_front` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(directions=["minimize", "minimize"])
    >>> for v in ([1, 2], [2, 1], [2, 2]):
    ...     _ = study.tell(study.ask(), values=v)
    >>> data = pareto_front_data(study)
    >>> data.best_numbers.tolist(), data.dominated_numbers.tolist()
    ([0, 1], [2])
    """
    study = resolve_study(study, _OWNER)
    check_several_objectives(study, _OWNER, "plot_optimization_history")
    check_param(_OWNER, "target_names", target_names, [NONE, _NAMES])
    check_param(_OWNER, "include_dominated_trials", include_dominated_trials, [BOOLEAN])
    check_param(_OWNER, "axis_order", axis_order, [NONE, _ORDER])
    check_param(_OWNER, "constraints_func", constraints_func, [NONE, CALLABLE])
    check_param(_OWNER, "targets", targets, [NONE, CALLABLE])
    n_objectives = len(study.directions)
    if targets is None and n_objectives not in (2, 3):
        raise ValueError(
            f"The 'targets' parameter of {_OWNER} is required for a study of {n_objectives} "
            "objectives: the plot draws 2 or 3. Pass e.g. "
            "targets=lambda t: (t.values[0], t.values[1])."
        )
    if constraints_func is not None:
        warn_user(
            f"The 'constraints_func' parameter of {_OWNER} is deprecated (as in Optuna 4+): "
            "set constraints in the objective with trial.set_constraint(...) and they are "
            "used without it.",
            FutureWarning,
        )

    def feasible(trial: FrozenTrial) -> bool:
        if constraints_func is None:
            return is_feasible(trial)
        return all(c <= 0 for c in constraints_func(trial))

    complete = study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    has_constraints = constraints_func is not None or any(t.constraints for t in complete)
    ok = np.array([feasible(t) for t in complete], dtype=bool)
    feasible_trials = [t for t, f in zip(complete, ok) if f]
    infeasible_trials = [t for t, f in zip(complete, ok) if not f]
    on_front = is_pareto_front(
        to_loss([t.values for t in feasible_trials], study.directions)
        if feasible_trials else np.empty((0, n_objectives))
    )
    best = [t for t, f in zip(feasible_trials, on_front) if f]
    dominated = [t for t, f in zip(feasible_trials, on_front) if not f]
    if not include_dominated_trials:
        dominated, infeasible_trials = [], []

    shown = best + dominated + infeasible_trials
    rows = [_target_values(t, targets) for t in shown]
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        raise ValueError(
            f"The 'targets' parameter of {_OWNER} must return the same number of values for "
            f"every trial. Got lengths {sorted(lengths)} instead."
        )
    if lengths:
        n_targets = lengths.pop()
    elif target_names is not None:
        n_targets = len(target_names)
    elif targets is None:
        n_targets = n_objectives
    else:
        raise ValueError(
            f"The 'target_names' parameter of {_OWNER} is required when 'targets' is given and "
            "the study has no COMPLETE trial (the number of targets is unknown)."
        )
    if n_targets not in (2, 3):
        raise ValueError(
            f"The 'targets' parameter of {_OWNER} must return 2 or 3 values per trial. Got "
            f"{n_targets} instead."
        )
    if target_names is None:
        names = study.metric_names if targets is None else None
        target_names = list(names) if names else [f"Objective {i}" for i in range(n_targets)]
    elif len(target_names) != n_targets:
        raise ValueError(
            f"The 'target_names' parameter of {_OWNER} must hold {n_targets} names, one per "
            f"target. Got {list(target_names)!r} instead."
        )
    if axis_order is None:
        axis_order = list(range(n_targets))
    elif sorted(int(i) for i in axis_order) != list(range(n_targets)):
        raise ValueError(
            f"The 'axis_order' parameter of {_OWNER} must be a permutation of "
            f"{list(range(n_targets))!r}. Got {list(axis_order)!r} instead."
        )
    values = np.array(rows, dtype=float).reshape(len(rows), n_targets)
    n_best, n_dominated = len(best), len(dominated)

    def numbers(trials: list[FrozenTrial]) -> np.ndarray:
        return np.array([t.number for t in trials], dtype=int)

    return ParetoFrontData(
        target_names=list(target_names),
        best_numbers=numbers(best),
        best_values=values[:n_best],
        dominated_numbers=numbers(dominated),
        dominated_values=values[n_best:n_best + n_dominated],
        infeasible_numbers=numbers(infeasible_trials),
        infeasible_values=values[n_best + n_dominated:],
        axis_order=[int(i) for i in axis_order],
        has_constraints=bool(has_constraints),
    )


def _target_values(
    trial: FrozenTrial, targets: Callable[[FrozenTrial], Sequence[float]] | None
) -> list[float]:
    if targets is None:
        return [float(v) for v in trial.values]
    got = targets(trial)
    try:
        if isinstance(got, str):
            raise TypeError
        out = [float(v) for v in got]
    except (TypeError, ValueError):
        raise TypeError(
            f"The 'targets' parameter of {_OWNER} must return a sequence of floats, but "
            f"returned {got!r} for trial #{trial.number}."
        ) from None
    return out


class ParetoFrontDisplay(StudyDisplay, ParetoFrontData):
    """Pareto-front plot (see :func:`plot_pareto_front`).

    Build it with :meth:`from_study` (computes the data, does not draw) and draw it with
    :meth:`plot`.

    Attributes
    ----------
    target_names, best_numbers, best_values, dominated_numbers, dominated_values, \
infeasible_numbers, infeasible_values, axis_order, has_constraints
        As in :class:`ParetoFrontData`.
    ax_ : matplotlib Axes
        Set by :meth:`plot` (a 3-d Axes for three targets).
    figure_ : matplotlib Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(directions=["minimize", "maximize"])
    >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)),
    ...                n_trials=5)
    >>> display = ParetoFrontDisplay.from_study(study, target_names=["cost", "gain"])
    >>> display.plot().ax_.get_xlabel()
    'cost'
    """

    @classmethod
    def from_study(
        cls,
        study: Any,
        *,
        target_names: list[str] | None = None,
        include_dominated_trials: bool = True,
        axis_order: list[int] | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
    ) -> ParetoFrontDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(
            pareto_front_data(
                study,
                target_names=target_names,
                include_dominated_trials=include_dominated_trials,
                axis_order=axis_order,
                constraints_func=constraints_func,
                targets=targets,
            )
        )

    def plot(self, ax: Axes | None = None) -> ParetoFrontDisplay:
        """Draw on ``ax`` (a new figure when None; a 3-d Axes for three targets) and return
        the display."""
        three_d = len(self.target_names) == 3
        if ax is None:
            figure = import_pyplot().figure(figsize=(6.4, 4.8), layout="constrained")
            ax = figure.add_subplot(projection="3d" if three_d else None)
        elif three_d and getattr(ax, "name", None) != "3d":
            raise ValueError(
                "The 'ax' parameter of ParetoFrontDisplay.plot must be a 3-d Axes for three "
                "targets (fig.add_subplot(projection='3d')). Got a "
                f"{getattr(ax, 'name', type(ax).__name__)!r} Axes instead."
            )
        order = self.axis_order
        ax.set_title("Pareto front")
        setters = [ax.set_xlabel, ax.set_ylabel] + ([ax.set_zlabel] if three_d else [])
        for set_label, i in zip(setters, order):
            set_label(self.target_names[i])
        groups = [
            ("Infeasible Trial", self.infeasible_values, INFEASIBLE_COLOR, 0.8),
            ("Feasible Trial" if self.has_constraints else "Trial", self.dominated_values,
             DOMINATED_COLOR, 0.6),
            ("Best Trial", self.best_values, BEST_COLOR, 1.0),
        ]
        drawn = False
        for label, values, color, alpha in groups:
            if len(values):
                ax.scatter(*values[:, order].T, color=color, alpha=alpha, s=20, label=label)
                drawn = True
        if not drawn:
            what = "feasible COMPLETE" if self.has_constraints else "COMPLETE"
            if three_d:
                ax.text2D(0.5, 0.5, f"No {what} trial to plot yet.", ha="center",
                          transform=ax.transAxes, color="0.4")
            else:
                note(ax, f"No {what} trial to plot yet.")
            return self._finish(ax)
        ax.legend(loc="best")
        return self._finish(ax)


def plot_pareto_front(
    study: Any,
    *,
    target_names: list[str] | None = None,
    include_dominated_trials: bool = True,
    axis_order: list[int] | None = None,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot the COMPLETE trials of a study of several objectives, its Pareto front marked.

    The front (feasible trials no other feasible trial dominates, ``study.best_trials``) is
    drawn in red, the other feasible trials in blue and infeasible trials (a constraint > 0,
    see ``trial.set_constraint``) in grey. Two targets give a 2-d scatter plot, three a 3-d
    one. Optuna's ``plot_pareto_front`` arguments, plus ``ax``.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
        A study of several objectives.
    target_names : list of str, default=None
        Axis labels, one per target; None means the study's metric names
        (``study.set_metric_names``) or ``"Objective 0"``, ``"Objective 1"``, ...
    include_dominated_trials : bool, default=True
        Also draw the trials off the front (dominated and infeasible ones).
    axis_order : list of int, default=None
        Which target goes on the x, y (and z) axis, e.g. ``[1, 0]`` swaps x and y; None
        keeps the targets' order.
    constraints_func : callable, default=None
        Deprecated (as in Optuna 4+), with a ``FutureWarning``: ``constraints_func(trial)``
        returns constraint values deciding feasibility instead of the trial's own constraints.
    targets : callable, default=None
        ``targets(frozen_trial) -> sequence of 2 or 3 floats`` to draw instead of the
        objective values; required for a study of more than 3 objectives. The front is still
        decided on the objective values.
    ax : matplotlib Axes, default=None
        Where to draw (a 3-d Axes for three targets); a new figure when None.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        For a study of a single objective, more than 3 objectives without ``targets``, or
        ``target_names`` / ``axis_order`` not matching the number of targets.

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.visualization import plot_pareto_front
    >>> study = sk_hpo.create_study(directions=["minimize", "minimize"])
    >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.suggest_float("y", 0, 1)),
    ...                n_trials=10)
    >>> ax = plot_pareto_front(study, target_names=["x", "1 - y"])
    >>> ax.get_ylabel()
    '1 - y'
    """
    display = ParetoFrontDisplay.from_study(
        study,
        target_names=target_names,
        include_dominated_trials=include_dominated_trials,
        axis_order=axis_order,
        constraints_func=constraints_func,
        targets=targets,
    )
    return display.plot(ax=ax).ax_

