from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from sk_hpo._direction import StudyDirection
from sk_hpo.trial._frozen import FrozenTrial

__all__ = ["StudySummary"]


@dataclass
class StudySummary:
    """One study as :func:`~sk_hpo.study.get_all_study_summaries` lists it (Optuna's fields).

    Attributes
    ----------
    study_name : str
    direction : StudyDirection
        The first direction (read ``directions`` for a study of several objectives).
    best_trial : FrozenTrial or None
        None when no trial is COMPLETE, for a study of several objectives, or when the
        summaries were asked without it.
    user_attrs, system_attrs : dict
    n_trials : int
    datetime_start : datetime or None
        When the first trial started; None for a study without trials.
    study_id : int
        The storage's identifier of the study (also ``_study_id``, as in Optuna).
    directions : list of StudyDirection
        One direction per objective.

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.storages import InMemoryStorage
    >>> storage = InMemoryStorage()
    >>> study = sk_hpo.create_study(storage=storage, study_name="s")
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    >>> [(s.study_name, s.n_trials) for s in sk_hpo.get_all_study_summaries(storage)]
    [('s', 2)]
    """

    study_name: str
    direction: StudyDirection
    best_trial: FrozenTrial | None
    user_attrs: dict[str, Any]
    system_attrs: dict[str, Any]
    n_trials: int
    datetime_start: datetime.datetime | None
    study_id: int = field(repr=False)
    directions: list[StudyDirection] | None = None

    def __post_init__(self) -> None:
        if self.directions is None:
            self.directions = [self.direction]

    @property
    def _study_id(self) -> int:
        return self.study_id
