"""Overhead benchmark: TPE time per trial (ask + suggest + tell), sk_hpo vs Optuna.

Each framework's study is grown by its own TPE sampler (same seed, same objective, from the
sampler's random startup trials on), so the history holds what TPE itself proposes: trials
packed around the good region, as in a real study, rather than spread at random. When the
study holds N finished trials (for each N of ``--sizes``), the next ``--repeats`` trials are
timed and the study grows on to the next size. The objective is trivial: 5 mixed parameters
(a float, a log float, an int, a log int and a categorical), in-memory storage; its own
time is excluded.

Prints a table of the median milliseconds per trial and writes it, with the command line,
to ``benchmarks/results/tpe_overhead_<timestamp>.md``.

Usage::

    # the real run (issue 12 item 9: target sk_hpo / optuna <= 0.25 at 1000 trials), on a
    # quiet 2-core machine (nothing else running): about 1 min, most of it Optuna's growth
    python benchmarks/bench_tpe_overhead.py --sizes 100,1000 --repeats 20
    python benchmarks/bench_tpe_overhead.py                      # N = 100, 1000, 3000: ~4 min
    python benchmarks/bench_tpe_overhead.py --sizes 20,40 --repeats 5 --out /tmp  # smoke run

Ratios are meaningful only from one run on a quiet machine (both frameworks under the same
load); on a loaded machine use them as indications.
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

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def suggest(trial: Any) -> dict[str, Any]:
    return {
        "x": trial.suggest_float("x", -5.0, 5.0),
        "lr": trial.suggest_float("lr", 1e-5, 1e-1, log=True),
        "n": trial.suggest_int("n", 1, 100),
        "units": trial.suggest_int("units", 8, 1024, log=True),
        "kind": trial.suggest_categorical("kind", ["a", "b", "c", "d"]),
    }


def objective_value(p: dict[str, Any]) -> float:
    return (
        p["x"] ** 2
        + (math.log10(p["lr"]) + 3) ** 2
        + abs(p["n"] - 30) / 10
        + abs(math.log2(p["units"]) - 6)
        + (p["kind"] != "b")
    )


def sk_hpo_study(seed: int) -> Any:
    import sk_hpo

    return sk_hpo.create_study(
        sampler=sk_hpo.samplers.TPESampler(seed=seed), pruner=sk_hpo.pruners.NopPruner()
    )


def optuna_study(seed: int) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))


FRAMEWORKS: dict[str, Callable[[int], Any]] = {"sk_hpo": sk_hpo_study, "optuna": optuna_study}


def grow(study: Any, n_trials: int) -> list[float]:
    """Run ``n_trials`` trials; seconds of each one's ask + suggests + tell."""
    times = []
    for _ in range(n_trials):
        start = time.perf_counter()
        trial = study.ask()
        params = suggest(trial)
        elapsed = time.perf_counter() - start
        value = objective_value(params)
        start = time.perf_counter()
        study.tell(trial, value)
        times.append(elapsed + time.perf_counter() - start)
    return times


def measure(framework: str, sizes: Sequence[int], repeats: int, seed: int) -> list[float]:
    """Median seconds per trial of the ``repeats`` trials after each size of ``sizes``."""
    study = FRAMEWORKS[framework](seed)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for size in sorted(sizes):
            grow(study, size - len(study.trials))
            out.append(float(np.median(grow(study, repeats))))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,3000", help="comma-separated history sizes")
    parser.add_argument("--repeats", type=int, default=20, help="timed trials per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--frameworks", default="sk_hpo,optuna")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    frameworks = args.frameworks.split(",")

    ms: dict[tuple[str, int], float] = {}
    for fw in frameworks:
        for size, t in zip(sizes, measure(fw, sizes, args.repeats, args.seed)):
            ms[fw, size] = 1000 * t
            print(f"{fw} at {size} trials: {ms[fw, size]:.2f} ms/trial", file=sys.stderr)

    both = {"sk_hpo", "optuna"} <= set(frameworks)
    lines = ["| trials | " + " | ".join(f"{fw} ms/trial" for fw in frameworks)]
    lines[0] += " | sk_hpo / optuna |" if both else " |"
    lines.append("|" + "---|" * (len(lines[0].split("|")) - 2))
    for size in sizes:
        cells = [f"{ms[fw, size]:.2f}" for fw in frameworks]
        if both:
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
    if "optuna" in frameworks:
        import optuna

        versions += f", optuna {optuna.__version__}"
    report = "\n".join(
        [
            f"# TPE overhead benchmark ({datetime.datetime.now():%Y-%m-%d %H:%M})",
            "",
            f"Command: `{command}`",
            "",
            f"Median over {args.repeats} timed trials of ask + 5 suggests + tell (objective "
            "excluded), in memory, once the study holds N trials grown by the same TPE "
            f"sampler (seed {args.seed}); {versions}.",
            "",
            *lines,
            "",
        ]
    )
    print(report)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"tpe_overhead_{datetime.datetime.now():%Y%m%d_%H%M%S}.md")
    with open(path, "w") as f:
        f.write(report)
    print(f"written {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
