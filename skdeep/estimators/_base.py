"""The task-agnostic base of every skdeep estimator.

Public methods validate; private ones run the algorithm:

``fit`` / ``partial_fit`` (task layer)
  -> ``_fit``          snapshot; any failure puts the estimator back
  -> ``_fit_or_raise`` prepare, publish the targets' attributes, train, store
       -> ``_prepare``    inputs, targets, weights, network, starting state
                          (``_preparation``)
       -> ``fit_stochastic`` or ``fit_lbfgs`` (``_training``)
  -> fitted attributes.

A task layer (``_classifier``, ``_regressor``) decides what the targets mean,
through the hooks named in :class:`BaseNetwork`; nothing here knows about
classes or R^2.
"""

from __future__ import annotations

import operator
import warnings
import weakref

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

from ..nn import Network
from ..optim import LBFGS, OPTIMIZERS, LearningRateSchedule, state_to_dict
from ..utils._sklearn import CallbackSupportMixin
from ._params import (
    NETWORK_CONSTRAINTS,
    PARAMETER_CONSTRAINTS,
    STOCHASTIC_SOLVERS,
    Architecture,
    input_layers,
)
from ._preparation import PROGRESS_ATTRIBUTES, PreparationMixin
from ._records import CallbackObserver, Diverged, Settings
from ._training import fit_lbfgs, fit_stochastic, predict_raw

__all__ = ["BaseNetwork", "fitted_network"]

# Input dtypes prediction takes as they are.
_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
# The input layers' parameter groups and the fitted attributes that hold
# them (one array each: there is at most one layer of each kind).
_INPUT_ATTRIBUTES = {
    "front_scales": "front_scales_",
    "frequencies": "embedding_frequencies_",
    "embedding_coefs": "embedding_coefs_",
    "embedding_intercepts": "embedding_intercepts_",
    "embedding_phases": "embedding_phases_",
    "category_embeddings": "category_embeddings_",
}
# Attributes of an earlier fit that the new network may not have.
_OPTIONAL_PARAMETER_ATTRIBUTES = (
    "batch_norm_scales_",
    "batch_norm_offsets_",
    "batch_norm_means_",
    "batch_norm_variances_",
    *_INPUT_ATTRIBUTES.values(),
)


class BaseNetwork(PreparationMixin, CallbackSupportMixin, BaseEstimator):
    """Fit and prediction logic shared by every skdeep estimator.

    A task layer provides the hooks ``_target_spec``, ``_current_spec``,
    ``_encode_targets``, ``_loss_name``, ``_stratification``,
    ``_decode_raw`` and ``_score_predictions``; an estimator provides
    ``_architecture`` (and, if its fitted attributes are not the deep nets'
    ``coefs_``/``intercepts_``, ``_parameter_attributes`` and
    ``_fitted_groups``).

    With scikit-learn's callbacks (``set_callbacks``, scikit-learn >= 1.9),
    fit is a task with one subtask per epoch (or per L-BFGS iteration); a
    callback that returns True at the end of a subtask stops training there.
    """

    _parameter_constraints: dict = dict(PARAMETER_CONSTRAINTS)
    _network_constraints: dict = dict(NETWORK_CONSTRAINTS)
    # Extra options of the L-BFGS solver (see skdeep.optim.LBFGS).
    _lbfgs_options: dict = {}

    # -- hooks of the estimators ----------------------------------------------
    def _architecture(self) -> Architecture:
        """Return the network the deep nets' parameters ask for."""
        return Architecture(
            hidden_layer_sizes=self.hidden_layer_sizes,
            activation=self.activation,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            init=(
                "glorot_uniform_sklearn"
                if self.weight_init == "auto"
                else self.weight_init
            ),
            front_scale=self.front_scale,
            embedding=(
                None
                if self.embedding is None and not (self.embedding_options or {})
                else {"kind": self.embedding, **(self.embedding_options or {})}
            ),
        )

    def _parameter_attributes(self, params, stats) -> dict:
        """Return the fitted attributes that hold these parameters (no copy)."""
        attributes = {"coefs_": params.coefs, "intercepts_": params.intercepts}
        for group, name in _INPUT_ATTRIBUTES.items():
            if params.groups.get(group):
                attributes[name] = params.groups[group][0]
        if params.bn_scales:
            attributes.update(
                batch_norm_scales_=params.bn_scales,
                batch_norm_offsets_=params.bn_offsets,
                batch_norm_means_=stats.means,
                batch_norm_variances_=stats.variances,
            )
        return attributes

    def _fitted_groups(self) -> tuple[dict, dict]:
        """Return the fitted arrays, by parameter group and by state group."""
        groups = {"coefs": self.coefs_, "intercepts": self.intercepts_}
        fitted = vars(self)
        for group, name in _INPUT_ATTRIBUTES.items():
            if name in fitted:
                groups[group] = [fitted[name]]
        state = {}
        if hasattr(self, "batch_norm_scales_"):
            groups.update(
                bn_scales=self.batch_norm_scales_, bn_offsets=self.batch_norm_offsets_
            )
            state = {
                "means": self.batch_norm_means_,
                "variances": self.batch_norm_variances_,
            }
        return groups, state

    # -- fit ------------------------------------------------------------------
    def _fit_with_validation(
        self, X, y, sample_weight, X_val, y_val, sample_weight_val
    ):
        """``fit``'s body: pair the validation arguments, then fit."""
        validation = None
        if X_val is not None or y_val is not None:
            if X_val is None or y_val is None:
                raise ValueError("X_val and y_val must be given together.")
            validation = (X_val, y_val, sample_weight_val)
        elif sample_weight_val is not None:
            raise ValueError("sample_weight_val needs X_val and y_val.")
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    def _fit(self, X, y, sample_weight, incremental, classes=None, validation=None):
        if incremental and self.early_stopping:
            # As MLPClassifier/MLPRegressor: a held-out split and a restore of
            # the best weights are fit's job, not one pass's.
            raise ValueError(
                "partial_fit does not support early_stopping=True; set "
                "early_stopping=False, or use fit."
            )
        # A failed call (bad input, divergence, Ctrl-C before an epoch
        # completed) leaves the estimator as it was. Training writes the
        # estimator only at the end, and works on copies of the carried-over
        # state, so a shallow snapshot suffices.
        snapshot = dict(vars(self))
        try:
            interrupted = self._fit_or_raise(
                X, y, sample_weight, incremental, classes, validation
            )
        except Diverged as exc:
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
        except BaseException:  # KeyboardInterrupt included
            self._restore(snapshot)
            raise
        if interrupted:
            # The model of the last completed epoch is kept; the interrupt
            # still propagates, so that scripts stop as asked.
            raise KeyboardInterrupt
        return self

    def _restore(self, snapshot):
        # The callback machinery's own attributes live across the call.
        keep = {k: v for k, v in vars(self).items() if "callback" in k}
        vars(self).clear()
        vars(self).update(snapshot)
        vars(self).update(keep)

    def _fit_or_raise(
        self, X, y, sample_weight, incremental, classes, validation
    ) -> bool:
        """Train and publish; return whether Ctrl-C cut training short."""
        # Callbacks see the data as the user gave it (a frame keeps its names).
        data = {
            "X": X,
            "y": y,
            "metadata": {}
            if sample_weight is None
            else {"sample_weight": sample_weight},
        }
        prepared = self._prepare(
            X, y, sample_weight, classes=classes, incremental=incremental
        )
        problem, state = prepared.problem, prepared.state
        stochastic = self.solver in STOCHASTIC_SOLVERS
        early_stopping = self.early_stopping and stochastic and not incremental
        self._add_validation(prepared, validation, early_stopping)
        progress = self._start_progress(prepared.first_pass, problem, early_stopping)
        self._publish_spec(prepared.spec, problem.network, prepared.arch)
        observer = CallbackObserver(
            self, data, problem.network, 1 if incremental else self.max_iter
        )
        settings = self._settings(incremental, early_stopping, prepared.rng)

        # Overflow shows up as a non-finite loss or weights, which are checked
        # and reported; NumPy's warnings would only be noise.
        with np.errstate(all="ignore"):
            solve = fit_stochastic if stochastic else fit_lbfgs
            outcome = solve(problem, state, progress, settings, observer)
        if outcome.interrupted and progress.n_iter == 0:
            raise KeyboardInterrupt  # nothing completed: nothing to keep
        if not np.isfinite(state.params.flat).all():
            raise Diverged("the network's weights are no longer finite")
        self._publish(state, progress)
        observer.finish()
        # Warn only once the fitted state is complete: a warning turned into
        # an error must not leave a half-updated estimator behind.
        if outcome.message is not None and not outcome.interrupted:
            warnings.warn(outcome.message, ConvergenceWarning, stacklevel=4)
        return outcome.interrupted

    # -- the update rule and how it carries over ------------------------------
    def _make_optimizer(self):
        if self.solver == "sgd":
            return OPTIMIZERS["sgd"](
                momentum=self.momentum, nesterov=self.nesterovs_momentum
            )
        if self.solver == "rmsprop":
            return OPTIMIZERS["rmsprop"](beta=self.beta_2, epsilon=self.epsilon)
        return OPTIMIZERS["adam"](
            beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon
        )

    def _make_schedule(self):
        # Unlike MLPClassifier, where only SGD follows learning_rate, the
        # schedule applies to every stochastic solver.
        return LearningRateSchedule(
            self.learning_rate,
            self.learning_rate_init,
            self.power_t,
            warmup=self.learning_rate_warmup,
        )

    def _settings(self, incremental, early_stopping, rng) -> Settings:
        stochastic = self.solver in STOCHASTIC_SOLVERS
        return Settings(
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            verbose=bool(self.verbose),
            early_stopping=early_stopping,
            incremental=incremental,
            shuffle=self.shuffle,
            batch_size=self.batch_size,
            optimizer=self._make_optimizer() if stochastic else None,
            schedule=self._make_schedule() if stochastic else None,
            lbfgs=None
            if stochastic
            else LBFGS(self.max_iter, self.max_fun, self.tol, **self._lbfgs_options),
            rng=rng,
            weight_decay=self.weight_decay,
            weight_decay_schedule=self.weight_decay_schedule,
            dropout_schedule=getattr(self, "dropout_schedule", "constant"),
            learning_rate_factors=self.learning_rate_factors,
            step_factors=self._step_factors(),
        )

    def _step_factors(self):
        """Per-parameter rate and decay factors, or None (the role factors).

        A hook for estimators whose parametrisation sets learning rates
        layer by layer; returns a callable ``network -> (factors,
        decay_factors)``.
        """
        return None

    # -- publishing ------------------------------------------------------------
    def _publish_spec(self, spec, network, arch) -> None:
        """Store what the targets and the network determine, before training."""
        for name, value in spec.items():
            setattr(self, name, value)
        self._network_options = {
            "front_scale": bool(arch.front_scale),
            "embedding": None if arch.embedding is None else dict(arch.embedding),
        }
        self.n_layers_ = len(network.layer_units)
        self.out_activation_ = network.loss.out_activation
        self._activation = network.activation
        self._loss = network.loss.name

    def _publish(self, state, progress) -> None:
        """Store the trained parameters, the solver state and the bookkeeping."""
        _FITTED_NETWORKS.pop(self, None)  # views of the old weights
        for name in _OPTIONAL_PARAMETER_ATTRIBUTES:
            vars(self).pop(name, None)  # from an earlier fit with batch norm
        for name, value in self._parameter_attributes(
            state.params, state.stats
        ).items():
            setattr(self, name, value)
        for name, attribute in PROGRESS_ATTRIBUTES.items():
            setattr(self, attribute, getattr(progress, name))
        if state.optimizer is None:
            self._solver_state = None
        else:
            self._solver_state = {
                "solver": self.solver,
                "n_params": state.params.flat.size,
                "optimizer": state_to_dict(state.optimizer),
                "learning_rate": state.schedule.learning_rate,
                "schedule": self._schedule_parameters(),
                "step": state.step,
            }

    def _snapshot_attributes(self, network, params, stats) -> dict:
        """Fitted attributes of a copy of these weights (for callbacks)."""
        params = network.unpack(params.flat.copy())
        stats = network.unpack_stats(stats.flat.copy())
        return self._parameter_attributes(params, stats)

    # -- prediction ---------------------------------------------------------------
    #: The fitted attribute that holds the weights: present iff fitted.
    _weights_attribute = "coefs_"

    def _inference_key(self) -> tuple:
        """Return the fitted objects the inference network is built from.

        :func:`fitted_network` reuses its network while every one of these
        is the same object: a refit, or an assignment to a fitted attribute
        or to an element of ``coefs_``, builds a new one; changing values in
        place needs nothing, since the network's views are those arrays.
        """
        fitted = vars(self)
        key = [self._activation, self._loss]
        for name in ("coefs_", "intercepts_", *_OPTIONAL_PARAMETER_ATTRIBUTES):
            value = fitted.get(name, ())
            # Lists of arrays by element; the input layers' single arrays
            # whole (iterating one would make new row objects every call).
            key.extend([value] if isinstance(value, np.ndarray) else value)
        return tuple(key)

    def _inference_network(self) -> Network:
        """Build the fitted network, for inference."""
        groups, state = self._fitted_groups()
        coefs = groups["coefs"]
        options = getattr(self, "_network_options", {})
        n_features = getattr(self, "n_features_in_", coefs[0].shape[0])
        inputs = input_layers(
            n_features, options.get("front_scale", False), options.get("embedding")
        )
        units = [n_features, *(c.shape[1] for c in coefs)]
        return Network(
            units,
            self._activation,
            self._loss,
            batch_norm=bool(state),
            input_layers=inputs,
        )

    def _raw_scores(self, X) -> np.ndarray:
        """Raw scores of validated input, in chunks; raises on overflow."""
        check_is_fitted(self)
        # scikit-learn's finiteness check sums X, which can overflow (and warn)
        # for finite values near the float maximum; real NaN/inf still raise.
        # Overflow in the forward pass is checked below, once.
        with np.errstate(all="ignore"):
            if not self._valid_as_is(X):
                X = validate_data(
                    self,
                    X,
                    accept_sparse=("csr", "csc"),
                    dtype=(np.float64, np.float32),
                    reset=False,
                )
            network, params, stats = _fitted_network(self)
            dtype = params.coefs[0].dtype
            raw = predict_raw(network, params, X.astype(dtype, copy=False), stats)
        if not np.isfinite(raw).all():
            raise ValueError(
                "The input overflowed the network's floating-point range (some raw "
                f"scores are not finite in {dtype.name}). Scale the input the way "
                "the training data was scaled."
            )
        return raw

    def _valid_as_is(self, X) -> bool:
        """Whether ``X`` is an array ``validate_data`` would return unchanged.

        A float ndarray of the fitted width, with rows, finite, for an
        estimator fitted without feature names: the common case of a
        prediction, checked in a few microseconds (``validate_data`` takes
        about 50, most of a small prediction). Anything else goes through
        ``validate_data``, which converts it or raises its usual error.
        """
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in _FLOAT_DTYPES
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and "feature_names_in_" not in vars(self)
            and np.isfinite(X.sum())  # the check scikit-learn makes first
        )

    def __sklearn_is_fitted__(self) -> bool:
        """Whether a fit has completed (``check_is_fitted`` asks this).

        Returns
        -------
        fitted : bool
            True once a fit has published its parameters (which a failed or
            interrupted fit never leaves behind).
        """
        return self._weights_attribute in vars(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


# The inference network of each fitted estimator, built once per fit rather
# than once per call (the whole cost of a small prediction, otherwise). Kept
# beside the estimator, not in it: its __dict__, pickles and skops files stay
# as they were, and an entry goes away with its estimator.
_FITTED_NETWORKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fitted_network(estimator):
    """Return a fitted estimator's network, parameters and statistics.

    For inference and export: the parameters and statistics are views of the
    fitted attributes (no copy), laid out for the returned network. Built
    once per fit; after an assignment to a fitted attribute, built again.

    Parameters
    ----------
    estimator : BaseNetwork
        A fitted skdeep estimator.

    Returns
    -------
    network : Network
        The network, with the fitted activation and output loss.
    params : Params
        Views of the weights, biases and batch-norm parameters.
    stats : BatchNormStats
        Views of the running statistics (empty without batch norm).
    """
    check_is_fitted(estimator)
    return _fitted_network(estimator)


def _fitted_network(estimator):
    """:func:`fitted_network` for an estimator known to be fitted."""
    key = estimator._inference_key()
    built, bundle = _FITTED_NETWORKS.get(estimator, ((), None))
    if len(built) == len(key) and all(map(operator.is_, built, key)):
        return bundle
    network = estimator._inference_network()
    groups, state = estimator._fitted_groups()
    bundle = network, network.view_groups(**groups), network.view_stats(**state)
    _FITTED_NETWORKS[estimator] = (key, bundle)
    return bundle
