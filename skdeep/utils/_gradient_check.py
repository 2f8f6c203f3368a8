"""Finite-difference gradients: the reference for every analytic gradient."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["finite_difference_gradient", "relative_error"]


def finite_difference_gradient(
    fun: Callable[[np.ndarray], float], x: np.ndarray, epsilon: float = 1e-6
) -> np.ndarray:
    r"""Centred finite-difference gradient of a scalar function.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float``; must not keep a reference to ``x``.
    x : ndarray
        Point of evaluation; perturbed in place one entry at a time and
        restored afterwards.
    epsilon : float, default=1e-6
        Step :math:`h`.

    Returns
    -------
    grad : ndarray of the shape of ``x``
        :math:`\frac{f(x + h e_i) - f(x - h e_i)}{2h}` for every entry.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.utils import finite_difference_gradient
    >>> g = finite_difference_gradient(lambda v: float(v @ v), np.array([1.0, -2.0]))
    >>> np.round(g, 6)
    array([ 2., -4.])
    """
    grad = np.empty(x.shape, dtype=np.float64)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + epsilon
        f_plus = fun(x)
        flat[i] = old - epsilon
        f_minus = fun(x)
        flat[i] = old
        out[i] = (f_plus - f_minus) / (2 * epsilon)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r"""Relative difference between two gradients, the usual gradient-check measure.

    Parameters
    ----------
    a, b : ndarray
        Arrays of the same shape.

    Returns
    -------
    error : float
        :math:`\lVert a - b \rVert_2 / (\lVert a \rVert_2 + \lVert b \rVert_2)`,
        zero for identical arrays (and for two zero arrays). Values below
        about 1e-7 mean agreement in float64; finite differences cannot do
        much better.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.utils import relative_error
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    >>> relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    0.7071...
    """
    a, b = (
        np.asarray(a, dtype=np.float64).ravel(),
        np.asarray(b, dtype=np.float64).ravel(),
    )
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0
