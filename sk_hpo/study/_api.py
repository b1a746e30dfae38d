from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sk_hpo._direction import StudyDirection
from sk_hpo._validation import BOOLEAN, NONE, Constraint, check_param
from sk_hpo.exceptions import DuplicatedStudyError
from sk_hpo.pruners._base import BasePruner
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.storages import BaseStorage, get_storage
from sk_hpo.study._study import Study, new_study_name
from sk_hpo.study._summary import StudySummary
from sk_hpo.trial._state import TrialState

__all__ = [
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]


def create_study(
    *,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: str | StudyDirection | None = None,
    load_if_exists: bool = False,
    directions: Sequence[str | StudyDirection] | None = None,
) -> Study:
    """Create a new study (or continue an existing one with ``load_if_exists=True``).

    Parameters
    ----------
    storage : str or BaseStorage, default=None
        None keeps the study in memory. ``"sqlite:///path.db"`` (relative path) or
        ``"sqlite:////abs/path.db"`` persists it in a SQLite file that several processes
        can share.
    sampler : BaseSampler, default=None
        None means :class:`~sk_hpo.samplers.TPESampler`.
    pruner : BasePruner, default=None
        None means :class:`~sk_hpo.pruners.MedianPruner`.
    study_name : str, default=None
        None generates a unique name.
    direction : {"minimize", "maximize"}, default="minimize"
    load_if_exists : bool, default=False
        When a study of that name exists, load it instead of raising DuplicatedStudyError.
    directions : list of {"minimize", "maximize"} or StudyDirection, default=None
        One direction per objective, for a study of several objectives (the objective then
        returns one value per direction); exclusive with ``direction``.

    Returns
    -------
    Study

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(direction="maximize", study_name="demo")
    >>> study.direction
    StudyDirection.MAXIMIZE
    >>> sk_hpo.create_study(directions=["maximize", "minimize"]).directions
    [StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE]
    """
    check_param("create_study", "load_if_exists", load_if_exists, [BOOLEAN])
    wanted = _directions(direction, directions)
    storage_obj = get_storage(storage)
    check_param(
        "create_study",
        "study_name",
        study_name,
        [Constraint(lambda v: isinstance(v, str) and v != "", "a non-empty str"), NONE],
    )
    if study_name is None:
        study_name = new_study_name()
    try:
        storage_obj.create_new_study(study_name, wanted)
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        existing = storage_obj.get_study_directions(storage_obj.get_study_id_from_name(study_name))
        if existing != wanted:
            def shown(ds: list[StudyDirection]) -> str:
                return (f"direction {ds[0].value!r}" if len(ds) == 1
                        else f"directions {[d.value for d in ds]!r}")

            raise ValueError(
                f"Study {study_name!r} exists with {shown(existing)}, but {shown(wanted)} was "
                "requested; use the same directions or another study_name."
            ) from None
    return Study(study_name, storage_obj, sampler=sampler, pruner=pruner)


def load_study(
    *,
    study_name: str | None,
    storage: str | BaseStorage,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
) -> Study:
    """Load an existing study; ``study_name=None`` works when the storage holds exactly one.

    Parameters
    ----------
    study_name : str or None
        Name of the study; None when the storage holds exactly one study.
    storage : str or BaseStorage
        A URL such as ``"sqlite:///hpo.db"`` or a storage object.
    sampler, pruner : optional
        As in :func:`create_study` (samplers and pruners are not stored with the study).

    Raises
    ------
    StudyNotFoundError
        When the storage holds no study of that name.

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.storages import InMemoryStorage
    >>> storage = InMemoryStorage()
    >>> study = sk_hpo.create_study(storage=storage, study_name="svc")
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> len(sk_hpo.load_study(study_name="svc", storage=storage).trials)
    3
    """
    storage_obj = get_storage(storage)
    if study_name is None:
        names = get_all_study_names(storage_obj)
        if len(names) != 1:
            raise ValueError(
                f"study_name=None needs a storage with exactly one study, but it has "
                f"{len(names)}: {names!r}. Pass study_name."
            )
        study_name = names[0]
    return Study(study_name, storage_obj, sampler=sampler, pruner=pruner)


def delete_study(*, study_name: str, storage: str | BaseStorage) -> None:
    """Delete a study and all its trials.

    Raises :class:`~sk_hpo.exceptions.StudyNotFoundError` when it does not exist.

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.storages import InMemoryStorage
    >>> storage = InMemoryStorage()
    >>> _ = sk_hpo.create_study(storage=storage, study_name="old")
    >>> sk_hpo.delete_study(study_name="old", storage=storage)
    >>> sk_hpo.get_all_study_names(storage)
    []
    """
    storage_obj = get_storage(storage)
    storage_obj.delete_study(storage_obj.get_study_id_from_name(study_name))


def get_all_study_names(storage: str | BaseStorage) -> list[str]:
    """Names of the studies in ``storage``, in creation order.

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.storages import InMemoryStorage
    >>> storage = InMemoryStorage()
    >>> for name in ("a", "b"):
    ...     _ = sk_hpo.create_study(storage=storage, study_name=name)
    >>> sk_hpo.get_all_study_names(storage)
    ['a', 'b']
    """
    return [s.study_name for s in get_storage(storage).get_all_studies()]


def get_all_study_summaries(
    storage: str | BaseStorage, include_best_trial: bool = True
) -> list[StudySummary]:
    """A :class:`~sk_hpo.study.StudySummary` of each study in ``storage``, in creation order.

    Parameters
    ----------
    storage : str or BaseStorage
    include_best_trial : bool, default=True
        False leaves ``best_trial`` None (faster for many studies).

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.storages import InMemoryStorage
    >>> storage = InMemoryStorage()
    >>> study = sk_hpo.create_study(storage=storage, study_name="svc")
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> summary, = sk_hpo.get_all_study_summaries(storage)
    >>> summary.study_name, summary.n_trials, summary.best_trial.number == study.best_trial.number
    ('svc', 3, True)
    """
    storage_obj = get_storage(storage)
    summaries = []
    for name in get_all_study_names(storage_obj):
        study = Study(name, storage_obj)
        trials = study._get_trials(deepcopy=False)
        best = None
        if (include_best_trial and not study._is_multi_objective()
                and any(t.state == TrialState.COMPLETE for t in trials)):
            best = study.best_trial
        starts = [t.datetime_start for t in trials if t.datetime_start is not None]
        summaries.append(
            StudySummary(
                study_name=name,
                direction=study.directions[0],
                directions=study.directions,
                best_trial=best,
                user_attrs=study.user_attrs,
                system_attrs=study.system_attrs,
                n_trials=len(trials),
                datetime_start=min(starts) if starts else None,
                study_id=study._study_id,
            )
        )
    return summaries


def copy_study(
    *,
    from_study_name: str,
    from_storage: str | BaseStorage,
    to_storage: str | BaseStorage,
    to_study_name: str | None = None,
) -> None:
    """Copy a study (direction, user and system attributes, finished trials) to a storage.

    Use it to move a study from memory to a SQLite file, or between files. RUNNING and WAITING
    trials are not copied: they belong to processes of the source study.

    Parameters
    ----------
    from_study_name : str
    from_storage, to_storage : str or BaseStorage
    to_study_name : str, default=None
        None keeps the name. A study of that name must not exist in ``to_storage``.

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.storages import InMemoryStorage
    >>> source, target = InMemoryStorage(), InMemoryStorage()
    >>> study = sk_hpo.create_study(storage=source, study_name="s", direction="maximize")
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> sk_hpo.copy_study(from_study_name="s", from_storage=source, to_storage=target)
    >>> copied = sk_hpo.load_study(study_name="s", storage=target)
    >>> copied.direction.name, len(copied.trials), copied.best_value == study.best_value
    ('MAXIMIZE', 3, True)
    """
    source = load_study(study_name=from_study_name, storage=from_storage)
    target = create_study(
        storage=to_storage,
        study_name=from_study_name if to_study_name is None else to_study_name,
        directions=source.directions,
    )
    for key, value in source.system_attrs.items():
        target.set_system_attr(key, value)
    for key, value in source.user_attrs.items():
        target.set_user_attr(key, value)
    target.add_trials(t for t in source.get_trials(deepcopy=False) if t.state.is_finished())


def _is_direction(d: Any) -> bool:
    return isinstance(d, StudyDirection) or (
        isinstance(d, str) and d.lower() in ("minimize", "maximize")
    )


_DIRECTIONS = Constraint(
    lambda v: isinstance(v, Sequence) and not isinstance(v, str) and len(v) > 0
    and all(_is_direction(d) for d in v),
    "a non-empty list of 'minimize' or 'maximize' (or StudyDirection), one per objective",
)


def _directions(direction: Any, directions: Any) -> list[StudyDirection]:
    """The study's directions from ``direction`` or ``directions`` (not both)."""
    if directions is None:
        return [StudyDirection._coerce("minimize" if direction is None else direction)]
    if direction is not None:
        raise ValueError(
            f"Give direction or directions, not both (got direction={direction!r}, "
            f"directions={directions!r}): directions=[...] for several objectives."
        )
    check_param("create_study", "directions", directions, [_DIRECTIONS, NONE])
    return [StudyDirection._coerce(d) for d in directions]
