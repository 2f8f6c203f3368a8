import numpy as np
import pytest

from skdeep.optim import LBFGS


def test_minimizes_a_quadratic():
    A = np.diag([1.0, 10.0, 100.0])
    b = np.array([1.0, -2.0, 3.0])

    def fun(x):
        return 0.5 * x @ A @ x - b @ x, A @ x - b

    seen = []
    res = LBFGS(max_iter=100, tol=1e-10).minimize(
        fun, np.zeros(3), callback=lambda i, f: seen.append((i, f))
    )
    assert res.converged
    np.testing.assert_allclose(res.x, np.linalg.solve(A, b), rtol=1e-5)
    assert res.n_iter == len(res.losses) == len(seen)
    assert res.losses == sorted(res.losses, reverse=True)
    assert res.fun == pytest.approx(res.losses[-1])


def test_reports_non_convergence():
    def fun(x):
        return float(np.sum(np.cosh(x))), np.sinh(x)

    res = LBFGS(max_iter=1, tol=1e-12).minimize(fun, np.full(4, 3.0))
    assert not res.converged
    assert res.n_iter == 1
