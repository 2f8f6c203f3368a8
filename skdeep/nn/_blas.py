"""In-place vector updates through BLAS, without temporaries."""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import get_blas_funcs

__all__ = ["axpy"]


def axpy(a: float, x: np.ndarray, y: np.ndarray) -> None:
    """Compute ``y += a * x`` in place.

    ``y += a * x`` in NumPy allocates ``a * x`` first; BLAS ``axpy`` does not.

    Parameters
    ----------
    a : float
        Scale.
    x : ndarray of shape (n,)
        Contiguous vector.
    y : ndarray of shape (n,)
        Contiguous vector of the same dtype as ``x``; updated in place.
    """
    if not (y.flags.c_contiguous and x.flags.c_contiguous and x.dtype == y.dtype):
        y += a * x
        return
    out = get_blas_funcs("axpy", (x, y))(x, y, a=a)
    if out is not y and not np.shares_memory(out, y):  # pragma: no cover
        y[...] = out
