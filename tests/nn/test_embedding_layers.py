import numpy as np
import pytest
import scipy.sparse as sp

from skdeep.nn import EMBEDDINGS, CategoryEmbedding, FrontScale, PeriodicEmbedding
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
        "pbld, subset": PeriodicEmbedding(
            4, embedded=[2, 0], **{**EMBEDDINGS["pbld"], "n_frequencies": 3}
        ),
        "phases, relu": PeriodicEmbedding(
            4, n_frequencies=2, n_units=2, sigma=0.5, phases=True
        ),
        "keep input": PeriodicEmbedding(4, n_frequencies=2, n_units=2, keep_input=True),
    }


def _reference(layer, x, params):
    """The layer's function, written the obvious (slow) way."""
    if isinstance(layer, FrontScale):
        return x * params[0]
    if layer.phases:
        frequencies, phases, coefs, intercepts = params
    else:
        frequencies, coefs, intercepts = params
    parts = []
    for j, column in enumerate(layer.embedded):
        angles = 2 * np.pi * np.outer(x[:, column], frequencies[j])
        if layer.phases:
            codes = np.cos(angles + phases[j])
        else:
            codes = np.hstack([np.sin(angles), np.cos(angles)])
        z = codes @ coefs[j] + intercepts[j]
        parts.append(np.maximum(z, 0) if layer.activation else z)
        if layer.keep_input:
            parts.append(x[:, [column]])
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


def test_pbld_has_realmlp_shape():
    # 16 frequencies with phases, 3 linear units and the feature: 4 columns each.
    layer = PeriodicEmbedding(5, embedded=[0, 1, 2], **EMBEDDINGS["pbld"])
    assert layer.n_outputs == 3 * 4 + 2
    assert [spec.group for spec in layer.params] == [
        "frequencies",
        "embedding_phases",
        "embedding_coefs",
        "embedding_intercepts",
    ]
    assert [spec.shape for spec in layer.params][2] == (3, 16, 3)


def _category_reference(layer, x, table):
    parts = [x[:, layer.passthrough]]
    for j, column in enumerate(layer.embedded):
        codes = x[:, column]
        valid = (codes >= 0) & (codes < layer.cardinalities[j])
        codes = np.where(valid, codes, 0).astype(int)
        parts.append(table[layer.offsets[j] + codes])
    return np.hstack(parts)


def _category_setup(dtype, n=9):
    layer = CategoryEmbedding(4, embedded=[3, 1], cardinalities=[3, 5], n_units=2)
    rng = np.random.RandomState(0)
    x = rng.normal(size=(n, 4))
    x[:, 3] = rng.randint(0, 3, n)
    x[:, 1] = rng.randint(0, 5, n)
    x[0, 1], x[1, 1], x[2, 3] = 7, -1, np.nan  # outside the codes: read as 0
    (table,) = layer.init_params(rng, dtype, None)
    return layer, x.astype(dtype), table


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_category_embedding_forward_and_gradient(dtype):
    layer, x, table = _category_setup(dtype)
    assert np.all(table[layer.offsets] == 0)  # the "missing" rows start at zero
    ctx = LayerContext(layer.buffers(12, dtype, False), Pass(training=True), False)
    ctx.params, ctx.grads = (table,), (np.full_like(table, np.nan),)
    out = layer.forward(x, ctx)
    expected = _category_reference(layer, x.astype(float), table.astype(float))
    np.testing.assert_allclose(out, expected, atol=1e-6)
    np.testing.assert_array_equal(layer.infer(x, (table,), ()), out)
    weights = np.random.RandomState(1).normal(size=out.shape)
    assert layer.backward(weights.astype(dtype), ctx) is None

    def objective(values):
        return float(
            np.sum(_category_reference(layer, x.astype(float), values) * weights)
        )

    numeric = finite_difference_gradient(objective, table.astype(float))
    bound = 1e-7 if dtype == np.float64 else 1e-4
    assert relative_error(ctx.grads[0].astype(float), numeric) < bound


@pytest.mark.parametrize(
    "kwargs",
    [
        {"embedded": [], "cardinalities": []},
        {"embedded": [0], "cardinalities": [2, 3]},
        {"embedded": [0], "cardinalities": [0]},
        {"embedded": [5], "cardinalities": [2]},
        {"embedded": [0], "cardinalities": [2], "n_units": 0},
    ],
)
def test_bad_category_embedding_options(kwargs):
    with pytest.raises(ValueError):
        CategoryEmbedding(3, **kwargs)
