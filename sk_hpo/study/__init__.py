"""Studies: create, load, delete and list them."""

from __future__ import annotations

from sk_hpo._direction import StudyDirection
from sk_hpo.study._api import (
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from sk_hpo.study._callbacks import MaxTrialsCallback
from sk_hpo.study._claims import Claims
from sk_hpo.study._study import Study
from sk_hpo.study._summary import StudySummary

__all__ = [
    "Study",
    "Claims",
    "StudyDirection",
    "StudySummary",
    "copy_study",
    "get_all_study_summaries",
    "create_study",
    "load_study",
    "delete_study",
    "get_all_study_names",
    "MaxTrialsCallback",
]
