"""Full-batch L-BFGS on the flat parameter vector, through SciPy."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..exceptions import TrainingDivergedError
from ._inference import chunk_rows
from ._records import (
    Observer,
    Outcome,
    Problem,
    Progress,
    Settings,
    SilentObserver,
    TrainState,
)
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
    observer: Observer | None = None,
) -> Outcome:
    """Train by full-batch L-BFGS on the flat parameter vector (SciPy's).

    Parameters
    ----------
    problem : Problem
        What is minimised (the objective over all rows, in chunks).
    state : TrainState
        Where training starts; updated in place.
    progress : Progress
        The bookkeeping, updated in place.
    settings : Settings
        How to run; needs ``lbfgs``.
    observer : Observer or None, default=None
        Told of each iteration; None ignores them.

    Returns
    -------
    outcome : Outcome
        A convergence message if L-BFGS did not converge, and whether Ctrl-C
        ended it.

    Raises
    ------
    TrainingDivergedError
        If the objective stops being finite.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> from skdeep.optim import LBFGS
    >>> from skdeep.training import (
    ...     Problem, Progress, Settings, TrainState, fit_lbfgs)
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 2))
    >>> y = X @ np.array([[1.0], [-2.0]])
    >>> net = Network([2, 1], loss="squared_error")
    >>> state = TrainState(net.init_params(rng, np.float64),
    ...                    net.init_stats(np.float64))
    >>> settings = Settings(max_iter=50, tol=1e-10, n_iter_no_change=10,
    ...                     lbfgs=LBFGS(50, 1000, 1e-10))
    >>> outcome = fit_lbfgs(Problem(net, X, y, None, 0.0), state, Progress(),
    ...                     settings)
    >>> np.round(state.params.coefs[0].ravel(), 4)
    array([ 1., -2.])
    """
    observer = SilentObserver() if observer is None else observer
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
