"""The update rule's state: made fresh, carried over, stored.

What ``warm_start`` and ``partial_fit`` carry from one call to the next is
the update rule's state (momentum, Adam's moments and step count, RMSprop's
average), the schedule's current learning rate and the step count. A fitted
estimator keeps it as a plain dict (:func:`store_solver`), so that pickle
and skops need to trust nothing more; :func:`start_solver` reads it back.
"""

from __future__ import annotations

from ..optim import state_from_dict, state_to_dict
from ._records import TrainState

__all__ = ["start_solver", "store_solver"]


def start_solver(state: TrainState, optimizer, schedule, key: dict, stored=None):
    """Put a fresh or a carried-over solver state into ``state``.

    Parameters
    ----------
    state : TrainState
        Its parameters are set; its ``optimizer``, ``schedule`` and ``step``
        are written here.
    optimizer : Optimizer
        The update rule, made from the current hyperparameters (a new
        momentum or ``beta_2`` applies from the next step).
    schedule : LearningRateSchedule
        The learning-rate schedule.
    key : dict
        ``{'solver': name, 'schedule': {...}}``: the update rule's name and
        the schedule's hyperparameters now.
    stored : dict or None, default=None
        What :func:`store_solver` returned after the previous call, or None.
        Its update-rule state is used if it was made by the same rule for as
        many parameters; its learning rate, if the schedule's
        hyperparameters are those of ``key``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> from skdeep.optim import Adam, LearningRateSchedule
    >>> from skdeep.training import TrainState, start_solver, store_solver
    >>> net = Network([3, 2])
    >>> state = TrainState(net.init_params(np.random.RandomState(0), float),
    ...                    net.init_stats(float))
    >>> key = {"solver": "adam", "schedule": {"learning_rate_init": 0.01}}
    >>> start_solver(state, Adam(), LearningRateSchedule("constant", 0.01), key)
    >>> state.step = 7
    >>> stored = store_solver(state, key)
    >>> again = TrainState(state.params, state.stats)
    >>> start_solver(again, Adam(), LearningRateSchedule("constant", 0.01), key,
    ...              stored)
    >>> again.step
    7
    """
    state.schedule = schedule.init()
    if (
        stored is None
        or stored["solver"] != key["solver"]
        or stored["n_params"] != state.params.flat.size
    ):
        state.optimizer = optimizer.init(state.params.flat)
        return
    # A copy: the stored state changes only when the call succeeds.
    state.optimizer = state_from_dict(optimizer, state.params.flat, stored["optimizer"])
    state.step = stored["step"]
    if stored["schedule"] == key["schedule"]:
        state.schedule.learning_rate = stored["learning_rate"]


def store_solver(state: TrainState, key: dict) -> dict | None:
    """Return the solver state as plain data, for the next call to continue.

    Parameters
    ----------
    state : TrainState
        After training.
    key : dict
        As given to :func:`start_solver`.

    Returns
    -------
    stored : dict or None
        Plain numbers, strings and arrays; None for L-BFGS (which keeps no
        state between calls).

    Examples
    --------
    See :func:`start_solver`.
    """
    if state.optimizer is None:
        return None
    return {
        "solver": key["solver"],
        "n_params": state.params.flat.size,
        "optimizer": state_to_dict(state.optimizer),
        "learning_rate": state.schedule.learning_rate,
        "schedule": key["schedule"],
        "step": state.step,
    }
