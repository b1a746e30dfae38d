"""Parzen estimators (kernel mixtures) over a mixed search space, as pure array code.

A Parzen estimator is a weighted mixture of product kernels, one component per observation
plus one *prior* component. Numerical parameters use truncated normal kernels in *model
space* (the log of the value for ``log=True`` parameters); discrete numerical values (ints,
``step``) get the probability mass of their grid cell; categorical parameters use an
Aitchison-Aitken kernel.

Notations
---------
``n``
    Number of observations; the mixture has ``n + 1`` components, the last is the prior.
``d``
    Number of parameters (columns); ``X`` arrays are ``(n_points, d)`` in *internal*
    representation (floats; the choice index for categoricals).
``Y``
    The same points in model space: ``log x`` for log parameters, ``x`` otherwise.
``[lo, hi]``
    Per numerical column, the model-space support: ``[t(low), t(high)]`` for continuous
    columns, ``[t(low - h), t(high + h)]`` for discrete ones, with ``h`` half a step
    (``0.5`` for ints) and ``t`` the model transform.
``mu, sigma``
    ``(n + 1, d)`` kernel centres and bandwidths (numerical columns).
``w``
    ``(n + 1,)`` mixture weights, summing to one.
``k_j``
    Number of choices of categorical column ``j``; its kernel table is ``(n + 1, k_j)``.
``m``
    Number of points at which a mixture is evaluated.

Examples
--------
>>> import numpy as np
>>> from sk_hpo.distributions import FloatDistribution
>>> space = SpaceArrays.from_distributions([FloatDistribution(0.0, 1.0)])
>>> pe = ParzenEstimator.fit(np.array([[0.2], [0.3]]), np.ones(2), space)
>>> x = pe.sample(np.random.default_rng(0), 5)
>>> x.shape, bool(np.all((0 <= x) & (x <= 1)))
((5, 1), True)
>>> pe.log_pdf(np.array([[0.25]])) > pe.log_pdf(np.array([[0.95]]))
array([ True])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from sk_hpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sk_hpo.samplers._tpe import _truncnorm
from sk_hpo.samplers._tpe._mass_cache import CellMassCache

__all__ = [
    "ParzenEstimator",
    "SpaceArrays",
    "age_weights",
    "categorical_bandwidth",
    "neighbour_bandwidths",
    "split_sizes_default",
]

# Smallest bandwidth, as a fraction of a column's model-space range: keeps kernels from
# collapsing on one point late in a search.
_MIN_BANDWIDTH_FACTOR = 0.03
# "Magic clip": with n observations, bandwidths stay above range / min(100, n + 1) ** this,
# so a mixture fitted on a handful of points stays wide.
_MAGIC_CLIP_EXPONENT = 1.5
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


def split_sizes_default(n: int) -> int:
    """Default size of the "good" group among ``n`` observations: ``min(ceil(0.15 n), 25)``.

    Examples
    --------
    >>> [split_sizes_default(n) for n in (1, 10, 11, 100, 1000)]
    [1, 2, 2, 15, 25]
    """
    return min(int(np.ceil(0.15 * n)), 25)


def age_weights(n: int) -> np.ndarray:
    """Weights of ``n`` observations ordered oldest first: the 25 newest weigh 1, older ones
    ramp down linearly towards ``1 / n``, so the model follows the search as it moves.

    Examples
    --------
    >>> age_weights(3)
    array([1., 1., 1.])
    >>> w = age_weights(100)
    >>> float(w[0]), float(w[-26]), float(w[-1])
    (0.01, 1.0, 1.0)
    """
    if n <= 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, n - 25), np.ones(25)])


@dataclasses.dataclass(frozen=True)
class SpaceArrays:
    """Column-wise arrays describing a search space (one column per parameter).

    Attributes
    ----------
    is_cat, is_log : ndarray of bool, shape (d,)
    low, high : ndarray of shape (d,)
        Bounds in internal representation (``0`` and ``k - 1`` for categoricals).
    step : ndarray of shape (d,)
        Grid step in internal representation; ``0`` for continuous columns.
    n_choices : ndarray of int, shape (d,)
        ``k`` for categorical columns, ``0`` otherwise.
    lo, hi : ndarray of shape (d,)
        Model-space support of numerical columns (see the module notations).
    """

    is_cat: np.ndarray
    is_log: np.ndarray
    low: np.ndarray
    high: np.ndarray
    step: np.ndarray
    n_choices: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def from_distributions(cls, distributions: Sequence[BaseDistribution]) -> SpaceArrays:
        """Describe ``distributions`` (in this column order)."""
        d = len(distributions)
        is_cat = np.zeros(d, dtype=bool)
        is_log = np.zeros(d, dtype=bool)
        low, high, step = np.zeros(d), np.zeros(d), np.zeros(d)
        n_choices = np.zeros(d, dtype=int)
        for j, dist in enumerate(distributions):
            if isinstance(dist, CategoricalDistribution):
                high[j] = len(dist.choices) - 1
                if dist.ordered:  # its index, modelled as an integer
                    step[j] = 1
                else:
                    is_cat[j] = True
                    n_choices[j] = len(dist.choices)
                continue
            if not isinstance(dist, (FloatDistribution, IntDistribution)):
                raise TypeError(f"Unsupported distribution {dist!r}.")
            is_log[j] = dist.log
            low[j], high[j] = dist.low, dist.high
            if isinstance(dist, IntDistribution):
                step[j] = dist.step
            elif dist.step is not None:
                step[j] = dist.step
        half = 0.5 * step
        lo = _to_model(np.where(is_cat, 0.0, low - half), is_log)
        hi = _to_model(np.where(is_cat, 1.0, high + half), is_log)
        return cls(is_cat, is_log, low, high, step, n_choices, lo, hi)

    def uniform(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` points uniformly (log-uniformly on log columns), on the grid."""
        u = rng.random((size, self.is_cat.size))
        Y = self.lo + u * (self.hi - self.lo)
        X = _from_model(Y, self.is_log)
        X[:, self.is_cat] = np.floor(u[:, self.is_cat] * self.n_choices[self.is_cat])
        return self.round(X)

    def round(self, X: np.ndarray) -> np.ndarray:
        """Snap numerical columns of internal ``X`` to their grid and clip them to bounds."""
        X = np.array(X, dtype=float)
        num = ~self.is_cat
        grid = num & (self.step > 0)
        if np.any(grid):
            s = self.step[grid]
            k = np.round((X[:, grid] - self.low[grid]) / s)
            X[:, grid] = self.low[grid] + k * s
        X[:, num] = np.minimum(np.maximum(X[:, num], self.low[num]), self.high[num])
        return X


def _to_model(X: np.ndarray, is_log: np.ndarray) -> np.ndarray:
    """``X`` in model space (log on the ``is_log`` columns); a new array unless none is log."""
    X = np.asarray(X, dtype=float)
    if not is_log.any():
        return X
    Y = np.array(X, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        Y[..., is_log] = np.log(Y[..., is_log])
    return Y


def _from_model(Y: np.ndarray, is_log: np.ndarray) -> np.ndarray:
    return np.where(is_log, np.exp(np.where(is_log, Y, 0.0)), Y)


def categorical_bandwidth(k: int, n: int) -> float:
    """Aitchison-Aitken bandwidth ``b`` for ``k`` choices and ``n`` observations.

    Each observation's kernel puts ``1 - b`` on its choice and ``b / (k - 1)`` on each other
    one; ``b = (1 - 1 / k) / sqrt(n + 1)`` shrinks from near-uniform to near-one-hot as
    observations accumulate.

    Examples
    --------
    >>> categorical_bandwidth(2, 0), categorical_bandwidth(2, 3)
    (0.5, 0.25)
    """
    return (1.0 - 1.0 / k) / float(np.sqrt(n + 1.0))


def neighbour_bandwidths(
    Y: np.ndarray, lo: np.ndarray, hi: np.ndarray, consider_endpoints: bool
) -> np.ndarray:
    """``(n, m)`` bandwidths: per column, each point's larger gap to its sorted neighbours.

    Points in dense regions get narrow kernels and isolated points wide ones, so a mixture
    follows the observations' local density. The bounds ``lo``/``hi`` count as neighbours of
    the extreme points only when ``consider_endpoints``; otherwise an extreme point gets its
    inner gap.

    Examples
    --------
    >>> Y = np.array([[0.1], [0.2], [0.6]])
    >>> neighbour_bandwidths(Y, np.array([0.0]), np.array([1.0]), consider_endpoints=False)
    array([[0.1],
           [0.4],
           [0.4]])
    """
    n = Y.shape[0]
    T = np.ascontiguousarray(Y.T)  # one contiguous row per column: sorts run on rows
    order = np.argsort(T, axis=1)
    padded = np.hstack([lo[:, None], np.take_along_axis(T, order, axis=1), hi[:, None]])
    left = padded[:, 1:-1] - padded[:, :-2]
    right = padded[:, 2:] - padded[:, 1:-1]
    if not consider_endpoints and n > 1:
        left[:, 0] = right[:, 0]
        right[:, -1] = left[:, -1]
    out = np.empty_like(T)
    np.put_along_axis(out, order, np.maximum(left, right), axis=1)
    return out.T


@dataclasses.dataclass(frozen=True)
class ParzenEstimator:
    """A mixture of product kernels over a :class:`SpaceArrays` space.

    Build with :meth:`fit`; then :meth:`sample` draws points and :meth:`log_pdf` scores them.
    Both work on internal representations (``(n_points, d)`` arrays).

    Attributes
    ----------
    space : SpaceArrays
    log_w : ndarray of shape (n + 1,)
        Log mixture weights.
    mu, sigma : ndarray of shape (n + 1, d)
        Kernel centres and bandwidths in model space (meaningful on numerical columns).
    log_norm : ndarray of shape (n + 1, d)
        ``log Z`` of each kernel over the support ``[lo, hi]``.
    cat_log_p : tuple of ndarray
        For each categorical column, in column order, the ``(n + 1, k_j)`` log-probabilities.
    """

    space: SpaceArrays
    log_w: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    log_norm: np.ndarray
    cat_log_p: tuple[np.ndarray, ...]

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        weights: np.ndarray,
        space: SpaceArrays,
        *,
        prior_weight: float = 1.0,
        consider_magic_clip: bool = True,
        consider_endpoints: bool = False,
        previous: ParzenEstimator | None = None,
    ) -> ParzenEstimator:
        """Mixture of one kernel per row of internal ``X`` (with ``weights``) plus the prior.

        Parameters
        ----------
        X : ndarray of shape (n, d)
            Observations in internal representation; ``n`` may be 0 (the prior alone).
        weights : ndarray of shape (n,)
            Positive observation weights.
        space : SpaceArrays
        prior_weight : float, default=1.0
            Weight of the prior component (uniform-like, wide) relative to one observation.
        consider_magic_clip : bool, default=True
            Keep bandwidths above ``range / min(100, n + 1) ** 1.5``: few observations give
            wide kernels. Bandwidths always stay above 3% of the range.
        consider_endpoints : bool, default=False
            Count the bounds as neighbours when setting bandwidths (see
            :func:`neighbour_bandwidths`).
        previous : ParzenEstimator, default=None
            An earlier fit of the same mixture (e.g. at the previous ask): its kernels found
            again at the same row or one row off keep their normalisers instead of
            recomputing them. The result is the same.
        """
        X = np.asarray(X, dtype=float).reshape(-1, space.is_cat.size)
        n, d = X.shape
        w = np.append(np.asarray(weights, dtype=float), prior_weight)
        log_w = np.log(w / w.sum())

        num = ~space.is_cat
        lo, hi = space.lo, space.hi
        width = hi - lo
        Y = _to_model(X, space.is_log)
        mu = np.vstack([Y, 0.5 * (lo + hi)])
        sigma = np.tile(width, (n + 1, 1))
        if n > 0 and np.any(num):
            sigma[:n, num] = neighbour_bandwidths(Y[:, num], lo[num], hi[num], consider_endpoints)
            floor = _MIN_BANDWIDTH_FACTOR
            if consider_magic_clip:
                floor = max(floor, min(100.0, n + 1.0) ** -_MAGIC_CLIP_EXPONENT)
            sigma[:n] = np.minimum(np.maximum(sigma[:n], floor * width), width)
        # A single-valued continuous column has width 0: give it a harmless unit scale (it is
        # sampled at its value and contributes nothing to densities).
        sigma = np.where(sigma > 0, sigma, 1.0)
        log_norm = np.zeros((n + 1, d))
        todo = np.zeros((n + 1, d), dtype=bool)
        todo[:, num & (width > 0)] = True
        if previous is not None and _same_support(previous.space, space):
            # A kernel of the previous fit keeps its normaliser: it depends on nothing else.
            todo &= ~_copy_kept(
                log_norm, mu, sigma, previous.log_norm, previous.mu, previous.sigma
            )
        if todo.any():
            log_norm[todo] = _truncnorm.log_gauss_mass(
                ((lo - mu) / sigma)[todo], ((hi - mu) / sigma)[todo]
            )

        cat_log_p = []
        for j in np.flatnonzero(space.is_cat):
            k = int(space.n_choices[j])
            b = categorical_bandwidth(k, n)
            p = np.full((n + 1, k), b / max(k - 1, 1))
            p[np.arange(n), X[:, j].astype(int)] = 1.0 - b
            p[n] = 1.0 / k
            cat_log_p.append(np.log(p))
        return cls(space, log_w, mu, sigma, log_norm, tuple(cat_log_p))

    @property
    def n_components(self) -> int:
        return self.log_w.size

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` points, ``(size, d)`` in internal representation, on the grid."""
        space = self.space
        p = np.exp(self.log_w - np.max(self.log_w))
        p /= p.sum()
        comp = rng.choice(self.n_components, size=size, p=p)
        d = space.is_cat.size
        X = np.empty((size, d))
        num = np.flatnonzero(~space.is_cat)
        if num.size:
            mu, sigma = self.mu[comp][:, num], self.sigma[comp][:, num]
            a = (space.lo[num] - mu) / sigma
            b = (space.hi[num] - mu) / sigma
            z = _truncnorm.ppf(rng.random((size, num.size)), a, b)
            Y = np.minimum(np.maximum(mu + sigma * z, space.lo[num]), space.hi[num])
            X[:, num] = _from_model(Y, space.is_log[num])
        for j, log_p in zip(np.flatnonzero(space.is_cat), self.cat_log_p):
            cdf = np.cumsum(np.exp(log_p[comp]), axis=1)
            u = rng.random(size) * cdf[:, -1]
            X[:, j] = np.minimum((cdf < u[:, None]).sum(axis=1), log_p.shape[1] - 1)
        return space.round(X)

    def log_pdf(
        self, X: np.ndarray, mass_caches: Mapping[int, CellMassCache] | None = None
    ) -> np.ndarray:
        """Log-density (log-mass on discrete columns) of each row of internal ``X``, ``(m,)``.

        ``mass_caches``: by discrete column index, a :class:`CellMassCache` keeping the
        columns' grid-cell masses of kernels between calls (the result is the same).
        """
        space = self.space
        X = np.asarray(X, dtype=float)
        m = X.shape[0]
        cont = np.flatnonzero(~space.is_cat & (space.step == 0) & (space.hi > space.lo))
        disc = np.flatnonzero(~space.is_cat & (space.step > 0))
        # Per component, the terms that do not depend on the point: (n + 1,).
        const = self.log_w - np.sum(np.log(self.sigma[:, cont]) + self.log_norm[:, cont], axis=1)
        total = np.empty((m, self.n_components))
        total[:] = const - _LOG_SQRT_2PI * cont.size
        # One (m, n + 1) pass per column: cheaper than (m, n + 1, d) arrays summed over d.
        Y = _to_model(X[:, cont], space.is_log[cont])
        for c, j in enumerate(cont):
            z = np.subtract.outer(Y[:, c], self.mu[:, j])
            z /= self.sigma[:, j]
            z *= z
            z *= 0.5
            total -= z
        for j, log_p in zip(np.flatnonzero(space.is_cat), self.cat_log_p):
            total += log_p.T[X[:, j].astype(int)]
        if disc.size:
            total = self._add_discrete_log_mass(total, X, disc, mass_caches or {})
        return _logsumexp_rows(total)

    def _cells(self, j: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Model-space bounds of the grid cells of ``values`` in discrete column ``j``."""
        space = self.space
        half = 0.5 * space.step[j]
        cell_lo, cell_hi = values - half, values + half
        if space.is_log[j]:
            cell_lo, cell_hi = np.log(cell_lo), np.log(cell_hi)
        return np.maximum(cell_lo, space.lo[j]), np.minimum(cell_hi, space.hi[j])

    def _cell_log_mass(
        self, j: int, values: np.ndarray, kernels: np.ndarray | None = None, exact: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(log_mass, inexact)`` of the grid cells of ``values`` in discrete column ``j``:
        ``(u, n + 1)`` under every kernel, or of the pairs (``values[k]``, ``kernels[k]``).

        Inexact masses (below ``1e-7``) are upper bounds unless ``exact``.
        """
        cell_lo, cell_hi = self._cells(j, values)
        mu, sigma, log_norm = self.mu[:, j], self.sigma[:, j], self.log_norm[:, j]
        if kernels is None:
            a = np.subtract.outer(cell_lo, mu) / sigma
            b = np.subtract.outer(cell_hi, mu) / sigma
        else:
            mu, sigma, log_norm = mu[kernels], sigma[kernels], log_norm[kernels]
            a, b = (cell_lo - mu) / sigma, (cell_hi - mu) / sigma
        if exact:
            return _truncnorm.log_gauss_mass(a, b) - log_norm, np.zeros(a.shape, dtype=bool)
        log_mass, inexact = _truncnorm.log_gauss_mass_fast(a, b)
        return log_mass - log_norm, inexact

    def _add_discrete_log_mass(
        self,
        total: np.ndarray,
        X: np.ndarray,
        disc: np.ndarray,
        mass_caches: Mapping[int, CellMassCache],
    ) -> np.ndarray:
        """``total`` plus the ``(m, n + 1)`` log-probabilities of the grid cells of ``X``'s
        discrete columns ``disc`` (``total`` holds the other columns' terms).

        A column's masses are computed once per distinct value of the column (points drawn
        from a mixture share many), or taken from its cache. Where a mass is below ``1e-7``
        its exact log is costly (see :func:`_truncnorm.log_gauss_mass_fast`): an upper bound
        is used when even the bound leaves the (point, component) pair 40 nats below the
        largest exactly known total of the point: its true share of the mixture is below
        ``exp(-40)``, so the result is exact to ~1e-15 relative. Only the other pairs are
        refined.
        """
        columns = []
        bounded = np.zeros(total.shape, dtype=bool)
        for j in disc:
            values, inverse = _unique_inverse(X[:, j])
            cache = mass_caches.get(int(j))
            if cache is not None and cache.bind(self.mu[:, j], self.sigma[:, j]):
                log_mass, inexact = cache.lookup(
                    values, lambda k, i, j=j, v=values: self._cell_log_mass(j, v[k], i)
                )
            else:
                cache = None
                log_mass, inexact = self._cell_log_mass(j, values)
            total += log_mass[inverse]
            columns.append((j, values, inverse, log_mass, inexact, cache))
            if inexact.any():
                bounded |= inexact[inverse]
        if not bounded.any():
            return total
        floor = np.max(np.where(bounded, -np.inf, total), axis=1)
        matters = bounded & (total >= floor[:, None] - 40.0)
        if not matters.any():
            return total
        for j, values, inverse, log_mass, inexact, cache in columns:
            refine = np.zeros(inexact.shape, dtype=bool)
            rows, comps = np.nonzero(matters & inexact[inverse])
            refine[inverse[rows], comps] = True
            if refine.any():
                old = log_mass[inverse]
                k, i = np.nonzero(refine)
                exact = self._cell_log_mass(j, values[k], i, exact=True)[0]
                log_mass = np.array(log_mass)
                log_mass[k, i] = exact
                if cache is not None:
                    cache.store_exact(values[k], i, exact)
                total += log_mass[inverse] - old
        return total


def _same_support(a: SpaceArrays, b: SpaceArrays) -> bool:
    return (
        a.is_cat.size == b.is_cat.size
        and np.array_equal(a.is_cat, b.is_cat)
        and np.array_equal(a.lo, b.lo)
        and np.array_equal(a.hi, b.hi)
    )


def _copy_kept(
    out: np.ndarray,
    mu: np.ndarray,
    sigma: np.ndarray,
    prev_out: np.ndarray,
    prev_mu: np.ndarray,
    prev_sigma: np.ndarray,
) -> np.ndarray:
    """Copy into ``out`` the entries of ``prev_out`` whose kernel ``(mu, sigma)`` is found at
    the same row or one row off (a trial entering or leaving a mixture shifts the later
    rows by one); return where copied, ``(n + 1, d)`` bool.

    Examples
    --------
    >>> out, prev = np.zeros((2, 1)), np.array([[5.0], [6.0]])
    >>> _copy_kept(out, np.array([[1.0], [2.0]]), np.ones((2, 1)),
    ...            prev, np.array([[0.0], [1.0]]), np.ones((2, 1)))
    array([[ True],
           [False]])
    >>> out
    array([[6.],
           [0.]])
    """
    found = np.zeros(out.shape, dtype=bool)
    n, m = len(out), len(prev_out)
    for shift in (0, 1, -1):
        lo, hi = max(shift, 0), min(n, m + shift)
        if hi <= lo:
            continue
        src = slice(lo - shift, hi - shift)
        same = ~found[lo:hi] & (mu[lo:hi] == prev_mu[src]) & (sigma[lo:hi] == prev_sigma[src])
        out[lo:hi][same] = prev_out[src][same]
        found[lo:hi] |= same
    return found


def _unique_inverse(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_inverse=True)`` for a 1-d ``x``, without its overhead.

    Examples
    --------
    >>> _unique_inverse(np.array([3.0, 1.0, 3.0]))
    (array([1., 3.]), array([1, 0, 1]))
    """
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    first = np.empty(x.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(x.size, dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _logsumexp_rows(A: np.ndarray) -> np.ndarray:
    """``log(sum(exp(A), axis=1))`` for a 2-d ``A``, shifted by each row's max."""
    top = np.max(A, axis=1)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.log(np.sum(np.exp(A - top[:, None]), axis=1)) + top
