"""The task-agnostic base of every skdeep estimator.

Public methods validate; private ones run the algorithm:

``fit`` / ``partial_fit`` (task layer)
  -> ``_fit``          snapshot; any failure puts the estimator back
  -> ``_fit_or_raise`` prepare, publish the targets' attributes, train, store
       -> ``prepare``     inputs, targets, weights, network, starting state
                          (``_preparation``)
       -> ``fit_stochastic`` or ``fit_lbfgs`` (``skdeep.training``)
  -> fitted attributes.

A task layer (``_classifier``, ``_regressor``) decides what the targets mean,
through the hooks named in :class:`BaseNetwork`; nothing here knows about
classes or R^2.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import validate_data

from ..exceptions import TrainingDivergedError
from ..optim import OPTIMIZERS, LearningRateSchedule
from ..training import fit_lbfgs, fit_stochastic, store_solver
from ..utils._sklearn import CallbackSupportMixin, _check_sample_weight
from ._params import (
    NETWORK_CONSTRAINTS,
    PARAMETER_CONSTRAINTS,
    STOCHASTIC_SOLVERS,
    Architecture,
)
from ._prediction import (
    FLOAT_DTYPES,
    OPTIONAL_PARAMETER_ATTRIBUTES,
    fitted_groups,
    forget_network,
    inference_key,
    inference_network,
    parameter_attributes,
)
from ._preparation import (
    PROGRESS_ATTRIBUTES,
    CallbackObserver,
    add_validation,
    make_settings,
    prepare,
    start_progress,
)

__all__ = ["BaseNetwork"]


class BaseNetwork(CallbackSupportMixin, BaseEstimator):
    """Fit and prediction logic shared by every skdeep estimator.

    A task layer provides the hooks ``_target_spec``, ``_current_spec``,
    ``_encode_targets``, ``_loss_name``, ``_stratification``,
    ``_decode_raw`` and ``_score_predictions`` (and may refine
    ``_validate_xy``, ``_sample_weight``, ``_check_warm_start`` and
    ``_loss_options``); an estimator provides ``_architecture`` (and, if its
    fitted attributes are not the deep nets' ``coefs_``/``intercepts_``,
    ``_parameter_attributes`` and ``_fitted_groups``).

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
        return parameter_attributes(params, stats)

    def _fitted_groups(self) -> tuple[dict, dict]:
        """Return the fitted arrays, by parameter group and by state group."""
        return fitted_groups(self)

    def _validate_xy(self, X, y, reset):
        # scikit-learn's finiteness check sums X, which can overflow (and
        # warn) for finite values near the float maximum; NaN/inf still raise.
        with np.errstate(over="ignore", invalid="ignore"):
            return validate_data(
                self,
                X,
                y,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                multi_output=True,
                y_numeric=self._y_numeric,
                reset=reset,
            )

    def _sample_weight(self, X, targets, sample_weight, spec):
        """Validate sample weights; None means all ones."""
        if sample_weight is None:
            return None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        if not np.any(sample_weight > 0):
            raise ValueError(
                "Sample weights must contain at least one non-zero number."
            )
        return sample_weight

    def _check_warm_start(self, y, spec) -> None:
        """Raise if a warm-started ``fit`` cannot continue on these targets."""

    def _loss_options(self) -> dict:
        """Options of the training loss (a task layer may add some)."""
        return {}

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
        except TrainingDivergedError as exc:
            self._restore(snapshot)
            raise TrainingDivergedError(
                exc.reason,
                (
                    f"Lower learning_rate_init (now {self.learning_rate_init}), or "
                    if self.solver in STOCHASTIC_SOLVERS
                    else ""
                )
                + "scale the input features, for example with "
                "sklearn.preprocessing.StandardScaler. The estimator was left as "
                "it was before this call.",
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
        prepared = prepare(
            self, X, y, sample_weight, classes=classes, incremental=incremental
        )
        problem, state = prepared.problem, prepared.state
        stochastic = self.solver in STOCHASTIC_SOLVERS
        early_stopping = self.early_stopping and stochastic and not incremental
        add_validation(self, prepared, validation, early_stopping)
        progress = start_progress(self, prepared.first_pass, problem, early_stopping)
        self._publish_spec(prepared.spec, problem.network, prepared.arch)
        observer = CallbackObserver(
            self, data, problem.network, 1 if incremental else self.max_iter
        )
        settings = make_settings(self, incremental, early_stopping, prepared.rng)

        # Overflow shows up as a non-finite loss or weights, which are checked
        # and reported; NumPy's warnings would only be noise.
        with np.errstate(all="ignore"):
            solve = fit_stochastic if stochastic else fit_lbfgs
            outcome = solve(problem, state, progress, settings, observer)
        if outcome.interrupted and progress.n_iter == 0:
            raise KeyboardInterrupt  # nothing completed: nothing to keep
        if not np.isfinite(state.params.flat).all():
            raise TrainingDivergedError("the network's weights are no longer finite")
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

    def _solver_key(self) -> dict:
        """Return what a carried-over solver state must match (start_solver)."""
        return {
            "solver": self.solver,
            "schedule": {
                "learning_rate": self.learning_rate,
                "learning_rate_init": self.learning_rate_init,
                "power_t": self.power_t,
                "learning_rate_warmup": self.learning_rate_warmup,
            },
        }

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
        forget_network(self)  # its views are of the old weights
        for name in OPTIONAL_PARAMETER_ATTRIBUTES:
            vars(self).pop(name, None)  # from an earlier fit with batch norm
        for name, value in self._parameter_attributes(
            state.params, state.stats
        ).items():
            setattr(self, name, value)
        for name, attribute in PROGRESS_ATTRIBUTES.items():
            setattr(self, attribute, getattr(progress, name))
        self._solver_state = store_solver(state, self._solver_key())

    def _snapshot_attributes(self, network, params, stats) -> dict:
        """Fitted attributes of a copy of these weights (for callbacks)."""
        params = network.unpack(params.flat.copy())
        stats = network.unpack_stats(stats.flat.copy())
        return self._parameter_attributes(params, stats)

    # -- prediction ---------------------------------------------------------------
    #: The fitted attribute that holds the weights: present iff fitted.
    _weights_attribute = "coefs_"

    def _inference_key(self) -> tuple:
        """Return the fitted objects the inference network is built from."""
        return inference_key(self)

    def _inference_network(self):
        """Build the fitted network, for inference."""
        return inference_network(self)

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
            and X.dtype in FLOAT_DTYPES
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
