"""Export fitted skdeep models, and pipelines ending in one, to ONNX.

Importing this module registers skdeep's converters with skl2onnx, so that
``skl2onnx.to_onnx`` converts pipelines containing skdeep estimators too,
with skl2onnx's conventions for scikit-learn's classifiers: outputs
``output_label`` and ``output_probability`` (a ZipMap) by default, and the
options ``zipmap`` (True, False, ``'columns'``) and ``nocl``, exactly as for
``MLPClassifier``. :func:`to_onnx` keeps its plain outputs instead.
Needs the ``onnx`` extra: ``pip install "skdeep[onnx]"``.
"""

from __future__ import annotations

try:
    import onnx  # noqa: F401
    import skl2onnx
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        f"skdeep.onnx needs {exc.name or 'skl2onnx'}: pip install 'skdeep[onnx]'"
    ) from None

from sklearn.compose import TransformedTargetRegressor

from ..estimators import (
    DeepNetClassifier,
    DeepNetRegressor,
    LogisticUnit,
    TabularNetClassifier,
    TabularNetRegressor,
)
from ..preprocessing import TabularPreprocessor
from ._convert import convert, parse_regressor, shape_classifier, shape_regressor
from ._tabular import (
    convert_tabular_net,
    convert_tabular_preprocessor,
    parse_tabular_classifier,
    parse_tabular_output,
    shape_tabular_classifier,
    shape_tabular_output,
    tabular_front,
    tabular_input_types,
)
from ._target import convert_transformed_target, shape_transformed_target

__all__ = ["to_onnx"]

#: The options skl2onnx gives scikit-learn's classifiers (MLPClassifier's).
CLASSIFIER_OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [True, False]}
_CLASSIFIERS = (LogisticUnit, DeepNetClassifier)
for _cls in _CLASSIFIERS:
    # No parser of our own: skl2onnx's parser for classifiers adds the ZipMap
    # and reads the options, as it does for MLPClassifier.
    skl2onnx.update_registered_converter(
        _cls,
        f"Skdeep{_cls.__name__}",
        shape_classifier,
        convert,
        options=CLASSIFIER_OPTIONS,
    )
skl2onnx.update_registered_converter(
    DeepNetRegressor,
    "SkdeepDeepNetRegressor",
    shape_regressor,
    convert,
    parser=parse_regressor,
)
# The tabular models: their own parsers, as their inputs are the raw columns.
skl2onnx.update_registered_converter(
    TabularNetClassifier,
    "SkdeepTabularNetClassifier",
    shape_tabular_classifier,
    convert_tabular_net,
    parser=parse_tabular_classifier,
    options=CLASSIFIER_OPTIONS,
)
skl2onnx.update_registered_converter(
    TabularNetRegressor,
    "SkdeepTabularNetRegressor",
    shape_tabular_output,
    convert_tabular_net,
    parser=parse_tabular_output,
)
skl2onnx.update_registered_converter(
    TabularPreprocessor,
    "SkdeepTabularPreprocessor",
    shape_tabular_output,
    convert_tabular_preprocessor,
    parser=parse_tabular_output,
)
try:  # skl2onnx has none (1.20); if a later one does, it keeps its own
    skl2onnx.update_registered_converter(
        TransformedTargetRegressor,
        "SkdeepTransformedTargetRegressor",
        shape_transformed_target,
        convert_transformed_target,
        overwrite=False,
    )
except RuntimeError:  # pragma: no cover - a converter is already registered
    pass


def to_onnx(model, X_sample, *, target_opset=None):
    """Convert a fitted skdeep estimator, or a pipeline ending in one, to ONNX.

    Parameters
    ----------
    model : estimator
        A fitted :class:`~skdeep.LogisticUnit`,
        :class:`~skdeep.DeepNetClassifier` or
        :class:`~skdeep.DeepNetRegressor`, or a fitted scikit-learn
        ``Pipeline``, ``ColumnTransformer`` or ``TransformedTargetRegressor``
        ending in one; or a fitted :class:`~skdeep.TabularNetClassifier`,
        :class:`~skdeep.TabularNetRegressor` or
        :class:`~skdeep.preprocessing.TabularPreprocessor` (alone or first
        in a pipeline).
    X_sample : array-like or DataFrame
        A few rows of input, which fix the graph's input names and types:
        float32 rows make a float32 graph, float64 rows a float64 graph, and a
        DataFrame one input per column (named as the columns). A tabular
        model fixes the types itself: one input per raw column, numbers as
        floats of the model's ``dtype``, categorical columns as strings
        (``str`` of each value, ``""`` for a missing one), both of shape
        (n_samples, 1); fitted on a numeric array, one input ``X``.
    target_opset : int, default=None
        ONNX opset; None is the newest that skl2onnx supports.

    Returns
    -------
    onnx_model : onnx.ModelProto
        The graph. Classifiers output ``label`` and ``probabilities`` (a
        float tensor of shape (n_samples, n_classes), no ZipMap), regressors
        ``variable`` (n_samples, n_outputs). Batch norm is folded into the
        weights and dropout is left out, as at prediction.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as rt
    >>> from sklearn.datasets import load_iris
    >>> from skdeep import DeepNetClassifier
    >>> from skdeep.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> net = DeepNetClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    >>> graph = to_onnx(net, X[:1])
    >>> [output.name for output in graph.graph.output]
    ['label', 'probabilities']
    >>> session = rt.InferenceSession(graph.SerializeToString())
    >>> label, proba = session.run(None, {"X": X})
    >>> bool((label == net.predict(X)).all())
    True
    >>> bool(np.allclose(proba, net.predict_proba(X), atol=1e-5))
    True
    """
    # Plain tensors, named label and probabilities, for every skdeep
    # classifier in the model: skl2onnx's names without its ZipMap.
    options = {cls: {"zipmap": False} for cls in (*_CLASSIFIERS, TabularNetClassifier)}
    front = tabular_front(model)
    if front is not None:  # the raw columns, typed by the model
        return skl2onnx.to_onnx(
            model,
            initial_types=tabular_input_types(front, X_sample),
            target_opset=target_opset,
            options=options,
        )
    return skl2onnx.to_onnx(model, X_sample, target_opset=target_opset, options=options)
