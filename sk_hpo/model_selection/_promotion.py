"""Successive halving with pause: which candidates go on to the next rung, and when.

A pruner that states a halving rate ``eta`` (:meth:`~sk_hpo.pruners.BasePruner.
halving_rate`) lets HPOSearchCV decide promotions over the whole batch of candidates it
runs, instead of asking :meth:`~sk_hpo.pruners.BasePruner.prune` about each one as it
reports (which promotes early candidates: they have nobody to lose against, and prunes for
good one that a later, weaker field would have let through).

Notations
---------
- ``eta``: the halving rate; rungs ``k = 0, 1, ...`` are the pruner's decision steps.
- ``eta_k``: the rate of rung ``k``: ``eta``, or :data:`CHEAP_RUNG_RATE` at a cheap rung
  (a budget below the full one, see :mod:`~sk_hpo.model_selection._resource`).
- ``N``: candidates this fit evaluates (``n_iter``), None when unknown.
- ``n_k``: candidates whose value at rung ``k`` is known; ``rank``: a candidate's place
  among them, best first (0-based; ties keep the older candidate first).
- ``q_k``: the *quota* of rung ``k``, how many go on from it: ``q_{-1} = N`` and
  ``q_k = ceil(q_{k-1} / eta_k)``, as synchronous successive halving
  (HalvingRandomSearchCV) keeps ``ceil(n / factor)`` of ``n`` candidates.

Rules, applied whenever a value arrives at rung ``k``:

- a candidate with ``rank < floor(n_k / eta_k)`` goes on (asynchronous successive halving's
  rule): at once, or when it was waiting (*parked*) at rung ``k``, as long as fewer than
  ``q_k`` candidates went on from rung ``k`` (a candidate promoted early keeps its place in
  the quota even when later ones rank above it);
- a candidate with ``rank >= q_k`` is pruned: ``n_k`` only grows, so it can never reach the
  top ``q_k``; so is every waiting candidate once ``q_k`` went on. A NaN value (a fit that
  failed on a small budget) ranks last, and goes on only when most of the rung failed too;
- any other candidate is parked (its trial stays RUNNING, its folds are kept).

When the search can start no new candidate and nothing is running, :meth:`Promotion.drain`
finishes like synchronous halving, lowest rung first: the best parked candidates of that
rung fill the places of its quota the early promotions left, the others are pruned. So no
more than ``q_k`` candidates go on from rung ``k`` (at most ``q_{k-1}`` reach it), and the
top rung is reached by at most ``ceil(N / prod(eta_k))`` candidates. Without a known
``N`` nothing is pruned before the drain, which keeps ``ceil(n_k / eta_k)``.

A cheap rung keeps half of its candidates rather than ``1 / eta``: its scores come from a
subsample or a short fit, whose ranks agree less with cross-validation at the full budget,
so it should only drop the clearly weak ones. On the 8 tasks of the race where
``resource="auto"`` halves subsamples (20 seeds, ``n_iter=40``, quality-only runs of
``benchmarks/bench_search_paired.py``' kind), halving the cheap rungs instead of keeping a
third gained +0.0006 +- 0.0005 of held-out score for 1.05x the CPU: about twice as many
candidates reach the full budget, where the rungs keep a third as before.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sk_hpo.model_selection._pruning import PruningPlan

__all__ = ["CHEAP_RUNG_RATE", "Decision", "Promotion", "make_promotion"]

CHEAP_RUNG_RATE = 2


@dataclass
class Decision:
    """Candidates (trial numbers) that go on, and candidates that are pruned."""

    promote: list[int] = field(default_factory=list)
    prune: list[int] = field(default_factory=list)


class Promotion:
    """Rung values of one search and the promotion rules of the module docstring.

    Parameters
    ----------
    eta : int
        Halving rate, at least 2.
    rung_steps : iterable of int
        The step numbers of the rungs, in any order (rung ``k`` is the ``k``-th smallest).
    n_candidates : int or None
        ``N``, the candidates this search evaluates; None when unknown.
    cheap_steps : iterable of int, default=()
        Steps at a cheap budget: their rungs keep half (:data:`CHEAP_RUNG_RATE`), if
        ``eta`` is not smaller.

    Examples
    --------
    >>> p = Promotion(3, rung_steps=[0], n_candidates=6)   # q_0 = 2
    >>> p.add(0, 0, 0.5)   # alone: parked
    Decision(promote=[], prune=[])
    >>> p.add(1, 0, 0.7), p.add(2, 0, 0.6)   # n_0 = 3: the best one goes on
    (Decision(promote=[], prune=[]), Decision(promote=[1], prune=[0]))
    >>> p.add(3, 0, 0.65)   # n_0 = 4: candidate 3 is second, 2 can no longer be in the top 2
    Decision(promote=[], prune=[2])
    >>> p.drain()   # nothing else to run (2 candidates never came): the top ceil(4/3) = 2
    Decision(promote=[3], prune=[])
    """

    def __init__(
        self,
        eta: int,
        rung_steps: Iterable[int],
        n_candidates: int | None,
        cheap_steps: Iterable[int] = (),
    ) -> None:
        self.eta = int(eta)
        self.rung_of = {step: k for k, step in enumerate(sorted(set(rung_steps)))}
        cheap = set(cheap_steps)
        self.rates = [
            min(self.eta, CHEAP_RUNG_RATE) if step in cheap else self.eta
            for step in self.rung_of
        ]
        self.quotas: list[float] = []
        q: float = math.inf if n_candidates is None else n_candidates
        for rate in self.rates:
            q = q if math.isinf(q) else max(math.ceil(q / rate), 1)
            self.quotas.append(q)
        self.values: list[dict[int, float]] = [{} for _ in self.rung_of]
        self.parked: list[set[int]] = [set() for _ in self.rung_of]
        self.n_promoted: list[int] = [0 for _ in self.rung_of]

    def is_rung(self, step: int) -> bool:
        """Whether a decision falls at ``step``."""
        return step in self.rung_of

    def _ranked(self, k: int) -> list[int]:
        values = self.values[k]
        return sorted(values, key=lambda n: (-values[n] if not math.isnan(values[n])
                                             else math.inf, n))

    def add(self, number: int, step: int, value: float) -> Decision:
        """Record candidate ``number``'s ``value`` at the rung of ``step`` (larger is
        better) and decide on that rung's candidates: the new one and the parked ones."""
        k = self.rung_of[step]
        self.values[k][number] = value
        self.parked[k].add(number)
        ranked = self._ranked(k)
        rank = {n: i for i, n in enumerate(ranked)}
        top = len(ranked) // self.rates[k]
        decision = Decision()
        for n in sorted(self.parked[k], key=rank.__getitem__):
            if rank[n] < top and self.n_promoted[k] < self.quotas[k]:
                decision.promote.append(n)
                self.n_promoted[k] += 1
            elif rank[n] >= self.quotas[k] or self.n_promoted[k] >= self.quotas[k]:
                decision.prune.append(n)
        self.parked[k] -= {*decision.promote, *decision.prune}
        return decision

    def drain(self) -> Decision:
        """Decide on the parked candidates of the lowest rung that has any: the best of
        them fill the places of its quota ``min(q_k, ceil(n_k / eta))`` left by the
        candidates already promoted from it, the others are pruned (see the module
        docstring; ``n_k < N`` when the search stopped early)."""
        decision = Decision()
        for k, parked in enumerate(self.parked):
            if not parked:
                continue
            ranked = self._ranked(k)
            rank = {n: i for i, n in enumerate(ranked)}
            quota = min(self.quotas[k], math.ceil(len(ranked) / self.rates[k]))
            places = max(quota - self.n_promoted[k], 0)
            for i, n in enumerate(sorted(parked, key=rank.__getitem__)):
                (decision.promote if i < places else decision.prune).append(n)
            self.n_promoted[k] += len(decision.promote)
            parked.clear()
            break
        return decision

    def forget(self, number: int) -> None:
        """Stop deciding on ``number`` (it was dropped); its values still rank others."""
        for parked in self.parked:
            parked.discard(number)

    @property
    def n_parked(self) -> int:
        """Candidates waiting for a decision."""
        return sum(len(p) for p in self.parked)


def make_promotion(
    plan: PruningPlan,
    step_numbers: Sequence[int],
    n_candidates: int | None,
    cheap_steps: Iterable[int] = (),
) -> Promotion | None:
    """The promotion rules of a search whose candidates report at ``step_numbers`` (in
    order), or None when its pruner states no halving rate (the pruner is asked instead).

    The rungs are the pruner's decision steps before the last step; those among
    ``cheap_steps`` (a budget below the full one) keep half of their candidates.

    Examples
    --------
    >>> from sk_hpo.model_selection._pruning import make_pruning_plan
    >>> make_promotion(make_pruning_plan("sha", 5), range(5), 40).rung_of
    {0: 0, 2: 1}
    >>> make_promotion(make_pruning_plan("median", 5), range(5), 40) is None
    True
    >>> make_promotion(make_pruning_plan("sha", 7), range(7), 40, cheap_steps=[0]).quotas
    [20, 7]
    """
    if not plan.active or plan.halving_rate is None or not step_numbers:
        return None
    rungs = [s for s in step_numbers[:-1] if plan.decides_at(s)]
    return Promotion(plan.halving_rate, rungs, n_candidates, cheap_steps)
