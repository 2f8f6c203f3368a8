"""RMSprop."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._base import CHUNK, LearningRate, ScaledRate, chunks, is_per_parameter

__all__ = ["RMSprop", "RMSpropState"]


@dataclass
class RMSpropState:
    """The state of :class:`RMSprop`.

    Attributes
    ----------
    v : ndarray of shape (n_params,)
        Running average of squared gradients, stored divided by
        ``1 - beta``.
    scratch : ndarray of shape (n_params,)
        Room for the update's denominator (no allocation per step).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import RMSprop
    >>> RMSprop().init(np.ones(2)).v
    array([0., 0.])
    """

    v: np.ndarray
    scratch: np.ndarray


@dataclass(frozen=True)
class RMSprop:
    r"""RMSprop (Tieleman & Hinton, 2012).

    Parameters
    ----------
    beta : float, default=0.999
        Decay of the running average of squared gradients, in [0, 1) (the
        estimators pass ``beta_2``).
    epsilon : float, default=1e-8
        Added to the denominator for numerical stability.

    Notes
    -----
    With gradient :math:`g` and learning rate :math:`\eta` (a scalar, or one
    value per parameter, the equations then holding elementwise),

    .. math::

        v \leftarrow \beta v + (1 - \beta) g^2, \qquad
        \theta \leftarrow \theta - \eta \frac{g}{\sqrt{v} + \epsilon}.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import RMSprop
    >>> rmsprop, params = RMSprop(beta=0.9), np.zeros(2)
    >>> state = rmsprop.init(params)
    >>> rmsprop.update(params, np.array([1.0, -4.0]), state, learning_rate=0.01)
    >>> np.round(params, 4)  # first step: learning_rate * g / |g| / sqrt(1 - beta)
    array([-0.0316,  0.0316])

    A learning rate per parameter (here the first one is frozen):

    >>> rmsprop.update(params, np.array([1.0, -4.0]), state, np.array([0.0, 0.01]))
    >>> np.round(params, 4)
    array([-0.0316,  0.0546])
    """

    beta: float = 0.999
    epsilon: float = 1e-8

    def init(self, params: np.ndarray) -> RMSpropState:
        """Create the optimizer state for a parameter vector.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Flat parameters.

        Returns
        -------
        state : RMSpropState
            A zero running average.
        """
        return RMSpropState(np.zeros_like(params), np.empty_like(params))

    def update(
        self,
        params: np.ndarray,
        grads: np.ndarray,
        state: RMSpropState,
        learning_rate: LearningRate,
    ) -> None:
        r"""Apply one step in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Updated in place.
        grads : ndarray of shape (n_params,)
            Gradient at ``params``; overwritten (used as scratch space).
        state : RMSpropState
            From :meth:`init`; updated in place.
        learning_rate : float or ndarray of shape (n_params,)
            Step size :math:`\eta`, for all parameters or one per parameter.
        """
        if isinstance(learning_rate, ScaledRate):
            learning_rate = learning_rate.vector()
        # V = v / (1 - beta) follows V <- beta V + g^2 (two passes), and
        # sqrt(v) + eps = root * (sqrt(V) + eps / root), root = sqrt(1 - beta).
        root = np.sqrt(1 - self.beta)
        per_parameter = is_per_parameter(learning_rate, params)
        if per_parameter:
            # One chunk of learning_rate / root, float64 as the scalar is, so
            # that both paths round alike.
            scales = np.empty(min(CHUNK, params.size))
        for piece in chunks(params.size):
            V, denom, g = state.v[piece], state.scratch[piece], grads[piece]
            np.square(g, out=denom)
            V *= self.beta
            V += denom
            np.sqrt(V, out=denom)
            denom += self.epsilon / root
            np.divide(g, denom, out=g)
            if per_parameter:
                rate = scales[: piece.stop - piece.start]
                np.divide(learning_rate[piece], root, out=rate, dtype=np.float64)
                g *= rate
            else:
                g *= learning_rate / root
            params[piece] -= g
