"""The JSON form every storage keeps attributes in (never pickles)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from sk_hpo._validation import InvalidParameterError

__all__ = ["check_json_value", "from_numpy"]


def from_numpy(value: Any) -> Any:
    """``json.dumps`` hook: numpy scalars and arrays as Python numbers and lists."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def check_json_value(key: str, value: Any) -> Any:
    """Return ``value`` as JSON gives it back, else raise a ``TypeError`` naming ``key``.

    Every storage keeps this form, so an attribute reads back the same from memory and from
    SQLite: tuples become lists, dict keys strings, numpy scalars and arrays Python numbers
    and lists; NaN and infinities are kept.

    Examples
    --------
    >>> import numpy as np
    >>> check_json_value("k", {"a": (1, float("inf")), "b": np.int64(3)})
    {'a': [1, inf], 'b': 3}
    """
    if not isinstance(key, str):
        raise InvalidParameterError(f"The attribute key must be a str. Got {key!r} instead.")
    try:
        return json.loads(json.dumps(value, allow_nan=True, default=from_numpy))
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"The attribute {key!r} must be JSON-serializable (numbers, strings, lists, dicts). "
            f"Got {value!r} instead. Convert it (e.g. str(value)) before storing it."
        ) from e
