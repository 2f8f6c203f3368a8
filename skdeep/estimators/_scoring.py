"""What early stopping judges: the task's score, the loss, or any scorer.

``scoring`` follows ``HistGradientBoosting*``: None keeps the task's own
score (accuracy, R^2, as ``MLPClassifier``/``MLPRegressor`` do); ``'loss'``
is the validation loss, negated so that higher is better; anything else is a
scikit-learn scorer name or callable, ``scorer(estimator, X_val, y_val)``.

During training the estimator is not fitted yet, so a scorer is handed a
:class:`Predictions` view instead: it answers ``predict``,
``predict_proba`` and ``decision_function`` for the validation rows from the
raw scores computed once per epoch, and ignores the ``X`` it is passed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.utils.metaestimators import available_if

from ..nn.losses import plain_loss

__all__ = ["Predictions", "check_scoring_parameter", "validation_score"]


def check_scoring_parameter(estimator) -> None:
    """Raise scikit-learn's error for an unknown scorer, before any work."""
    if estimator.scoring not in (None, "loss"):
        check_scoring(estimator, scoring=estimator.scoring)


def validation_score(estimator, loss, target: np.ndarray) -> Callable:
    """Return ``score(raw, y, sample_weight) -> float`` for ``estimator.scoring``.

    Parameters
    ----------
    estimator : BaseNetwork
        Its ``scoring`` chooses the score; its task hooks decode raw scores.
    loss : loss object
        The network's training loss, for ``'loss'`` (scored without label
        smoothing).
    target : ndarray
        The validation rows' targets in the loss's format, for ``'loss'``.
    """
    scoring = estimator.scoring
    if scoring is None and loss.name == "quantile":
        scoring = "loss"  # R^2 would favour the mean over the quantile
    if scoring is None:
        return lambda raw, y, sw: estimator._score_predictions(
            y, estimator._decode_raw(raw), sw
        )
    if scoring == "loss":
        # The plain loss, without label smoothing or penalty: the validation
        # rows' mean log loss (or squared error, or deviance) as the model's
        # predictions give it.
        loss = plain_loss(loss)

        def negative_loss(raw, y, sw):
            weight = 1 / len(raw) if sw is None else sw / sw.sum()
            return -loss.loss_gradient(raw, target, weight)

        return negative_loss
    scorer = check_scoring(estimator, scoring=scoring)

    def score(raw, y, sw):
        view = Predictions(estimator, raw)
        if sw is None:
            return float(scorer(view, raw, y))
        return float(scorer(view, raw, y, sample_weight=sw))

    return score


def _has(method: str):
    return lambda view: hasattr(view._estimator, method)


class Predictions:
    """The estimator's answers for the validation rows, as a scorer asks them.

    Parameters
    ----------
    estimator : BaseNetwork
        The estimator being trained; its target attributes (``classes_``...)
        are set, its weights not yet.
    raw : ndarray of shape (n_val, n_outputs)
        The network's raw scores for the validation rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import DeepNetClassifier
    >>> from skdeep.estimators._scoring import Predictions
    >>> net = DeepNetClassifier()
    >>> net.classes_, net._y_type = np.array(["no", "yes"]), "binary"
    >>> net._loss = "binary_log_loss"
    >>> Predictions(net, np.array([[-1.0], [2.0]])).predict(None)
    array(['no', 'yes'], dtype='<U3')
    """

    def __init__(self, estimator, raw: np.ndarray):
        self._estimator = estimator
        self._raw = raw

    def __getattr__(self, name):
        # Fitted-style attributes (classes_, n_outputs_) come from the
        # estimator; nothing else does.
        if name.endswith("_") and not name.startswith("_"):
            return getattr(self._estimator, name)
        raise AttributeError(name)

    def __sklearn_tags__(self):
        return self._estimator.__sklearn_tags__()

    def predict(self, X):
        """Return the predictions for the validation rows (``X`` is ignored)."""
        return self._estimator._decode_raw(self._raw.copy())

    @available_if(_has("predict_proba"))
    def predict_proba(self, X):
        """Return class probabilities for the validation rows."""
        return self._estimator._proba_from_raw(self._raw.copy())

    @available_if(_has("predict_proba"))
    def predict_log_proba(self, X):
        """Return the log of the class probabilities for the validation rows."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_has("decision_function"))
    def decision_function(self, X):
        """Return the raw scores for the validation rows."""
        return self._estimator._decision_from_raw(self._raw.copy())

    def score(self, X, y, sample_weight=None):
        """Return the task's own score (accuracy, R^2) of the predictions."""
        return self._estimator._score_predictions(
            y, self.predict(X), sample_weight=sample_weight
        )
