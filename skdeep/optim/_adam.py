"""Adam."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..nn._blas import axpy

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
        m, v = state["m"], state["v"]
        state["t"] += 1
        t = state["t"]
        m *= self.beta_1
        axpy(1 - self.beta_1, grads, m)
        np.square(grads, out=grads)
        v *= self.beta_2
        axpy(1 - self.beta_2, grads, v)
        step = learning_rate * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        denom = grads  # the gradient is no longer needed: reuse its memory
        np.sqrt(v, out=denom)
        denom += self.epsilon
        np.divide(m, denom, out=denom)
        axpy(-step, denom, params)
