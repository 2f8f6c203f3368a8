"""TabularNet's tasks beyond one label or one mean: class weights, several
targets, several labels, quantiles, date columns -- each against what
scikit-learn's own estimators do on the same rows."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import balanced_accuracy_score, r2_score, recall_score
from sklearn.multioutput import MultiOutputClassifier, MultiOutputRegressor

from skdeep import TabularNetClassifier, TabularNetRegressor

polars = pytest.importorskip("polars")

QUICK = {"hidden_layer_sizes": (64, 64), "max_iter": 16, "random_state": 0}


def _imbalanced(n=2400, seed=0):
    """About 6% positives, from two numbers and a category."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "kind": rng.choice(["u", "v", "w"], n),
        }
    )
    logit = 1.6 * X["a"] + X["b"] + (X["kind"] == "u") - 4.2
    y = np.where(rng.rand(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return X, y


def _hgb_frame(X):
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    return X.astype({c: "category" for c in text})


def test_class_weight_trades_accuracy_for_recall_as_in_sklearn():
    X, y = _imbalanced()
    train, test = slice(0, 1600), slice(1600, None)
    assert 0.03 < (y == "yes").mean() < 0.1
    recall, balanced = {}, {}
    for weight in (None, "balanced"):
        model = TabularNetClassifier(**QUICK, class_weight=weight)
        predicted = model.fit(X[train], y[train]).predict(X[test])
        recall[weight] = recall_score(y[test], predicted, pos_label="yes")
        balanced[weight] = balanced_accuracy_score(y[test], predicted)
    hgb = HistGradientBoostingClassifier(class_weight="balanced", random_state=0)
    theirs = hgb.fit(_hgb_frame(X[train]), y[train]).predict(_hgb_frame(X[test]))
    assert recall["balanced"] > recall[None] + 0.2
    assert balanced["balanced"] > balanced[None]
    assert balanced["balanced"] > balanced_accuracy_score(y[test], theirs) - 0.05


def test_class_weights_multiply_sample_weights_in_the_losses():
    X, y = _imbalanced(300)
    model = TabularNetClassifier(**QUICK, class_weight="balanced").fit(X, y)
    sw = np.random.RandomState(1).uniform(0.5, 2, len(y))
    weights = model._loss_weights(y, sw)
    positive = y == "yes"
    # 'balanced' counts weighted rows: each class then weighs half of the total.
    np.testing.assert_allclose(weights[positive].sum(), weights[~positive].sum())
    np.testing.assert_allclose(weights.sum(), sw.sum())
    ratio = weights / sw
    assert np.ptp(ratio[positive]) < 1e-12 and np.ptp(ratio[~positive]) < 1e-12
    model.set_params(class_weight={"yes": 5.0})
    np.testing.assert_allclose(
        model._loss_weights(y, sw), np.where(positive, 5, 1) * sw
    )
    with pytest.raises(ValueError, match=r"classes \['maybe'\] in class_weight"):
        model.set_params(class_weight={"maybe": 2.0}).fit(X, y)


def _two_targets(n=1500, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "a": rng.uniform(-2, 2, n),
            "b": rng.uniform(-2, 2, n),
            "c": rng.choice(["x", "y", "z"], n),
        }
    )
    first = np.sin(2 * X["a"]) + (X["c"] == "x") + 0.3 * rng.normal(size=n)
    second = 1000 + 100 * X["a"] * X["b"] + 20 * rng.normal(size=n)
    return X, np.column_stack([first, second])


def test_several_targets_each_standardised_like_multioutput_sklearn():
    X, Y = _two_targets()
    train, test = slice(0, 1000), slice(1000, None)
    model = TabularNetRegressor(**QUICK).fit(X[train], Y[train])
    assert model.n_outputs_ == 2 and model.predict(X[test]).shape == (500, 2)
    np.testing.assert_allclose(model.target_mean_, Y[train].mean(axis=0))
    np.testing.assert_allclose(model.target_scale_, Y[train].std(axis=0))
    low, high = model.target_range_
    predicted = model.predict(X[test])
    assert (predicted >= low).all() and (predicted <= high).all()
    # R^2 averaged over the targets, as scikit-learn's score is.
    assert model.score(X[test], Y[test]) == pytest.approx(r2_score(Y[test], predicted))
    per_target = r2_score(Y[test], predicted, multioutput="raw_values")
    hgb = MultiOutputRegressor(HistGradientBoostingRegressor(random_state=0))
    hgb.fit(_hgb_frame(X[train]), Y[train])
    theirs = r2_score(
        Y[test], hgb.predict(_hgb_frame(X[test])), multioutput="raw_values"
    )
    assert (per_target > theirs - 0.05).all(), (per_target, theirs)
    # Polars in, polars targets in: the same model.
    as_polars = TabularNetRegressor(**QUICK).fit(
        polars.from_pandas(X[train]), polars.DataFrame(Y[train])
    )
    np.testing.assert_allclose(
        as_polars.predict(polars.from_pandas(X[test])), predicted, rtol=1e-5
    )


def test_one_target_in_a_column_is_one_target():
    X, Y = _two_targets(200)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        model = TabularNetRegressor(**QUICK).fit(X, Y[:, :1])
    assert model.n_outputs_ == 1 and model.predict(X).shape == (200,)
    assert isinstance(model.target_mean_, float)


def _multilabel(n=1200, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    X["kind"] = np.where(rng.rand(n) < 0.5, "p", "q")
    Y = np.column_stack(
        [
            X["a"] + 0.3 * rng.normal(size=n) > 0,
            (X["a"] * X["b"] > 0) ^ (rng.rand(n) < 0.1),
            (X["kind"] == "p") & (X["b"] > 0.5),
        ]
    ).astype(int)
    return X, Y


def test_several_labels_like_multioutput_sklearn():
    X, Y = _multilabel()
    train, test = slice(0, 800), slice(800, None)
    model = TabularNetClassifier(**QUICK).fit(X[train], Y[train])
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    proba = model.predict_proba(X[test])
    assert proba.shape == (400, 3) and not np.allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(X[test]), (proba > 0.5).astype(int))
    hgb = MultiOutputClassifier(HistGradientBoostingClassifier(random_state=0))
    hgb.fit(_hgb_frame(X[train]), Y[train])
    # Subset accuracy (every label right), as scikit-learn scores multilabel.
    theirs = hgb.score(_hgb_frame(X[test]), Y[test])
    assert model.score(X[test], Y[test]) > theirs - 0.05
    with pytest.raises(ValueError, match="class_weight is not supported"):
        model.set_params(class_weight="balanced").fit(X, Y)


def test_a_label_never_seen_positive_gets_a_low_probability():
    X, Y = _multilabel(300)
    Y[:, 2] = 0
    model = TabularNetClassifier(**QUICK).fit(X, Y)
    assert (model.predict_proba(X)[:, 2] < 0.2).all()
    assert (model.predict(X)[:, 2] == 0).all()


def test_several_multiclass_targets_are_refused_in_one_line():
    X, Y = _two_targets(100)
    y = np.column_stack([Y[:, 0] > 0, np.arange(100) % 3])  # multiclass-multioutput
    with pytest.raises(ValueError, match="takes binary, multiclass or multilabel"):
        TabularNetClassifier(**QUICK).fit(X, y)


def _heteroscedastic(n=3000, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"a": rng.uniform(-2, 2, n), "b": rng.uniform(-2, 2, n)}).assign(
        c=rng.choice(["x", "y", "z"], n)
    )
    noise = (0.3 + 0.6 * np.abs(X["b"])) * rng.normal(size=n)
    return X, (np.sin(2 * X["a"]) + (X["c"] == "x") + noise).to_numpy()


@pytest.mark.parametrize("q", [0.1, 0.9])
def test_quantile_covers_like_hist_gradient_boosting(q):
    X, y = _heteroscedastic()
    train, test = slice(0, 2000), slice(2000, None)
    model = TabularNetRegressor(**QUICK, loss="quantile", quantile=q)
    ours = (y[test] <= model.fit(X[train], y[train]).predict(X[test])).mean()
    hgb = HistGradientBoostingRegressor(loss="quantile", quantile=q, random_state=0)
    hgb.fit(_hgb_frame(X[train]), y[train])
    theirs = (y[test] <= hgb.predict(_hgb_frame(X[test]))).mean()
    assert abs(ours - q) <= 0.05, ours
    assert abs(ours - q) <= abs(theirs - q) + 0.02, (ours, theirs)
    # The interval widens where the noise does.
    spread = np.abs(model.predict(X[test]) - np.sin(2 * X["a"][test]))
    wide = np.abs(X["b"][test]) > 1.5
    assert spread[wide].mean() > spread[~wide].mean()


def test_quantile_linear_partner_sits_at_the_quantile():
    X, y = _heteroscedastic(800)
    model = TabularNetRegressor(
        **QUICK, loss="quantile", quantile=0.8, linear_blend=True
    ).fit(X, y)
    from skdeep.estimators._tabular._linear import linear_inputs

    pre = model.preprocessor_
    Z = linear_inputs(pre.transform(X), pre.embedded_categories_)
    standardised = (y - model.target_mean_) / model.target_scale_
    assert (standardised <= model.linear_.predict(Z)).mean() == pytest.approx(
        0.8, abs=0.01
    )
    with pytest.raises(ValueError, match="loss='quantile' needs the quantile"):
        TabularNetRegressor(loss="quantile").fit(X, y)


def test_date_columns_from_pandas_and_polars():
    rng = np.random.RandomState(0)
    n = 1200
    when = pd.Timestamp("2022-01-01") + pd.to_timedelta(
        rng.randint(0, 730 * 24, n), "h"
    )
    X = pd.DataFrame({"when": when, "x": rng.normal(size=n)})
    y = np.where(
        X["when"].dt.month.isin([6, 7, 8]) ^ (rng.rand(n) < 0.05), "hot", "cold"
    )
    train, test = slice(0, 800), slice(800, None)
    model = TabularNetClassifier(**QUICK).fit(X[train], y[train])
    assert model.score(X[test], y[test]) > 0.85  # the month is learnt
    names = model.preprocessor_.get_feature_names_out()
    assert "when_month_sin" in names and "when_hour_cos" in names
    frame = polars.from_pandas(X)
    as_polars = TabularNetClassifier(**QUICK).fit(frame[train], y[train])
    np.testing.assert_allclose(
        as_polars.predict_proba(frame[test]), model.predict_proba(X[test]), rtol=1e-5
    )


def test_multilabel_targets_other_than_zero_one_are_refused():
    X, Y = _multilabel(100)
    with pytest.raises(ValueError, match=r"as 0/1 .* got the values \[-1, 1\]"):
        TabularNetClassifier(**QUICK).fit(X, 2 * Y - 1)
    model = TabularNetClassifier(**QUICK).fit(X, Y.astype(bool))
    assert model.predict(X).dtype.kind == "i"
