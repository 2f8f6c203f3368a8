import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdeep.preprocessing import TabularPreprocessor, smooth_clip


def _frame():
    rng = np.random.RandomState(0)
    n = 60
    return pd.DataFrame(
        {
            "income": np.where(rng.rand(n) < 0.1, np.nan, rng.lognormal(3, 1, n)),
            "age": rng.randint(18, 90, n).astype(float),
            "color": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "city": rng.choice([f"c{i}" for i in range(12)], n).astype(object),
            "member": rng.rand(n) < 0.5,
        }
    )


def test_numeric_columns_follow_the_formula():
    X = _frame()
    pre = TabularPreprocessor().fit(X)
    out = pre.transform(X)
    for i, name in enumerate(["income", "age"]):
        values = X[name].to_numpy()
        kept = values[~np.isnan(values)]
        q25, median, q75 = np.percentile(
            kept, [25, 50, 75], method="averaged_inverted_cdf"
        )
        expected = smooth_clip((values - median) / (q75 - q25))
        expected[np.isnan(values)] = 0.0
        np.testing.assert_allclose(out[:, i], expected, rtol=1e-12)
    # income has missing values: one indicator, right after the numerics
    np.testing.assert_array_equal(out[:, 2], X["income"].isna().to_numpy())
    assert np.abs(out[:, :2]).max() < 3


def test_one_hot_small_and_codes_for_large_categoricals():
    X = _frame()
    pre = TabularPreprocessor().fit(X)
    names = pre.get_feature_names_out().tolist()
    assert names == [
        "income",
        "age",
        "income_missing",
        "color_blue",
        "color_green",
        "color_red",
        "member_True",
        "city_codes",
    ]
    out = pre.transform(X)
    # 12 cities > max_one_hot: one column of codes 1..12, 13 codes with 0
    assert pre.embedded_categories_ == {7: 13}
    levels = np.sort(X["city"].unique())
    np.testing.assert_array_equal(
        out[:, 7], np.searchsorted(levels, X["city"].to_numpy()) + 1
    )
    np.testing.assert_array_equal(out[:, 3:6].sum(axis=1), 1)
    np.testing.assert_array_equal(out[:, 6], X["member"].to_numpy())
    # max_one_hot=0 codes every categorical column
    everything = TabularPreprocessor(max_one_hot=0).fit(X)
    assert len(everything.embedded_categories_) == 3


def test_unseen_and_missing_values_at_predict_time():
    X = _frame()
    pre = TabularPreprocessor().fit(X)
    odd = X.iloc[:3].copy()
    odd["color"] = pd.Categorical(["purple", None, "red"])
    odd["city"] = ["nowhere", None, "c1"]
    odd["age"] = [np.nan, 200.0, 30.0]
    out = pre.transform(odd)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:2, 3:6], 0)  # unseen and missing: zeros
    assert out[2, 5] == 1
    np.testing.assert_array_equal(out[:2, 7], 0)  # code 0
    assert out[0, 1] == 0  # missing without an indicator: the median


def test_categorical_dtypes_read_by_code_equal_their_text():
    # pandas categorical columns are matched level by level, then by code;
    # the same values as text (object columns) must give the same output,
    # unseen, reordered, integer and empty levels included.
    rng = np.random.RandomState(0)
    n = 40
    train = pd.DataFrame(
        {
            "small": pd.Categorical(rng.choice(["a", "b", None], size=n)),
            "large": pd.Categorical(rng.choice(list("abcdefghijkl"), size=n)),
            "ints": pd.Categorical(rng.choice([3, 10, 200], size=n)),
            "empty": pd.Categorical([None] * n, categories=["x"]),
            "number": rng.normal(size=n),
        }
    )
    pre = TabularPreprocessor().fit(train)
    new = train.copy()
    new["small"] = new["small"].cat.add_categories(["new"])
    new["small"] = new["small"].cat.reorder_categories(["new", "b", "a"])
    new.loc[::3, "small"] = "new"
    new["large"] = new["large"].cat.remove_categories(["a"])  # now missing
    new["empty"] = pd.Categorical(["x", None] * (n // 2))
    as_text = new.astype({c: object for c in ("small", "large", "ints", "empty")})
    out = pre.transform(new)
    np.testing.assert_array_equal(out, pre.transform(as_text))
    assert (out != pre.transform(train)).any()  # the changes did show


def test_pandas_polars_and_arrays_agree():
    pl = pytest.importorskip("polars")
    X = _frame()
    X["color"] = X["color"].astype(str)
    expected = TabularPreprocessor().fit_transform(X)
    polars = pl.from_dict({c: X[c].tolist() for c in X.columns})
    np.testing.assert_allclose(TabularPreprocessor().fit_transform(polars), expected)
    array = X.to_numpy(dtype=object)
    out = TabularPreprocessor(categorical_features=[2, 3, 4]).fit_transform(array)
    np.testing.assert_allclose(out, expected)
    by_name = TabularPreprocessor(categorical_features=["color", "city", "member"])
    np.testing.assert_allclose(by_name.fit_transform(X), expected)


def test_weights_are_repetitions():
    rng = np.random.RandomState(1)
    X = pd.DataFrame({"x": rng.normal(size=30), "c": rng.choice(list("abc"), 30)})
    weights = rng.randint(0, 3, 30)
    repeated = X.loc[np.repeat(np.arange(30), weights)]
    a = TabularPreprocessor().fit(X, sample_weight=weights)
    b = TabularPreprocessor().fit(repeated)
    np.testing.assert_allclose(a.transform(X), b.transform(X))


def test_errors_are_one_line_and_clear():
    X = _frame()
    pre = TabularPreprocessor().fit(X)
    with pytest.raises(ValueError, match="feature names"):
        pre.transform(X[["age", "income", "color", "city", "member"]])
    with pytest.raises(ValueError, match="not numbers"):
        TabularPreprocessor(categorical_features=None).fit(X)
    with pytest.raises(ValueError, match="does not have"):
        TabularPreprocessor(categorical_features=["nope"]).fit(X)
    with pytest.raises(ValueError, match="Reshape your data"):
        pre.transform(np.zeros(5))
    with pytest.raises(ValueError, match="dtype"):
        TabularPreprocessor(dtype="int8").fit(X)


def test_float32_output_and_pandas_output():
    X = _frame()
    out = TabularPreprocessor(dtype=np.float32).fit_transform(X)
    assert out.dtype == np.float32
    frame = TabularPreprocessor().set_output(transform="pandas").fit_transform(X)
    assert list(frame.columns)[-1] == "city_codes"


@parametrize_with_checks([TabularPreprocessor(), TabularPreprocessor(clip=None)])
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)
