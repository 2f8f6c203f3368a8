"""TabularNetRegressor: a RealMLP-style network for raw tables, blended."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.linear_model import Ridge

from ...preprocessing._scaling import weighted_quantiles
from ...utils._sklearn import Interval, StrOptions, _fit_context, with_callbacks
from ._base import BaseTabularNet, column_target
from ._members import loss_of
from ._recipe import REGRESSOR

__all__ = ["TabularNetRegressor"]


class TabularNetRegressor(RegressorMixin, BaseTabularNet):
    r"""RealMLP-style network regressor for raw tables, blended with a linear model.

    As :class:`TabularNetClassifier` (preprocessing, members in folds,
    ensemble selection), with RealMLP-TD's regression defaults (``pytabkit``'s
    ``RealMLP_TD_Regressor``): Mish activations, learning rate 0.2 (in
    RealMLP's parametrisation), no label smoothing, each target standardised
    for training, and predictions clipped to the range of the training
    targets (RealMLP's ``clamp_output``). The linear candidate of the
    ensemble is a ridge regression (``Ridge(alpha=1)``) on the same
    preprocessed columns; the selection weighs the candidates on the
    out-of-fold squared error (or, for ``loss='quantile'``, pinball loss)
    of the standardised targets.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(128, 128, 128)
        Width of each hidden layer.
    activation : str, default='mish'
        Activation of the hidden layers.
    loss : {'squared_error', 'quantile'}, default='squared_error'
        What the networks, their early stopping and the ensemble selection
        minimise: the squared error (predictions of the mean), or the
        pinball loss of ``quantile`` (predictions of that quantile, as
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor` names it;
        see :class:`skdeep.nn.PinballLoss`). With ``'quantile'`` the linear
        model is the ridge regression shifted to that quantile of its
        training residuals.
    quantile : float or None, default=None
        With ``loss='quantile'``, the quantile to predict, in (0, 1).
    dropout : float, default=0.15
        Dropout rate after every hidden layer.
    dropout_schedule : str, default='flat_cosine'
        How the dropout rate varies over training.
    learning_rate_init : float, default=0.2
        Adam's learning rate, in RealMLP's parametrisation.
    learning_rate : str, default='cosine'
        Shape of the learning rate over the ``max_iter`` epochs.
    learning_rate_factors : dict or None, default=None
        Factors by role, over RealMLP's (see :class:`TabularNetClassifier`).
    weight_decay : float, default=0.02
        Decoupled weight decay of the weights and embeddings.
    weight_decay_schedule : str, default='flat_cosine'
        How the weight decay varies over training.
    beta_1, beta_2 : float, default=0.9, 0.95
        Adam's moment decays.
    batch_size : int or 'auto', default='auto'
        Minibatch size; ``'auto'`` by the table's size (see
        :class:`TabularNetClassifier`).
    max_iter : int or 'auto', default='auto'
        Epochs of the schedules; ``'auto'``: 32 up to 20,000 rows, 16
        beyond.
    validation_fraction : float, default=0.2
        With ``n_folds=1``, the share of the rows held out.
    front_scale : bool, default=True
        Learnable per-feature scale at the input.
    embedding : {'pbld', 'periodic'} or None, default='pbld'
        Embedding of the numeric columns.
    embedding_options : dict or None, default=None
        ``'n_frequencies'``, ``'n_units'``, ``'sigma'`` of the embedding.
    categorical_features : 'from_dtype', array-like or None, default='from_dtype'
        Which columns are categorical.
    max_one_hot : int, default=9
        Categoricals with up to this many levels are one-hot encoded.
    category_units : int, default=8
        Width of each categorical embedding.
    n_ensembles : int, default=1
        Number of configurations, each trained once per fold.
    n_folds : int, default=5
        Folds of the rows (see :class:`TabularNetClassifier`).
    patience : int or None, default=16
        Epochs without a lower held-out loss after which a network stops.
    sample_hyperparameters : bool, default=False
        Whether the configurations after the first sample their learning
        rate, weight decay and dropout.
    max_time : float or None, default=None
        Seconds the whole fit may take (see :class:`TabularNetClassifier`).
    linear_blend : bool, default=True
        Whether a ridge regression is a candidate of the ensemble.
    dtype : {'float32', 'float64'}, default='float32'
        Type the networks compute in. In float32, integer sample weights
        equal repeated rows to float32's precision, not to the relative 1e-7
        of scikit-learn's two sample-weight-equivalence checks.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the configurations and the networks.
    verbose : int or bool, default=False
        1 prints the pack's progress at most every 2 seconds; 2 every epoch.

    Attributes
    ----------
    preprocessor_ : TabularPreprocessor
        The fitted preprocessing step.
    linear_ : Ridge or None
        The linear model (on the standardised targets), refit on every row;
        None without ``linear_blend``.
    blend_weight_ : float
        The networks' total weight in the ensemble; the linear model has
        the rest.
    target_mean_, target_scale_ : float or ndarray of shape (n_outputs,)
        The targets' standardisation (numbers for one target).
    target_range_ : tuple of (float or ndarray of shape (n_outputs,))
        Smallest and largest training targets: the predictions' bounds.
    n_outputs_ : int
        Number of targets.
    coefs_ : list of ndarray
        The members' Dense weights: ``coefs_[i]`` has shape (n_members,
        n_units_i, n_units_{i+1}), one network per row of the first axis.
    intercepts_ : list of ndarray
        Their biases, ``intercepts_[i]`` of shape (n_members, n_units_{i+1}).
    front_scales_, category_embeddings_ : ndarray
        With a front scale, and with coded categorical columns: the members'
        scales and tables, with a leading member axis.
    embedding_frequencies_, embedding_coefs_, embedding_intercepts_ : ndarray
        With an ``embedding``: the members' embeddings (and, for PBLD,
        ``embedding_phases_``), named as :class:`~skdeep.DeepNetRegressor` names them.
    ensemble_weights_ : ndarray of shape (n_members,)
        The networks' weights in their average (summing to 1), from the
        ensemble selection.
    best_epochs_ : ndarray of shape (n_members,)
        The epoch of least held-out loss of each network, whose weights it
        keeps (0 if it diverged before any).
    stopped_ : ndarray of str of shape (n_members,)
        Why each network stopped (see :class:`TabularNetClassifier`).
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        The members' mean training loss after each epoch.
    validation_scores_ : list of float
        The networks' mean held-out loss after each epoch, negated.
    best_validation_score_ : float
        The networks' mean held-out loss at their best epochs, negated.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of str
        Input column names, when X has string column names.

    See Also
    --------
    TabularNetClassifier : The same for classification.
    DeepNetRegressor : The network alone, on numeric matrices.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skdeep import TabularNetRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=300),
    ...                   "group": rng.choice(["a", "b"], 300)})
    >>> y = np.sin(2 * X["x"]) + (X["group"] == "a")
    >>> model = TabularNetRegressor(max_iter=100, random_state=0).fit(X, y)
    >>> model.score(X, y) > 0.8
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=REGRESSOR["hidden_layer_sizes"],
        activation=REGRESSOR["activation"],
        *,
        loss="squared_error",
        quantile=None,
        dropout=REGRESSOR["dropout"],
        dropout_schedule=REGRESSOR["dropout_schedule"],
        learning_rate_init=REGRESSOR["learning_rate_init"],
        learning_rate=REGRESSOR["learning_rate"],
        learning_rate_factors=None,
        weight_decay=REGRESSOR["weight_decay"],
        weight_decay_schedule=REGRESSOR["weight_decay_schedule"],
        beta_1=REGRESSOR["beta_1"],
        beta_2=REGRESSOR["beta_2"],
        batch_size=REGRESSOR["batch_size"],
        max_iter=REGRESSOR["max_iter"],
        validation_fraction=REGRESSOR["validation_fraction"],
        front_scale=REGRESSOR["front_scale"],
        embedding=REGRESSOR["embedding"],
        embedding_options=None,
        categorical_features="from_dtype",
        max_one_hot=REGRESSOR["max_one_hot"],
        category_units=REGRESSOR["category_units"],
        n_ensembles=REGRESSOR["n_ensembles"],
        n_folds=REGRESSOR["n_folds"],
        patience=REGRESSOR["patience"],
        sample_hyperparameters=REGRESSOR["sample_hyperparameters"],
        max_time=None,
        linear_blend=True,
        dtype="float32",
        random_state=None,
        verbose=False,
    ):
        self.loss = loss
        self.quantile = quantile
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.dropout_schedule = dropout_schedule
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.learning_rate_factors = learning_rate_factors
        self.weight_decay = weight_decay
        self.weight_decay_schedule = weight_decay_schedule
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.validation_fraction = validation_fraction
        self.front_scale = front_scale
        self.embedding = embedding
        self.embedding_options = embedding_options
        self.categorical_features = categorical_features
        self.max_one_hot = max_one_hot
        self.category_units = category_units
        self.n_ensembles = n_ensembles
        self.n_folds = n_folds
        self.patience = patience
        self.sample_hyperparameters = sample_hyperparameters
        self.max_time = max_time
        self.linear_blend = linear_blend
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the preprocessing, the networks and the blend.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Raw table: numeric, categorical and missing values allowed.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; several columns train one network with an output per
            target, each target standardised on its own.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : TabularNetRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Raw table with the training columns.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, each target within its training range.
        """
        z = self._blended(X)
        y = z * self.target_scale_ + self.target_mean_
        return np.clip(y, *self.target_range_)

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination of the predictions.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Raw table with the training columns.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            :math:`R^2`, as :func:`sklearn.metrics.r2_score` computes it
            (averaged over the targets); also for ``loss='quantile'``, as in
            scikit-learn.
        """
        return super().score(X, y, sample_weight=sample_weight)

    # -- task hooks --------------------------------------------------------------
    _parameter_constraints: dict = {
        **BaseTabularNet._parameter_constraints,
        "loss": [StrOptions({"squared_error", "quantile"})],
        "quantile": [Interval(Real, 0, 1, closed="neither"), None],
    }

    def _check_options(self) -> None:
        super()._check_options()
        if self.loss == "quantile" and self.quantile is None:
            raise ValueError(
                "loss='quantile' needs the quantile to predict: set quantile to a "
                "number in (0, 1), e.g. quantile=0.9."
            )

    def _validate_y(self, y):
        y = column_target(y, several=True)
        try:
            y = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{type(self).__name__} needs numeric targets; got values of type "
                f"{np.asarray(y).dtype}."
            ) from None
        if not np.isfinite(y).all():
            raise ValueError("Input y contains NaN or infinity.")
        return y

    _stratify_split = False

    def _fit_target(self, y, sample_weight):
        """Standardise each target on its own; remember its range."""
        weights = sample_weight
        if weights is not None and weights.sum() <= 0:
            weights = None
        mean = np.average(y, axis=0, weights=weights)
        scale = np.sqrt(np.average((y - mean) ** 2, axis=0, weights=weights))
        scale = np.where(scale > 0, scale, 1.0)
        low, high = y.min(axis=0), y.max(axis=0)
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        if y.ndim == 1:  # one target: numbers, as before several existed
            mean, scale, low, high = map(float, (mean, scale, low, high))
        self.target_mean_, self.target_scale_ = mean, scale
        self.target_range_ = (low, high)
        return lambda y: (y - self.target_mean_) / self.target_scale_

    def _n_outputs(self) -> int:
        return self.n_outputs_

    def _training_loss(self):
        if self.loss == "quantile":
            return loss_of("quantile", quantile=self.quantile)
        return loss_of("squared_error")

    def _encode(self, z):
        """Return the standardised targets as columns, in the networks' dtype."""
        return z.reshape(len(z), -1).astype(np.dtype(self.dtype))

    def _member_outputs(self, raw):
        """Return each member's standardised predictions, ``(k, n[, n_outputs])``."""
        raw = raw.astype(np.float64)
        return raw[..., 0] if self.n_outputs_ == 1 else raw

    def _linear_model(self):
        # A fixed penalty, as the classifier's LogisticRegression(C=1): a
        # penalty chosen by leave-one-out would not treat a row of weight 2
        # as two rows.
        return Ridge(alpha=1.0)

    def _fit_linear(self, X, target, sample_weight):
        """Ridge; for a quantile, shifted to that quantile of its residuals.

        Linear quantile regression proper (``QuantileRegressor``) solves a
        linear programme whose cost grows fast with the rows (about a
        minute for 20,000 rows here); a ridge regression shifted by the
        weighted quantile of its training residuals is a linear model whose
        predictions the targets fall under a share ``quantile`` of the time
        when the noise does not depend on the row.
        """
        linear = super()._fit_linear(X, target, sample_weight)
        if self.loss != "quantile":
            return linear
        residuals = (target - linear.predict(X)).reshape(len(target), -1)
        weights = np.ones(len(target)) if sample_weight is None else sample_weight
        shift = [
            weighted_quantiles(column, weights, [self.quantile])[0]
            for column in residuals.T
        ]
        linear.intercept_ = linear.intercept_ + np.asarray(shift).reshape(
            np.shape(linear.intercept_)
        )
        return linear

    def _linear_output(self, scores, linear):
        return scores[:, 0] if self.n_outputs_ == 1 else scores

    def _row_losses(self, prediction, z):
        """Each row's loss, summed over the targets (standardised)."""
        error = z - prediction
        if self.loss == "quantile":
            q = self.quantile
            losses = np.maximum(q * error, (q - 1) * error)
        else:
            losses = error**2
        return losses if losses.ndim == 1 else losses.sum(axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
