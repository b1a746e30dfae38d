"""A dynamic search space: a variable number of hidden layers, each with its own size.

In a define-by-run study the objective decides which parameters exist: it first picks the
number of layers, then suggests one size per layer. ``n_units_l2`` only exists in trials
with three layers; the samplers and the plots handle such conditional parameters (the
parallel-coordinate plot shows a trial without one as "(absent)").

Run it with (the plots go to ``plots/dynamic_space/``, or under the folder given)::

    python examples/dynamic_space.py [OUTPUT_DIR]
"""

import pathlib
import sys
import warnings

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import sk_hpo  # noqa: E402
from sk_hpo import visualization as vis  # noqa: E402

N_TRIALS = 20

X, y = load_digits(return_X_y=True)
X, y = X[:600], y[:600]


def objective(trial):
    n_layers = trial.suggest_int("n_layers", 1, 3)
    layers = tuple(
        trial.suggest_int(f"n_units_l{i}", 4, 64, log=True) for i in range(n_layers)
    )
    activation = trial.suggest_categorical("activation", ["relu", "tanh"])
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=layers,
            activation=activation,
            learning_rate_init=trial.suggest_float("learning_rate_init", 1e-3, 3e-2, log=True),
            max_iter=40,
            random_state=0,
        ),
    )
    with warnings.catch_warnings():
        # 40 epochs are a budget, not convergence; the score says how good that was.
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        return cross_val_score(model, X, y, cv=3).mean()


study = sk_hpo.create_study(
    direction="maximize",
    sampler=sk_hpo.samplers.TPESampler(seed=0),
    pruner=sk_hpo.pruners.NopPruner(),
    study_name="mlp-layers",
)
study.optimize(objective, n_trials=N_TRIALS)

best = study.best_trial
sizes = [best.params[f"n_units_l{i}"] for i in range(best.params["n_layers"])]
print(f"best accuracy {best.value:.4f} with hidden layers {sizes} "
      f"({best.params['activation']})")
for n in (1, 2, 3):
    scores = [t.value for t in study.trials if t.value is not None and t.params["n_layers"] == n]
    if scores:
        print(f"  {n} layer(s): {len(scores)} trials, best {max(scores):.4f}")

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "plots") / "dynamic_space"
out.mkdir(parents=True, exist_ok=True)
plots = {
    "parallel_coordinate": vis.plot_parallel_coordinate,
    "slice": vis.plot_slice,
    "contour": lambda s: vis.plot_contour(s, params=["n_layers", "n_units_l0"]),
    "param_importances": vis.plot_param_importances,
    "optimization_history": vis.plot_optimization_history,
}
for name, plot in plots.items():
    figure = np.ravel(plot(study))[0].figure
    figure.savefig(out / f"{name}.png", dpi=100)
    plt.close(figure)
print(f"plots written to {out}/")
