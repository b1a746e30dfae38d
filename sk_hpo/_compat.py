"""The only module of sk_hpo that touches scikit-learn private names.

Each name here is used because no public equivalent exists; ``tests/test_compat.py`` fails
loudly when scikit-learn moves or renames one of them.

- ``safe_indexing``: ``sklearn.utils._safe_indexing``, rows (or columns) of arrays, sparse
  matrices, lists and dataframes alike. scikit-learn documents it in its API reference
  despite the underscore.
- ``scorer_accepts_sample_weight``: whether a scorer's metric takes ``sample_weight``
  (scikit-learn scorers answer through the private ``_accept_sample_weight`` method).
- ``visual_block``: ``sklearn.utils._repr_html.estimator._VisualBlock``, what an estimator's
  ``_sk_visual_block_`` hook returns to draw itself in scikit-learn's HTML repr.
"""

from __future__ import annotations

import inspect
from typing import Any

from sklearn.utils import _safe_indexing

__all__ = ["safe_indexing", "scorer_accepts_sample_weight", "visual_block"]

safe_indexing = _safe_indexing


def visual_block(kind: str, estimators: list[Any], **kwargs: Any) -> Any:
    """scikit-learn's ``_VisualBlock(kind, estimators, **kwargs)`` (imported on first use)."""
    from sklearn.utils._repr_html.estimator import _VisualBlock

    return _VisualBlock(kind, estimators, **kwargs)


def scorer_accepts_sample_weight(scorer: Any) -> bool:
    """Whether ``scorer(estimator, X, y, sample_weight=...)`` uses the weights."""
    accept = getattr(scorer, "_accept_sample_weight", None)
    if callable(accept):
        return bool(accept())
    try:
        return "sample_weight" in inspect.signature(scorer).parameters
    except (TypeError, ValueError):
        return False
