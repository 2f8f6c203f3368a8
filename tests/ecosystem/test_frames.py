"""pandas and polars frames, end to end."""

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit

fixed_budget = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def _frame(n=240, seed=0):
    rng = np.random.RandomState(seed)
    income = rng.lognormal(10, 0.5, n)
    age = rng.uniform(18, 80, n)
    city = rng.choice(["Lyon", "Oslo", "Quito"], n)
    score = np.log(income) / 2 + (age > 40) + (city == "Oslo") + rng.normal(0, 0.2, n)
    label = np.where(score > np.median(score), "approved", "declined")
    frame = pd.DataFrame({"income": income, "age": age, "city": city})
    frame.loc[rng.rand(n) < 0.1, "income"] = np.nan
    frame.loc[rng.rand(n) < 0.1, "city"] = None
    return frame, pd.Series(label, name="decision")


def _preprocess():
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    return ColumnTransformer(
        [
            ("num", numeric, make_column_selector(dtype_include="number")),
            ("cat", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )


@fixed_budget
def test_column_transformer_grid_search_with_missing_values_and_string_labels():
    X, y = _frame()
    pipe = make_pipeline(_preprocess(), DeepNetClassifier(max_iter=100, random_state=0))
    grid = GridSearchCV(
        pipe,
        {
            "deepnetclassifier__hidden_layer_sizes": [(8,), (16, 8)],
            "deepnetclassifier__alpha": [1e-4, 1e-1],
        },
        cv=3,
    ).fit(X, y)
    assert grid.best_score_ > 0.75
    assert set(grid.predict(X)) <= {"approved", "declined"}
    assert list(grid.best_estimator_[-1].classes_) == ["approved", "declined"]


@fixed_budget
@pytest.mark.parametrize("library", ["pandas", "polars"])
@pytest.mark.parametrize(
    "make", [lambda: DeepNetClassifier((8,), max_iter=20), lambda: LogisticUnit()]
)
def test_frames_everywhere_with_feature_names(library, make):
    rng = np.random.RandomState(0)
    data = {
        "a": rng.normal(size=90),
        "b": rng.normal(size=90),
        "c": rng.normal(size=90),
    }
    y = (data["a"] + data["b"] > 0).astype(int)
    frame = pd.DataFrame(data) if library == "pandas" else pl.DataFrame(data)
    est = make().fit(frame, y)
    assert list(est.feature_names_in_) == ["a", "b", "c"]
    as_array = np.column_stack([data["a"], data["b"], data["c"]])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        from_array = est.predict_proba(as_array)
    np.testing.assert_allclose(est.predict_proba(frame), from_array)
    assert est.predict(frame).shape == (90,)
    if hasattr(est, "partial_fit"):
        est.partial_fit(frame, y)
    # scikit-learn's consistency warnings: reordered or renamed columns.
    shuffled = (
        frame[["b", "a", "c"]] if library == "pandas" else frame.select(["b", "a", "c"])
    )
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(shuffled)


@fixed_budget
def test_numpy_after_frame_warns_like_scikit_learn():
    frame = pd.DataFrame({"x": np.arange(40.0), "z": np.arange(40.0) ** 0.5})
    y = np.arange(40) % 2
    est = DeepNetClassifier((4,), max_iter=5).fit(frame, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(frame.to_numpy())


@fixed_budget
@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_regression_on_a_frame_with_missing_values(library):
    X, _ = _frame()
    rng = np.random.RandomState(1)
    price = 2 * np.log(X["income"].fillna(30000)) + X["age"] / 20
    price = price + (X["city"] == "Oslo") + rng.normal(0, 0.1, len(X))
    if library == "polars":
        X = pl.from_pandas(X)
    # Columns by name: make_column_selector reads pandas dtypes only.
    preprocess = ColumnTransformer(
        [
            ("num", _preprocess().transformers[0][1], ["income", "age"]),
            ("cat", _preprocess().transformers[1][1], ["city"]),
        ]
    )
    pipe = make_pipeline(
        preprocess,
        DeepNetRegressor(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0),
    )
    grid = GridSearchCV(
        pipe, {"deepnetregressor__alpha": [1e-4, 1.0]}, cv=3, scoring="r2"
    ).fit(X, price.to_numpy())
    assert grid.best_score_ > 0.8
    net = grid.best_estimator_[-1]
    assert net.n_features_in_ == grid.best_estimator_[0].transform(X).shape[1]
    assert grid.predict(X).shape == (len(price),)


@fixed_budget
def test_regressor_keeps_the_frames_column_names():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = X["a"] - X["b"]
    net = DeepNetRegressor(hidden_layer_sizes=(8,), max_iter=20).fit(X, y)
    assert list(net.feature_names_in_) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="feature names"):
        net.predict(X[["c", "b", "a"]])
