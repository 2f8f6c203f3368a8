"""Model files: which types a skops file may hold, and loading one safely."""

from __future__ import annotations

from pathlib import Path

from ._tables import CLIError, first_line

__all__ = ["load_model", "trusted_types"]


def trusted_types() -> set:
    """Return the types a model file may hold beyond what skops trusts.

    Exactly skdeep's estimator classes (the tabular networks' preprocessing
    step included), and ``numpy.dtype`` (which scikit-learn's
    ``OneHotEncoder`` stores). skops resolves a type name as an
    attribute of an importable module, so trusting a prefix such as
    ``skdeep.`` would trust whatever a skdeep module imports.

    Returns
    -------
    types : set of str
        Fully qualified type names.
    """
    from .. import (
        DeepNetClassifier,
        DeepNetRegressor,
        LogisticUnit,
        TabularNetClassifier,
        TabularNetRegressor,
    )
    from ..preprocessing import TabularPreprocessor

    classes = (
        DeepNetClassifier,
        DeepNetRegressor,
        LogisticUnit,
        TabularNetClassifier,
        TabularNetRegressor,
        TabularPreprocessor,
    )
    return {f"{c.__module__}.{c.__qualname__}" for c in classes} | {"numpy.dtype"}


def load_model(path: Path):
    """Load a model file written by ``fit``, trusting only skdeep's estimators.

    Parameters
    ----------
    path : Path
        The ``.skops`` file.

    Returns
    -------
    model : estimator
    """
    from skops import io as sio

    if not path.is_file():
        raise CLIError(f"no such file: {path}")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise CLIError(f"{path} is not a skops model file: {first_line(exc)}") from None
    from .._legacy import REMOVED_CLASSES, REMOVED_MODULES

    for name in untrusted:
        if name in REMOVED_CLASSES or name.rpartition(".")[0] in REMOVED_MODULES:
            raise CLIError(
                f"{path} was written by an earlier version of skdeep (it names "
                f"{name}, which this version no longer has); fit the model again"
            )
    unsafe = sorted(set(untrusted) - trusted_types())
    if unsafe:
        raise CLIError(
            f"refusing to load {path}: it holds types that are not known to be "
            f"safe: {', '.join(unsafe)}"
        )
    try:
        return sio.load(path, trusted=untrusted)
    except Exception as exc:
        raise CLIError(f"cannot load {path}: {first_line(exc)}") from None
