"""Overhead benchmark: multi-objective TPE time per trial (ask + suggests + tell), sk_hpo vs
Optuna 5's TPESampler.

Each framework's 2-objective study is grown by its own default multi-objective TPE sampler
(same seed, same objective, from its random startup trials on), so the history holds what
the sampler proposes. When the study holds N finished trials (each N of ``--sizes``), the
next ``--repeats`` trials are timed and the study grows on. The objective is trivial: the 5
mixed parameters of :mod:`bench_tpe_overhead` and two conflicting values (the single
objective's value and a distance to another optimum), in-memory storage; its own time is
excluded. Target (issue 15): sk_hpo <= 0.5x Optuna at 500 trials.

Prints the median milliseconds per trial and writes the table, with the command line, to
``benchmarks/results/mo_tpe_overhead_<timestamp>.md``.

Usage (the real run on a quiet machine; about 1-2 minutes on 2 cores, most of it Optuna's
growth to 500 trials)::

    python benchmarks/bench_mo_tpe_overhead.py --sizes 100,500 --repeats 20

Smoke run (seconds)::

    python benchmarks/bench_mo_tpe_overhead.py --sizes 15,20 --repeats 2 --out /tmp
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import shlex
import sys
from collections.abc import Callable, Sequence
from typing import Any
from unittest import mock

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import benchmarks.bench_tpe_overhead as single  # noqa: E402

_single_value = single.objective_value

DIRECTIONS = ["minimize", "minimize"]


def objective_values(p: dict[str, Any]) -> list[float]:
    """Two conflicting objectives: the single-objective task's value, and a distance to
    another optimum (x = 3, lr = 1e-2, n = 70, kind "c")."""
    other = (p["x"] - 3) ** 2 + (math.log10(p["lr"]) + 2) ** 2 + abs(p["n"] - 70) / 10
    return [_single_value(p), other + (p["kind"] != "c")]


def sk_hpo_study(seed: int) -> Any:
    import sk_hpo

    return sk_hpo.create_study(
        directions=DIRECTIONS, sampler=sk_hpo.samplers.TPESampler(seed=seed)
    )


def optuna_study(seed: int) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(
        directions=DIRECTIONS, sampler=optuna.samplers.TPESampler(seed=seed)
    )


FRAMEWORKS: dict[str, Callable[[int], Any]] = {"sk_hpo": sk_hpo_study, "optuna": optuna_study}


def measure(framework: str, sizes: Sequence[int], repeats: int, seed: int) -> list[float]:
    """Median seconds per trial of the ``repeats`` trials after each size of ``sizes``: the
    single-objective benchmark's loop, run on this module's studies and objective."""
    with mock.patch.dict(single.FRAMEWORKS, FRAMEWORKS), mock.patch.object(
        single, "objective_value", objective_values
    ):
        return single.measure(framework, sizes, repeats, seed)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,500", help="comma-separated history sizes")
    parser.add_argument("--repeats", type=int, default=20, help="timed trials per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))

    ms = {}
    for fw in FRAMEWORKS:
        for size, t in zip(sizes, measure(fw, sizes, args.repeats, args.seed)):
            ms[fw, size] = 1000 * t
            print(f"{fw} at {size} trials: {ms[fw, size]:.2f} ms/trial", file=sys.stderr)
    lines = ["| trials | sk_hpo ms/trial | optuna ms/trial | sk_hpo / optuna |", "|---|---|---|---|"]
    for size in sizes:
        ratio = ms["sk_hpo", size] / ms["optuna", size]
        lines.append(
            f"| {size} | {ms['sk_hpo', size]:.2f} | {ms['optuna', size]:.2f} | {ratio:.3f} |"
        )
    if 500 in sizes:
        ratio = ms["sk_hpo", 500] / ms["optuna", 500]
        lines += ["", f"Target sk_hpo <= 0.5x Optuna at 500 trials: "
                  f"{'PASS' if ratio <= 0.5 else 'FAIL'} ({ratio:.3f}x)"]

    import optuna

    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    versions = (
        f"numpy {np.__version__}, Python {platform.python_version()}, optuna {optuna.__version__}"
    )
    report = "\n".join(
        [
            f"# Multi-objective TPE overhead ({datetime.datetime.now():%Y-%m-%d %H:%M})",
            "",
            f"Command: `{command}`",
            "",
            f"Median over {args.repeats} timed trials of ask + 5 suggests + tell (objective "
            "excluded), 2 objectives, in memory, once the study holds N trials grown by each "
            f"framework's default TPESampler (seed {args.seed}); {versions}.",
            "",
            *lines,
            "",
        ]
    )
    print(report)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"mo_tpe_overhead_{datetime.datetime.now():%Y%m%d_%H%M%S}.md")
    with open(path, "w") as f:
        f.write(report)
    print(f"written {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
