"""Periodic embeddings of numeric features."""

from __future__ import annotations

import numpy as np

from ._base import Layer, LayerContext, ParamSpec
from ._front_scale import dense

__all__ = ["EMBEDDINGS", "PeriodicEmbedding"]

_TWO_PI = 2 * np.pi

#: Named settings of :class:`PeriodicEmbedding`: 'periodic' is PLR with the
#: defaults of ``rtdl_num_embeddings`` (Gorishniy et al., NeurIPS 2022);
#: 'pbld' is RealMLP-TD's embedding (pytabkit's ``num_emb_type='pbld'``,
#: ``plr_hidden_1=16``, ``plr_hidden_2=4`` of which one column is the
#: feature itself, ``plr_sigma=0.1``; Holzmüller et al., NeurIPS 2024).
EMBEDDINGS = {
    "periodic": {},
    "pbld": {
        "n_frequencies": 16,
        "n_units": 3,
        "sigma": 0.1,
        "activation": False,
        "phases": True,
        "keep_input": True,
    },
}


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

    def __init__(self, n_rows, layer, dtype, input_grad, lead=None):
        f, k, d = layer.n_embedded, layer.n_frequencies, layer.n_units
        width = layer.n_codes
        m = layer.lead if lead is None else lead
        self.columns = np.empty((*m, f, n_rows), dtype)  # the embedded x, transposed
        self.angles = np.empty((*m, f, n_rows, k), dtype)
        self.codes = np.empty((*m, f, n_rows, width), dtype)  # [sin, cos] or cos
        self.d_out = np.empty((*m, f, n_rows, d), dtype)  # output before / its grad
        self.d_codes = np.empty((*m, f, n_rows, width), dtype)
        self.d_angles = np.empty((*m, f, n_rows, k), dtype)
        self.out = np.empty((*m, n_rows, layer.n_outputs), dtype)
        self.input_grad = (
            np.empty((*m, n_rows, layer.n_features), dtype) if input_grad else None
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
    phases : bool, default=False
        Whether to encode :math:`\cos(2\pi w_j x_j + b_j)` with trainable
        phases :math:`b_j \sim U(-\pi, \pi)` instead of the sine and cosine
        pair (``k`` codes per feature instead of ``2k``).
    keep_input : bool, default=False
        Whether each feature's embedding ends with the feature itself,
        :math:`[e_j, x_j]` (``n_units + 1`` columns per feature).
    n_members : int or None, default=None
        Members of a pack, each with its own frequencies and dense layers.

    Attributes
    ----------
    n_outputs : int
        Output width: ``len(embedded) * (n_units + keep_input)`` plus the
        passthrough columns.

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

    With ``phases=True, keep_input=True, activation=False`` (and 16
    frequencies, 3 units, :math:`\sigma = 0.1`) this is the "PBLD" embedding
    of RealMLP (Holzmüller et al., NeurIPS 2024): periodic codes with
    biases, a linear map per feature, and the feature kept beside its
    embedding ("DenseNet" style); ``'pbld'`` in
    :data:`skdeep.nn.layers.EMBEDDINGS`. There the phase gradient is
    :math:`\partial L / \partial b = \sum_i \partial L / \partial \theta_i`
    and :math:`\partial L / \partial \theta = -\partial L / \partial v \,
    \sin\theta`.

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
        phases: bool = False,
        keep_input: bool = False,
        n_members: int | None = None,
    ):
        self.n_members = n_members
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
        self.phases, self.keep_input = bool(phases), bool(keep_input)
        self.n_codes = self.n_frequencies * (1 if self.phases else 2)
        self.width = self.n_units + self.keep_input  # output columns per feature
        self.n_outputs = self.n_embedded * self.width + self.passthrough.size
        f, k, d = self.n_embedded, self.n_frequencies, self.n_units
        self.params = (
            ParamSpec("frequencies", (f, k), "embeddings"),
            *((ParamSpec("embedding_phases", (f, k), "embeddings"),) * self.phases),
            ParamSpec("embedding_coefs", (f, self.n_codes, d), "embeddings"),
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
            Frequencies, (phases,) dense weights, dense biases.
        """
        f, k, d = self.n_embedded, self.n_frequencies, self.n_units
        bound = 1 / np.sqrt(self.n_codes)
        frequencies = rng.normal(0.0, self.sigma, (f, k))
        phases = (rng.uniform(-np.pi, np.pi, (f, k)),) if self.phases else ()
        coefs = rng.uniform(-bound, bound, (f, self.n_codes, d))
        intercepts = rng.uniform(-bound, bound, (f, d))
        values = (frequencies, *phases, coefs, intercepts)
        return tuple(a.astype(dtype) for a in values)

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

    def _unpack(self, params):
        """Return (frequencies, phases or None, coefs, intercepts)."""
        if self.phases:
            return params
        frequencies, coefs, intercepts = params
        return frequencies, None, coefs, intercepts

    def _embed(self, x, params, buffers, n):
        """Fill the buffers' codes and pre-activation; return the output."""
        frequencies, phases, coefs, intercepts = self._unpack(params)
        k = self.n_frequencies
        columns = buffers.columns[..., :n]
        np.copyto(columns, x[..., self.embedded].swapaxes(-1, -2))
        angles = np.multiply(
            columns[..., None],
            frequencies[..., None, :],
            out=buffers.angles[..., :n, :],
        )
        angles *= _TWO_PI
        codes = buffers.codes[..., :n, :]
        if phases is None:
            np.sin(angles, out=codes[..., :k])
            np.cos(angles, out=codes[..., k:])
        else:
            angles += phases[..., None, :]
            np.cos(angles, out=codes)
        z = np.matmul(codes, coefs, out=buffers.d_out[..., :n, :])
        z += intercepts[..., None, :]
        if self.activation:
            np.maximum(z, 0, out=z)
        out = buffers.out[..., :n, :]
        f, d = self.n_embedded, self.n_units
        blocks = out[..., : f * self.width].reshape(*out.shape[:-1], f, self.width)
        blocks[..., :d] = z.swapaxes(-3, -2)
        if self.keep_input:
            blocks[..., d] = columns.swapaxes(-1, -2)
        out[..., f * self.width :] = x[..., self.passthrough]
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
        return self._embed(x, ctx.params, ctx.buffers, x.shape[-2])

    def infer(self, x, params: tuple, state: tuple) -> np.ndarray:
        """Embed the batch into a new array.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features)
            Input batch; left unchanged.
        params : tuple of ndarray
            Frequencies, (phases,) dense weights, dense biases.
        state : tuple
            Unused.

        Returns
        -------
        y : ndarray of shape (n_samples, n_outputs)
        """
        x = dense(x)
        n = x.shape[-2]
        lead = params[0].shape[:-2]
        buffers = _PeriodicBuffers(n, self, params[0].dtype, False, lead)
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
        frequencies, phases, coefs, _ = self._unpack(ctx.params)
        d_frequencies, d_phases, d_coefs, d_intercepts = self._unpack(ctx.grads)
        buffers, n, k = ctx.buffers, dy.shape[-2], self.n_frequencies
        f, d = self.n_embedded, self.n_units
        m = "" if self.n_members is None else "m"
        blocks = dy[..., : f * self.width].reshape(*dy.shape[:-1], f, self.width)
        d_emb = blocks[..., :d].swapaxes(-3, -2)
        z = buffers.d_out[..., :n, :]  # the output, before it becomes its gradient
        d_z = z
        if self.activation:
            np.greater(z, 0, out=d_z)
            d_z *= d_emb
        else:
            np.copyto(d_z, d_emb)
        codes = buffers.codes[..., :n, :]
        np.matmul(codes.swapaxes(-1, -2), d_z, out=d_coefs)
        np.sum(d_z, axis=-2, out=d_intercepts)
        d_codes = np.matmul(
            d_z, coefs.swapaxes(-1, -2), out=buffers.d_codes[..., :n, :]
        )
        d_angles = buffers.d_angles[..., :n, :]
        if phases is None:
            # d theta = d sin * cos - d cos * sin
            np.multiply(d_codes[..., :k], codes[..., k:], out=d_angles)
            d_codes[..., k:] *= codes[..., :k]
            d_angles -= d_codes[..., k:]
        else:
            # d theta = -d cos * sin(theta); the angles' buffer takes the sine.
            angles = buffers.angles[..., :n, :]
            sines = np.sin(angles, out=angles)
            np.multiply(d_codes, sines, out=d_angles)
            np.negative(d_angles, out=d_angles)
            np.sum(d_angles, axis=-2, out=d_phases)
        columns = buffers.columns[..., :n]
        np.einsum(f"{m}fnk,{m}fn->{m}fk", d_angles, columns, out=d_frequencies)
        d_frequencies *= _TWO_PI
        if not ctx.input_grad:
            return None
        # The embedded columns' values are no longer needed: their buffer
        # takes their gradient.
        d_columns = np.einsum(
            f"{m}fnk,{m}fk->{m}fn", d_angles, frequencies, out=columns
        )
        d_columns *= _TWO_PI
        if self.keep_input:
            d_columns += blocks[..., d].swapaxes(-1, -2)
        dx = buffers.input_grad[..., :n, :]
        dx[..., self.embedded] = d_columns.swapaxes(-1, -2)
        dx[..., self.passthrough] = dy[..., f * self.width :]
        return dx
