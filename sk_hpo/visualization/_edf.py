"""Empirical distribution function of the objective, one curve per study."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.importance._trials import Target, completed_trials, resolve_study
from sk_hpo.visualization._utils import DEFAULT_TARGET_NAME, StudyDisplay, new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["EDFData", "EDFDisplay", "edf_data", "plot_edf"]


@dataclasses.dataclass
class EDFData:
    """What :func:`plot_edf` draws.

    Attributes
    ----------
    study_names : list of str
    values : list of ndarray
        For each study, its COMPLETE trials' values (or targets), sorted increasingly.
    fractions : list of ndarray
        For each study, the fraction of its trials with a value ``<=`` each of ``values``.
    target_name : str
    """

    study_names: list[str]
    values: list[np.ndarray]
    fractions: list[np.ndarray]
    target_name: str


def edf_data(
    study: Any, *, target: Target | None = None, target_name: str = DEFAULT_TARGET_NAME
) -> EDFData:
    """Compute the data of :func:`plot_edf` (no matplotlib needed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> for v in [3.0, 1.0, 2.0, 2.0]:
    ...     _ = study.tell(study.ask(), v)
    >>> data = edf_data(study)
    >>> data.values[0].tolist(), data.fractions[0].tolist()
    ([1.0, 2.0, 2.0, 3.0], [0.25, 0.75, 0.75, 1.0])
    """
    owner = "plot_edf"
    studies = list(study) if isinstance(study, Sequence) else [study]
    if not studies:
        raise ValueError(
            f"The 'study' parameter of {owner} must be a Study, a fitted HPOSearchCV or a "
            f"non-empty list of them. Got {study!r} instead."
        )
    names, all_values, fractions = [], [], []
    for s in studies:
        s = resolve_study(s, owner)
        _, values = completed_trials(s, target, owner)
        values = np.sort(values)
        names.append(s.study_name)
        all_values.append(values)
        # A value's fraction counts every tie, so equal values share the top of their step.
        fractions.append(np.searchsorted(values, values, side="right") / max(values.size, 1))
    return EDFData(names, all_values, fractions, target_name)


class EDFDisplay(StudyDisplay, EDFData):
    """Empirical-distribution plot (see :func:`plot_edf`).

    Attributes
    ----------
    study_names, values, fractions, target_name
        As in :class:`EDFData`.
    ax_, figure_
        Set by :meth:`plot`.

    Examples
    --------
    >>> import numpy as np
    >>> display = EDFDisplay(["a"], [np.array([1.0, 2.0])], [np.array([0.5, 1.0])], "Loss")
    >>> display.plot().ax_.get_xlabel()
    'Loss'
    """

    @classmethod
    def from_study(
        cls,
        study: Any,
        *,
        target: Target | None = None,
        target_name: str = DEFAULT_TARGET_NAME,
    ) -> EDFDisplay:
        """Compute the plotted data of ``study`` (one study or a list of them)."""
        return cls._from_data(edf_data(study, target=target, target_name=target_name))

    def plot(self, ax: Axes | None = None) -> EDFDisplay:
        """Draw on ``ax`` (a new figure when None) and return the display."""
        ax = new_axes(ax)
        ax.set_title("Empirical distribution function")
        ax.set_xlabel(self.target_name)
        ax.set_ylabel("Cumulative probability")
        ax.set_ylim(-0.02, 1.02)
        if not any(v.size for v in self.values):
            note(ax, "No COMPLETE trial to plot yet.")
            return self._finish(ax)
        for name, values, fractions in zip(self.study_names, self.values, self.fractions):
            if values.size:
                x = np.concatenate([[values[0]], values])
                y = np.concatenate([[0.0], fractions])
                ax.step(x, y, where="post", label=name)
        if len(self.study_names) > 1:
            ax.legend(loc="best")
        return self._finish(ax)


def plot_edf(
    study: Any,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    ax: Axes | None = None,
) -> Axes:
    """Plot the empirical distribution function of the COMPLETE trials' values.

    The curve at ``x`` is the fraction of trials with a value ``<= x``; give several
    studies (say, two samplers on one problem) to compare them on one plot.

    Parameters
    ----------
    study : Study, fitted HPOSearchCV, or a list of them
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
    >>> from sk_hpo.visualization import plot_edf
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=10)
    >>> plot_edf([study]).get_ylabel()
    'Cumulative probability'
    """
    return EDFDisplay.from_study(study, target=target, target_name=target_name).plot(ax=ax).ax_
