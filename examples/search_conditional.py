"""A conditional search: a list of dicts, one branch per model family.

Each dict of ``param_distributions`` is a branch: a candidate takes all its parameters from
one branch, so ``gamma`` is only searched for the RBF SVM and ``l1_ratio`` only for the
elastic-net logistic regression. Whole estimators can be parameter values (here the
``clf`` step of a pipeline). ``cv_results_`` masks the parameters a candidate does not set,
exactly like GridSearchCV with a list of grids.

Run it with::

    python examples/search_conditional.py
"""

from scipy.stats import loguniform, uniform
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sk_hpo import HPOSearchCV

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
space = [
    {"clf": [SVC()], "clf__kernel": ["rbf"],
     "clf__C": loguniform(1e-2, 1e3), "clf__gamma": loguniform(1e-4, 1e0)},
    {"clf": [SVC()], "clf__kernel": ["linear"], "clf__C": loguniform(1e-3, 1e2)},
    {"clf": [LogisticRegression(solver="saga", max_iter=2000)],
     "clf__C": loguniform(1e-3, 1e2), "clf__l1_ratio": uniform(0, 1)},
]
search = HPOSearchCV(pipe, space, n_iter=30, cv=5, scoring="roc_auc", n_jobs=2, random_state=0)
search.fit(X_train, y_train)

results = search.cv_results_
for i in sorted(range(len(results["params"])), key=lambda i: results["rank_test_score"][i])[:5]:
    params = {k: v for k, v in results["params"][i].items() if k != "clf"}
    model = type(results["params"][i]["clf"]).__name__
    print(f"rank {results['rank_test_score'][i]}: {results['mean_test_score'][i]:.4f} "
          f"{model} {params}")
print(f"gamma searched in {int((~results['param_clf__gamma'].mask).sum())} of "
      f"{len(results['params'])} candidates (RBF branch only)")
print(f"held-out ROC AUC of the best: {search.score(X_test, y_test):.4f}")
