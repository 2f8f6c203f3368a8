"""The tabular networks: RealMLP-TD's recipe on raw frames, blended with a linear model.

Kept as a package, as scikit-learn keeps ``ensemble/_hist_gradient_boosting``,
with files named after the method's parts: :mod:`._recipe` (every default and
its source), :mod:`._split` (the held-out rows), :mod:`._blend` (the linear
model's part), :mod:`._base` (the fit template), and the two public classes.
"""

from ._classifier import TabularNetClassifier
from ._regressor import TabularNetRegressor

__all__ = ["TabularNetClassifier", "TabularNetRegressor"]


def __getattr__(name):
    # Model files of skdeep 0.1 name its member classes here.
    from ..._legacy import removed_class

    return removed_class(__name__, name)
