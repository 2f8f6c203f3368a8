"""Safe persistence with skops, and pickle/joblib."""

import pickle

import joblib
import numpy as np
import pytest
from skops import io as sio

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit

ESTIMATORS = [
    lambda: LogisticUnit(),
    lambda: DeepNetClassifier((8, 4), max_iter=5, random_state=0),
    lambda: DeepNetClassifier(
        (8,), batch_norm=True, dropout=0.2, solver="rmsprop", max_iter=5, random_state=0
    ),
]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 5))
    return X, np.array(["a", "b", "c"])[rng.randint(0, 3, 80)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", ESTIMATORS)
def test_skops_round_trip_trusts_only_skdeep_types(make, data, tmp_path):
    X, y = data
    est = make().fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted and all(t.startswith("skdeep.") for t in untrusted), untrusted
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path)
    loaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    # A loaded model keeps training.
    if hasattr(loaded, "partial_fit"):
        loaded.partial_fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", ESTIMATORS)
def test_pickle_and_joblib(make, data, tmp_path):
    X, y = data
    est = make().fit(X, y)
    for restored in (
        pickle.loads(pickle.dumps(est)),
        joblib.load(joblib.dump(est, tmp_path / "m.joblib")[0]),
    ):
        np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_skops_round_trip(loss, data, tmp_path):
    X, _ = data
    y = np.abs(X[:, 0]) + X[:, 1] ** 2
    est = DeepNetRegressor(
        loss=loss, hidden_layer_sizes=(8,), batch_norm=True, max_iter=5, random_state=0
    ).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == ["skdeep.estimators._deep_net_regressor.DeepNetRegressor"]
    loaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    loaded.partial_fit(X, y)  # a loaded model keeps training
    est.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
