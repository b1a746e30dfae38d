"""Quickstart: tune an SVM on the digits data set with a define-by-run study.

The study lives in a local SQLite file, ``quickstart.db``: run the script twice and the second
run continues the first one's study (``load_if_exists=True``).

Run it with::

    python examples/quickstart.py
"""

from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from sklearn.svm import SVC

import sk_hpo

X, y = load_digits(return_X_y=True)
X, y = X[:600], y[:600]


def objective(trial):
    C = trial.suggest_float("C", 1e-2, 1e3, log=True)
    gamma = trial.suggest_float("gamma", 1e-5, 1e-1, log=True)
    return cross_val_score(SVC(C=C, gamma=gamma), X, y, cv=3).mean()


study = sk_hpo.create_study(
    direction="maximize",
    storage="sqlite:///quickstart.db",
    study_name="svc-digits",
    load_if_exists=True,
    sampler=sk_hpo.samplers.TPESampler(seed=0),
)
study.optimize(objective, n_trials=20)

print(f"{len(study.trials)} trials in study {study.study_name!r} (quickstart.db)")
print(f"best accuracy: {study.best_value:.4f}")
print(f"best params:   {study.best_params}")
