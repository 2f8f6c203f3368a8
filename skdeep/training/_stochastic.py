"""Epochs of minibatch steps over the records of :mod:`._records`.

The loop knows nothing of estimators: it reports each epoch to an
``observer`` (scikit-learn's callbacks, on the estimator's side) and raises
:class:`~skdeep.exceptions.TrainingDivergedError` when training stops being
finite or runs away.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..exceptions import TrainingDivergedError
from ..optim import decay_weights
from ._batches import Batcher
from ._inference import predict_raw
from ._records import (
    Checkpoint,
    Observer,
    Outcome,
    Problem,
    Progress,
    Settings,
    SilentObserver,
    TrainState,
)
from ._rules import StepRules

__all__ = [
    "RUNAWAY_FACTOR",
    "fit_stochastic",
    "record_validation",
    "run_epoch",
    "starting_loss",
]

# An epoch whose loss is this many times the starting loss has run away, even
# if it is still finite. Measured on iris, digits and diabetes (3 solvers x 3
# activations x 6 learning rates x 2 batch sizes): runs at sane settings peak
# within 10 times their start; every run past this margin used a learning
# rate 1,000 times the default or more.
RUNAWAY_FACTOR = 1e4
# Rows the starting loss is measured on.
REFERENCE_ROWS = 1000


def fit_stochastic(
    problem: Problem,
    state: TrainState,
    progress: Progress,
    settings: Settings,
    observer: Observer | None = None,
) -> Outcome:
    """Train by epochs of minibatch updates, in place.

    Each epoch shuffles the training rows (``settings.shuffle``), makes one
    update per batch (learning rate, weight decay and dropout rate set by
    :class:`StepRules` before each), records the epoch's loss and, with
    validation data, its score; it stops after ``max_iter`` epochs, when the
    loss (or the validation score, with early stopping) stops improving, or
    when the observer asks.

    Parameters
    ----------
    problem : Problem
        What is minimised.
    state : TrainState
        Where training starts (its solver state started by
        :func:`start_solver`); updated in place.
    progress : Progress
        The bookkeeping, updated in place.
    settings : Settings
        How to run; needs an ``optimizer``, a ``schedule`` and an ``rng``.
    observer : Observer or None, default=None
        Told of each epoch; None ignores them.

    Returns
    -------
    outcome : Outcome
        A convergence message if the budget ran out, and whether Ctrl-C
        ended training (the state is then that of the last whole epoch).

    Raises
    ------
    TrainingDivergedError
        If the loss, a gradient or a weight stops being finite, or an
        epoch's loss runs away from where training started.

    Examples
    --------
    See :mod:`skdeep.training`.
    """
    observer = SilentObserver() if observer is None else observer
    network = problem.network
    n_train = problem.n_train
    batch_size = _batch_size(settings.batch_size, n_train)
    dtype = state.params.flat.dtype
    workspace = network.workspace(batch_size, dtype)
    grads = network.unpack(np.empty(network.n_params, dtype=dtype))
    batcher = Batcher(
        problem.X, problem.target, problem.sample_weight, batch_size, dtype
    )
    rows = problem.train_rows
    sample_idx = np.arange(problem.X.shape[0]) if rows is None else rows
    ordered = rows is None and not settings.shuffle
    early_stopping = settings.early_stopping
    if early_stopping:
        best_params, best_stats = state.params.flat.copy(), state.stats.flat.copy()

    progress.n_iter = 0
    message, interrupted = None, False
    n_batches = -(-n_train // batch_size)
    # The step-by-step schedules run over this call's budget of max_iter
    # epochs (a warm-started fit starts them again); partial_fit's calls
    # share one budget, counted from the first update.
    origin = 0 if settings.incremental else state.step
    rules = StepRules(network, settings, dtype, settings.max_iter * n_batches, origin)
    reference = starting_loss(problem, state, 1.0 / batch_size)
    checkpoint = Checkpoint(state, progress)
    try:
        for _ in range(settings.max_iter):
            if settings.shuffle:
                # Permuting the previous order, from the same RandomState,
                # reproduces MLPClassifier's batches for a given random_state.
                permutation = np.arange(n_train)
                settings.rng.shuffle(permutation)
                sample_idx = sample_idx[permutation]
            task = observer.begin("epoch")
            batches = batcher.batches(None if ordered else sample_idx)
            total = run_epoch(
                problem, state, grads, workspace, settings, batches, rules
            )
            _check_finite(state)
            if total / n_train > RUNAWAY_FACTOR * reference:
                raise TrainingDivergedError(
                    f"the training loss grew from {reference:.3g} to "
                    f"{total / n_train:.3g} in epoch {progress.n_iter + 1}, more "
                    f"than {RUNAWAY_FACTOR:,.0f} times where it started"
                )
            progress.n_iter += 1
            progress.t += n_train
            progress.loss = total / n_train
            progress.loss_curve.append(progress.loss)
            if settings.verbose:
                print(f"Iteration {progress.n_iter}, loss = {progress.loss:.8f}")
            if problem.validation is not None:
                is_best = record_validation(problem, state, progress, settings)
                if early_stopping and is_best:
                    np.copyto(best_params, state.params.flat)
                    np.copyto(best_stats, state.stats.flat)
            if not early_stopping:
                _record_loss(progress, settings.tol)
            settings.schedule.on_epoch_end(state.schedule, progress.t)
            checkpoint.save(state, progress)
            if observer.end(task, lambda: (state.params, state.stats)):
                break  # a callback asked to stop: not a convergence failure
            if rules.warming_up(state.step):
                # No plateau during the warm-up: the rate is still rising.
                progress.no_improvement_count = 0
            if progress.no_improvement_count > settings.n_iter_no_change:
                if _on_plateau(state, progress, settings):
                    break
            if settings.incremental:
                break
            if progress.n_iter == settings.max_iter:
                message = (
                    f"Stochastic Optimizer: Maximum iterations ({settings.max_iter}) "
                    "reached and the optimization hasn't converged yet."
                )
    except KeyboardInterrupt:
        # Back to the end of the last completed epoch, weights, optimizer
        # state and bookkeeping alike.
        checkpoint.restore(state, progress)
        interrupted = True
    if early_stopping:
        np.copyto(state.params.flat, best_params)
        np.copyto(state.stats.flat, best_stats)
    return Outcome(message, interrupted)


def run_epoch(problem, state, grads, workspace, settings, batches, rules) -> float:
    """One pass over the batches; return the loss summed over samples."""
    network, alpha = problem.network, problem.alpha
    optimizer = settings.optimizer
    total = 0.0
    for X_batch, t_batch, weight, l2_scale in batches:
        if l2_scale == 0:
            continue  # every sample weight in the batch is zero
        decay = rules.before_step(state)
        loss = network.loss_gradient(
            state.params,
            grads,
            X_batch,
            t_batch,
            weight,
            alpha * l2_scale,
            workspace,
            dropout_step=state.step,
        )
        if not math.isfinite(loss):
            raise TrainingDivergedError(f"the training loss became {loss}")
        total += loss * X_batch.shape[0]
        if network.has_state:
            network.update_stats(workspace, state.stats)
        rate = rules.rate(state.schedule.learning_rate)
        if decay:
            # Before the update: AdamW shrinks the weights the gradient was
            # taken at, w - lr (g + wd w), not the updated ones.
            decay_weights(
                state.params.flat, rules.decay_rate(rate), decay, rules.decay_pieces
            )
        optimizer.update(state.params.flat, grads.flat, state.optimizer, rate)
        state.step += 1
    return total


def starting_loss(problem: Problem, state: TrainState, l2_scale: float) -> float:
    """Measure the loss at the start: what a runaway is compared with.

    The larger of the loss at the starting weights and the loss of an
    all-zero output (a floor on the target's own scale, for a warm start
    from a near-perfect fit), on up to ``REFERENCE_ROWS`` training rows in
    inference mode, plus the L2 penalty as a batch of ``1 / l2_scale`` rows
    sees it.
    """
    network = problem.network
    n = min(problem.n_train, REFERENCE_ROWS)
    rows = np.arange(n) if problem.train_rows is None else problem.train_rows[:n]
    target = problem.target[rows]
    weight = np.full(n, 1.0 / n)
    if problem.sample_weight is not None and problem.sample_weight[rows].sum() > 0:
        weight = problem.sample_weight[rows] / problem.sample_weight[rows].sum()
    raw = predict_raw(network, state.params, problem.X[rows], state.stats)
    at_start = network.loss.loss_gradient(raw, target, weight)
    at_zero = network.loss.loss_gradient(np.zeros_like(raw), target, weight)
    penalty = network.l2_penalty(state.params, problem.alpha * l2_scale)
    return max(at_start, at_zero) + penalty


def _batch_size(batch_size, n_train: int) -> int:
    if batch_size == "auto":
        return min(200, n_train)
    if batch_size > n_train:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is "
            "going to be clipped",
            stacklevel=5,
        )
    return int(np.clip(batch_size, 1, n_train))


def _check_finite(state: TrainState) -> None:
    """Raise if the weights or the optimizer's state overflowed."""
    if not np.isfinite(state.params.flat).all():
        raise TrainingDivergedError("the network's weights are no longer finite")
    for value in vars(state.optimizer).values():
        if isinstance(value, np.ndarray) and not np.isfinite(value).all():
            raise TrainingDivergedError(
                "the gradients overflowed (the optimizer's running averages are "
                "no longer finite)"
            )


def record_validation(problem, state, progress, settings) -> bool:
    """Append the validation score; return whether it is the best so far."""
    validation = problem.validation
    raw = predict_raw(problem.network, state.params, validation.X, state.stats)
    score = np.nan
    if np.isfinite(raw).all():
        score = validation.score(raw, validation.y, validation.sample_weight)
    progress.validation_scores.append(score)
    if settings.verbose:
        print(f"Validation score: {score:f}")
    if not settings.early_stopping:
        return False
    if score < progress.best_validation_score + settings.tol:
        progress.no_improvement_count += 1
    else:
        progress.no_improvement_count = 0
    if score > progress.best_validation_score:
        progress.best_validation_score = score
        return True
    return False


def _record_loss(progress: Progress, tol: float) -> None:
    if progress.best_loss is None:  # the previous fit used early stopping
        progress.best_loss = np.inf
    if progress.loss_curve[-1] > progress.best_loss - tol:
        progress.no_improvement_count += 1
    else:
        progress.no_improvement_count = 0
    progress.best_loss = min(progress.best_loss, progress.loss_curve[-1])


def _on_plateau(state, progress, settings) -> bool:
    """``n_iter_no_change`` epochs without progress: stop, or lower the rate."""
    what = "Validation score" if settings.early_stopping else "Training loss"
    msg = (
        f"{what} did not improve more than tol={settings.tol:f} for "
        f"{settings.n_iter_no_change} consecutive epochs."
    )
    if settings.schedule.on_plateau(state.schedule):
        if settings.verbose:
            print(msg + " Stopping.")
        return True
    if settings.verbose:
        print(msg + f" Setting learning rate to {state.schedule.learning_rate:f}")
    progress.no_improvement_count = 0
    return False
