"""The scikit-learn-facing estimators."""

from ._deep_net import DeepNetClassifier
from ._deep_net_regressor import DeepNetRegressor
from ._logistic_unit import LogisticUnit

__all__ = ["DeepNetClassifier", "DeepNetRegressor", "LogisticUnit"]
