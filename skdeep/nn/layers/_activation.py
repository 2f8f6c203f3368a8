"""An element-wise activation as a layer."""

from __future__ import annotations

import numpy as np

from ..activations import get_activation
from ._base import Layer, LayerContext

__all__ = ["ActivationLayer"]


class ActivationLayer(Layer):
    r"""Apply a hidden activation :math:`a = f(z)` in place.

    Back-propagation multiplies the incoming gradient by :math:`f'(z)`,
    computed from the output :math:`a` (which it may then overwrite: nothing
    needs it afterwards), or from a copy of :math:`z` kept during training
    for activations that need it (see :mod:`skdeep.nn.activations`).

    Parameters
    ----------
    activation : str
        A key of :data:`skdeep.nn.ACTIVATIONS`.
    n_units : int
        Width of the layer.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.layers import ActivationLayer, LayerContext, Pass
    >>> layer = ActivationLayer("relu", 2)
    >>> ctx = LayerContext(layer.buffers(1, float, True), Pass(), True)
    >>> layer.forward(np.array([[-1.0, 2.0]]), ctx)
    array([[0., 2.]])
    >>> layer.backward(np.array([[5.0, 5.0]]), ctx)
    array([[0., 5.]])
    """

    def __init__(self, activation: str, n_units: int):
        self.activation = get_activation(activation)
        self.n_units = n_units

    def buffers(self, n_rows: int, dtype, input_grad: bool):
        """Make room for the pre-activation, if the derivative needs it.

        Parameters
        ----------
        n_rows : int
            Largest batch.
        dtype : numpy.dtype
            Floating dtype.
        input_grad : bool
            Unused: the gradient is computed in place.

        Returns
        -------
        buffers : ndarray of shape (n_rows, n_units) or None
        """
        if self.activation.needs_preactivation:
            return np.empty((n_rows, self.n_units), dtype=dtype)
        return None

    def forward(self, x: np.ndarray, ctx: LayerContext) -> np.ndarray:
        """Replace ``x`` by ``f(x)``.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_units)
            Pre-activation; overwritten.
        ctx : LayerContext
            Keeps the output (and, in training, the pre-activation if needed).

        Returns
        -------
        a : ndarray of shape (n_samples, n_units)
            ``x`` itself.
        """
        if ctx.run.training and ctx.buffers is not None:
            np.copyto(ctx.buffers[: x.shape[0]], x)
        self.activation.forward(x)
        ctx.saved = x
        return x

    def backward(self, dy: np.ndarray, ctx: LayerContext) -> np.ndarray:
        """Multiply ``dy`` by :math:`f'(z)` in place.

        Parameters
        ----------
        dy : ndarray of shape (n_samples, n_units)
            Gradient at the output; overwritten with the gradient at the input.
        ctx : LayerContext
            After a training-mode :meth:`forward`.

        Returns
        -------
        dz : ndarray of shape (n_samples, n_units)
            ``dy`` itself.
        """
        if ctx.buffers is not None:
            self.activation.derivative(ctx.buffers[: dy.shape[0]], dy)
        else:
            self.activation.derivative(ctx.saved, dy)
        return dy
