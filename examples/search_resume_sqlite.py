"""A search kept in SQLite: fit, stop, fit again and the study continues.

``storage="sqlite:///..."`` with a ``study_name`` keeps every candidate in a file. A second
``fit`` with the same name continues the study: the sampler learns from the earlier
candidates, none of them is evaluated again, and ``cv_results_`` holds them all. Several
processes fitting the same search on the same file at once pool their candidates the same
way. The study remembers what it searched (estimator, space, scoring, folds, data), so
reusing its name for a different search is an error rather than a silent mix of scores.

The database goes to a temporary folder (or the folder given) and the script starts from a
fresh file each run::

    python examples/search_resume_sqlite.py [OUTPUT_DIR]
"""

import pathlib
import sys
import tempfile

from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.svm import SVC

import sk_hpo
from sk_hpo import HPOSearchCV

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp())
out.mkdir(parents=True, exist_ok=True)
db = out / "search.db"
db.unlink(missing_ok=True)  # start over: the script is idempotent
storage = f"sqlite:///{db}"

X, y = load_digits(return_X_y=True)
X, y = X[:800], y[:800]
space = {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)}


def session(n_iter, seed):
    search = HPOSearchCV(SVC(), space, n_iter=n_iter, cv=5, random_state=seed,
                         storage=storage, study_name="svc-digits")
    search.fit(X, y)
    n_pruned = int((search.cv_results_["state"] == "PRUNED").sum())
    print(f"session: +{n_iter} candidates -> {len(search.cv_results_['params'])} in the study "
          f"({n_pruned} pruned); best {search.best_score_:.4f} with {search.best_params_}")
    return search


session(15, seed=0)  # e.g. stopped here, the process ends...
search = session(15, seed=1)  # ...and a later fit continues the same study

study = sk_hpo.load_study(study_name="svc-digits", storage=storage)
print(f"{len(study.trials)} trials in {db}")
try:
    HPOSearchCV(SVC(kernel="linear"), space, n_iter=5, storage=storage,
                study_name="svc-digits").fit(X, y)
except ValueError as error:
    reason = " ".join(line.strip() for line in str(error).splitlines()[1:2])
    print(f"a different search on the same study is refused ({reason[:70]}...)")
