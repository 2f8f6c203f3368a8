"""The records the solver loops work on.

Four records carry everything a loop touches, so the loops read top-down
and a checkpoint copies a state whole:

- :class:`Problem`: what is minimised. The network, the training data and
  targets, the sample weights, the L2 strength, and the validation data
  with the task's score function.
- :class:`TrainState`: where the solver is. Parameters, batch-norm
  statistics, the update rule's state, the learning rate, the step count.
- :class:`Progress`: the bookkeeping the estimator publishes (``n_iter_``,
  ``loss_curve_``, ``validation_scores_``, ...).
- :class:`Settings`: how to run (budget, tolerance, batch size, update rule).

Around them: :class:`Checkpoint` (a copy of a state and its progress, in
buffers made once), :class:`Outcome` and the :class:`Observer` protocol.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol

import numpy as np

from ..nn import BatchNormStats, Network, Params
from ..optim import LBFGS, LearningRateSchedule, Optimizer, ScheduleState, copy_state

__all__ = [
    "Checkpoint",
    "Observer",
    "Outcome",
    "Problem",
    "Progress",
    "Settings",
    "TrainState",
    "Validation",
]


@dataclass
class Validation:
    """Held-out data and how the task scores it.

    ``score(raw, y, sample_weight)`` turns raw scores into the task's score
    (accuracy, R^2), higher being better.
    """

    X: Any
    y: np.ndarray
    sample_weight: np.ndarray | None
    score: Callable[[np.ndarray, np.ndarray, np.ndarray | None], float]


@dataclass
class Problem:
    """What is minimised: the network, the data and the objective's weights.

    ``train_rows`` are the rows trained on (None: all of them; the others
    are then the validation rows of an early-stopping split).
    """

    network: Network
    X: Any
    target: np.ndarray
    sample_weight: np.ndarray | None
    alpha: float
    train_rows: np.ndarray | None = None
    validation: Validation | None = None

    @property
    def n_train(self) -> int:
        """Number of rows trained on."""
        return self.X.shape[0] if self.train_rows is None else len(self.train_rows)

    def objective_weights(self, dtype):
        """Per-sample weights of the full-batch objective, and their raw total."""
        n = self.X.shape[0]
        if self.sample_weight is None:
            return np.full(n, 1.0 / n, dtype), n
        total = float(self.sample_weight.sum())
        return (self.sample_weight / total).astype(dtype, copy=False), total


@dataclass
class TrainState:
    """Where the solver is; a checkpoint copies it whole."""

    params: Params
    stats: BatchNormStats
    optimizer: Any = None  # the update rule's state (stochastic solvers)
    schedule: ScheduleState | None = None
    step: int = 0  # updates so far; keys the dropout masks


@dataclass
class Progress:
    """The bookkeeping of training, published as the estimator's attributes."""

    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    best_loss: float | None = None
    loss_curve: list = field(default_factory=list)
    validation_scores: list | None = None
    best_validation_score: float | None = None
    no_improvement_count: int = 0

    def copy(self) -> Progress:
        """Copy, with new lists."""
        scores = self.validation_scores
        return replace(
            self,
            loss_curve=list(self.loss_curve),
            validation_scores=None if scores is None else list(scores),
        )


@dataclass(frozen=True)
class Settings:
    """How a solver runs: the estimator's hyperparameters, resolved."""

    max_iter: int
    tol: float
    n_iter_no_change: float
    verbose: bool = False
    early_stopping: bool = False  # keep the best validation weights
    incremental: bool = False  # one pass over the data (partial_fit)
    shuffle: bool = True
    batch_size: int | str = "auto"
    optimizer: Optimizer | None = None
    schedule: LearningRateSchedule | None = None
    lbfgs: LBFGS | None = None
    rng: Any = None
    weight_decay: float = 0.0
    weight_decay_schedule: str = "constant"  # a key of skdeep.optim.SHAPES
    dropout_schedule: str = "constant"
    learning_rate_factors: dict | None = None  # role -> factor
    # network -> (learning-rate factors, decay factors), vectors over the flat
    # parameters (either None); replaces learning_rate_factors when given.
    step_factors: Callable | None = None


class Outcome(NamedTuple):
    """How a solver ended: a convergence warning to give, and Ctrl-C."""

    message: str | None
    interrupted: bool


class Observer(Protocol):
    """Where the loops report each epoch or L-BFGS iteration."""

    def begin(self, task_name: str) -> Any:
        """Announce a subtask; return a handle for :meth:`end`."""

    def end(self, task: Any, snapshot: Callable[[], tuple]) -> bool:
        """Close a subtask; ``snapshot()`` gives (params, stats); True stops."""


class Checkpoint:
    """A copy of a TrainState and a Progress, in buffers made once.

    Saving copies into those buffers, so a checkpoint per epoch costs a few
    copies of the parameter vector and no allocation.
    """

    def __init__(self, state: TrainState, progress: Progress):
        self.params = state.params.flat.copy()
        self.stats = state.stats.flat.copy()
        self.optimizer = copy.deepcopy(state.optimizer)
        self.save(state, progress)

    def save(self, state: TrainState, progress: Progress) -> None:
        """Copy the state and progress into the checkpoint."""
        np.copyto(self.params, state.params.flat)
        np.copyto(self.stats, state.stats.flat)
        if state.optimizer is not None:
            copy_state(self.optimizer, state.optimizer)
        self.learning_rate = (
            None if state.schedule is None else state.schedule.learning_rate
        )
        self.step = state.step
        self.progress = progress.copy()

    def restore(self, state: TrainState, progress: Progress) -> None:
        """Put the checkpoint back into the state and progress, in place."""
        np.copyto(state.params.flat, self.params)
        np.copyto(state.stats.flat, self.stats)
        if state.optimizer is not None:
            copy_state(state.optimizer, self.optimizer)
        if state.schedule is not None:
            state.schedule.learning_rate = self.learning_rate
        state.step = self.step
        vars(progress).update(vars(self.progress.copy()))
