"""GP sampler overhead: ask + tell time per trial at given history sizes, sk_hpo vs Optuna.

Each framework's study is grown by its own GPSampler (same seed, same objective, from the
sampler's random startup trials on) over 5 mixed parameters (2 floats, one log float, one
int, one categorical), so the history holds what the GP itself proposes. When the study
holds N trials (for each N of ``--history``), the next ``--measure`` trials are timed
(ask + suggests + tell, objective excluded) and the study grows on to the next size; the
mean time per timed trial is reported, median of ``--repeats`` interleaved runs (seeds from
``--seed``). Growing costs as much as the asks it makes: Optuna's at 200 trials takes a few
minutes. The table goes to ``benchmarks/results/gp_overhead.md`` with the command that made
it.

Usage::

    # the real run (issue 12 item 9: target sk_hpo / optuna <= 0.25 at 200 trials), on a
    # quiet 2-core machine (nothing else running): about 8 min, most of it Optuna's growth
    python benchmarks/bench_gp_overhead.py --history 200 --measure 10
    python benchmarks/bench_gp_overhead.py --history 50,200 --measure 10
    python benchmarks/bench_gp_overhead.py --history 500,1000,2000 --frameworks sk_hpo --tag cap
    python benchmarks/bench_gp_overhead.py --history 15,20 --measure 2 --repeats 1 --out /tmp
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def objective_value(p: dict) -> float:
    return (
        (p["x"] - 0.3) ** 2
        + (p["y"] + 0.2) ** 2
        + (np.log10(p["lr"]) + 2) ** 2
        + abs(p["n"] - 4)
        + (p["c"] != "b")
    )


def suggest(trial) -> dict:
    return {
        "x": trial.suggest_float("x", -1, 1),
        "y": trial.suggest_float("y", -1, 1),
        "lr": trial.suggest_float("lr", 1e-4, 1, log=True),
        "n": trial.suggest_int("n", 1, 8),
        "c": trial.suggest_categorical("c", ["a", "b", "c"]),
    }


def make_study(framework: str, seed: int):
    """A study sampled by the framework's GPSampler."""
    if framework == "sk_hpo":
        import sk_hpo
        from sk_hpo.pruners import NopPruner
        from sk_hpo.samplers import GPSampler

        return sk_hpo.create_study(sampler=GPSampler(seed=seed), pruner=NopPruner())
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(sampler=optuna.samplers.GPSampler(seed=seed))


def grow(study, n_trials: int) -> float:
    """Run ``n_trials`` trials; total seconds of their asks, suggests and tells."""
    elapsed = 0.0
    for _ in range(n_trials):
        start = time.perf_counter()
        trial = study.ask()
        params = suggest(trial)
        elapsed += time.perf_counter() - start
        value = objective_value(params)
        start = time.perf_counter()
        study.tell(trial, value)
        elapsed += time.perf_counter() - start
    return elapsed


def run(framework: str, histories: list[int], measure: int, seed: int) -> list[float]:
    """Mean seconds per trial of the ``measure`` trials after each size of ``histories``."""
    study = make_study(framework, seed)
    out = []
    for history in sorted(histories):
        grow(study, history - len(study.trials))
        out.append(grow(study, measure) / measure)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", default="200", help="comma-separated history sizes")
    parser.add_argument("--measure", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeats", type=int, default=3, help="interleaved runs per framework, median kept"
    )
    parser.add_argument("--frameworks", default="sk_hpo,optuna")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    parser.add_argument("--tag", default="", help="suffix of the result file name")
    args = parser.parse_args(argv)
    frameworks = args.frameworks.split(",")
    histories = sorted(int(h) for h in args.history.split(","))
    lines = ["| trials in the study | " + " | ".join(f"{f} ms/trial" for f in frameworks)]
    lines[0] += " | sk_hpo / optuna |" if len(frameworks) == 2 else " |"
    lines.append("|" + "---|" * (len(frameworks) + 1 + (len(frameworks) == 2)))
    # Interleaved repeats: a load change on the shared machine hits both frameworks.
    runs = [
        [run(f, histories, args.measure, args.seed + r) for f in frameworks]
        for r in range(args.repeats)
    ]
    per_size = np.median(np.array(runs), axis=0)  # (frameworks, histories)
    for i, history in enumerate(histories):
        times = per_size[:, i]
        cells = [f"{t * 1000:.1f}" for t in times]
        if len(frameworks) == 2:
            cells.append(f"{times[0] / times[1]:.3f}")
        lines.append(f"| {history} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    import numpy
    import scipy

    versions = f"numpy {numpy.__version__}, scipy {scipy.__version__}"
    if "optuna" in frameworks:
        import optuna
        import torch

        versions += f", optuna {optuna.__version__}, torch {torch.__version__}"
    command = "python benchmarks/bench_gp_overhead.py " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    report = "\n".join(
        [
            f"# GP sampler overhead ({datetime.datetime.now():%Y-%m-%d %H:%M})",
            "",
            f"Command: `{command}`",
            "",
            f"Mean ask + tell time over {args.measure} GP trials once the study holds the "
            "given number of trials grown by the same GP sampler (5 mixed parameters; "
            "objective excluded), median of "
            f"{args.repeats} interleaved runs (seeds from {args.seed}); "
            f"{versions}; Python {platform.python_version()}, {os.cpu_count()} CPUs "
            "(shared with other jobs).",
            "",
            *lines,
            "",
        ]
    )
    os.makedirs(args.out, exist_ok=True)
    name = f"gp_overhead{'_' + args.tag if args.tag else ''}.md"
    with open(os.path.join(args.out, name), "w") as fh:
        fh.write(report)
    print(report)


if __name__ == "__main__":
    main()
