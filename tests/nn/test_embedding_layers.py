import numpy as np
import pytest
import scipy.sparse as sp

from skdeep.nn import FrontScale, PeriodicEmbedding
from skdeep.nn.layers import LayerContext, Pass
from skdeep.utils import finite_difference_gradient, relative_error


def _layers():
    return {
        "front scale": FrontScale(4),
        "periodic, all": PeriodicEmbedding(4, n_frequencies=3, n_units=2, sigma=0.5),
        "periodic, subset": PeriodicEmbedding(
            4, n_frequencies=2, n_units=3, sigma=0.7, embedded=[3, 1]
        ),
        "periodic, linear": PeriodicEmbedding(
            4, n_frequencies=3, n_units=2, sigma=0.5, activation=False
        ),
    }


def _reference(layer, x, params):
    """The layer's function, written the obvious (slow) way."""
    if isinstance(layer, FrontScale):
        return x * params[0]
    frequencies, coefs, intercepts = params
    parts = []
    for j, column in enumerate(layer.embedded):
        angles = 2 * np.pi * np.outer(x[:, column], frequencies[j])
        z = np.hstack([np.sin(angles), np.cos(angles)]) @ coefs[j] + intercepts[j]
        parts.append(np.maximum(z, 0) if layer.activation else z)
    parts.append(x[:, layer.passthrough])
    return np.hstack(parts)


def _setup(layer, dtype, n=7):
    rng = np.random.RandomState(0)
    x = rng.normal(size=(n, 4)).astype(dtype)
    params = [p.astype(dtype) for p in layer.init_params(rng, dtype, None)]
    if isinstance(layer, FrontScale):
        params = [rng.uniform(0.5, 2, 4).astype(dtype)]
    return x, params


@pytest.mark.parametrize("name", list(_layers()))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_and_infer_match_the_formula(name, dtype):
    layer = _layers()[name]
    x, params = _setup(layer, dtype)
    original = x.copy()
    ctx = LayerContext(layer.buffers(10, dtype, True), Pass(training=True), True)
    ctx.params = tuple(params)
    out = layer.forward(x, ctx)
    expected = _reference(layer, x.astype(float), [p.astype(float) for p in params])
    assert out.dtype == dtype and out.shape == (7, layer.n_outputs)
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out, expected, atol=tolerance)
    np.testing.assert_array_equal(layer.infer(x, tuple(params), ()), out)
    np.testing.assert_array_equal(x, original)  # the input is never written


@pytest.mark.parametrize("name", list(_layers()))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradients_match_finite_differences(name, dtype):
    layer = _layers()[name]
    x, params = _setup(layer, dtype)
    weights = np.random.RandomState(1).normal(size=(7, layer.n_outputs))
    ctx = LayerContext(layer.buffers(9, dtype, True), Pass(training=True), True)
    ctx.params = tuple(params)
    ctx.grads = tuple(np.empty_like(p) for p in params)
    layer.forward(x, ctx)
    dx = layer.backward(weights.astype(dtype), ctx)
    grads = [g.astype(float) for g in ctx.grads]

    # Finite differences of sum(f(x) * weights) in float64, at the same point.
    x64, params64 = x.astype(float), [p.astype(float) for p in params]

    def objective(values, which):
        args = list(params64)
        point = x64
        if which is None:
            point = values
        else:
            args[which] = values
        return float(np.sum(_reference(layer, point, args) * weights))

    bound = 1e-7 if dtype == np.float64 else 1e-4
    for i, grad in enumerate(grads):
        numeric = finite_difference_gradient(
            lambda v, i=i: objective(v, i), params64[i].copy()
        )
        assert relative_error(grad, numeric) < bound, i
    numeric = finite_difference_gradient(lambda v: objective(v, None), x64.copy())
    assert relative_error(dx, numeric) < bound


def test_no_input_gradient_when_not_asked():
    layer = PeriodicEmbedding(3, n_frequencies=2, n_units=2)
    x, params = np.ones((2, 3)), layer.init_params(np.random.RandomState(0), float, 0)
    ctx = LayerContext(layer.buffers(2, float, False), Pass(training=True), False)
    ctx.params, ctx.grads = params, tuple(np.empty_like(p) for p in params)
    layer.forward(x, ctx)
    assert layer.backward(np.ones((2, layer.n_outputs)), ctx) is None


@pytest.mark.parametrize("name", list(_layers()))
def test_sparse_input_is_densified(name):
    layer = _layers()[name]
    x, params = _setup(layer, np.float64)
    x[x < 0] = 0
    expected = layer.infer(x, tuple(params), ())
    actual = layer.infer(sp.csr_matrix(x), tuple(params), ())
    np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize(
    "kwargs", [{"n_frequencies": 0}, {"sigma": 0.0}, {"embedded": []}]
)
def test_bad_embedding_options(kwargs):
    with pytest.raises(ValueError):
        PeriodicEmbedding(3, **kwargs)
