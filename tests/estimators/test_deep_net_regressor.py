import inspect
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from _reference import assert_same_network
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, make_regression
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdeep import DeepNetRegressor
from skdeep.training import _inference
from skdeep.utils import check_gradients

fixed_budget = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(n_samples=300, n_features=8, noise=5.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    return X, y


@pytest.fixture(scope="module")
def counts(data):
    X, y = data
    return X, np.random.RandomState(0).poisson(np.exp(0.5 * y))


# MLPRegressor has loss= and fit(sample_weight=) from scikit-learn 1.7.
MLP_HAS_LOSS = "loss" in inspect.signature(MLPRegressor).parameters
MLP_HAS_WEIGHTS = "sample_weight" in inspect.signature(MLPRegressor.fit).parameters


def _reference(loss="squared_error", **params):
    """MLPRegressor with these parameters (loss= only where it exists)."""
    if not MLP_HAS_LOSS:
        if loss != "squared_error":
            pytest.skip("MLPRegressor has loss='poisson' from scikit-learn 1.7")
        return MLPRegressor(**params)
    return MLPRegressor(loss=loss, **params)


MLP_SETTINGS = [
    dict(solver="adam"),
    dict(solver="sgd", learning_rate_init=0.01),
    dict(
        solver="sgd",
        nesterovs_momentum=False,
        learning_rate="invscaling",
        learning_rate_init=0.05,
    ),
    dict(solver="sgd", momentum=0.0, learning_rate="adaptive", tol=0.5),
    dict(solver="lbfgs", activation="tanh"),
    dict(solver="adam", activation="logistic", alpha=0.1, batch_size=64),
    dict(solver="adam", early_stopping=True, shuffle=False),
]


@fixed_budget
@pytest.mark.parametrize("params", MLP_SETTINGS, ids=repr)
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_trains_the_same_network_as_mlpregressor(
    data, params, loss, n_outputs, weighted
):
    X, y = data
    if n_outputs == 2:
        y = np.c_[y, 0.5 * y - 0.2]
    if loss == "poisson":
        y = np.round(np.exp(0.5 * y))
    common = dict(hidden_layer_sizes=(16, 8), max_iter=8, random_state=0, **params)
    ref = _reference(loss, **common)
    if weighted and not MLP_HAS_WEIGHTS:
        pytest.skip("MLPRegressor takes sample_weight from scikit-learn 1.7")
    sw = np.random.RandomState(1).uniform(0.5, 2, len(X)) if weighted else None
    ours = DeepNetRegressor(loss=loss, **common).fit(X, y, sample_weight=sw)
    ref.fit(X, y, **({} if sw is None else {"sample_weight": sw}))
    assert_same_network(ours, ref)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6)
    assert ours.n_iter_ == ref.n_iter_
    for name in ["n_layers_", "n_outputs_", "out_activation_", "t_", "n_features_in_"]:
        assert getattr(ours, name) == getattr(ref, name), name
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, ref.validation_scores_)
        assert ours.best_validation_score_ == pytest.approx(ref.best_validation_score_)
    if n_outputs == 1 and params["solver"] != "lbfgs":
        # One output: the same loss, too. (With several, see the next test.)
        np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-7)


@fixed_budget
def test_multi_output_loss_is_the_sum_over_outputs(data):
    # MLPRegressor follows the gradient of the sum over outputs but reports
    # the mean (scikit-learn #8349); skdeep reports what it minimises.
    X, y = data
    Y = np.c_[y, -y, 2 * y]
    common = dict(hidden_layer_sizes=(8,), max_iter=5, alpha=0.0, random_state=0)
    ours = DeepNetRegressor(**common).fit(X, Y)
    ref = MLPRegressor(**common).fit(X, Y)
    assert_same_network(ours, ref)
    np.testing.assert_allclose(ours.loss_curve_, 3 * np.array(ref.loss_curve_))
    # L-BFGS reports the objective at its final weights: the summed loss.
    lbfgs = DeepNetRegressor(**{**common, "solver": "lbfgs", "max_iter": 30})
    lbfgs.fit(X, Y)
    residual = lbfgs.predict(X) - Y
    assert lbfgs.loss_ == pytest.approx(0.5 * (residual**2).sum(axis=1).mean())


def test_targets_are_validated(data):
    X, y = data
    with pytest.raises(ValueError, match="loss='poisson' needs non-negative"):
        DeepNetRegressor(loss="poisson").fit(X, y)
    with pytest.raises(InvalidParameterError, match="'loss' parameter"):
        DeepNetRegressor(loss="log_loss").fit(X, y)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        DeepNetRegressor().fit(X, np.where(y > 1, np.nan, y))
    est = DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=2, warm_start=True)
    with pytest.warns(Warning):
        est.fit(X, y)
    with pytest.raises(ValueError, match="y has 2 output"):
        est.fit(X, np.c_[y, y])
    assert est.n_outputs_ == 1  # a failed call changes nothing


@fixed_budget
def test_column_vector_targets_are_one_output(data):
    X, y = data
    with pytest.warns(DataConversionWarning):
        est = DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=3).fit(X, y[:, None])
    assert est.n_outputs_ == 1 and est.predict(X).shape == (len(X),)
    multi = DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=3).fit(X, np.c_[y, y])
    assert multi.predict(X).shape == (len(X), 2)


@fixed_budget
def test_integer_targets_are_numbers_not_classes():
    # The diabetes target is integer-valued: a regressor treats it as numbers.
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = DeepNetRegressor(
        hidden_layer_sizes=(16,), solver="lbfgs", alpha=10.0, random_state=0
    )
    est.fit(X, y.astype(int))
    assert est.n_outputs_ == 1 and est.predict(X).dtype == np.float64
    assert est.score(X, y) > 0.5


def test_transformed_target_regressor_for_targets_on_a_large_scale(data):
    X, y = data
    y = 1e4 * y + 5e4  # a price, say
    params = dict(hidden_layer_sizes=(16,), max_iter=200, random_state=0)
    with pytest.warns(Warning):
        raw = DeepNetRegressor(**params).fit(X, y)
    scaled = TransformedTargetRegressor(
        DeepNetRegressor(**params), transformer=StandardScaler()
    )
    with pytest.warns(Warning):
        scaled.fit(X, y)
    assert raw.score(X, y) < 0
    assert scaled.score(X, y) > 0.95


@fixed_budget
def test_poisson_without_hidden_layer_is_poisson_regression(counts):
    X, y = counts
    glm = PoissonRegressor(alpha=0, tol=1e-8).fit(X, y)
    net = DeepNetRegressor(
        loss="poisson",
        hidden_layer_sizes=(1,),
        activation="identity",
        alpha=0,
        solver="lbfgs",
        tol=1e-8,
        random_state=0,
    ).fit(X, y)
    # To where L-BFGS stops on the loss's relative decrease (scikit-learn's
    # own one-feature version of this test runs in test_sklearn_mlp_suite).
    np.testing.assert_allclose(net.predict(X), glm.predict(X), rtol=1e-3)
    assert (net.predict(X) > 0).all() and net.out_activation_ == "exp"


@pytest.mark.parametrize("loss", ["squared_error", "poisson", "quantile"])
@pytest.mark.parametrize(
    "options",
    [dict(), dict(batch_norm=True, dropout=(0.3, 0.1), activation="gelu")],
    ids=["plain", "batch_norm+dropout+gelu"],
)
def test_check_gradients(counts, loss, options):
    X, y = counts
    X, y = X[:20], y[:20] if loss == "poisson" else y[:20] - 1.0
    Y = np.c_[y, y + 1]
    sw = np.random.RandomState(0).uniform(0.5, 2, 20)
    net = DeepNetRegressor(
        loss=loss,
        quantile=0.8,
        hidden_layer_sizes=(5, 4),
        alpha=0.1,
        random_state=0,
        **options,
    )
    assert check_gradients(net, X, y, sample_weight=sw, random_state=0) < 1e-6
    assert check_gradients(net, X, Y, random_state=0) < 1e-6


def _heteroscedastic(n=3000, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 3))
    noise = (0.3 + 0.5 * np.abs(X[:, 1])) * rng.standard_normal(n)
    return X, np.sin(X[:, 0]) + noise


@pytest.mark.parametrize("q", [0.1, 0.9])
def test_quantile_loss_covers_like_hist_gradient_boosting(q):
    X, y = _heteroscedastic()
    X_test, y_test = _heteroscedastic(2000, seed=1)
    net = DeepNetRegressor(
        loss="quantile",
        quantile=q,
        hidden_layer_sizes=(32, 32),
        early_stopping=True,
        random_state=0,
    ).fit(X, y)
    hgb = HistGradientBoostingRegressor(loss="quantile", quantile=q, random_state=0)
    hgb.fit(X, y)
    ours = (y_test <= net.predict(X_test)).mean()
    theirs = (y_test <= hgb.predict(X_test)).mean()
    assert abs(ours - q) < 0.04 and abs(theirs - q) < 0.06
    # Early stopping judged the pinball loss (R^2 would pull to the mean).
    assert net.validation_scores_[-1] < 0 and net.out_activation_ == "identity"
    # The upper and lower quantiles widen where the noise does.
    wide = np.abs(X_test[:, 1]) > 1.5
    spread = np.abs(net.predict(X_test) - np.sin(X_test[:, 0]))
    assert spread[wide].mean() > 1.5 * spread[~wide].mean()


def test_quantile_needs_its_quantile(data):
    X, y = data
    with pytest.raises(ValueError, match="loss='quantile' needs the quantile"):
        DeepNetRegressor(loss="quantile").fit(X, y)
    with pytest.raises(InvalidParameterError, match="'quantile' parameter"):
        DeepNetRegressor(loss="quantile", quantile=1.0).fit(X, y)


# -- the toolkit ----------------------------------------------------------------
@fixed_budget
@pytest.mark.parametrize(
    "options",
    [
        dict(dropout=0.2),
        dict(batch_norm=True),
        dict(weight_init="he_normal", activation="leaky_relu"),
        dict(activation="elu", solver="rmsprop"),
        dict(activation="gelu", learning_rate="invscaling", learning_rate_init=0.01),
        dict(batch_norm=True, solver="lbfgs"),
    ],
    ids=repr,
)
def test_toolkit_trains(data, options):
    X, y = data
    params = dict(
        hidden_layer_sizes=(32, 16), max_iter=100, batch_size=32, random_state=0
    )
    net = DeepNetRegressor(**{**params, **options}).fit(X[:200], y[:200])
    # Plain MLPRegressor with these parameters: held-out R^2 0.97.
    assert net.score(X[200:], y[200:]) > 0.85


@fixed_budget
def test_validation_set_records_r2_and_drives_early_stopping(data):
    X, y = data
    X_train, y_train, X_val, y_val = X[:200], y[:200], X[200:], y[200:]
    net = DeepNetRegressor(hidden_layer_sizes=(16,), max_iter=20, random_state=0)
    net.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert len(net.validation_scores_) == net.n_iter_ == 20
    assert net.validation_scores_[-1] == pytest.approx(net.score(X_val, y_val))
    early = DeepNetRegressor(
        hidden_layer_sizes=(16,),
        max_iter=500,
        early_stopping=True,
        n_iter_no_change=5,
        random_state=0,
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert early.n_iter_ < 500
    assert early.best_validation_score_ == max(early.validation_scores_)
    assert early.score(X_val, y_val) == pytest.approx(early.best_validation_score_)


@fixed_budget
@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop"])
def test_partial_fit_continues_fit_exactly(data, solver):
    X, y = data
    params = dict(hidden_layer_sizes=(8,), solver=solver, shuffle=False, random_state=0)
    whole = DeepNetRegressor(max_iter=3, **params).fit(X, y)
    parts = DeepNetRegressor(**params)
    for _ in range(3):
        parts.partial_fit(X, y)
    assert_same_network(parts, whole, rtol=1e-12, atol=0)
    assert parts.loss_curve_ == pytest.approx(whole.loss_curve_)
    with pytest.raises(ValueError, match="partial_fit does not support early"):
        DeepNetRegressor(early_stopping=True).partial_fit(X, y)
    assert not hasattr(DeepNetRegressor(solver="lbfgs"), "partial_fit")


def test_divergence_is_reported_and_rolled_back(data):
    X, y = data
    est = DeepNetRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    before = est.predict(X)
    est.set_params(warm_start=True, learning_rate_init=1e200)
    with pytest.raises(ValueError, match="Training diverged.*learning_rate_init"):
        est.fit(X * 1e100, y)
    np.testing.assert_array_equal(est.predict(X), before)


@fixed_budget
def test_interrupt_keeps_the_last_completed_epoch(data, monkeypatch):
    X, y = data
    params = dict(hidden_layer_sizes=(8,), batch_size=50, shuffle=False, random_state=0)
    calls = {"n": 0}
    original = DeepNetRegressor._make_optimizer

    class Interrupting:
        def __init__(self, optimizer):
            self.optimizer = optimizer

        def init(self, params):
            return self.optimizer.init(params)

        def update(self, *args):
            calls["n"] += 1
            if calls["n"] == 15:  # 6 batches an epoch: in epoch 3
                raise KeyboardInterrupt
            self.optimizer.update(*args)

    monkeypatch.setattr(
        DeepNetRegressor, "_make_optimizer", lambda self: Interrupting(original(self))
    )
    est = DeepNetRegressor(max_iter=10, **params)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    monkeypatch.undo()
    two = DeepNetRegressor(max_iter=2, **params).fit(X, y)
    assert est.n_iter_ == 2
    assert_same_network(est, two, rtol=0, atol=0)


@fixed_budget
def test_float32_sparse_and_chunked_prediction(data, monkeypatch):
    X, y = data
    params = dict(hidden_layer_sizes=(16,), max_iter=20, random_state=0)
    f64 = DeepNetRegressor(**params).fit(X, y)
    f32 = DeepNetRegressor(**params).fit(X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in f32.coefs_ + f32.intercepts_)
    assert f32.predict(X).dtype == np.float32
    np.testing.assert_allclose(f32.predict(X), f64.predict(X), atol=1e-3)
    Xs = np.where(np.abs(X) > 1, X, 0.0)
    dense = DeepNetRegressor(**params).fit(Xs, y)
    sparse = DeepNetRegressor(**params).fit(sp.csr_matrix(Xs), y)
    assert_same_network(sparse, dense, rtol=1e-10, atol=1e-12)
    whole = dense.predict(Xs)
    monkeypatch.setattr(_inference, "PREDICT_BUFFER_BYTES", 8 * 16 * 10)
    np.testing.assert_allclose(dense.predict(sp.csr_matrix(Xs)), whole, rtol=1e-12)


@fixed_budget
def test_clone_pickle_determinism_and_r2(data):
    X, y = data
    est = DeepNetRegressor(hidden_layer_sizes=(8, 4), max_iter=5, random_state=7)
    fitted = clone(est).fit(X, y)
    again = clone(est).fit(X, y)
    assert_same_network(again, fitted, rtol=0, atol=0)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    assert fitted.score(X, y) == pytest.approx(r2_score(y, fitted.predict(X)))
    pipe = make_pipeline(StandardScaler(), clone(est)).fit(X, y)
    assert pipe.predict(X).shape == (len(X),)


def test_text_targets_point_to_the_classifier(data):
    X, y = data
    labels = np.where(y > 0, "high", "low")
    with pytest.raises(
        ValueError, match="needs numeric targets, but y holds '(low|high)'; for class"
    ):
        DeepNetRegressor().fit(X, labels)
    text_X = X.astype(object)
    text_X[0, 0] = "oops"
    with pytest.raises(ValueError, match="could not convert string to float"):
        DeepNetRegressor().fit(text_X, y)  # X's problem is not blamed on y
