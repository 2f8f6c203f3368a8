"""Adam."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._base import CHUNK, LearningRate, ScaledRate, chunks, is_per_parameter

__all__ = ["Adam", "AdamState"]


@dataclass
class AdamState:
    """The state of :class:`Adam`.

    Attributes
    ----------
    m, v : ndarray of shape (n_params,)
        First and second moments, stored divided by ``1 - beta_1`` and
        ``1 - beta_2`` respectively, which saves two passes per step.
    t : int
        Steps taken.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import Adam
    >>> Adam().init(np.ones(2)).t
    0
    """

    m: np.ndarray
    v: np.ndarray
    t: int = 0


@dataclass(frozen=True)
class Adam:
    r"""Adam (Kingma & Ba, 2015), as in scikit-learn's ``MLPClassifier``.

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first-moment estimate, in [0, 1).
    beta_2 : float, default=0.999
        Decay of the second-moment estimate, in [0, 1).
    epsilon : float, default=1e-8
        Added to the denominator for numerical stability.

    Notes
    -----
    At step :math:`t` with gradient :math:`g` and learning rate :math:`\eta`
    (a scalar, or one value per parameter, the equations then holding
    elementwise),

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \\
        \theta \leftarrow \theta - \eta
            \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}
            \frac{m}{\sqrt{v} + \epsilon}.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import Adam
    >>> adam, params = Adam(), np.zeros(2)
    >>> state = adam.init(params)
    >>> adam.update(params, np.array([2.0, -0.5]), state, learning_rate=0.1)
    >>> np.round(params, 4)  # the first step is about learning_rate * sign(g)
    array([-0.1,  0.1])

    A learning rate per parameter (here the second one is frozen):

    >>> adam.update(params, np.array([2.0, -0.5]), state, np.array([0.1, 0.0]))
    >>> np.round(params, 4)
    array([-0.2,  0.1])
    """

    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8

    def init(self, params: np.ndarray) -> AdamState:
        """Create the optimizer state for a parameter vector.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Flat parameters.

        Returns
        -------
        state : AdamState
            Zero moments, no step taken.
        """
        return AdamState(np.zeros_like(params), np.zeros_like(params))

    def update(
        self,
        params: np.ndarray,
        grads: np.ndarray,
        state: AdamState,
        learning_rate: LearningRate,
    ) -> None:
        r"""Apply one step in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Updated in place.
        grads : ndarray of shape (n_params,)
            Gradient at ``params``; overwritten (used as scratch space).
        state : AdamState
            From :meth:`init`; updated in place.
        learning_rate : float or ndarray of shape (n_params,)
            Base step size :math:`\eta`, for all parameters or one per
            parameter.
        """
        # The state keeps m / (1 - beta_1) and v / (1 - beta_2): their updates
        # are then M <- beta_1 M + g and V <- beta_2 V + g^2, two passes each,
        # and the constants move into the scalar step size.
        state.t += 1
        t = state.t
        # With m = (1 - b1) M and v = (1 - b2) V, the step
        # lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps) is
        # scale * M / (sqrt(V) + eps / sqrt(1 - b2)).
        root = np.sqrt(1 - self.beta_2)
        # scale = ((learning_rate * a) * b) / c; a per-parameter rate goes
        # through the same operations in the same order, so both paths round
        # alike.
        a, b, c = (
            np.sqrt(1 - self.beta_2**t),
            1 - self.beta_1,
            (1 - self.beta_1**t) * root,
        )
        shift = self.epsilon / root
        per_parameter = is_per_parameter(learning_rate, params)
        factored = isinstance(learning_rate, ScaledRate)
        if factored:
            scale = learning_rate.scale * a * b / c
            factors = learning_rate.factors
            per_parameter = False
        elif per_parameter:
            # One chunk of per-parameter scales, float64 as the scalar is.
            scales = np.empty(min(CHUNK, params.size))
        else:
            scale = learning_rate * a * b / c
        for piece in chunks(params.size):
            M, V, g = state.m[piece], state.v[piece], grads[piece]
            M *= self.beta_1
            M += g
            np.square(g, out=g)
            V *= self.beta_2
            V += g
            np.sqrt(V, out=g)  # the gradient's memory now holds the step
            g += shift
            np.divide(M, g, out=g)
            if per_parameter:
                rate = scales[: piece.stop - piece.start]
                np.multiply(learning_rate[piece], a, out=rate, dtype=np.float64)
                rate *= b
                rate /= c
                g *= rate
            else:
                if factored:
                    g *= factors[piece]
                g *= scale
            params[piece] -= g
