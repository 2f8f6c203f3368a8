"""Update rules: immutable hyperparameters plus explicit state made in ``fit``.

Each stochastic rule follows the :class:`Optimizer` protocol,
``init(params) -> state`` and ``update(params, grads, state, learning_rate)``,
acting in place on flat vectors; schedules choose the learning rate. L-BFGS
is delegated to SciPy. :data:`OPTIMIZERS` maps the estimators' ``solver``
names to the stochastic rules.
"""

from ._adam import Adam, AdamState
from ._base import Optimizer, copy_state, state_from_dict, state_to_dict
from ._lbfgs import LBFGS, LBFGSResult
from ._rmsprop import RMSprop, RMSpropState
from ._sgd import SGD, SGDState
from .schedules import SCHEDULES, LearningRateSchedule, ScheduleState

#: Stochastic update rules by solver name.
OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}

__all__ = [
    "LBFGS",
    "OPTIMIZERS",
    "SCHEDULES",
    "SGD",
    "Adam",
    "AdamState",
    "LBFGSResult",
    "LearningRateSchedule",
    "Optimizer",
    "RMSprop",
    "RMSpropState",
    "SGDState",
    "ScheduleState",
    "copy_state",
    "state_from_dict",
    "state_to_dict",
]
