"""Update rules: immutable hyperparameters plus explicit state made in ``fit``.

Each stochastic rule has ``init(params) -> state`` and
``update(params, grads, state, learning_rate)``, acting in place on flat
vectors; schedules choose the learning rate. L-BFGS is delegated to SciPy.
"""

from ._adam import Adam
from ._lbfgs import LBFGS, LBFGSResult
from ._rmsprop import RMSprop
from ._sgd import SGD
from .schedules import LearningRateSchedule

__all__ = [
    "LBFGS",
    "SGD",
    "Adam",
    "LBFGSResult",
    "LearningRateSchedule",
    "RMSprop",
]
