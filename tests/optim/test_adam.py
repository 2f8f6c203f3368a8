import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer

from skdeep.optim import Adam


def test_first_step_closed_form():
    # After one step the bias-corrected moments are g and g**2, so the step
    # is eta * g / (|g| + eps / sqrt(1 - beta_2)): about eta * sign(g).
    eta, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    g = np.array([2.0, -0.001, 0.0])
    params = np.ones(3)
    opt = Adam(b1, b2, eps)
    state = opt.init(params)
    opt.update(params, g.copy(), state, eta)
    step = eta * g / (np.abs(g) + eps / np.sqrt(1 - b2))
    np.testing.assert_allclose(params, 1 - step, rtol=1e-12)
    assert state.t == 1
    # Moments are stored divided by (1 - beta).
    np.testing.assert_allclose(state.m * (1 - b1), (1 - b1) * g)
    np.testing.assert_allclose(state.v * (1 - b2), (1 - b2) * g**2)


def test_matches_sklearn_adam_optimizer():
    rng = np.random.RandomState(0)
    ours = rng.normal(size=30)
    theirs = [ours.copy()]
    opt = Adam(0.8, 0.99, 1e-7)
    ref = AdamOptimizer(theirs, 0.01, 0.8, 0.99, 1e-7)
    state = opt.init(ours)
    for _ in range(40):
        g = rng.normal(size=30)
        opt.update(ours, g.copy(), state, 0.01)
        ref.update_params(theirs, [g])
    np.testing.assert_allclose(ours, theirs[0], rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updates_stay_in_dtype(dtype):
    params = np.ones(4, dtype=dtype)
    opt = Adam()
    state = opt.init(params)
    opt.update(params, np.ones(4, dtype=dtype), state, 0.1)
    assert params.dtype == dtype and state.m.dtype == dtype


def test_beta_2_of_realmlp():
    # RealMLP trains with beta_2 = 0.95 (pytabkit's sq_mom): a short memory
    # of squared gradients, against scikit-learn's AdamOptimizer and, for
    # the first step, the closed form.
    rng = np.random.RandomState(1)
    ours = rng.normal(size=25)
    theirs = [ours.copy()]
    opt = Adam(beta_1=0.9, beta_2=0.95)
    ref = AdamOptimizer(theirs, 0.04, 0.9, 0.95, 1e-8)
    state = opt.init(ours)
    start = ours.copy()
    for step in range(60):
        g = rng.normal(size=25) * (10.0 if step % 20 == 0 else 1.0)  # bursts
        opt.update(ours, g.copy(), state, 0.04)
        ref.update_params(theirs, [g])
        if step == 0:
            first = 0.04 * g / (np.abs(g) + 1e-8 / np.sqrt(1 - 0.95))
            np.testing.assert_allclose(ours, start - first, rtol=1e-12)
    np.testing.assert_allclose(ours, theirs[0], rtol=1e-10)
    np.testing.assert_allclose(state.v * (1 - 0.95), ref.vs[0], rtol=1e-12)
