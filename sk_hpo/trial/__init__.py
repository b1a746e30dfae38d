"""Trials: the running :class:`Trial` and its record, :class:`FrozenTrial`."""

from __future__ import annotations

from sk_hpo.trial._base import BaseTrial
from sk_hpo.trial._create import create_trial
from sk_hpo.trial._fixed import FixedTrial
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState
from sk_hpo.trial._trial import Trial

__all__ = [
    "BaseTrial",
    "FixedTrial",
    "FrozenTrial",
    "Trial",
    "TrialState",
    "create_trial",
]
