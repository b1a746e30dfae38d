"""Storage cost of RandomSampler trials, sk_hpo vs Optuna, in one run.

* per-trial overhead in one process, in memory and on SQLite;
* throughput of 4 processes sharing one SQLite study (each process opens the
  study by URL, waits at a barrier, then runs its trials; throughput is all
  trials over the span from the first start to the last finish).

Run: /work/venv/bin/python benchmarks/bench_storage_overhead.py
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time

import optuna

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler

N_TRIALS = 300
N_PROCESSES = 4
TRIALS_PER_PROCESS = 100


def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    i = trial.suggest_int("i", 0, 9)
    c = trial.suggest_categorical("c", ["a", "bb"])
    return x + i + len(c)


def ms_per_trial(study) -> float:
    start = time.perf_counter()
    study.optimize(objective, n_trials=N_TRIALS)
    return (time.perf_counter() - start) / N_TRIALS * 1e3


def _worker(library: str, url: str, barrier, times) -> None:
    if library == "sk_hpo":
        study = sk_hpo.load_study(study_name="t", storage=url,
                                  sampler=RandomSampler(), pruner=NopPruner())
    else:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.load_study(study_name="t", storage=url,
                                  sampler=optuna.samplers.RandomSampler())
    barrier.wait()
    start = time.perf_counter()
    study.optimize(objective, n_trials=TRIALS_PER_PROCESS)
    times.append((start, time.perf_counter()))


def trials_per_second(library: str, url: str) -> float:
    if library == "sk_hpo":
        sk_hpo.create_study(study_name="t", storage=url)
    else:
        optuna.create_study(study_name="t", storage=url)
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(N_PROCESSES)
        times = manager.list()
        procs = [ctx.Process(target=_worker, args=(library, url, barrier, times))
                 for _ in range(N_PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        spans = list(times)
    if len(spans) != N_PROCESSES:
        raise RuntimeError(f"{library}: {N_PROCESSES - len(spans)} worker(s) failed")
    load = sk_hpo.load_study if library == "sk_hpo" else optuna.load_study
    numbers = sorted(t.number for t in load(study_name="t", storage=url).trials)
    if numbers != list(range(N_PROCESSES * TRIALS_PER_PROCESS)):
        raise RuntimeError(f"{library}: trial numbers lost or duplicated")
    wall = max(end for _, end in spans) - min(start for start, _ in spans)
    return N_PROCESSES * TRIALS_PER_PROCESS / wall


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
    ours = trials_per_second("sk_hpo", "sqlite:///" + os.path.join(tmp, "p.db"))
    theirs = trials_per_second("optuna", "sqlite:///" + os.path.join(tmp, "q.db"))
    lines = ["| storage | sk_hpo ms/trial | optuna ms/trial |", "|---|---|---|"]
    lines += [f"| {n} | {a:.3f} | {b:.3f} |" for n, a, b in rows]
    lines += ["", f"| {N_PROCESSES} processes on one SQLite study "
              f"({N_PROCESSES} x {TRIALS_PER_PROCESS} trials) | sk_hpo trials/s "
              "| optuna trials/s |", "|---|---|---|",
              f"| throughput | {ours:.0f} | {theirs:.0f} |"]
    table = "\n".join(lines)
    print(table)
    out = os.path.join(os.path.dirname(__file__), "results", "storage_overhead.md")
    with open(out, "w") as f:
        f.write(
            "# Storage overhead (RandomSampler, 3 suggests; one process, "
            f"{N_TRIALS} trials; then {N_PROCESSES} processes)\n\nCommand: `/work/venv/bin/python "
            "benchmarks/bench_storage_overhead.py`\n\n" + table + "\n"
        )


if __name__ == "__main__":
    main()
