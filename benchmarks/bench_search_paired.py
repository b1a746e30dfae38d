"""Quality-only comparison of HPOSearchCV variants: paired held-out differences per seed.

The search race (``bench_search.py``) runs each search with ``n_jobs=2``; HPOSearchCV's
asynchronous halving then asks its sampler with whatever has finished, so two runs of the
same code differ, by up to 0.003 of held-out score per task over 10 seeds. A decision about
a default needs differences near 0.002 resolved. Here every search runs with ``n_jobs=1``
(the same code, task and seed give the same score, run after run), two searches at a time
in worker processes, so many seeds fit in the time of a race. Wall time is not measured:
CPU seconds are, and the CPU ratios are only comparable within one run. Race the chosen
variant once afterwards for wall time.

Every variant is a JSON object of HPOSearchCV keyword arguments (``n_iter=40``, 5-fold CV,
the seed's ``random_state`` and half of the data held out, as in the race); the first one is
the reference. Per task and over all tasks: the mean held-out difference to the reference
with its paired standard error, and the ratio of summed CPU seconds. Writes
``search_paired_<timestamp>.md`` and ``.json`` (every search's score and CPU seconds) to
``benchmarks/results/``.

Usage::

    # the default against RandomizedSearchCV's candidates, 20 seeds, two tasks (~2 min)
    python benchmarks/bench_search_paired.py --tasks logreg_breast_cancer,svr_diabetes \\
        --seeds 20 '{}' '{"sampler": "random", "pruner": null}'
    # halving across folds against the default on the race's 8 tasks
    python benchmarks/bench_search_paired.py --seeds 20 '{}' '{"resource": "folds"}'
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
import warnings
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from benchmarks._pool import run_jobs, write_results  # noqa: E402
from benchmarks.bench_search import RESULTS, TEST_SIZE, _cv  # noqa: E402
from benchmarks.search_tasks import DEFAULT_TASKS, SEARCH_TASKS  # noqa: E402


def run_one(job: tuple[str, int, str, int]) -> dict[str, Any]:
    """One search, ``n_jobs=1``: its held-out score and CPU seconds."""
    from sk_hpo import HPOSearchCV

    task_name, seed, variant, n_iter = job
    task = SEARCH_TASKS[task_name]
    X, y = task.data()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=seed, stratify=y if task.classifier else None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = HPOSearchCV(task.estimator, task.space, n_iter=n_iter, cv=_cv(task),
                             n_jobs=1, random_state=seed, **json.loads(variant))
        start = time.process_time()
        search.fit(X_train, y_train)
        cpu = time.process_time() - start
    return {"task": task_name, "seed": seed, "variant": variant,
            "test": float(search.score(X_test, y_test)), "cpu": cpu}


def report(runs: list[dict[str, Any]], tasks: list[str], variants: list[str]) -> str:
    """Markdown table: each variant against the first, per task and over all tasks."""
    by = {(r["variant"], r["task"], r["seed"]): r for r in runs}
    ref = variants[0]
    lines = [f"Reference: `{ref}`", "",
             "| variant | task | pairs | held-out - reference | CPU / reference |",
             "| --- | --- | ---: | ---: | ---: |"]
    for variant in variants[1:]:
        for task in [*tasks, "all tasks"]:
            keys = [(t, s) for (v, t, s) in by if v == variant
                    and task in (t, "all tasks") and (ref, t, s) in by]
            diff = np.array([by[(variant, *k)]["test"] - by[(ref, *k)]["test"] for k in keys])
            cpu = (sum(by[(variant, *k)]["cpu"] for k in keys)
                   / sum(by[(ref, *k)]["cpu"] for k in keys))
            se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
            lines.append(f"| `{variant}` | {task} | {len(diff)} | {diff.mean():+.4f} ± "
                         f"{se:.4f} | {cpu:.2f}x |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+",
                        help="JSON objects of HPOSearchCV keyword arguments; the first is "
                             "the reference")
    parser.add_argument("--tasks", default=",".join(DEFAULT_TASKS))
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..n-1")
    parser.add_argument("--n-iter", type=int, default=40)
    parser.add_argument("--n-jobs", type=int, default=2, help="searches run at a time")
    parser.add_argument("--out-dir", default=RESULTS)
    args = parser.parse_args(argv)
    tasks = args.tasks.split(",")
    unknown = sorted(set(tasks) - set(SEARCH_TASKS))
    if unknown:
        parser.error(f"unknown task(s) {unknown}; known: {sorted(SEARCH_TASKS)}")
    if len(args.variants) < 2:
        parser.error("give at least two variants: the reference first, e.g. '{}' "
                     "'{\"resource\": \"folds\"}'")
    for variant in args.variants:
        try:
            if not isinstance(json.loads(variant), dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            parser.error(f"variant {variant!r} is not a JSON object of keyword arguments "
                         f"({exc})")
    jobs = [(t, s, v, args.n_iter) for t in tasks for s in range(args.seeds)
            for v in args.variants]
    runs, seconds = run_jobs(run_one, jobs, args.n_jobs)
    command = "python benchmarks/bench_search_paired.py " + shlex.join(argv or sys.argv[1:])
    text = (f"# Paired search comparison\n\nCommand: `{command}`\n\n{len(tasks)} tasks x "
            f"{args.seeds} seeds, n_iter={args.n_iter}, 5-fold, n_jobs=1 per search, "
            f"{args.n_jobs} at a time; {seconds:.0f} s.\n\n"
            + report(runs, tasks, args.variants))
    write_results(args.out_dir, "search_paired", text, {"command": command, "runs": runs})
    return runs


if __name__ == "__main__":
    main()
