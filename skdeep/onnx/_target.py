"""A converter for TransformedTargetRegressor with a StandardScaler.

skdeep's docs (and its command line) wrap a regressor for targets on a large
scale in ``TransformedTargetRegressor(..., transformer=StandardScaler())``;
skl2onnx has no converter for it. This one converts the inner regressor with
skl2onnx and maps its output back: ``y = z * scale + mean``.
"""

from __future__ import annotations

import numpy as np
from skl2onnx.algebra.onnx_operator import OnnxSubEstimator
from skl2onnx.algebra.onnx_ops import OnnxAdd, OnnxIdentity, OnnxMul
from skl2onnx.common.data_types import DoubleTensorType
from sklearn.preprocessing import FunctionTransformer, StandardScaler

__all__ = ["convert_transformed_target", "shape_transformed_target"]


def shape_transformed_target(operator):
    """Set the output shape: (N, n_targets)."""
    n = operator.inputs[0].get_first_dimension()
    targets = getattr(operator.raw_operator.transformer_, "n_features_in_", 1)
    operator.outputs[0].type.shape = [n, targets]


def convert_transformed_target(scope, operator, container):
    """Convert the inner regressor, then undo the target's StandardScaler."""
    model = operator.raw_operator
    transformer = model.transformer_
    identity = isinstance(transformer, FunctionTransformer) and (
        transformer.inverse_func is None
    )
    if not (identity or isinstance(transformer, StandardScaler)):
        raise NotImplementedError(
            "skdeep.onnx converts TransformedTargetRegressor with a "
            f"StandardScaler (or no transformer), not {type(transformer).__name__}."
        )
    opv = container.target_opset
    input_type = operator.inputs[0].type
    dtype = np.float64 if isinstance(input_type, DoubleTensorType) else np.float32
    # Every input: a DataFrame gives one per column.
    y = OnnxSubEstimator(model.regressor_, *operator.inputs, op_version=opv)
    if not identity:
        if transformer.scale_ is not None:
            y = OnnxMul(y, transformer.scale_.astype(dtype), op_version=opv)
        if transformer.mean_ is not None:
            y = OnnxAdd(y, transformer.mean_.astype(dtype), op_version=opv)
    out = OnnxIdentity(y, op_version=opv, output_names=[operator.outputs[0]])
    out.add_to(scope=scope, container=container)
