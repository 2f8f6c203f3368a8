"""The scikit-learn-facing estimators."""

from ._deep_net import DeepNetClassifier
from ._logistic_unit import LogisticUnit

__all__ = ["DeepNetClassifier", "LogisticUnit"]
