"""HPOSearchCV on a real dask cluster: a scheduler and two worker processes on loopback, two
driver processes sharing one study (PostgreSQL, as across machines; SQLite too), fold fits sent to the workers through joblib's dask
backend. The pooled study must hold every candidate once, with the fold scores a
single-process run gives.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

import sk_hpo

pytest.importorskip("distributed")

GRID = {"C": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0], "fit_intercept": [True, False]}

_DRIVER = """
import json, sys
import joblib
from distributed import Client, get_task_stream
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sk_hpo import HPOSearchCV

scheduler_file, url = sys.argv[1], sys.argv[2]
X, y = make_classification(n_samples=80, n_features=6, n_informative=3, random_state=0)
grid = {"C": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0], "fit_intercept": [True, False]}
with Client(scheduler_file=scheduler_file, timeout=60) as client:
    workers = client.scheduler_info()["workers"]
    search = HPOSearchCV(LogisticRegression(), grid, sampler="grid", n_iter=None, pruner=None,
                         cv=3, n_jobs=2, storage=url, study_name="cluster")
    with joblib.parallel_backend("dask"), get_task_stream(client) as stream:
        search.fit(X, y)
    # the fold fits ran as tasks on the cluster's workers, not in this driver
    ran_on = {task["worker"] for task in stream.data}
res = search.cv_results_
print(json.dumps({"n_workers": len(workers), "n_tasks": len(stream.data),
                  "ran_on_workers": ran_on <= set(workers),
                  "params": [[p["C"], p["fit_intercept"]] for p in res["params"]],
                  "splits": [res[f"split{k}_test_score"].tolist() for k in range(3)]}))
"""


def _start(args, log):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [
        os.path.dirname(os.path.dirname(os.path.abspath(sk_hpo.__file__))),
        os.environ.get("PYTHONPATH"),
    ])))
    return subprocess.Popen([sys.executable, "-m", *args], stdout=log, stderr=subprocess.STDOUT,
                            env=env)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A dask scheduler and two single-threaded worker processes on 127.0.0.1."""
    tmp_path = tmp_path_factory.mktemp("dask")
    scheduler_file = tmp_path / "scheduler.json"
    log = open(tmp_path / "cluster.log", "w")
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                     "--no-dashboard", "--scheduler-file", str(scheduler_file)], log)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, (tmp_path / "cluster.log").read_text()
            time.sleep(0.2)
        for _ in range(2):
            procs.append(_start(["distributed.cli.dask_worker", "--scheduler-file",
                                 str(scheduler_file), "--nthreads", "1", "--no-dashboard",
                                 "--host", "127.0.0.1"], log))
        yield scheduler_file, tmp_path / "cluster.log"
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


def _wait_for_workers(scheduler_file, n, log):
    from distributed import Client, get_task_stream

    with Client(scheduler_file=str(scheduler_file), timeout=60) as client:
        try:
            client.wait_for_workers(n, timeout=60)
        except TimeoutError:
            pytest.fail(f"dask workers did not start:\n{log.read_text()}")


@pytest.fixture(params=["postgresql", "sqlite"])
def shared_url(request, tmp_path):
    """The study's storage: a PostgreSQL database (across machines) or a SQLite file."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgresql_url")
    return f"sqlite:///{tmp_path / 'cluster.db'}"


def test_two_drivers_share_a_study_on_a_dask_cluster(dask_cluster, shared_url):
    scheduler_file, log = dask_cluster
    _wait_for_workers(scheduler_file, 2, log)
    url = shared_url
    drivers = [
        subprocess.Popen([sys.executable, "-c", _DRIVER, str(scheduler_file), url],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    reports = []
    for d in drivers:
        out, err = d.communicate(timeout=240)
        assert d.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert all(r["n_workers"] == 2 for r in reports)
    # fold fits ran as tasks on the workers (a driver may find every candidate taken already)
    assert sum(r["n_tasks"] for r in reports) >= 1 and all(r["ran_on_workers"] for r in reports)

    study = sk_hpo.load_study(study_name="cluster", storage=url)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    evaluated = [(t.params["C"], t.params["fit_intercept"]) for t in complete]
    assert len(evaluated) == len(set(evaluated)) == 12  # every candidate, each once

    # the drivers' cv_results_ (each pools the other's trials) hold single-process scores
    X, y = make_classification(n_samples=80, n_features=6, n_informative=3, random_state=0)
    ref = GridSearchCV(LogisticRegression(), GRID, cv=3).fit(X, y).cv_results_
    expected = {
        (p["C"], p["fit_intercept"]): [ref[f"split{k}_test_score"][i] for k in range(3)]
        for i, p in enumerate(ref["params"])
    }
    seen = set()
    for report in reports:
        for i, (c, fit_intercept) in enumerate(report["params"]):
            folds = [report["splits"][k][i] for k in range(3)]
            np.testing.assert_allclose(folds, expected[(c, fit_intercept)], rtol=0, atol=1e-12)
            seen.add((c, fit_intercept))
    assert seen == set(expected)
