import numpy as np
import scipy.sparse as sp

from skdeep.nn import Dense
from skdeep.utils import finite_difference_gradient, relative_error


def test_dense_forward_and_backward():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(6, 4))
    W = rng.normal(size=(4, 3))
    b = rng.normal(size=3)
    upstream = rng.normal(size=(6, 3))
    layer = Dense(4, 3)

    out = np.empty((6, 3))
    layer.forward(X, W, b, out)
    np.testing.assert_allclose(out, X @ W + b)

    gW, gb, gX = np.empty_like(W), np.empty_like(b), np.empty_like(X)
    layer.backward(X, upstream, W, gW, gb, gX)

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


def test_dense_sparse_input_matches_dense():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(8, 5)) * (rng.uniform(size=(8, 5)) < 0.3)
    W = rng.normal(size=(5, 2))
    layer = Dense(5, 2, fit_intercept=False)
    dense_out, sparse_out = np.empty((8, 2)), np.empty((8, 2))
    layer.forward(X, W, None, dense_out)
    layer.forward(sp.csr_matrix(X), W, None, sparse_out)
    np.testing.assert_allclose(sparse_out, dense_out)
    delta = rng.normal(size=(8, 2))
    g_dense, g_sparse = np.empty_like(W), np.empty_like(W)
    layer.backward(X, delta, W, g_dense, None)
    layer.backward(sp.csc_matrix(X), delta, W, g_sparse, None)
    np.testing.assert_allclose(g_sparse, g_dense)
