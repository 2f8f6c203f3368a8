"""TabularNetClassifier: a RealMLP-style network for raw tables, blended."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ...utils._sklearn import _fit_context, with_callbacks
from .._classifier import BaseNetClassifier, class_weights
from ._base import BaseTabularNet, column_target
from ._linear import constant_logistic, logistic_probabilities
from ._members import loss_of
from ._recipe import CLASSIFIER

__all__ = ["TabularNetClassifier"]


class TabularNetClassifier(ClassifierMixin, BaseTabularNet):
    r"""RealMLP-style network classifier for raw tables, blended with a linear model.

    ``fit`` takes a pandas or polars DataFrame (or an array) with numeric,
    categorical, date and missing values as it is: a
    :class:`~skdeep.preprocessing.TabularPreprocessor` fitted on the training
    rows scales and clips the numbers, adds missing indicators, expands
    dates, one-hot encodes small categoricals and codes large ones for
    learned embeddings.

    **The networks** follow RealMLP-TD (Holzmüller, Grinsztajn & Steinwart,
    "Better by Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular
    Data", NeurIPS 2024; defaults of its reference implementation,
    ``pytabkit``'s ``RealMLP_TD_Classifier``): SELU layers, a front scale,
    PBLD embeddings of the numeric columns, dropout 0.15 and weight decay
    0.02 on a flat-then-cosine schedule, label smoothing 0.1, Adam with
    :math:`\beta_2 = 0.95`, and the learning rates of its neural-tangent
    parametrisation (see :func:`skdeep.training.ntk_step_factors`). Three
    layers of 128 units (RealMLP's are 256), one cosine over
    ``max_iter='auto'`` epochs (32 up to 20,000 rows, 16 beyond; RealMLP
    runs 256 on the ``'coslog4'`` schedule) and pytabkit's batch size by the
    table's size (RealMLP-TD's is 256 rows) are skdeep's choices, measured
    on the whole benchmark panel of the user guide.

    **Members in folds.** The rows are split into ``n_folds`` folds by
    content (equal rows share a fold; stratified by class); for each
    configuration, one network per fold trains on the other folds and is
    judged on its own, keeping its epoch of least held-out loss and
    stopping after ``patience`` epochs without a better one. All
    ``n_ensembles * n_folds`` networks train as one pack
    (:func:`skdeep.training.fit_pack`): one step trains them all.

    **The ensemble.** Every row has out-of-fold predictions from each
    configuration (the network that held it out) and, with
    ``linear_blend=True``, from a logistic regression fit without its fold.
    Greedy ensemble selection (Caruana et al., "Ensemble Selection from
    Libraries of Models", ICML 2004) weighs these candidates on the
    out-of-fold log loss; a configuration's weight is shared by its
    networks, and the logistic regression is refit on every row. Where the
    networks have nothing to add, the linear model takes all the weight.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(128, 128, 128)
        Width of each hidden layer.
    activation : str, default='selu'
        Activation of the hidden layers (any of :data:`skdeep.nn.ACTIVATIONS`).
    dropout : float, default=0.15
        Dropout rate after every hidden layer.
    dropout_schedule : str, default='flat_cosine'
        How the dropout rate varies over training (a shape of
        :mod:`skdeep.optim.schedules`).
    learning_rate_init : float, default=0.04
        Adam's learning rate, in RealMLP's parametrisation (a layer's
        weights move by it over :math:`\sqrt{\text{fan-in}}`).
    learning_rate : str, default='cosine'
        Shape of the learning rate over the ``max_iter`` epochs (a shape of
        :mod:`skdeep.optim.schedules`, e.g. RealMLP's ``'coslog4'``).
    learning_rate_factors : dict or None, default=None
        Factors by role, over RealMLP's: ``{'biases': 0.1, 'scales': 6.0,
        'embeddings': 0.1}``; given keys replace those.
    weight_decay : float, default=0.02
        Decoupled weight decay of the weights and embeddings.
    weight_decay_schedule : str, default='flat_cosine'
        How the weight decay varies over training.
    beta_1, beta_2 : float, default=0.9, 0.95
        Adam's moment decays.
    batch_size : int or 'auto', default='auto'
        Minibatch size; ``'auto'`` is pytabkit's rule: 64 rows up to 1,024
        training rows, 128 up to 8,192, 256 up to 30,000, 512 up to
        100,000, 1,024 beyond.
    max_iter : int or 'auto', default='auto'
        Epochs of the schedules (a network may stop earlier, see
        ``patience``); ``'auto'``: 32 up to 20,000 rows, 16 beyond.
    validation_fraction : float, default=0.2
        With ``n_folds=1``, the share of the rows held out (the networks
        train on the others).
    front_scale : bool, default=True
        Learnable per-feature scale at the input.
    embedding : {'pbld', 'periodic'} or None, default='pbld'
        Embedding of the numeric columns (see
        :class:`skdeep.nn.PeriodicEmbedding`).
    embedding_options : dict or None, default=None
        ``'n_frequencies'``, ``'n_units'``, ``'sigma'`` of the embedding.
    categorical_features : 'from_dtype', array-like or None, default='from_dtype'
        Which columns are categorical (see
        :class:`~skdeep.preprocessing.TabularPreprocessor`).
    max_one_hot : int, default=9
        Categoricals with up to this many levels are one-hot encoded, larger
        ones embedded.
    category_units : int, default=8
        Width of each categorical embedding.
    label_smoothing : float, default=0.1
        Label smoothing of the training loss (held-out losses are computed
        without it).
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, as in :class:`DeepNetClassifier`: a dict
        mapping labels to weights (1 for the others), or ``'balanced'``,
        :math:`n / (n_{classes} \cdot n_c)` with counts :math:`n_c` of
        weighted rows. A row's weight in every loss -- the networks'
        training, their early stopping, the linear model, the ensemble
        selection -- is its sample weight times its class's weight; the
        preprocessing and the folds see the sample weights only (as do
        callbacks, in their metadata). Trades accuracy for the recall of
        rare classes. Not for multilabel targets.
    n_ensembles : int, default=1
        Number of configurations, each trained once per fold.
    n_folds : int, default=5
        Folds of the rows: a network per fold and configuration, trained on
        the other folds (fewer folds if too few distinct rows fill them). 1
        holds out ``validation_fraction`` instead: one network per
        configuration, a fifth of the cost, no out-of-fold predictions.
    patience : int or None, default=16
        A network stops after this many epochs without a lower held-out
        loss (the others go on, as a smaller pack); None trains every
        network for ``max_iter`` epochs.
    sample_hyperparameters : bool, default=False
        Whether the configurations after the first sample their learning
        rate (x0.5 to x2), weight decay (x0.25 to x4) and dropout (0 to 0.3)
        around the defaults, rather than differ by seed only.
    max_time : float or None, default=None
        Seconds the whole fit may take: training stops at the end of the
        epoch that passes it (after at least one), every network keeps its
        best epoch so far, and a ``ConvergenceWarning`` says how many were
        still improving.
    linear_blend : bool, default=True
        Whether a logistic regression is a candidate of the ensemble.
    dtype : {'float32', 'float64'}, default='float32'
        Type the networks compute in. In float32, integer sample weights
        equal repeated rows to float32's precision, not to the relative 1e-7
        of scikit-learn's two sample-weight-equivalence checks.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the configurations and the networks.
    verbose : int or bool, default=False
        1 prints the pack's progress at most every 2 seconds and a summary
        line; 2 prints every epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    preprocessor_ : TabularPreprocessor
        The fitted preprocessing step.
    linear_ : LogisticRegression, list of them, or None
        The linear model (one per label for multilabel targets), refit on
        every row; None without ``linear_blend``.
    blend_weight_ : float
        The networks' total weight in the ensemble; the linear model has
        the rest.
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
        ``embedding_phases_``), named as :class:`~skdeep.DeepNetClassifier` names them.
    ensemble_weights_ : ndarray of shape (n_members,)
        The networks' weights in their average (summing to 1), from the
        ensemble selection; member ``c * n_folds + f`` is configuration
        ``c`` on fold ``f``.
    best_epochs_ : ndarray of shape (n_members,)
        The epoch of least held-out loss of each network, whose weights it
        keeps (0 if it diverged before any).
    stopped_ : ndarray of str of shape (n_members,)
        Why each network stopped: ``'patience'``, ``'max_iter'``,
        ``'max_time'``, ``'interrupted'`` or ``'diverged'``.
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
    TabularNetRegressor : The same for regression.
    DeepNetClassifier : The network alone, on numeric matrices.
    sklearn.ensemble.HistGradientBoostingClassifier : Boosted trees on raw frames.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skdeep import TabularNetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"age": rng.uniform(20, 70, 300),
    ...                   "plan": rng.choice(["basic", "pro", None], 300)})
    >>> y = (X["age"] > 45) ^ (X["plan"] == "pro")
    >>> model = TabularNetClassifier(max_iter=20, random_state=0).fit(X, y)
    >>> model.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseTabularNet._parameter_constraints,
        "label_smoothing": BaseNetClassifier._parameter_constraints["label_smoothing"],
        "class_weight": BaseNetClassifier._parameter_constraints["class_weight"],
    }

    def __init__(
        self,
        hidden_layer_sizes=CLASSIFIER["hidden_layer_sizes"],
        activation=CLASSIFIER["activation"],
        *,
        dropout=CLASSIFIER["dropout"],
        dropout_schedule=CLASSIFIER["dropout_schedule"],
        learning_rate_init=CLASSIFIER["learning_rate_init"],
        learning_rate=CLASSIFIER["learning_rate"],
        learning_rate_factors=None,
        weight_decay=CLASSIFIER["weight_decay"],
        weight_decay_schedule=CLASSIFIER["weight_decay_schedule"],
        beta_1=CLASSIFIER["beta_1"],
        beta_2=CLASSIFIER["beta_2"],
        batch_size=CLASSIFIER["batch_size"],
        max_iter=CLASSIFIER["max_iter"],
        validation_fraction=CLASSIFIER["validation_fraction"],
        front_scale=CLASSIFIER["front_scale"],
        embedding=CLASSIFIER["embedding"],
        embedding_options=None,
        categorical_features="from_dtype",
        max_one_hot=CLASSIFIER["max_one_hot"],
        category_units=CLASSIFIER["category_units"],
        label_smoothing=CLASSIFIER["label_smoothing"],
        class_weight=None,
        n_ensembles=CLASSIFIER["n_ensembles"],
        n_folds=CLASSIFIER["n_folds"],
        patience=CLASSIFIER["patience"],
        sample_hyperparameters=CLASSIFIER["sample_hyperparameters"],
        max_time=None,
        linear_blend=True,
        dtype="float32",
        random_state=None,
        verbose=False,
    ):
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
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight
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
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels; or, for several labels per row (multilabel), a 0/1
            column per label, trained as one network with a sigmoid output
            per label.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : TabularNetClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Raw table with the training columns.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, rows summing to 1; for multilabel targets, each
            label's probability (of shape (n_samples, n_labels)).
        """
        return self._blended(X)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Raw table with the training columns.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Raw table with the training columns.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels; for multilabel targets, a 0/1 column per label
            (1 where its probability is above 0.5).
        """
        proba = self.predict_proba(X)
        if self._multilabel:
            return (proba > 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Return the accuracy of the predictions.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Raw table with the training columns.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The (weighted) share of samples predicted right, as
            :func:`sklearn.metrics.accuracy_score` computes it.
        """
        return super().score(X, y, sample_weight=sample_weight)

    # -- task hooks --------------------------------------------------------------
    def _validate_y(self, y):
        y = column_target(y, several=True)
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                f"{type(self).__name__} takes binary, multiclass or multilabel "
                f"(a 0/1 column per label) targets; got {kind!r} targets."
            )
        self._multilabel = kind == "multilabel-indicator"
        if self._multilabel and not np.isin(y, (0, 1)).all():
            raise ValueError(
                f"{type(self).__name__} takes multilabel targets as 0/1 (or "
                f"False/True) columns; got the values {np.unique(y).tolist()}."
            )
        if self._multilabel:
            # As MLPClassifier: the labels are the columns 0, ..., n_labels - 1.
            self.classes_ = np.arange(y.shape[1])
            return y.astype(np.intp)
        self.classes_ = np.unique(y)
        if self.classes_.size < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got 1 class "
                f"({self.classes_[0]})."
            )
        return y

    @property
    def _stratify_split(self) -> bool:
        return not self._multilabel

    def _fit_target(self, y, sample_weight):
        return lambda y: y

    def _loss_weights(self, y, sample_weight):
        """Sample weights times class weights (None when neither is given)."""
        if self.class_weight is None:
            return sample_weight
        if self._multilabel:
            raise ValueError(
                "class_weight is not supported for multilabel targets; weigh the "
                "rows with sample_weight instead."
            )
        codes = np.searchsorted(self.classes_, y)
        classes = self.classes_
        per_row = class_weights(self.class_weight, codes, sample_weight, classes)[codes]
        return per_row if sample_weight is None else sample_weight * per_row

    def _n_outputs(self) -> int:
        if self.classes_.size == 2 and not self._multilabel:
            return 1
        return self.classes_.size

    def _training_loss(self):
        binary = self.classes_.size == 2 or self._multilabel
        name = "binary_log_loss" if binary else "log_loss"
        return loss_of(name, label_smoothing=self.label_smoothing)

    def _encode(self, y):
        """Return the targets in the loss's format: 0/1 columns, or codes."""
        if self._multilabel:
            return y.astype(np.dtype(self.dtype))
        codes = np.searchsorted(self.classes_, y)
        if self.classes_.size == 2:
            return codes.reshape(-1, 1).astype(np.dtype(self.dtype))
        return codes.astype(np.intp)

    def _member_outputs(self, raw):
        """Return each member's class (label) probabilities, ``(k, n, n_classes)``."""
        raw = raw.astype(np.float64)
        if self._multilabel:
            return expit(raw)
        if self.classes_.size == 2:
            # Two sigmoids rather than 1 - p: exact in both tails.
            return expit(np.concatenate([-raw, raw], axis=-1))
        return softmax(raw, axis=-1)

    def _linear_model(self):
        return LogisticRegression(max_iter=1000)

    def _fit_linear(self, X, target, sample_weight):
        """Fit a logistic regression; for several labels, a list of one per label."""
        if not self._multilabel:
            return super()._fit_linear(X, target, sample_weight)
        fit = super()._fit_linear
        return [
            fit(X, column, sample_weight)
            if np.ptp(
                column[sample_weight > 0] if sample_weight is not None else column
            )
            else constant_logistic(column, sample_weight, X.shape[1])
            for column in target.T
        ]

    def _linear_output(self, scores, linear):
        if self._multilabel:
            return expit(scores)
        return logistic_probabilities(scores, linear.classes_, self.classes_)

    def _row_losses(self, proba, y):
        if self._multilabel:
            p = np.clip(proba, 1e-15, 1 - 1e-15)
            return -(y * np.log(p) + (1 - y) * np.log1p(-p)).sum(axis=1)
        index = np.searchsorted(self.classes_, y)
        return -np.log(np.clip(proba[np.arange(y.size), index], 1e-15, 1))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
