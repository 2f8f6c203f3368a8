"""Decoupled weight decay."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._base import CHUNK, LearningRate, ScaledRate, chunks, is_per_parameter

__all__ = ["decay_weights"]


def decay_weights(
    params: np.ndarray,
    learning_rate: LearningRate,
    weight_decay: float,
    pieces: Sequence[slice],
) -> None:
    r"""Shrink pieces of a parameter vector toward zero, in place.

    Decoupled weight decay (Loshchilov & Hutter, 2019) as PyTorch's
    ``AdamW`` applies it: the parameters shrink in proportion to the step's
    learning rate, apart from the gradient and from any moment an update
    rule keeps. Call it once per step next to the rule's ``update``, with
    the same learning rate; the slices not listed (biases, say) stay as
    they are.

    Parameters
    ----------
    params : ndarray of shape (n_params,)
        Flat parameters, updated in place.
    learning_rate : float, ndarray of shape (n_params,) or ScaledRate
        The step's learning rate :math:`\eta`, for all parameters or one per
        parameter (as given to the update rule).
    weight_decay : float
        Decay :math:`\lambda` per unit of learning rate; 0 does nothing.
    pieces : sequence of slice
        Contiguous slices of ``params`` to decay (step 1), such as a
        network's ``param_slices('weights')``.

    Notes
    -----
    On the listed pieces,

    .. math::

        \theta \leftarrow (1 - \eta \lambda)\, \theta.

    Adam, RMSprop and SGD compute their step from the gradient and their
    state only, never from :math:`\theta`, so decaying before or after the
    rule's update gives the same parameters. With Adam this is AdamW:

    .. math::

        \theta \leftarrow \theta - \eta \left(
            \frac{\hat m}{\sqrt{\hat v} + \epsilon} + \lambda \theta \right).

    References
    ----------
    I. Loshchilov and F. Hutter, "Decoupled Weight Decay Regularization",
    ICLR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import decay_weights
    >>> params = np.array([1.0, 2.0, 3.0, 4.0])
    >>> decay_weights(params, 0.1, 0.5, [slice(0, 2)])  # shrink by 1 - 0.05
    >>> params
    array([0.95, 1.9 , 3.  , 4.  ])

    With one learning rate per parameter:

    >>> rates = np.array([0.0, 0.2, 0.2, 0.2])
    >>> decay_weights(params, rates, 0.5, [slice(0, 4)])
    >>> params
    array([0.95, 1.71, 2.7 , 3.6 ])
    """
    if weight_decay == 0:
        return
    if isinstance(learning_rate, ScaledRate):
        # 1 - scale * wd * factor, in the parameters' dtype, a chunk at a time.
        shrink = -learning_rate.scale * weight_decay
        factors = learning_rate.factors
        buffer = np.empty(min(CHUNK, params.size), dtype=params.dtype)
        for piece in pieces:
            start, stop, _ = piece.indices(params.size)
            for part in chunks(max(stop - start, 0)):
                where = slice(start + part.start, start + part.stop)
                factor = np.multiply(
                    factors[where], shrink, out=buffer[: part.stop - part.start]
                )
                factor += 1
                params[where] *= factor
        return
    bounds = [piece.indices(params.size) for piece in pieces]
    if any(step != 1 for _, _, step in bounds):
        raise ValueError("decay_weights needs contiguous slices (step 1).")
    if not is_per_parameter(learning_rate, params):
        # As PyTorch's AdamW: one multiplication by 1 - lr * wd.
        factor = 1 - learning_rate * weight_decay
        for start, stop, _ in bounds:
            params[start:stop] *= factor
        return
    # The factors 1 - lr * wd, a chunk at a time, in float64 as the scalar
    # factor is and in the same operations, so both paths round alike.
    longest = max((stop - start for start, stop, _ in bounds), default=0)
    factors = np.empty(min(CHUNK, max(longest, 0)))
    for start, stop, _ in bounds:
        for part in chunks(max(stop - start, 0)):
            where = slice(start + part.start, start + part.stop)
            factor = factors[: part.stop - part.start]
            np.multiply(learning_rate[where], -weight_decay, out=factor, dtype=float)
            factor += 1
            params[where] *= factor
