"""The deep-learning toolkit: dropout, batch norm, initializers, RMSprop,
schedules and a chosen validation set, as the estimators expose them."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier, LogisticUnit

fixed_budget = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, random_state=0)


@pytest.fixture(scope="module")
def small():
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


# -- dropout -----------------------------------------------------------------
@pytest.mark.slow
@fixed_budget
@pytest.mark.parametrize("seed", [0, 1])
def test_dropout_narrows_the_generalisation_gap(seed):
    X, y = make_classification(
        n_samples=600, n_features=30, n_informative=5, flip_y=0.25, random_state=seed
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=150, random_state=0
    )

    def gap(dropout):
        net = DeepNetClassifier(
            (512, 512),
            dropout=dropout,
            alpha=0.0,
            max_iter=100,
            n_iter_no_change=1000,
            random_state=0,
        ).fit(X_train, y_train)
        return log_loss(y_test, net.predict_proba(X_test)) - log_loss(
            y_train, net.predict_proba(X_train)
        )

    assert gap(0.7) < 0.8 * gap(0.0)


@fixed_budget
def test_dropout_only_acts_in_training(small):
    X, y = small
    net = DeepNetClassifier((32, 16), dropout=(0.5, 0.2), max_iter=5, random_state=0)
    net.fit(X, y)
    # Inference is deterministic and row-independent.
    proba = net.predict_proba(X)
    np.testing.assert_array_equal(proba, net.predict_proba(X))
    np.testing.assert_allclose(net.predict_proba(X[:7]), proba[:7], rtol=1e-12)
    # Same random_state, same masks: training is reproducible.
    again = DeepNetClassifier((32, 16), dropout=(0.5, 0.2), max_iter=5, random_state=0)
    np.testing.assert_array_equal(again.fit(X, y).predict_proba(X), proba)


def test_dropout_validation(small):
    X, y = small
    with pytest.raises(ValueError, match="'dropout' parameter.*one per hidden layer"):
        DeepNetClassifier((4, 4), dropout=(0.1, 0.2, 0.3)).fit(X, y)
    with pytest.raises(ValueError, match="'dropout' parameter"):
        DeepNetClassifier((4,), dropout=(1.0,)).fit(X, y)
    with pytest.raises(ValueError, match="dropout needs a stochastic solver"):
        DeepNetClassifier((4,), dropout=0.1, solver="lbfgs").fit(X, y)


# -- batch norm --------------------------------------------------------------
@fixed_budget
def test_batch_norm_lets_a_deep_sigmoid_network_learn(digits):
    X_train, X_test, y_train, y_test = digits
    params = dict(
        hidden_layer_sizes=(64,) * 8,
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.1,
        max_iter=5,
        random_state=0,
    )
    plain = DeepNetClassifier(**params).fit(X_train, y_train)
    normed = DeepNetClassifier(batch_norm=True, **params).fit(X_train, y_train)
    # Eight sigmoid layers: the plain network's gradients vanish, it stays at
    # chance; with batch norm it learns within five epochs.
    assert plain.score(X_test, y_test) < 0.2
    assert normed.score(X_test, y_test) > 0.8


@fixed_budget
@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop", "lbfgs"])
def test_batch_norm_with_every_solver(small, solver):
    X, y = small
    net = DeepNetClassifier(
        (16, 8),
        batch_norm=True,
        solver=solver,
        learning_rate_init=0.01,
        max_iter=60,
        random_state=0,
    ).fit(X, y)
    assert net.score(X, y) > 0.85
    assert [m.shape for m in net.batch_norm_means_] == [(16,), (8,)]
    assert all((v > 0).all() for v in net.batch_norm_variances_)
    # Prediction uses the running statistics: a row's answer does not
    # depend on the rest of its batch.
    proba = net.predict_proba(X)
    singles = np.vstack([net.predict_proba(X[i : i + 1]) for i in range(10)])
    np.testing.assert_allclose(singles, proba[:10], rtol=1e-10)


@fixed_budget
def test_batch_norm_running_statistics_track_the_data(small):
    X, y = small
    shifted = X * 3.0 + 5.0
    net = DeepNetClassifier(
        (8,), batch_norm=True, activation="identity", max_iter=40, random_state=0
    ).fit(shifted, y)
    # The running mean and variance of the first layer's pre-activation
    # approach the full-data statistics of X W + b.
    z = shifted @ net.coefs_[0] + net.intercepts_[0]
    np.testing.assert_allclose(
        net.batch_norm_means_[0], z.mean(axis=0), rtol=0.1, atol=0.1
    )
    np.testing.assert_allclose(net.batch_norm_variances_[0], z.var(axis=0), rtol=0.2)


@fixed_budget
def test_batch_norm_partial_fit_and_warm_start_carry_statistics(small):
    X, y = small
    params = dict(
        hidden_layer_sizes=(8,), batch_norm=True, shuffle=False, random_state=0
    )
    whole = DeepNetClassifier(max_iter=3, **params).fit(X, y)
    parts = DeepNetClassifier(**params)
    for _ in range(3):
        parts.partial_fit(X, y, classes=np.unique(y))
    warm = DeepNetClassifier(max_iter=2, warm_start=True, **params).fit(X, y)
    warm.set_params(max_iter=1).fit(X, y)
    for other in (parts, warm):
        for name in (
            "coefs_",
            "batch_norm_scales_",
            "batch_norm_means_",
            "batch_norm_variances_",
        ):
            for a, b in zip(getattr(other, name), getattr(whole, name), strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-12)
    with pytest.raises(ValueError, match="architecture changed"):
        whole.set_params(warm_start=True, batch_norm=False).fit(X, y)


# -- initializers ------------------------------------------------------------
@pytest.mark.parametrize(
    "weight_init, variance",
    [
        ("glorot_uniform", lambda i, o: 2 / (i + o)),
        ("glorot_normal", lambda i, o: 2 / (i + o)),
        ("he_uniform", lambda i, o: 2 / i),
        ("he_normal", lambda i, o: 2 / i),
        ("lecun_normal", lambda i, o: 1 / i),
    ],
)
def test_initial_weights_have_the_scheme_variance(weight_init, variance):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(50, 300)), rng.randint(0, 2, 50)
    net = DeepNetClassifier(
        (400, 200),
        weight_init=weight_init,
        max_iter=1,
        learning_rate_init=1e-12,
        random_state=0,
    )
    with pytest.warns(Warning):
        net.fit(X, y)  # one tiny step: still the initial weights
    for coef, bias in zip(net.coefs_[:2], net.intercepts_[:2], strict=True):
        fan_in, fan_out = coef.shape
        assert coef.mean() == pytest.approx(0, abs=3e-3)
        assert coef.var() == pytest.approx(variance(fan_in, fan_out), rel=0.03)
        np.testing.assert_allclose(bias, 0, atol=1e-9)


# -- RMSprop and schedules ---------------------------------------------------
@fixed_budget
def test_rmsprop_trains_both_estimators(small):
    X, y = small
    net = DeepNetClassifier((16,), solver="rmsprop", max_iter=50, random_state=0)
    assert net.fit(X, y).score(X, y) > 0.85
    unit = LogisticUnit(
        solver="rmsprop", learning_rate_init=0.01, max_iter=100, random_state=0
    )
    assert unit.fit(X, y).score(X, y) > 0.7
    assert set(net._solver_state["optimizer"]) == {"v", "scratch"}


@fixed_budget
@pytest.mark.parametrize("solver", ["adam", "rmsprop"])
def test_schedules_apply_to_every_stochastic_solver(small, solver):
    X, y = small
    kw = dict(
        hidden_layer_sizes=(8,),
        solver=solver,
        max_iter=5,
        random_state=0,
        learning_rate_init=0.01,
    )
    constant = DeepNetClassifier(**kw).fit(X, y)
    decaying = DeepNetClassifier(learning_rate="invscaling", **kw).fit(X, y)
    assert not np.allclose(constant.coefs_[0], decaying.coefs_[0])
    lr = decaying._solver_state["learning_rate"]
    assert lr == pytest.approx(0.01 / (5 * len(X) + 1) ** 0.5)
    adaptive = DeepNetClassifier(
        learning_rate="adaptive", n_iter_no_change=1, tol=10.0, **kw
    ).fit(X, y)
    assert adaptive._solver_state["learning_rate"] < 0.01


# -- a chosen validation set -------------------------------------------------
@fixed_budget
def test_validation_set_drives_early_stopping(digits):
    X_train, X_val, y_train, y_val = digits
    net = DeepNetClassifier(
        (32,), early_stopping=True, n_iter_no_change=3, max_iter=200, random_state=0
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert net.n_iter_ < 200
    assert len(net.validation_scores_) == net.n_iter_
    # The weights kept are the best ones on the given validation set, and the
    # whole training set was used for training (no split).
    assert net.score(X_val, y_val) == pytest.approx(net.best_validation_score_)
    assert net.t_ == net.n_iter_ * len(X_train)


@fixed_budget
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_validation_scores_are_recorded_without_early_stopping(digits, solver):
    X_train, X_val, y_train, y_val = digits
    sw_val = np.where(y_val == 3, 0.0, 1.0)
    net = DeepNetClassifier((16,), solver=solver, max_iter=10, random_state=0)
    net.fit(X_train, y_train, X_val=X_val, y_val=y_val, sample_weight_val=sw_val)
    assert len(net.validation_scores_) == net.n_iter_ == len(net.loss_curve_)
    assert net.validation_scores_[-1] == pytest.approx(
        net.score(X_val, y_val, sample_weight=sw_val)
    )
    assert net.best_validation_score_ is None  # nothing was selected on it


def test_validation_set_is_checked(digits):
    X_train, X_val, y_train, y_val = digits
    net = DeepNetClassifier((8,), max_iter=2)
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        net.fit(X_train, y_train, X_val=X_val)
    with pytest.raises(ValueError, match="features"):
        net.fit(X_train, y_train, X_val=X_val[:, :5], y_val=y_val)
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        net.fit(X_train, y_train, X_val=X_val, y_val=y_val + 100)
    assert not hasattr(net, "coefs_")
