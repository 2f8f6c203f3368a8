"""What regression adds to the base: real targets, predictions, R^2."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.validation import column_or_1d

from ..nn import LOSSES, REGRESSION_LOSSES
from ..utils._sklearn import (
    Interval,
    InvalidParameterError,
    StrOptions,
    _fit_context,
    with_callbacks,
)
from ._base import BaseNetwork
from ._prediction import raw_scores
from ._preparation import Targets

__all__ = ["BaseNetRegressor"]


class BaseNetRegressor(RegressorMixin, BaseNetwork):
    """Regression on the base: 1-D or 2-D real targets, ``predict``, R^2.

    Targets are used as given, like ``MLPRegressor`` does: the loss is
    computed on their scale (see ``TransformedTargetRegressor`` for targets
    on a large scale). ``loss='poisson'`` reads the output through
    :math:`e^z` and needs non-negative targets; ``loss='quantile'`` trains
    the pinball loss of the ``quantile`` parameter.
    """

    _parameter_constraints: dict = {
        **BaseNetwork._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        "quantile": [Interval(Real, 0, 1, closed="neither"), None],
    }
    _y_numeric = True

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data is trained in float32; anything else
            in float64.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (non-negative for ``loss='poisson'``).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; ``None`` weighs every sample 1.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            A validation set. Its :math:`R^2` is recorded in
            ``validation_scores_`` after every epoch; with
            ``early_stopping=True`` it replaces the ``validation_fraction``
            split, and the weights that score best on it are kept.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Sample weights of the validation set.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_with_validation(
            X, y, sample_weight, X_val, y_val, sample_weight_val
        )

    def predict(self, X):
        """Predict using the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values (one column per output; 1-D for one output).
        """
        return self._decode_raw(raw_scores(self, X))

    def score(self, X, y, sample_weight=None):
        r"""Return the coefficient of determination :math:`R^2` of the predictions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            :math:`1 - \sum_i (y_i - \hat y_i)^2 / \sum_i (y_i - \bar y)^2`
            (weighted, and averaged over outputs), as
            :func:`sklearn.metrics.r2_score` computes it: 1 is perfect, 0 is
            the mean's prediction, and it can be negative.
        """
        return super().score(X, y, sample_weight=sample_weight)

    def _validate_xy(self, X, y, reset):
        values = np.asarray(y)
        if values.dtype.kind in "OUS":  # text, or objects that may be text
            try:
                values.astype(np.float64)
            except (TypeError, ValueError):
                example = next(v for v in values.ravel() if not _is_number(v))
                if isinstance(example, np.generic):
                    example = example.item()  # 'low', not np.str_('low')
                raise ValueError(
                    f"{type(self).__name__} needs numeric targets, but y holds "
                    f"{example!r}; for class labels, use DeepNetClassifier."
                ) from None
        return super()._validate_xy(X, y, reset)

    def _validate_params(self):
        if not isinstance(self.loss, str):
            # DeepNetRegressor((64, 32)) sets loss, as MLPRegressor((64, 32)) does.
            raise InvalidParameterError(
                f"The 'loss' parameter of {type(self).__name__} must be a str "
                f"among {set(REGRESSION_LOSSES)}. Got {self.loss!r} instead. As in "
                "MLPRegressor, loss is the first positional parameter: pass "
                "hidden_layer_sizes by name."
            )
        super()._validate_params()
        if self.loss == "quantile" and self.quantile is None:
            raise ValueError(
                "loss='quantile' needs the quantile to predict: set quantile to a "
                "number in (0, 1), e.g. quantile=0.9."
            )

    # -- hooks of the base -------------------------------------------------------
    def _decode_raw(self, raw):
        LOSSES[self._loss]().link(raw)
        return raw.ravel() if raw.shape[1] == 1 else raw

    def _score_predictions(self, y, y_pred, sample_weight) -> float:
        return r2_score(y, y_pred, sample_weight=sample_weight)

    def _loss_name(self, spec) -> str:
        return self.loss

    def _loss_options(self) -> dict:
        return {"quantile": self.quantile} if self.loss == "quantile" else {}

    def _target_spec(self, y, classes) -> dict:
        return {"n_outputs_": 1 if y.ndim == 1 else y.shape[1]}

    def _current_spec(self) -> dict:
        return {"n_outputs_": self.n_outputs_}

    def _encode_targets(self, y, spec) -> Targets:
        """Targets as a (n_samples, n_outputs) float matrix."""
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if n_outputs != spec["n_outputs_"]:
            raise ValueError(
                f"y has {n_outputs} output(s), but {type(self).__name__} was "
                f"fitted with {spec['n_outputs_']}; set warm_start=False to train "
                "a new network."
            )
        if self._loss_name(spec) == "poisson" and (y < 0).any():
            raise ValueError(
                "loss='poisson' needs non-negative targets (counts or rates), "
                f"but y has {int((y < 0).sum())} negative value(s); use "
                "loss='squared_error' for targets that can be negative."
            )
        values = y.reshape(len(y), -1).astype(np.float64, copy=False)
        return Targets(values, y)

    def _stratification(self, targets, n_samples, n_val):
        return None, n_val

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
