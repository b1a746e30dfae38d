"""Crossover of two parents in the unit cube of the numeric parameters.

Notations
---------
d : number of numeric parameters.
x1, x2 : arrays of shape (d,); parents scaled to [0, 1] (log parameters in log space).
"""

from __future__ import annotations

import numpy as np

__all__ = ["CROSSOVERS", "blx_alpha", "uniform"]


def uniform(rng: np.random.Generator, x1: np.ndarray, x2: np.ndarray, swapping_prob: float
            ) -> np.ndarray:
    """Each coordinate from ``x2`` with probability ``swapping_prob``, else from ``x1``.

    Examples
    --------
    >>> uniform(np.random.default_rng(0), np.zeros(3), np.ones(3), 0.0).tolist()
    [0.0, 0.0, 0.0]
    """
    return np.where(rng.random(len(x1)) < swapping_prob, x2, x1)


def blx_alpha(rng: np.random.Generator, x1: np.ndarray, x2: np.ndarray, swapping_prob: float,
              alpha: float = 0.5) -> np.ndarray:
    """Uniform in the parents' box widened by ``alpha`` times its width on each side, clipped
    to [0, 1] (Eshelman & Schaffer, 1993).

    Examples
    --------
    >>> x = blx_alpha(np.random.default_rng(0), np.array([0.2]), np.array([0.4]), 0.5)
    >>> bool(0.1 <= x[0] <= 0.5)
    True
    """
    low, high = np.minimum(x1, x2), np.maximum(x1, x2)
    width = high - low
    return np.clip(rng.uniform(low - alpha * width, high + alpha * width), 0.0, 1.0)


CROSSOVERS = {"uniform": uniform, "blxalpha": blx_alpha}
