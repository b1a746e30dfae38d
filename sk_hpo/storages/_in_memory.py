from __future__ import annotations

import collections
import copy
import datetime
import threading
from collections.abc import Container, Sequence
from typing import Any

from sk_hpo._direction import StudyDirection
from sk_hpo._json import check_json_value
from sk_hpo.distributions import BaseDistribution, check_distribution_compatibility
from sk_hpo.exceptions import DuplicatedStudyError, StudyNotFoundError, UpdateFinishedTrialError
from sk_hpo.storages._base import BaseStorage, StudySummary, as_directions, as_values
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

__all__ = ["InMemoryStorage"]


class _StudyRecord:
    def __init__(self, name: str, directions: list[StudyDirection]) -> None:
        self.name = name
        self.directions = directions
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trials: list[FrozenTrial] = []
        self.claimed: dict[str, int] = {}  # key -> trial_id of the claiming trial
        self.waiting: collections.deque[int] = collections.deque()  # numbers, oldest first
        self.datetime_start = datetime.datetime.now()


class InMemoryStorage(BaseStorage):
    """Studies in this process's memory; thread-safe, lost when the process ends.

    Trials are copy-on-write: an object returned by ``get_all_trials(deepcopy=False)`` never
    changes after it was returned.

    Examples
    --------
    >>> import sk_hpo
    >>> storage = InMemoryStorage()
    >>> study = sk_hpo.create_study(storage=storage, study_name="demo")
    >>> sk_hpo.get_all_study_names(storage)
    ['demo']
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._studies: dict[int, _StudyRecord] = {}
        self._name_to_id: dict[str, int] = {}
        self._trial_index: dict[int, tuple[int, int]] = {}  # trial_id -> (study_id, number)
        self._next_study_id = 0
        self._next_trial_id = 0

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # -- studies -------------------------------------------------------------------------------

    def _study(self, study_id: int) -> _StudyRecord:
        try:
            return self._studies[study_id]
        except KeyError:
            raise StudyNotFoundError(
                f"No study with study_id={study_id!r} exists: it was deleted; create it again with "
                "sk_hpo.create_study."
            ) from None

    def create_new_study(
        self, study_name: str, directions: Sequence[StudyDirection] | StudyDirection
    ) -> int:
        directions = as_directions(directions)
        with self._lock:
            if study_name in self._name_to_id:
                raise DuplicatedStudyError(
                    f"A study named {study_name!r} already exists; pass load_if_exists=True to "
                    "continue it or choose another study_name."
                )
            study_id = self._next_study_id
            self._next_study_id += 1
            self._studies[study_id] = _StudyRecord(study_name, directions)
            self._name_to_id[study_name] = study_id
            return study_id

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            record = self._study(study_id)
            for trial in record.trials:
                del self._trial_index[trial._trial_id]
            del self._name_to_id[record.name]
            del self._studies[study_id]

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            try:
                return self._name_to_id[study_name]
            except KeyError:
                raise StudyNotFoundError(
                    f"No study named {study_name!r} exists in this storage; create it with "
                    "sk_hpo.create_study(study_name=...) first."
                ) from None

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._lock:
            return self._study(study_id).name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            return list(self._study(study_id).directions)

    def get_all_studies(self) -> list[StudySummary]:
        with self._lock:
            summaries = []
            for study_id, record in self._studies.items():
                best = None
                if len(record.directions) == 1:
                    try:
                        best = self.get_best_trial(study_id).value
                    except ValueError:
                        pass
                summaries.append(
                    StudySummary(
                        study_name=record.name,
                        study_id=study_id,
                        direction=record.directions[0],
                        directions=list(record.directions),
                        n_trials=len(record.trials),
                        best_value=best,
                        datetime_start=record.datetime_start,
                        user_attrs=copy.deepcopy(record.user_attrs),
                    )
                )
            return summaries

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        value = check_json_value(key, value)
        with self._lock:
            self._study(study_id).user_attrs[key] = value

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        value = check_json_value(key, value)
        with self._lock:
            self._study(study_id).system_attrs[key] = value

    def compare_and_set_study_system_attr(
        self, study_id: int, key: str, expected: Any, value: Any
    ) -> bool:
        value = check_json_value(key, value)
        expected = None if expected is None else check_json_value(key, expected)
        with self._lock:
            attrs = self._study(study_id).system_attrs
            if attrs.get(key) != expected:
                return False
            attrs[key] = value
            return True

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._study(study_id).user_attrs)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._study(study_id).system_attrs)

    # -- trials --------------------------------------------------------------------------------

    def _locate(self, trial_id: int) -> tuple[_StudyRecord, int]:
        try:
            study_id, number = self._trial_index[trial_id]
        except KeyError:
            raise KeyError(f"No trial with trial_id={trial_id!r} exists.") from None
        return self._studies[study_id], number

    def _writable(self, trial_id: int) -> tuple[_StudyRecord, int, FrozenTrial]:
        record, number = self._locate(trial_id)
        trial = record.trials[number]
        if trial.state.is_finished():
            raise UpdateFinishedTrialError(
                f"Trial #{trial.number} is already finished with state {trial.state.name}; "
                "a finished trial cannot be changed."
            )
        return record, number, trial

    def create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None, *, heartbeat: bool = False
    ) -> int:
        return self._create_new_trial(study_id, template_trial, heartbeat=heartbeat)._trial_id

    def _create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None, *, heartbeat: bool = False
    ) -> FrozenTrial:
        with self._lock:
            record = self._study(study_id)
            number = len(record.trials)
            trial_id = self._next_trial_id
            self._next_trial_id += 1
            if template_trial is None:
                trial = FrozenTrial(
                    number=number,
                    state=TrialState.RUNNING,
                    value=None,
                    datetime_start=datetime.datetime.now(),
                    datetime_complete=None,
                    params={},
                    distributions={},
                    user_attrs={},
                    system_attrs={},
                    intermediate_values={},
                    trial_id=trial_id,
                    internal_params={},
                )
            else:
                trial = copy.deepcopy(template_trial)
                trial.user_attrs = {k: check_json_value(k, v) for k, v in trial.user_attrs.items()}
                trial.system_attrs = {
                    k: check_json_value(k, v) for k, v in trial.system_attrs.items()
                }
                trial.number = number
                trial._trial_id = trial_id
                trial._internal_params = None
                trial.internal_params  # noqa: B018 - validate params against distributions
            record.trials.append(trial)
            self._trial_index[trial_id] = (study_id, number)
            if trial.state == TrialState.WAITING:
                record.waiting.append(number)
            return trial

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        with self._lock:
            record, number, trial = self._writable(trial_id)
            if param_name in trial.distributions:
                check_distribution_compatibility(trial.distributions[param_name], distribution)
            params = dict(trial.params)
            params[param_name] = distribution.to_external_repr(param_value_internal)
            internal = dict(trial.internal_params)
            internal[param_name] = float(param_value_internal)
            distributions = dict(trial.distributions)
            distributions[param_name] = distribution
            record.trials[number] = trial._replace(
                params=params, distributions=distributions, _internal_params=internal
            )

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        values = as_values(values)
        with self._lock:
            record, number, trial = self._writable(trial_id)
            if state == TrialState.RUNNING and trial.state != TrialState.WAITING:
                return False
            changes: dict[str, Any] = {"state": state, "values": values}
            now = datetime.datetime.now()
            if state == TrialState.RUNNING:
                changes["datetime_start"] = now
            if state.is_finished():
                changes["datetime_complete"] = now
            record.trials[number] = trial._replace(**changes)
            return True

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        with self._lock:
            record, number, trial = self._writable(trial_id)
            values = dict(trial.intermediate_values)
            values[int(step)] = float(value)
            record.trials[number] = trial._replace(intermediate_values=values)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        value = check_json_value(key, value)
        with self._lock:
            record, number, trial = self._writable(trial_id)
            attrs = dict(trial.user_attrs)
            attrs[key] = value
            record.trials[number] = trial._replace(user_attrs=attrs)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        value = check_json_value(key, value)
        with self._lock:
            record, number, trial = self._writable(trial_id)
            attrs = dict(trial.system_attrs)
            attrs[key] = value
            record.trials[number] = trial._replace(system_attrs=attrs)

    def claim_trial_key(self, study_id: int, trial_id: int, key: str) -> bool:
        with self._lock:
            record = self._study(study_id)
            if key in record.claimed:
                return False
            record.claimed[key] = trial_id
            return True

    def release_trial_claims(self, trial_id: int) -> None:
        with self._lock:
            record, _ = self._locate(trial_id)
            record.claimed = {k: t for k, t in record.claimed.items() if t != trial_id}

    def get_claimed_keys(self, study_id: int) -> set[str]:
        with self._lock:
            return set(self._study(study_id).claimed)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            record, number = self._locate(trial_id)
            return record.trials[number]

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            trials = self._study(study_id).trials
            if not 0 <= trial_number < len(trials):
                raise KeyError(f"No trial number {trial_number!r} in study_id={study_id!r}.")
            return trials[trial_number]._trial_id

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._lock:
            trials = self._study(study_id).trials
            if states is not None:
                trials = [t for t in trials if t.state in states]
            else:
                trials = list(trials)
        return copy.deepcopy(trials) if deepcopy else trials

    def get_n_trials(self, study_id: int, states: Container[TrialState] | None = None) -> int:
        with self._lock:
            trials = self._study(study_id).trials
            if states is None:
                return len(trials)
            return sum(1 for t in trials if t.state in states)

    def pop_waiting_trial(self, study_id: int, *, heartbeat: bool = False) -> FrozenTrial | None:
        with self._lock:
            record = self._study(study_id)
            while record.waiting:
                trial = record.trials[record.waiting.popleft()]
                if trial.state == TrialState.WAITING:
                    self.set_trial_state_values(trial._trial_id, TrialState.RUNNING)
                    return self.get_trial(trial._trial_id)
            return None
