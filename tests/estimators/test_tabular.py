"""TabularNetClassifier / TabularNetRegressor: raw frames, blend, ensembles."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV

from skdeep import TabularNetClassifier, TabularNetRegressor
from skdeep.estimators import fitted_network
from skdeep.estimators._tabular._select import greedy_selection
from skdeep.estimators._tabular._split import assign_folds
from skdeep.exceptions import TrainingDivergedError
from skdeep.training import _pack, ntk_step_factors, predict_raw

FAST = {"hidden_layer_sizes": (32, 32), "max_iter": 40, "random_state": 0}


def _table(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "age": np.where(rng.rand(n) < 0.1, np.nan, rng.uniform(20, 70, n)),
            "score": rng.normal(size=n),
            "plan": pd.Categorical(rng.choice(["basic", "pro", None], n)),
            "city": rng.choice([f"c{i}" for i in range(15)], n).astype(object),
        }
    )
    signal = (X["age"].fillna(45) > 45) ^ (X["plan"] == "pro")
    return X, signal.to_numpy().astype(int), X["score"] + 2 * signal


@pytest.mark.parametrize("Estimator", [TabularNetClassifier, TabularNetRegressor])
def test_raw_frame_in_predictions_out(Estimator):
    X, labels, values = _table()
    y = labels if Estimator is TabularNetClassifier else values
    model = Estimator(**FAST).fit(X, y)
    assert model.feature_names_in_.tolist() == list(X.columns)
    assert model.preprocessor_.embedded_categories_  # city is embedded
    assert model.category_embeddings_.shape == (5, 16, 8)  # 5 folds, 5 tables
    assert model.score(X, y) > 0.8
    # Unseen categories and missing values at predict time are no error.
    odd = X.iloc[:4].copy()
    odd["city"] = ["nowhere", None, "c1", "c2"]
    odd["plan"] = pd.Categorical(["gold", None, "pro", "basic"])
    odd["score"] = [np.nan, 1e9, 0.0, 1.0]
    assert np.isfinite(model.predict(odd).astype(float)).all()
    # Columns are checked by name, as everywhere in scikit-learn.
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X[X.columns[::-1]])
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict(X), model.predict(X))


def test_polars_arrays_and_sparse_input():
    pl = pytest.importorskip("polars")
    X, y, _ = _table()
    plan = X["plan"].astype(object)
    X = X.assign(plan=plan.where(plan.notna(), None))
    frame = TabularNetClassifier(**FAST).fit(X, y)
    polars = pl.from_dict({c: X[c].tolist() for c in X.columns})
    from_polars = TabularNetClassifier(**FAST).fit(polars, y)
    np.testing.assert_allclose(
        from_polars.predict_proba(polars), frame.predict_proba(X), atol=1e-6
    )
    numeric = X[["age", "score"]].fillna(0).to_numpy()
    dense = TabularNetClassifier(**FAST).fit(numeric, y)
    sparse = TabularNetClassifier(**FAST).fit(sp.csr_matrix(numeric), y)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(numeric)), dense.predict_proba(numeric)
    )


def test_blend_never_far_below_the_linear_model_on_linear_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(160, 8))
    y = X @ rng.normal(size=8) + rng.normal(scale=2.0, size=160)
    X_test = rng.normal(size=(2000, 8))
    y_test = X_test @ np.zeros(8)  # replaced below
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    y_test = X_test @ coef
    blended = TabularNetRegressor(**FAST).fit(X, y)
    alone = TabularNetRegressor(**FAST, linear_blend=False).fit(X, y)
    ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, y)
    assert 0 <= blended.blend_weight_ < 1
    assert alone.blend_weight_ == 1 and alone.linear_ is None
    r2 = {
        name: model.score(X_test, y_test)
        for name, model in [("blend", blended), ("net", alone), ("ridge", ridge)]
    }
    assert r2["blend"] > r2["net"]
    assert r2["blend"] > r2["ridge"] - 0.05


def test_ensembles_average_their_members():
    X, y, _ = _table()
    model = TabularNetClassifier(
        **FAST, n_ensembles=3, n_folds=1, linear_blend=False
    ).fit(X, y)
    network, params, stats = fitted_network(model)
    assert network.n_members == 3 and model.coefs_[0].shape[0] == 3
    Z = model.preprocessor_.transform(X)
    raw = predict_raw(network, params, Z, stats)[..., 0].astype(float)  # (3, n)
    proba = 1 / (1 + np.exp(-raw))
    np.testing.assert_allclose(
        model.predict_proba(X)[:, 1], model.ensemble_weights_ @ proba
    )
    assert model.ensemble_weights_.sum() == pytest.approx(1.0)
    # Three members, three seeds: three different networks.
    first = model.coefs_[0]
    assert not np.allclose(first[0], first[1]) and not np.allclose(first[1], first[2])


def test_regression_targets_are_standardised_and_clipped():
    X, _, y = _table()
    y = 1000 + 50 * y
    model = TabularNetRegressor(**FAST).fit(X, y)
    assert abs(model.target_mean_ - 1000) < 50
    assert model.target_scale_ > 10
    far = X.iloc[:5].assign(score=1e6)
    prediction = model.predict(far)
    lo, hi = model.target_range_
    assert ((prediction >= lo) & (prediction <= hi)).all()


def test_ntk_factors():
    X, y, _ = _table(60)
    model = TabularNetClassifier(**FAST, n_ensembles=2).fit(X, y)
    network = fitted_network(model)[0]
    rates, decay = ntk_step_factors({"biases": 0.1, "scales": 6.0})(network)
    for coef, rate, shrink in zip(
        network.unpack(np.zeros(network.n_params)).coefs,
        network.unpack(rates).coefs,
        network.unpack(decay).coefs,
        strict=True,
    ):
        np.testing.assert_allclose(rate, 1 / np.sqrt(coef.shape[-2]))
        np.testing.assert_allclose(rate * shrink, 1.0)
    for intercept in network.unpack(rates).intercepts:
        np.testing.assert_allclose(intercept, 0.1)
    np.testing.assert_allclose(network.unpack(rates).groups["front_scales"][0], 6.0)


@pytest.mark.parametrize("n_folds", [1, 5])
def test_duplicated_rows_never_straddle_the_folds(n_folds):
    rng = np.random.RandomState(0)
    X = np.repeat(rng.normal(size=(40, 3)), 3, axis=0)
    y = np.repeat(rng.randint(0, 2, 40), 3)
    folds = assign_folds(X, y, None, n_folds, 0.2, True, np.random.RandomState(0))
    key = {}
    for row, fold in zip(map(tuple, X), folds, strict=True):
        assert key.setdefault(row, fold) == fold  # equal rows, one fold
    if n_folds == 1:
        assert set(folds) == {-1, 0} and 0.15 < (folds == 0).mean() < 0.3
    else:
        assert set(folds) == set(range(5))
        sizes = np.bincount(folds)
        assert sizes.max() - sizes.min() <= 6  # about equal, in groups of 3
    for fold in set(folds) - {-1}:
        assert set(y[folds == fold]) == {0, 1}  # stratified


def test_zero_weight_rows_are_never_held_out():
    X = np.arange(20.0).reshape(-1, 1)
    y = np.arange(20) % 2
    weight = np.where(np.arange(20) < 4, 0.0, 1.0)
    folds = assign_folds(X, y, weight, 4, 0.2, True, np.random.RandomState(0))
    assert (folds[:4] == -1).all() and (folds[4:] >= 0).all()


def test_ensemble_selection_mixes_what_least_loss_would_not():
    # Two candidates whose errors cancel: least held-out loss picks one,
    # greedy selection (Caruana et al., 2004) their mean, which is better.
    target = np.zeros(6)
    predictions = np.array([[1.0, -1, 1, -1, 1, -1], [-1.2, 1, -1, 1, -1, 1]])
    losses = [((p - target) ** 2).mean() for p in predictions]
    weights = greedy_selection(predictions, lambda p: (p - target) ** 2)
    assert np.argmin(losses) == 0 and weights[0] > 0 and weights[1] > 0
    mixed = weights @ predictions
    assert ((mixed - target) ** 2).mean() < min(losses)
    # A candidate best alone and never helped by another is taken alone.
    lonely = np.array([[0.1] * 6, [5.0] * 6])
    np.testing.assert_array_equal(
        greedy_selection(lonely, lambda p: (p - target) ** 2), [1.0, 0.0]
    )


def test_grid_search_and_clone():
    X, y, _ = _table(200)
    search = GridSearchCV(
        TabularNetClassifier(**FAST), {"dropout": [0.0, 0.15]}, cv=2
    ).fit(X, y)
    assert search.best_estimator_.dropout in (0.0, 0.15)
    assert clone(search.best_estimator_).get_params()["max_iter"] == 40


@pytest.mark.parametrize(
    "params, match",
    [
        ({"learning_rate_factors": {"nope": 1.0}}, "learning_rate_factors"),
        ({"embedding_options": {"columns": [0]}}, "embedding_options"),
        ({"dtype": "float16"}, "dtype"),
        ({"n_ensembles": 0}, "n_ensembles"),
    ],
)
def test_bad_parameters_are_one_line(params, match):
    X, y, _ = _table(50)
    model = TabularNetClassifier(**FAST).set_params(**params)
    with pytest.raises(ValueError, match=match):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")
    model.set_params(**TabularNetClassifier().get_params()).set_params(**FAST)
    assert model.fit(X, y).score(X, y) > 0.5  # still usable


def test_divergence_leaves_the_estimator_unfitted():
    X, _, y = _table(100)
    model = TabularNetRegressor(**FAST, learning_rate_init=1e12)
    with pytest.raises(TrainingDivergedError, match="diverged"):
        model.fit(X, y * 1e6)
    assert not hasattr(model, "coefs_")


def test_interrupt_keeps_the_epochs_trained_so_far(monkeypatch):
    X, y, _ = _table(120)
    calls = []
    original = _pack._PackRun.epoch

    def epoch(self):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C in the third epoch
        return original(self)

    monkeypatch.setattr(_pack._PackRun, "epoch", epoch)
    model = TabularNetClassifier(**FAST, n_ensembles=4)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert model.n_iter_ == 2 and (model.best_epochs_ >= 1).all()
    assert model.predict(X).shape == (120,)
    calls.clear()
    monkeypatch.setattr(_pack._PackRun, "epoch", lambda self: epoch(self) * 0)
    calls.extend([1, 1])  # Ctrl-C in the first epoch: nothing to keep
    fresh = TabularNetClassifier(**FAST)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    assert not hasattr(fresh, "coefs_")


def test_a_failed_fit_leaves_the_previous_model():
    X, labels, values = _table(120)
    model = TabularNetClassifier(**FAST).fit(X, labels)
    before = model.predict_proba(X)
    with pytest.raises(ValueError, match="greater than one"):
        model.fit(X, np.zeros(120))
    np.testing.assert_array_equal(model.classes_, [0, 1])
    np.testing.assert_array_equal(model.predict_proba(X), before)
    regressor = TabularNetRegressor(**FAST).fit(X, values)
    mean = regressor.target_mean_
    regressor.set_params(learning_rate_init=1e12)
    with pytest.raises(ValueError, match="diverged"):
        regressor.fit(X, values * 1e6)
    assert regressor.target_mean_ == mean


@pytest.mark.parametrize("Estimator", [TabularNetClassifier, TabularNetRegressor])
def test_float32_weights_are_repeated_rows_to_float32_precision(Estimator):
    # What check_sample_weight_equivalence asks, at float32's tolerance
    # rather than its rtol=1e-7 (tests/estimators/test_common.py).
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=60),
            "b": rng.uniform(size=60),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], size=60)),
        }
    )
    X.loc[::7, "a"] = np.nan
    y = rng.randint(0, 2, size=60) if Estimator is TabularNetClassifier else X["b"]
    y = np.asarray(y)
    weights = rng.randint(0, 3, size=60)
    repeated = np.repeat(np.arange(60), weights)
    options = dict(hidden_layer_sizes=(16, 16), max_iter=10, random_state=0)
    weighted = Estimator(**options).fit(X, y, sample_weight=weights)
    plain = Estimator(**options).fit(X.iloc[repeated], y[repeated])
    assert weighted.coefs_[0].dtype == np.float32
    method = "predict_proba" if Estimator is TabularNetClassifier else "predict"
    np.testing.assert_allclose(
        getattr(weighted, method)(X),
        getattr(plain, method)(X),
        rtol=1e-5,
        atol=1e-6,
    )
    assert weighted.blend_weight_ == pytest.approx(plain.blend_weight_, abs=1e-6)


def test_max_time_ends_at_an_epoch_with_the_best_so_far():
    X, y, _ = _table(200)
    model = TabularNetClassifier(**{**FAST, "max_iter": 200}, max_time=1e-3)
    with pytest.warns(ConvergenceWarning, match="max_time=0.001s ended training"):
        model.fit(X, y)
    assert model.n_iter_ == 1 and (model.stopped_ == "max_time").all()
    assert model.score(X, y) > 0.5


def test_members_stop_on_their_own_fold(capsys):
    X, y, _ = _table(300)
    model = TabularNetClassifier(
        **{**FAST, "max_iter": 300}, patience=3, n_folds=3, verbose=2
    ).fit(X, y)
    assert model.coefs_[0].shape[0] == 3  # one member per fold
    assert (model.stopped_ == "patience").all() and model.n_iter_ < 300
    assert (model.best_epochs_ >= 1).all()
    out = capsys.readouterr().out
    assert "Epoch 1: 3 of 3 members training" in out
    assert "stopped: 3 by patience" in out


def test_every_configuration_and_the_linear_model_are_candidates():
    X, y, _ = _table(300)
    model = TabularNetClassifier(
        **FAST, n_ensembles=3, n_folds=2, sample_hyperparameters=True
    ).fit(X, y)
    weights = model.ensemble_weights_
    assert weights.shape == (6,) and weights.sum() == pytest.approx(1.0)
    # The two folds of a configuration weigh the same: they are its average.
    np.testing.assert_allclose(weights[0::2], weights[1::2])
    assert 0 <= model.blend_weight_ <= 1


def test_callbacks_see_every_epoch():
    callback = pytest.importorskip("sklearn.callback")

    X, y, _ = _table(200)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    model = TabularNetClassifier(**{**FAST, "max_iter": 4}, n_folds=2)
    model.set_callbacks(monitor).fit(X, y)
    rows = monitor.get_logs(select="most_recent").data_as_pandas
    epochs = rows[rows.task_name == "epoch"]
    assert len(epochs) == model.n_iter_ == 4
    # Each epoch's snapshot is a usable model (every member's best so far).
    assert (epochs.accuracy > 0.5).all()
    root = rows[rows.task_name == "fit"]
    assert len(root) == 1 and root.accuracy.iloc[0] == pytest.approx(model.score(X, y))
