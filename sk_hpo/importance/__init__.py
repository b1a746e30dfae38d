"""Parameter importances: which hyperparameters the objective depends on (fANOVA)."""

from __future__ import annotations

from sk_hpo.importance._api import get_param_importances

__all__ = ["get_param_importances"]
