"""Ranking trials evaluated at mixed budgets, for the model-based samplers (TPE, GP).

A search with a budget resource (``HPOSearchCV(resource="n_samples")``, an iteration
parameter, or any objective that reports at growing budgets and is pruned) produces trials
that stopped at different *steps*: a value reported at a low step is a cheap, biased
estimate of the final one. Comparing a cheap value of one trial with the final value of
another misleads a model, and so does ignoring pruned trials (they are evidence that a
region is bad). This module ranks the finished trials as BOHB does (Falkner et al., 2018):

- the *modelled step* ``s*`` is the highest budget that at least ``n_min`` trials reached
  (a COMPLETE trial reached every step, ``s* = inf`` stands for the final value);
- the trials that reached ``s*`` are ranked by their value at ``s*`` (the value reported at
  the largest step not above ``s*``; the final value for ``s* = inf``);
- every other trial (pruned lower down) ranks below all of them, deeper ones first, then by
  the last value reported; trials that reported nothing rank last.

It reads only public trial data (``state``, ``value``, ``intermediate_values``), so it
works for every pruner and for ``study.optimize`` users. With enough COMPLETE trials
``s* = inf`` and the ranking is the plain one: COMPLETE trials by value, then pruned ones.

Notations
---------
``n``
    Number of finished (COMPLETE or PRUNED) trials ranked.
``keys``
    ``(n, 3)`` rank keys ``(class, -last step, value)``: class 0 for a trial that reached
    the modelled step (its value there), 1 for a pruned trial below it that reported a
    value (its last one), 2 for one that reported nothing. Smaller keys rank better (after
    the value is signed for the direction), see :func:`rank`.
``reach``
    ``(n,)`` highest step reached: ``inf`` for COMPLETE, the last reported step for a
    pruned trial, ``-inf`` for one that reported nothing.

References
----------
S. Falkner, A. Klein and F. Hutter, "BOHB: Robust and Efficient Hyperparameter
Optimization at Scale", ICML 2018.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

__all__ = ["budget_keys", "modelled_step", "rank", "rank_key", "reach_of"]


def rank_key(trial: FrozenTrial) -> tuple[float, float, float]:
    """``(class, -last step, value)`` of a finished trial, ranked on its final budget.

    Complete trials are class 0, pruned trials that reported a value class 1 (their value
    is the last one reported), pruned trials that reported nothing class 2.
    :func:`budget_keys` re-ranks them at the modelled step.
    """
    if trial.state == TrialState.COMPLETE:
        return (0.0, 0.0, float(trial.values[0]))  # type: ignore[index]
    if trial.intermediate_values:
        step = max(trial.intermediate_values)
        return (1.0, -float(step), float(trial.intermediate_values[step]))
    return (2.0, 0.0, 0.0)


def rank(keys: np.ndarray, sign: float) -> np.ndarray:
    """Indices of trials from best to worst, given their rank-key rows.

    Class 0 first, by value; then pruned trials, deeper (larger last step) first, then by
    their last reported value; pruned trials that reported nothing last. ``sign`` is -1 to
    maximize. NaN values rank last in their class.

    Examples
    --------
    >>> rank(np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 3.0], [0.0, 0.0, 1.0]]), sign=1.0)
    array([2, 1, 0])
    """
    loss = sign * keys[:, 2]
    loss = np.where(np.isnan(loss), np.inf, loss)
    return np.lexsort((loss, keys[:, 1], keys[:, 0]))


def reach_of(keys: np.ndarray) -> np.ndarray:
    """``(n,)`` highest step each trial reached, from its :func:`rank_key` row.

    Examples
    --------
    >>> reach_of(np.array([[0.0, 0.0, 1.0], [1.0, -3.0, 0.5], [2.0, 0.0, 0.0]]))
    array([ inf,   3., -inf])
    """
    cls = keys[:, 0]
    return np.where(cls == 0, np.inf, np.where(cls == 1, -keys[:, 1], -np.inf))


def modelled_step(reach: np.ndarray, n_min: int) -> float:
    """The highest step at least ``n_min`` trials reached (``inf``: the final value).

    When fewer than ``n_min`` trials reported anything, there is no level with enough
    observations: ``inf`` (rank on final values, pruned trials below).

    Examples
    --------
    >>> reach = np.array([np.inf, 8.0, 2.0, 2.0, 0.0])
    >>> modelled_step(reach, 1), modelled_step(reach, 3), modelled_step(reach, 5)
    (inf, 2.0, 0.0)
    >>> modelled_step(reach, 6)
    inf
    """
    n_min = max(int(n_min), 1)
    reported = reach[reach > -np.inf]
    if reported.size < n_min:
        return float("inf")
    return float(np.partition(reported, reported.size - n_min)[reported.size - n_min])


def _value_at(trial: FrozenTrial, step: float) -> float:
    """The trial's value at ``step``: reported at the largest step not above it (the final
    value for ``inf`` or a complete trial that reported nothing that low)."""
    if step == np.inf:
        return float(trial.value)  # type: ignore[arg-type]
    below = [s for s in trial.intermediate_values if s <= step]
    if below:
        return float(trial.intermediate_values[max(below)])
    if trial.state == TrialState.COMPLETE:
        return float(trial.value)  # type: ignore[arg-type]
    return float(trial.intermediate_values[min(trial.intermediate_values)])


def budget_keys(
    trials: Sequence[FrozenTrial], keys: np.ndarray, n_min: int
) -> tuple[float, np.ndarray]:
    """``(s*, keys)``: the modelled step and the trials' rank keys at it.

    Parameters
    ----------
    trials : sequence of FrozenTrial
        Finished (COMPLETE or PRUNED) trials.
    keys : ndarray of shape (n, 3)
        Their :func:`rank_key` rows (kept between asks by a caller: finished trials do not
        change).
    n_min : int
        Observations the model needs at a step to use it.

    Returns
    -------
    step : float
        The modelled step ``s*`` (``inf``: final values).
    keys : ndarray of shape (n, 3)
        ``keys`` itself when ``s* = inf``; otherwise a copy where the trials that reached
        ``s*`` are class 0 with their value at ``s*``.

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.trial import TrialState, create_trial
    >>> from sk_hpo.distributions import FloatDistribution
    >>> d = {"x": FloatDistribution(0, 1)}
    >>> trials = [
    ...     create_trial(params={"x": 0.1}, distributions=d, value=0.3,
    ...                  intermediate_values={0: 0.9, 1: 0.5}),
    ...     create_trial(params={"x": 0.2}, distributions=d, state=TrialState.PRUNED,
    ...                  intermediate_values={0: 0.2, 1: 0.4}),
    ...     create_trial(params={"x": 0.3}, distributions=d, state=TrialState.PRUNED,
    ...                  intermediate_values={0: 0.1}),
    ... ]
    >>> keys = np.array([rank_key(t) for t in trials])
    >>> step, at = budget_keys(trials, keys, n_min=2)
    >>> step, rank(at, sign=1.0).tolist()  # at step 1: 0.4 beats 0.5; the third ranks last
    (1.0, [1, 0, 2])
    >>> budget_keys(trials, keys, n_min=1)[0]  # one complete trial is enough
    inf
    """
    step = modelled_step(reach_of(keys), n_min)
    if step == np.inf:
        return step, keys
    keys = np.array(keys, dtype=float)
    for i in np.flatnonzero(reach_of(keys) >= step):
        keys[i] = (0.0, 0.0, _value_at(trials[i], step))
    return step, keys
