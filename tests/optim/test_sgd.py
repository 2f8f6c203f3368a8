import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import SGDOptimizer

from skdeep.optim import SGD


def test_plain_gradient_descent_step():
    params = np.array([1.0, -2.0, 3.0])
    grads = np.array([0.5, 0.5, -1.0])
    opt = SGD(momentum=0.0, nesterov=False)
    state = opt.init(params)
    opt.update(params, grads.copy(), state, learning_rate=0.1)
    np.testing.assert_allclose(params, [0.95, -2.05, 3.1])


@pytest.mark.parametrize("nesterov", [False, True])
def test_first_two_momentum_steps_closed_form(nesterov):
    mu, eta = 0.9, 0.1
    g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    params = np.zeros(2)
    opt = SGD(momentum=mu, nesterov=nesterov)
    state = opt.init(params)
    opt.update(params, g1.copy(), state, eta)
    v1 = -eta * g1
    expected = (mu * v1 - eta * g1) if nesterov else v1
    np.testing.assert_allclose(params, expected)
    opt.update(params, g2.copy(), state, eta)
    v2 = mu * v1 - eta * g2
    expected = expected + ((mu * v2 - eta * g2) if nesterov else v2)
    np.testing.assert_allclose(params, expected)
    np.testing.assert_allclose(state.velocity, v2)


@pytest.mark.parametrize("nesterov", [False, True])
def test_matches_sklearn_sgd_optimizer(nesterov):
    rng = np.random.RandomState(0)
    ours = rng.normal(size=20)
    theirs = [ours.copy()]
    opt, ref = SGD(0.8, nesterov), SGDOptimizer(theirs, 0.05, "constant", 0.8, nesterov)
    state = opt.init(ours)
    for _ in range(25):
        g = rng.normal(size=20)
        opt.update(ours, g.copy(), state, 0.05)
        ref.update_params(theirs, [g])
    np.testing.assert_allclose(ours, theirs[0], rtol=1e-12)


def test_state_is_explicit_and_hyperparameters_immutable():
    opt = SGD()
    s1, s2 = opt.init(np.zeros(3)), opt.init(np.zeros(3))
    assert s1.velocity is not s2.velocity
    with pytest.raises(AttributeError):
        opt.momentum = 0.5
