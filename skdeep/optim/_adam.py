"""Adam."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Adam"]


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
    At step :math:`t` with gradient :math:`g` and learning rate :math:`\eta`,

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \\
        \theta \leftarrow \theta - \eta
            \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}
            \frac{m}{\sqrt{v} + \epsilon}.
    """

    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8

    def init(self, params: np.ndarray) -> dict:
        """Create the optimizer state for a parameter vector.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Flat parameters.

        Returns
        -------
        state : dict
            Moments ``'m'``, ``'v'`` (zeros) and step count ``'t'`` (0).
        """
        return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

    def update(
        self, params: np.ndarray, grads: np.ndarray, state: dict, learning_rate: float
    ) -> None:
        r"""Apply one step in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Updated in place.
        grads : ndarray of shape (n_params,)
            Gradient at ``params``; overwritten (used as scratch space).
        state : dict
            From :meth:`init`; updated in place.
        learning_rate : float
            Base step size :math:`\eta`.
        """
        m, v, g = state["m"], state["v"], grads
        state["t"] += 1
        t = state["t"]
        # m <- b1 m + (1 - b1) g, written as b1 (m - g) + g: no temporary.
        m -= g
        m *= self.beta_1
        m += g
        np.square(g, out=g)
        v -= g
        v *= self.beta_2
        v += g
        # The gradient is no longer needed: its memory holds the step.
        np.sqrt(v, out=g)
        g += self.epsilon
        np.divide(m, g, out=g)
        g *= learning_rate * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        params -= g
