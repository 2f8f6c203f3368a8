"""The modern training ingredients, through the estimators' parameters."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, make_classification, make_regression
from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit
from skdeep.nn import Network
from skdeep.optim import SHAPES
from skdeep.utils import check_gradients


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(
        300, 8, n_informative=4, weights=[0.8], random_state=0, flip_y=0.1
    )
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(200, 6, noise=5.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y / 50, test_size=0.3, random_state=0)


# -- scoring ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "scoring, reference",
    [
        (None, lambda net, X, y: net.score(X, y)),
        ("loss", lambda net, X, y: -log_loss(y, net.predict_proba(X))),
        ("neg_log_loss", lambda net, X, y: -log_loss(y, net.predict_proba(X))),
        ("roc_auc", lambda net, X, y: roc_auc_score(y, net.predict_proba(X)[:, 1])),
        (
            lambda est, X, y: float(np.mean(est.predict(X) == y)) - 1,
            lambda net, X, y: net.score(X, y) - 1,
        ),
    ],
    ids=["none", "loss", "neg_log_loss", "roc_auc", "callable"],
)
def test_validation_scores_follow_scoring(binary, scoring, reference):
    X, X_val, y, y_val = binary
    net = DeepNetClassifier((16,), scoring=scoring, max_iter=15, random_state=0, tol=0)
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y, X_val=X_val, y_val=y_val)
    # Without early stopping the last epoch's weights are the model's.
    assert net.validation_scores_[-1] == pytest.approx(reference(net, X_val, y_val))


def test_weighted_validation_loss(binary):
    X, X_val, y, y_val = binary
    sw_val = np.random.RandomState(0).uniform(0.5, 2, len(y_val))
    net = DeepNetClassifier((8,), scoring="loss", max_iter=3, random_state=0)
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=sw_val)
    expected = -log_loss(y_val, net.predict_proba(X_val), sample_weight=sw_val)
    assert net.validation_scores_[-1] == pytest.approx(expected)


@pytest.mark.parametrize("scoring", ["loss", "roc_auc"])
def test_early_stopping_keeps_the_best_score(binary, scoring):
    X, X_val, y, y_val = binary
    net = DeepNetClassifier(
        (32,),
        early_stopping=True,
        scoring=scoring,
        learning_rate_init=0.01,
        n_iter_no_change=5,
        random_state=0,
    ).fit(X, y, X_val=X_val, y_val=y_val)
    assert net.best_validation_score_ == max(net.validation_scores_)
    score = {
        "loss": -log_loss(y_val, net.predict_proba(X_val)),
        "roc_auc": roc_auc_score(y_val, net.predict_proba(X_val)[:, 1]),
    }[scoring]
    assert score == pytest.approx(net.best_validation_score_)


def test_validation_loss_ignores_label_smoothing(binary):
    X, X_val, y, y_val = binary
    net = DeepNetClassifier(
        (8,), scoring="loss", label_smoothing=0.2, max_iter=3, random_state=0
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y, X_val=X_val, y_val=y_val)
    expected = -log_loss(y_val, net.predict_proba(X_val))
    assert net.validation_scores_[-1] == pytest.approx(expected)


@pytest.mark.parametrize(
    "scoring, reference",
    [
        ("loss", lambda net, X, y: -0.5 * mean_squared_error(y, net.predict(X))),
        (
            "neg_mean_squared_error",
            lambda n, X, y: -mean_squared_error(y, n.predict(X)),
        ),
        ("r2", lambda net, X, y: net.score(X, y)),
    ],
)
def test_regressor_scoring(regression, scoring, reference):
    X, X_val, y, y_val = regression
    net = DeepNetRegressor(
        hidden_layer_sizes=(16,), scoring=scoring, max_iter=5, random_state=0
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y, X_val=X_val, y_val=y_val)
    assert net.validation_scores_[-1] == pytest.approx(reference(net, X_val, y_val))


def test_unknown_scorer_is_an_error_before_training(binary):
    X, _, y, _ = binary
    net = DeepNetClassifier(scoring="not_a_scorer", early_stopping=True)
    with pytest.raises(ValueError, match="not_a_scorer"):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")


# -- label smoothing -------------------------------------------------------------
@pytest.mark.parametrize("estimator", [DeepNetClassifier((8,)), LogisticUnit()])
def test_label_smoothing_makes_predictions_less_confident(binary, estimator):
    X, X_val, y, _ = binary
    settings = {"solver": "lbfgs", "max_iter": 5000, "random_state": 0, "alpha": 1e-4}
    sharp = clone(estimator).set_params(**settings).fit(X, y)
    smooth = clone(estimator).set_params(label_smoothing=0.2, **settings).fit(X, y)
    # Smoothed targets pull the probabilities away from 0 and 1.
    confidence = {
        name: model.predict_proba(X).max(axis=1).mean()
        for name, model in [("sharp", sharp), ("smooth", smooth)]
    }
    assert confidence["smooth"] < confidence["sharp"] - 0.02


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("y_kind", ["binary", "multiclass", "multilabel"])
def test_label_smoothing_gradients(y_kind, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 3))
    y = {
        "binary": rng.randint(0, 2, 20),
        "multiclass": rng.randint(0, 3, 20),
        "multilabel": rng.randint(0, 2, (20, 3)),
    }[y_kind]
    net = DeepNetClassifier((5,), label_smoothing=0.15, random_state=0)
    bound = 1e-6 if dtype == np.float64 else 1e-4
    assert check_gradients(net, X, y, dtype=dtype) < bound


# -- decoupled weight decay and per-group learning rates --------------------------
def _one_sgd_step(X, y, **params):
    net = DeepNetClassifier(
        (6,),
        solver="sgd",
        momentum=0.0,
        batch_size=len(X),
        shuffle=False,
        max_iter=1,
        learning_rate_init=0.1,
        random_state=0,
        **params,
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        return net.fit(X, y)


def test_weight_decay_is_one_hand_computed_step(binary):
    X, _, y, _ = binary
    plain = _one_sgd_step(X, y)
    decayed = _one_sgd_step(X, y, weight_decay=0.5)
    start = Network([X.shape[1], 6, 1]).init_params(np.random.RandomState(0), float)
    # w <- w - lr g - lr wd w: the decay is apart from the gradient; biases
    # are not decayed.
    for w, w_plain, w0 in zip(decayed.coefs_, plain.coefs_, start.coefs, strict=True):
        np.testing.assert_allclose(w, w_plain - 0.1 * 0.5 * w0, rtol=1e-12)
    for b, b_plain in zip(decayed.intercepts_, plain.intercepts_, strict=True):
        np.testing.assert_array_equal(b, b_plain)


def test_learning_rate_factors_select_groups(binary):
    X, _, y, _ = binary
    start = Network([X.shape[1], 6, 1]).init_params(np.random.RandomState(0), float)
    frozen_biases = _one_sgd_step(X, y, learning_rate_factors={"biases": 0.0})
    for b, b0 in zip(frozen_biases.intercepts_, start.intercepts, strict=True):
        np.testing.assert_array_equal(b, b0)
    assert not np.allclose(frozen_biases.coefs_[0], start.coefs[0])
    plain = _one_sgd_step(X, y)
    doubled = _one_sgd_step(X, y, learning_rate_factors={"weights": 2.0})
    for w, w_plain, w0 in zip(doubled.coefs_, plain.coefs_, start.coefs, strict=True):
        np.testing.assert_allclose(w - w0, 2 * (w_plain - w0), rtol=1e-10)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"weight_decay": 0.1}, "weight_decay need"),
        ({"learning_rate_factors": {"biases": 0.5}}, "learning_rate_factors need"),
    ],
)
def test_stochastic_only_options_with_lbfgs_are_errors(binary, params, match):
    X, _, y, _ = binary
    with pytest.raises(ValueError, match=match):
        DeepNetClassifier(solver="lbfgs", **params).fit(X, y)


@pytest.mark.parametrize(
    "factors, match",
    [({"bias": 1.0}, "unknown parameter groups"), ({"weights": -1}, "non-negative")],
)
def test_bad_learning_rate_factors(binary, factors, match):
    X, _, y, _ = binary
    with pytest.raises(ValueError, match=match):
        DeepNetClassifier(learning_rate_factors=factors).fit(X, y)


# -- schedules -----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["cosine", "coslog4", "flat_cosine"])
def test_step_schedules_end_where_their_shape_does(binary, kind):
    X, _, y, _ = binary
    net = DeepNetClassifier(
        (8,), learning_rate=kind, learning_rate_init=0.01, max_iter=4, batch_size=50
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y)
    n_steps = 4 * int(np.ceil(len(X) / 50))
    last = net._solver_state["learning_rate"]
    assert last == pytest.approx(0.01 * SHAPES[kind]((n_steps - 1) / n_steps))


def test_dropout_and_weight_decay_schedules_train(binary):
    X, X_val, y, y_val = binary
    net = DeepNetClassifier(
        (32,),
        dropout=0.15,
        dropout_schedule="flat_cosine",
        weight_decay=0.02,
        weight_decay_schedule="flat_cosine",
        learning_rate="coslog4",
        learning_rate_warmup=0.1,
        beta_2=0.95,
        learning_rate_init=0.01,
        max_iter=30,
        random_state=0,
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y)
    assert net.score(X_val, y_val) > 0.85


# -- front scale and periodic embeddings ---------------------------------------------
@pytest.mark.parametrize("Estimator", [DeepNetClassifier, DeepNetRegressor])
def test_front_scale_and_embedding_fit_predict_persist(binary, regression, Estimator):
    X, X_val, y, y_val = binary if Estimator is DeepNetClassifier else regression
    options = {"n_frequencies": 4, "n_units": 3, "sigma": 0.5}
    net = Estimator(
        hidden_layer_sizes=(16,),
        front_scale=True,
        embedding="periodic",
        embedding_options=options,
        max_iter=5,
        random_state=0,
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y)
    n = X.shape[1]
    assert net.front_scales_.shape == (n,)
    assert net.embedding_frequencies_.shape == (n, 4)
    assert net.embedding_coefs_.shape == (n, 8, 3)
    assert net.embedding_intercepts_.shape == (n, 3)
    assert net.coefs_[0].shape == (n * 3, 16)
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.predict(X_val), net.predict(X_val))
    # A changed front scale changes the predictions: the layer is used.
    before = net.predict(X_val)
    net.front_scales_ = net.front_scales_ * 3
    assert not np.array_equal(net.predict(X_val), before)
    # warm start continues from the fitted embedding
    net.set_params(warm_start=True, max_iter=1)
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y)
    assert net.embedding_frequencies_.shape == (n, 4)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ["selu", "mish"])
def test_gradients_through_every_new_piece(activation, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(16, 3))
    y = rng.randint(0, 3, 16)
    net = DeepNetClassifier(
        (5,),
        activation=activation,
        front_scale=True,
        embedding="periodic",
        embedding_options={"n_frequencies": 3, "n_units": 2, "sigma": 0.3},
        dropout=0.2,
        label_smoothing=0.1,
        alpha=0.1,
        random_state=0,
    )
    bound = 1e-6 if dtype == np.float64 else 1e-4
    assert check_gradients(net, X, y, random_state=0, dtype=dtype) < bound


def test_sparse_input_through_the_input_layers(binary):
    X, X_val, y, _ = binary
    X, X_val = np.maximum(X, 0), np.maximum(X_val, 0)
    params = {
        "hidden_layer_sizes": (8,),
        "front_scale": True,
        "embedding": "periodic",
        "embedding_options": {"n_frequencies": 3, "n_units": 2},
        "max_iter": 3,
        "random_state": 0,
    }
    with pytest.warns(Warning, match="Maximum iterations"):
        dense = DeepNetClassifier(**params).fit(X, y)
    with pytest.warns(Warning, match="Maximum iterations"):
        sparse = DeepNetClassifier(**params).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], atol=1e-12)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X_val)), dense.predict_proba(X_val)
    )


def test_unknown_embedding_option_is_an_error(binary):
    X, _, y, _ = binary
    net = DeepNetClassifier(embedding="periodic", embedding_options={"freqs": 3})
    with pytest.raises(ValueError, match="unknown keys"):
        net.fit(X, y)


def test_every_ingredient_on_a_real_table():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    net = DeepNetClassifier(
        (64, 64),
        activation="selu",
        front_scale=True,
        embedding="periodic",
        dropout=0.15,
        dropout_schedule="flat_cosine",
        label_smoothing=0.1,
        weight_decay=0.02,
        learning_rate="coslog4",
        learning_rate_factors={"biases": 0.1, "scales": 6.0},
        beta_2=0.95,
        early_stopping=True,
        scoring="loss",
        max_iter=40,
        random_state=0,
    )
    # A scheduled run spends its whole budget: early stopping keeps the best.
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(scaler.transform(X_train), y_train)
    assert net.score(scaler.transform(X_test), y_test) > 0.95


# -- PBLD and categorical embeddings ---------------------------------------------
def _coded(n=240):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 5))
    X[:, 1] = rng.randint(0, 4, n)  # category codes, 0 = missing
    X[:, 4] = rng.randint(0, 6, n)
    y = ((X[:, 0] > 0) ^ (X[:, 1] == 2)).astype(int)
    return X, y


@pytest.mark.parametrize("embedding", [None, "pbld", "periodic"])
def test_category_codes_are_embedded(embedding):
    X, y = _coded()
    options = {"categories": {1: 4, 4: 6}, "category_units": 3}
    if embedding is not None:
        options["n_frequencies"] = 3
    net = DeepNetClassifier(
        (16,),
        embedding=embedding,
        embedding_options=options,
        front_scale=True,
        solver="lbfgs",
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    assert net.category_embeddings_.shape == (10, 3)
    width = {None: 3, "pbld": 3 * 4, "periodic": 3 * 24}[embedding]
    assert net.coefs_[0].shape[0] == width + 2 * 3
    assert (embedding == "pbld") == hasattr(net, "embedding_phases_")
    # The XOR with one category needs its embedding: a net reads the codes.
    assert net.score(X, y) > 0.9
    # Unseen and invalid codes read as code 0 (its row is learned or zero).
    X_odd = X[:5].copy()
    X_odd[:, 1] = [9, -1, 2.5, 0, 0]
    X_zero = X[:5].copy()
    X_zero[:, 1] = [0, 0, 2, 0, 0]
    np.testing.assert_allclose(net.predict_proba(X_odd), net.predict_proba(X_zero))
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.predict_proba(X), net.predict_proba(X))


def test_category_gradients():
    X, y = _coded(12)
    net = DeepNetClassifier(
        (4,),
        embedding="pbld",
        embedding_options={"categories": {1: 4, 4: 6}, "n_frequencies": 2},
        front_scale=True,
        random_state=0,
    )
    assert check_gradients(net, X, y) < 1e-6
    assert check_gradients(net, X, y, dtype=np.float32) < 1e-4


@pytest.mark.parametrize(
    "options, match",
    [
        ({"categories": {9: 3}}, "names column 9"),
        ({"categories": {1: 0}}, "numbers of codes"),
        ({"categories": [1]}, "numbers of codes"),
        ({"categories": {1: 4}, "columns": [1]}, "numeric columns"),
    ],
)
def test_bad_category_options(options, match):
    X, y = _coded(30)
    net = DeepNetClassifier((4,), embedding="pbld", embedding_options=options)
    with pytest.raises(ValueError, match=match):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")


def test_inference_network_is_built_once_with_input_layers():
    # The cache key holds the input layers' arrays whole: predicting twice
    # reuses the network (it was rebuilt on every call).
    from skdeep.estimators import fitted_network

    X, y = _coded(60)
    net = DeepNetClassifier(
        (4,),
        embedding="pbld",
        embedding_options={"categories": {1: 4}, "n_frequencies": 2},
        front_scale=True,
        solver="lbfgs",
        max_iter=5,
        random_state=0,
    )
    with pytest.warns(Warning, match="failed to converge"):
        net.fit(X, y)
    first = fitted_network(net)[0]
    assert fitted_network(net)[0] is first
    net.front_scales_ = net.front_scales_ * 2  # a new array: a new network
    second = fitted_network(net)[0]
    assert second is not first and fitted_network(net)[0] is second
