"""Full-batch L-BFGS on the flat parameter vector, through SciPy."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..exceptions import TrainingDivergedError
from ._inference import chunk_rows
from ._records import Observer, Outcome, Problem, Progress, Settings, TrainState
from ._stochastic import record_validation

__all__ = ["LBFGS_BUFFER_BYTES", "fit_lbfgs"]

# The objective is evaluated in chunks whose widest activation buffer stays
# near this size.
LBFGS_BUFFER_BYTES = 2**25


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
            record_validation(problem, state_at(theta), progress, settings)

        def snapshot():  # only if a callback asks for a fitted estimator
            full_batch_stats(theta)
            return theta, state.stats

        return observer.end(observer.begin("iteration"), snapshot)

    def state_at(theta):
        return replace(state, params=theta)

    result = settings.lbfgs.minimize(objective, state.params.flat, callback=report)
    if not math.isfinite(result.fun):
        raise TrainingDivergedError(f"the training loss became {result.fun}")
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
