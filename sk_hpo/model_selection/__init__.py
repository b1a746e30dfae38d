"""HPOSearchCV: model-based hyperparameter search with pruning across CV folds."""

from __future__ import annotations

from sk_hpo.model_selection._search import HPOSearchCV

__all__ = ["HPOSearchCV"]
