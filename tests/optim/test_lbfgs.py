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
        fun, np.zeros(3), callback=lambda i, f, x: seen.append((i, f))
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


def test_scipy_blas_is_limited_to_one_thread_numpys_is_not():
    import os

    from threadpoolctl import threadpool_info

    from skdeep.optim._lbfgs import _quiet_foreign_blas

    def blas_threads():
        return {
            info["filepath"]: info["num_threads"]
            for info in threadpool_info()
            if info["user_api"] == "blas"
        }

    before = blas_threads()
    numpy_dir = os.path.dirname(np.__file__)
    with _quiet_foreign_blas():
        during = blas_threads()
    assert blas_threads() == before  # restored
    for path, threads in during.items():
        is_numpys = path.startswith(numpy_dir) or os.path.basename(
            os.path.dirname(path)
        ).startswith("numpy")
        assert threads == (before[path] if is_numpys else 1), path
