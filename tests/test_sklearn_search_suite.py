"""scikit-learn's own search tests, run against HPOSearchCV (issue 13).

At test time the installed wheel's ``sklearn/model_selection/tests/test_search.py`` is copied
to a temporary directory and run by pytest in a subprocess, with ``GridSearchCV`` and
``RandomizedSearchCV`` rebound to the delegating classes of ``tests/_sklearn_delegates.py``
(scikit-learn's signatures, fitted by ``HPOSearchCV(sampler="grid", n_iter=None,
pruner=None)`` / ``HPOSearchCV(sampler="random", pruner=None)``). Nothing of scikit-learn is
kept in this repository.

Only the tests that use one of the two names run (the others test ParameterGrid, the halving
searches and private helpers, not HPOSearchCV). Every failure must be listed in
:data:`EXPECTED_FAILURES` with its reason, and every listed test must fail: a test that starts
passing is news too.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sklearn

HERE = Path(__file__).resolve().parent
SUITE = Path(sklearn.__file__).resolve().parent / "model_selection" / "tests" / "test_search.py"
REBOUND = ("GridSearchCV", "RandomizedSearchCV")

# The one list of scikit-learn tests HPOSearchCV fails on purpose: pattern -> reason.
EXPECTED_FAILURES = {
    "test_custom_run_search": (
        "subclasses BaseSearchCV and overrides _run_search; HPOSearchCV does not subclass "
        "scikit-learn's private BaseSearchCV (out of scope, issue 13)"
    ),
    "test_search_callbacks_*": (
        "scikit-learn's experimental callback API (set_callbacks, sklearn.callback) is "
        "implemented by BaseSearchCV's private machinery; HPOSearchCV has its own Optuna-style "
        "callbacks= parameter"
    ),
}
# Items not run at all: they only parametrize over scikit-learn's other searches, or
# check array-API libraries that are not installed here. Pattern -> reason.
NOT_RUN = {
    "*Halving*": "scikit-learn's HalvingGridSearchCV/HalvingRandomSearchCV, not rebound",
    "test_array_api_*": "array-API namespaces (torch, cupy, ...): skipped without SCIPY_ARRAY_API",
}

CONFTEST = """\
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("_sklearn_delegates", {path!r})
module = importlib.util.module_from_spec(spec)
sys.modules["_sklearn_delegates"] = module
spec.loader.exec_module(module)
module.install()
"""


def _tests_using_rebound_names(source: str) -> list[str]:
    """Names of the module-level test functions whose body or decorators use a rebound name."""
    tree = ast.parse(source)
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            if used & set(REBOUND):
                names.append(node.name)
    return names


def _matches(name: str, patterns: dict[str, str]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def _outcomes(report: Path) -> dict[str, str]:
    """``{test name with parameters: "passed" | "failed" | "skipped"}`` from a JUnit report."""
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        if kinds & {"failure", "error"}:
            outcome = "failed"
        elif "skipped" in kinds:
            outcome = "skipped"
        else:
            outcome = "passed"
        outcomes[case.get("name")] = outcome
    return outcomes


@pytest.mark.skipif(not SUITE.exists(), reason="the installed scikit-learn ships no tests")
def test_sklearn_search_tests_pass_with_hposearchcv(tmp_path):
    source = SUITE.read_text()
    shutil.copy(SUITE, tmp_path / "test_search.py")
    (tmp_path / "conftest.py").write_text(
        CONFTEST.format(path=str(HERE / "_sklearn_delegates.py"))
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # none of our pytest options
    selected = [f"test_search.py::{name}" for name in _tests_using_rebound_names(source)]
    deselect = " or ".join(p.strip("*") for p in NOT_RUN)
    report = tmp_path / "report.xml"
    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore",
         f"--junitxml={report}", "-k", f"not ({deselect})", *selected],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    outcomes = _outcomes(report)
    failed = {n for n, o in outcomes.items() if o == "failed"}
    unexpected = sorted(n for n in failed if not _matches(n.split("[")[0], EXPECTED_FAILURES))
    assert not unexpected, f"scikit-learn tests failing with HPOSearchCV: {unexpected}\n" + (
        proc.stdout[-6000:]
    )
    now_passing = sorted(
        n for n, o in outcomes.items()
        if o == "passed" and _matches(n.split("[")[0], EXPECTED_FAILURES)
    )
    assert not now_passing, f"listed as failing but pass: {now_passing}; update the list"
    n_passed = sum(o == "passed" for o in outcomes.values())
    assert n_passed >= 100, (n_passed, proc.stdout[-3000:])
