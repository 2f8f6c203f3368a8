"""Everything ``fit`` does before training, as a mixin of the base.

Validate the inputs, encode the targets (through the task layer's hooks),
weigh the samples, build the network, and start from fresh or fitted
parameters and a fresh or carried-over solver state; then attach the
validation data (given, or an early-stopping split) and start the
bookkeeping. The result is a :class:`Prepared` record: the ``Problem`` and
``TrainState`` the training loops take, and what the estimator publishes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from ..nn import LOSSES, Network
from ..optim import state_from_dict
from ..utils._sklearn import _check_sample_weight
from ._params import (
    STOCHASTIC_SOLVERS,
    Architecture,
    input_layers,
    validate_architecture,
)
from ._records import Problem, Progress, TrainState, Validation
from ._scoring import check_scoring_parameter, validation_score

__all__ = [
    "PROGRESS_ATTRIBUTES",
    "PreparationMixin",
    "Prepared",
    "Targets",
    "gradient_objective",
]

#: Progress fields and the estimator attributes that publish them.
PROGRESS_ATTRIBUTES = {
    "n_iter": "n_iter_",
    "t": "t_",
    "loss": "loss_",
    "best_loss": "best_loss_",
    "loss_curve": "loss_curve_",
    "validation_scores": "validation_scores_",
    "best_validation_score": "best_validation_score_",
    "no_improvement_count": "_no_improvement_count",
}


@dataclass
class Targets:
    """Targets encoded for the loss, and what the task layer knows of them.

    Attributes
    ----------
    values : ndarray
        In the loss's format (see :mod:`skdeep.nn.losses`).
    y : ndarray
        The targets as validated, for scoring held-out rows.
    codes : ndarray or None
        Class codes (classification), for class weights and stratification.
    """

    values: np.ndarray
    y: np.ndarray
    codes: np.ndarray | None = None


class Prepared(NamedTuple):
    """What ``_prepare`` returns: the problem, and what fit needs beside it."""

    problem: Problem
    state: TrainState
    spec: dict  # the targets' fitted attributes (classes_, n_outputs_, ...)
    targets: Targets
    first_pass: bool
    rng: np.random.RandomState
    arch: Architecture


class PreparationMixin:
    """What ``fit`` does before training (see the module docstring)."""

    def _prepare(
        self, X, y, sample_weight, *, classes=None, incremental=False, dtype=None
    ) -> Prepared:
        """Validate everything and build the problem and the starting state.

        Nothing on the estimator changes but what ``validate_data`` records
        (``n_features_in_``, ``feature_names_in_``) on a first pass.
        """
        arch = validate_architecture(self)
        check_scoring_parameter(self)
        fitted = hasattr(self, "n_layers_")
        first_pass = not fitted or (not self.warm_start and not incremental)
        X, y = self._validate_xy(X, y, reset=first_pass)
        spec = self._target_spec(y, classes) if first_pass else self._current_spec()
        if fitted and not first_pass and not incremental:
            self._check_warm_start(y, spec)
        targets = self._encode_targets(y, spec)
        if dtype is None:
            dtype = (
                X.dtype if first_pass else self._fitted_groups()[0]["coefs"][0].dtype
            )
        X = X.astype(dtype, copy=False)
        if targets.values.dtype != np.intp:
            targets.values = targets.values.astype(dtype, copy=False)
        sample_weight = self._sample_weight(X, targets, sample_weight, spec)

        network = self._build_network(arch, X.shape[1], spec)
        rng = check_random_state(self.random_state)
        if first_pass:
            params = network.init_params(rng, dtype, arch.init)
            stats = network.init_stats(dtype)
        else:
            params, stats = self._fitted_state(network, dtype)
        if network.uses_dropout:
            # Drawn after the initial weights, and only with dropout, so that a
            # random_state gives the same initial network with or without it
            # (and MLPClassifier's, for the same parameters).
            network.set_dropout_seed(int(rng.randint(np.iinfo(np.int32).max)))
        state = TrainState(params, stats)
        if self.solver in STOCHASTIC_SOLVERS:
            self._continue_solver(state, network, first_pass)
        problem = Problem(network, X, targets.values, sample_weight, self.alpha)
        return Prepared(problem, state, spec, targets, first_pass, rng, arch)

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

    def _build_network(self, arch, n_features, spec) -> Network:
        units = [n_features, *arch.hidden_layer_sizes, spec["n_outputs_"]]
        loss = LOSSES[self._loss_name(spec)](**self._loss_options())
        return Network(
            units,
            arch.activation,
            loss,
            arch.fit_intercept,
            dropout=arch.dropout,
            batch_norm=arch.batch_norm,
            input_layers=input_layers(n_features, arch.front_scale, arch.embedding),
        )

    def _loss_options(self) -> dict:
        """Options of the training loss (a task layer may add some)."""
        return {}

    def _fitted_state(self, network, dtype):
        """Copy the fitted parameters and statistics, for a warm start."""
        groups, state = self._fitted_groups()
        if (
            set(groups) != set(network.parameter_groups)
            or any(
                [a.shape for a in groups[group]] != network.shapes(group)
                for group in groups
            )
            or bool(state) != network.has_state
        ):
            raise ValueError(
                "The network's architecture changed since the last fit; set "
                "warm_start=False to train a new network."
            )
        return network.pack(dtype, **groups), network.pack_stats(dtype, **state)

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

    def _continue_solver(self, state, network, first_pass) -> None:
        """Start the update rule's state, or carry the previous call's over.

        What carries over on ``warm_start`` and ``partial_fit``: the update
        rule's state (momentum, Adam's moments and step count, RMSprop's
        average) unless the solver changed, and the schedule's current
        learning rate unless ``learning_rate``, ``learning_rate_init`` or
        ``power_t`` changed. The rule is rebuilt from the current
        hyperparameters every call, so a new ``momentum``, ``beta_1``,
        ``beta_2`` or ``epsilon`` applies from the next step.
        """
        carried = getattr(self, "_solver_state", None)
        optimizer = self._make_optimizer()
        state.schedule = self._make_schedule().init()
        if (
            first_pass
            or carried is None
            or carried["solver"] != self.solver
            or carried["n_params"] != network.n_params
        ):
            state.optimizer = optimizer.init(state.params.flat)
            return
        # A copy: the stored state changes only when the call succeeds.
        state.optimizer = state_from_dict(
            optimizer, state.params.flat, carried["optimizer"]
        )
        state.step = carried["step"]
        if carried["schedule"] == self._schedule_parameters():
            state.schedule.learning_rate = carried["learning_rate"]

    def _schedule_parameters(self) -> dict:
        return {
            "learning_rate": self.learning_rate,
            "learning_rate_init": self.learning_rate_init,
            "power_t": self.power_t,
            "learning_rate_warmup": self.learning_rate_warmup,
        }

    # -- validation data -------------------------------------------------------
    def _add_validation(self, prepared, validation, early_stopping) -> None:
        """Attach ``X_val``/``y_val``, or hold out rows for early stopping."""
        problem = prepared.problem
        loss_name = problem.network.loss.name
        if validation is not None:
            problem.validation = self._validation_set(
                validation, prepared.spec, problem.X.dtype, loss_name
            )
        elif early_stopping:
            train_idx, val_idx = self._validation_split(prepared)
            targets = prepared.targets
            sw = problem.sample_weight
            problem.train_rows = train_idx
            problem.validation = Validation(
                problem.X[val_idx],
                targets.y[val_idx],
                None if sw is None else sw[val_idx],
                validation_score(self, loss_name, targets.values[val_idx]),
            )

    def _validation_set(self, validation, spec, dtype, loss_name) -> Validation:
        """Validate (X_val, y_val, sample_weight_val) like the training data."""
        X_val, y_val, sw_val = validation
        X_val, y_val = self._validate_xy(X_val, y_val, reset=False)
        targets = self._encode_targets(y_val, spec)
        if sw_val is not None:
            sw_val = _check_sample_weight(
                sw_val, X_val, dtype=np.float64, ensure_non_negative=True
            )
        target = targets.values
        if target.dtype != np.intp:
            target = target.astype(dtype, copy=False)
        return Validation(
            X_val.astype(dtype, copy=False),
            targets.y,
            sw_val,
            validation_score(self, loss_name, target),
        )

    def _validation_split(self, prepared):
        """Hold out ``validation_fraction`` of the samples for early stopping.

        The task layer may stratify the split; the validation set has at
        least two samples, so small data sets still get a usable split.
        """
        n_samples = prepared.problem.X.shape[0]
        if self.validation_fraction == 0:
            raise ValueError(
                "early_stopping=True needs a validation set: set "
                "validation_fraction > 0, or pass X_val and y_val to fit."
            )
        n_val = max(int(np.ceil(self.validation_fraction * n_samples)), 2)
        stratify, n_val = self._stratification(prepared.targets, n_samples, n_val)
        if n_samples - n_val < 1:
            raise ValueError(
                f"The validation set is too small: {n_samples} samples cannot be "
                "split for early stopping. Increase 'validation_fraction', use more "
                "data, or set early_stopping=False."
            )
        return train_test_split(
            np.arange(n_samples),
            random_state=prepared.rng,
            test_size=n_val,
            stratify=stratify,
        )

    def _start_progress(self, first_pass, problem, early_stopping) -> Progress:
        stochastic = self.solver in STOCHASTIC_SOLVERS
        if first_pass:
            progress = Progress()
            if early_stopping:
                progress.validation_scores = []
                progress.best_validation_score = -np.inf
            else:
                progress.best_loss = np.inf if stochastic else None
        else:
            progress = Progress(
                **{
                    name: getattr(self, attribute)
                    for name, attribute in PROGRESS_ATTRIBUTES.items()
                    if hasattr(self, attribute)
                }
            ).copy()
        if problem.validation is not None and progress.validation_scores is None:
            progress.validation_scores = []
        if early_stopping and progress.best_validation_score is None:
            progress.best_validation_score = -np.inf
        return progress


def gradient_objective(
    estimator, X, y, *, sample_weight=None, random_state=None, dtype=np.float64
):
    """Build the training objective at an estimator's weights, for checks.

    Prepares the problem exactly as ``fit`` would (on a shallow copy, so the
    estimator does not change), in ``dtype``, starting from the fitted
    weights if there are any. Returns ``(network, theta, objective)`` where
    ``objective(theta)`` gives the full-batch objective and its
    back-propagated gradient in training mode, with one fixed dropout mask
    drawn from ``random_state``.
    """
    estimator = copy.copy(estimator)
    estimator._validate_params()
    prepared = estimator._prepare(X, y, sample_weight, incremental=True, dtype=dtype)
    problem, params = prepared.problem, prepared.state.params
    network, X = problem.network, problem.X
    weight, total = problem.objective_weights(dtype)
    workspace = network.workspace(X.shape[0], dtype)
    if network.uses_dropout:
        # Draw the masks once; every evaluation below reuses them.
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        network.set_dropout_seed(int(seed))
        network.forward(params, X, workspace, training=True, dropout_step=0)
    l2 = problem.alpha / total

    def objective(theta):
        grads = network.unpack(np.empty(network.n_params, dtype))
        theta = network.unpack(theta.astype(dtype, copy=False))
        with np.errstate(all="ignore"):
            value = network.loss_gradient(
                theta, grads, X, problem.target, weight, l2, workspace
            )
        return value, grads

    return network, params.flat.copy(), objective
