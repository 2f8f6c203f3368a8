"""Stochastic gradient descent with (Nesterov) momentum."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._base import LearningRate, ScaledRate, chunks, is_per_parameter

__all__ = ["SGD", "SGDState"]


@dataclass
class SGDState:
    """The state of :class:`SGD`.

    Attributes
    ----------
    velocity : ndarray of shape (n_params,)
        Running velocity :math:`v`.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import SGD
    >>> SGD().init(np.ones(2))
    SGDState(velocity=array([0., 0.]))
    """

    velocity: np.ndarray


@dataclass(frozen=True)
class SGD:
    r"""Gradient descent with momentum, as in scikit-learn's ``MLPClassifier``.

    The object holds hyperparameters only; the velocity lives in the state
    made by :meth:`init`, so one ``SGD`` can train many networks.

    Parameters
    ----------
    momentum : float, default=0.9
        Momentum :math:`\mu` in [0, 1].
    nesterov : bool, default=True
        Whether to use Nesterov's momentum.

    Notes
    -----
    With learning rate :math:`\eta` (a scalar, or one value per parameter,
    the equations then holding elementwise) and gradient :math:`g`,

    .. math::

        v \leftarrow \mu v - \eta g, \qquad
        \theta \leftarrow \theta + \begin{cases}
            \mu v - \eta g & \text{(Nesterov)} \\
            v & \text{(classical)}
        \end{cases}

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import SGD
    >>> sgd, params = SGD(momentum=0.0, nesterov=False), np.ones(2)
    >>> state = sgd.init(params)
    >>> sgd.update(params, np.array([1.0, -1.0]), state, learning_rate=0.1)
    >>> params
    array([0.9, 1.1])

    A learning rate per parameter:

    >>> sgd.update(params, np.array([1.0, 1.0]), state, np.array([0.1, 0.0]))
    >>> params
    array([0.8, 1.1])
    """

    momentum: float = 0.9
    nesterov: bool = True

    def init(self, params: np.ndarray) -> SGDState:
        """Create the optimizer state for a parameter vector.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Flat parameters.

        Returns
        -------
        state : SGDState
            Zero velocity.
        """
        return SGDState(np.zeros_like(params))

    def update(
        self,
        params: np.ndarray,
        grads: np.ndarray,
        state: SGDState,
        learning_rate: LearningRate,
    ) -> None:
        r"""Apply one step in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Updated in place.
        grads : ndarray of shape (n_params,)
            Gradient at ``params``; overwritten (used as scratch space).
        state : SGDState
            From :meth:`init`; updated in place.
        learning_rate : float or ndarray of shape (n_params,)
            Step size :math:`\eta` for this step, for all parameters or one
            per parameter.
        """
        if isinstance(learning_rate, ScaledRate):
            learning_rate = learning_rate.vector()
        per_parameter = is_per_parameter(learning_rate, params)
        for piece in chunks(params.size):
            velocity, g, theta = state.velocity[piece], grads[piece], params[piece]
            g *= learning_rate[piece] if per_parameter else learning_rate
            velocity *= self.momentum
            velocity -= g
            if self.nesterov:
                theta -= g
                np.multiply(velocity, self.momentum, out=g)
                theta += g
            else:
                theta += velocity
