"""Quickstart: tune an SVM on the digits data set with HPOSearchCV.

``HPOSearchCV`` takes ``RandomizedSearchCV``'s arguments. TPE proposes each candidate from the
ones already scored, and successive halving across the CV folds stops the weak candidates after
their first folds, so a search costs far fewer fits than an exhaustive one.

The candidates live in a study in a local SQLite file, ``quickstart.db``: run the script again
and the search continues the same study (the sampler learns from the earlier runs, and no
candidate is evaluated twice). The underlying define-by-run study is ``search.study_``.

Run it with::

    python examples/quickstart.py
"""

from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from sk_hpo import HPOSearchCV

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

space = {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)}
search = HPOSearchCV(
    SVC(),
    space,
    n_iter=20,
    cv=5,
    n_jobs=2,
    random_state=0,
    storage="sqlite:///quickstart.db",
    study_name="svc-digits",
    verbose=1,
)
search.fit(X_train, y_train)

results = search.cv_results_
n_pruned = int((results["state"] == "PRUNED").sum())
print(f"{len(results['params'])} candidates in study {search.study_.study_name!r} "
      f"(quickstart.db), {n_pruned} stopped early by successive halving")
print(f"best CV accuracy: {search.best_score_:.4f} with {search.best_params_}")
print(f"held-out accuracy of the refitted best model: {search.score(X_test, y_test):.4f}")
