"""Prune a neural network epoch by epoch: ``MLPClassifier.partial_fit`` and a MedianPruner.

Each trial trains a one-hidden-layer network on the digits data set, one epoch per
``partial_fit`` call, and reports its validation accuracy after every epoch with
``trial.report``. ``trial.should_prune()`` asks the MedianPruner whether the trial is doing
worse than the median of the earlier trials at the same epoch; if so the objective raises
``TrialPruned`` and the study moves on, saving the remaining epochs.

Run it with (the plots go to ``plots/mlp_pruning/``, or under the folder given)::

    python examples/mlp_pruning.py [OUTPUT_DIR]
"""

import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import sk_hpo  # noqa: E402
from sk_hpo import visualization as vis  # noqa: E402

N_EPOCHS = 20
N_TRIALS = 30

X, y = load_digits(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_valid = scaler.transform(X_train), scaler.transform(X_valid)
classes = np.unique(y)


def objective(trial):
    model = MLPClassifier(
        hidden_layer_sizes=(trial.suggest_int("n_units", 8, 128, log=True),),
        alpha=trial.suggest_float("alpha", 1e-6, 1e-1, log=True),
        learning_rate_init=trial.suggest_float("learning_rate_init", 1e-5, 1e-1, log=True),
        batch_size=trial.suggest_categorical("batch_size", [32, 64, 128]),
        random_state=trial.number,
    )
    for epoch in range(N_EPOCHS):
        model.partial_fit(X_train, y_train, classes=classes)  # one pass over the data
        accuracy = model.score(X_valid, y_valid)
        trial.report(accuracy, step=epoch)
        if trial.should_prune():
            raise sk_hpo.TrialPruned()
    return accuracy


study = sk_hpo.create_study(
    direction="maximize",
    sampler=sk_hpo.samplers.TPESampler(seed=0),
    pruner=sk_hpo.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=3),
    study_name="mlp-digits",
)
study.optimize(objective, n_trials=N_TRIALS)

states = [t.state.name for t in study.trials]
print(f"{states.count('COMPLETE')} complete, {states.count('PRUNED')} pruned trials")
print(f"best validation accuracy: {study.best_value:.4f}")
print(f"best params: {study.best_params}")

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "plots") / "mlp_pruning"
out.mkdir(parents=True, exist_ok=True)
plots = {
    "intermediate_values": vis.plot_intermediate_values,  # learning curves, pruned in orange
    "optimization_history": vis.plot_optimization_history,
    "param_importances": vis.plot_param_importances,
    "slice": vis.plot_slice,
    "timeline": vis.plot_timeline,  # pruned trials are the short bars
}
for name, plot in plots.items():
    figure = np.ravel(plot(study))[0].figure
    figure.savefig(out / f"{name}.png", dpi=100)
    plt.close(figure)
print(f"plots written to {out}/")
