"""Inverted dropout."""

from __future__ import annotations

import numpy as np

__all__ = ["Dropout"]


class Dropout:
    r"""Inverted dropout on a hidden layer's output, during training only.

    Parameters
    ----------
    rate : float
        Probability :math:`p` of zeroing a unit, in [0, 1).

    Notes
    -----
    A mask :math:`M_{ij} \sim \text{Bernoulli}(1 - p) / (1 - p)` is drawn for
    every batch; the layer computes :math:`D = A \odot M` forward and
    :math:`\partial L / \partial A = (\partial L / \partial D) \odot M`
    backward. Dividing by :math:`1 - p` keeps :math:`E[D] = A`, so inference
    uses :math:`A` unchanged: it is deterministic and needs no rescaling.
    """

    def __init__(self, rate: float):
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}.")
        self.rate = float(rate)

    def draw_mask(self, rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
        """Fill ``out`` with a fresh scaled Bernoulli mask.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness.
        out : ndarray of shape (n_samples, n_units)
            C-contiguous float32 or float64 buffer.

        Returns
        -------
        out : ndarray
            Entries ``0`` or ``1 / (1 - rate)``.
        """
        rng.random(out=out, dtype=out.dtype)
        np.greater_equal(out, self.rate, out=out)
        out *= 1.0 / (1.0 - self.rate)
        return out

    def forward(self, a: np.ndarray, mask: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Compute ``a * mask`` into ``out``.

        Parameters
        ----------
        a : ndarray of shape (n_samples, n_units)
            The layer's activation.
        mask : ndarray of shape (n_samples, n_units)
            From :meth:`draw_mask`.
        out : ndarray of shape (n_samples, n_units)
            Receives the dropped-out activation.

        Returns
        -------
        out : ndarray
        """
        return np.multiply(a, mask, out=out)

    def backward(self, delta: np.ndarray, mask: np.ndarray) -> None:
        """Multiply ``delta`` by the mask, in place.

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_units)
            Gradient with respect to the dropped-out output; on return, with
            respect to the activation.
        mask : ndarray of shape (n_samples, n_units)
            The mask of the forward pass.
        """
        delta *= mask
