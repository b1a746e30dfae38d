"""HPOSearchCV's own cost: scheduling overhead against GridSearchCV, and parallel speed-up.

1. Overhead: a DummyClassifier (fits take microseconds, so the search machinery is all that
   is measured) on the same grid of candidates, HPOSearchCV(sampler="grid", pruner=None)
   against GridSearchCV, n_jobs=1 and n_jobs=2. Target: at most 1.2x GridSearchCV's wall time.
2. Speed-up: a fit-bound search (SVC on digits, single-threaded libsvm fits) with n_jobs=1
   and n_jobs=2. Target: n_jobs=2 at least 1.7x faster.

Each measurement is the median of ``--repeats`` runs. The table, with the command line and
the machine's load, goes to ``benchmarks/results/search_overhead.md``.

Usage::

    python benchmarks/bench_search_overhead.py
    python benchmarks/bench_search_overhead.py --repeats 3 --grid-size 100
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sk_hpo import HPOSearchCV  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def _median_time(make: Callable[[], Any], X: Any, y: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        search = make()
        start = time.perf_counter()
        search.fit(X, y)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def overhead(grid_size: int, repeats: int) -> list[str]:
    X, y = make_classification(n_samples=500, n_features=10, random_state=0)
    grid = {"constant": list(range(grid_size // 2)), "strategy": ["prior", "most_frequent"]}
    lines = []
    for n_jobs in (1, 2):
        ours = _median_time(
            lambda: HPOSearchCV(DummyClassifier(), grid, sampler="grid", n_iter=None,
                                pruner=None, cv=5, n_jobs=n_jobs),
            X, y, repeats,
        )
        theirs = _median_time(
            lambda: GridSearchCV(DummyClassifier(), grid, cv=5, n_jobs=n_jobs), X, y, repeats
        )
        lines.append(
            f"| DummyClassifier grid, {grid_size} candidates x 5 folds | n_jobs={n_jobs} | "
            f"{ours:.2f} | {theirs:.2f} | {ours / theirs:.2f}x |"
        )
    return lines


def speedup(n_iter: int, repeats: int) -> list[str]:
    X, y = load_digits(return_X_y=True)
    space = {"C": loguniform(1e-1, 1e3), "gamma": loguniform(1e-4, 1e-2)}
    searches = {
        "HPOSearchCV (random, no pruning)": lambda n_jobs: HPOSearchCV(
            SVC(), space, n_iter=n_iter, sampler="random", pruner=None, cv=5, n_jobs=n_jobs,
            random_state=0),
        "RandomizedSearchCV (reference)": lambda n_jobs: RandomizedSearchCV(
            SVC(), space, n_iter=n_iter, cv=5, n_jobs=n_jobs, random_state=0),
    }
    lines = []
    for name, make in searches.items():
        times = {n_jobs: _median_time(lambda: make(n_jobs), X, y, repeats) for n_jobs in (1, 2)}
        lines.append(
            f"| {name}: SVC on digits, {n_iter} candidates x 5 folds | "
            f"{times[1]:.2f} | {times[2]:.2f} | {times[1] / times[2]:.2f}x |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--grid-size", type=int, default=200)
    parser.add_argument("--n-iter", type=int, default=20)
    parser.add_argument("--out", default=os.path.join(RESULTS, "search_overhead.md"))
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    start = time.perf_counter()
    # warm the loky workers up so neither side pays their start-up
    X, y = load_digits(return_X_y=True)
    GridSearchCV(DummyClassifier(), {"strategy": ["prior"]}, n_jobs=2).fit(X, y)
    over = overhead(args.grid_size, args.repeats)
    speed = speedup(args.n_iter, args.repeats)
    command = "python benchmarks/bench_search_overhead.py " + shlex.join(argv or sys.argv[1:])
    report = "\n".join(
        [
            "# HPOSearchCV overhead and parallel speed-up",
            "",
            f"Command: `{command.strip()}` (median of {args.repeats} runs each)",
            "",
            "| search | n_jobs | HPOSearchCV (s) | GridSearchCV (s) | ratio |",
            "| --- | --- | ---: | ---: | ---: |",
            *over,
            "",
            "| fit-bound search | n_jobs=1 (s) | n_jobs=2 (s) | speed-up |",
            "| --- | ---: | ---: | ---: |",
            *speed,
            "",
            f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, load average "
            f"{load_before[0]:.2f} before and {os.getloadavg()[0]:.2f} after (shared with "
            f"other jobs); total {time.perf_counter() - start:.0f}s.",
            "",
        ]
    )
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)
    print(report)


if __name__ == "__main__":
    main()
