"""LogisticUnit: a single sigmoid (or softmax) unit."""

from __future__ import annotations

import numpy as np
from sklearn.utils.metaestimators import available_if

from ..utils._sklearn import _fit_context, with_callbacks
from ._classifier import BaseNetClassifier
from ._params import Architecture, stochastic_solver

__all__ = ["LogisticUnit"]


class LogisticUnit(BaseNetClassifier):
    r"""A single logistic unit: the "neuron" of the deep-learning lecture.

    A weighted sum of the inputs plus a bias, read through a sigmoid for two
    classes or a softmax for more, trained on the log loss. It is the network
    of :class:`DeepNetClassifier` with no hidden layer, and with the same
    penalty it is the model of scikit-learn's
    :class:`~sklearn.linear_model.LogisticRegression` (``alpha = 1 / C``).

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the L2 penalty on the weights (not the intercept);
        ``1 / C`` of ``LogisticRegression``, so the default is its default
        ``C=1.0``.
    solver : {'lbfgs', 'sgd', 'adam', 'rmsprop'}, default='lbfgs'
        Optimiser. ``'sgd'`` with ``batch_size`` equal to the number of
        samples and ``momentum=0`` is plain gradient descent.
    batch_size : int or 'auto', default='auto'
        Minibatch size of the stochastic solvers; ``'auto'`` is
        ``min(200, n_samples)``.
    learning_rate : str, default='constant'
        One of ``'constant'``, ``'invscaling'``, ``'adaptive'``, ``'cosine'``,
        ``'coslog4'``, ``'flat_cosine'``.
        Learning-rate schedule of the stochastic solvers.
        The last three follow the training progress step by step, over
        ``max_iter`` epochs: cosine annealing to zero, RealMLP's cosine with
        four log-spaced restarts (Holzmüller et al., NeurIPS 2024), or flat
        then cosine to zero; see :mod:`skdeep.optim.schedules`.
    learning_rate_init : float, default=0.001
        Initial learning rate of the stochastic solvers.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    max_iter : int, default=200
        Maximum number of epochs or L-BFGS iterations.
    shuffle : bool, default=True
        Whether to shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds shuffling and the early-stopping split (the weights start at
        zero).
    tol : float, default=1e-4
        Tolerance of the stopping criteria.
    verbose : bool, default=False
        Whether to print the loss after each epoch.
    warm_start : bool, default=False
        Whether ``fit`` continues from the previous weights and optimizer
        state (momentum, Adam's moments, the schedule's learning rate)
        instead of starting afresh. Hyperparameters
        changed with ``set_params`` apply from the next call; a new
        ``learning_rate``, ``learning_rate_init`` or ``power_t`` restarts the
        schedule, a new ``solver`` the optimizer state.
    momentum : float, default=0.9
        Momentum of ``solver='sgd'``.
    nesterovs_momentum : bool, default=True
        Whether ``solver='sgd'`` uses Nesterov's momentum.
    early_stopping : bool, default=False
        Whether to stop when the accuracy on a held-out share of the data
        stops improving.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    beta_1 : float, default=0.9
        Adam's first-moment decay.
    beta_2 : float, default=0.999
        Second-moment decay of Adam and RMSprop.
    epsilon : float, default=1e-8
        Adam's stability constant.
    n_iter_no_change : int, default=10
        Epochs without improvement by ``tol`` before stopping.
    max_fun : int, default=15000
        Maximum number of loss evaluations of ``solver='lbfgs'``.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss.
    fit_intercept : bool, default=True
        Whether to learn a bias.
    scoring : str, callable or None, default=None
        What early stopping (and ``validation_scores_``) judges, in the
        convention of ``HistGradientBoostingClassifier``: None is the
        estimator's own score (accuracy); ``'loss'`` the validation loss (without
        label smoothing or penalty), recorded negated so that higher is
        better; any other string a scikit-learn scorer name (``'roc_auc'``,
        ``'neg_log_loss'``, ...), or a callable ``scorer(estimator, X, y)``.
        The weights kept at the end are those of the best score.
    weight_decay : float, default=0.0
        Decoupled weight decay of the stochastic solvers (AdamW, Loshchilov
        & Hutter, ICLR 2019): every step also shrinks the weights by
        ``learning_rate * weight_decay * w``, apart from the loss's gradient
        and from ``alpha``'s L2 penalty. Biases and scales are not decayed.
    weight_decay_schedule : str, default='constant'
        How ``weight_decay`` varies over training: a multiplier of it,
        ``'constant'``, ``'cosine'``, ``'coslog4'`` or ``'flat_cosine'`` (as
        for ``learning_rate``).
    learning_rate_warmup : float, default=0.0
        Fraction of the steps over which the learning rate rises linearly
        from zero, before the step-by-step schedules (``'cosine'``...).
    learning_rate_factors : dict or None, default=None
        Learning-rate factor of each group of parameters, by role:
        ``'weights'``, ``'biases'``, ``'scales'`` (batch norm, front scale),
        ``'embeddings'``; a missing role has factor 1.
    label_smoothing : float, default=0.0
        :math:`\varepsilon` in [0, 1): the loss is taken against targets
        :math:`(1 - \varepsilon)\,\text{one-hot} + \varepsilon / K` (per label,
        :math:`K = 2`, for binary and multilabel targets), as PyTorch's
        ``CrossEntropyLoss(label_smoothing=...)``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights, one row per output unit (one unit for two classes).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Biases (zeros with ``fit_intercept=False``).
    loss_ : float
        Objective at the end of training.
    best_loss_ : float or None
        Best training objective of the stochastic solvers.
    loss_curve_ : list of float
        Objective after each epoch or L-BFGS iteration.
    validation_scores_ : list of float or None
        Validation accuracy after each epoch (or L-BFGS iteration), with
        ``early_stopping=True`` or a validation set passed to ``fit``.
    best_validation_score_ : float or None
        Best validation accuracy with ``early_stopping=True``.
    t_ : int
        Number of training samples seen by the stochastic solvers.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    n_iter_ : int
        Epochs or iterations run by the last call to fit.
    n_layers_ : int
        Always 2 (input and output).
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        ``'logistic'`` (two classes) or ``'softmax'``.

    See Also
    --------
    DeepNetClassifier : The same unit, stacked into layers.
    sklearn.linear_model.LogisticRegression : The same model, other solvers.

    Notes
    -----
    For two classes the unit computes :math:`z = x^\top w + b` and
    :math:`P(y = 1 \mid x) = \sigma(z) = 1 / (1 + e^{-z})`; it "fires"
    (predicts the positive class) when :math:`z > 0`. Training minimises

    .. math::

        \frac{1}{\sum_i s_i} \Big( \sum_i s_i \,
        \ell(z_i, y_i) + \frac{\alpha}{2} \lVert w \rVert^2 \Big),

    with sample weights :math:`s_i` and the log loss :math:`\ell`, whose
    gradient with respect to :math:`z` is :math:`\sigma(z) - y`.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdeep import LogisticUnit
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), LogisticUnit()).fit(X, y)
    >>> model[-1].coef_.shape
    (1, 30)
    >>> model.score(X, y) > 0.97
    True
    """

    _supports_multilabel = False
    # The objective is convex: stop on the gradient (tol), not on a small
    # decrease of the loss, as LogisticRegression does.
    _lbfgs_options = {"ftol": 64 * np.finfo(np.float64).eps, "maxls": 50}

    _parameter_constraints: dict = {
        **BaseNetClassifier._parameter_constraints,
        "fit_intercept": ["boolean"],
    }

    def __init__(
        self,
        *,
        alpha=1.0,
        solver="lbfgs",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        class_weight=None,
        fit_intercept=True,
        scoring=None,
        weight_decay=0.0,
        weight_decay_schedule="constant",
        learning_rate_warmup=0.0,
        learning_rate_factors=None,
        label_smoothing=0.0,
    ):
        self.alpha = alpha
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.class_weight = class_weight
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.weight_decay = weight_decay
        self.weight_decay_schedule = weight_decay_schedule
        self.learning_rate_warmup = learning_rate_warmup
        self.learning_rate_factors = learning_rate_factors
        self.label_smoothing = label_smoothing

    def _architecture(self) -> Architecture:
        # One unit: no hidden layer; zeros are the classic (convex) start.
        return Architecture((), "identity", self.fit_intercept, init="zeros")

    def _parameter_attributes(self, params, stats) -> dict:
        coef, intercept = params.coefs[0], params.intercepts[0]
        if intercept is None:
            intercept = np.zeros(coef.shape[1], coef.dtype)
        return {"coef_": coef.T, "intercept_": intercept}

    def _fitted_groups(self) -> tuple[dict, dict]:
        return {"coefs": [self.coef_.T], "intercepts": [self.intercept_]}, {}

    _weights_attribute = "coef_"

    def _inference_key(self) -> tuple:
        return self._activation, self._loss, self.coef_, self.intercept_

    @available_if(stochastic_solver)
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the unit with one pass over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels; a subset of ``classes``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        classes : array-like of shape (n_classes,), default=None
            All classes across calls; required on the first call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight, classes)
