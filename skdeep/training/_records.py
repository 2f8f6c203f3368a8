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
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from ..nn import BatchNormStats, Network, Params
from ..optim import LBFGS, LearningRateSchedule, Optimizer, ScheduleState, copy_state

__all__ = [
    "Checkpoint",
    "Observer",
    "SilentObserver",
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

    Attributes
    ----------
    X : {ndarray, sparse matrix} of shape (n_val, n_features)
        Held-out rows, in the training dtype.
    y : ndarray
        Their targets, as the task gave them.
    sample_weight : ndarray of shape (n_val,) or None
        Their weights.
    score : callable
        ``score(raw, y, sample_weight) -> float``: the task's score of the
        raw scores (accuracy, R^2, a negated loss), higher being better.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.training import Validation
    >>> X, y = np.zeros((2, 3)), np.array([0, 1])
    >>> accuracy = lambda raw, y, sw: float(((raw[:, 0] > 0) == y).mean())
    >>> Validation(X, y, None, accuracy).score(np.array([[-1.0], [2.0]]), y, None)
    1.0
    """

    X: Any
    y: np.ndarray
    sample_weight: np.ndarray | None
    score: Callable[[np.ndarray, np.ndarray, np.ndarray | None], float]


@dataclass
class Problem:
    """What is minimised: the network, the data and the objective's weights.

    Attributes
    ----------
    network : Network
        The network and its loss.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training rows, in the parameters' dtype.
    target : ndarray
        Targets in the loss's format (see :mod:`skdeep.nn.losses`).
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; None weighs every row 1.
    alpha : float
        L2 strength, divided by the batch's total weight at each step.
    train_rows : ndarray of int or None, default=None
        The rows trained on (None: all; the others are then the held-out
        rows of an early-stopping split).
    validation : Validation or None, default=None
        Scored after every epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> from skdeep.training import Problem
    >>> problem = Problem(Network([2, 1], loss="squared_error"), np.zeros((4, 2)),
    ...                   np.zeros((4, 1)), None, 0.0, train_rows=np.arange(3))
    >>> problem.n_train
    3
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
    """Where the solver is; a checkpoint copies it whole.

    Attributes
    ----------
    params : Params
        The flat parameter vector and its views.
    stats : BatchNormStats
        Untrained state (batch norm's running statistics).
    optimizer : object, default=None
        The update rule's state (stochastic solvers).
    schedule : ScheduleState or None, default=None
        The current learning rate.
    step : int, default=0
        Updates made so far; keys the dropout masks.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> from skdeep.training import TrainState
    >>> net = Network([2, 1])
    >>> state = TrainState(net.init_params(np.random.RandomState(0), float),
    ...                    net.init_stats(float))
    >>> state.params.flat.size, state.step
    (3, 0)
    """

    params: Params
    stats: BatchNormStats
    optimizer: Any = None  # the update rule's state (stochastic solvers)
    schedule: ScheduleState | None = None
    step: int = 0  # updates so far; keys the dropout masks


@dataclass
class Progress:
    """The bookkeeping of training, published as the estimator's attributes.

    Attributes
    ----------
    n_iter : int
        Epochs (or L-BFGS iterations) of the current call.
    t : int
        Training rows seen by the stochastic solvers, over all calls.
    loss, best_loss : float or None
        The last epoch's training objective, and the least seen.
    loss_curve : list of float
        The training objective after each epoch.
    validation_scores : list of float or None
        The validation score after each epoch, with validation data.
    best_validation_score : float or None
        The best of them, with early stopping.
    no_improvement_count : int
        Epochs since the last improvement by more than ``tol``.

    Examples
    --------
    >>> from skdeep.training import Progress
    >>> progress = Progress(loss_curve=[0.7, 0.5])
    >>> copy = progress.copy()
    >>> copy.loss_curve.append(0.4)
    >>> progress.loss_curve
    [0.7, 0.5]
    """

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
    """How a solver runs: the estimator's hyperparameters, resolved.

    Attributes
    ----------
    max_iter : int
        Epochs (or L-BFGS iterations) of a call.
    tol : float
        Improvement below which an epoch counts as none.
    n_iter_no_change : float
        Epochs without improvement before stopping (or lowering the rate).
    verbose : int, default=False
        Print the loss after each epoch (:func:`fit_pack`: 1, a line at most
        every 2 seconds; 2, every epoch).
    early_stopping : bool, default=False
        Keep the weights of the best validation score.
    incremental : bool, default=False
        One pass over the data (``partial_fit``).
    shuffle : bool, default=True
        Shuffle the rows every epoch.
    batch_size : int or 'auto', default='auto'
        Rows per step; ``'auto'`` is ``min(200, n_train)``.
    optimizer : Optimizer or None, default=None
        The update rule (stochastic solvers).
    schedule : LearningRateSchedule or None, default=None
        The learning rate's schedule (stochastic solvers).
    lbfgs : LBFGS or None, default=None
        The L-BFGS solver.
    rng : numpy.random.RandomState, default=None
        Shuffles the rows.
    weight_decay : float, default=0.0
        Decoupled weight decay.
    weight_decay_schedule, dropout_schedule : str, default='constant'
        Shapes (keys of :data:`skdeep.optim.SHAPES`) those follow.
    learning_rate_factors : dict or None, default=None
        Learning-rate factor by parameter role.
    step_factors : callable or None, default=None
        ``network -> (learning-rate factors, decay factors)``, vectors over
        the flat parameters (either may be None); replaces
        ``learning_rate_factors`` when given (see :func:`ntk_step_factors`).
    patience : int or None, default=None
        A pack's members stop after this many epochs without a better
        held-out loss (:func:`fit_pack`); None trains every member for
        ``max_iter`` epochs.
    max_time : float or None, default=None
        Seconds after which :func:`fit_pack` stops every member at the end
        of the epoch.

    Examples
    --------
    >>> from skdeep.optim import SGD, LearningRateSchedule
    >>> from skdeep.training import Settings
    >>> settings = Settings(max_iter=10, tol=1e-4, n_iter_no_change=5,
    ...                     optimizer=SGD(), schedule=LearningRateSchedule(
    ...                         "constant", 0.1))
    >>> settings.batch_size, settings.shuffle
    ('auto', True)
    """

    max_iter: int
    tol: float
    n_iter_no_change: float
    verbose: int = False
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
    learning_rate_factors: dict | None = None
    step_factors: Callable | None = None
    patience: int | None = None
    max_time: float | None = None


class Outcome(NamedTuple):
    """How a solver ended: a convergence warning to give, and Ctrl-C.

    Attributes
    ----------
    message : str or None
        A convergence warning's text (the budget ran out), or None.
    interrupted : bool
        Whether Ctrl-C ended training (the last completed epoch is kept).

    Examples
    --------
    >>> from skdeep.training import Outcome
    >>> Outcome(None, interrupted=False)
    Outcome(message=None, interrupted=False)
    """

    message: str | None
    interrupted: bool


@runtime_checkable
class Observer(Protocol):
    """Where the loops report each epoch or L-BFGS iteration.

    An estimator's observer passes them on to scikit-learn's callbacks;
    :class:`SilentObserver` ignores them.

    Examples
    --------
    >>> from skdeep.training import Observer
    >>> class Printer:
    ...     def begin(self, task_name):
    ...         return task_name
    ...     def end(self, task, snapshot):
    ...         print("end of", task)
    ...         return False  # True would stop training
    >>> isinstance(Printer(), Observer)
    True
    """

    def begin(self, task_name: str) -> Any:
        """Announce a subtask; return a handle for :meth:`end`."""

    def end(self, task: Any, snapshot: Callable[[], tuple]) -> bool:
        """Close a subtask; ``snapshot()`` gives (params, stats); True stops."""


class SilentObserver:
    """The observer that ignores every report (see :class:`Observer`).

    The loops use it when they are given no observer.

    Examples
    --------
    >>> from skdeep.training import SilentObserver
    >>> observer = SilentObserver()
    >>> observer.end(observer.begin("epoch"), snapshot=None)
    False
    """

    def begin(self, task_name: str) -> None:
        """Ignore the start of a subtask."""

    def end(self, task, snapshot) -> bool:
        """Ignore the end of a subtask; never stop training."""
        return False


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
