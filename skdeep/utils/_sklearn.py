"""The one module that imports scikit-learn's private helpers.

Keeping them here means a change in scikit-learn's private API is fixed in one
place. Public helpers are imported where they are used.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
]


class _NoCallbackContext:
    """Stand-in for ``sklearn.callback.CallbackContext`` that does nothing."""

    def subcontext(self, **kwargs):
        return self

    def call_on_fit_task_begin(self, **kwargs):
        return self

    def call_on_fit_task_end(self, **kwargs):
        return False


try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # older scikit-learn: estimators work, without callbacks

    class CallbackSupportMixin:  # noqa: D101 - stand-in for scikit-learn's
        def _init_callback_context(self, **kwargs):
            return _NoCallbackContext()

    def with_callbacks(method):  # noqa: D103 - stand-in for scikit-learn's
        return method


__all__ += ["CallbackSupportMixin", "with_callbacks"]
