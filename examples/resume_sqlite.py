"""A study kept in SQLite, interrupted and resumed with ``load_if_exists=True``.

The first session runs a few trials and stops (as if the process were killed or the
laptop closed). The second session opens the same study by name and continues it: the
sampler sees every earlier trial, so nothing is lost. Run the script again and a third
session continues where the second stopped.

Run it with (the database, plots and report go to ``plots/resume_sqlite/``, or under the
folder given)::

    python examples/resume_sqlite.py [OUTPUT_DIR]

then look at the study from the command line::

    sk-hpo studies sqlite:///plots/resume_sqlite/study.db
    sk-hpo report sqlite:///plots/resume_sqlite/study.db --study knn-digits -o report.html
"""

import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

import sk_hpo  # noqa: E402
from sk_hpo import visualization as vis  # noqa: E402

TRIALS_PER_SESSION = 15

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "plots") / "resume_sqlite"
out.mkdir(parents=True, exist_ok=True)
storage = f"sqlite:///{out / 'study.db'}"

X, y = load_digits(return_X_y=True)


def objective(trial):
    model = make_pipeline(
        PCA(n_components=trial.suggest_int("n_components", 2, 40, log=True), random_state=0),
        KNeighborsClassifier(
            n_neighbors=trial.suggest_int("n_neighbors", 1, 30),
            weights=trial.suggest_categorical("weights", ["uniform", "distance"]),
        ),
    )
    return cross_val_score(model, X, y, cv=3).mean()


def session():
    """One run of the program: open (or create) the study, add some trials."""
    study = sk_hpo.create_study(
        direction="maximize",
        storage=storage,
        study_name="knn-digits",
        load_if_exists=True,
        sampler=sk_hpo.samplers.TPESampler(seed=None),
    )
    before = len(study.trials)
    study.optimize(objective, n_trials=TRIALS_PER_SESSION)
    print(f"session: {before} trials found, {len(study.trials)} after; "
          f"best accuracy so far {study.best_value:.4f}")
    return study


session()  # the first run ...
study = session()  # ... and the resumed one: same study, continued

print(f"best params: {study.best_params}")
plots = {
    "optimization_history": vis.plot_optimization_history,
    "slice": vis.plot_slice,
    "param_importances": vis.plot_param_importances,
    "timeline": vis.plot_timeline,  # the gap between the two sessions shows
}
for name, plot in plots.items():
    figure = np.ravel(plot(study))[0].figure
    figure.savefig(out / f"{name}.png", dpi=100)
    plt.close(figure)
sk_hpo.report(study, out / "report.html")
print(f"plots and report.html written to {out}/; the study is in {storage}")
