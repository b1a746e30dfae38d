"""The search race: HPOSearchCV (TPE + successive halving across folds) against
RandomizedSearchCV, HalvingRandomSearchCV and optuna-integration's OptunaSearchCV.

Every method gets the same scikit-learn task, the same ``n_iter`` candidates, 5-fold CV,
``n_jobs=2`` and the same train/test split per seed; the script reports per task the mean
over seeds of the fold fits, the wall time of ``fit`` (including the refit) and the
held-out test score, relative to RandomizedSearchCV (an unpruned search fits ``5 * n_iter``
folds). It writes the table, with the command line and the machine's load, to
``benchmarks/results/search_race.md``.

Needs the ``bench`` extra (``pip install -e ".[bench]"``).

Usage::

    python benchmarks/bench_search.py                          # 3 tasks, 5 seeds, n_iter=30
    python benchmarks/bench_search.py --tasks svc_digits --seeds 2 --methods hpo,random
    python benchmarks/bench_search.py --methods hpo,hpo-n_samples,halving   # resource="n_samples"

Tasks: an SVM on the digits with log-scale C and gamma; a histogram gradient boosting with
5 parameters on generated data; a scaler + PCA + SVM pipeline on the digits.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# One BLAS/OpenMP thread per worker: n_jobs=2 is the parallelism of every method.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from scipy.stats import loguniform, randint, uniform  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
N_SPLITS = 5
# Half the data is held out: a test score difference of 0.005 is ~2 samples in 400, so a
# small test set could not tell the methods apart.
TEST_SIZE = 0.5


@dataclass
class Task:
    name: str
    estimator: Any
    space: dict[str, Any]
    data: Callable[[], tuple[np.ndarray, np.ndarray]]


def _digits() -> tuple[np.ndarray, np.ndarray]:
    return load_digits(return_X_y=True)


def _classification() -> tuple[np.ndarray, np.ndarray]:
    return make_classification(
        n_samples=2000, n_features=20, n_informative=8, n_redundant=4, flip_y=0.05,
        random_state=0,
    )


TASKS = {
    t.name: t
    for t in [
        Task(
            "svc_digits",
            SVC(),
            {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)},
            _digits,
        ),
        Task(
            "hgb_5params",
            HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
            {
                "learning_rate": loguniform(0.01, 0.5),
                "max_leaf_nodes": randint(4, 64),
                "min_samples_leaf": randint(5, 80),
                "l2_regularization": loguniform(1e-4, 10.0),
                "max_features": uniform(0.3, 0.7),
            },
            _classification,
        ),
        Task(
            "pipeline_pca_svc",
            Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("svc", SVC())]),
            {
                "pca__n_components": randint(5, 64),
                "svc__C": loguniform(1e-2, 1e3),
                "svc__gamma": loguniform(1e-5, 1e-1),
            },
            _digits,
        ),
    ]
}


def _optuna_space(space: dict[str, Any]) -> dict[str, Any]:
    import optuna

    out = {}
    for name, dist in space.items():
        family = dist.dist.name
        low, high = (float(b) for b in dist.support())
        if family == "randint":
            out[name] = optuna.distributions.IntDistribution(int(low), int(high))
        else:
            out[name] = optuna.distributions.FloatDistribution(
                low, high, log=family in ("loguniform", "reciprocal")
            )
    return out


def _make_search(method: str, task: Task, n_iter: int, seed: int) -> Any:
    cv = StratifiedKFold(N_SPLITS)
    if method == "hpo" or method.startswith("hpo-"):  # "hpo-<resource>": a budget resource
        from sk_hpo import HPOSearchCV

        resource = method.partition("-")[2] or "folds"
        return HPOSearchCV(task.estimator, task.space, n_iter=n_iter, cv=cv, n_jobs=2,
                           random_state=seed, resource=resource)
    if method == "random":
        from sklearn.model_selection import RandomizedSearchCV

        return RandomizedSearchCV(task.estimator, task.space, n_iter=n_iter, cv=cv, n_jobs=2,
                                  random_state=seed)
    if method == "halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        return HalvingRandomSearchCV(task.estimator, task.space, n_candidates=n_iter, cv=cv,
                                     n_jobs=2, random_state=seed, factor=3)
    if method == "optuna":
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        return OptunaSearchCV(task.estimator, _optuna_space(task.space), n_trials=n_iter, cv=cv,
                              n_jobs=2, random_state=seed)
    raise ValueError(f"unknown method {method!r}")


def _fold_fits(method: str, search: Any, n_iter: int) -> int:
    if method.startswith("hpo"):  # every fit, cheap rungs included
        records = [t.system_attrs.get("sk_hpo:cv") for t in search.study_.trials]
        return sum(
            sum(t is not None for t in part["fit_time"])
            for record in records
            if record
            for part in [record, *record.get("rungs", {}).values()]
        )
    if method == "halving":
        return int(sum(search.n_candidates_)) * N_SPLITS
    return n_iter * N_SPLITS


def run_one(method: str, task: Task, n_iter: int, seed: int) -> dict[str, float]:
    X, y = task.data()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=seed, stratify=y
    )
    search = _make_search(method, task, n_iter, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and experimental warnings
        start = time.perf_counter()
        search.fit(X_train, y_train)
        wall = time.perf_counter() - start
    return {
        "fits": _fold_fits(method, search, n_iter),
        "wall": wall,
        "test": float(search.score(X_test, y_test)),
    }


def _table(rows: dict[tuple[str, str], list[dict[str, float]]], tasks, methods, n_iter) -> str:
    lines = [
        "| task | method | fold fits | fits / unpruned | wall (s) | wall / random | "
        "test score | test - random (± s.e.) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    means: dict[str, list[float]] = {}
    for task in tasks:
        ref = rows.get((task, "random"))
        for method in methods:
            runs = rows[(task, method)]
            fits = np.mean([r["fits"] for r in runs])
            wall = np.mean([r["wall"] for r in runs])
            test = np.mean([r["test"] for r in runs])
            rel_wall, delta = "-", "-"
            if ref is not None:
                rel = wall / np.mean([r["wall"] for r in ref])
                diffs = np.array([r["test"] - q["test"] for r, q in zip(runs, ref)])
                sem = diffs.std(ddof=1) / np.sqrt(len(diffs)) if len(diffs) > 1 else np.nan
                rel_wall, delta = f"{rel:.2f}x", f"{diffs.mean():+.4f} ± {sem:.4f}"
                means.setdefault(method, []).extend(
                    [fits / (n_iter * N_SPLITS), rel, diffs.mean()]
                )
            lines.append(
                f"| {task} | {method} | {fits:.0f} | {fits / (n_iter * N_SPLITS):.2f} | "
                f"{wall:.1f} | {rel_wall} | {test:.4f} | {delta} |"
            )
    for method, values in means.items():
        fits, rel, delta = (np.mean(values[i::3]) for i in range(3))
        lines.append(
            f"| **mean over tasks** | {method} | | {fits:.2f} | | {rel:.2f}x | | {delta:+.4f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--methods", default="hpo,random,halving,optuna")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-iter", type=int, default=30)
    parser.add_argument("--out", default=os.path.join(RESULTS, "search_race.md"))
    args = parser.parse_args(argv)
    tasks = args.tasks.split(",")
    methods = args.methods.split(",")
    load_before = os.getloadavg()
    start = time.perf_counter()
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    # warm the loky workers up so no method pays their start-up
    run_one("random", TASKS["svc_digits"], 2, 0)
    for task in tasks:
        for seed in range(args.seeds):
            for method in methods:
                result = run_one(method, TASKS[task], args.n_iter, seed)
                rows.setdefault((task, method), []).append(result)
                print(f"{task:>20} seed={seed} {method:>8}: fits={result['fits']:4d} "
                      f"wall={result['wall']:6.1f}s test={result['test']:.4f}", flush=True)
    table = _table(rows, tasks, methods, args.n_iter)
    command = "python benchmarks/bench_search.py " + shlex.join(argv or sys.argv[1:])
    report = (
        f"# Search race\n\nCommand: `{command.strip()}`\n\n"
        f"{len(tasks)} tasks x {args.seeds} seeds, n_iter={args.n_iter}, {N_SPLITS}-fold "
        f"stratified CV, n_jobs=2, {TEST_SIZE:.0%} held out per seed (same split for every "
        f"method; s.e. is the standard error of the paired difference over seeds). "
        f"Means over seeds; 'fits / unpruned' divides by n_iter * {N_SPLITS}; HalvingRandom"
        f"SearchCV's fits are on growing subsets of the samples.\n\n{table}\n\n"
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, load average "
        f"{load_before[0]:.2f} before and {os.getloadavg()[0]:.2f} after "
        f"(shared with other jobs); total {time.perf_counter() - start:.0f}s.\n"
    )
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)
    print(report)


if __name__ == "__main__":
    main()
