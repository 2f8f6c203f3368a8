"""Classification losses computed from raw scores; each loss owns its link.

Conventions
-----------
- ``raw`` : ndarray of shape (n_samples, n_outputs), the output of the last
  (linear) layer.
- ``target`` : for :class:`BinaryCrossEntropy`, an array of shape
  (n_samples, n_outputs) of 0/1 in the training dtype (one column for a binary
  problem, one per label for multilabel); for :class:`CategoricalCrossEntropy`,
  integer class codes of shape (n_samples,).
- ``weight`` : float or ndarray of shape (n_samples,), the weight of each
  sample in the objective ``sum_i weight_i * loss_i``. Passing
  ``sample_weight / sample_weight.sum()`` (or ``1 / n_samples``) gives the
  weighted mean that the estimators minimise.

Both losses are the negative log-likelihood of their link (sigmoid or
softmax), so their gradient with respect to the raw scores is the famously
simple ``weight * (proba - target)``: the Jacobian of the link cancels against
the derivative of the log. This is why the network ends in a linear layer and
the loss applies the link, and not the other way round.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["BinaryCrossEntropy", "CategoricalCrossEntropy", "LOSSES"]


def _weighted_sum(values: np.ndarray, weight: float | np.ndarray) -> float:
    if np.ndim(weight) == 0:
        return float(weight) * float(values.sum())
    return float(np.dot(weight, values))


class BinaryCrossEntropy:
    r"""Sigmoid link with binary cross-entropy, one column per output.

    Notes
    -----
    For a raw score :math:`z` and target :math:`t \in \{0, 1\}`,

    .. math::

        \ell(z, t) = \log(1 + e^{z}) - t z, \qquad
        \frac{\partial \ell}{\partial z} = \sigma(z) - t,

    which equals :math:`-t \log \sigma(z) - (1 - t) \log(1 - \sigma(z))`.
    ``log(1 + exp(z))`` is evaluated with :func:`numpy.logaddexp`, so the loss
    is finite for every finite :math:`z`. Columns are summed (multilabel).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import BinaryCrossEntropy
    >>> raw = np.array([[0.0], [2.0]])
    >>> loss = BinaryCrossEntropy().loss_gradient(raw, np.array([[1.0], [0.0]]), 0.5)
    >>> round(loss, 4)  # mean of log(2) and log(1 + e^2)
    1.41
    >>> np.round(raw, 4)  # overwritten by the gradient 0.5 * (sigmoid - target)
    array([[-0.25  ],
           [ 0.4404]])
    """

    name = "binary_log_loss"
    link_name = "logistic"

    def link(self, raw: np.ndarray) -> None:
        r"""Replace raw scores by probabilities, in place.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores; overwritten with :math:`\sigma(z)`.
        """
        expit(raw, out=raw)

    def log_proba(self, raw: np.ndarray) -> np.ndarray:
        r"""Log-probabilities of the positive class, computed stably.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_outputs)
            :math:`\log \sigma(z) = -\log(1 + e^{-z})`.
        """
        return -np.logaddexp(0, -raw)

    def loss_gradient(
        self, raw: np.ndarray, target: np.ndarray, weight: float | np.ndarray
    ) -> float:
        """Weighted loss; overwrites ``raw`` with its gradient.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores; on return, ``weight * (sigmoid(raw) - target)``.
        target : ndarray of shape (n_samples, n_outputs)
            0/1 targets.
        weight : float or ndarray of shape (n_samples,)
            Per-sample weights of the objective.

        Returns
        -------
        loss : float
            ``sum_i weight_i * sum_k loss(raw_ik, target_ik)``.
        """
        per_sample = np.logaddexp(0, raw)
        per_sample -= target * raw
        loss = _weighted_sum(per_sample.sum(axis=1), weight)
        expit(raw, out=raw)
        raw -= target
        raw *= weight if np.ndim(weight) == 0 else weight[:, None]
        return loss


class CategoricalCrossEntropy:
    r"""Softmax link with categorical cross-entropy.

    Notes
    -----
    For raw scores :math:`z \in \mathbb{R}^K` and true class :math:`c`,

    .. math::

        \ell(z, c) = \log \sum_k e^{z_k} - z_c, \qquad
        \frac{\partial \ell}{\partial z_k} = \mathrm{softmax}(z)_k - [k = c].

    The log-sum-exp is shifted by :math:`\max_k z_k`, so nothing overflows and
    the loss is finite for every finite :math:`z`.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import CategoricalCrossEntropy
    >>> raw = np.array([[1000.0, 0.0, -1000.0]])  # no overflow
    >>> CategoricalCrossEntropy().loss_gradient(raw, np.array([1]), 1.0)
    1000.0
    >>> raw
    array([[ 1., -1.,  0.]])
    """

    name = "log_loss"
    link_name = "softmax"

    def link(self, raw: np.ndarray) -> None:
        """Replace raw scores by softmax probabilities, in place.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_classes)
            Raw scores; overwritten with the softmax over each row.
        """
        # Shifting finite scores of opposite extremes may overflow to -inf,
        # whose exp is the correct 0: not worth a warning.
        with np.errstate(over="ignore"):
            raw -= raw.max(axis=1, keepdims=True)
        np.exp(raw, out=raw)
        raw /= raw.sum(axis=1, keepdims=True)

    def log_proba(self, raw: np.ndarray) -> np.ndarray:
        r"""Log-softmax of the raw scores, computed stably.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_classes)
            Raw scores.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            :math:`z_k - \log \sum_j e^{z_j}`.
        """
        with np.errstate(over="ignore"):  # as in link
            shifted = raw - raw.max(axis=1, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return shifted

    def loss_gradient(
        self, raw: np.ndarray, target: np.ndarray, weight: float | np.ndarray
    ) -> float:
        """Weighted loss; overwrites ``raw`` with its gradient.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_classes)
            Raw scores; on return, ``weight * (softmax(raw) - onehot(target))``.
        target : ndarray of shape (n_samples,)
            Integer class codes in ``[0, n_classes)``.
        weight : float or ndarray of shape (n_samples,)
            Per-sample weights of the objective.

        Returns
        -------
        loss : float
            ``sum_i weight_i * loss(raw_i, target_i)``.
        """
        rows = np.arange(raw.shape[0])
        raw -= raw.max(axis=1, keepdims=True)
        true_score = raw[rows, target]
        np.exp(raw, out=raw)
        norm = raw.sum(axis=1)
        loss = _weighted_sum(np.log(norm) - true_score, weight)
        raw /= norm[:, None]
        raw[rows, target] -= 1
        raw *= weight if np.ndim(weight) == 0 else weight[:, None]
        return loss


LOSSES = {"binary_log_loss": BinaryCrossEntropy, "log_loss": CategoricalCrossEntropy}
