"""Search spaces inferred from finished trials, for samplers that model parameters jointly.

In a define-by-run study each trial declares its own parameters, so the "search space" is
only known through the trials. Two views are useful to a model-based sampler:

- the **intersection**: the parameters that every trial has, each with one distribution;
- the **group decomposition**: the parameters split into groups whose members always occur
  together (in exactly the same trials). A conditional space such as
  ``model in {svm, tree}; C if svm; depth if tree`` decomposes into ``{model}``, ``{C}`` and
  ``{depth}``; a plain space is a single group. Each group can be modelled jointly on the
  trials that contain it, instead of falling back to independent sampling.

A parameter whose distribution changes between trials (a dynamic range) belongs to neither
view: samplers handle it one parameter at a time.

:class:`SearchSpaceTracker` computes both incrementally: each finished trial is read once
(finished trials never change), so the cost per ask does not grow with the number of trials.

Examples
--------
>>> import sk_hpo
>>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
>>> def objective(trial):
...     model = trial.suggest_categorical("model", ["svm", "tree"])
...     if model == "svm":
...         return trial.suggest_float("C", 1e-3, 1e3, log=True)
...     return trial.suggest_int("depth", 1, 8)
>>> study.optimize(objective, n_trials=10)
>>> tracker = SearchSpaceTracker()
>>> tracker.update(study.get_trials(deepcopy=False))
>>> sorted(sorted(g) for g in tracker.groups())
[['C'], ['depth'], ['model']]
>>> sorted(tracker.intersection())
['model']
"""

from __future__ import annotations

from collections.abc import Iterable

from sk_hpo.distributions import BaseDistribution
from sk_hpo.trial._frozen import FrozenTrial

__all__ = ["SearchSpaceTracker", "intersection_search_space", "group_decomposed_search_space"]


class SearchSpaceTracker:
    """Incremental intersection and group decomposition of the parameters of trials.

    Feed it finished trials with :meth:`update` (a trial already seen, by ``trial_id``, is
    skipped); read the result with :meth:`groups` and :meth:`intersection`. Parameters
    whose distribution holds a single value are left out: there is nothing to sample.

    Examples
    --------
    >>> from sk_hpo.distributions import FloatDistribution
    >>> from sk_hpo.trial import FrozenTrial, TrialState
    >>> def make(i, names):
    ...     dists = {n: FloatDistribution(0, 1) for n in names}
    ...     return FrozenTrial(i, TrialState.COMPLETE, 0.0, None, None,
    ...                        {n: 0.5 for n in names}, dists, {}, {}, {}, i)
    >>> tracker = SearchSpaceTracker()
    >>> tracker.update([make(0, "abc"), make(1, "ad")])
    >>> [sorted(g) for g in tracker.groups()]
    [['a'], ['b', 'c'], ['d']]
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._groups: list[frozenset[str]] = []
        self._distributions: dict[str, BaseDistribution] = {}
        self._dynamic: set[str] = set()
        self._common: set[str] | None = None

    @property
    def n_trials(self) -> int:
        """Number of trials read so far."""
        return len(self._seen)

    def update(self, trials: Iterable[FrozenTrial]) -> None:
        """Read the trials not read yet; give only finished trials (they never change)."""
        for trial in trials:
            if trial._trial_id in self._seen:
                continue
            self._seen.add(trial._trial_id)
            self._add(trial.distributions)

    def _add(self, distributions: dict[str, BaseDistribution]) -> None:
        names = frozenset(distributions)
        for name, dist in distributions.items():
            known = self._distributions.setdefault(name, dist)
            if known != dist:
                self._dynamic.add(name)
        self._common = set(names) if self._common is None else self._common & names
        split: list[frozenset[str]] = []
        covered: set[str] = set()
        for group in self._groups:
            covered |= group
            for part in (group & names, group - names):
                if part:
                    split.append(part)
        rest = names - covered
        if rest:
            split.append(frozenset(rest))
        self._groups = split

    def _space(self, names: Iterable[str]) -> dict[str, BaseDistribution]:
        return {
            name: self._distributions[name]
            for name in sorted(names)
            if name not in self._dynamic and not self._distributions[name].single()
        }

    def groups(self) -> list[dict[str, BaseDistribution]]:
        """Groups of parameters that occur in exactly the same trials, in order of appearance.

        Each group maps its parameter names (sorted) to their distribution; empty groups
        (all members dynamic or single-valued) are left out.
        """
        spaces = (self._space(group) for group in self._groups)
        return [space for space in spaces if space]

    def intersection(self) -> dict[str, BaseDistribution]:
        """Parameters present in every trial read, with an unchanged distribution."""
        return self._space(self._common or ())


def intersection_search_space(trials: Iterable[FrozenTrial]) -> dict[str, BaseDistribution]:
    """The parameters every trial in ``trials`` has, with one distribution (see module doc)."""
    tracker = SearchSpaceTracker()
    tracker.update(trials)
    return tracker.intersection()


def group_decomposed_search_space(
    trials: Iterable[FrozenTrial],
) -> list[dict[str, BaseDistribution]]:
    """Groups of parameters that always occur together in ``trials`` (see module doc)."""
    tracker = SearchSpaceTracker()
    tracker.update(trials)
    return tracker.groups()
