"""Objective values to GP training targets.

Notations
---------
- ``y`` of shape (n,): finite objective values to minimise.
- ``s = (y - mean(y)) / std(y)``; ``t = YJ_lambda(s)``: the Yeo-Johnson power transform with
  ``lambda`` fitted by maximum likelihood (as HEBO does, so that a few very bad values do not
  flatten the differences among the good ones); ``t`` falls back to ``s`` if the transform
  is not finite or constant.
- Targets ``u = (t - mean(t)) / std(t) - max((t - mean(t)) / std(t))``: standardised, then
  shifted so that the worst observation is 0. The GP has a zero prior mean, so a region far
  from every observation is predicted as bad as the worst value seen, not as the average:
  expected improvement then spends fewer trials on the unexplored corners of the cube
  (where the prior variance is largest) and more near the good points.
- The map is increasing, so the best observation is ``min(u)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["training_targets"]


def training_targets(y: np.ndarray) -> np.ndarray:
    """Targets ``u`` of shape (n,) for the GP (see Notations); all zeros if ``y`` is constant.

    Examples
    --------
    >>> import numpy as np
    >>> u = training_targets(np.array([1.0, 2.0, 3.0, 100.0]))
    >>> float(u.max()), bool(np.all(np.diff(u) > 0))
    (0.0, True)
    """
    from scipy.stats import yeojohnson  # scipy.stats is slow to import: only when used

    if np.ptp(y) == 0:
        return np.zeros_like(y, dtype=float)
    y = (y - np.median(y)) / np.max(np.abs(y - np.median(y)))  # no overflow in std below
    s = (y - y.mean()) / y.std()
    with np.errstate(all="ignore"):
        t = yeojohnson(s)[0]
    if not np.all(np.isfinite(t)) or np.ptp(t) == 0:
        t = s
    u = (t - t.mean()) / t.std()
    return u - u.max()
