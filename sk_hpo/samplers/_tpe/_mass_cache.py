"""Grid-cell masses of Parzen kernels, kept between asks.

In a long study the "bad" mixture has one kernel per trial, and from one ask to the next
almost all of them keep their centre and bandwidth (a new trial changes the bandwidths of
its neighbours only). The log-mass of a grid cell of a discrete column under a kernel
depends on nothing else, so it is kept here and computed only for kernels and cells not
met before. This is orchestration (which kernels are the same); the masses themselves are
computed by the estimator's pure functions.

Notations
---------
``G``
    Number of grid values of the column; grid index ``g = round((value - low) / step)``.
``(mu, sigma)``
    A kernel, identified by these two numbers (its key ``mu + 1j * sigma``).
``slot``
    The column of the cache holding one kernel's ``G`` log-masses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["CellMassCache"]

# At most this many (kernel, cell) entries per column (~10 bytes each): beyond it the
# masses are computed afresh at each ask instead.
_MAX_ENTRIES = 2**22


class CellMassCache:
    """Log-masses of the grid cells of one discrete column under kernels, by kernel.

    Parameters
    ----------
    low, step : float
        The column's grid (internal representation).
    n_grid : int
        Number of grid values ``G``.

    Examples
    --------
    >>> import numpy as np
    >>> cache = CellMassCache(0.0, 1.0, 5)
    >>> values, calls = np.array([2.0, 3.0]), []
    >>> def compute(k, i):  # pairs (values[k], kernel i): a made-up "mass"
    ...     calls.append(len(k))
    ...     return -10 * values[k] - i, np.zeros(len(k), dtype=bool)
    >>> cache.bind(np.array([0.0, 1.0]), np.array([1.0, 1.0]))
    True
    >>> cache.lookup(values, compute)[0]
    array([[-20., -21.],
           [-30., -31.]])
    >>> cache.bind(np.array([1.0, 4.0]), np.array([1.0, 1.0]))  # kernel (1, 1) is kept
    True
    >>> cache.lookup(values, compute)[0]  # its column comes from the cache
    array([[-21., -21.],
           [-31., -31.]])
    >>> calls  # 4 pairs computed at first, then only the 2 of the new kernel
    [4, 2]
    """

    def __init__(self, low: float, step: float, n_grid: int) -> None:
        self._low, self._step, self._n_grid = float(low), float(step), int(n_grid)
        # (G, slots): a grid value's masses under every kernel are contiguous; NaN where
        # not computed yet.
        self._log_mass = np.empty((self._n_grid, 0))
        self._inexact = np.zeros((self._n_grid, 0), dtype=bool)
        self._key_of_slot: list[complex | None] = []
        self._slot_of_key: dict[complex, int] = {}
        self._keys = np.empty(0, dtype=complex)  # the bound kernels' keys
        self._slots = np.empty(0, dtype=int)  # and their slots

    def bind(self, mu: np.ndarray, sigma: np.ndarray) -> bool:
        """Map the current kernels ``(mu, sigma)`` (``(n,)`` each) to slots.

        A kernel met before keeps its slot and masses; others take slots of kernels that
        are gone. Returns False (nothing cached) when the cache would exceed its size cap.
        """
        keys = mu + 1j * sigma
        slots = np.full(keys.size, -1)
        # Kernels mostly keep their position (or move by one, when a trial enters or
        # leaves the mixture): match those by array comparisons, the rest by key.
        for shift in (0, 1, -1):
            lo, hi = max(shift, 0), min(keys.size, self._keys.size + shift)
            if hi <= lo:
                continue
            same = (slots[lo:hi] < 0) & (keys[lo:hi] == self._keys[lo - shift : hi - shift])
            slots[lo:hi][same] = self._slots[lo - shift : hi - shift][same]
        rest = np.flatnonzero(slots < 0)
        if rest.size:
            used = np.zeros(len(self._key_of_slot), dtype=bool)
            used[slots[slots >= 0]] = True
            free = iter(np.flatnonzero(~used).tolist())
            fresh = []
            for k, key in zip(rest.tolist(), keys[rest].tolist()):
                slot = self._slot_of_key.get(key)
                if slot is None or used[slot]:
                    # A free slot, skipping those taken by kernels found by key meanwhile.
                    slot = next((s for s in free if not used[s]), None)
                    if slot is None:
                        n_slots = used.size
                        if not self._grow():
                            self.__init__(self._low, self._step, self._n_grid)  # forget all
                            return False
                        used = np.append(used, np.zeros(len(self._key_of_slot) - n_slots, bool))
                        free = iter(range(n_slots + 1, used.size))
                        slot = n_slots
                    old = self._key_of_slot[slot]
                    if old is not None and self._slot_of_key.get(old) == slot:
                        del self._slot_of_key[old]
                    self._key_of_slot[slot] = key
                    self._slot_of_key[key] = slot
                    fresh.append(slot)
                used[slot] = True
                slots[k] = slot
            self._log_mass[:, fresh] = np.nan
        self._keys, self._slots = keys, slots
        return True

    def _grow(self) -> bool:
        """Double the number of slots (False past the size cap)."""
        n_slots = len(self._key_of_slot)
        more = max(n_slots, 64)
        if (n_slots + more) * self._n_grid > _MAX_ENTRIES:
            return False
        self._log_mass = np.hstack([self._log_mass, np.full((self._n_grid, more), np.nan)])
        self._inexact = np.hstack([self._inexact, np.zeros((self._n_grid, more), dtype=bool)])
        self._key_of_slot.extend([None] * more)
        return True

    def _grid_index(self, values: np.ndarray) -> np.ndarray:
        g = np.rint((values - self._low) / self._step).astype(int)
        return np.minimum(np.maximum(g, 0), self._n_grid - 1)

    def lookup(
        self,
        values: np.ndarray,
        compute: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(log_mass, inexact)``, each ``(u, n)``, of the cells of the grid ``values``
        (``(u,)``) under the bound kernels.

        ``compute(value_index, kernel_index)`` returns both for the pairs not cached (1-d
        arrays of pairs).
        """
        rows = self._grid_index(values)
        # Rows, then columns: two takes are ~3x cheaper than one 2-d fancy index.
        log_mass = np.take(np.take(self._log_mass, rows, axis=0), self._slots, axis=1)
        unknown = np.isnan(log_mass)
        if unknown.any():
            cells, kernels = np.nonzero(unknown)
            new, inexact = compute(cells, kernels)
            log_mass[cells, kernels] = new
            at = rows[cells], self._slots[kernels]
            self._log_mass[at] = new
            self._inexact[at] = inexact
        return log_mass, np.take(np.take(self._inexact, rows, axis=0), self._slots, axis=1)

    def store_exact(
        self, values: np.ndarray, kernels: np.ndarray, log_mass: np.ndarray
    ) -> None:
        """Record exact ``log_mass`` for the pairs (``values[k]``, bound kernel
        ``kernels[k]``) that :meth:`lookup` gave as inexact."""
        at = self._grid_index(values), self._slots[kernels]
        self._log_mass[at] = log_mass
        self._inexact[at] = False
