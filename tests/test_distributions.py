import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.svm import SVC

import sk_hpo
from sk_hpo.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    check_distribution_compatibility,
    distribution_to_json,
    json_to_distribution,
)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"low": 3.0, "high": 1.0}, r"low <= high.*low=3.0, high=1.0"),
        ({"low": 0.0, "high": 1.0, "log": True}, r"log=True requires low > 0"),
        ({"low": -1.0, "high": 1.0, "log": True}, r"low=-1.0"),
        ({"low": 1.0, "high": 2.0, "log": True, "step": 0.5}, r"log=True together with step"),
        ({"low": 0.0, "high": 1.0, "step": 0.0}, r"'step' parameter .* a finite float > 0"),
        ({"low": 0.0, "high": 1.0, "step": -0.1}, r"> 0 or None. Got -0.1 instead"),
        ({"low": float("-inf"), "high": 1.0}, r"'low' parameter .* must be a finite float"),
        ({"low": 0.0, "high": float("nan")}, r"'high' parameter .* finite float. Got nan"),
    ],
)
def test_float_distribution_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FloatDistribution(**kwargs)


@pytest.mark.parametrize("bad", ["a", None, [1.0]])
def test_float_distribution_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match=r"'low' parameter of FloatDistribution must be a finite"):
        FloatDistribution(bad, 1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"low": 3, "high": 1}, r"low <= high.*low=3, high=1"),
        ({"low": 0, "high": 10, "log": True}, r"log=True requires low >= 1"),
        ({"low": 1, "high": 10, "log": True, "step": 2}, r"log=True together with step != 1"),
        ({"low": 0, "high": 10, "step": 0}, r"'step' parameter .* an integer >= 1. Got 0"),
        ({"low": 0.5, "high": 10}, r"'low' parameter of IntDistribution must be an integer. Got"),
    ],
)
def test_int_distribution_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        IntDistribution(**kwargs)


def test_step_that_does_not_divide_range_adjusts_high_with_warning():
    with pytest.warns(UserWarning, match=r"high is replaced by 0.9"):
        d = FloatDistribution(0.0, 1.0, step=0.3)
    assert d.high == pytest.approx(0.9)
    with pytest.warns(UserWarning, match=r"high is replaced by 9"):
        i = IntDistribution(1, 10, step=2)
    assert i.high == 9


def test_decimal_steps_that_divide_do_not_warn(recwarn):
    FloatDistribution(0.0, 1.0, step=0.1)
    FloatDistribution(0.1, 0.7, step=0.2)
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("choices", [[], ()])
def test_categorical_rejects_empty(choices):
    with pytest.raises(ValueError, match=r"'choices' parameter .* must not be empty"):
        CategoricalDistribution(choices)


def test_categorical_rejects_non_sequence():
    with pytest.raises(
        TypeError, match=r"'choices' parameter of CategoricalDistribution must be a sequence. Got 3"
    ):
        CategoricalDistribution(3)


def test_internal_representation():
    f = FloatDistribution(1e-3, 1.0, log=True)
    assert f.to_internal_repr(0.1) == 0.1 and f.to_external_repr(0.1) == 0.1
    i = IntDistribution(1, 9, step=2)
    assert i.to_internal_repr(3) == 3.0 and i.to_external_repr(3.0) == 3
    assert isinstance(i.to_external_repr(3.0000001), int)
    c = CategoricalDistribution(["a", None, 2.5])
    assert c.to_internal_repr(None) == 1.0
    assert c.to_external_repr(2.0) == 2.5
    with pytest.raises(ValueError, match=r"'b' is not one of the choices"):
        c.to_internal_repr("b")


def test_categorical_distinguishes_bool_and_int():
    c = CategoricalDistribution([1, True, 0, False])
    assert [c.to_internal_repr(v) for v in (1, True, 0, False)] == [0.0, 1.0, 2.0, 3.0]


def test_contains_and_single():
    f = FloatDistribution(0.0, 1.0, step=0.25)
    assert f._contains(0.5) and not f._contains(0.3) and not f._contains(1.25)
    assert FloatDistribution(2.0, 2.0).single()
    assert not FloatDistribution(0.0, 1e-12).single()
    assert IntDistribution(3, 3).single()
    i = IntDistribution(0, 10, step=5)
    assert i._contains(5.0) and not i._contains(4.0)
    c = CategoricalDistribution(["x"])
    assert c.single() and c._contains(0.0) and not c._contains(1.0) and not c._contains(0.5)


@pytest.mark.parametrize(
    "dist",
    [
        FloatDistribution(-1.5, 2.0),
        FloatDistribution(1e-10, 1.0, log=True),
        FloatDistribution(0.0, 1.0, step=0.1),
        IntDistribution(-3, 7),
        IntDistribution(1, 1024, log=True),
        IntDistribution(0, 10, step=5),
        CategoricalDistribution(["a", 1, 2.5, None, True]),
    ],
)
def test_json_round_trip(dist):
    assert json_to_distribution(distribution_to_json(dist)) == dist
    assert json_to_distribution(dist.to_json()) == dist
    assert hash(json_to_distribution(dist.to_json())) == hash(dist)


def test_json_of_non_json_choices_uses_repr():
    svc = SVC(C=2.0)
    d = CategoricalDistribution([svc, "none"])
    restored = json_to_distribution(d.to_json())
    assert restored.choices == ("SVC(C=2.0)", "none")
    # Same JSON form: compatible with the original when a study is reopened.
    assert restored.to_json() == d.to_json()
    assert d.to_internal_repr(svc) == 0.0


def test_json_never_executes_code():
    evil = '{"name": "os.system", "attributes": {"command": "echo hi"}}'
    with pytest.raises(ValueError, match="not a serialized distribution"):
        json_to_distribution(evil)
    with pytest.raises(ValueError, match="not a serialized distribution"):
        json_to_distribution("not json")


def test_equality_and_hash():
    assert FloatDistribution(0, 1) == FloatDistribution(0.0, 1.0)
    assert FloatDistribution(0, 1) != FloatDistribution(0, 1, step=0.5)
    assert FloatDistribution(0, 1) != IntDistribution(0, 1)
    assert len({IntDistribution(0, 3), IntDistribution(0, 3)}) == 1


def test_compatibility_check():
    check_distribution_compatibility(FloatDistribution(0, 1), FloatDistribution(0, 2))
    with pytest.raises(ValueError, match="different distribution kind"):
        check_distribution_compatibility(FloatDistribution(0, 1), IntDistribution(0, 1))
    with pytest.raises(ValueError, match="does not support dynamic choices"):
        check_distribution_compatibility(
            CategoricalDistribution(["a"]), CategoricalDistribution(["b"])
        )
    with pytest.raises(ValueError, match="different log configuration to the same parameter name"):
        check_distribution_compatibility(
            FloatDistribution(1, 2), FloatDistribution(1, 2, log=True)
        )


@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    width=st.floats(0, 1e6, allow_nan=False),
    x=st.floats(0, 1),
)
def test_float_internal_round_trip_property(low, width, x):
    d = FloatDistribution(low, low + width)
    value = d.low + x * (d.high - d.low)
    value = min(max(value, d.low), d.high)
    assert d._contains(d.to_internal_repr(value))
    assert d.to_external_repr(d.to_internal_repr(value)) == value


@given(low=st.integers(-1000, 1000), width=st.integers(0, 1000), step=st.integers(1, 7))
def test_int_grid_property(low, width, step):
    with pytest.warns(UserWarning) if width % step else _no_warning():
        d = IntDistribution(low, low + width, step=step)
    assert (d.high - d.low) % d.step == 0
    assert d.high <= low + width
    for v in np.arange(d.low, d.high + 1, d.step)[:5]:
        assert d._contains(float(v))


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_nan_is_rejected_as_a_value():
    with pytest.raises(ValueError, match="NaN is not a valid value"):
        FloatDistribution(0, 1).to_internal_repr(math.nan)


def test_a_float_step_range_one_step_wide_is_not_single():
    # 0.3 - 0.2 is 0.09999999999999998 in floats: the range still holds two values
    assert not FloatDistribution(0.2, 0.3, step=0.1).single()
    assert FloatDistribution(0.2, 0.2, step=0.1).single()
    study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0.2, 0.3, step=0.1), n_trials=20)
    assert {round(t.params["x"], 10) for t in study.trials} == {0.2, 0.3}


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"type": "int", "low": 1, "high": 9}', IntDistribution(1, 9)),
        ('{"type": "int", "low": 2, "high": 12, "log": true}', IntDistribution(2, 12, log=True)),
        ('{"type": "float", "low": 1.0, "high": 9.0, "step": 2.0}',
         FloatDistribution(1.0, 9.0, step=2.0)),
        ('{"type": "categorical", "choices": ["a", NaN]}',
         CategoricalDistribution(["a", math.nan])),
    ],
)
def test_optunas_abbreviated_json_is_read(text, expected):
    assert json_to_distribution(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "unknown", "low": 1.0, "high": 2.0}',
        '{"type": "float", "low": 0.0, "high": 1.0, "log": true}',
        '{"type": "float", "low": 1.0, "high": 2.0, "colour": "red"}',
        '{"type": "categorical", "choices": []}',
        '{"type": "categorical"}',
    ],
)
def test_bad_abbreviated_json_is_a_value_error(text):
    with pytest.raises(ValueError):
        json_to_distribution(text)


def test_an_unhashable_choice_is_accepted_with_a_warning():
    with pytest.warns(UserWarning, match=r"choice \{'foo': 'bar'\} of CategoricalDistribution "
                                         r"is unhashable \(a dict\)"):
        d = CategoricalDistribution([{"foo": "bar"}, "b"])
    assert d.to_internal_repr({"foo": "bar"}) == 0.0
    assert json_to_distribution(d.to_json()).choices[1] == "b"
