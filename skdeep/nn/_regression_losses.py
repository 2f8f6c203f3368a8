"""The losses of real-valued targets (see :mod:`skdeep.nn.losses`)."""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

__all__ = ["PinballLoss", "PoissonDeviance", "SquaredError"]


def _weighted_sum(values: np.ndarray, weight: float | np.ndarray) -> float:
    if np.ndim(weight) == 0:
        return float(weight) * float(values.sum())
    if values.ndim == 1:
        return float(np.dot(weight, values))
    return float(np.einsum("ki,ki->", weight, values))


def _per_row(weight):
    """Return a scalar weight, or per-sample weights broadcast over outputs."""
    return weight if np.ndim(weight) == 0 else weight[..., None]


class _IdentityLink:
    """The identity link: a loss whose raw scores are its predictions."""

    out_activation = "identity"

    def link(self, raw: np.ndarray) -> None:
        """Leave raw scores as they are: they are the predictions (identity).

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores; left unchanged.
        """


class SquaredError(_IdentityLink):
    r"""Identity link with half the squared error, summed over outputs.

    Notes
    -----
    For a raw score :math:`z` (the prediction itself) and target :math:`y`,

    .. math::

        \ell(z, y) = \tfrac{1}{2} (z - y)^2, \qquad
        \frac{\partial \ell}{\partial z} = z - y.

    With several outputs the per-output losses are summed, the function whose
    gradient scikit-learn's ``MLPRegressor`` follows (it reports their mean,
    scikit-learn issue #8349), so that stochastic solvers train the same
    weights and L-BFGS minimises the function it is given the gradient of.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import SquaredError
    >>> raw = np.array([[1.0], [3.0]])
    >>> SquaredError().loss_gradient(raw, np.array([[0.0], [1.0]]), 0.5)
    1.25
    >>> raw  # overwritten by the gradient 0.5 * (raw - target)
    array([[0.5],
           [1. ]])
    """

    name = "squared_error"

    def loss_gradient(
        self, raw: np.ndarray, target: np.ndarray, weight: float | np.ndarray
    ) -> float:
        """Weighted loss; overwrites ``raw`` with its gradient.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores; on return, ``weight * (raw - target)``.
        target : ndarray of shape (n_samples, n_outputs)
            Real targets.
        weight : float or ndarray of shape (n_samples,)
            Per-sample weights of the objective.

        Returns
        -------
        loss : float
            ``sum_i weight_i * sum_k (raw_ik - target_ik) ** 2 / 2``.
        """
        raw -= target
        per_sample = np.einsum("...j,...j->...", raw, raw)
        loss = 0.5 * _weighted_sum(per_sample, weight)
        raw *= _per_row(weight)
        return loss


class PoissonDeviance:
    r"""Log link with half the Poisson deviance, summed over outputs.

    Notes
    -----
    The prediction is :math:`\mu = e^z` for a raw score :math:`z`, and for a
    count (or rate) :math:`y \ge 0`,

    .. math::

        \ell(z, y) = y \log\frac{y}{\mu} - y + \mu
                   = e^z - y z + (y \log y - y), \qquad
        \frac{\partial \ell}{\partial z} = e^z - y.

    The constant :math:`y \log y - y` makes the loss zero at a perfect fit,
    as in scikit-learn's ``MLPRegressor(loss='poisson')``. A raw score so
    large that :math:`e^z` overflows gives an infinite loss, which the
    estimators report as divergence.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import PoissonDeviance
    >>> raw = np.log(np.array([[2.0], [1.0]]))
    >>> round(PoissonDeviance().loss_gradient(raw, np.array([[2.0], [3.0]]), 1.0), 4)
    1.2958
    >>> np.round(raw, 4)  # exp(raw) - target
    array([[ 0.],
           [-2.]])
    """

    name = "poisson"
    out_activation = "exp"

    def link(self, raw: np.ndarray) -> None:
        """Replace raw scores by the predicted means :math:`e^z`, in place.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores; overwritten.
        """
        np.exp(raw, out=raw)

    def loss_gradient(
        self, raw: np.ndarray, target: np.ndarray, weight: float | np.ndarray
    ) -> float:
        """Weighted loss; overwrites ``raw`` with its gradient.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores; on return, ``weight * (exp(raw) - target)``.
        target : ndarray of shape (n_samples, n_outputs)
            Non-negative targets.
        weight : float or ndarray of shape (n_samples,)
            Per-sample weights of the objective.

        Returns
        -------
        loss : float
            ``sum_i weight_i * sum_k loss(raw_ik, target_ik)``.
        """
        per_sample = np.einsum("...j,...j->...", target, raw)
        np.exp(raw, out=raw)
        per_sample -= raw.sum(axis=-1)
        per_sample -= (xlogy(target, target) - target).sum(axis=-1)
        loss = -_weighted_sum(per_sample, weight)
        raw -= target
        raw *= _per_row(weight)
        return loss


class PinballLoss(_IdentityLink):
    r"""Identity link with the pinball (quantile) loss, summed over outputs.

    Parameters
    ----------
    quantile : float, default=0.5
        The quantile :math:`q` in (0, 1) the prediction estimates; 0.5 is
        half the absolute error (the median).

    Notes
    -----
    For a raw score :math:`z` (the prediction itself) and target :math:`y`,

    .. math::

        \ell(z, y) = \max\left(q (y - z), (q - 1)(y - z)\right), \qquad
        \frac{\partial \ell}{\partial z} = [z > y] - q,

    whose expectation is least where :math:`P(y \le z) = q` (Koenker &
    Bassett, "Regression Quantiles", Econometrica 1978); the gradient at
    :math:`z = y` is taken as :math:`-q`. This is scikit-learn's
    ``mean_pinball_loss`` and ``HistGradientBoostingRegressor(loss='quantile')``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import PinballLoss
    >>> raw = np.array([[1.0], [3.0]])
    >>> PinballLoss(0.9).loss_gradient(raw, np.array([[2.0], [2.0]]), 0.5)
    0.5
    >>> raw  # 0.5 * ([raw > target] - 0.9)
    array([[-0.45],
           [ 0.05]])
    """

    name = "quantile"

    def __init__(self, quantile: float = 0.5):
        if not 0 < quantile < 1:
            raise ValueError(f"quantile must be in (0, 1), got {quantile!r}.")
        self.quantile = float(quantile)

    def loss_gradient(
        self, raw: np.ndarray, target: np.ndarray, weight: float | np.ndarray
    ) -> float:
        """Weighted loss; overwrites ``raw`` with its gradient.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores; on return, ``weight * ([raw > target] - quantile)``.
        target : ndarray of shape (n_samples, n_outputs)
            Real targets.
        weight : float or ndarray of shape (n_samples,)
            Per-sample weights of the objective.

        Returns
        -------
        loss : float
            ``sum_i weight_i * sum_k pinball(raw_ik, target_ik)``.
        """
        q = self.quantile
        raw -= target  # z - y
        over = raw > 0
        per_sample = np.where(over, (1 - q) * raw, -q * raw).sum(axis=-1)
        loss = _weighted_sum(per_sample, weight)
        np.subtract(over, q, out=raw, casting="unsafe")
        raw *= _per_row(weight)
        return loss
