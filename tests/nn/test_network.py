import numpy as np
import pytest
import scipy.sparse as sp

from skdeep.nn import ACTIVATIONS, Network
from skdeep.utils import finite_difference_gradient, relative_error

LOSS_TARGETS = {
    "log_loss": lambda rng, n, k: rng.randint(0, k, size=n),
    "binary_log_loss": lambda rng, n, k: rng.randint(0, 2, size=(n, k)).astype(float),
}


def _objective(net, X, target, weight, l2):
    def fun(flat):
        params = net.unpack(flat)
        grads = net.unpack(np.empty_like(flat))
        ws = net.workspace(X.shape[0], flat.dtype)
        return net.loss_gradient(params, grads, X, target, weight, l2, ws)

    return fun


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", sorted(LOSS_TARGETS))
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_network_gradient_matches_finite_differences(
    activation, loss, fit_intercept, weighted
):
    rng = np.random.RandomState(0)
    n, k = 7, 3
    net = Network([4, 5, 3, k], activation, loss, fit_intercept)
    X = rng.normal(size=(n, 4))
    target = LOSS_TARGETS[loss](rng, n, k)
    weight = rng.uniform(0.1, 1, size=n) if weighted else 1.0 / n
    params = net.init_params(rng, np.float64)
    grads = net.unpack(np.empty(net.n_params))
    ws = net.workspace(n, np.float64)
    net.loss_gradient(params, grads, X, target, weight, 0.3, ws)

    numeric = finite_difference_gradient(
        _objective(net, X, target, weight, 0.3), params.flat.copy()
    )
    assert relative_error(grads.flat, numeric) < 1e-6


def test_single_unit_network_gradient():
    rng = np.random.RandomState(3)
    net = Network([6, 1], "identity", "binary_log_loss")
    X = rng.normal(size=(10, 6))
    t = rng.randint(0, 2, size=(10, 1)).astype(float)
    params = net.init_params(rng, np.float64)
    grads = net.unpack(np.empty(net.n_params))
    net.loss_gradient(params, grads, X, t, 0.1, 0.0, net.workspace(10, np.float64))
    numeric = finite_difference_gradient(
        _objective(net, X, t, 0.1, 0.0), params.flat.copy()
    )
    assert relative_error(grads.flat, numeric) < 1e-7


def test_l2_penalises_weights_only():
    rng = np.random.RandomState(0)
    net = Network([3, 2, 2], "relu", "log_loss", batch_norm=True)
    params = net.init_params(rng, np.float64)
    X, y = rng.normal(size=(6, 3)), rng.randint(0, 2, 6)
    plain, penalised = (net.unpack(np.empty(net.n_params)) for _ in range(2))
    workspace = net.workspace(6, np.float64)
    base = net.loss_gradient(params, plain, X, y, 1 / 6, 0.0, workspace)
    value = net.loss_gradient(params, penalised, X, y, 1 / 6, 2.0, workspace)
    coefs = np.concatenate([c.ravel() for c in params.coefs])
    assert value - base == pytest.approx(0.5 * 2.0 * coefs @ coefs)
    assert net.l2_penalty(params, 2.0) == pytest.approx(0.5 * 2.0 * coefs @ coefs)
    for g, g0, c in zip(penalised.coefs, plain.coefs, params.coefs, strict=True):
        np.testing.assert_allclose(g - g0, 2.0 * c)
    others = slice(net.n_coef_params, None)  # biases, batch-norm scales/offsets
    np.testing.assert_array_equal(penalised.flat[others], plain.flat[others])


def test_unpack_returns_views_of_one_vector():
    net = Network([3, 4, 2], "tanh", "log_loss")
    flat = np.zeros(net.n_params)
    params = net.unpack(flat)
    assert [c.shape for c in params.coefs] == [(3, 4), (4, 2)]
    assert [b.shape for b in params.intercepts] == [(4,), (2,)]
    params.coefs[1][0, 0] = 5.0
    params.intercepts[0][2] = 7.0
    assert flat.sum() == 12.0
    assert all(np.shares_memory(c, flat) for c in params.coefs)
    with pytest.raises(ValueError, match="Expected a vector of"):
        net.unpack(np.zeros(3))


def test_chunked_full_batch_equals_one_batch():
    rng = np.random.RandomState(0)
    net = Network([5, 8, 3], "relu", "log_loss")
    X = rng.normal(size=(50, 5))
    codes = rng.randint(0, 3, size=50)
    w = rng.uniform(size=50)
    w /= w.sum()
    params = net.init_params(rng, np.float64)
    g1 = net.unpack(np.empty(net.n_params))
    g2 = net.unpack(np.empty(net.n_params))
    l1 = net.loss_gradient(params, g1, X, codes, w, 0.1, net.workspace(50, np.float64))
    l2 = net.loss_gradient_chunked(
        params, g2, X, codes, w, 0.1, net.workspace(16, np.float64)
    )
    assert l2 == pytest.approx(l1, rel=1e-12)
    np.testing.assert_allclose(g2.flat, g1.flat, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_raw_in_chunks_matches_forward(dtype):
    rng = np.random.RandomState(0)
    net = Network([5, 7, 4], "logistic", "log_loss")
    params = net.init_params(rng, dtype)
    X = rng.normal(size=(23, 5)).astype(dtype)
    full = net.forward(params, X, net.workspace(23, dtype)).copy()
    chunked = net.predict_raw(params, X, chunk_rows=4)
    assert chunked.dtype == dtype
    np.testing.assert_allclose(
        chunked, full, rtol=1e-6 if dtype == np.float32 else 1e-12
    )
    sparse = net.predict_raw(params, sp.csr_matrix(X), chunk_rows=5)
    np.testing.assert_allclose(
        sparse, full, rtol=1e-5 if dtype == np.float32 else 1e-12
    )
    assert net.predict_raw(params, X[:0]).shape == (0, 4)


def test_init_matches_mlpclassifier_scheme():
    # Same draws, in the same order, as MLPClassifier._init_coef.
    net = Network([4, 3, 2], "logistic", "log_loss")
    params = net.init_params(np.random.RandomState(42), np.float64)
    rng = np.random.RandomState(42)
    for (fan_in, fan_out), coef, bias in zip(
        [(4, 3), (3, 2)], params.coefs, params.intercepts, strict=True
    ):
        bound = np.sqrt(2.0 / (fan_in + fan_out))
        np.testing.assert_array_equal(
            coef, rng.uniform(-bound, bound, (fan_in, fan_out))
        )
        np.testing.assert_array_equal(bias, rng.uniform(-bound, bound, fan_out))


def test_invalid_layer_units():
    with pytest.raises(ValueError, match="Invalid layer_units"):
        Network([3], "relu", "log_loss")
    with pytest.raises(ValueError, match="Invalid layer_units"):
        Network([3, 0, 2], "relu", "log_loss")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_raw_is_the_inference_forward_pass_for_every_layer_kind(dtype):
    # predict_raw runs each layer's infer(); it must be forward() in
    # inference mode: dropout off, batch norm with the running statistics.
    rng = np.random.RandomState(0)
    net = Network([5, 7, 6, 4], "gelu", "log_loss", dropout=0.3, batch_norm=True)
    params = net.init_params(rng, dtype)
    stats = net.init_stats(dtype)
    for group in (stats.means, stats.variances):
        for array in group:
            array[:] = rng.uniform(0.5, 2.0, size=array.shape)
    for group in (params.bn_scales, params.bn_offsets):
        for array in group:
            array[:] = rng.normal(size=array.shape)
    X = rng.normal(size=(23, 5)).astype(dtype)
    full = net.forward(params, X, net.workspace(23, dtype), stats=stats).copy()
    X_before = X.copy()
    for rows in (4, 2048):
        np.testing.assert_array_equal(
            net.predict_raw(params, X, chunk_rows=rows, stats=stats), full
        )
    np.testing.assert_array_equal(X, X_before)  # the input is never written


def test_a_layer_without_its_own_infer_runs_forward():
    from skdeep.nn.layers import Layer

    class Double(Layer):
        def forward(self, x, ctx):
            assert not ctx.run.training
            x *= 2
            return x

    x = np.ones((3, 2))
    np.testing.assert_array_equal(Double().infer(x, (), ()), np.full((3, 2), 2.0))
