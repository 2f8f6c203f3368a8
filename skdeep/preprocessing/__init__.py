"""Transformers for raw tables, usable with any model.

:class:`TabularPreprocessor` turns a data frame with numeric, categorical and
missing values into the numbers a network learns from (robust scaling and
smooth clipping, missing indicators, one-hot columns, category codes);
:class:`~skdeep.TabularNetClassifier` and :class:`~skdeep.TabularNetRegressor`
apply it inside ``fit``.
"""

from ._scaling import smooth_clip
from ._tabular import TabularPreprocessor

__all__ = ["TabularPreprocessor", "smooth_clip"]
