"""GridSearchCV / RandomizedSearchCV spelled with HPOSearchCV, for scikit-learn's search tests.

``tests/test_sklearn_search_suite.py`` runs scikit-learn's own ``test_search.py`` with the two
names rebound to these classes (:func:`install`). Each keeps scikit-learn's constructor
signature (so ``get_params``, ``clone`` and ``set_params`` behave as scikit-learn's) and fits
through HPOSearchCV: ``GridSearchCV`` as ``HPOSearchCV(sampler="grid", n_iter=None,
pruner=None)``, ``RandomizedSearchCV`` as ``HPOSearchCV(sampler="random", pruner=None)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sk_hpo import HPOSearchCV


def _store(search: HPOSearchCV, arguments: dict[str, Any]) -> None:
    """Keep each constructor argument as an attribute of the same name (sklearn's rule)."""
    for name, value in arguments.items():
        if name != "self":
            setattr(search, name, value)


class _HPODefaults(HPOSearchCV):
    """HPOSearchCV's arguments that scikit-learn's searches do not have, at their defaults."""

    timeout = None
    storage = None
    study_name = None
    callbacks = None
    resource = "folds"
    min_resources = "auto"
    max_resources = "auto"
    factor = 3
    continue_fits = True


class GridSearchCV(_HPODefaults):
    """``sklearn.model_selection.GridSearchCV``'s signature, searched by HPOSearchCV."""

    sampler = "grid"
    n_iter = None
    pruner = None
    random_state = None

    def __init__(
        self,
        estimator: Any,
        param_grid: Any,
        *,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: Any = "2*n_jobs",
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        _store(self, locals())

    @property
    def param_distributions(self) -> Any:
        return self.param_grid


class RandomizedSearchCV(_HPODefaults):
    """``sklearn.model_selection.RandomizedSearchCV``'s signature, searched by HPOSearchCV."""

    sampler = "random"
    pruner = None

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any,
        *,
        n_iter: int = 10,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: Any = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        _store(self, locals())


def install() -> None:
    """Rebind ``sklearn.model_selection.GridSearchCV``/``RandomizedSearchCV`` in this process.

    Call it before the tests module is imported (from a ``conftest.py``): the module's
    ``from sklearn.model_selection import GridSearchCV`` then gets these classes.
    """
    import sklearn.model_selection as model_selection

    model_selection.GridSearchCV = GridSearchCV
    model_selection.RandomizedSearchCV = RandomizedSearchCV
