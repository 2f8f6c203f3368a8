import datetime as dt

import numpy as np
import pandas as pd
import pytest

from skdeep.preprocessing import TabularPreprocessor, smooth_clip

polars = pytest.importorskip("polars")


def _when(n=200, seed=0):
    """Date-times over three years, at random hours and minutes."""
    rng = np.random.RandomState(seed)
    start = np.datetime64("2021-01-01T00:00", "s")
    seconds = rng.randint(0, 3 * 365 * 86400, n)
    return pd.Series(start + seconds.astype("timedelta64[s]"), name="when")


def _frame(n=200):
    when = _when(n)
    when[::17] = pd.NaT
    return pd.DataFrame(
        {
            "x": np.random.RandomState(1).normal(size=n),
            "when": when,
            "day": when.dt.normalize(),  # midnight: no hour, no minute
        }
    )


def test_a_date_gives_its_timestamp_and_the_parts_that_vary():
    X = _frame()
    pre = TabularPreprocessor().fit(X)
    assert pre.date_features_.tolist() == [1, 2]
    assert pre.numeric_features_.tolist() == [0]
    every = ("year", "month", "day", "weekday", "dayofyear", "hour", "minute")
    assert pre.date_parts_ == [every, every[:5]]
    names = pre.get_feature_names_out().tolist()
    assert names[:4] == ["x", "when_timestamp", "when_year", "when_month_sin"]
    assert names[-2:] == ["when_missing", "day_missing"]  # one per date column
    assert pre.n_numeric_out_ == 1 + (2 + 2 * 6) + (2 + 2 * 4)
    assert len(names) == pre.n_numeric_out_ + 2


def test_date_parts_are_their_formulas_then_scaled_like_numbers():
    X = _frame()
    pre = TabularPreprocessor(clip=None).fit(X)
    out = pd.DataFrame(pre.transform(X), columns=pre.get_feature_names_out())
    when = X["when"]
    present = when.notna().to_numpy()
    expected = {
        "when_timestamp": (when - pd.Timestamp("1970-01-01")).dt.total_seconds(),
        "when_year": when.dt.year,
        "when_month_sin": np.sin(2 * np.pi * (when.dt.month - 1) / 12),
        "when_weekday_cos": np.cos(2 * np.pi * when.dt.day_of_week / 7),
        "when_hour_sin": np.sin(2 * np.pi * when.dt.hour / 24),
        "when_minute_cos": np.cos(2 * np.pi * when.dt.minute / 60),
    }
    for name, raw in expected.items():
        raw = raw.to_numpy(dtype=float)[present]
        q25, median, q75 = np.percentile(
            raw, [25, 50, 75], method="averaged_inverted_cdf"
        )
        np.testing.assert_allclose(
            out[name].to_numpy()[present], (raw - median) / (q75 - q25), atol=1e-9
        )
        assert (out[name].to_numpy()[~present] == 0).all()
    np.testing.assert_array_equal(out["when_missing"], ~present)
    # With the default clip, the parts are clipped like every numeric column.
    clipped = TabularPreprocessor().fit(X).transform(X)
    k = pre.n_numeric_out_
    np.testing.assert_allclose(clipped[:, :k], smooth_clip(out.to_numpy()[:, :k]))


def test_constant_parts_are_left_out():
    days = pd.Series(pd.date_range("2024-03-01", periods=40, freq="D"))
    pre = TabularPreprocessor().fit(days.to_frame("d"))
    # One year, two months, midnight every day.
    assert pre.date_parts_ == [("month", "day", "weekday", "dayofyear")]
    single = TabularPreprocessor().fit(
        pd.DataFrame({"d": [pd.Timestamp("2024-01-01")]})
    )
    assert single.get_feature_names_out().tolist() == ["d_timestamp"]


def test_time_zones_read_parts_on_the_wall_clock_and_the_timestamp_in_utc():
    local = pd.Series(pd.date_range("2024-06-01 09:00", periods=48, freq="7h"))
    paris = local.dt.tz_localize("Europe/Paris")
    pre = TabularPreprocessor(clip=None).fit(pd.DataFrame({"t": paris}))
    naive = TabularPreprocessor(clip=None).fit(pd.DataFrame({"t": local}))
    names = list(pre.get_feature_names_out())
    ours = pre.transform(pd.DataFrame({"t": paris}))
    theirs = naive.transform(pd.DataFrame({"t": local}))
    hour = names.index("t_hour_sin")
    np.testing.assert_allclose(ours[:, hour], theirs[:, hour])  # 9:00 is 9:00
    # In June, Paris is two hours ahead of UTC: the instants are 7200 s earlier.
    np.testing.assert_allclose(pre.medians_[0], naive.medians_[0] - 7200)


def test_pandas_polars_numpy_and_python_dates_agree():
    X = _frame()
    reference = TabularPreprocessor().fit(X)
    expected = reference.transform(X)
    as_polars = polars.from_pandas(X)
    assert [type(t).__name__ for t in as_polars.dtypes][1:] == ["Datetime"] * 2
    as_polars = as_polars.with_columns(polars.col("day").cast(polars.Date))
    python = X.assign(day=[d.date() if pd.notna(d) else None for d in X["day"]])
    assert python["day"].dtype == object
    for other in (as_polars, python):
        pre = TabularPreprocessor().fit(other)
        names = reference.get_feature_names_out()
        np.testing.assert_array_equal(pre.get_feature_names_out(), names)
        np.testing.assert_allclose(pre.transform(other), expected, atol=1e-12)
    array = X[["when"]].to_numpy()
    assert array.dtype.kind == "M"
    pre = TabularPreprocessor().fit(array)
    frame = X[["when"]]
    expected = TabularPreprocessor().fit(frame).transform(frame)
    np.testing.assert_allclose(pre.transform(array), expected, atol=1e-12)


def test_polars_time_zones_agree_with_pandas():
    local = pd.Series(pd.date_range("2024-03-25 09:00", periods=60, freq="5h"))
    frame = pd.DataFrame({"t": local.dt.tz_localize("America/New_York")})
    expected = TabularPreprocessor().fit(frame).transform(frame)
    as_polars = polars.from_pandas(frame)
    got = TabularPreprocessor().fit(as_polars).transform(as_polars)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_new_dates_and_missing_dates_at_transform_time():
    X = _frame()
    pre = TabularPreprocessor().fit(X)
    later = X.assign(when=X["when"] + pd.Timedelta(days=3650), day=pd.NaT)
    out = pd.DataFrame(pre.transform(later), columns=pre.get_feature_names_out())
    assert np.isfinite(out.to_numpy()).all()
    present = later["when"].notna()
    assert (out["when_timestamp"][present] > 2.5).all()  # far past training
    assert (out["day_missing"] == 1).all() and (out["day_timestamp"] == 0).all()


def test_a_date_column_declared_categorical_is_categorical():
    X = _frame()[["x", "day"]]
    pre = TabularPreprocessor(categorical_features=["day"]).fit(X)
    assert pre.date_features_.size == 0
    assert pre.categorical_features_.tolist() == [1]


def test_weights_are_repetitions_for_dates_too():
    X = _frame()
    weights = np.random.RandomState(2).randint(0, 3, len(X))
    weighted = TabularPreprocessor().fit(X, sample_weight=weights)
    repeated = TabularPreprocessor().fit(X.loc[X.index.repeat(weights)])
    np.testing.assert_array_equal(weighted.medians_, repeated.medians_)
    np.testing.assert_array_equal(weighted.scales_, repeated.scales_)
    assert weighted.date_parts_ == repeated.date_parts_


@pytest.mark.parametrize(
    "X, message",
    [
        (pd.DataFrame({"a": [[1, 2], [3]] * 3}), "Column 'a' holds lists"),
        (pd.DataFrame({"a": [{"k": 1}] * 4}), "Column 'a' holds dicts"),
        (
            pd.DataFrame({"a": pd.to_timedelta([1, 2, 3], unit="D")}),
            "Column 'a' holds durations",
        ),
        (
            pd.DataFrame([[1.0, 2.0, 3.0]], columns=["a", "b", "a"]),
            "more than one column named 'a'",
        ),
    ],
)
def test_odd_columns_are_one_clear_line(X, message):
    with pytest.raises(ValueError, match=message) as info:
        TabularPreprocessor().fit(X)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "column, message",
    [
        ([[1, 2], [3, 4]], "holds List values"),
        ([dt.timedelta(1), dt.timedelta(2)], "holds durations"),
        ([{"k": 1}, {"k": 2}], "holds Struct values"),
    ],
)
def test_odd_polars_columns_are_one_clear_line(column, message):
    with pytest.raises(ValueError, match=message) as info:
        TabularPreprocessor().fit(polars.DataFrame({"a": column}))
    assert "\n" not in str(info.value)


def test_offsets_that_differ_by_row_read_each_row_on_its_own_clock():
    text = [
        "2024-07-15T09:00+02:00",
        "2024-01-15T09:00+01:00",
        "2024-03-01T10:00+01:00",
    ]
    mixed = pd.DataFrame(
        {"t": pd.Series([pd.Timestamp(t) for t in text], dtype=object)}
    )
    naive = pd.DataFrame({"t": pd.to_datetime([t[:16] for t in text])})
    pre = TabularPreprocessor(clip=None).fit(mixed)
    reference = TabularPreprocessor(clip=None).fit(naive)
    assert pre.date_parts_ == reference.date_parts_
    hours = [
        list(pre.get_feature_names_out()).index(f"t_hour_{f}") for f in ("sin", "cos")
    ]
    np.testing.assert_allclose(
        pre.transform(mixed)[:, hours], reference.transform(naive)[:, hours]
    )
    # A row's output does not depend on the other rows it comes with.
    np.testing.assert_allclose(pre.transform(mixed)[:1], pre.transform(mixed[:1]))


@pytest.mark.parametrize(
    "column, message",
    [
        (["2024-01-02", "hello"], "Column 't' holds 'hello', which is not a date"),
        (["03/04/2024", "2024-01-02"], "holds '03/04/2024', which is not a date"),
        ([20240103.0, 1.0], "holds numbers where dates were fitted"),
    ],
)
def test_a_date_column_given_otherwise_at_transform_is_one_line(column, message):
    pre = TabularPreprocessor().fit(
        pd.DataFrame({"t": pd.date_range("2024-01-01", periods=9)})
    )
    text = pre.transform(pd.DataFrame({"t": ["2024-02-03 10:00", None]}))  # ISO text
    assert np.isfinite(text).all()
    with pytest.raises(ValueError, match=message) as info:
        pre.transform(pd.DataFrame({"t": column}))
    assert "\n" not in str(info.value)


def test_dates_where_numbers_were_fitted_are_refused():
    pre = TabularPreprocessor().fit(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
    with pytest.raises(
        ValueError, match="Column 'x' holds values that are not numbers"
    ):
        pre.transform(pd.DataFrame({"x": pd.date_range("2024-01-01", periods=3)}))
