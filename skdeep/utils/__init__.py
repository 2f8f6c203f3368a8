"""Utilities: gradient checking, and the scikit-learn shim.

``skdeep.utils._sklearn`` is imported by the estimators only, so importing
this package does not import scikit-learn.
"""

from ._gradient_check import (
    check_gradients,
    finite_difference_gradient,
    relative_error,
)

__all__ = ["check_gradients", "finite_difference_gradient", "relative_error"]
