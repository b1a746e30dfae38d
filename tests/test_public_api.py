import importlib
import subprocess
import sys

import pytest

import sk_hpo

PACKAGES = [
    "sk_hpo",
    "sk_hpo.distributions",
    "sk_hpo.exceptions",
    "sk_hpo.study",
    "sk_hpo.trial",
    "sk_hpo.storages",
    "sk_hpo.samplers",
    "sk_hpo.pruners",
    "sk_hpo.model_selection",
    "sk_hpo.visualization",
    "sk_hpo.importance",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_honest(name):
    module = importlib.import_module(name)
    assert len(module.__all__) == len(set(module.__all__))
    for public in module.__all__:
        assert getattr(module, public) is not None, f"{name}.{public} is missing"


def test_contract_names_exist():
    for name in ("create_study", "load_study", "delete_study", "get_all_study_names"):
        assert callable(getattr(sk_hpo, name))
    assert sk_hpo.TrialPruned is sk_hpo.exceptions.TrialPruned
    assert {s.name for s in sk_hpo.trial.TrialState} == {
        "RUNNING",
        "COMPLETE",
        "PRUNED",
        "FAIL",
        "WAITING",
    }


def test_import_loads_no_optional_dependency():
    code = (
        "import sys, sk_hpo\n"
        "bad = [m for m in ('matplotlib', 'optuna', 'torch', 'skopt', 'dask', 'distributed')"
        " if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
