"""Inverted dropout, with masks keyed by row content and training step."""

from __future__ import annotations

import numpy as np

from ._base import Layer, LayerContext

# mix64 and row_keys are helpers of the network, not public API.
__all__ = ["Dropout"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# Each 64-bit hash is cut into this many 16-bit draws.
_LANES = 4


def mix64(h: np.ndarray) -> np.ndarray:
    """Scramble uint64 values in place with the splitmix64 finalizer.

    Parameters
    ----------
    h : ndarray of dtype uint64
        Values to scramble; overwritten.

    Returns
    -------
    h : ndarray of dtype uint64
        Well-mixed values: each output bit depends on every input bit.
    """
    h ^= h >> np.uint64(30)
    h *= _M1
    h ^= h >> np.uint64(27)
    h *= _M2
    h ^= h >> np.uint64(31)
    return h


def row_keys(X, projection: np.ndarray, step: int) -> np.ndarray:
    """One uint64 key per row: a hash of the row's values and the step.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The batch as given to the network.
    projection : ndarray of shape (n_features,)
        Fixed random float64 vector; ``X @ projection`` fingerprints a row.
    step : int
        Training step; the same row gets new keys at every step.

    Returns
    -------
    keys : ndarray of shape (n_samples,), dtype uint64
    """
    if hasattr(X, "toarray"):  # sparse: row by row already
        fingerprint = np.asarray(X @ projection, dtype=np.float64).ravel()
    else:
        # Not X @ projection: BLAS blocks the product by the number of rows,
        # so a row's last bit could depend on its batch. A row-wise sum of a
        # C-ordered array does not.
        rows = np.ascontiguousarray(X, dtype=np.float64)
        fingerprint = np.multiply(rows, projection).sum(axis=1)
    keys = fingerprint.view(np.uint64).copy()
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps, on purpose
        step_key = np.array([step], dtype=np.uint64) * _GOLDEN + _GOLDEN
    keys ^= mix64(step_key)[0]
    return mix64(keys)


class _DropoutBuffers:
    __slots__ = ("hashes", "mask", "out")

    def __init__(self, n_rows, n_units, dtype):
        self.mask = np.empty((n_rows, n_units), dtype=dtype)
        self.out = np.empty((n_rows, n_units), dtype=dtype)  # activation x mask
        # One 64-bit hash gives the draws of four units (16 bits each).
        self.hashes = np.empty((n_rows, -(-n_units // _LANES)), dtype=np.uint64)


class Dropout(Layer):
    r"""Inverted dropout on a hidden layer's output, during training only.

    Parameters
    ----------
    rate : float
        Probability :math:`p` of zeroing a unit, in [0, 1).
    n_units : int
        Width of the layer.
    position : int, default=0
        Index of the hidden layer; part of the masks' keys, so that layers
        draw independent masks.

    Notes
    -----
    A mask :math:`M_{ij} \in \{0, 1/(1-p)\}`, zero with probability
    :math:`p`, multiplies the activation: :math:`D = A \odot M` forward,
    :math:`\partial L / \partial A = (\partial L / \partial D) \odot M`
    backward. Dividing by :math:`1 - p` keeps :math:`E[D] = A`, so inference
    uses :math:`A` unchanged: deterministic, and no rescaling.

    The mask entry of row :math:`i` and unit :math:`j` is a counter-based
    random draw, a hash of (the row's values, the training step, the layer,
    the unit, the seed), instead of the next number of a stream. Masks are as
    random as a stream's, but a row's mask does not depend on which other
    rows share its batch, nor on its position, and duplicate rows share it
    within a step. That is what makes a sample weight of 2 equivalent to
    repeating the row, as scikit-learn expects of ``sample_weight``.

    Each well-mixed 64-bit hash is cut into four 16-bit draws, one per unit,
    so a mask costs a quarter of the hashing; the rate is therefore a
    multiple of :math:`2^{-16}` (the nearest to the one asked for), and the
    scale :math:`1/(1-p)` uses that exact rate, so :math:`E[D] = A` holds
    exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dropout
    >>> from skdeep.nn.layers._dropout import row_keys
    >>> X = np.random.RandomState(0).normal(size=(1000, 3))
    >>> layer = Dropout(0.25, n_units=8)
    >>> mask = np.empty((1000, 8))
    >>> layer.draw_mask(row_keys(X, np.ones(3), step=0), layer.unit_keys(0, 0, 8), mask)
    ... # doctest: +ELLIPSIS
    array(...)
    >>> sorted(np.unique(np.round(mask, 4)))
    [np.float64(0.0), np.float64(1.3333)]
    >>> bool(abs((mask == 0).mean() - 0.25) < 0.02)
    True
    """

    def __init__(self, rate: float, n_units: int, position: int = 0):
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}.")
        self.base_rate = float(rate)
        self.n_units = n_units
        self.position = position
        self.set_rate(self.base_rate)
        self.set_seed(0)

    def set_rate(self, rate: float) -> None:
        """Change the rate of the masks drawn from now on (a dropout schedule).

        Parameters
        ----------
        rate : float
            New rate in [0, 1); :attr:`base_rate`, the rate the layer was
            made with, stays as it was.
        """
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}.")
        self.rate = float(rate)
        # keep iff a 16-bit draw is >= threshold: an integer comparison.
        self._threshold = np.uint16(min(round(self.rate * 2**16), 2**16 - 1))
        self._scale = 2**16 / (2**16 - int(self._threshold))

    def set_seed(self, seed: int) -> None:
        """Choose the seed of this layer's masks.

        Parameters
        ----------
        seed : int
            Non-negative seed; the same seed, rows and steps give the same
            masks.
        """
        self._units = self.unit_keys(seed, self.position, self.n_units)

    def buffers(self, n_rows: int, dtype, input_grad: bool) -> _DropoutBuffers:
        """Make room for the mask, the masked activation and the mask's hashes.

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
        buffers : object
        """
        return _DropoutBuffers(n_rows, self.n_units, dtype)

    def forward(self, x: np.ndarray, ctx: LayerContext) -> np.ndarray:
        """In training, ``x * mask`` into a buffer; otherwise ``x`` unchanged.

        The activation ``x`` itself is left as it is: back-propagation
        through the activation needs it.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_units)
            The layer's activation.
        ctx : LayerContext
            Buffers; ``ctx.run.row_keys`` None reuses the last mask.

        Returns
        -------
        y : ndarray of shape (n_samples, n_units)
        """
        if not ctx.run.training:
            return x
        n, buffers = x.shape[0], ctx.buffers
        mask = buffers.mask[:n]
        if ctx.run.row_keys is not None:
            self.draw_mask(ctx.run.row_keys, self._units, mask, buffers.hashes[:n])
        return np.multiply(x, mask, out=buffers.out[:n])

    def infer(self, x: np.ndarray, params: tuple, state: tuple) -> np.ndarray:
        """Return ``x``: dropout is off in inference.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_units)
            The layer's activation.
        params, state : tuple
            Unused.

        Returns
        -------
        y : ndarray of shape (n_samples, n_units)
            ``x`` itself.
        """
        return x

    def backward(self, dy: np.ndarray, ctx: LayerContext) -> np.ndarray:
        """Multiply ``dy`` by the mask of the forward pass, in place.

        Parameters
        ----------
        dy : ndarray of shape (n_samples, n_units)
            Gradient with respect to the dropped-out output.
        ctx : LayerContext
            After a training-mode :meth:`forward`.

        Returns
        -------
        dx : ndarray of shape (n_samples, n_units)
            ``dy`` itself.
        """
        dy *= ctx.buffers.mask[: dy.shape[0]]
        return dy

    # -- the masks -------------------------------------------------------------
    def unit_keys(self, seed: int, layer: int, n_units: int) -> np.ndarray:
        """Uint64 keys of a layer's units, from a seed: one key per four units.

        Parameters
        ----------
        seed : int
            Seed of the estimator's random state.
        layer : int
            Index of the hidden layer.
        n_units : int
            Width of the layer.

        Returns
        -------
        keys : ndarray of shape (ceil(n_units / 4),), dtype uint64
        """
        n_words = -(-n_units // _LANES)
        with np.errstate(over="ignore"):  # uint64 arithmetic wraps, on purpose
            base = np.array([seed], dtype=np.uint64) * _GOLDEN
            base += np.array([layer + 1], dtype=np.uint64) * _M1
            keys = np.arange(n_words, dtype=np.uint64) * _GOLDEN + base
        return mix64(keys)

    def draw_mask(
        self, rows: np.ndarray, units: np.ndarray, out: np.ndarray, scratch=None
    ) -> np.ndarray:
        """Fill ``out`` with the mask for these row and unit keys.

        Parameters
        ----------
        rows : ndarray of shape (n_samples,), dtype uint64
            From :func:`row_keys`.
        units : ndarray of shape (ceil(n_units / 4),), dtype uint64
            From :meth:`unit_keys`.
        out : ndarray of shape (n_samples, n_units)
            Float buffer receiving ``0`` or ``1 / (1 - rate)``.
        scratch : ndarray of shape (n_samples, ceil(n_units / 4)), uint64, optional
            Buffer for the hashes; allocated if None.

        Returns
        -------
        out : ndarray
        """
        h = np.bitwise_xor(rows[:, None], units[None, :], out=scratch)
        mix64(h)
        draws = h.view(np.uint16)[:, : out.shape[1]]  # four per hash
        np.greater_equal(draws, self._threshold, out=out, casting="unsafe")
        out *= self._scale
        return out
