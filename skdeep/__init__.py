"""skdeep: scikit-learn-compatible neural networks on a vectorized NumPy core."""

from ._display import TrainingCurveDisplay
from .estimators import (
    DeepNetClassifier,
    DeepNetRegressor,
    LogisticUnit,
    TabularNetClassifier,
    TabularNetRegressor,
)

__version__ = "0.1.0"

__all__ = [
    "DeepNetClassifier",
    "DeepNetRegressor",
    "LogisticUnit",
    "TabularNetClassifier",
    "TabularNetRegressor",
    "TrainingCurveDisplay",
    "__version__",
]
