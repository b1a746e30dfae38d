"""Accuracy against fit and prediction time: HPOSearchCV(objectives=...) on breast cancer data.

A random forest is more accurate with more and deeper trees, and slower to fit and to
predict. With ``objectives=["accuracy", "fit_time", "score_time"]`` the search looks for
the trade-off: the sampler (the engine's default for several objectives) proposes candidates
from the Pareto front found so far, and fold halving stops candidates that others beat on
all three. ``pareto_front_`` lists the candidates no other one beats on all three;
``refit`` chooses among them (here: the most accurate one predicting a test fold within a
latency budget). Times are wall-clock seconds, so the front varies from run to run.

Run it with (a few seconds)::

    python examples/search_accuracy_vs_time.py
"""

import numpy as np
from scipy.stats import randint
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from sk_hpo import HPOSearchCV

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

BUDGET = 0.02  # seconds to predict one test fold (about 140 rows)


def most_accurate_within_budget(results):
    """The most accurate candidate predicting a fold within BUDGET seconds (the faster one
    on ties; the fastest one when none is within budget). It is non-dominated in accuracy
    and prediction time, so on the Pareto front unless fit time breaks a tie."""
    done = np.isfinite(results["mean_test_accuracy"])  # pruned candidates have NaN
    fast = done & (results["mean_score_time"] <= BUDGET)
    if not fast.any():
        return int(np.flatnonzero(done)[np.argmin(results["mean_score_time"][done])])
    rows = np.flatnonzero(fast)
    order = np.lexsort((results["mean_score_time"][rows], -results["mean_test_accuracy"][rows]))
    return int(rows[order[0]])


space = {"n_estimators": randint(2, 80), "max_depth": randint(1, 12)}
search = HPOSearchCV(
    RandomForestClassifier(random_state=0),
    space,
    n_iter=20,
    cv=3,
    scoring=["accuracy"],
    objectives=["accuracy", "fit_time", "score_time"],
    refit=most_accurate_within_budget,
    random_state=0,
)
search.fit(X_train, y_train)

results = search.cv_results_
print(f"{len(results['params'])} candidates, {int((results['state'] == 'PRUNED').sum())} "
      f"pruned; Pareto front (accuracy, seconds to fit and to predict a fold):")
for i in sorted(search.pareto_front_, key=lambda i: results["mean_score_time"][i]):
    print(f"  {results['mean_test_accuracy'][i]:.4f}  {results['mean_fit_time'][i]:.3f}s  "
          f"{results['mean_score_time'][i]:.4f}s  "
          f"{results['params'][i]}")
print(f"chosen: {search.best_params_}, test accuracy {search.score(X_test, y_test):.4f}")
