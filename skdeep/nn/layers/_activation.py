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
    needs it afterwards), or from what the activation kept during training
    (see :mod:`skdeep.nn.activations`).

    Parameters
    ----------
    activation : str
        A key of :data:`skdeep.nn.ACTIVATIONS`.
    n_units : int
        Width of the layer.
    n_members : int or None, default=None
        Members of a pack (the activation is the same for all).

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

    def __init__(self, activation: str, n_units: int, n_members: int | None = None):
        self.activation = get_activation(activation)
        self.n_units = n_units
        self.n_members = n_members

    def buffers(self, n_rows: int, dtype, input_grad: bool):
        """Make room for what the activation keeps in training, if anything.

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
        buffers : tuple of ndarray of shape (n_rows, n_units)
        """
        shape = (*self.lead, n_rows, self.n_units)
        return tuple(np.empty(shape, dtype) for _ in range(self.activation.kept))

    def forward(self, x: np.ndarray, ctx: LayerContext) -> np.ndarray:
        """Replace ``x`` by ``f(x)``.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_units)
            Pre-activation; overwritten.
        ctx : LayerContext
            Keeps the output (and, in training, what the derivative needs).

        Returns
        -------
        a : ndarray of shape (n_samples, n_units)
            ``x`` itself.
        """
        if ctx.run.training:
            n = x.shape[-2]
            self.activation.train(x, tuple(b[..., :n, :] for b in ctx.buffers))
        else:
            self.activation.forward(x)
        ctx.saved = x
        return x

    def infer(self, x: np.ndarray, params: tuple, state: tuple) -> np.ndarray:
        """Replace ``x`` by ``f(x)``.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_units)
            Pre-activation; overwritten.
        params, state : tuple
            Unused.

        Returns
        -------
        a : ndarray of shape (n_samples, n_units)
            ``x`` itself.
        """
        self.activation.forward(x)
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
        n = dy.shape[-2]
        kept = tuple(b[..., :n, :] for b in ctx.buffers)
        self.activation.backward(ctx.saved, kept, dy)
        return dy
