"""The scikit-learn-facing estimators."""

from ._deep_net import DeepNetClassifier
from ._deep_net_regressor import DeepNetRegressor
from ._logistic_unit import LogisticUnit
from ._tabular_classifier import TabularNetClassifier
from ._tabular_regressor import TabularNetRegressor

__all__ = [
    "DeepNetClassifier",
    "DeepNetRegressor",
    "LogisticUnit",
    "TabularNetClassifier",
    "TabularNetRegressor",
]
