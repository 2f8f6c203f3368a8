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
    r"""Largest relative difference between two gradients.

    Parameters
    ----------
    a, b : ndarray
        Arrays of the same shape.

    Returns
    -------
    error : float
        :math:`\max_i |a_i - b_i| / \max(|a_i| + |b_i|, 10^{-8})`; zero means
        identical.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.utils import relative_error
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a) + np.abs(b), 1e-8)
    return float(np.max(np.abs(a - b) / scale)) if a.size else 0.0
