"""Rung fidelity: do HPOSearchCV's cheap rungs rank candidates as cross-validation does?

Successive halving on subsample rungs (``resource="n_samples"``, the default when the pruner
halves) keeps the candidates that score best on small training subsamples. That pays only
when a candidate's rank there predicts its rank with the whole training folds: on some
tasks it does not (regularisation or learning-rate optima move with the number of rows),
and the search then loses quality to RandomizedSearchCV whatever the sampler proposes.

For each task of ``search_tasks.py`` and seed, this draws ``--n-candidates`` random
candidates from the task's space and fits each one:

- at every cheap rung of the resource plan HPOSearchCV would make for ``n_iter=40`` on that
  data (same budgets, same nested subsamples, same folds, scored on the same test folds);
- on every fold at the full budget (the 5-fold CV score);
- on the whole training half, scored on the held-out half (the test score).

Per rung it reports Spearman's rank correlation with the CV score and with the test score,
and the test score of the rung's own best candidate, against the CV-best candidate's. A
rung whose correlation with the CV score is near zero or negative is a rung halving should
not trust. Writes ``rung_fidelity_<timestamp>.md`` to ``benchmarks/results/``.

This is a diagnostic: its fits are those of a random search plus the cheap rungs, so it
runs in a little more than the time of RandomizedSearchCV on the same tasks (8 tasks x 3
seeds took 11 minutes on the quiet 2-core machine, ``--jobs 2``).

Usage::

    python benchmarks/bench_rung_fidelity.py                       # 8 tasks x 2 seeds
    python benchmarks/bench_rung_fidelity.py --tasks saga_logreg,gbr_friedman --seeds 4
"""

from __future__ import annotations

import argparse
import datetime
import os
import shlex
import sys
import warnings
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from joblib import Parallel, delayed  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import ParameterSampler, train_test_split  # noqa: E402

from benchmarks.bench_search import RESULTS, TEST_SIZE, _cv  # noqa: E402
from benchmarks.search_tasks import DEFAULT_TASKS, SEARCH_TASKS, SearchTask  # noqa: E402
from sk_hpo.model_selection._resource import ResourcePlan, make_resource_plan  # noqa: E402

N_ITER = 40  # the search the rungs are planned for


def _plan(task: SearchTask, X: Any, y: Any, seed: int) -> ResourcePlan:
    splits = list(_cv(task).split(X, y))
    return make_resource_plan(
        resource="auto", min_resources="auto", max_resources="auto", factor=3,
        estimator=task.estimator, searched=set(task.space), splits=splits, y=y, groups=None,
        classifier=task.classifier, seed=seed, n_candidates=N_ITER, halving=True,
    )


def _score(estimator: Any, params: dict[str, Any], X: Any, y: Any, train: np.ndarray,
           test: np.ndarray) -> float:
    try:
        fitted = clone(estimator).set_params(**params).fit(X[train], y[train])
        return float(fitted.score(X[test], y[test]))
    except Exception:  # a failed fit ranks last, as error_score=nan does in a search
        return float("nan")


def _candidate_row(task: SearchTask, plan: ResourcePlan, params: dict[str, Any], X: Any,
                   y: Any, X_test: Any, y_test: Any) -> list[float]:
    """Cheap rungs' scores (mean over the rung's folds), CV score, test score."""
    row = []
    for step in plan.steps(cheap_rungs=True):
        if step.final:
            continue
        scores = []
        for fold in step.folds:
            p, train, test = plan.fold_inputs(params, step.level, fold)
            scores.append(_score(task.estimator, p, X, y, train, test))
        row.append(float(np.mean(scores)))
    cv = [_score(task.estimator, params, X, y, train, test) for train, test in plan.splits]
    row.append(float(np.mean(cv)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fitted = clone(task.estimator).set_params(**params).fit(X, y)
            row.append(float(fitted.score(X_test, y_test)))
        except Exception:
            row.append(float("nan"))
    return row


def _rho(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3 or np.ptp(a[ok]) == 0 or np.ptp(b[ok]) == 0:
        return float("nan")  # a rung that scores every candidate alike ranks nothing
    return float(spearmanr(a[ok], b[ok])[0])


def measure(task: SearchTask, seed: int, n_candidates: int, jobs: int) -> dict[str, Any]:
    X, y = task.data()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=seed, stratify=y if task.classifier else None
    )
    plan = _plan(task, X_train, y_train, seed)
    candidates = list(ParameterSampler(task.space, n_candidates, random_state=seed))

    def one(params: dict[str, Any]) -> list[float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings of the cheap fits
            return _candidate_row(task, plan, params, X_train, y_train, X_test, y_test)

    table = np.array(Parallel(n_jobs=jobs)(delayed(one)(p) for p in candidates))
    cv, test = table[:, -2], table[:, -1]
    best_by = [np.nanargmax(np.where(np.isnan(c), -np.inf, c)) for c in table[:, :-1].T]
    return {
        "budgets": [int(b) for b in plan.budgets],  # type: ignore[arg-type]
        "resource": plan.resource,
        "rho_cv": [_rho(table[:, i], cv) for i in range(table.shape[1] - 2)],
        "rho_test": [_rho(table[:, i], test) for i in range(table.shape[1] - 1)],
        "test_of_best": [float(test[i]) for i in best_by],
        "best_test": float(np.nanmax(test)),
    }


def _fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:+.2f}"


def report(results: dict[tuple[str, int], dict[str, Any]], command: str) -> str:
    lines = [
        "# Rung fidelity", "", f"Command: `{command}`", "",
        "Spearman correlation of each cheap rung's score with the 5-fold CV score (and with "
        "the held-out test score) over random candidates; test score of the candidate each "
        "rung (and CV) ranks first. Rung budgets are training rows (or the resource's units).",
        "",
        "| task | seed | budgets | rho vs CV per cheap rung | rho vs test (rungs, CV) "
        "| test of rung's best (rungs, CV) | best test |",
        "|---|---|---|---|---|---|---|",
    ]
    for (name, seed), r in sorted(results.items()):
        lines.append(
            f"| {name} | {seed} | {r['budgets']} | {' '.join(map(_fmt, r['rho_cv']))} | "
            f"{' '.join(map(_fmt, r['rho_test']))} | "
            f"{' '.join(f'{x:.4f}' for x in r['test_of_best'])} | {r['best_test']:.4f} |"
        )
    if len(results) and all(r["resource"] == "folds" for r in results.values()):
        lines += ["", "(every task's plan was resource='folds': no cheap rung to check)"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[tuple[str, int], dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(DEFAULT_TASKS))
    parser.add_argument("--seeds", type=int, default=2, help="seeds 0..n-1")
    parser.add_argument("--n-candidates", type=int, default=N_ITER)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out-dir", default=RESULTS)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.tasks.split(",")) - set(SEARCH_TASKS))
    if unknown:
        parser.error(f"unknown --tasks {unknown}; choose among {sorted(SEARCH_TASKS)}")
    results = {}
    for name in args.tasks.split(","):
        for seed in range(args.seeds):
            results[(name, seed)] = r = measure(SEARCH_TASKS[name], seed, args.n_candidates,
                                                args.jobs)
            print(f"{name} seed {seed}: budgets {r['budgets']}, rho vs CV "
                  f"{' '.join(map(_fmt, r['rho_cv']))}", flush=True)
    shown = shlex.join(sys.argv[1:] if argv is None else argv)
    text = report(results, f"python benchmarks/bench_rung_fidelity.py {shown}".strip())
    os.makedirs(args.out_dir, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
    path = os.path.join(args.out_dir, f"rung_fidelity_{stamp}.md")
    with open(path, "w") as fh:
        fh.write(text)
    print(text)
    print(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
