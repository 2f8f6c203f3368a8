"""The exceptions skdeep raises beyond scikit-learn's own.

This module imports nothing, so every layer of the package (the training
engine included) can raise them, and every layer above can catch them by
type.
"""

__all__ = ["ModelVersionError", "TrainingDivergedError"]


class TrainingDivergedError(ValueError):
    """Training stopped because it stopped being finite, or ran away.

    Raised when the training loss, a gradient or a weight becomes NaN or
    infinite, or when an epoch's loss grows far beyond where training
    started. The estimator that raises it is left as it was before the call.
    It is a :class:`ValueError`, as scikit-learn's estimators raise for
    training that cannot continue.

    Parameters
    ----------
    reason : str
        What went wrong, without advice (``"the training loss became
        nan"``); the message adds what to do about it.
    advice : str, default=''
        What the caller can change (a lower learning rate, scaled inputs).

    Attributes
    ----------
    reason : str
        What went wrong, as given; a layer that catches the error and
        raises its own keeps it.

    Examples
    --------
    >>> from skdeep.exceptions import TrainingDivergedError
    >>> error = TrainingDivergedError(
    ...     "the training loss became nan", "Lower learning_rate_init."
    ... )
    >>> str(error)
    'Training diverged: the training loss became nan. Lower learning_rate_init.'
    >>> error.reason, isinstance(error, ValueError)
    ('the training loss became nan', True)
    """

    def __init__(self, reason: str, advice: str = ""):
        self.reason = reason
        self.advice = advice
        message = f"Training diverged: {reason}."
        super().__init__(f"{message} {advice}" if advice else message)

    def __reduce__(self):
        return type(self), (self.reason, self.advice)


class ModelVersionError(ImportError):
    """A model file names code of an earlier skdeep that this one no longer has.

    Raised while unpickling (pickle, joblib, skops) a model written by an
    earlier version of skdeep whose classes have moved or changed their
    fitted state since: such a model cannot be loaded, only refit.

    Parameters
    ----------
    name : str
        The module or class the file names.

    Examples
    --------
    >>> from skdeep.exceptions import ModelVersionError
    >>> print(ModelVersionError("skdeep.estimators._tabular_classifier"))
    ... # doctest: +NORMALIZE_WHITESPACE
    This model file was written by an earlier version of skdeep (it names
    skdeep.estimators._tabular_classifier, which this version no longer has);
    fit the model again with this version.
    """

    def __init__(self, name: str):
        self.name_in_file = name
        super().__init__(
            "This model file was written by an earlier version of skdeep (it "
            f"names {name}, which this version no longer has); fit the model "
            "again with this version."
        )

    def __reduce__(self):
        return type(self), (self.name_in_file,)
