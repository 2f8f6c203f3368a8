"""Everything ``fit`` does before training, as functions of the estimator.

:func:`prepare` validates the inputs, encodes the targets (through the task
layer's hooks), weighs the samples, builds the network and starts from
fresh or fitted parameters and a fresh or carried-over solver state;
:func:`add_validation` attaches the validation data (given, or an
early-stopping split), :func:`start_progress` the bookkeeping,
:func:`make_settings` resolves the hyperparameters, and a
:class:`CallbackObserver` reports epochs to scikit-learn's callbacks. The
loops of :mod:`skdeep.training` take those records; the estimator
publishes what they leave.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from ..nn import LOSSES, Network
from ..optim import LBFGS
from ..training import (
    Problem,
    Progress,
    Settings,
    TrainState,
    Validation,
    start_solver,
)
from ..utils._sklearn import _check_sample_weight
from ._params import (
    STOCHASTIC_SOLVERS,
    Architecture,
    input_layers,
    validate_architecture,
)
from ._scoring import check_scoring_parameter, validation_score

__all__ = [
    "PROGRESS_ATTRIBUTES",
    "CallbackObserver",
    "Prepared",
    "Targets",
    "add_validation",
    "gradient_objective",
    "make_settings",
    "prepare",
    "start_progress",
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
    """What :func:`prepare` returns: the problem, and what fit needs beside it."""

    problem: Problem
    state: TrainState
    spec: dict  # the targets' fitted attributes (classes_, n_outputs_, ...)
    targets: Targets
    first_pass: bool
    rng: np.random.RandomState
    arch: Architecture


def prepare(
    estimator, X, y, sample_weight, *, classes=None, incremental=False, dtype=None
) -> Prepared:
    """Validate everything and build the problem and the starting state.

    Nothing on the estimator changes but what ``validate_data`` records
    (``n_features_in_``, ``feature_names_in_``) on a first pass.
    """
    arch = validate_architecture(estimator)
    check_scoring_parameter(estimator)
    fitted = hasattr(estimator, "n_layers_")
    first_pass = not fitted or (not estimator.warm_start and not incremental)
    X, y = estimator._validate_xy(X, y, reset=first_pass)
    spec = (
        estimator._target_spec(y, classes) if first_pass else estimator._current_spec()
    )
    if fitted and not first_pass and not incremental:
        estimator._check_warm_start(y, spec)
    targets = estimator._encode_targets(y, spec)
    if dtype is None and first_pass:
        dtype = X.dtype
    elif dtype is None:
        dtype = estimator._fitted_groups()[0]["coefs"][0].dtype
    X = X.astype(dtype, copy=False)
    if targets.values.dtype != np.intp:
        targets.values = targets.values.astype(dtype, copy=False)
    sample_weight = estimator._sample_weight(X, targets, sample_weight, spec)

    network = _build_network(estimator, arch, X.shape[1], spec)
    rng = check_random_state(estimator.random_state)
    if first_pass:
        params = network.init_params(rng, dtype, arch.init)
        stats = network.init_stats(dtype)
    else:
        params, stats = _fitted_state(estimator, network, dtype)
    if network.uses_dropout:
        # Drawn after the initial weights, and only with dropout, so that a
        # random_state gives the same initial network with or without it
        # (and MLPClassifier's, for the same parameters).
        network.set_dropout_seed(int(rng.randint(np.iinfo(np.int32).max)))
    state = TrainState(params, stats)
    if estimator.solver in STOCHASTIC_SOLVERS:
        start_solver(
            state,
            estimator._make_optimizer(),
            estimator._make_schedule(),
            estimator._solver_key(),
            None if first_pass else getattr(estimator, "_solver_state", None),
        )
    problem = Problem(network, X, targets.values, sample_weight, estimator.alpha)
    return Prepared(problem, state, spec, targets, first_pass, rng, arch)


def _lbfgs(estimator) -> LBFGS:
    options = estimator._lbfgs_options
    return LBFGS(estimator.max_iter, estimator.max_fun, estimator.tol, **options)


def _build_network(estimator, arch, n_features, spec) -> Network:
    units = [n_features, *arch.hidden_layer_sizes, spec["n_outputs_"]]
    loss = LOSSES[estimator._loss_name(spec)](**estimator._loss_options())
    return Network(
        units,
        arch.activation,
        loss,
        arch.fit_intercept,
        dropout=arch.dropout,
        batch_norm=arch.batch_norm,
        input_layers=input_layers(n_features, arch.front_scale, arch.embedding),
    )


def _fitted_state(estimator, network, dtype):
    """Copy the fitted parameters and statistics, for a warm start."""
    groups, state = estimator._fitted_groups()
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


# -- validation data -----------------------------------------------------------
def add_validation(estimator, prepared, validation, early_stopping) -> None:
    """Attach ``X_val``/``y_val``, or hold out rows for early stopping."""
    problem = prepared.problem
    loss = problem.network.loss
    if validation is not None:
        problem.validation = _validation_set(
            estimator, validation, prepared.spec, problem.X.dtype, loss
        )
    elif early_stopping:
        train_idx, val_idx = _validation_split(estimator, prepared)
        targets = prepared.targets
        sw = problem.sample_weight
        problem.train_rows = train_idx
        problem.validation = Validation(
            problem.X[val_idx],
            targets.y[val_idx],
            None if sw is None else sw[val_idx],
            validation_score(estimator, loss, targets.values[val_idx]),
        )


def _validation_set(estimator, validation, spec, dtype, loss) -> Validation:
    """Validate (X_val, y_val, sample_weight_val) like the training data."""
    X_val, y_val, sw_val = validation
    X_val, y_val = estimator._validate_xy(X_val, y_val, reset=False)
    targets = estimator._encode_targets(y_val, spec)
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
        validation_score(estimator, loss, target),
    )


def _validation_split(estimator, prepared):
    """Hold out ``validation_fraction`` of the samples for early stopping.

    The task layer may stratify the split; the validation set has at least
    two samples, so small data sets still get a usable split.
    """
    n_samples = prepared.problem.X.shape[0]
    if estimator.validation_fraction == 0:
        raise ValueError(
            "early_stopping=True needs a validation set: set "
            "validation_fraction > 0, or pass X_val and y_val to fit."
        )
    n_val = max(int(np.ceil(estimator.validation_fraction * n_samples)), 2)
    stratify, n_val = estimator._stratification(prepared.targets, n_samples, n_val)
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


def start_progress(estimator, first_pass, problem, early_stopping) -> Progress:
    """Fresh bookkeeping, or the fitted one continued (warm start)."""
    stochastic = estimator.solver in STOCHASTIC_SOLVERS
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
                name: getattr(estimator, attribute)
                for name, attribute in PROGRESS_ATTRIBUTES.items()
                if hasattr(estimator, attribute)
            }
        ).copy()
    if problem.validation is not None and progress.validation_scores is None:
        progress.validation_scores = []
    if early_stopping and progress.best_validation_score is None:
        progress.best_validation_score = -np.inf
    return progress


def make_settings(estimator, incremental, early_stopping, rng) -> Settings:
    """Resolve the estimator's hyperparameters into the loops' Settings."""
    stochastic = estimator.solver in STOCHASTIC_SOLVERS
    return Settings(
        max_iter=estimator.max_iter,
        tol=estimator.tol,
        n_iter_no_change=estimator.n_iter_no_change,
        verbose=bool(estimator.verbose),
        early_stopping=early_stopping,
        incremental=incremental,
        shuffle=estimator.shuffle,
        batch_size=estimator.batch_size,
        optimizer=estimator._make_optimizer() if stochastic else None,
        schedule=estimator._make_schedule() if stochastic else None,
        lbfgs=None if stochastic else _lbfgs(estimator),
        rng=rng,
        weight_decay=estimator.weight_decay,
        weight_decay_schedule=estimator.weight_decay_schedule,
        dropout_schedule=getattr(estimator, "dropout_schedule", "constant"),
        learning_rate_factors=estimator.learning_rate_factors,
        step_factors=estimator._step_factors(),
    )


class CallbackObserver:
    """The training loops' observer that reports fit and its subtasks to callbacks.

    Follows :class:`skdeep.training.Observer`: fit is a task, each epoch (or
    L-BFGS iteration) a subtask; a callback that returns True stops training.
    """

    def __init__(self, estimator, data, network, max_subtasks):
        self.estimator, self.data, self.network = estimator, data, network
        self.context = estimator._init_callback_context(max_subtasks=max_subtasks)
        self.context.call_on_fit_task_begin(estimator=estimator, **data)

    def begin(self, task_name):
        task = self.context.subcontext(task_name=task_name)
        task.call_on_fit_task_begin(estimator=self.estimator, **self.data)
        return task

    def end(self, task, snapshot) -> bool:
        estimator, network = self.estimator, self.network
        return task.call_on_fit_task_end(
            estimator=estimator,
            reconstruction_attributes=lambda: estimator._snapshot_attributes(
                network, *snapshot()
            ),
            **self.data,
        )

    def finish(self) -> None:
        self.context.call_on_fit_task_end(
            estimator=self.estimator, reconstruction_attributes={}, **self.data
        )


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
    prepared = prepare(estimator, X, y, sample_weight, incremental=True, dtype=dtype)
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
