"""Inverted dropout, with masks keyed by row content and training step."""

from __future__ import annotations

import numpy as np

from .._keys import LANES, mix64, unit_keys
from ._base import Layer, LayerContext

__all__ = ["Dropout", "dropout_rates"]


class _DropoutBuffers:
    __slots__ = ("hashes", "mask", "out")

    def __init__(self, lead, n_rows, n_units, dtype):
        self.mask = np.empty((*lead, n_rows, n_units), dtype=dtype)
        self.out = np.empty((*lead, n_rows, n_units), dtype=dtype)  # x * mask
        # One 64-bit hash gives the draws of four units (16 bits each).
        words = -(-n_units // LANES)
        self.hashes = np.empty((*lead, n_rows, words), dtype=np.uint64)


class Dropout(Layer):
    r"""Inverted dropout on a hidden layer's output, during training only.

    Parameters
    ----------
    rate : float or array-like of shape (n_members,)
        Probability :math:`p` of zeroing a unit, in [0, 1) (one per member
        in a pack).
    n_units : int
        Width of the layer.
    position : int, default=0
        Index of the hidden layer; part of the masks' keys, so that layers
        draw independent masks.
    n_members : int or None, default=None
        Members of a pack; each has its own rate and seed.

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
    >>> from skdeep.nn._keys import row_keys, unit_keys
    >>> X = np.random.RandomState(0).normal(size=(1000, 3))
    >>> layer = Dropout(0.25, n_units=8)
    >>> mask = np.empty((1000, 8))
    >>> layer.draw_mask(row_keys(X, np.ones(3), step=0), unit_keys(0, 0, 8), mask)
    ... # doctest: +ELLIPSIS
    array(...)
    >>> sorted(np.unique(np.round(mask, 4)))
    [np.float64(0.0), np.float64(1.3333)]
    >>> bool(abs((mask == 0).mean() - 0.25) < 0.02)
    True
    """

    stochastic = True

    def __init__(
        self, rate, n_units: int, position: int = 0, n_members: int | None = None
    ):
        self.n_members = n_members
        self.n_units = n_units
        self.position = position
        self.base_rate = self._rates(rate)
        self.set_rate(self.base_rate)
        self.reseed(0)

    def _rates(self, rate):
        """Check a rate (one per member in a pack); return it as stored."""
        rates = np.asarray(rate, dtype=float)
        if not ((rates >= 0) & (rates < 1)).all():
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}.")
        if self.n_members is None:
            if rates.ndim:
                raise ValueError(f"A dropout rate is one number, got {rate}.")
            return float(rates)
        return np.broadcast_to(rates, self.lead).copy()

    def set_rate(self, rate) -> None:
        """Change the rate of the masks drawn from now on (a dropout schedule).

        Parameters
        ----------
        rate : float or ndarray of shape (n_members,)
            New rate in [0, 1) (one per member in a pack); :attr:`base_rate`,
            the rate the layer was made with, stays as it was.
        """
        self.rate = self._rates(rate)
        # keep iff a 16-bit draw is >= threshold: an integer comparison.
        if self.n_members is None:
            self._threshold = np.uint16(min(round(self.rate * 2**16), 2**16 - 1))
            self._scale = 2**16 / (2**16 - int(self._threshold))
            return
        levels = np.minimum(np.round(self.rate * 2**16), 2**16 - 1)
        self._threshold = levels.astype(np.uint16).reshape(-1, 1, 1)
        self._scale = (2**16 / (2**16 - levels)).reshape(-1, 1, 1)
        if (levels == levels[0]).all():
            # One rate for all: scalars, the cheaper operands of a ufunc.
            self._threshold = self._threshold[0, 0, 0]
            self._scale = float(self._scale[0, 0, 0])

    def select(self, members) -> Dropout:
        """Return the layer of some members of the pack, with their rates and keys.

        Parameters
        ----------
        members : ndarray of int
            The members kept, in order.

        Returns
        -------
        layer : Dropout
        """
        layer = super().select(members)
        layer.base_rate = self.base_rate[members]
        layer._units = self._units[members]
        layer.set_rate(self.rate[members])
        return layer

    def scale_noise(self, factor: float) -> None:
        """Set the rate to the base rate times ``factor`` (a dropout schedule).

        Parameters
        ----------
        factor : float
            In [0, 1].
        """
        self.set_rate(self.base_rate * factor)

    def reseed(self, seed) -> None:
        """Choose the seed of this layer's masks.

        Parameters
        ----------
        seed : int or sequence of int
            Non-negative seed (one per member in a pack); the same seed,
            rows and steps give the same masks.
        """
        if self.n_members is None:
            self._units = unit_keys(int(seed), self.position, self.n_units)
            return
        seeds = np.broadcast_to(np.asarray(seed, dtype=np.int64), self.lead)
        self._units = np.stack(
            [unit_keys(int(s), self.position, self.n_units) for s in seeds]
        )

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
        return _DropoutBuffers(self.lead, n_rows, self.n_units, dtype)

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
        n, buffers = x.shape[-2], ctx.buffers
        mask = buffers.mask[..., :n, :]
        if ctx.run.row_keys is not None:
            hashes = buffers.hashes[..., :n, :]
            self.draw_mask(ctx.run.row_keys, self._units, mask, hashes)
        return np.multiply(x, mask, out=buffers.out[..., :n, :])

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
        dy *= ctx.buffers.mask[..., : dy.shape[-2], :]
        return dy

    # -- the masks -------------------------------------------------------------
    def draw_mask(
        self, rows: np.ndarray, units: np.ndarray, out: np.ndarray, scratch=None
    ) -> np.ndarray:
        """Fill ``out`` with the mask for these row and unit keys.

        Parameters
        ----------
        rows : ndarray of shape ([n_members,] n_samples), dtype uint64
            From the network's row keys (``row_keys`` of the pass).
        units : ndarray of shape ([n_members,] ceil(n_units / 4)), dtype uint64
            The layer's unit keys (one per four units).
        out : ndarray of shape ([n_members,] n_samples, n_units)
            Float buffer receiving ``0`` or ``1 / (1 - rate)``.
        scratch : ndarray of uint64, optional
            Buffer for the hashes; allocated if None.

        Returns
        -------
        out : ndarray
        """
        h = np.bitwise_xor(rows[..., None], units[..., None, :], out=scratch)
        mix64(h)
        draws = h.view(np.uint16)[..., : out.shape[-1]]  # four per hash
        np.greater_equal(draws, self._threshold, out=out, casting="unsafe")
        scale = self._scale
        if isinstance(scale, np.ndarray):  # per member, in the output's dtype
            scale = scale.astype(out.dtype)
        out *= scale
        return out


def dropout_rates(dropout, n_hidden: int, n_members: int | None) -> np.ndarray:
    """Return the dropout rates of the hidden layers, ``(n_hidden[, k])``.

    ``dropout`` is one rate, one per hidden layer, or, for a pack, an array
    of shape ``(n_members, n_hidden)`` (or ``(n_members, 1)``): one per
    member and layer.
    """
    rates = np.asarray(dropout, dtype=float)
    if rates.ndim == 2:
        if n_members is None or rates.shape[0] != n_members:
            raise ValueError(
                "Per-member dropout rates need a pack of as many members; got "
                f"shape {rates.shape} for n_members={n_members}."
            )
        return np.broadcast_to(rates, (n_members, n_hidden)).T.copy()
    rates = np.broadcast_to(rates, (n_hidden,)) if rates.ndim == 0 else rates
    if rates.shape != (n_hidden,):
        raise ValueError(
            f"Got {rates.size} dropout rates for {n_hidden} hidden layers."
        )
    if n_members is None:
        return rates
    return np.repeat(rates[:, None], n_members, axis=1)
