"""The fit engine: solver loops over plain records, without scikit-learn.

An estimator validates its input and builds four records; the loops here
train on them and report to an observer:

- :class:`Problem`: what is minimised (the network, the data, the weights,
  the L2 strength, the validation data and how it is scored);
- :class:`TrainState`: where the solver is (parameters, batch-norm
  statistics, the update rule's state, the learning rate, the step);
- :class:`Progress`: the bookkeeping an estimator publishes
  (``n_iter_``, ``loss_curve_``, ...);
- :class:`Settings`: how to run (budget, tolerance, batch size, update rule,
  schedules).

:func:`fit_stochastic` runs epochs of minibatch steps, :func:`fit_lbfgs`
hands the full-batch objective to SciPy, :func:`fit_pack` trains a pack of
networks as one (:class:`Members` say what differs between them, each stops
on its own held-out loss); :class:`StepRules` applies what
changes step by step (learning rate, weight decay, dropout rate), and
:func:`start_solver` / :func:`store_solver` carry the update rule's state
from one call to the next. Training that stops being finite raises
:class:`~skdeep.exceptions.TrainingDivergedError`.

This package imports :mod:`skdeep.nn`, :mod:`skdeep.optim` and
:mod:`skdeep.exceptions` only; a test enforces that it never imports
scikit-learn or the estimators.

Examples
--------
A network trained without an estimator (the loop an estimator's ``fit``
runs):

>>> import numpy as np
>>> from skdeep.nn import Network
>>> from skdeep.optim import Adam, LearningRateSchedule
>>> from skdeep.training import (
...     Problem, Progress, Settings, TrainState, fit_stochastic, predict_raw,
...     start_solver)
>>> rng = np.random.RandomState(0)
>>> X = rng.normal(size=(200, 3))
>>> y = (X[:, 0] > 0).astype(float).reshape(-1, 1)
>>> net = Network([3, 8, 1], activation="tanh", loss="binary_log_loss")
>>> state = TrainState(net.init_params(rng, np.float64), net.init_stats(np.float64))
>>> settings = Settings(max_iter=20, tol=0.0, n_iter_no_change=np.inf,
...                     optimizer=Adam(), schedule=LearningRateSchedule(
...                         "constant", 0.01), rng=rng, batch_size=50)
>>> start_solver(state, settings.optimizer, settings.schedule,
...              {"solver": "adam", "schedule": {}})
>>> progress = Progress(best_loss=np.inf)
>>> outcome = fit_stochastic(Problem(net, X, y, None, 0.0), state, progress,
...                          settings, observer=None)
>>> progress.n_iter, progress.loss < progress.loss_curve[0]
(20, True)
>>> accuracy = ((predict_raw(net, state.params, X) > 0) == (y > 0)).mean()
>>> bool(accuracy > 0.9)
True
"""

from ._inference import predict_raw
from ._lbfgs import fit_lbfgs
from ._members import Members, PackProgress
from ._pack import fit_pack
from ._records import (
    Observer,
    Outcome,
    Problem,
    Progress,
    Settings,
    SilentObserver,
    TrainState,
    Validation,
)
from ._rules import StepRules, ntk_step_factors
from ._solver import start_solver, store_solver
from ._stochastic import fit_stochastic

__all__ = [
    "Members",
    "Observer",
    "Outcome",
    "PackProgress",
    "Problem",
    "Progress",
    "Settings",
    "SilentObserver",
    "StepRules",
    "TrainState",
    "Validation",
    "fit_lbfgs",
    "fit_pack",
    "fit_stochastic",
    "ntk_step_factors",
    "predict_raw",
    "start_solver",
    "store_solver",
]
