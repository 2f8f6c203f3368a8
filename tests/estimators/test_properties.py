"""Properties that must hold for any data: Hypothesis explores shapes and labels."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from skdeep import DeepNetClassifier, LogisticUnit

# Derandomized: the same examples on every run, so the suite is deterministic.
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

LABEL_SETS = {
    "int": [3, -1, 7, 42],
    "str": ["cat", "ant", "dog", "bee"],
    "float": [1.0, -2.0, 10.0, 3.0],  # integral: other floats are "continuous"
}


@st.composite
def problems(draw):
    n_classes = draw(st.integers(2, 4))
    n_features = draw(st.integers(1, 5))
    n_samples = draw(st.integers(2 * n_classes, 40))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    codes = np.concatenate(
        [np.arange(n_classes), rng.randint(0, n_classes, n_samples - n_classes)]
    )
    rng.shuffle(codes)
    centers = rng.normal(scale=2, size=(n_classes, n_features))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    X = (centers[codes] + rng.normal(size=(n_samples, n_features))).astype(dtype)
    kind = draw(st.sampled_from(sorted(LABEL_SETS)))
    labels = np.array(
        LABEL_SETS[kind][:n_classes], dtype=object if kind == "str" else None
    )
    weighted = draw(st.booleans())
    sw = rng.uniform(0.1, 3.0, n_samples) if weighted else None
    return X, labels[codes], sw


ESTIMATORS = {
    "deepnet-adam": lambda: DeepNetClassifier((6,), max_iter=15, random_state=0),
    "deepnet-lbfgs": lambda: DeepNetClassifier(
        (5, 4), activation="tanh", solver="lbfgs", max_iter=30, random_state=0
    ),
    "unit": lambda: LogisticUnit(max_iter=50),
}


def _fit(make, X, y, sw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return make().fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@SETTINGS
@given(problem=problems())
def test_probabilities_and_predictions_are_consistent(name, problem):
    X, y, sw = problem
    est = _fit(ESTIMATORS[name], X, y, sw)
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), len(np.unique(y)))
    assert proba.dtype == X.dtype
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(
        est.predict(X), est.classes_[np.argmax(proba, axis=1)]
    )
    assert set(est.classes_) == set(y)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@SETTINGS
@given(problem=problems())
def test_fit_is_deterministic(name, problem):
    X, y, sw = problem
    a = _fit(ESTIMATORS[name], X, y, sw).predict_proba(X)
    b = _fit(ESTIMATORS[name], X, y, sw).predict_proba(X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@SETTINGS
@given(problem=problems())
def test_order_preserving_relabelling_changes_nothing(name, problem):
    X, y, sw = problem
    classes = np.unique(y)
    renamed = np.array([f"class {i:02d}" for i in range(len(classes))], dtype=object)
    y_new = renamed[np.searchsorted(classes, y)]
    a = _fit(ESTIMATORS[name], X, y, sw)
    b = _fit(ESTIMATORS[name], X, y_new, sw)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(
        renamed[np.searchsorted(a.classes_, a.predict(X))], b.predict(X)
    )


@SETTINGS
@given(problem=problems(), seed=st.integers(0, 1000))
def test_permuting_labels_permutes_probability_columns(problem, seed):
    # The unit starts at zero weights, so its model is symmetric in the
    # classes: permuting the labels may only permute the columns.
    X, y, sw = problem
    X = X.astype(np.float64)
    classes = np.unique(y)
    perm = np.random.RandomState(seed).permutation(len(classes))
    y_perm = classes[perm][np.searchsorted(classes, y)]
    make = lambda: LogisticUnit(alpha=1.0, tol=1e-10, max_iter=500)  # noqa: E731
    a = _fit(make, X, y, sw)
    b = _fit(make, X, y_perm, sw)
    # Column of class c in a == column of class classes[perm][i] in b.
    columns = np.searchsorted(b.classes_, classes[perm])
    np.testing.assert_allclose(
        b.predict_proba(X)[:, columns], a.predict_proba(X), atol=1e-6
    )
