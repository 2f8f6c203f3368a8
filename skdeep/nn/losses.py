"""Losses computed from raw scores; each loss owns its link.

Conventions
-----------
- ``raw`` : ndarray of shape (n_samples, n_outputs), the output of the last
  (linear) layer.
- ``target`` : for :class:`BinaryCrossEntropy`, an array of shape
  (n_samples, n_outputs) of 0/1 in the training dtype (one column for a binary
  problem, one per label for multilabel); for :class:`CategoricalCrossEntropy`,
  integer class codes of shape (n_samples,); for :class:`SquaredError`,
  :class:`PoissonDeviance` and :class:`PinballLoss`, real targets of shape
  (n_samples, n_outputs) in the training dtype.
- ``weight`` : float or ndarray of shape (n_samples,), the weight of each
  sample in the objective ``sum_i weight_i * loss_i``. Passing
  ``sample_weight / sample_weight.sum()`` (or ``1 / n_samples``) gives the
  weighted mean that the estimators minimise.
- A pack of ``k`` members adds a leading member axis to all three, ``(k,
  n_samples, ...)``; the loss is then the sum of the members' losses.

Every loss here but the pinball loss is the negative log-likelihood of its
link's canonical family (sigmoid for Bernoulli, softmax for categorical,
identity for Gaussian, exp for Poisson), so its gradient with respect to the
raw scores is the famously simple ``weight * (prediction - target)``: the
Jacobian of the link cancels against the derivative of the log-likelihood.
This is why the network ends in a linear layer and the loss applies the
link, and not the other way round. The pinball loss (quantile regression)
reads the raw score as it is; its gradient is the sign of the error, tilted
by the quantile. Values are summed over outputs (columns), so the loss and
its gradient describe one function, whatever the number of outputs.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ._regression_losses import (
    PinballLoss,
    PoissonDeviance,
    SquaredError,
    _per_row,
    _weighted_sum,
)

__all__ = [
    "LOSSES",
    "REGRESSION_LOSSES",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "PinballLoss",
    "PoissonDeviance",
    "SquaredError",
    "plain_loss",
]


def _check_smoothing(label_smoothing: float) -> None:
    if not 0 <= label_smoothing < 1:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing!r}.")


class BinaryCrossEntropy:
    r"""Sigmoid link with binary cross-entropy, one column per output.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        :math:`\varepsilon` in [0, 1): each 0/1 target :math:`t` becomes
        :math:`(1 - \varepsilon) t + \varepsilon / 2`, the two-class case of
        PyTorch's ``CrossEntropyLoss(label_smoothing=...)``; with several
        columns (multilabel), each label is smoothed on its own.

    Notes
    -----
    For a raw score :math:`z` and target :math:`t \in \{0, 1\}`,

    .. math::

        \ell(z, t) = \log(1 + e^{z}) - t z, \qquad
        \frac{\partial \ell}{\partial z} = \sigma(z) - t,

    which equals :math:`-t \log \sigma(z) - (1 - t) \log(1 - \sigma(z))`.
    ``log(1 + exp(z))`` is evaluated with :func:`numpy.logaddexp`, so the loss
    is finite for every finite :math:`z`. Columns are summed (multilabel).
    With label smoothing the formulas hold for the smoothed target; the
    loss is then not zero at its minimum.

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
    out_activation = "logistic"

    def __init__(self, label_smoothing: float = 0.0):
        _check_smoothing(label_smoothing)
        self.label_smoothing = float(label_smoothing)

    def link(self, raw: np.ndarray) -> None:
        r"""Replace raw scores by probabilities, in place.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Raw scores; overwritten with :math:`\sigma(z)`.
        """
        expit(raw, out=raw)

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
        if self.label_smoothing:
            eps = self.label_smoothing
            target = target * (1 - eps) + eps / 2
        per_sample = np.logaddexp(0, raw)
        per_sample -= target * raw
        loss = _weighted_sum(per_sample.sum(axis=-1), weight)
        expit(raw, out=raw)
        raw -= target
        raw *= _per_row(weight)
        return loss


class CategoricalCrossEntropy:
    r"""Softmax link with categorical cross-entropy.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        :math:`\varepsilon` in [0, 1): the one-hot target becomes
        :math:`q_k = (1 - \varepsilon)[k = c] + \varepsilon / K`, as in
        PyTorch's ``CrossEntropyLoss(label_smoothing=...)`` (Szegedy et al.,
        "Rethinking the Inception Architecture for Computer Vision", 2016).

    Notes
    -----
    For raw scores :math:`z \in \mathbb{R}^K` and true class :math:`c`,

    .. math::

        \ell(z, c) = \log \sum_k e^{z_k} - z_c, \qquad
        \frac{\partial \ell}{\partial z_k} = \mathrm{softmax}(z)_k - [k = c].

    The log-sum-exp is shifted by :math:`\max_k z_k`, so nothing overflows and
    the loss is finite for every finite :math:`z`. With label smoothing,

    .. math::

        \ell(z, c) = \log \sum_k e^{z_k} - \sum_k q_k z_k, \qquad
        \frac{\partial \ell}{\partial z_k} = \mathrm{softmax}(z)_k - q_k.

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
    out_activation = "softmax"

    def __init__(self, label_smoothing: float = 0.0):
        _check_smoothing(label_smoothing)
        self.label_smoothing = float(label_smoothing)

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
            raw -= raw.max(axis=-1, keepdims=True)
        np.exp(raw, out=raw)
        raw /= raw.sum(axis=-1, keepdims=True)

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
        # (sample,) or (member, sample) indices of the true classes' scores.
        true = (np.arange(raw.shape[-2]), target)
        if raw.ndim == 3:
            true = (np.arange(raw.shape[0])[:, None], *true)
        raw -= raw.max(axis=-1, keepdims=True)
        eps = self.label_smoothing
        # sum_k q_k z_k; the shift cancels, since the q_k sum to one.
        true_score = raw[true]
        if eps:
            true_score = (1 - eps) * true_score + eps * raw.mean(axis=-1)
        np.exp(raw, out=raw)
        norm = raw.sum(axis=-1)
        loss = _weighted_sum(np.log(norm) - true_score, weight)
        raw /= norm[..., None]
        raw[true] -= 1 - eps
        if eps:
            raw -= eps / raw.shape[-1]
        raw *= _per_row(weight)
        return loss


def plain_loss(loss):
    """Return the loss a model is judged by: ``loss`` without label smoothing.

    Label smoothing is a training device; held-out rows are scored on their
    true labels. Options that define the task (a pinball loss's quantile)
    are kept.

    Parameters
    ----------
    loss : loss object
        One of the losses of :data:`LOSSES`, with its options.

    Returns
    -------
    loss : loss object
        ``loss`` itself, or the same loss without label smoothing.

    Examples
    --------
    >>> from skdeep.nn.losses import CategoricalCrossEntropy, plain_loss
    >>> plain_loss(CategoricalCrossEntropy(label_smoothing=0.1)).label_smoothing
    0.0
    """
    if getattr(loss, "label_smoothing", 0.0):
        return type(loss)()
    return loss


LOSSES = {
    loss.name: loss
    for loss in (
        BinaryCrossEntropy,
        CategoricalCrossEntropy,
        SquaredError,
        PoissonDeviance,
        PinballLoss,
    )
}
#: The losses of real-valued targets (the regressors' ``loss`` options).
REGRESSION_LOSSES = ("squared_error", "poisson", "quantile")
