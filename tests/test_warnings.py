import inspect
import warnings

from sk_hpo._warnings import warn_user
from sk_hpo.model_selection._params import make_param_spec


def test_a_warning_raised_deep_in_sk_hpo_points_at_the_callers_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        deep = inspect.currentframe().f_lineno + 1
        make_param_spec("C", (1e-3, 1e2, "log-uniform"))  # warns from two frames down
        direct = inspect.currentframe().f_lineno + 1
        warn_user("direct", RuntimeWarning)
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, deep), (__file__, direct)]
    assert [w.category for w in caught] == [UserWarning, RuntimeWarning]
