"""skdeep: scikit-learn-compatible neural networks on a vectorized NumPy core."""

from . import _legacy
from ._display import TrainingCurveDisplay
from .estimators import (
    DeepNetClassifier,
    DeepNetRegressor,
    LogisticUnit,
    TabularNetClassifier,
    TabularNetRegressor,
)

__version__ = "0.2.0.dev0"

_legacy.install()

__all__ = [
    "DeepNetClassifier",
    "DeepNetRegressor",
    "LogisticUnit",
    "TabularNetClassifier",
    "TabularNetRegressor",
    "TrainingCurveDisplay",
    "__version__",
]
