"""Update rules: immutable hyperparameters plus explicit state made in ``fit``.

Each stochastic rule follows the :class:`Optimizer` protocol,
``init(params) -> state`` and ``update(params, grads, state, learning_rate)``,
acting in place on flat vectors, with one learning rate or one per parameter;
:func:`decay_weights` adds decoupled weight decay; schedules choose the
learning rate, and their shapes (:data:`SHAPES`) any other hyperparameter
that changes over training. L-BFGS
is delegated to SciPy. :data:`OPTIMIZERS` maps the estimators' ``solver``
names to the stochastic rules.
"""

from ._adam import Adam, AdamState
from ._base import (
    Optimizer,
    ScaledRate,
    copy_state,
    state_from_dict,
    state_to_dict,
)
from ._decay import decay_weights
from ._lbfgs import LBFGS, LBFGSResult
from ._rmsprop import RMSprop, RMSpropState
from ._sgd import SGD, SGDState
from .schedules import (
    SCHEDULES,
    SHAPES,
    LearningRateSchedule,
    ScheduleState,
    schedule_factor,
)

#: Stochastic update rules by solver name.
OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}

__all__ = [
    "LBFGS",
    "OPTIMIZERS",
    "SCHEDULES",
    "SGD",
    "SHAPES",
    "Adam",
    "AdamState",
    "LBFGSResult",
    "LearningRateSchedule",
    "Optimizer",
    "RMSprop",
    "RMSpropState",
    "SGDState",
    "ScaledRate",
    "ScheduleState",
    "copy_state",
    "decay_weights",
    "schedule_factor",
    "state_from_dict",
    "state_to_dict",
]
