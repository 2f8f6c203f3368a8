"""The solver loops, as functions over the records of :mod:`._records`.

``fit_stochastic`` runs epochs of minibatch steps, ``fit_lbfgs`` hands the
full-batch objective to SciPy. The loops know nothing of estimators: they
report each epoch (or L-BFGS iteration) to an ``observer`` (scikit-learn's
callbacks, on the estimator's side), and raise ``Diverged`` when training
stops being finite. Prediction's chunked forward pass is here too, beside
the L-BFGS objective's, which chunks the same way.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np

from ..nn import DECAYED_ROLES, Network, Params
from ..optim import SHAPES, decay_weights
from ._batches import Batcher
from ._records import (
    Checkpoint,
    Diverged,
    Observer,
    Outcome,
    Problem,
    Progress,
    Settings,
    TrainState,
)

__all__ = [
    "LBFGS_BUFFER_BYTES",
    "PREDICT_BUFFER_BYTES",
    "RUNAWAY_FACTOR",
    "StepRules",
    "chunk_rows",
    "fit_lbfgs",
    "fit_stochastic",
    "predict_raw",
    "starting_loss",
]

# Rows per chunk are chosen so that one activation buffer stays near these sizes.
PREDICT_BUFFER_BYTES = 2**21
LBFGS_BUFFER_BYTES = 2**25
# An epoch whose loss is this many times the starting loss has run away, even
# if it is still finite. Measured on iris, digits and diabetes (3 solvers x 3
# activations x 6 learning rates x 2 batch sizes): runs at sane settings peak
# within 10 times their start; every run past this margin used a learning
# rate 1,000 times the default or more.
RUNAWAY_FACTOR = 1e4
# Rows the starting loss is measured on.
REFERENCE_ROWS = 1000


def chunk_rows(network: Network, itemsize: int, budget: int) -> int:
    """Rows per chunk so that the widest layer's buffer is about ``budget`` bytes."""
    return max(64, budget // (max(network.layer_units[1:]) * itemsize))


def predict_raw(network: Network, params: Params, X, stats=None) -> np.ndarray:
    """Raw scores of ``X`` in chunks of bounded memory (inference mode)."""
    rows = chunk_rows(network, params.coefs[0].dtype.itemsize, PREDICT_BUFFER_BYTES)
    return network.predict_raw(params, X, chunk_rows=rows, stats=stats)


# -- stochastic solvers --------------------------------------------------------
def fit_stochastic(
    problem: Problem,
    state: TrainState,
    progress: Progress,
    settings: Settings,
    observer: Observer,
) -> Outcome:
    """Epochs of minibatch updates; see :mod:`._records` for the records."""
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
                raise Diverged(
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
                is_best = _record_validation(problem, state, progress, settings)
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


class StepRules:
    """What may change at every step: learning rate, weight decay, dropout.

    Built once per call from the settings and the network. Per-group
    learning-rate factors become one vector over the flat parameter vector
    (a group is a slice), multiplied by the scheduled rate into a kept
    buffer; weight decay shrinks the slices of the decayed roles.
    """

    def __init__(self, network, settings, dtype, total_steps: int, origin: int):
        self.schedule = settings.schedule
        self.total_steps = max(int(total_steps), 1)
        self.origin = origin
        self.network = network
        self.weight_decay = float(settings.weight_decay)
        self.decay_shape = SHAPES[settings.weight_decay_schedule]
        self.decay_pieces = [
            piece for role in DECAYED_ROLES for piece in network.param_slices(role)
        ]
        self.dropout_shape = None
        if network.uses_dropout and settings.dropout_schedule != "constant":
            self.dropout_shape = SHAPES[settings.dropout_schedule]
        self.factors = self.rates = self.decay_factors = self.decay_rates = None
        factors = settings.learning_rate_factors or {}
        if settings.step_factors is not None:
            self.factors, self.decay_factors = settings.step_factors(network)
        elif any(f != 1 for f in factors.values()):
            self.factors = np.ones(network.n_params)
            for role, factor in factors.items():
                for piece in network.param_slices(role):
                    self.factors[piece] = factor
        if self.factors is not None:
            self.factors = self.factors.astype(dtype)
            self.rates = np.empty_like(self.factors)
        if self.decay_factors is not None:
            self.decay_factors = self.decay_factors.astype(dtype)
            self.decay_rates = np.empty_like(self.decay_factors)
        self.per_step = (
            self.schedule.per_step
            or self.dropout_shape is not None
            or (self.weight_decay > 0 and settings.weight_decay_schedule != "constant")
        )

    def progress(self, step: int) -> float:
        """Return the share of the budget done before this step, in [0, 1]."""
        return min(max(step - self.origin, 0) / self.total_steps, 1.0)

    def warming_up(self, step: int) -> bool:
        """Tell whether ``step`` is within the learning rate's warm-up."""
        return self.progress(step) < self.schedule.warmup

    def before_step(self, state) -> float:
        """Set this step's rate and dropout; return its weight decay."""
        decay = self.weight_decay
        if self.per_step:
            if self.schedule.per_step:
                self.schedule.on_step(
                    state.schedule, state.step - self.origin, self.total_steps
                )
            p = self.progress(state.step)
            if self.dropout_shape is not None:
                self.network.scale_dropout(self.dropout_shape(p))
            if decay:
                decay *= self.decay_shape(p)
        return decay

    def rate(self, learning_rate: float):
        """Return the step size: a float, or one per parameter with group factors."""
        if self.factors is None:
            return learning_rate
        return np.multiply(self.factors, learning_rate, out=self.rates)

    def decay_rate(self, rate):
        """Return the rate weight decay shrinks by (the step's, or rescaled)."""
        if self.decay_factors is None:
            return rate
        return np.multiply(self.decay_factors, rate, out=self.decay_rates)


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
            raise Diverged(f"the training loss became {loss}")
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
    """Raise Diverged if the weights or the optimizer's state overflowed."""
    if not np.isfinite(state.params.flat).all():
        raise Diverged("the network's weights are no longer finite")
    for value in vars(state.optimizer).values():
        if isinstance(value, np.ndarray) and not np.isfinite(value).all():
            raise Diverged(
                "the gradients overflowed (the optimizer's running averages are "
                "no longer finite)"
            )


def _record_validation(problem, state, progress, settings) -> bool:
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


# -- L-BFGS --------------------------------------------------------------------
def fit_lbfgs(
    problem: Problem,
    state: TrainState,
    progress: Progress,
    settings: Settings,
    observer: Observer,
) -> Outcome:
    """Full-batch L-BFGS on the flat parameter vector (through SciPy)."""
    network, X, target = problem.network, problem.X, problem.target
    n_samples, dtype = X.shape[0], state.params.flat.dtype
    weight, total_weight = problem.objective_weights(dtype)
    l2 = problem.alpha / total_weight
    rows = chunk_rows(network, dtype.itemsize, LBFGS_BUFFER_BYTES)
    if network.has_state:
        rows = n_samples  # batch statistics are those of all the data
    workspace = network.workspace(min(n_samples, rows), dtype)

    def objective(x):
        # Views of SciPy's iterate, no copy (float32 needs one cast).
        theta = network.unpack(x if dtype == np.float64 else x.astype(dtype))
        grads = network.unpack(np.empty(network.n_params, dtype=dtype))
        loss = network.loss_gradient_chunked(
            theta, grads, X, target, weight, l2, workspace
        )
        return loss, grads.flat.astype(np.float64, copy=False)

    def full_batch_stats(theta):
        if network.has_state:
            network.forward(theta, X, workspace, training=True, weight=weight)
            network.update_stats(workspace, state.stats, replace=True)

    def report(iteration, loss, x):
        if settings.verbose:
            print(f"Iteration {iteration}, loss = {loss:.8f}")
        theta = network.unpack(x.astype(dtype))
        if problem.validation is not None:
            full_batch_stats(theta)
            _record_validation(problem, state_at(theta), progress, settings)

        def snapshot():  # only if a callback asks for a fitted estimator
            full_batch_stats(theta)
            return theta, state.stats

        return observer.end(observer.begin("iteration"), snapshot)

    def state_at(theta):
        return replace(state, params=theta)

    result = settings.lbfgs.minimize(objective, state.params.flat, callback=report)
    if not math.isfinite(result.fun):
        raise Diverged(f"the training loss became {result.fun}")
    message = None
    if not (result.converged or result.interrupted or result.stopped):
        message = (
            f"lbfgs failed to converge after {result.n_iter} iteration(s): "
            f"{result.message}. Increase max_iter (or max_fun), or scale the "
            "data as shown in https://scikit-learn.org/stable/modules/"
            "preprocessing.html"
        )
    progress.n_iter = result.n_iter
    progress.loss = result.fun
    progress.loss_curve.extend(result.losses)
    state.params.flat[...] = result.x
    full_batch_stats(state.params)
    return Outcome(message, result.interrupted)
