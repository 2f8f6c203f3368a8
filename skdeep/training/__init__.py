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
hands the full-batch objective to SciPy; :class:`StepRules` applies what
changes step by step (learning rate, weight decay, dropout rate), and
:func:`start_solver` / :func:`store_solver` carry the update rule's state
from one call to the next. Training that stops being finite raises
:class:`~skdeep.exceptions.TrainingDivergedError`.

This package imports :mod:`skdeep.nn`, :mod:`skdeep.optim` and
:mod:`skdeep.exceptions` only; a test enforces that it never imports
scikit-learn or the estimators.
"""

from ._batches import Batcher
from ._inference import chunk_rows, predict_raw
from ._lbfgs import fit_lbfgs
from ._records import (
    Checkpoint,
    Observer,
    Outcome,
    Problem,
    Progress,
    Settings,
    TrainState,
    Validation,
)
from ._rules import StepRules, ntk_step_factors
from ._solver import start_solver, store_solver
from ._stochastic import fit_stochastic, starting_loss

__all__ = [
    "Batcher",
    "Checkpoint",
    "Observer",
    "Outcome",
    "Problem",
    "Progress",
    "Settings",
    "StepRules",
    "TrainState",
    "Validation",
    "chunk_rows",
    "fit_lbfgs",
    "fit_stochastic",
    "ntk_step_factors",
    "predict_raw",
    "start_solver",
    "starting_loss",
    "store_solver",
]
