import itertools

import numpy as np
import pytest

from skdeep import DeepNetClassifier, LogisticUnit
from skdeep.nn import activations
from skdeep.utils import check_gradients


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 4))
    return X, rng.randint(0, 3, 24), (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    "activation, dropout, batch_norm",
    list(
        itertools.product(
            sorted(activations.ACTIVATIONS), [0.0, (0.3, 0.1)], [False, True]
        )
    ),
)
def test_backprop_matches_finite_differences(data, activation, dropout, batch_norm):
    X, y, _ = data
    net = DeepNetClassifier(
        (6, 5),
        activation=activation,
        dropout=dropout,
        batch_norm=batch_norm,
        alpha=0.1,
        random_state=0,
    )
    assert check_gradients(net, X, y, random_state=0) < 1e-6


@pytest.mark.parametrize("weight_init", ["he_normal", "glorot_uniform", "lecun_normal"])
def test_binary_weighted_and_multilabel_objectives(data, weight_init):
    X, y, y_binary = data
    sw = np.random.RandomState(1).uniform(0.2, 2.0, len(X))
    net = DeepNetClassifier(
        (5,), activation="elu", weight_init=weight_init, random_state=0
    )
    assert check_gradients(net, X, y_binary, sample_weight=sw) < 1e-6
    Y = np.stack([y == 0, y == 1, y_binary == 1], axis=1).astype(int)
    assert check_gradients(net.set_params(class_weight=None), X, Y) < 1e-6
    unit = LogisticUnit(alpha=0.5, class_weight="balanced")
    assert check_gradients(unit, X, y, sample_weight=sw) < 1e-6


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_checks_a_fitted_estimator_at_its_weights(data):
    X, y, _ = data
    net = DeepNetClassifier(
        (6,), batch_norm=True, dropout=0.2, max_iter=5, random_state=0
    ).fit(X, y)
    before = [c.copy() for c in net.coefs_]
    assert check_gradients(net, X, y, random_state=1) < 1e-6
    for a, b in zip(before, net.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)  # the estimator is untouched


def test_a_wrong_gradient_is_caught(data, monkeypatch):
    X, y, _ = data
    net = DeepNetClassifier((6,), activation="tanh", random_state=0)
    assert check_gradients(net, X, y) < 1e-6

    # A classic slip: tanh' = 1 - a instead of 1 - a**2.
    def wrong(a, delta):
        np.subtract(1, a, out=a)
        delta *= a

    broken = activations.Activation("tanh", activations._tanh, wrong)
    monkeypatch.setitem(activations.ACTIVATIONS, "tanh", broken)
    assert check_gradients(net, X, y) > 1e-2


def test_a_wrong_batch_norm_gradient_is_caught(data, monkeypatch):
    from skdeep.nn.layers import BatchNorm

    X, y, _ = data
    net = DeepNetClassifier((6,), batch_norm=True, random_state=0)
    original = BatchNorm.backward_batch

    def forgets_the_mean_term(self, delta, scale, cache, scale_grad, offset_grad):
        n = delta.shape[0]
        original(self, delta, scale, cache, scale_grad, offset_grad)
        delta += (scale * offset_grad / n) * cache.inv_std  # undo one term

    monkeypatch.setattr(BatchNorm, "backward_batch", forgets_the_mean_term)
    assert check_gradients(net, X, y) > 1e-2


@pytest.mark.parametrize("activation", sorted(activations.ACTIVATIONS))
def test_float32_backprop_matches_float64_finite_differences(data, activation):
    X, y, _ = data
    net = DeepNetClassifier(
        (6, 5), activation=activation, dropout=0.2, batch_norm=True, random_state=0
    )
    assert check_gradients(net, X, y, random_state=0, dtype=np.float32) < 1e-4


def test_a_wrong_float32_gradient_is_caught(data, monkeypatch):
    X, y, _ = data
    from skdeep.nn.layers import FrontScale

    backward = FrontScale.backward

    def wrong(self, dy, ctx):
        dx = backward(self, dy, ctx)
        np.multiply(ctx.grads[0], 1.01, out=ctx.grads[0])
        return dx

    monkeypatch.setattr(FrontScale, "backward", wrong)
    net = DeepNetClassifier((4,), front_scale=True, random_state=0)
    assert check_gradients(net, X, y, dtype=np.float32) > 1e-3
