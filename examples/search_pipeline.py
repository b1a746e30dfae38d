"""HPOSearchCV on a Pipeline: scaling, PCA and an SVM tuned together on the digits data.

Parameters of pipeline steps are named ``step__param`` as in GridSearchCV. TPE proposes each
candidate from the ones evaluated so far, and successive halving across the 5 CV folds stops
weak candidates after their first folds, so the search fits far fewer folds than
``n_iter * 5``.

Run it with::

    python examples/search_pipeline.py
"""

from scipy.stats import loguniform, randint
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sk_hpo import HPOSearchCV

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

pipe = Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("svc", SVC())])
space = {
    "pca__n_components": randint(10, 60),
    "svc__C": loguniform(1e-2, 1e3),
    "svc__gamma": loguniform(1e-5, 1e-1),
}
search = HPOSearchCV(pipe, space, n_iter=30, cv=5, n_jobs=2, random_state=0)
search.fit(X_train, y_train)

results = search.cv_results_
n_fits = int(results["n_splits_run"].sum())
n_pruned = int((results["state"] == "PRUNED").sum())
print(f"{len(results['params'])} candidates, {n_pruned} pruned, {n_fits} fold fits "
      f"(an unpruned search fits {5 * len(results['params'])})")
print(f"best CV accuracy: {search.best_score_:.4f} with {search.best_params_}")
print(f"held-out accuracy: {search.score(X_test, y_test):.4f}")
