"""PostgreSQL storage, sk_hpo vs Optuna's RDBStorage, on one throwaway server started here.

* one process: ms per RandomSampler trial (3 suggests);
* N processes x M trials on one study (each process opens the study by URL, waits at a
  barrier, then runs its trials): trials/s over the span from the first start to the last
  finish, and trials lost (fewer COMPLETE than asked) or duplicated (a number twice);
* a SIGKILLed worker: sk_hpo fails its trial after the grace period (Optuna's heartbeats are
  opt-in: its trial stays RUNNING).

Both libraries run on the same server, started by ``tests.conftest.postgres_server`` with
PostgreSQL's default durability (fsync and synchronous commits on, as a real server runs;
neither library changes its sessions' durability settings). sk_hpo's worker sends 8 statements per trial (8 autocommit round trips, no BEGIN or
COMMIT; Optuna's RDBStorage: 33).

Needs the PostgreSQL server binaries (initdb, pg_ctl), psycopg 3 and optuna.

Run:   python -m benchmarks.bench_storage_postgres
Smoke: python -m benchmarks.bench_storage_postgres --trials 20 --procs 2 \
           --per-proc 10 --no-write
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import time

import optuna

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from tests.conftest import postgres_bindir, postgres_server

LIBRARIES = ("sk_hpo", "optuna")


def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    i = trial.suggest_int("i", 0, 9)
    c = trial.suggest_categorical("c", ["a", "bb"])
    return x + i + len(c)


def _create(library: str, url: str):
    if library == "sk_hpo":
        return sk_hpo.create_study(study_name="t", storage=url, sampler=RandomSampler(seed=0),
                                   pruner=NopPruner())
    return optuna.create_study(study_name="t", storage=url.replace("postgresql://",
                                                                   "postgresql+psycopg://"),
                               sampler=optuna.samplers.RandomSampler(seed=0))


def _load(library: str, url: str):
    if library == "sk_hpo":
        return sk_hpo.load_study(study_name="t", storage=url, sampler=RandomSampler(),
                                 pruner=NopPruner())
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.load_study(study_name="t", storage=url.replace("postgresql://",
                                                                "postgresql+psycopg://"),
                             sampler=optuna.samplers.RandomSampler())


def ms_per_trial(library: str, url: str, n_trials: int) -> float:
    study = _create(library, url)
    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    return (time.perf_counter() - start) / n_trials * 1e3


def _worker(library: str, url: str, n: int, barrier, times) -> None:
    study = _load(library, url)
    barrier.wait()
    start = time.perf_counter()
    study.optimize(objective, n_trials=n)
    times.append((start, time.perf_counter()))


def throughput(library: str, url: str, n_procs: int, per_proc: int) -> tuple[float, int, int]:
    """``(trials/s, lost, duplicated)`` of ``n_procs`` processes x ``per_proc`` trials."""
    _create(library, url)
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager:
        barrier, times = manager.Barrier(n_procs), manager.list()
        procs = [ctx.Process(target=_worker, args=(library, url, per_proc, barrier, times))
                 for _ in range(n_procs)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        spans = list(times)
    trials = _load(library, url).trials
    numbers = [t.number for t in trials]
    complete = sum(t.state.name == "COMPLETE" for t in trials)
    lost = n_procs * per_proc - complete
    duplicated = len(numbers) - len(set(numbers))
    if not spans:
        return 0.0, lost, duplicated
    wall = max(end for _, end in spans) - min(start for start, _ in spans)
    return complete / wall, lost, duplicated


def _sleeper(url: str) -> None:
    storage = sk_hpo.storages.PostgreSQLStorage(url, heartbeat_interval=0.5, grace_period=2.0)
    study = sk_hpo.load_study(study_name="t", storage=storage, sampler=RandomSampler())
    study.optimize(lambda t: time.sleep(3600), n_trials=1)


def killed_worker_fails(url: str) -> float:
    """Seconds from SIGKILL until another process fails the dead worker's trial (sk_hpo)."""
    study = _create("sk_hpo", url)
    proc = multiprocessing.get_context("fork").Process(target=_sleeper, args=(url,))
    proc.start()
    while not study.trials:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    killed = time.monotonic()
    storage = study._storage
    while storage.fail_stale_trials(study._study_id) == []:
        if time.monotonic() - killed > 60:
            raise RuntimeError("the killed worker's trial was not failed within 60 s")
        time.sleep(0.1)
    return time.monotonic() - killed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300, help="one-process trials")
    parser.add_argument("--procs", default="4,8,16", help="process counts, comma-separated")
    parser.add_argument("--per-proc", type=int, default=200, help="trials per process")
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) not found.")
    import psycopg

    with postgres_server(bindir, durable=True) as (admin, url_of):
        counter = iter(range(10**6))

        def fresh_url() -> str:
            name = f"b{next(counter)}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            return url_of(name)

        lines = ["| one process | sk_hpo ms/trial | optuna ms/trial |", "|---|---|---|",
                 "| PostgreSQL | " + " | ".join(
                     f"{ms_per_trial(lib, fresh_url(), args.trials):.2f}" for lib in LIBRARIES
                 ) + " |", "",
                 "| processes x trials | sk_hpo trials/s (lost, dup) "
                 "| optuna trials/s (lost, dup) |", "|---|---|---|"]
        for n_procs in (int(n) for n in args.procs.split(",")):
            cells = []
            for lib in LIBRARIES:
                rate, lost, dup = throughput(lib, fresh_url(), n_procs, args.per_proc)
                cells.append(f"{rate:.0f} ({lost}, {dup})")
            lines.append(f"| {n_procs} x {args.per_proc} | " + " | ".join(cells) + " |")
        seconds = killed_worker_fails(fresh_url())
        lines += ["", f"SIGKILLed sk_hpo worker (grace 2 s): its trial FAIL {seconds:.1f} s "
                  "after the kill (Optuna without opt-in heartbeats: RUNNING forever)."]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        out = os.path.join(os.path.dirname(__file__), "results", "storage_postgres.md")
        with open(out, "w") as f:
            f.write("# PostgreSQL storage: sk_hpo vs Optuna RDBStorage (RandomSampler, 3 "
                    "suggests)\n\nCommand: `/work/venv/bin/python -m "
                    "benchmarks.bench_storage_postgres`\n\n" + table + "\n")


if __name__ == "__main__":
    main()
