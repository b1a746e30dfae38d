"""GP sampler overhead: ask + tell time per trial at given history sizes, sk_hpo vs Optuna.

A study is filled with ``--history`` random trials of 5 mixed parameters (2 floats, one log
float, one int, one categorical); then ``--measure`` further trials are asked and told with
each GP sampler, and the mean time per trial is reported (objective time excluded; median
of ``--repeats`` interleaved runs). The
first of them fits the GP from scratch, the others warm-start from the previous fit, as in
a running study. Both frameworks run in the same process, one after the other; the table
goes to ``benchmarks/results/gp_overhead.md`` with the command that made it.

Usage::

    python benchmarks/bench_gp_overhead.py --history 50,200 --measure 10
    python benchmarks/bench_gp_overhead.py --history 500,1000,2000 --frameworks sk_hpo --tag cap
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


def run(framework: str, history: int, measure: int, seed: int) -> float:
    if framework == "sk_hpo":
        import sk_hpo
        from sk_hpo.pruners import NopPruner
        from sk_hpo.samplers import GPSampler, RandomSampler

        study = sk_hpo.create_study(sampler=RandomSampler(seed=seed), pruner=NopPruner())
        gp = GPSampler(seed=seed)
    else:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
        gp = optuna.samplers.GPSampler(seed=seed)
    for _ in range(history):
        trial = study.ask()
        study.tell(trial, objective_value(suggest(trial)))
    study.sampler = gp
    elapsed = 0.0
    for _ in range(measure):
        start = time.perf_counter()
        trial = study.ask()
        params = suggest(trial)
        elapsed += time.perf_counter() - start
        value = objective_value(params)
        start = time.perf_counter()
        study.tell(trial, value)
        elapsed += time.perf_counter() - start
    return elapsed / measure


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
    histories = [int(h) for h in args.history.split(",")]
    lines = ["| trials in the study | " + " | ".join(f"{f} ms/trial" for f in frameworks)]
    lines[0] += " | sk_hpo / optuna |" if len(frameworks) == 2 else " |"
    lines.append("|" + "---|" * (len(frameworks) + 1 + (len(frameworks) == 2)))
    for history in histories:
        # Interleaved repeats: a load change on the shared machine hits both frameworks.
        runs = [
            [run(f, history, args.measure, args.seed + r) for f in frameworks]
            for r in range(args.repeats)
        ]
        times = np.median(np.array(runs), axis=0)
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
            f"Mean ask + tell time over {args.measure} GP trials after the given number of "
            "random trials (5 mixed parameters; objective excluded), median of "
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
