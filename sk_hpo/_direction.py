from __future__ import annotations

import enum

from sk_hpo._validation import InvalidParameterError

__all__ = ["StudyDirection"]


class StudyDirection(str, enum.Enum):
    """Whether a study minimizes or maximizes its objective.

    A ``str`` enum: ``StudyDirection.MAXIMIZE == "maximize"``.

    Examples
    --------
    >>> StudyDirection("maximize") is StudyDirection.MAXIMIZE
    True
    """

    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"

    def __repr__(self) -> str:
        return f"StudyDirection.{self.name}"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _coerce(cls, direction: object, owner: str = "create_study") -> StudyDirection:
        if isinstance(direction, StudyDirection):
            return direction
        if isinstance(direction, str) and direction.lower() in ("minimize", "maximize"):
            return cls(direction.lower())
        raise InvalidParameterError(
            f"The 'direction' parameter of {owner} must be 'minimize' or 'maximize' (or a "
            f"StudyDirection). Got {direction!r} instead."
        )
