import numpy as np
import pytest

from sk_hpo._validation import (
    NONE,
    InvalidParameterError,
    check_param,
    int_range,
    interval,
    options,
)


@pytest.mark.parametrize(
    "constraint, good, bad",
    [
        (interval(0, 1), [0, 0.5, 1, np.float32(1)], [-0.1, 1.1, float("nan"), True, "0.5"]),
        (interval(0, 1, closed="neither"), [0.5], [0, 1]),
        (interval(0, None, closed="right"), [1e9], [0, -1]),
        (interval(None, 0, closed="left"), [-1e9], [0]),
        (int_range(1, 3), [1, 3, np.int64(2)], [0, 4, 2.0, True]),
        (options("a", "b"), ["a"], ["c", None]),
    ],
)
def test_constraints_accept_and_refuse(constraint, good, bad):
    assert all(constraint.check(v) for v in good)
    assert not any(constraint.check(v) for v in bad)


def test_check_param_names_parameter_owner_and_value():
    assert check_param("P", "p", 2, [int_range(1)]) == 2
    with pytest.raises(
        InvalidParameterError,
        match=r"^The 'p' parameter of P must be a float in the range \(0, 1\] or None\. "
        r"Got -3 instead\.$",
    ):
        check_param("P", "p", -3, [interval(0, 1, closed="right"), NONE])
    assert issubclass(InvalidParameterError, ValueError)
    assert issubclass(InvalidParameterError, TypeError)
