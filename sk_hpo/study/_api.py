from __future__ import annotations

from sk_hpo._direction import StudyDirection
from sk_hpo.exceptions import DuplicatedStudyError
from sk_hpo.pruners._base import BasePruner
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.storages import BaseStorage, get_storage
from sk_hpo.study._study import Study, new_study_name

__all__ = ["create_study", "load_study", "delete_study", "get_all_study_names"]


def create_study(
    *,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: str | StudyDirection | None = None,
    load_if_exists: bool = False,
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

    Returns
    -------
    Study

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(direction="maximize", study_name="demo")
    >>> study.direction
    StudyDirection.MAXIMIZE
    """
    direction = StudyDirection._coerce("minimize" if direction is None else direction)
    storage_obj = get_storage(storage)
    if study_name is None:
        study_name = new_study_name()
    elif not isinstance(study_name, str) or not study_name:
        raise ValueError(
            f"The 'study_name' parameter must be a non-empty str or None, got {study_name!r}."
        )
    try:
        storage_obj.create_new_study(study_name, [direction])
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        existing = storage_obj.get_study_direction(storage_obj.get_study_id_from_name(study_name))
        if existing != direction:
            raise ValueError(
                f"Study {study_name!r} exists with direction {existing.value!r}, but "
                f"direction={direction.value!r} was requested; use the same direction or "
                "another study_name."
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
