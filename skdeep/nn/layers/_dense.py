"""Fully connected (dense) layer."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._base import Layer, LayerContext, ParamSpec, row_sums

__all__ = ["Dense"]


class _DenseBuffers:
    __slots__ = ("input_grad", "ones", "out", "scratch")

    def __init__(self, lead, n_rows, n_inputs, n_units, dtype, input_grad):
        self.out = np.empty((*lead, n_rows, n_units), dtype=dtype)
        self.input_grad = (
            np.empty((*lead, n_rows, n_inputs), dtype=dtype) if input_grad else None
        )
        # Holds alpha * W for the L2 gradient, so no batch allocates it.
        self.scratch = np.empty((*lead, n_inputs, n_units), dtype=dtype)
        self.ones = np.ones(n_rows, dtype=dtype)


class Dense(Layer):
    r"""Fully connected layer, :math:`Z = X W + b`.

    Its weights are the only L2-penalised parameters of a network: they are
    the ``'coefs'`` group, which the network stores first in its flat vector.

    Parameters
    ----------
    n_inputs : int
        Number of input features, ``fan_in``.
    n_units : int
        Number of units, ``fan_out``.
    fit_intercept : bool, default=True
        Whether the layer has a bias :math:`b`.
    n_members : int or None, default=None
        Members of a pack: ``n_members`` independent layers whose weights
        are stacked, ``(n_members, n_inputs, n_units)``, applied by one
        batched product; None is a single layer.

    Notes
    -----
    Forward and backward rules, for a batch :math:`X` of shape
    (n_samples, n_inputs) and :math:`\Delta = \partial L / \partial Z`:

    .. math::

        Z = X W + b, \qquad
        \frac{\partial L}{\partial W} = X^\top \Delta + \lambda W, \qquad
        \frac{\partial L}{\partial b} = \mathbf{1}^\top \Delta, \qquad
        \frac{\partial L}{\partial X} = \Delta W^\top,

    with :math:`\lambda` the L2 strength of the pass.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.layers import Dense, LayerContext, Pass
    >>> layer = Dense(3, 4)
    >>> ctx = LayerContext(layer.buffers(2, float, True), Pass(), input_grad=True)
    >>> ctx.params = (np.full((3, 4), 0.5), np.arange(4.0))
    >>> layer.forward(np.ones((2, 3)), ctx)
    array([[1.5, 2.5, 3.5, 4.5],
           [1.5, 2.5, 3.5, 4.5]])
    """

    def __init__(
        self,
        n_inputs: int,
        n_units: int,
        fit_intercept: bool = True,
        n_members: int | None = None,
    ):
        self.fit_intercept = fit_intercept
        self.n_members = n_members
        self.params = (
            ParamSpec("coefs", (n_inputs, n_units)),
            ParamSpec("intercepts", (n_units,) if fit_intercept else None, "biases"),
        )

    def init_params(self, rng, dtype, initializer) -> tuple:
        """Draw the weights (and bias) from ``initializer``.

        Parameters
        ----------
        rng : numpy.random.RandomState or numpy.random.Generator
            Source of randomness.
        dtype : numpy.dtype
            Floating dtype.
        initializer : callable
            ``initializer(rng, fan_in, fan_out, dtype=dtype) -> (coef,
            intercept)``;
            the bias is drawn even without intercept, so that the random
            stream does not depend on ``fit_intercept``.

        Returns
        -------
        values : tuple of ndarray
            ``(coef, intercept)``, or ``(coef,)`` without intercept.
        """
        coef, intercept = initializer(rng, *self.params[0].shape, dtype=dtype)
        return (coef, intercept) if self.fit_intercept else (coef,)

    def buffers(self, n_rows: int, dtype, input_grad: bool) -> _DenseBuffers:
        """Output, input-gradient and L2 scratch buffers.

        Parameters
        ----------
        n_rows : int
            Largest batch.
        dtype : numpy.dtype
            Floating dtype.
        input_grad : bool
            Whether to make a buffer for the gradient at the input.

        Returns
        -------
        buffers : object
        """
        n_inputs, n_units = self.params[0].shape
        return _DenseBuffers(self.lead, n_rows, n_inputs, n_units, dtype, input_grad)

    def forward(self, x, ctx: LayerContext) -> np.ndarray:
        """Compute ``x @ coef + intercept`` into the output buffer.

        Parameters
        ----------
        x : {ndarray, sparse matrix} of shape ([n_members,] n_samples, n_inputs)
            Input batch; a sparse batch is multiplied without densifying it.
        ctx : LayerContext
            Views and buffers; keeps ``x`` for :meth:`backward`.

        Returns
        -------
        z : ndarray of shape ([n_members,] n_samples, n_units)
        """
        coef = ctx.params[0]
        out = ctx.buffers.out[..., : x.shape[-2], :]
        if sp.issparse(x):
            np.copyto(out, x @ coef)
        elif coef.ndim == 2:
            np.dot(x, coef, out=out)
        else:  # a pack: one product per member, in one call
            np.matmul(x, coef, out=out)
        if self.fit_intercept:
            out += ctx.params[1][..., None, :] if coef.ndim == 3 else ctx.params[1]
        ctx.saved = x
        return out

    def infer(self, x, params: tuple, state: tuple) -> np.ndarray:
        """Return ``x @ coef + intercept`` in a new array.

        Parameters
        ----------
        x : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            Input batch; left unchanged.
        params : tuple of ndarray
            ``(coef, intercept)`` (intercept None without a bias).
        state : tuple
            Unused.

        Returns
        -------
        z : ndarray of shape (n_samples, n_units)
        """
        z = np.asarray(x @ params[0])
        if self.fit_intercept:
            z += params[1][..., None, :] if params[0].ndim == 3 else params[1]
        return z

    def backward(self, dy: np.ndarray, ctx: LayerContext) -> np.ndarray | None:
        """Write the weight and bias gradients; return the input gradient.

        Parameters
        ----------
        dy : ndarray of shape (n_samples, n_units)
            Gradient at the output.
        ctx : LayerContext
            After :meth:`forward`.

        Returns
        -------
        dx : ndarray of shape (n_samples, n_inputs) or None
        """
        x, coef, buffers = ctx.saved, ctx.params[0], ctx.buffers
        coef_grad = ctx.grads[0]
        packed = coef.ndim == 3
        if sp.issparse(x):
            np.copyto(coef_grad, x.T @ dy)
        elif packed:
            np.matmul(x.swapaxes(-1, -2), dy, out=coef_grad)
        else:
            np.dot(x.T, dy, out=coef_grad)
        l2 = ctx.run.l2
        if l2.any() if isinstance(l2, np.ndarray) else l2:
            # Right after the product, while the gradient is in cache.
            coef_grad += np.multiply(coef, l2, out=buffers.scratch)
        if self.fit_intercept:
            row_sums(buffers.ones, dy, out=ctx.grads[1])
        if not ctx.input_grad:
            return None
        dx = buffers.input_grad[..., : dy.shape[-2], :]
        if packed:
            np.matmul(dy, coef.swapaxes(-1, -2), out=dx)
        else:
            np.dot(dy, coef.T, out=dx)
        return dx
