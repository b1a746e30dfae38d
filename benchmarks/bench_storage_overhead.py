"""Per-trial overhead of RandomSampler in memory and on SQLite, sk_hpo vs Optuna (one process).

Run: /work/venv/bin/python benchmarks/bench_storage_overhead.py
"""

from __future__ import annotations

import os
import tempfile
import time

import optuna

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler

N_TRIALS = 300


def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    i = trial.suggest_int("i", 0, 9)
    c = trial.suggest_categorical("c", ["a", "bb"])
    return x + i + len(c)


def ms_per_trial(study) -> float:
    start = time.perf_counter()
    study.optimize(objective, n_trials=N_TRIALS)
    return (time.perf_counter() - start) / N_TRIALS * 1e3


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    tmp = tempfile.mkdtemp()
    rows = []
    for name, url in [("memory", None), ("sqlite", "sqlite:///" + os.path.join(tmp, "a.db"))]:
        ours = ms_per_trial(sk_hpo.create_study(
            storage=url, sampler=RandomSampler(seed=0), pruner=NopPruner()))
        theirs_url = None if url is None else "sqlite:///" + os.path.join(tmp, "o.db")
        theirs = ms_per_trial(optuna.create_study(
            storage=theirs_url, sampler=optuna.samplers.RandomSampler(seed=0)))
        rows.append((name, ours, theirs))
    lines = ["| storage | sk_hpo ms/trial | optuna ms/trial |", "|---|---|---|"]
    lines += [f"| {n} | {a:.3f} | {b:.3f} |" for n, a, b in rows]
    table = "\n".join(lines)
    print(table)
    out = os.path.join(os.path.dirname(__file__), "results", "storage_overhead.md")
    with open(out, "w") as f:
        f.write(
            "# Storage overhead (RandomSampler, 3 suggests, one process, "
            f"{N_TRIALS} trials)\n\nCommand: `/work/venv/bin/python "
            "benchmarks/bench_storage_overhead.py`\n\n" + table + "\n"
        )


if __name__ == "__main__":
    main()
