import numpy as np
import pytest

from skdeep.optim import Adam, decay_weights
from skdeep.optim._base import CHUNK


def test_hand_computed_step():
    params = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    decay_weights(params, 0.1, 0.5, [slice(0, 2), slice(3, 4)])
    # theta <- theta - lr * wd * theta on the pieces: factor 1 - 0.05.
    np.testing.assert_allclose(params, [0.95, 1.9, 3.0, 3.8, 5.0], rtol=1e-15)
    assert params[2] == 3.0 and params[4] == 5.0  # outside the pieces: untouched


def test_per_parameter_rates_hand_computed():
    params = np.array([1.0, 2.0, 3.0, 4.0])
    rates = np.array([0.1, 0.2, 0.4, 0.8])
    decay_weights(params, rates, 0.5, [slice(1, 4)])
    np.testing.assert_allclose(params, [1.0, 1.8, 2.4, 2.4], rtol=1e-15)


def test_equal_rates_are_the_float_path_bit_for_bit():
    rng = np.random.default_rng(0)
    size = 2 * CHUNK + 10  # pieces longer than a chunk
    params = rng.normal(size=size)
    pieces = [slice(5, CHUNK + 7), slice(CHUNK + 20, size)]
    expected, got = params.copy(), params.copy()
    decay_weights(expected, 0.013, 0.7, pieces)
    decay_weights(got, np.full(size, 0.013), 0.7, pieces)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got[:5], params[:5])
    np.testing.assert_array_equal(
        got[CHUNK + 7 : CHUNK + 20], params[CHUNK + 7 : CHUNK + 20]
    )


def test_two_rates_are_two_separate_calls():
    rng = np.random.default_rng(1)
    params = rng.normal(size=100)
    rates = np.r_[np.full(40, 0.01), np.full(60, 0.3)]
    got, expected = params.copy(), params.copy()
    decay_weights(got, rates, 0.2, [slice(10, 90)])
    decay_weights(expected, 0.01, 0.2, [slice(10, 40)])
    decay_weights(expected, 0.3, 0.2, [slice(40, 90)])
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "learning_rate", [0.1, np.full(6, 0.1)], ids=["float", "vector"]
)
def test_nothing_to_do(learning_rate):
    params = np.arange(6.0)
    decay_weights(params, learning_rate, 0.0, [slice(None)])
    decay_weights(params, learning_rate, 0.5, [])
    np.testing.assert_array_equal(params, np.arange(6.0))


@pytest.mark.parametrize(
    "learning_rate", [0.1, np.full(6, 0.1)], ids=["float", "vector"]
)
def test_pieces_must_be_contiguous(learning_rate):
    with pytest.raises(ValueError, match="contiguous"):
        decay_weights(np.ones(6), learning_rate, 0.5, [slice(0, 6, 2)])


@pytest.mark.parametrize(
    "learning_rate", [0.1, np.full(6, 0.1, np.float32)], ids=["float", "vector"]
)
def test_float32_stays_float32(learning_rate):
    params = np.ones(6, np.float32)
    decay_weights(params, learning_rate, 0.5, [slice(None)])
    assert params.dtype == np.float32
    np.testing.assert_allclose(params, 0.95, rtol=1e-7)


# -- AdamW: Adam's step plus the decay -----------------------------------------


def _adamw_reference(theta, grads, rates, b1, b2, eps, wd, decayed, pytorch_order):
    """Textbook AdamW (Loshchilov & Hutter, Algorithm 2), in plain NumPy.

    ``rates`` are the step's learning rates (scalars or per-parameter arrays);
    ``decayed`` masks the parameters that get weight decay.
    """
    theta = theta.copy()
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t, (g, lr) in enumerate(zip(grads, rates, strict=True), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        if pytorch_order:  # torch.optim.AdamW: shrink first, then Adam's step
            theta = theta * np.where(decayed, 1 - lr * wd, 1.0)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        else:
            theta = theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + wd * decayed * theta)
    return theta


def _adamw_ours(theta, grads, rates, adam, wd, pieces):
    theta = theta.copy()
    state = adam.init(theta)
    for g, lr in zip(grads, rates, strict=True):
        decay_weights(theta, lr, wd, pieces)
        adam.update(theta, g.copy(), state, lr)
    return theta


@pytest.mark.parametrize("per_parameter", [False, True])
@pytest.mark.parametrize("pytorch_order", [False, True])
def test_adam_with_decay_is_adamw(per_parameter, pytorch_order):
    # skdeep's Adam adds epsilon to sqrt(v) (Kingma & Ba's "efficient" form,
    # as scikit-learn), the textbook to sqrt(v_hat): they agree for
    # epsilon = 0, which the nonzero random gradients allow.
    rng = np.random.default_rng(2)
    n_params, n_steps, b1, b2, wd = 12, 25, 0.9, 0.95, 0.02
    theta = rng.normal(size=n_params)
    grads = [rng.normal(size=n_params) for _ in range(n_steps)]
    # a cosine-like schedule; per parameter, the last third at half the rate
    rates = [0.04 * 0.5 * (1 + np.cos(np.pi * k / n_steps)) for k in range(n_steps)]
    if per_parameter:
        factors = np.r_[np.ones(8), np.full(4, 0.5)]
        rates = [rate * factors for rate in rates]
    pieces = [slice(0, 5), slice(6, 10)]  # e.g. weights; the rest are biases
    decayed = np.zeros(n_params)
    for piece in pieces:
        decayed[piece] = 1.0
    expected = _adamw_reference(
        theta, grads, rates, b1, b2, 0.0, wd, decayed, pytorch_order
    )
    got = _adamw_ours(theta, grads, rates, Adam(b1, b2, 0.0), wd, pieces)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # the decay did act: without it the result is elsewhere
    plain = _adamw_ours(theta, grads, rates, Adam(b1, b2, 0.0), 0.0, pieces)
    assert np.abs(plain - expected)[decayed == 1].min() > 1e-6


def test_matches_torch_adamw():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    n_params, n_steps, b1, b2, wd = 10, 30, 0.9, 0.95, 0.05
    theta = rng.normal(size=n_params)
    grads = [rng.normal(size=n_params) for _ in range(n_steps)]
    rates = [0.01 * (1 + k % 3) for k in range(n_steps)]
    tensor = torch.tensor(theta.copy(), dtype=torch.float64, requires_grad=True)
    # epsilon = 0: torch adds it to sqrt(v_hat), skdeep to sqrt(v) (see above)
    opt = torch.optim.AdamW(
        [tensor], lr=rates[0], betas=(b1, b2), eps=0.0, weight_decay=wd
    )
    for g, lr in zip(grads, rates, strict=True):
        for group in opt.param_groups:
            group["lr"] = lr
        tensor.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    got = _adamw_ours(theta, grads, rates, Adam(b1, b2, 0.0), wd, [slice(None)])
    np.testing.assert_allclose(got, tensor.detach().numpy(), rtol=1e-12, atol=1e-12)
