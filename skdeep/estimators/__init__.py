"""The scikit-learn-facing estimators."""

from ._deep_net import DeepNetClassifier
from ._deep_net_regressor import DeepNetRegressor
from ._logistic_unit import LogisticUnit
from ._prediction import fitted_network
from ._tabular import TabularNetClassifier, TabularNetRegressor

__all__ = [
    "DeepNetClassifier",
    "DeepNetRegressor",
    "LogisticUnit",
    "TabularNetClassifier",
    "TabularNetRegressor",
    "fitted_network",
]
