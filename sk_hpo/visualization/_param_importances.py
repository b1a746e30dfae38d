"""Parameter-importance plot: the fANOVA importances as horizontal bars."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.importance import get_param_importances
from sk_hpo.importance._trials import Target, completed_trials, resolve_study
from sk_hpo.visualization._utils import DEFAULT_TARGET_NAME, StudyDisplay, new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ParamImportancesData",
    "ParamImportancesDisplay",
    "param_importances_data",
    "plot_param_importances",
]


@dataclasses.dataclass
class ParamImportancesData:
    """What :func:`plot_param_importances` draws.

    Attributes
    ----------
    names : list of str
        Parameters, most important first.
    importances : ndarray of shape (n_params,)
        Their importances (summing to 1), from :func:`sk_hpo.importance.get_param_importances`.
    target_name : str
    reason : str
        Why nothing is plotted (too few trials), or ``""``.
    """

    names: list[str]
    importances: np.ndarray
    target_name: str
    reason: str = ""


def param_importances_data(
    study: Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    seed: int | None = None,
) -> ParamImportancesData:
    """Compute the data of :func:`plot_param_importances` (no matplotlib needed).

    A study with fewer than 2 usable COMPLETE trials (or, with ``params=None``, no parameter
    that they all share) gives empty data with a ``reason``; a wrong ``params`` or ``target``
    still raises.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> param_importances_data(study).reason
    'Importances need at least 2 COMPLETE trials; the study has 0.'
    """
    owner = "plot_param_importances"
    study = resolve_study(study, owner)
    trials, _ = completed_trials(study, target, owner)
    if len(trials) < 2:
        reason = f"Importances need at least 2 COMPLETE trials; the study has {len(trials)}."
        return ParamImportancesData([], np.empty(0), target_name, reason)
    try:
        importances = get_param_importances(study, params=params, target=target, seed=seed)
    except ValueError as e:
        if params is not None:  # names the user chose: their mistake to see
            raise
        return ParamImportancesData([], np.empty(0), target_name, str(e))  # no shared params
    return ParamImportancesData(
        list(importances), np.array(list(importances.values())), target_name
    )


class ParamImportancesDisplay(StudyDisplay, ParamImportancesData):
    """Parameter-importance plot (see :func:`plot_param_importances`).

    Attributes
    ----------
    names, importances, target_name, reason
        As in :class:`ParamImportancesData`.
    ax_, figure_
        Set by :meth:`plot`.

    Examples
    --------
    >>> import numpy as np
    >>> display = ParamImportancesDisplay(["x", "y"], np.array([0.75, 0.25]), "Loss")
    >>> [t.get_text() for t in display.plot().ax_.get_yticklabels()]
    ['x', 'y']
    """

    @classmethod
    def from_study(
        cls,
        study: Any,
        *,
        params: list[str] | None = None,
        target: Target | None = None,
        target_name: str = DEFAULT_TARGET_NAME,
        seed: int | None = None,
    ) -> ParamImportancesDisplay:
        """Compute the plotted data of ``study`` (a Study or a fitted HPOSearchCV)."""
        return cls._from_data(
            param_importances_data(
                study, params=params, target=target, target_name=target_name, seed=seed
            )
        )

    def plot(self, ax: Axes | None = None) -> ParamImportancesDisplay:
        """Draw on ``ax`` (a new figure when None) and return the display."""
        ax = new_axes(ax, figsize=(6.4, max(2.5, 0.45 * len(self.names) + 1.4)))
        ax.set_title("Parameter importances")
        ax.set_xlabel(f"Importance for {self.target_name} (fANOVA)")
        if not self.names:
            note(ax, self.reason or "No parameter to rank.")
            return self._finish(ax)
        y = np.arange(len(self.names))[::-1]  # most important on top
        bars = ax.barh(y, self.importances, color="tab:blue", height=0.6)
        ax.set_yticks(y, labels=self.names)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in self.importances], padding=3, fontsize=8)
        ax.set_xlim(0, max(1.0, float(self.importances.max()) * 1.15))
        return self._finish(ax)


def plot_param_importances(
    study: Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    seed: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot the parameters' fANOVA importances as horizontal bars, most important on top.

    See :func:`sk_hpo.importance.get_param_importances` for the estimator.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
    params : list of str, default=None
        Parameters to rank; None means those every COMPLETE trial has.
    target : callable, default=None
        ``target(frozen_trial) -> float`` to explain instead of the value.
    target_name : str, default="Objective Value"
    seed : int, default=None
        Seed of the random forest (None means 0: deterministic).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.visualization import plot_param_importances
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     return 10 * trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)
    >>> study.optimize(objective, n_trials=30)
    >>> plot_param_importances(study).get_yticklabels()[0].get_text()
    'x'
    """
    display = ParamImportancesDisplay.from_study(
        study, params=params, target=target, target_name=target_name, seed=seed
    )
    return display.plot(ax=ax).ax_
