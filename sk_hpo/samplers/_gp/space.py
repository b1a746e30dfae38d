"""Encoding of a search space into the unit cube and back.

Notations
---------
- A space of ``d`` parameters maps to ``u`` in ``[0, 1]^d`` (categoricals: the choice index).
- Float: ``u = (v - low) / (high - low)`` (on ``log`` scale when ``log``).
- Int and stepped float with ``m`` values: the range is widened by half a step on each side,
  so that rounding ``u`` back to the grid gives every value an equal share of ``[0, 1]``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sk_hpo.distributions import BaseDistribution, CategoricalDistribution, IntDistribution

__all__ = ["SpaceEncoder"]


class SpaceEncoder:
    """Map parameter values (internal representation) to the unit cube and back."""

    def __init__(self, space: dict[str, BaseDistribution]) -> None:
        self.names = list(space)
        # An ordered categorical is searched as the integer index of its choice.
        self._ordered_choices = {
            k: d.choices
            for k, d in enumerate(space[n] for n in self.names)
            if isinstance(d, CategoricalDistribution) and d.ordered
        }
        self.dists = [
            IntDistribution(0, len(space[n].choices) - 1) if k in self._ordered_choices
            else space[n]
            for k, n in enumerate(self.names)
        ]
        self.is_cat = np.array([isinstance(d, CategoricalDistribution) for d in self.dists])
        self._bounds = [self._unit_bounds(d) for d in self.dists]

    @staticmethod
    def _unit_bounds(d: BaseDistribution) -> tuple[float, float]:
        if isinstance(d, CategoricalDistribution):
            return 0.0, 1.0
        low, high = float(d.low), float(d.high)
        step = d.step if not d.log else (1 if isinstance(d, IntDistribution) else None)
        if step is not None:
            low, high = low - 0.5 * step, high + 0.5 * step
        if d.log:
            return math.log(max(low, 1e-300)), math.log(high)
        return low, high

    def encode(self, internal: np.ndarray) -> np.ndarray:
        """``internal`` of shape (n, d) in internal representation -> unit cube."""
        out = np.empty_like(internal, dtype=float)
        for k, d in enumerate(self.dists):
            col = internal[:, k]
            if self.is_cat[k]:
                out[:, k] = col
                continue
            lo, hi = self._bounds[k]
            col = np.log(col) if d.log else col
            out[:, k] = (col - lo) / (hi - lo) if hi > lo else 0.5
        return out

    def decode(self, u: np.ndarray) -> dict[str, Any]:
        """One point of the unit cube -> valid external values."""
        params = {}
        for k, (name, d) in enumerate(zip(self.names, self.dists)):
            if self.is_cat[k]:
                index = int(np.clip(round(u[k]), 0, len(d.choices) - 1))
                params[name] = d.choices[index]
                continue
            lo, hi = self._bounds[k]
            value = lo + float(np.clip(u[k], 0.0, 1.0)) * (hi - lo)
            value = math.exp(value) if d.log else value
            if isinstance(d, IntDistribution):
                step = 1 if d.log else d.step
                value = d.low + round((value - d.low) / step) * step
                value = int(min(max(value, d.low), d.high))
                choices = self._ordered_choices.get(k)
                params[name] = value if choices is None else choices[value]
            elif d.step is not None:
                value = d.low + round((value - d.low) / d.step) * d.step
                params[name] = float(min(max(value, d.low), d.high))
            else:
                params[name] = float(min(max(value, d.low), d.high))
        return params

    def snap(self, u: np.ndarray, choices: list[np.ndarray | None]) -> np.ndarray:
        """Move each discrete coordinate of ``u`` (n, d) to its nearest valid value."""
        u = u.copy()
        for k, options in enumerate(choices):
            if options is not None:
                nearest = np.abs(u[:, k, None] - options[None, :]).argmin(axis=1)
                u[:, k] = options[nearest]
        return u

    def discrete_choices(self) -> list[np.ndarray | None]:
        """For each dimension, its valid unit coordinates when discrete (few values), else None."""
        out: list[np.ndarray | None] = []
        for k, d in enumerate(self.dists):
            if isinstance(d, CategoricalDistribution):
                out.append(np.arange(len(d.choices), dtype=float))
                continue
            step = d.step if not d.log else (1 if isinstance(d, IntDistribution) else None)
            if step is None:
                out.append(None)
                continue
            n = int(round((d.high - d.low) / step)) + 1
            if n > 64:
                out.append(None)  # many values: treated as continuous, then rounded
                continue
            values = d.low + step * np.arange(n)
            lo, hi = self._bounds[k]
            out.append(((np.log(values) if d.log else values) - lo) / (hi - lo))
        return out
