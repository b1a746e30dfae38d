"""Studies: create, load, delete and list them."""

from __future__ import annotations

from sk_hpo._direction import StudyDirection
from sk_hpo.study._api import create_study, delete_study, get_all_study_names, load_study
from sk_hpo.study._callbacks import MaxTrialsCallback
from sk_hpo.study._study import Study

__all__ = [
    "Study",
    "StudyDirection",
    "create_study",
    "load_study",
    "delete_study",
    "get_all_study_names",
    "MaxTrialsCallback",
]
