"""Periodic embeddings of numeric features."""

from __future__ import annotations

import numpy as np

from ._base import Layer, LayerContext, ParamSpec
from ._front_scale import dense

__all__ = ["PeriodicEmbedding"]

_TWO_PI = 2 * np.pi


class _PeriodicBuffers:
    __slots__ = (
        "angles",
        "codes",
        "columns",
        "d_angles",
        "d_codes",
        "d_out",
        "input_grad",
        "out",
    )

    def __init__(self, n_rows, layer, dtype, input_grad):
        f, k, d = layer.n_embedded, layer.n_frequencies, layer.n_units
        self.columns = np.empty((f, n_rows), dtype)  # the embedded x, transposed
        self.angles = np.empty((f, n_rows, k), dtype)
        self.codes = np.empty((f, n_rows, 2 * k), dtype)  # [sin, cos]
        self.d_out = np.empty((f, n_rows, d), dtype)  # output before / its grad
        self.d_codes = np.empty((f, n_rows, 2 * k), dtype)
        self.d_angles = np.empty((f, n_rows, k), dtype)
        self.out = np.empty((n_rows, layer.n_outputs), dtype)
        self.input_grad = (
            np.empty((n_rows, layer.n_features), dtype) if input_grad else None
        )


class PeriodicEmbedding(Layer):
    r"""Periodic embeddings of numeric features, then a dense layer per feature.

    Each embedded feature :math:`x_j` becomes
    :math:`v_j = [\sin(2\pi w_j x_j), \cos(2\pi w_j x_j)]` with
    ``n_frequencies`` trainable frequencies :math:`w_j` drawn from
    :math:`N(0, \sigma^2)`, then :math:`e_j = \mathrm{ReLU}(v_j A_j + c_j)`
    with a separate small dense layer :math:`A_j` (``2 * n_frequencies`` by
    ``n_units``) per feature: the "PLR" embedding of Gorishniy, Rubachev &
    Babenko, "On Embeddings for Numerical Features in Tabular Deep
    Learning", NeurIPS 2022. Defaults are those of its reference
    implementation, the ``rtdl_num_embeddings`` package's
    ``PeriodicEmbeddings`` (48 frequencies, initial scale 0.01, 24 units,
    ReLU); its dense layers start as PyTorch's ``nn.Linear``,
    :math:`U(-1/\sqrt{2k}, 1/\sqrt{2k})` for weights and biases.

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_frequencies : int, default=48
        Frequencies per feature, :math:`k`.
    n_units : int, default=24
        Width :math:`d` of each feature's embedding.
    sigma : float, default=0.01
        Standard deviation of the initial frequencies; larger values suit
        features with finer structure.
    embedded : sequence of int or None, default=None
        Input columns to embed (None: all). The others pass through
        unchanged, after the embeddings.
    activation : bool, default=True
        Whether a ReLU follows each feature's dense layer.

    Attributes
    ----------
    n_outputs : int
        Output width: ``len(embedded) * n_units`` plus the passthrough
        columns.

    Notes
    -----
    With :math:`\theta = 2\pi w x`, the gradients are

    .. math::

        \frac{\partial L}{\partial \theta} =
            \frac{\partial L}{\partial v^{\sin}} \cos\theta
            - \frac{\partial L}{\partial v^{\cos}} \sin\theta, \qquad
        \frac{\partial L}{\partial w} = 2\pi \sum_i x_i
            \frac{\partial L}{\partial \theta_i}, \qquad
        \frac{\partial L}{\partial x} = 2\pi \sum_k w_k
            \frac{\partial L}{\partial \theta_k},

    and the dense layers' as in :class:`Dense`. Output columns are feature
    by feature: ``n_units`` for the first embedded feature, then the next.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import PeriodicEmbedding
    >>> layer = PeriodicEmbedding(3, n_frequencies=4, n_units=2, embedded=[0, 2])
    >>> params = layer.init_params(np.random.RandomState(0), np.float64, None)
    >>> [p.shape for p in params], layer.n_outputs
    ([(2, 4), (2, 8, 2), (2, 2)], 5)
    >>> layer.infer(np.ones((1, 3)), params, ()).shape
    (1, 5)
    """

    def __init__(
        self,
        n_features: int,
        n_frequencies: int = 48,
        n_units: int = 24,
        sigma: float = 0.01,
        embedded=None,
        activation: bool = True,
    ):
        self.n_features = int(n_features)
        self.embedded = (
            np.arange(self.n_features)
            if embedded is None
            else (np.asarray(embedded, dtype=np.intp))
        )
        if self.embedded.size == 0:
            raise ValueError("PeriodicEmbedding needs at least one column to embed.")
        self.passthrough = np.setdiff1d(np.arange(self.n_features), self.embedded)
        self.n_embedded = self.embedded.size
        self.n_frequencies, self.n_units = int(n_frequencies), int(n_units)
        if min(self.n_frequencies, self.n_units) < 1 or not sigma > 0:
            raise ValueError(
                "n_frequencies and n_units must be positive integers and sigma a "
                f"positive number; got {n_frequencies!r}, {n_units!r}, {sigma!r}."
            )
        self.sigma = float(sigma)
        self.activation = bool(activation)
        self.n_outputs = self.n_embedded * self.n_units + self.passthrough.size
        f, k, d = self.n_embedded, self.n_frequencies, self.n_units
        self.params = (
            ParamSpec("frequencies", (f, k), "embeddings"),
            ParamSpec("embedding_coefs", (f, 2 * k, d), "embeddings"),
            ParamSpec("embedding_intercepts", (f, d), "embeddings"),
        )

    def init_params(self, rng, dtype, initializer) -> tuple:
        """Draw frequencies, then the dense layers' weights and biases.

        Parameters
        ----------
        rng : numpy.random.RandomState or numpy.random.Generator
            Source of randomness.
        dtype : numpy.dtype
            Floating dtype.
        initializer : callable
            Unused: the embedding has its own scheme (see the class).

        Returns
        -------
        values : tuple of ndarray
            Frequencies, dense weights, dense biases.
        """
        f, k, d = self.n_embedded, self.n_frequencies, self.n_units
        bound = 1 / np.sqrt(2 * k)
        frequencies = rng.normal(0.0, self.sigma, (f, k))
        coefs = rng.uniform(-bound, bound, (f, 2 * k, d))
        intercepts = rng.uniform(-bound, bound, (f, d))
        return tuple(a.astype(dtype) for a in (frequencies, coefs, intercepts))

    def buffers(self, n_rows: int, dtype, input_grad: bool) -> _PeriodicBuffers:
        """Make the buffers of a batch of up to ``n_rows`` rows.

        Parameters
        ----------
        n_rows : int
            Largest batch.
        dtype : numpy.dtype
            Floating dtype.
        input_grad : bool
            Whether :meth:`backward` returns the input gradient.

        Returns
        -------
        buffers : object
        """
        return _PeriodicBuffers(n_rows, self, dtype, input_grad)

    def _embed(self, x, params, buffers, n):
        """Fill the buffers' codes and pre-activation; return the output."""
        frequencies, coefs, intercepts = params
        k = self.n_frequencies
        columns = buffers.columns[:, :n]
        np.copyto(columns, x[:, self.embedded].T)
        angles = np.multiply(
            columns[:, :, None], frequencies[:, None, :], out=buffers.angles[:, :n]
        )
        angles *= _TWO_PI
        codes = buffers.codes[:, :n]
        np.sin(angles, out=codes[:, :, :k])
        np.cos(angles, out=codes[:, :, k:])
        z = np.matmul(codes, coefs, out=buffers.d_out[:, :n])
        z += intercepts[:, None, :]
        if self.activation:
            np.maximum(z, 0, out=z)
        out = buffers.out[:n]
        width = self.n_embedded * self.n_units
        out[:, :width].reshape(n, self.n_embedded, self.n_units)[...] = z.transpose(
            1, 0, 2
        )
        out[:, width:] = x[:, self.passthrough]
        return out

    def forward(self, x, ctx: LayerContext) -> np.ndarray:
        """Embed the batch into the output buffer.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features)
            Input batch; left unchanged.
        ctx : LayerContext
            Views and buffers.

        Returns
        -------
        y : ndarray of shape (n_samples, n_outputs)
        """
        x = dense(x)
        return self._embed(x, ctx.params, ctx.buffers, x.shape[0])

    def infer(self, x, params: tuple, state: tuple) -> np.ndarray:
        """Embed the batch into a new array.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features)
            Input batch; left unchanged.
        params : tuple of ndarray
            Frequencies, dense weights, dense biases.
        state : tuple
            Unused.

        Returns
        -------
        y : ndarray of shape (n_samples, n_outputs)
        """
        x = dense(x)
        n = x.shape[0]
        buffers = _PeriodicBuffers(n, self, params[0].dtype, False)
        return self._embed(x, params, buffers, n)

    def backward(self, dy: np.ndarray, ctx: LayerContext) -> np.ndarray | None:
        """Write the parameters' gradients; return the input gradient if needed.

        Parameters
        ----------
        dy : ndarray of shape (n_samples, n_outputs)
            Gradient at the output.
        ctx : LayerContext
            After :meth:`forward` on the same batch.

        Returns
        -------
        dx : ndarray of shape (n_samples, n_features) or None
        """
        frequencies, coefs, _ = ctx.params
        d_frequencies, d_coefs, d_intercepts = ctx.grads
        buffers, n, k = ctx.buffers, dy.shape[0], self.n_frequencies
        f, d = self.n_embedded, self.n_units
        z = buffers.d_out[:, :n]  # the output, before it becomes its gradient
        d_z = z
        if self.activation:
            np.greater(z, 0, out=d_z)
            d_z *= dy[:, : f * d].reshape(n, f, d).transpose(1, 0, 2)
        else:
            np.copyto(d_z, dy[:, : f * d].reshape(n, f, d).transpose(1, 0, 2))
        codes = buffers.codes[:, :n]
        np.matmul(codes.transpose(0, 2, 1), d_z, out=d_coefs)
        np.sum(d_z, axis=1, out=d_intercepts)
        d_codes = np.matmul(d_z, coefs.transpose(0, 2, 1), out=buffers.d_codes[:, :n])
        # d theta = d sin * cos - d cos * sin
        d_angles = np.multiply(
            d_codes[:, :, :k], codes[:, :, k:], out=buffers.d_angles[:, :n]
        )
        d_codes[:, :, k:] *= codes[:, :, :k]
        d_angles -= d_codes[:, :, k:]
        columns = buffers.columns[:, :n]
        np.einsum("fnk,fn->fk", d_angles, columns, out=d_frequencies)
        d_frequencies *= _TWO_PI
        if not ctx.input_grad:
            return None
        # The embedded columns' values are no longer needed: their buffer
        # takes their gradient.
        d_columns = np.einsum("fnk,fk->fn", d_angles, frequencies, out=columns)
        d_columns *= _TWO_PI
        dx = buffers.input_grad[:n]
        dx[:, self.embedded] = d_columns.T
        dx[:, self.passthrough] = dy[:, f * d :]
        return dx
