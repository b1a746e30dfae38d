"""Run benchmark jobs in worker processes (progress on stderr) and write their results."""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["create_study_of", "run_jobs", "write_results"]


def create_study_of(framework: str) -> Callable[..., Any]:
    """``create_study`` of ``framework`` (``"optuna"``, its logging quietened, or
    ``"sk_hpo"``), imported in the calling worker process."""
    if framework == "optuna":
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        return optuna.create_study
    import sk_hpo

    return sk_hpo.create_study


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


def write_results(out: str, stem: str, report: str, payload: dict[str, Any]) -> str:
    """Print ``report`` and write it to ``<out>/<stem>_<timestamp>.md``, ``payload`` to the
    ``.json`` beside it; return the path without its suffix."""
    print(report)
    os.makedirs(out, exist_ok=True)
    base = os.path.join(out, f"{stem}_{datetime.datetime.now():%Y%m%d_%H%M%S}")
    with open(base + ".md", "w") as f:
        f.write(report)
    with open(base + ".json", "w") as f:
        json.dump(payload, f)
    print(f"written {base}.md and .json", file=sys.stderr)
    return base
