"""DeepNetRegressor: an L-layer network, a drop-in for MLPRegressor."""

from __future__ import annotations

from sklearn.utils.metaestimators import available_if

from ..utils._sklearn import _fit_context, with_callbacks
from ._base import BaseNetwork
from ._params import stochastic_solver
from ._regressor import BaseNetRegressor

__all__ = ["DeepNetRegressor"]


class DeepNetRegressor(BaseNetRegressor):
    r"""Deep neural-network regressor, a drop-in replacement for ``MLPRegressor``.

    The network of :class:`DeepNetClassifier` (Dense -> activation, repeated,
    then a Dense output layer), trained on half the squared error, or on half
    the Poisson deviance with an exponential output. The constructor
    parameters, their defaults and the fitted attributes are those of
    scikit-learn's :class:`~sklearn.neural_network.MLPRegressor`, plus the
    toolkit MLPRegressor lacks: ``weight_init``, ``dropout``,
    ``batch_norm``, the ``'leaky_relu'``, ``'elu'`` and ``'gelu'``
    activations, ``solver='rmsprop'`` and a validation set of your choice.

    Parameters
    ----------
    loss : {'squared_error', 'poisson', 'quantile'}, default='squared_error'
        ``'squared_error'``: half the squared error, the output read as it is.
        ``'poisson'``: half the Poisson deviance, the output read through
        :math:`e^z` (a log link), for counts and rates; needs ``y >= 0``.
        ``'quantile'``: the pinball loss of ``quantile`` (see
        :class:`skdeep.nn.PinballLoss`), the output read as it is: it
        predicts that quantile of ``y`` given ``X``.
        With several outputs the per-output losses are summed.
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        Number of units in each hidden layer.
    activation : str, default='relu'
        Activation of the hidden layers, one of ``'identity'``,
        ``'logistic'``, ``'tanh'``, ``'relu'``, ``'leaky_relu'``, ``'elu'``,
        ``'gelu'`` (see :class:`DeepNetClassifier`).
    solver : {'lbfgs', 'sgd', 'adam', 'rmsprop'}, default='adam'
        Weight optimiser: full-batch L-BFGS, or minibatch SGD with momentum,
        Adam or RMSprop.
    alpha : float, default=0.0001
        Strength of the L2 penalty :math:`\frac{\alpha}{2}\sum_l \lVert W_l
        \rVert^2`, divided by the (weighted) number of samples in the batch.
    batch_size : int or 'auto', default='auto'
        Minibatch size of the stochastic solvers; ``'auto'`` is
        ``min(200, n_samples)``.
    learning_rate : str, default='constant'
        One of ``'constant'``, ``'invscaling'``, ``'adaptive'``, ``'cosine'``,
        ``'coslog4'``, ``'flat_cosine'``.
        Learning-rate schedule of every stochastic solver (MLPRegressor
        applies it to ``'sgd'`` only).
        The last three follow the training progress step by step, over
        ``max_iter`` epochs: cosine annealing to zero, RealMLP's cosine with
        four log-spaced restarts (Holzmüller et al., NeurIPS 2024), or flat
        then cosine to zero; see :mod:`skdeep.optim.schedules`.
    learning_rate_init : float, default=0.001
        Initial learning rate of the stochastic solvers.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (L-BFGS).
    shuffle : bool, default=True
        Whether to shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the early-stopping split.
    tol : float, default=1e-4
        Improvement below which an epoch counts as no progress.
    verbose : bool, default=False
        Whether to print the loss after each epoch.
    warm_start : bool, default=False
        Whether ``fit`` continues from the previous weights, batch-norm
        statistics and optimizer state (momentum, Adam's moments, the
        schedule's learning rate) instead of starting afresh. Hyperparameters
        changed with ``set_params`` apply from the next call; a new
        ``learning_rate``, ``learning_rate_init`` or ``power_t`` restarts the
        schedule, a new ``solver`` the optimizer state.
    momentum : float, default=0.9
        Momentum of ``solver='sgd'``.
    nesterovs_momentum : bool, default=True
        Whether ``solver='sgd'`` uses Nesterov's momentum.
    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data and
        stop when its :math:`R^2` stops improving; the best weights are kept.
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
    weight_init : str, default='auto'
        Initial weights: ``'auto'`` (MLPRegressor's Glorot-uniform scheme),
        ``'glorot_uniform'``, ``'glorot_normal'``, ``'he_uniform'``,
        ``'he_normal'`` or ``'lecun_normal'`` (see :class:`DeepNetClassifier`).
    dropout : float or tuple of float, default=0.0
        Inverted dropout rate on the output of every hidden layer (or one rate
        per hidden layer), during training only; needs a stochastic solver.
    batch_norm : bool, default=False
        Whether to normalise each hidden layer's pre-activation over the
        batch, with a learnable scale and offset (running averages are used
        for prediction).
    scoring : str, callable or None, default=None
        What early stopping (and ``validation_scores_``) judges, in the
        convention of ``HistGradientBoostingClassifier``: None is the
        estimator's own score (:math:`R^2`); ``'loss'`` the validation loss (without
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
    dropout_schedule : str, default='constant'
        How the dropout rate varies over training: a multiplier of
        ``dropout``, ``'constant'``, ``'cosine'``, ``'coslog4'`` or
        ``'flat_cosine'`` (RealMLP's).
    front_scale : bool, default=False
        Whether the network starts with a learnable scale per input feature
        (RealMLP's scaling layer), initialised at 1.
    embedding : {'periodic', 'pbld'} or None, default=None
        ``'periodic'`` embeds every numeric input feature :math:`x` as
        :math:`[\sin(2\pi w x), \cos(2\pi w x)]` with trainable frequencies,
        followed by a small dense layer per feature (PLR, Gorishniy et al.,
        NeurIPS 2022); ``'pbld'`` is RealMLP-TD's lighter variant,
        :math:`\cos(2\pi w x + b)` with 16 frequencies, 3 linear units and
        :math:`x` itself (Holzmüller et al., NeurIPS 2024); see
        :class:`skdeep.nn.PeriodicEmbedding`.
    embedding_options : dict or None, default=None
        Options of the embeddings: ``'n_frequencies'``, ``'n_units'``,
        ``'sigma'`` (the frequencies' initial scale), ``'columns'`` (the
        numeric columns to embed; default all that are not categorical);
        and, whatever ``embedding`` is, ``'categories'``: a dict mapping
        columns that hold integer category codes :math:`0, \dots, c-1` to
        :math:`c`, each embedded by a learned table of ``'category_units'``
        (default 8) columns (see :class:`skdeep.nn.CategoryEmbedding`; code 0
        is for missing or unseen categories).
    quantile : float or None, default=None
        With ``loss='quantile'``, the quantile to predict, in (0, 1) (0.5 is
        the median); as in
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor`. Ignored by
        the other losses. Early stopping with ``scoring=None`` judges a
        quantile model by its held-out pinball loss (``score`` stays
        :math:`R^2`, as in scikit-learn).

    Attributes
    ----------
    loss_ : float
        Objective (loss plus penalty) at the end of training.
    best_loss_ : float or None
        Best training objective seen by the stochastic solvers (None with
        early stopping or L-BFGS).
    loss_curve_ : list of float
        Objective after each epoch (after each iteration for L-BFGS).
    validation_scores_ : list of float or None
        Validation :math:`R^2` after each epoch, with ``early_stopping=True``
        or a validation set passed to ``fit``.
    best_validation_score_ : float or None
        Best validation :math:`R^2` with ``early_stopping=True``.
    t_ : int
        Number of training samples seen by the stochastic solvers.
    coefs_ : list of ndarray
        ``coefs_[i]`` has shape (n_units_i, n_units_{i+1}).
    intercepts_ : list of ndarray
        ``intercepts_[i]`` has shape (n_units_{i+1},).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    n_iter_ : int
        Epochs (or L-BFGS iterations) run by the last call to fit.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of outputs.
    out_activation_ : str
        ``'identity'`` (squared error) or ``'exp'`` (Poisson).
    batch_norm_scales_, batch_norm_offsets_ : list of ndarray
        With ``batch_norm=True``: the learned :math:`\gamma` and
        :math:`\beta` of each hidden layer.
    batch_norm_means_, batch_norm_variances_ : list of ndarray
        With ``batch_norm=True``: the running statistics used for prediction.
    front_scales_ : ndarray of shape (n_inputs,)
        With ``front_scale=True``: the learned input scales.
    embedding_frequencies_, embedding_coefs_, embedding_intercepts_ : ndarray
        With an ``embedding``: the frequencies and the per-feature dense
        layers (see :class:`skdeep.nn.PeriodicEmbedding`).
    embedding_phases_ : ndarray of shape (n_embedded, n_frequencies)
        With ``embedding='pbld'``: the learned phases.
    category_embeddings_ : ndarray of shape (n_codes, category_units)
        With ``embedding_options['categories']``: the tables, one after
        another in column order.

    See Also
    --------
    DeepNetClassifier : The same network for class labels.
    sklearn.neural_network.MLPRegressor : The estimator this one replaces.
    sklearn.compose.TransformedTargetRegressor : Scale targets on a large
        scale before the network sees them.

    Notes
    -----
    For a raw output :math:`z` and target :math:`y`, the squared error is
    :math:`\ell = \tfrac12 (z - y)^2` and the Poisson deviance
    :math:`\ell = e^z - y z + y \log y - y`; either way the gradient at the
    output is :math:`\hat y - y`, with :math:`\hat y = z` or :math:`e^z`,
    and back-propagation proceeds as in :class:`DeepNetClassifier`. With
    several outputs, skdeep minimises and reports the sum of the per-output
    losses; ``MLPRegressor`` follows the same gradient but reports their mean
    (scikit-learn issue #8349), so with a stochastic solver both train the
    same weights while ``loss_curve_`` differs by that factor, and L-BFGS
    here minimises the function whose gradient it is given.

    As in ``MLPRegressor``, the first positional parameter is ``loss``: pass
    ``hidden_layer_sizes`` by name.

    Targets are used as given. A target on a scale far from 1 makes the
    default ``learning_rate_init`` unsuitable; scale it with
    ``TransformedTargetRegressor(regressor, transformer=StandardScaler())``.

    Examples
    --------
    The diabetes target runs from 25 to 346: scale it as well as the features.

    >>> from sklearn.compose import TransformedTargetRegressor
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdeep import DeepNetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> net = DeepNetRegressor(
    ...     hidden_layer_sizes=(16,), solver="lbfgs", alpha=30.0, random_state=0
    ... )
    >>> model = TransformedTargetRegressor(
    ...     make_pipeline(StandardScaler(), net), transformer=StandardScaler()
    ... ).fit(X_train, y_train)
    >>> model.score(X_test, y_test) > 0.3
    True
    """

    _parameter_constraints: dict = {
        **BaseNetRegressor._parameter_constraints,
        **BaseNetwork._network_constraints,
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
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
        weight_init="auto",
        dropout=0.0,
        batch_norm=False,
        scoring=None,
        weight_decay=0.0,
        weight_decay_schedule="constant",
        learning_rate_warmup=0.0,
        learning_rate_factors=None,
        dropout_schedule="constant",
        front_scale=False,
        embedding=None,
        embedding_options=None,
        quantile=None,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
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
        self.weight_init = weight_init
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.scoring = scoring
        self.weight_decay = weight_decay
        self.weight_decay_schedule = weight_decay_schedule
        self.learning_rate_warmup = learning_rate_warmup
        self.learning_rate_factors = learning_rate_factors
        self.dropout_schedule = dropout_schedule
        self.front_scale = front_scale
        self.embedding = embedding
        self.embedding_options = embedding_options
        self.quantile = quantile

    @available_if(stochastic_solver)
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one pass over the given data.

        The optimizer state (momentum, Adam's moments, learning rate) carries
        over from the previous call, or from the previous ``fit``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)
