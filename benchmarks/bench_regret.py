"""Regret benchmark: best value found after N trials, per task and sampler, over seeds.

Runs every (task, sampler, seed) for ``--trials`` trials in a small process pool, prints a
table of the median and quartiles of the best value, and writes it (with the command line
that made it) to ``benchmarks/results/regret_<timestamp>.md`` plus the raw best-so-far
curves as JSON.

Samplers are pluggable: add a factory ``seed -> (framework, sampler)`` to ``SAMPLERS``
(framework ``"sk_hpo"`` or ``"optuna"``), e.g. from another module::

    from benchmarks import bench_regret
    bench_regret.SAMPLERS["sk_hpo-gp"] = lambda seed: ("sk_hpo", GPSampler(seed=seed))
    bench_regret.main(["--samplers", "sk_hpo-gp,sk_hpo-tpe"])

Usage::

    python benchmarks/bench_regret.py                       # all tasks, 3 samplers, 10 seeds
    python benchmarks/bench_regret.py --tasks branin,hartmann6 --seeds 5 --trials 50
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# One BLAS/OpenMP thread per process: the pool already runs processes in parallel, and
# oversubscribed BLAS threads make small scikit-learn fits ten times slower.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.tasks import TASKS, Task, get_tasks  # noqa: E402


def _sk_hpo_tpe(seed: int) -> tuple[str, Any]:
    from sk_hpo.samplers import TPESampler

    return "sk_hpo", TPESampler(seed=seed)


def _sk_hpo_random(seed: int) -> tuple[str, Any]:
    from sk_hpo.samplers import RandomSampler

    return "sk_hpo", RandomSampler(seed=seed)


def _optuna_tpe(seed: int) -> tuple[str, Any]:
    import optuna

    return "optuna", optuna.samplers.TPESampler(seed=seed)


SAMPLERS: dict[str, Callable[[int], tuple[str, Any]]] = {
    "sk_hpo-tpe": _sk_hpo_tpe,
    "optuna-tpe": _optuna_tpe,
    "sk_hpo-random": _sk_hpo_random,
}
DEFAULT_SAMPLERS = ("sk_hpo-tpe", "optuna-tpe", "sk_hpo-random")


def run_one(task_name: str, sampler_name: str, seed: int, n_trials: int) -> dict[str, Any]:
    """Optimise one task with one sampler; return its best-so-far curve and timing."""
    task = TASKS[task_name]
    framework, sampler = SAMPLERS[sampler_name](seed)
    start = time.perf_counter()
    if framework == "optuna":
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ExperimentalWarning and the like
            study = optuna.create_study(direction=task.direction, sampler=sampler)
            study.optimize(task.objective, n_trials=n_trials)
        values = [t.value for t in study.trials]
    else:
        import sk_hpo

        study = sk_hpo.create_study(
            direction=task.direction, sampler=sampler, pruner=sk_hpo.pruners.NopPruner()
        )
        study.optimize(task.objective, n_trials=n_trials)
        values = [t.value for t in study.trials]
    seconds = time.perf_counter() - start
    arr = np.array([np.nan if v is None else v for v in values], dtype=float)
    sign = -1.0 if task.direction == "maximize" else 1.0
    best = sign * np.fmin.accumulate(sign * arr)
    return {
        "task": task_name,
        "sampler": sampler_name,
        "seed": seed,
        "best_curve": best.tolist(),
        "seconds": seconds,
    }


def _run_job(job: tuple[str, str, int, int]) -> dict[str, Any]:
    return run_one(*job)


def _better_or_equal(a: float, b: float, direction: str) -> bool:
    return a >= b if direction == "maximize" else a <= b


def summarize(
    results: Sequence[dict[str, Any]], tasks: Sequence[Task], samplers: Sequence[str]
) -> tuple[str, dict[str, Any]]:
    """Markdown table of median [q25, q75] best values, and the win counts."""
    final: dict[tuple[str, str], np.ndarray] = {}
    secs: dict[tuple[str, str], float] = {}
    for task in tasks:
        for s in samplers:
            rows = [r for r in results if r["task"] == task.name and r["sampler"] == s]
            final[task.name, s] = np.array([r["best_curve"][-1] for r in rows])
            secs[task.name, s] = float(np.mean([r["seconds"] for r in rows]))
    header = "| task | dir | " + " | ".join(f"{s} median [q25, q75]" for s in samplers) + " |"
    lines = [header, "|" + "---|" * (len(samplers) + 2)]
    for task in tasks:
        cells = []
        for s in samplers:
            v = final[task.name, s]
            q25, med, q75 = np.percentile(v, [25, 50, 75])
            cells.append(f"{med:.5g} [{q25:.5g}, {q75:.5g}]")
        lines.append(f"| {task.name} | {task.direction[:3]} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Mean seconds per run (objective + sampler):")
    lines.append("")
    lines.append("| task | " + " | ".join(samplers) + " |")
    lines.append("|" + "---|" * (len(samplers) + 1))
    for task in tasks:
        lines.append(
            f"| {task.name} | " + " | ".join(f"{secs[task.name, s]:.2f}" for s in samplers) + " |"
        )
    wins: dict[str, Any] = {}
    for a in samplers:
        for b in samplers:
            if a == b:
                continue
            ok = [
                t.name
                for t in tasks
                if _better_or_equal(
                    float(np.median(final[t.name, a])), float(np.median(final[t.name, b])),
                    t.direction,
                )
            ]
            wins[f"{a} <= {b}"] = ok
    lines.append("")
    lines.append("Median best value at least as good (count of tasks):")
    lines.append("")
    for key, ok in wins.items():
        lines.append(f"- {key}: {len(ok)}/{len(tasks)}")
    return "\n".join(lines), wins


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tasks", default=None, help="comma-separated task names (default all)")
    parser.add_argument("--samplers", default=",".join(DEFAULT_SAMPLERS))
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    parser.add_argument("--tag", default="", help="suffix of the result file names")
    args = parser.parse_args(argv)

    tasks = get_tasks(args.tasks.split(",") if args.tasks else None)
    samplers = args.samplers.split(",")
    unknown = [s for s in samplers if s not in SAMPLERS]
    if unknown:
        parser.error(f"unknown sampler(s) {unknown}; choose from {sorted(SAMPLERS)}")
    jobs = [
        (t.name, s, seed, args.trials)
        for t in tasks
        for seed in range(args.seeds)
        for s in samplers
    ]
    start = time.perf_counter()
    results: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for i, res in enumerate(pool.map(_run_job, jobs, chunksize=1), 1):
            results.append(res)
            print(
                f"\r{i}/{len(jobs)} {res['task']} {res['sampler']} seed={res['seed']}",
                end="",
                file=sys.stderr,
                flush=True,
            )
    wall = time.perf_counter() - start
    print(file=sys.stderr)

    table, wins = summarize(results, tasks, samplers)
    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    import sk_hpo

    versions = f"sk_hpo {getattr(sk_hpo, '__version__', '?')}, numpy {np.__version__}"
    try:
        import optuna

        versions += f", optuna {optuna.__version__}"
    except ImportError:
        pass
    report = "\n".join(
        [
            f"# Regret benchmark ({datetime.datetime.now():%Y-%m-%d %H:%M})",
            "",
            f"Command: `{command}`",
            "",
            f"{args.trials} trials, seeds 0..{args.seeds - 1}, {args.jobs} processes, "
            f"wall time {wall:.0f} s; {versions}; Python {platform.python_version()}.",
            "Cells: median [25th, 75th percentile] over seeds of the best value after the "
            "last trial (lower is better for 'min' tasks).",
            "",
            table,
            "",
        ]
    )
    print(report)
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
    base = os.path.join(args.out, f"regret_{stamp}{'_' + args.tag if args.tag else ''}")
    with open(base + ".md", "w") as f:
        f.write(report)
    with open(base + ".json", "w") as f:
        json.dump({"command": command, "results": results, "wins": wins}, f)
    print(f"written {base}.md and .json", file=sys.stderr)


if __name__ == "__main__":
    main()
