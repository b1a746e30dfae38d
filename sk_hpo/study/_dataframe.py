from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sk_hpo.study._optimize import WORKER_ATTR

if TYPE_CHECKING:
    import pandas as pd

    from sk_hpo.study._study import Study

__all__ = ["trials_dataframe"]

_DEFAULT_ATTRS = (
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params",
    "user_attrs",
    "system_attrs",
    "state",
)
_ALLOWED = set(_DEFAULT_ATTRS) | {"values", "intermediate_values", "distributions", "trial_id"}
# sk_hpo's own bookkeeping, which Optuna's table would not show
_HIDDEN_SYSTEM_ATTRS = frozenset({WORKER_ATTR})


def trials_dataframe(
    study: Study, attrs: tuple[str, ...] | None = None, multi_index: bool = False
) -> pd.DataFrame:
    """Build the DataFrame of :meth:`Study.trials_dataframe` (one row per trial)."""
    import pandas as pd

    # Optuna spells some attributes with their private name ("_trial_id"): same column
    attrs = tuple(a.lstrip("_") for a in (_DEFAULT_ATTRS if attrs is None else attrs))
    unknown = [a for a in attrs if a not in _ALLOWED]
    if unknown:
        raise ValueError(
            f"The 'attrs' parameter of trials_dataframe has unknown attributes {unknown!r}; "
            f"allowed: {sorted(_ALLOWED)!r}."
        )
    if study._is_multi_objective():  # Optuna: "value" means every objective's value then
        attrs = tuple("values" if a == "value" else a for a in attrs)
    trials = study._get_trials(deepcopy=False)
    objective_keys: list[Any] = study.metric_names or list(range(len(study.directions)))
    nested = {"params", "user_attrs", "system_attrs", "intermediate_values", "distributions"}
    # Collect the sub-columns of each nested attribute in first-seen order.
    sub_columns: dict[str, list[Any]] = {a: [] for a in attrs if a in nested}
    for t in trials:
        for attr in sub_columns:
            for key in _nested(t, attr):
                if key not in sub_columns[attr]:
                    sub_columns[attr].append(key)
    columns: list[tuple[str, Any]] = []
    for attr in attrs:
        if attr in nested:
            columns.extend((attr, key) for key in sub_columns[attr])
        elif attr == "values":
            columns.extend((attr, key) for key in objective_keys)
        elif attr == "value" and study.metric_names:
            columns.append((attr, objective_keys[0]))
        else:
            columns.append((attr, ""))
    rows = []
    for t in trials:
        row: list[Any] = []
        for attr, key in columns:
            if attr in nested:
                value = _nested(t, attr).get(key)
                row.append(repr(value) if attr == "distributions" and value is not None else value)
            elif attr == "state":
                row.append(t.state.name)
            elif attr in ("value", "values"):
                values = t.values
                row.append(None if values is None else values[objective_keys.index(key)]
                           if key != "" else values[0])
            else:
                row.append(getattr(t, attr))
        rows.append(row)
    if multi_index:
        index = pd.MultiIndex.from_tuples(columns)
        return pd.DataFrame(rows, columns=index)
    names = [attr if key == "" else f"{attr}_{key}" for attr, key in columns]
    return pd.DataFrame(rows, columns=names)


def _nested(trial: Any, attr: str) -> dict[Any, Any]:
    values = getattr(trial, attr)
    if attr == "system_attrs":
        return {k: v for k, v in values.items() if k not in _HIDDEN_SYSTEM_ATTRS}
    return values
