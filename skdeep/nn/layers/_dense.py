"""Fully connected (dense) layer."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["Dense"]


class Dense:
    r"""Fully connected layer, :math:`Z = X W + b`.

    The layer holds no parameters of its own: weights and gradients are views
    into the network's flat parameter vector, and outputs are written into
    buffers owned by the caller, so a training step allocates nothing.

    Parameters
    ----------
    n_inputs : int
        Number of input features, ``fan_in``.
    n_units : int
        Number of units, ``fan_out``.
    fit_intercept : bool, default=True
        Whether the layer has a bias :math:`b`.

    Notes
    -----
    Forward and backward rules, for a batch :math:`X` of shape
    (n_samples, n_inputs) and :math:`\Delta = \partial L / \partial Z`:

    .. math::

        Z = X W + b, \qquad
        \frac{\partial L}{\partial W} = X^\top \Delta, \qquad
        \frac{\partial L}{\partial b} = \mathbf{1}^\top \Delta, \qquad
        \frac{\partial L}{\partial X} = \Delta W^\top.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dense
    >>> X, W, b = np.ones((2, 3)), np.full((3, 4), 0.5), np.arange(4.0)
    >>> out = np.empty((2, 4))
    >>> Dense(3, 4).forward(X, W, b, out)
    array([[1.5, 2.5, 3.5, 4.5],
           [1.5, 2.5, 3.5, 4.5]])
    """

    def __init__(self, n_inputs: int, n_units: int, fit_intercept: bool = True):
        self.n_inputs = n_inputs
        self.n_units = n_units
        self.fit_intercept = fit_intercept

    def _ones(self, n: int, dtype) -> np.ndarray:
        ones = getattr(self, "_ones_cache", None)
        if ones is None or ones.shape[0] < n or ones.dtype != dtype:
            ones = self._ones_cache = np.ones(n, dtype=dtype)
        return ones[:n]

    def forward(
        self,
        X: np.ndarray | sp.spmatrix,
        coef: np.ndarray,
        intercept: np.ndarray | None,
        out: np.ndarray,
    ) -> np.ndarray:
        """Compute ``X @ coef + intercept`` into ``out``.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            Input batch; a sparse batch is multiplied without densifying it.
        coef : ndarray of shape (n_inputs, n_units)
            Weights.
        intercept : ndarray of shape (n_units,) or None
            Bias, or None for a layer without one.
        out : ndarray of shape (n_samples, n_units)
            C-contiguous buffer receiving the result.

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            The filled buffer.
        """
        if sp.issparse(X):
            np.copyto(out, X @ coef)
        else:
            np.dot(X, coef, out=out)
        if intercept is not None:
            out += intercept
        return out

    def backward(
        self,
        X: np.ndarray | sp.spmatrix,
        delta: np.ndarray,
        coef: np.ndarray,
        coef_grad: np.ndarray,
        intercept_grad: np.ndarray | None,
        input_grad: np.ndarray | None = None,
    ) -> None:
        r"""Write the parameter gradients and, optionally, the input gradient.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            The input the forward pass saw.
        delta : ndarray of shape (n_samples, n_units)
            Gradient of the objective with respect to the layer's output.
        coef : ndarray of shape (n_inputs, n_units)
            Weights.
        coef_grad : ndarray of shape (n_inputs, n_units)
            Receives :math:`X^\top \Delta`.
        intercept_grad : ndarray of shape (n_units,) or None
            Receives the column sums of ``delta``.
        input_grad : ndarray of shape (n_samples, n_inputs), default=None
            Receives :math:`\Delta W^\top`; skipped for the first layer.
        """
        if sp.issparse(X):
            np.copyto(coef_grad, X.T @ delta)
        else:
            np.dot(X.T, delta, out=coef_grad)
        if intercept_grad is not None:
            # A matrix-vector product sums columns about twice as fast as
            # np.sum(axis=0) on row-major data.
            ones = self._ones(delta.shape[0], delta.dtype)
            np.dot(ones, delta, out=intercept_grad)
        if input_grad is not None:
            np.dot(delta, coef.T, out=input_grad)
