"""Safe persistence with skops, and pickle/joblib."""

import pickle
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from skops import io as sio

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit
from skdeep.exceptions import ModelVersionError

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


# Files written by skdeep 0.1 (before the package was reorganised, commit
# 92c94df): a DeepNetClassifier((8,)) on iris, a small TabularNetRegressor, and
# a TabularPreprocessor on a five-row frame.
DATA = Path(__file__).parent.parent / "data"


def test_deep_net_files_of_0_1_still_load_and_predict_the_same():
    X, _ = load_iris(return_X_y=True)
    expected = np.load(DATA / "deepnet_0.1_proba.npy")
    with open(DATA / "deepnet_0.1.pkl", "rb") as f:
        from_pickle = pickle.load(f)
    path = DATA / "deepnet_0.1.skops"
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == ["skdeep.estimators._deep_net.DeepNetClassifier"]
    from_skops = sio.load(path, trusted=untrusted)
    for model in (from_pickle, from_skops):
        np.testing.assert_array_equal(model.predict_proba(X), expected)


def test_preprocessor_files_of_0_1_still_transform_the_same():
    # A TabularPreprocessor fitted by 0.1, before date columns existed.
    X = pd.DataFrame(
        {
            "size": [1.0, 2.0, np.nan, 40.0, 3.0],
            "color": ["red", "blue", "red", None, "green"],
        }
    )
    expected = np.load(DATA / "preprocessor_0.1_out.npy")
    with open(DATA / "preprocessor_0.1.pkl", "rb") as f:
        from_pickle = pickle.load(f)
    path = DATA / "preprocessor_0.1.skops"
    from_skops = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    for pre in (from_pickle, from_skops):
        np.testing.assert_array_equal(pre.transform(X), expected)
        assert pre.get_feature_names_out()[-1] == "color_missing"
        assert pre.date_features_.size == 0


@pytest.mark.parametrize("load", ["pickle", "joblib", "skops"])
def test_tabular_files_of_0_1_say_they_must_be_refit(load):
    message = "written by an earlier version of skdeep .* fit the model again"
    with pytest.raises(ModelVersionError, match=message):
        if load == "pickle":
            with open(DATA / "tabular_0.1.pkl", "rb") as f:
                pickle.load(f)
        elif load == "joblib":
            joblib.load(DATA / "tabular_0.1.pkl")
        else:
            path = DATA / "tabular_0.1.skops"
            sio.load(path, trusted=sio.get_untrusted_types(file=path))


def test_the_command_line_says_so_in_one_line(capsys):
    from skdeep._cli import main

    assert main(["predict", str(DATA / "tabular_0.1.skops"), "rows.csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "written by an earlier version of skdeep" in err
