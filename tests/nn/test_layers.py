import numpy as np
import pytest
import scipy.sparse as sp

from skdeep.nn._keys import row_keys, unit_keys
from skdeep.nn.layers import (
    ActivationLayer,
    BatchNorm,
    BatchNormCache,
    Dense,
    Dropout,
    LayerContext,
    Pass,
)
from skdeep.utils import finite_difference_gradient, relative_error


def _context(layer, n, params=(), grads=(), state=(), training=True, input_grad=True):
    ctx = LayerContext(
        layer.buffers(n, np.float64, input_grad), Pass(training), input_grad
    )
    ctx.params, ctx.grads, ctx.state = params, grads, state
    return ctx


def test_dense_forward_and_backward():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(6, 4))
    W = rng.normal(size=(4, 3))
    b = rng.normal(size=3)
    upstream = rng.normal(size=(6, 3))
    layer = Dense(4, 3)
    gW, gb = np.empty_like(W), np.empty_like(b)
    ctx = _context(layer, 6, (W, b), (gW, gb))

    out = layer.forward(X, ctx)
    np.testing.assert_allclose(out, X @ W + b)
    gX = layer.backward(upstream.copy(), ctx)

    def objective(w, x=X, bias=b):
        return float(np.sum((x @ w + bias) * upstream))

    assert relative_error(gW, finite_difference_gradient(objective, W.copy())) < 1e-8
    assert (
        relative_error(
            gb, finite_difference_gradient(lambda v: objective(W, bias=v), b.copy())
        )
        < 1e-8
    )
    assert (
        relative_error(
            gX, finite_difference_gradient(lambda v: objective(W, x=v), X.copy())
        )
        < 1e-8
    )
    # With an L2 strength, the weights' gradient gains lambda * W.
    ctx.run.l2 = 0.5
    layer.forward(X, ctx)
    layer.backward(upstream.copy(), ctx)
    np.testing.assert_allclose(gW, X.T @ upstream + 0.5 * W)


def test_dense_sparse_input_matches_dense():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(8, 5)) * (rng.uniform(size=(8, 5)) < 0.3)
    W = rng.normal(size=(5, 2))
    layer = Dense(5, 2, fit_intercept=False)
    g_dense, g_sparse = np.empty_like(W), np.empty_like(W)
    dense = _context(layer, 8, (W, None), (g_dense, None), input_grad=False)
    sparse = _context(layer, 8, (W, None), (g_sparse, None), input_grad=False)
    np.testing.assert_allclose(
        layer.forward(sp.csr_matrix(X), sparse), layer.forward(X, dense)
    )
    delta = rng.normal(size=(8, 2))
    assert layer.backward(delta, dense) is None  # no input gradient asked for
    layer.forward(sp.csc_matrix(X), sparse)
    layer.backward(delta, sparse)
    np.testing.assert_allclose(g_sparse, g_dense)


def _layers():
    """One instance of every layer kind, with parameters and state to match."""
    rng = np.random.RandomState(3)
    bn = BatchNorm(4)
    yield "dense", Dense(3, 4), (rng.normal(size=(3, 4)), rng.normal(size=4)), ()
    yield "batch_norm", bn, (rng.uniform(0.5, 2, 4), rng.normal(size=4)), ()
    yield "gelu", ActivationLayer("gelu", 4), (), ()
    yield "tanh", ActivationLayer("tanh", 4), (), ()
    yield "dropout", Dropout(0.4, 4), (), ()


@pytest.mark.parametrize("name, layer, params, state", list(_layers()))
def test_every_layer_kind_backpropagates_its_forward(name, layer, params, state):
    rng = np.random.RandomState(0)
    n, n_in = 7, layer.params[0].shape[0] if isinstance(layer, Dense) else 4
    X = rng.normal(size=(n, n_in))
    upstream = rng.normal(size=(n, 4))
    grads = tuple(np.empty_like(p) for p in params)
    ctx = _context(layer, n, params, grads, state)
    if isinstance(layer, Dropout):
        layer.draw_mask(
            row_keys(X, np.ones(n_in), 0),
            unit_keys(0, 0, 4),
            ctx.buffers.mask[:n],
        )
    ctx.run.weight = 1.0 / n

    def objective(x, params=params):
        ctx.params = params
        return float(np.sum(layer.forward(x.copy(), ctx) * upstream))

    objective(X)
    dx = layer.backward(upstream.copy(), ctx)
    numeric = finite_difference_gradient(objective, X.copy())
    assert relative_error(dx, numeric) < 1e-7
    for i, p in enumerate(params):
        objective(X)
        layer.backward(upstream.copy(), ctx)
        analytic = ctx.grads[i].copy()

        def of_param(v, i=i):
            return objective(X, params[:i] + (v,) + params[i + 1 :])

        assert (
            relative_error(analytic, finite_difference_gradient(of_param, p.copy()))
            < 1e-7
        )


# -- dropout -------------------------------------------------------------------


def _mask(rate, X, step=0, seed=0, n_units=300):
    layer = Dropout(rate, n_units)
    out = np.empty((X.shape[0], n_units))
    projection = np.random.default_rng(seed).normal(size=X.shape[1])
    layer.draw_mask(row_keys(X, projection, step), unit_keys(seed, 0, n_units), out)
    return out


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_masks_have_the_rate_and_keep_the_mean(rate):
    X = np.random.RandomState(0).normal(size=(400, 5))
    mask = _mask(rate, X)
    # The rate is a multiple of 2**-16; the scale uses that exact rate.
    values = np.unique(mask)
    assert len(values) == 2 and values[0] == 0.0
    assert values[1] == pytest.approx(1 / (1 - rate), rel=2.0**-15)
    assert (mask == 0).mean() == pytest.approx(rate, abs=0.01)
    assert mask.mean() == pytest.approx(1.0, abs=0.02)  # E[mask] = 1
    # No structure: rows and units are uncorrelated.
    kept = (mask > 0).astype(float)
    corr = np.corrcoef(kept[:, :50].T)
    assert np.abs(corr[np.triu_indices(50, 1)]).max() < 0.25


def test_dropout_masks_depend_on_row_step_and_seed_not_on_the_batch():
    X = np.random.RandomState(0).normal(size=(30, 4))
    mask = _mask(0.5, X)
    # The same rows in another order, or with other rows around them, get
    # the same masks; duplicates share theirs.
    order = np.random.RandomState(1).permutation(30)
    np.testing.assert_array_equal(_mask(0.5, X[order]), mask[order])
    stacked = np.vstack([X[:10], X, X[:3]])
    np.testing.assert_array_equal(_mask(0.5, stacked)[10:40], mask)
    # A new step or seed draws new masks.
    assert (_mask(0.5, X, step=1) != mask).mean() > 0.3
    assert (_mask(0.5, X, seed=1) != mask).mean() > 0.3


# -- batch norm ---------------------------------------------------------------
def test_batch_norm_normalises_and_inference_uses_running_statistics():
    rng = np.random.RandomState(0)
    z = rng.normal(loc=3, scale=2, size=(50, 4))
    bn, cache = BatchNorm(4), BatchNormCache(50, 4, np.float64)
    out = z.copy()
    bn.forward_train(out, np.ones(4), np.zeros(4), cache)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), z.var(axis=0) / (z.var(axis=0) + 1e-5))
    mean, var = np.zeros(4), np.ones(4)
    for _ in range(200):
        bn.update_running(cache, mean, var)
    np.testing.assert_allclose(mean, z.mean(axis=0))
    inference = z.copy()
    bn.forward_inference(inference, np.ones(4), np.zeros(4), mean, var)
    # 0.9**200 ~ 7e-10 of the initial statistics is left in the running ones.
    np.testing.assert_allclose(inference, out, rtol=1e-7, atol=1e-8)


def test_weighted_batch_norm_equals_repeated_rows():
    rng = np.random.RandomState(0)
    z = rng.normal(size=(6, 3))
    counts = np.array([1, 2, 0, 3, 1, 1])
    scale, offset = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    bn = BatchNorm(3)
    weighted, cache_w = z.copy(), BatchNormCache(6, 3, np.float64)
    bn.forward_train(weighted, scale, offset, cache_w, counts / counts.sum())
    repeated = np.repeat(z, counts, axis=0)
    cache_r = BatchNormCache(len(repeated), 3, np.float64)
    bn.forward_train(repeated, scale, offset, cache_r)
    np.testing.assert_allclose(cache_w.mean, cache_r.mean)
    np.testing.assert_allclose(cache_w.var, cache_r.var)
    np.testing.assert_allclose(np.repeat(weighted, counts, axis=0), repeated)
    # Backward: the weighted row's gradient is the sum over its copies.
    upstream = rng.normal(size=(6, 3)) * counts[:, None]
    g_w, gs_w, go_w = upstream.copy(), np.empty(3), np.empty(3)
    bn.backward_batch(g_w, scale, cache_w, gs_w, go_w)
    up_r = np.repeat(upstream / np.maximum(counts, 1)[:, None], counts, axis=0)
    g_r, gs_r, go_r = up_r.copy(), np.empty(3), np.empty(3)
    bn.backward_batch(g_r, scale, cache_r, gs_r, go_r)
    summed = np.zeros_like(z)
    np.add.at(summed, np.repeat(np.arange(6), counts), g_r)
    np.testing.assert_allclose(g_w[counts > 0], summed[counts > 0], atol=1e-12)
    np.testing.assert_allclose(gs_w, gs_r)
    np.testing.assert_allclose(go_w, go_r)
