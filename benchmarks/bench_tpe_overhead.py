"""Overhead benchmark: sampler time per trial (ask + suggest + tell) of TPE, sk_hpo vs Optuna.

For each study size N, a study is filled with N finished trials (drawn at random, which is
fast), then the sampler is switched to TPE and ``--repeats`` more trials are timed, after a
few warm-up trials (caches of finished trials are part of the design, so the steady state is
what a long study pays per trial). The objective is trivial: 5 mixed parameters (a float, a
log float, an int, a log int and a categorical), in-memory storage.

Prints a table of the median milliseconds per trial and writes it, with the command line,
to ``benchmarks/results/tpe_overhead_<timestamp>.md``.

Usage::

    python benchmarks/bench_tpe_overhead.py                      # N = 100, 1000, 10000
    python benchmarks/bench_tpe_overhead.py --sizes 100,1000 --repeats 50
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def objective(trial: Any) -> float:
    x = trial.suggest_float("x", -5.0, 5.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 100)
    units = trial.suggest_int("units", 8, 1024, log=True)
    kind = trial.suggest_categorical("kind", ["a", "b", "c", "d"])
    return x**2 + (math.log10(lr) + 3) ** 2 + abs(n - 30) / 10 + abs(math.log2(units) - 6) + (
        kind != "b"
    )


def _time_trials(study: Any, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        trial = study.ask()
        value = objective(trial)
        study.tell(trial, value)
        times.append(time.perf_counter() - start)
    return times


def sk_hpo_study(n_trials: int, seed: int) -> Any:
    import sk_hpo

    study = sk_hpo.create_study(
        sampler=sk_hpo.samplers.RandomSampler(seed=seed), pruner=sk_hpo.pruners.NopPruner()
    )
    study.optimize(objective, n_trials=n_trials)
    study.sampler = sk_hpo.samplers.TPESampler(seed=seed)
    return study


def optuna_study(n_trials: int, seed: int) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
        study.optimize(objective, n_trials=n_trials)
        study.sampler = optuna.samplers.TPESampler(seed=seed)
    return study


FRAMEWORKS: dict[str, Callable[[int, int], Any]] = {
    "sk_hpo": sk_hpo_study,
    "optuna": optuna_study,
}


def measure(framework: str, size: int, repeats: int, warmup: int = 3) -> float:
    """Median seconds per ask+suggest+tell once ``size`` trials are finished."""
    study = FRAMEWORKS[framework](size, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _time_trials(study, warmup)
        return float(np.median(_time_trials(study, repeats)))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeats", type=int, default=20, help="timed trials per size")
    parser.add_argument("--frameworks", default="sk_hpo,optuna")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    frameworks = args.frameworks.split(",")

    ms: dict[tuple[str, int], float] = {}
    for size in sizes:
        for fw in frameworks:
            ms[fw, size] = 1000 * measure(fw, size, args.repeats)
            print(f"{fw} at {size} trials: {ms[fw, size]:.2f} ms/trial", file=sys.stderr)

    lines = ["| trials | " + " | ".join(f"{fw} ms/trial" for fw in frameworks)]
    lines[0] += " | sk_hpo / optuna |" if {"sk_hpo", "optuna"} <= set(frameworks) else " |"
    lines.append("|" + "---|" * (len(lines[0].split("|")) - 2))
    for size in sizes:
        cells = [f"{ms[fw, size]:.2f}" for fw in frameworks]
        if {"sk_hpo", "optuna"} <= set(frameworks):
            cells.append(f"{ms['sk_hpo', size] / ms['optuna', size]:.3f}")
        lines.append(f"| {size} | " + " | ".join(cells) + " |")
    if len(sizes) > 1:
        lines.append("")
        for fw in frameworks:
            growth = ", ".join(
                f"x{ms[fw, b] / ms[fw, a]:.1f} from {a} to {b} trials ({b / a:.0f}x more)"
                for a, b in zip(sizes, sizes[1:])
            )
            lines.append(f"- {fw} growth: {growth}")

    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    versions = f"numpy {np.__version__}, Python {platform.python_version()}"
    try:
        import optuna

        versions += f", optuna {optuna.__version__}"
    except ImportError:
        pass
    report = "\n".join(
        [
            f"# TPE overhead benchmark ({datetime.datetime.now():%Y-%m-%d %H:%M})",
            "",
            f"Command: `{command}`",
            "",
            f"Median over {args.repeats} timed trials (after 3 warm-up trials) of ask + 5 "
            f"suggests + tell, in memory, once N trials are finished; {versions}.",
            "",
            *lines,
            "",
        ]
    )
    print(report)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(
        args.out, f"tpe_overhead_{datetime.datetime.now():%Y%m%d_%H%M%S}.md"
    )
    with open(path, "w") as f:
        f.write(report)
    print(f"written {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
