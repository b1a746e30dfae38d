"""sk_hpo._compat holds every scikit-learn private name sk_hpo uses: fail loudly if one moves."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import get_scorer, make_scorer, mean_squared_error

from sk_hpo import _compat


def test_safe_indexing_is_sklearns_and_indexes_every_container():
    from sklearn.utils import _safe_indexing  # moved or renamed: update sk_hpo/_compat.py

    assert _compat.safe_indexing is _safe_indexing
    pd = pytest.importorskip("pandas")
    rows = np.array([2, 0])
    X = np.arange(12).reshape(4, 3)
    assert _compat.safe_indexing(X, rows).tolist() == [[6, 7, 8], [0, 1, 2]]
    assert _compat.safe_indexing(sp.csr_matrix(X), rows).toarray().tolist() == [[6, 7, 8], [0, 1, 2]]
    assert _compat.safe_indexing(pd.DataFrame(X), rows).index.tolist() == [2, 0]
    assert _compat.safe_indexing(list(X.tolist()), rows) == [[6, 7, 8], [0, 1, 2]]
    assert _compat.safe_indexing(X, rows, axis=1).tolist() == [[2, 0], [5, 3], [8, 6], [11, 9]]


def test_scorers_still_answer_accept_sample_weight():
    scorer = get_scorer("accuracy")
    assert callable(getattr(scorer, "_accept_sample_weight", None)), (
        "scikit-learn scorers lost _accept_sample_weight: update sk_hpo/_compat.py"
    )
    assert _compat.scorer_accepts_sample_weight(scorer)
    assert _compat.scorer_accepts_sample_weight(make_scorer(mean_squared_error))
    assert not _compat.scorer_accepts_sample_weight(
        make_scorer(lambda y, p: float(np.mean(y == p)))
    )


def test_plain_callables_are_read_by_signature():
    assert _compat.scorer_accepts_sample_weight(lambda est, X, y, sample_weight=None: 0.0)
    assert not _compat.scorer_accepts_sample_weight(lambda est, X, y: 0.0)


def test_visual_block_is_sklearns():
    from sklearn.utils._repr_html.estimator import _VisualBlock  # moved: update _compat.py

    from sklearn.linear_model import LogisticRegression

    block = _compat.visual_block("parallel", [LogisticRegression()], names=["a"])
    assert isinstance(block, _VisualBlock) and block.kind == "parallel"
