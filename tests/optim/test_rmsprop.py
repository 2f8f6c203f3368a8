import numpy as np
import pytest

from skdeep.optim import RMSprop


def test_first_two_steps_closed_form():
    eta, beta, eps = 0.01, 0.9, 1e-8
    g1, g2 = np.array([2.0, -0.5, 0.0]), np.array([1.0, 1.0, 3.0])
    params = np.zeros(3)
    opt = RMSprop(beta, eps)
    state = opt.init(params)
    opt.update(params, g1.copy(), state, eta)
    v1 = (1 - beta) * g1**2
    expected = -eta * g1 / (np.sqrt(v1) + eps)
    np.testing.assert_allclose(params, expected, rtol=1e-12)
    opt.update(params, g2.copy(), state, eta)
    v2 = beta * v1 + (1 - beta) * g2**2
    expected = expected - eta * g2 / (np.sqrt(v2) + eps)
    np.testing.assert_allclose(params, expected, rtol=1e-12)
    # the state stores v / (1 - beta)
    np.testing.assert_allclose(state.v * (1 - beta), v2, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    params = np.ones(5, dtype)
    opt = RMSprop()
    state = opt.init(params)
    opt.update(params, np.full(5, 0.5, dtype), state, 0.1)
    assert params.dtype == dtype and state.v.dtype == dtype
