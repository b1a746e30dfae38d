"""Run benchmark jobs in worker processes, with a progress count on stderr."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["run_jobs"]


def run_jobs(
    func: Callable[[Any], dict[str, Any]], jobs: Sequence[Any], n_jobs: int
) -> tuple[list[dict[str, Any]], float]:
    """``[func(job) for job in jobs]`` in ``n_jobs`` processes, in order; and the wall seconds.

    ``func`` must be a module-level function (it is pickled to the workers).
    """
    start = time.perf_counter()
    results = []
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        for i, res in enumerate(pool.map(func, jobs, chunksize=1), 1):
            results.append(res)
            print(f"\r{i}/{len(jobs)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return results, time.perf_counter() - start
