"""The fit template shared by every skdeep classifier.

The public methods validate; the private ``_fit_*`` methods run the
algorithm on the engine in :mod:`skdeep.nn` and :mod:`skdeep.optim`:

``fit`` -> ``_fit`` (snapshot, roll back on failure)
        -> ``_fit_or_raise`` (inputs, targets, weights, network, parameters)
        -> ``_fit_stochastic`` (epochs -> ``_run_epoch`` -> batches -> step)
           or ``_fit_lbfgs``
        -> fitted attributes.
"""

from __future__ import annotations

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    check_is_fitted,
    check_X_y,
    column_or_1d,
    validate_data,
)

from ..nn import BatchNormStats, Network, Params
from ..optim import LBFGS, SGD, Adam, LearningRateSchedule, RMSprop
from ..utils._sklearn import (
    CallbackSupportMixin,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    with_callbacks,
)

STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop")


class _Diverged(Exception):
    """Training produced a non-finite loss, gradient or weight."""


# Rows per chunk are chosen so that one activation buffer stays near these sizes.
_PREDICT_BUFFER_BYTES = 2**21
_LBFGS_BUFFER_BYTES = 2**25


def _chunk_rows(layer_units, itemsize: int, budget: int) -> int:
    return max(64, budget // (max(layer_units[1:]) * itemsize))


class BaseNetClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Shared fit/predict logic of :class:`LogisticUnit` and :class:`DeepNetClassifier`.

    Subclasses define their parameters and four hooks: ``_architecture``
    (the network's shape and options), ``_fitted_attributes``,
    ``_fitted_params`` and, with batch norm, ``_fitted_stats``.

    With scikit-learn's callbacks (``set_callbacks``, scikit-learn >= 1.9),
    fit is a task with one subtask per epoch (or per L-BFGS iteration); a
    callback that returns True at the end of a subtask stops training there.
    """

    _parameter_constraints: dict = {
        "solver": [StrOptions({"lbfgs", "sgd", "adam", "rmsprop"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    _supports_multilabel = True
    # Extra options of the L-BFGS solver (see skdeep.optim.LBFGS).
    _lbfgs_options: dict = {}

    # -- hooks ---------------------------------------------------------------
    def _architecture(self) -> dict:
        """Return the network's options.

        Keys: ``hidden_layer_sizes``, ``activation``, ``fit_intercept``,
        ``dropout``, ``batch_norm``, ``init``.
        """
        raise NotImplementedError

    def _fitted_attributes(self, params: Params, stats: BatchNormStats) -> dict:
        """Return the fitted attributes holding these parameters."""
        raise NotImplementedError

    def _store_params(self, params: Params, stats: BatchNormStats) -> None:
        """Publish trained parameters (and batch-norm statistics)."""
        for name, value in self._fitted_attributes(params, stats).items():
            setattr(self, name, value)

    def _reconstruction_attributes(self, network, params, stats):
        """Fitted attributes of a copy of the current weights (for callbacks)."""
        copied = network.unpack(params.flat.copy())
        stats = copy.deepcopy(stats)
        return self._fitted_attributes(copied, stats)

    def _fitted_params(self) -> Params:
        """Return the fitted parameters as a Params (``flat`` may be None)."""
        raise NotImplementedError

    def _fitted_stats(self) -> BatchNormStats:
        return BatchNormStats([], [])

    # -- public API ----------------------------------------------------------
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
        """Fit the model to data matrix X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data is trained in float32; anything else
            in float64.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels of any type, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; ``None`` weighs every sample 1.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            A validation set. Its accuracy is recorded in
            ``validation_scores_`` after every epoch; with
            ``early_stopping=True`` it replaces the ``validation_fraction``
            split, and the weights that score best on it are kept.
        y_val : array-like of shape (n_val,), default=None
            Labels of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Sample weights of the validation set.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        validation = None
        if X_val is not None or y_val is not None:
            if X_val is None or y_val is None:
                raise ValueError("X_val and y_val must be given together.")
            validation = (X_val, y_val, sample_weight_val)
        elif sample_weight_val is not None:
            raise ValueError("sample_weight_val needs X_val and y_val.")
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not first_call and classes is not None:
            if not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on the first call to "
                    f"partial_fit, which was {self.classes_!r}."
                )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, because "
                "the class frequencies of the whole data set are unknown; pass a "
                "dict of class weights instead."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``. For
            multilabel targets, the probability of each label.
        """
        check_is_fitted(self)
        network = self._network()
        raw = self._raw_scores(X, network)
        if self._y_type == "binary":
            proba = np.empty((raw.shape[0], 2), dtype=raw.dtype)
            # Two sigmoids rather than 1 - p: exact in both tails.
            np.negative(raw[:, 0], out=proba[:, 0])
            proba[:, 1] = raw[:, 0]
            network.loss.link(proba)
            return proba
        network.loss.link(raw)
        return raw

    def predict_log_proba(self, X):
        """Log of probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``: ``-inf`` where a probability underflows
            to zero, consistently with :meth:`predict_proba`.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def decision_function(self, X):
        """Raw scores of the output layer, before the sigmoid or softmax.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            One score per sample for two classes (positive means
            ``classes_[1]``), else one per class (or label).
        """
        raw = self._raw_scores(X)
        return raw[:, 0] if self._y_type == "binary" else raw

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted classes (a 0/1 indicator matrix for multilabel).
        """
        return self._labels_from_raw(self._raw_scores(X))

    # -- prediction helpers --------------------------------------------------
    def _network(self) -> Network:
        """Build the fitted network for inference (intercepts are arrays)."""
        params = self._fitted_params()
        units = [params.coefs[0].shape[0], *(c.shape[1] for c in params.coefs)]
        loss = "log_loss" if self._y_type == "multiclass" else "binary_log_loss"
        return Network(
            units,
            self._activation,
            loss,
            fit_intercept=True,
            batch_norm=bool(params.bn_scales),
        )

    def _raw_scores(self, X, network=None):
        check_is_fitted(self)
        # scikit-learn's finiteness check sums X, which can overflow (and warn)
        # for finite values near the float maximum; real NaN/inf still raise.
        with np.errstate(over="ignore", invalid="ignore"):
            X = validate_data(
                self,
                X,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                reset=False,
            )
        return self._raw_scores_validated(X, network=network)

    def _raw_scores_validated(
        self, X, params=None, network=None, stats=None, check=True
    ):
        if network is None:
            network = self._network()
        if params is None:
            params, stats = self._fitted_params(), self._fitted_stats()
        dtype = params.coefs[0].dtype
        if X.dtype != dtype:
            X = X.astype(dtype)
        rows = _chunk_rows(network.layer_units, dtype.itemsize, _PREDICT_BUFFER_BYTES)
        with np.errstate(all="ignore"):
            raw = network.predict_raw(params, X, chunk_rows=rows, stats=stats)
        if check and not np.isfinite(raw).all():
            raise ValueError(
                "The input overflowed the network's floating-point range (some raw "
                f"scores are not finite in {dtype.name}). Scale the input the way "
                "the training data was scaled."
            )
        return raw

    def _labels_from_raw(self, raw):
        if self._y_type == "multilabel-indicator":
            return (raw > 0).astype(int)
        if self._y_type == "binary":
            return self.classes_[(raw[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(raw, axis=1)]

    # -- fit template --------------------------------------------------------
    def _validated_architecture(self) -> dict:
        arch = dict(self._architecture())
        hidden = arch["hidden_layer_sizes"]
        sizes = [hidden] if isinstance(hidden, Integral) else list(hidden)
        if not all(
            isinstance(s, Integral) and not isinstance(s, bool) and s >= 1
            for s in sizes
        ):
            raise InvalidParameterError(
                "The 'hidden_layer_sizes' parameter of "
                f"{type(self).__name__} must be a positive int or a sequence of "
                f"positive ints. Got {hidden!r} instead."
            )
        arch["hidden_layer_sizes"] = tuple(int(s) for s in sizes)
        dropout = arch["dropout"]
        rates = [dropout] if np.ndim(dropout) == 0 else list(dropout)
        if (np.ndim(dropout) != 0 and len(rates) != len(sizes)) or not all(
            isinstance(r, Real) and 0 <= r < 1 for r in rates
        ):
            raise InvalidParameterError(
                f"The 'dropout' parameter of {type(self).__name__} must be a float "
                "in [0, 1) or a sequence of such floats, one per hidden layer "
                f"({len(sizes)} here). Got {dropout!r} instead."
            )
        if self.solver == "lbfgs" and any(r > 0 for r in rates):
            raise ValueError(
                "dropout needs a stochastic solver ('sgd', 'adam' or 'rmsprop'): "
                "L-BFGS needs the same objective at every evaluation."
            )
        return arch

    def _fit(self, X, y, sample_weight, incremental, classes=None, validation=None):
        # A failed call (bad input, divergence) leaves the estimator as it was.
        # Training works on a packed copy of the weights, so only what is
        # updated in place needs copying: the optimizer state and the curves.
        snapshot = {
            name: copy.deepcopy(value)
            if name in ("_optimizer_state", "loss_curve_", "validation_scores_")
            else value
            for name, value in vars(self).items()
        }
        try:
            return self._fit_or_raise(
                X, y, sample_weight, incremental, classes, validation
            )
        except _Diverged as exc:
            self._restore(snapshot)
            raise ValueError(
                f"Training diverged: {exc}. "
                + (
                    f"Lower learning_rate_init (now {self.learning_rate_init}), or "
                    if self.solver in STOCHASTIC_SOLVERS
                    else ""
                )
                + "scale the input features, for example with "
                "sklearn.preprocessing.StandardScaler. The estimator was left as "
                "it was before this call."
            ) from None
        except Exception:
            self._restore(snapshot)
            raise

    def _restore(self, snapshot):
        # The callback machinery's own attributes live across the call.
        keep = {k: v for k, v in vars(self).items() if "callback" in k}
        vars(self).clear()
        vars(self).update(snapshot)
        vars(self).update(keep)

    def _fit_or_raise(self, X, y, sample_weight, incremental, classes, validation):
        # Callbacks see the data as the user gave it (a frame keeps its names).
        callback_data = {
            "X": X,
            "y": y,
            "metadata": {}
            if sample_weight is None
            else {"sample_weight": sample_weight},
        }
        arch = self._validated_architecture()
        fitted = hasattr(self, "n_layers_")
        first_pass = not fitted or (not self.warm_start and not incremental)

        with np.errstate(over="ignore", invalid="ignore"):  # see _raw_scores
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                multi_output=True,
                reset=first_pass,
            )
        # Validate everything before touching fitted attributes.
        spec = self._target_spec(y, classes) if first_pass else self._current_spec()
        target, codes, y_labels = self._encode_targets(y, spec)
        if fitted and not first_pass and self.warm_start and not incremental:
            seen = np.unique(codes) if codes is not None else None
            if seen is not None and len(seen) != len(spec["classes_"]):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as "
                    f"in the previous call to fit. Previously got {self.classes_}, "
                    f"`y` has {spec['classes_'][seen]}."
                )
        dtype = X.dtype if first_pass else self._fitted_params().coefs[0].dtype
        if X.dtype != dtype:
            X = X.astype(dtype)
        if target.dtype != np.intp:
            target = target.astype(dtype, copy=False)
        sample_weight = self._sample_weight(X, y_labels, codes, sample_weight, spec)
        if validation is not None:
            validation = self._validated_validation_set(validation, spec, dtype)

        network = self._build_network(arch, X.shape[1], spec)
        rng = check_random_state(self.random_state)
        if first_pass:
            params = network.init_params(rng, dtype, arch["init"])
            stats = network.init_stats(dtype)
        else:
            old = self._fitted_params()
            if [c.shape for c in old.coefs] != network.coef_shapes or bool(
                old.bn_scales
            ) != bool(network.batch_norms):
                raise ValueError(
                    "The network's architecture changed since the last fit; set "
                    "warm_start=False to train a new network."
                )
            params = self._pack_fitted(network, dtype)
            old_stats = self._fitted_stats()
            stats = BatchNormStats(
                [m.astype(dtype) for m in old_stats.means],
                [v.astype(dtype) for v in old_stats.variances],
            )
        if network.uses_dropout:
            # Drawn after the initial weights, and only with dropout, so that a
            # random_state gives the same initial network with or without it
            # (and MLPClassifier's, for the same parameters).
            network.set_dropout_seed(int(rng.randint(np.iinfo(np.int32).max)))

        for name, value in spec.items():
            setattr(self, name, value)
        self._activation = arch["activation"]
        if first_pass:
            self._initialize_state(network)
        callbacks = self._init_callback_context(
            max_subtasks=1 if incremental else self.max_iter
        )
        callbacks.call_on_fit_task_begin(estimator=self, **callback_data)
        tasks = (callbacks, callback_data)

        # Overflow shows up as a non-finite loss or weights, which are checked
        # and reported; NumPy's warnings would only be noise.
        with np.errstate(all="ignore"):
            if self.solver in STOCHASTIC_SOLVERS:
                params, message, interrupted = self._fit_stochastic(
                    network,
                    params,
                    stats,
                    X,
                    target,
                    codes,
                    sample_weight,
                    rng,
                    incremental,
                    first_pass,
                    validation,
                    tasks,
                )
            else:
                params, message, interrupted = self._fit_lbfgs(
                    network, params, stats, X, target, sample_weight, validation, tasks
                )
        if not np.isfinite(params.flat).all():
            raise _Diverged("the network's weights are no longer finite")
        self._store_params(params, stats)
        callbacks.call_on_fit_task_end(
            estimator=self, reconstruction_attributes={}, **callback_data
        )
        if interrupted:
            # The model of the last completed epoch is kept; the interrupt
            # still propagates, so that scripts stop as asked.
            raise KeyboardInterrupt
        # Warn only once the fitted state is complete: a warning turned into
        # an error must not leave a half-updated estimator behind.
        if message is not None:
            warnings.warn(message, ConvergenceWarning, stacklevel=3)
        return self

    @staticmethod
    def _build_network(arch, n_features, spec) -> Network:
        """Build the network for these options, features and targets."""
        units = [n_features, *arch["hidden_layer_sizes"], spec["n_outputs_"]]
        loss = "log_loss" if spec["_y_type"] == "multiclass" else "binary_log_loss"
        return Network(
            units,
            arch["activation"],
            loss,
            arch["fit_intercept"],
            dropout=arch["dropout"],
            batch_norm=arch["batch_norm"],
        )

    def _pack_fitted(self, network, dtype) -> Params:
        """Copy the fitted parameters into a new flat vector for ``network``."""
        old = self._fitted_params()
        return network.pack(
            old.coefs, old.intercepts, dtype, old.bn_scales, old.bn_offsets
        )

    def _validated_validation_set(self, validation, spec, dtype):
        """Validate (X_val, y_val, sample_weight_val) like the training data."""
        X_val, y_val, sw_val = validation
        with np.errstate(over="ignore", invalid="ignore"):
            X_val, y_val = validate_data(
                self,
                X_val,
                y_val,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                multi_output=True,
                reset=False,
            )
        target_val, codes_val, labels_val = self._encode_targets(y_val, spec)
        if sw_val is not None:
            sw_val = _check_sample_weight(
                sw_val, X_val, dtype=np.float64, ensure_non_negative=True
            )
        if labels_val is None:  # multilabel indicator
            labels_val = target_val.astype(int)
        return X_val.astype(dtype, copy=False), labels_val, sw_val

    def _target_spec(self, y, classes):
        """Work out classes and output layout from y (or ``classes``)."""
        # type_of_target scans y: call it once (it is most of a small fit).
        y_type = type_of_target(y, input_name="y")
        if y_type == "multilabel-indicator":
            classes = np.arange(y.shape[1])
        elif y_type not in ("binary", "multiclass"):
            check_classification_targets(y)  # scikit-learn's message
            raise ValueError(f"Unknown label type: {y_type!r}.")
        elif classes is not None:
            classes = np.unique(classes)
            y_type = "binary" if len(classes) <= 2 else "multiclass"
        else:
            classes = np.unique(column_or_1d(y) if y.ndim == 2 else y)
        if y_type == "multilabel-indicator" and not self._supports_multilabel:
            raise ValueError(
                f"{type(self).__name__} does not support multilabel targets; use "
                "DeepNetClassifier or sklearn.multioutput.MultiOutputClassifier."
            )
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {classes[0]!r}."
            )
        return {
            "classes_": classes,
            "_y_type": y_type,
            "n_outputs_": 1 if y_type == "binary" else len(classes),
            "out_activation_": "softmax" if y_type == "multiclass" else "logistic",
        }

    def _current_spec(self):
        return {
            name: getattr(self, name)
            for name in ("classes_", "_y_type", "n_outputs_", "out_activation_")
        }

    def _encode_targets(self, y, spec):
        """Return targets in the loss's format, integer codes and 1-d labels."""
        classes = spec["classes_"]
        if spec["_y_type"] == "multilabel-indicator":
            if y.ndim != 2 or y.shape[1] != len(classes):
                raise ValueError(
                    f"Expected a multilabel indicator matrix with {len(classes)} "
                    f"columns, got shape {y.shape}."
                )
            return np.asarray(y, dtype=np.float64), None, None
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        elif y.ndim != 1:
            raise ValueError(
                f"y should be a 1d array, got an array of shape {y.shape} instead."
            )
        if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
            check_classification_targets(y)  # continuous: scikit-learn's error
        codes = np.minimum(np.searchsorted(classes, y), len(classes) - 1)
        unknown = classes[codes] != y
        if unknown.any():
            raise ValueError(
                f"`y` has classes not in `self.classes_`: {np.unique(y[unknown])!r}. "
                f"`self.classes_` is {classes!r}."
            )
        if spec["_y_type"] == "binary":
            return codes.reshape(-1, 1).astype(np.float64), codes, y
        return codes.astype(np.intp, copy=False), codes, y

    def _sample_weight(self, X, y_labels, codes, sample_weight, spec):
        """Validate sample weights and apply class weights; None means all ones."""
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            if not np.any(sample_weight > 0):
                raise ValueError(
                    "Sample weights must contain at least one non-zero number."
                )
        if self.class_weight is not None:
            if codes is None:
                raise ValueError(
                    "class_weight is not supported for multilabel targets."
                )
            weights = self._class_weights(codes, sample_weight, spec["classes_"])
            per_sample = weights.astype(X.dtype)[codes]
            sample_weight = (
                per_sample if sample_weight is None else sample_weight * per_sample
            )
        return sample_weight

    def _class_weights(self, codes, sample_weight, classes):
        """Weight of each class, from ``class_weight``."""
        if self.class_weight == "balanced":
            # n_samples / (n_classes * count), with counts that respect the
            # sample weights, so that weighting a row by 2 and repeating it
            # give the same model.
            counts = np.bincount(codes, weights=sample_weight, minlength=len(classes))
            present = counts > 0
            weights = np.ones(len(classes))
            weights[present] = counts.sum() / (
                np.count_nonzero(present) * counts[present]
            )
            return weights
        unknown = [c for c in self.class_weight if c not in set(classes.tolist())]
        if unknown:
            raise ValueError(
                f"The classes {unknown!r} in class_weight are not in the "
                f"training labels {classes!r}."
            )
        return np.array([self.class_weight.get(c, 1.0) for c in classes.tolist()])

    def _initialize_state(self, network):
        self.n_layers_ = len(network.layer_units)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._no_improvement_count = 0
        self._optimizer_state = None
        if self.early_stopping and self.solver in STOCHASTIC_SOLVERS:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf if self.solver in STOCHASTIC_SOLVERS else None

    # -- stochastic solvers --------------------------------------------------
    def _make_optimizer(self):
        if self.solver == "sgd":
            return SGD(momentum=self.momentum, nesterov=self.nesterovs_momentum)
        if self.solver == "rmsprop":
            return RMSprop(beta=self.beta_2, epsilon=self.epsilon)
        return Adam(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)

    def _make_schedule(self):
        # Unlike MLPClassifier, where only SGD follows learning_rate, the
        # schedule applies to every stochastic solver.
        return LearningRateSchedule(
            self.learning_rate, self.learning_rate_init, self.power_t
        )

    def _fit_stochastic(
        self,
        network,
        params,
        stats,
        X,
        target,
        codes,
        sample_weight,
        rng,
        incremental,
        first_pass,
        validation,
        tasks,
    ):
        optimizer, schedule = self._make_optimizer(), self._make_schedule()
        callbacks, callback_data = tasks
        state = self._optimizer_state
        if (
            first_pass
            or state is None
            or state.get("solver") != self.solver
            or state.get("n_params") != network.n_params
        ):
            state = {
                "solver": self.solver,
                "n_params": network.n_params,
                "update": optimizer.init(params.flat),
                "schedule": schedule.init(),
            }
        self._optimizer_state = state

        n_samples = X.shape[0]
        train_idx, val = None, None
        # partial_fit makes one pass over the data it is given: early stopping
        # (a held-out split and a restore of the best weights) is fit's job.
        early_stopping = self.early_stopping and not incremental
        if validation is not None:
            val = validation
        elif early_stopping:
            train_idx, val = self._validation_split(
                X, target, codes, sample_weight, rng
            )
        if val is not None and self.validation_scores_ is None:
            self.validation_scores_ = []
        if early_stopping and self.best_validation_score_ is None:
            self.best_validation_score_ = -np.inf
        n_train = n_samples if train_idx is None else len(train_idx)

        if self.batch_size == "auto":
            batch_size = min(200, n_train)
        else:
            if self.batch_size > n_train:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is "
                    "going to be clipped",
                    stacklevel=3,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_train))

        workspace = network.workspace(batch_size, X.dtype)
        grads = network.unpack(np.empty(network.n_params, dtype=X.dtype))
        batcher = _Batcher(X, target, sample_weight, batch_size, workspace.dtype)
        if early_stopping:
            best_flat, best_stats = params.flat.copy(), copy.deepcopy(stats)
        sample_idx = train_idx if train_idx is not None else np.arange(n_samples)
        ordered = train_idx is None and not self.shuffle
        state.setdefault("steps", 0)  # counts updates; keys the dropout masks

        self.n_iter_ = 0
        message, interrupted = None, False
        checkpoint = _Checkpoint(self, params.flat, state, stats)
        try:
            for _ in range(self.max_iter):
                if self.shuffle:
                    # Permuting the previous order, from the same RandomState,
                    # reproduces MLPClassifier's batches for a given random_state.
                    permutation = np.arange(n_train)
                    rng.shuffle(permutation)
                    sample_idx = sample_idx[permutation]
                epoch = callbacks.subcontext(task_name="epoch")
                epoch.call_on_fit_task_begin(estimator=self, **callback_data)
                total = self._run_epoch(
                    network,
                    params,
                    stats,
                    grads,
                    workspace,
                    optimizer,
                    state,
                    batcher.batches(None if ordered else sample_idx),
                )
                _check_finite(params.flat, state["update"])
                self.n_iter_ += 1
                self.t_ += n_train
                self.loss_ = total / n_train
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                if val is not None:
                    is_best = self._record_validation(
                        network, params, stats, val, early_stopping
                    )
                    if early_stopping and is_best:
                        np.copyto(best_flat, params.flat)
                        _Checkpoint._copy_stats(best_stats, stats)
                if not early_stopping:
                    self._record_loss()
                schedule.on_epoch_end(state["schedule"], self.t_)
                checkpoint.save(self, params.flat, state, stats)
                if epoch.call_on_fit_task_end(
                    estimator=self,
                    reconstruction_attributes=lambda: self._reconstruction_attributes(
                        network, params, stats
                    ),
                    **callback_data,
                ):
                    break  # a callback asked to stop: not a convergence failure
                if self._no_improvement_count > self.n_iter_no_change:
                    what = "Validation score" if early_stopping else "Training loss"
                    msg = (
                        f"{what} did not improve more than tol={self.tol:f} for "
                        f"{self.n_iter_no_change} consecutive epochs."
                    )
                    if schedule.on_plateau(state["schedule"]):
                        if self.verbose:
                            print(msg + " Stopping.")
                        break
                    if self.verbose:
                        lr = state["schedule"]["learning_rate"]
                        print(msg + f" Setting learning rate to {lr:f}")
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    message = (
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                        "reached and the optimization hasn't converged yet."
                    )
        except KeyboardInterrupt:
            # Back to the end of the last completed epoch, weights, optimizer
            # state and bookkeeping alike.
            checkpoint.restore(self, params.flat, state, stats)
            interrupted = True

        if early_stopping:
            np.copyto(params.flat, best_flat)
            _Checkpoint._copy_stats(stats, best_stats)
        return params, message, interrupted

    def _run_epoch(
        self,
        network,
        params,
        stats,
        grads,
        workspace,
        optimizer,
        state,
        batches,
    ):
        """One pass over the batches; return the loss summed over samples."""
        total = 0.0
        learning_rate = state["schedule"]["learning_rate"]
        batch_norm = bool(network.batch_norms)
        for X_batch, t_batch, weight, l2_scale in batches:
            if l2_scale == 0:
                continue  # every sample weight in the batch is zero
            loss = network.loss_gradient(
                params,
                grads,
                X_batch,
                t_batch,
                weight,
                self.alpha * l2_scale,
                workspace,
                dropout_step=state["steps"],
            )
            if not math.isfinite(loss):
                raise _Diverged(
                    f"the training loss became {loss} in epoch {self.n_iter_ + 1}"
                )
            total += loss * X_batch.shape[0]
            if batch_norm:
                network.update_stats(workspace, stats)
            optimizer.update(params.flat, grads.flat, state["update"], learning_rate)
            state["steps"] += 1
        return total

    def _validation_split(self, X, target, codes, sample_weight, rng):
        """Hold out ``validation_fraction`` of the samples for early stopping.

        The split is stratified when every class can appear on both sides;
        the validation set has at least two samples (and one per class when
        stratified), so small data sets still get a usable split.
        """
        n_samples = X.shape[0]
        if self.validation_fraction == 0:
            raise ValueError(
                "early_stopping=True needs a validation set: set "
                "validation_fraction > 0, or pass X_val and y_val to fit."
            )
        n_val = max(int(np.ceil(self.validation_fraction * n_samples)), 2)
        stratify = None
        if codes is not None:
            counts = np.bincount(codes, minlength=len(self.classes_))
            n_classes = np.count_nonzero(counts)
            if counts[counts > 0].min() >= 2 and n_samples - n_val >= n_classes:
                n_val = max(n_val, n_classes)
                stratify = codes
        if n_samples - n_val < 1:
            raise ValueError(
                f"The validation set is too small: {n_samples} samples cannot be "
                "split for early stopping. Increase 'validation_fraction', use more "
                "data, or set early_stopping=False."
            )
        train_idx, val_idx = train_test_split(
            np.arange(n_samples), random_state=rng, test_size=n_val, stratify=stratify
        )
        if codes is not None:
            y_val = self.classes_[codes[val_idx]]
        else:
            y_val = target[val_idx].astype(int)
        sw_val = None if sample_weight is None else sample_weight[val_idx]
        return train_idx, (X[val_idx], y_val, sw_val)

    def _record_validation(self, network, params, stats, val, early_stopping) -> bool:
        """Append the validation score; return whether it is the best so far."""
        X_val, y_val, sw_val = val
        raw = self._raw_scores_validated(X_val, params, network, stats, check=False)
        if not np.isfinite(raw).all():
            score = np.nan
        else:
            y_pred = self._labels_from_raw(raw)
            score = accuracy_score(y_val, y_pred, sample_weight=sw_val)
        self.validation_scores_.append(score)
        if self.verbose:
            print(f"Validation score: {score:f}")
        if not early_stopping:
            return False
        if score < self.best_validation_score_ + self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        if score > self.best_validation_score_:
            self.best_validation_score_ = score
            return True
        return False

    def _record_loss(self):
        if self.best_loss_ is None:  # the previous fit used early stopping
            self.best_loss_ = np.inf
        if self.loss_curve_[-1] > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        if self.loss_curve_[-1] < self.best_loss_:
            self.best_loss_ = self.loss_curve_[-1]

    # -- L-BFGS --------------------------------------------------------------
    def _fit_lbfgs(
        self, network, params, stats, X, target, sample_weight, validation, tasks
    ):
        n_samples, dtype = X.shape[0], X.dtype
        weight, total_weight = _objective_weights(sample_weight, n_samples, dtype)
        l2 = self.alpha / total_weight
        rows = _chunk_rows(network.layer_units, dtype.itemsize, _LBFGS_BUFFER_BYTES)
        if network.batch_norms:
            rows = n_samples  # batch statistics are those of all the data
        workspace = network.workspace(min(n_samples, rows), dtype)
        if validation is not None and self.validation_scores_ is None:
            self.validation_scores_ = []

        def objective(x):
            # Views of SciPy's iterate, no copy (float32 needs one cast).
            theta = network.unpack(x if dtype == np.float64 else x.astype(dtype))
            grads = network.unpack(np.empty(network.n_params, dtype=dtype))
            loss = network.loss_gradient_chunked(
                theta, grads, X, target, weight, l2, workspace
            )
            return loss, grads.flat.astype(np.float64, copy=False)

        callbacks, callback_data = tasks

        def report(iteration, loss, x):
            if self.verbose:
                print(f"Iteration {iteration}, loss = {loss:.8f}")
            theta = network.unpack(x.astype(dtype))
            if validation is not None:
                if network.batch_norms:
                    self._set_full_batch_stats(
                        network, theta, stats, X, workspace, weight
                    )
                self._record_validation(network, theta, stats, validation, False)

            def attributes():  # only if a callback asks for a fitted estimator
                if network.batch_norms:
                    self._set_full_batch_stats(
                        network, theta, stats, X, workspace, weight
                    )
                return self._reconstruction_attributes(network, theta, stats)

            task = callbacks.subcontext(task_name="iteration")
            task.call_on_fit_task_begin(estimator=self, **callback_data)
            return task.call_on_fit_task_end(
                estimator=self, reconstruction_attributes=attributes, **callback_data
            )

        result = LBFGS(
            self.max_iter, self.max_fun, self.tol, **self._lbfgs_options
        ).minimize(objective, params.flat, callback=report)
        if not math.isfinite(result.fun):
            raise _Diverged(f"the training loss became {result.fun}")
        message = None
        if not (result.converged or result.interrupted or result.stopped):
            message = (
                f"lbfgs failed to converge after {result.n_iter} iteration(s): "
                f"{result.message}. Increase max_iter (or max_fun), or scale the "
                "data as shown in https://scikit-learn.org/stable/modules/"
                "preprocessing.html"
            )
        self.n_iter_ = result.n_iter
        self.loss_ = result.fun
        self.loss_curve_.extend(result.losses)
        params = network.unpack(result.x.astype(dtype))
        if network.batch_norms:
            self._set_full_batch_stats(network, params, stats, X, workspace, weight)
        return params, message, result.interrupted

    def _set_full_batch_stats(self, network, params, stats, X, workspace, weight):
        """Use the (weighted) statistics of all the training data for inference."""
        network.forward(params, X, workspace, training=True, weight=weight)
        network.set_stats_from_batch(workspace, stats)

    # -- gradient checking -------------------------------------------------
    def _gradient_problem(self, X, y, sample_weight=None, random_state=None):
        """Build the training objective at this estimator's weights, for checking.

        Returns ``(network, theta, objective)`` where ``objective(theta)``
        returns the objective and its back-propagated gradient in float64, in
        training mode, with fixed dropout masks. Nothing on the estimator is
        changed.
        """
        self._validate_params()
        arch = self._validated_architecture()
        X, y = check_X_y(
            X, y, accept_sparse=("csr", "csc"), dtype=np.float64, multi_output=True
        )
        fitted = hasattr(self, "n_layers_")
        if fitted and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
        spec = self._current_spec() if fitted else self._target_spec(y, None)
        target, codes, labels = self._encode_targets(y, spec)
        if target.dtype != np.intp:
            target = target.astype(np.float64)
        sample_weight = self._sample_weight(X, labels, codes, sample_weight, spec)
        n = X.shape[0]
        weight, total = _objective_weights(sample_weight, n, np.float64)
        network = self._build_network(arch, X.shape[1], spec)
        if fitted:
            params = self._pack_fitted(network, np.float64)
        else:
            params = network.init_params(
                check_random_state(self.random_state), np.float64, arch["init"]
            )
        workspace = network.workspace(n, np.float64)
        if network.uses_dropout:
            # Draw the masks once; every evaluation below reuses them.
            seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
            network.set_dropout_seed(int(seed))
            network.forward(params, X, workspace, training=True, dropout_step=0)
        l2 = self.alpha / total

        def objective(theta):
            grads = network.unpack(np.empty(network.n_params))
            with np.errstate(all="ignore"):
                value = network.loss_gradient(
                    network.unpack(theta), grads, X, target, weight, l2, workspace
                )
            return value, grads

        return network, params.flat.copy(), objective

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = self._supports_multilabel
        return tags


def _objective_weights(sample_weight, n_samples, dtype):
    """Per-sample weights of the full-batch objective, and their raw total."""
    if sample_weight is None:
        return np.full(n_samples, 1.0 / n_samples, dtype), n_samples
    total = float(sample_weight.sum())
    return (sample_weight / total).astype(dtype, copy=False), total


def _check_finite(params_flat, update_state) -> None:
    """Raise _Diverged if the weights or the optimizer's state overflowed."""
    if not np.isfinite(params_flat).all():
        raise _Diverged("the network's weights are no longer finite")
    for value in update_state.values():
        if isinstance(value, np.ndarray) and not np.isfinite(value).all():
            raise _Diverged(
                "the gradients overflowed (the optimizer's running averages are "
                "no longer finite)"
            )


class _Checkpoint:
    """Weights, optimizer state, statistics and bookkeeping at an epoch's end.

    Saving copies into buffers made once, so a checkpoint per epoch costs a
    few copies of the parameter vector and no allocation.
    """

    _COUNTERS = (
        "n_iter_",
        "t_",
        "loss_",
        "best_loss_",
        "best_validation_score_",
        "_no_improvement_count",
    )

    def __init__(self, estimator, params_flat, state, stats):
        self.params = params_flat.copy()
        self.update = copy.deepcopy(state["update"])
        self.stats = copy.deepcopy(stats)
        self.save(estimator, params_flat, state, stats)

    @staticmethod
    def _copy_state(dst, src):
        for key, value in src.items():
            if isinstance(value, np.ndarray):
                np.copyto(dst[key], value)
            else:
                dst[key] = value

    @staticmethod
    def _copy_stats(dst, src):
        for dst_list, src_list in zip(dst, src, strict=True):
            for d, s in zip(dst_list, src_list, strict=True):
                np.copyto(d, s)

    def save(self, estimator, params_flat, state, stats):
        np.copyto(self.params, params_flat)
        self._copy_state(self.update, state["update"])
        self._copy_stats(self.stats, stats)
        self.schedule = dict(state["schedule"])
        self.steps = state["steps"]
        self.counters = {
            name: getattr(estimator, name, None) for name in self._COUNTERS
        }
        self.n_losses = len(estimator.loss_curve_)
        scores = estimator.validation_scores_
        self.n_scores = None if scores is None else len(scores)

    def restore(self, estimator, params_flat, state, stats):
        np.copyto(params_flat, self.params)
        self._copy_state(state["update"], self.update)
        self._copy_stats(stats, self.stats)
        state["schedule"].update(self.schedule)
        state["steps"] = self.steps
        for name, value in self.counters.items():
            if value is not None or hasattr(estimator, name):
                setattr(estimator, name, value)
        del estimator.loss_curve_[self.n_losses :]
        if self.n_scores is not None:
            del estimator.validation_scores_[self.n_scores :]


class _Batcher:
    """Yield minibatches, gathered into buffers that live across batches.

    Yields ``(X_batch, target_batch, weight, l2_scale)`` where ``weight`` is
    the per-sample weight of the batch objective (``1 / n`` without sample
    weights) and ``l2_scale = 1 / sum(sample weights)`` (0 for an all-zero
    batch, which the caller skips).
    """

    def __init__(self, X, target, sample_weight, batch_size, dtype):
        self.X, self.target, self.sample_weight = X, target, sample_weight
        self.batch_size = batch_size
        self.sparse = sp.issparse(X)
        self.X_buffer = (
            None if self.sparse else np.empty((batch_size, X.shape[1]), dtype=dtype)
        )
        self.target_buffer = np.empty((batch_size, *target.shape[1:]), target.dtype)
        self.weight_buffer = np.empty(batch_size, dtype=dtype)

    def batches(self, indices):
        n = self.X.shape[0] if indices is None else len(indices)
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            size = stop - start
            if indices is None:
                X_batch = self.X[start:stop]
                t_batch = self.target[start:stop]
                w_batch = (
                    None
                    if self.sample_weight is None
                    else self.sample_weight[start:stop]
                )
            else:
                idx = indices[start:stop]
                if self.sparse:
                    X_batch = self.X[idx]
                else:
                    # mode="clip": with the default "raise", NumPy buffers `out`
                    # (a second copy); the indices are valid by construction.
                    X_batch = np.take(
                        self.X, idx, axis=0, out=self.X_buffer[:size], mode="clip"
                    )
                t_batch = np.take(
                    self.target,
                    idx,
                    axis=0,
                    out=self.target_buffer[:size],
                    mode="clip",
                )
                w_batch = (
                    None
                    if self.sample_weight is None
                    else np.take(
                        self.sample_weight,
                        idx,
                        out=self.weight_buffer[:size],
                        mode="clip",
                    )
                )
            if w_batch is None:
                yield X_batch, t_batch, 1.0 / size, 1.0 / size
            else:
                total = float(w_batch.sum())
                if total <= 0:
                    yield X_batch, t_batch, None, 0.0
                    continue
                weight = np.divide(w_batch, total, out=self.weight_buffer[:size])
                yield X_batch, t_batch, weight, 1.0 / total
