"""sk_hpo: fast, smart hyperparameter search for scikit-learn.

Two faces: :class:`HPOSearchCV`, a drop-in replacement for ``GridSearchCV`` and
``RandomizedSearchCV``, and a define-by-run engine (:func:`create_study`,
:meth:`Study.optimize`, ``trial.suggest_*``) for any objective.
"""

from __future__ import annotations

from sk_hpo import distributions, exceptions, pruners, samplers, storages, study, trial
from sk_hpo._reporting import report
from sk_hpo.exceptions import TrialPruned
from sk_hpo.model_selection import HPOSearchCV
from sk_hpo.study import (
    Study,
    StudyDirection,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from sk_hpo.trial import FrozenTrial, Trial, TrialState, create_trial

__version__ = "0.1.0"

__all__ = [
    "FrozenTrial",
    "HPOSearchCV",
    "Study",
    "StudyDirection",
    "Trial",
    "TrialPruned",
    "TrialState",
    "copy_study",
    "create_study",
    "create_trial",
    "delete_study",
    "distributions",
    "exceptions",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
    "pruners",
    "report",
    "samplers",
    "storages",
    "study",
    "trial",
]
