import math

import numpy as np
import pytest

from sk_hpo._json import check_json_value


def test_values_come_back_as_json_gives_them():
    value = {"t": (1, 2), 3: "x", "n": np.int64(4), "a": np.arange(2.0), "inf": math.inf}
    assert check_json_value("k", value) == {
        "t": [1, 2], "3": "x", "n": 4, "a": [0.0, 1.0], "inf": math.inf
    }
    assert type(check_json_value("k", np.float32(0.5))) is float


def test_non_json_values_and_keys_are_refused_by_name():
    with pytest.raises(TypeError, match=r"attribute 'model' must be JSON-serializable .* "
                                        r"str\(value\)"):
        check_json_value("model", object())
    with pytest.raises(TypeError, match="attribute key must be a str. Got 3 instead"):
        check_json_value(3, "x")
