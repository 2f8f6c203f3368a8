"""A learnable scale per input feature."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._base import Layer, LayerContext, ParamSpec

__all__ = ["FrontScale"]


class _FrontScaleBuffers:
    __slots__ = ("input_grad", "out")

    def __init__(self, lead, n_rows, n_features, dtype, input_grad):
        self.out = np.empty((*lead, n_rows, n_features), dtype=dtype)
        self.input_grad = (
            np.empty((*lead, n_rows, n_features), dtype=dtype) if input_grad else None
        )


class FrontScale(Layer):
    r"""A learnable per-feature scale at the input, :math:`y = x \odot s`.

    RealMLP's "scaling layer" (Holzmüller, Grinsztajn & Steinwart, "Better
    by Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular Data",
    NeurIPS 2024): one factor per input feature, initialised at 1, usually
    trained with a larger learning rate, so that the network learns quickly
    which features to amplify or mute. Its parameters have the role
    ``'scales'``.

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_members : int or None, default=None
        Members of a pack, each with its own scales.

    Attributes
    ----------
    n_outputs : int
        Output width, ``n_features``.

    Notes
    -----
    For a batch :math:`X` and :math:`\Delta = \partial L / \partial Y`,

    .. math::

        Y = X \operatorname{diag}(s), \qquad
        \frac{\partial L}{\partial s} = \mathbf{1}^\top (\Delta \odot X), \qquad
        \frac{\partial L}{\partial X} = \Delta \operatorname{diag}(s).

    The input is never written: it is the network's input.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import FrontScale
    >>> layer = FrontScale(2)
    >>> layer.infer(np.array([[1.0, 2.0]]), (np.array([3.0, 0.5]),), ())
    array([[3., 1.]])
    """

    def __init__(self, n_features: int, n_members: int | None = None):
        self.n_members = n_members
        self.n_outputs = int(n_features)
        self.params = (ParamSpec("front_scales", (self.n_outputs,), "scales"),)

    def init_params(self, rng, dtype, initializer) -> tuple:
        """Start at the identity: every scale 1 (draws nothing from ``rng``).

        Parameters
        ----------
        rng : numpy.random.RandomState or numpy.random.Generator
            Unused.
        dtype : numpy.dtype
            Floating dtype.
        initializer : callable
            Unused.

        Returns
        -------
        values : tuple of ndarray
            ``(ones(n_features),)``.
        """
        return (np.ones(self.n_outputs, dtype=dtype),)

    def buffers(self, n_rows: int, dtype, input_grad: bool) -> _FrontScaleBuffers:
        """Output and input-gradient buffers.

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
        return _FrontScaleBuffers(self.lead, n_rows, self.n_outputs, dtype, input_grad)

    def forward(self, x, ctx: LayerContext) -> np.ndarray:
        """Compute ``x * s`` into the output buffer.

        Parameters
        ----------
        x : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Input batch; left unchanged (a sparse batch is densified).
        ctx : LayerContext
            Views and buffers; keeps ``x`` for :meth:`backward`.

        Returns
        -------
        y : ndarray of shape (n_samples, n_features)
        """
        x = dense(x)
        scales = _rows_of(ctx.params[0])
        out = np.multiply(x, scales, out=ctx.buffers.out[..., : x.shape[-2], :])
        ctx.saved = x
        return out

    def infer(self, x, params: tuple, state: tuple) -> np.ndarray:
        """Return ``x * s`` in a new array.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features)
            Input batch; left unchanged.
        params : tuple of ndarray
            ``(scales,)``.
        state : tuple
            Unused.

        Returns
        -------
        y : ndarray of shape (n_samples, n_features)
        """
        return np.multiply(dense(x), _rows_of(params[0]))

    def backward(self, dy: np.ndarray, ctx: LayerContext) -> np.ndarray | None:
        """Write the scales' gradient; return the input gradient if needed.

        Parameters
        ----------
        dy : ndarray of shape (n_samples, n_features)
            Gradient at the output.
        ctx : LayerContext
            After :meth:`forward`.

        Returns
        -------
        dx : ndarray of shape (n_samples, n_features) or None
        """
        n = dy.shape[-2]
        # Column sums of dy * x in one pass, without a product buffer.
        subscripts = "ij,ij->j" if dy.ndim == 2 else "...ij,...ij->...j"
        np.einsum(subscripts, dy, ctx.saved, out=ctx.grads[0])
        if not ctx.input_grad:
            return None
        out = ctx.buffers.input_grad[..., :n, :]
        return np.multiply(dy, _rows_of(ctx.params[0]), out=out)


def _rows_of(values):
    """Return per-column values broadcast over rows (a pack's: per member)."""
    return values if values.ndim == 1 else values[:, None, :]


def dense(x):
    """Return ``x`` as a dense array: the input layers work on dense rows."""
    # A sparse batch is densified (one batch at a time, in training and in
    # chunked prediction), so memory stays bounded by the batch.
    return x.toarray() if sp.issparse(x) else x
