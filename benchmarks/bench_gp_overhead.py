"""GP sampler overhead: ask + tell time per trial at a given history size, sk_hpo vs Optuna.

A study is filled with ``--history`` random trials of 5 mixed parameters (2 floats, one log
float, one int, one categorical); then ``--measure`` further trials are asked and told with
each GP sampler, and the mean time per trial is printed (objective time excluded).

Usage::

    python benchmarks/bench_gp_overhead.py --history 200 --measure 10
"""

from __future__ import annotations

import argparse
import os
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", type=int, default=200)
    parser.add_argument("--measure", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for framework in ("sk_hpo", "optuna"):
        per_trial = run(framework, args.history, args.measure, args.seed)
        rows.append((framework, per_trial))
        print(f"{framework:7s} {per_trial * 1000:9.1f} ms/trial at {args.history} trials")
    ratio = rows[0][1] / rows[1][1]
    print(f"sk_hpo / optuna = {ratio:.3f}")


if __name__ == "__main__":
    main()
