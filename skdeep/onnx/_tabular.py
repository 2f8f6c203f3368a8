"""skl2onnx converters for the tabular networks and their preprocessing step.

A :class:`~skdeep.preprocessing.TabularPreprocessor` fitted on a data frame
takes one input per column of the raw frame: numeric columns as float
tensors of shape (N, 1), categorical ones as string tensors of shape (N, 1)
holding ``str(value)``, as the preprocessor compares levels as text. A
string input has no "missing": the empty string ``""`` is a missing value
(unless ``""`` was itself a training level; then it is that level). Unseen
strings are unseen levels: all-zero one-hot columns, or code 0.

The graph computes what ``transform`` computes: the numeric columns are
preprocessed in double, as NumPy does, and the matrix is then cast to the
model's type. :class:`~skdeep.TabularNetClassifier` and
:class:`~skdeep.TabularNetRegressor` add their members' networks (the
layers of :mod:`skdeep.onnx._convert`), the average of the members, the
blend with the linear model and, for the regressor, the target's
standardisation and range.
"""

from __future__ import annotations

import warnings

import numpy as np
from onnx import TensorProto
from skl2onnx import get_model_alias
from skl2onnx._parse import _apply_zipmap
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from skl2onnx.common.utils_classifier import get_label_classes
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline

from ..estimators import TabularNetClassifier, TabularNetRegressor, fitted_network
from ..estimators._tabular._linear import linear_coefficients
from ..preprocessing import TabularPreprocessor
from ._convert import _Graph, _label_type, _labels, _raw_scores

__all__ = [
    "convert_tabular_net",
    "convert_tabular_preprocessor",
    "parse_tabular_classifier",
    "parse_tabular_output",
    "shape_tabular_classifier",
    "shape_tabular_output",
    "tabular_front",
    "tabular_input_types",
]


# -- inputs ------------------------------------------------------------------------
def _preprocessor(model) -> TabularPreprocessor:
    pre = model if isinstance(model, TabularPreprocessor) else model.preprocessor_
    if pre.date_features_.size:
        names = getattr(pre, "feature_names_in_", None)
        j = pre.date_features_[0]
        name = repr(str(names[j])) if names is not None else f"{j}"
        raise ValueError(
            f"Column {name} holds dates, which the ONNX export does not support; "
            "to export, fit on the date's numbers instead (e.g. its year and month, "
            "or seconds since the epoch)."
        )
    return pre


def _dtype(model) -> np.dtype:
    return _preprocessor(model)._output_dtype()


def _tensor_type(model):
    return DoubleTensorType if _dtype(model) == np.float64 else FloatTensorType


def tabular_front(model):
    """Return the tabular step that first reads the model's input, or None.

    Parameters
    ----------
    model : estimator
        A fitted estimator, pipeline or ``TransformedTargetRegressor``.

    Returns
    -------
    step : TabularPreprocessor, TabularNetClassifier, TabularNetRegressor or None
        The step whose inputs are the raw columns.
    """
    while True:
        if isinstance(model, Pipeline):
            model = model.steps[0][1]
        elif isinstance(model, TransformedTargetRegressor):
            model = model.regressor_
        else:
            break
    if isinstance(
        model, TabularPreprocessor | TabularNetClassifier | TabularNetRegressor
    ):
        return model
    return None


def tabular_input_types(model, X_sample=None):
    """Return the graph's inputs for a fitted tabular model.

    One input per column, named as the column, when the model was fitted on
    a data frame with string column names, when ``X_sample`` is a data frame,
    or when some columns are categorical (then named ``x0``, ``x1``, ...
    without names); otherwise one input ``X`` with every column.

    Parameters
    ----------
    model : TabularPreprocessor, TabularNetClassifier or TabularNetRegressor
        Fitted.
    X_sample : DataFrame, array-like or None, default=None
        A few rows of input; only a data frame's column names are read.

    Returns
    -------
    initial_types : list of (str, type)
        Name and skl2onnx type of each input: numbers as float tensors in the
        model's type, categorical columns as string tensors.
    """
    pre = _preprocessor(model)
    floats = _tensor_type(model)
    n = pre.n_features_in_
    names = getattr(pre, "feature_names_in_", None)
    sample_names = None
    if X_sample is not None and hasattr(X_sample, "columns"):
        sample_names = [str(c) for c in X_sample.columns]
    if names is not None:
        names = [str(name) for name in names]
        if sample_names is not None and sample_names != names:
            raise ValueError(
                f"X_sample has the columns {sample_names}; the model was fitted on "
                f"{names}."
            )
    elif sample_names is not None:
        if len(sample_names) != n:
            raise ValueError(
                f"X_sample has {len(sample_names)} columns; the model was fitted on "
                f"{n}."
            )
        names = sample_names
    categorical = set(pre.categorical_features_.tolist())
    if names is None:
        if not categorical:
            return [("X", floats([None, n]))]
        names = [f"x{j}" for j in range(n)]
    return [
        (
            name,
            StringTensorType([None, 1]) if j in categorical else floats([None, 1]),
        )
        for j, name in enumerate(names)
    ]


# -- parsers and shapes -------------------------------------------------------------
def parse_tabular_output(scope, model, inputs, custom_parsers=None):
    """Declare the one output of a regressor or preprocessor: ``variable``."""
    operator = scope.declare_local_operator(get_model_alias(type(model)), model)
    operator.inputs = inputs
    variable = scope.declare_local_variable("variable", _tensor_type(model)())
    operator.outputs.append(variable)
    return operator.outputs


def parse_tabular_classifier(scope, model, inputs, custom_parsers=None):
    """Declare ``label`` and ``probabilities``, and a ZipMap as skl2onnx does.

    skl2onnx's parser for classifiers types the ZipMap's values as the first
    input, here perhaps a string column: the model's float type instead.
    """
    options = scope.get_options(model, dict(zipmap=True))
    operator = scope.declare_local_operator(get_model_alias(type(model)), model)
    operator.inputs = inputs
    floats = _tensor_type(model)
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(scope.declare_local_variable("probabilities", floats()))
    if options["zipmap"] is False:
        return operator.outputs
    return _apply_zipmap(options["zipmap"], scope, model, floats(), operator.outputs)


def shape_tabular_classifier(operator):
    """Set the output types and shapes: labels (N,), probabilities (N, k)."""
    n = operator.inputs[0].get_first_dimension()
    model = operator.raw_operator
    if model._multilabel:  # a 0/1 column per label
        operator.outputs[0].type = Int64TensorType([n, len(model.classes_)])
    else:
        classes = np.asarray(get_label_classes(operator.scope_inst, model))
        operator.outputs[0].type = _label_type(classes)([n])
    operator.outputs[1].type = _tensor_type(model)([n, len(model.classes_)])


def shape_tabular_output(operator):
    """Set the output shape: (N, n_targets) for a regressor, (N, n_out) otherwise."""
    n = operator.inputs[0].get_first_dimension()
    model = operator.raw_operator
    if isinstance(model, TabularPreprocessor):
        width = len(model.get_feature_names_out())
    else:
        width = model.n_outputs_
    operator.outputs[0].type = _tensor_type(model)([n, width])


# -- the preprocessing ------------------------------------------------------------
def _check_inputs(inputs, pre):
    if len(inputs) not in (1, pre.n_features_in_):
        raise RuntimeError(
            f"The tabular model reads {pre.n_features_in_} columns: give it one "
            f"input per column, or one input with every column; got {len(inputs)} "
            "inputs."
        )


def _column_reader(graph, inputs, pre):
    """Return ``columns(js) -> [(name, skl2onnx type)]`` of the input columns."""
    if len(inputs) == pre.n_features_in_:  # one input per column

        def columns(js):
            return [(inputs[j].full_name, inputs[j].type) for j in js]

        return columns

    whole = inputs[0]  # one input with every column

    def columns(js):
        out = []
        for j in js:
            index = graph.constant("column", np.array([j]), TensorProto.INT64)
            column = graph.node("Gather", [whole.full_name, index], axis=1)
            out.append((column, whole.type))
        return out

    return columns


def _numeric_block(graph, pre, columns):
    """Scaled, clipped numeric columns (NaN as 0), and the missing indicators."""
    parts = []
    for name, kind in columns(pre.numeric_features_):
        if not isinstance(kind, DoubleTensorType):
            name = graph.node("Cast", [name], to=TensorProto.DOUBLE)
        parts.append(name)
    x = parts[0] if len(parts) == 1 else graph.node("Concat", parts, axis=1)
    x = graph.node("Sub", [x, graph.constant("medians", pre.medians_)])
    x = graph.node("Mul", [x, graph.constant("scales", pre.scales_)])
    if pre.clip is not None:  # smooth_clip, in the order NumPy computes it
        ratio = graph.node("Div", [x, graph.constant("clip", float(pre.clip))])
        ratio = graph.node("Mul", [ratio, ratio])
        ratio = graph.node("Add", [ratio, graph.constant("one", 1.0)])
        x = graph.node("Div", [x, graph.node("Sqrt", [ratio])])
    missing = graph.node("IsNaN", [x])
    blocks = [graph.node("Where", [missing, graph.constant("zero", 0.0), x])]
    if pre.missing_indicators_.size:
        index = graph.constant("indicators", pre.missing_indicators_, TensorProto.INT64)
        flags = graph.node("Gather", [missing, index], axis=1)
        blocks.append(graph.node("Cast", [flags], to=TensorProto.DOUBLE))
    return blocks


def _category_codes(graph, name, levels, label):
    """Codes of a string column: 1..L for the levels, -1 for "", 0 if unseen."""
    keys = [str(level) for level in levels]
    values = list(range(1, len(keys) + 1))
    if "" in keys:
        warnings.warn(
            f"The categorical column {label!r} has the empty string as a level: in "
            'the ONNX graph "" is that level, and a missing value cannot be '
            "given.",
            UserWarning,
            stacklevel=4,
        )
    else:
        keys.append("")
        values.append(-1)
    return graph.node(
        "LabelEncoder",
        [name],
        op_domain="ai.onnx.ml",
        op_version=2,
        keys_strings=keys,
        values_int64s=values,
        default_int64=0,
    )


def _preprocess(graph, inputs, pre):
    """Add ``pre.transform``; return its output (double) and the code indices.

    The code indices map each coded output column to its codes as an int64
    vector (N,), for the linear model's lookups.
    """
    _check_inputs(inputs, pre)
    columns = _column_reader(graph, inputs, pre)
    blocks = []
    if pre.numeric_features_.size:
        blocks += _numeric_block(graph, pre, columns)
    names = getattr(pre, "feature_names_in_", None)
    coded, indices = [], {}
    for c, (name, kind) in enumerate(columns(pre.categorical_features_)):
        j = pre.categorical_features_[c]
        label = str(names[j]) if names is not None else f"x{j}"
        if not isinstance(kind, StringTensorType):
            raise NotImplementedError(
                f"The categorical column {label!r} must be a string input (the "
                "text of each value, as str() gives it); skdeep.onnx.to_onnx "
                "declares it so."
            )
        codes = _category_codes(graph, name, pre.categories_[c], label)
        levels = pre.categories_[c].size
        if not pre.one_hot_[c]:
            code = graph.node(
                "Relu", [graph.node("Cast", [codes], to=TensorProto.DOUBLE)]
            )
            coded.append(code)
            shape = graph.constant("shape", np.array([-1]), TensorProto.INT64)
            index = graph.node("Cast", [code], to=TensorProto.INT64)
            indices[len(coded) - 1] = graph.node("Reshape", [index, shape])
            continue
        if pre._binary(c):
            equal = [graph.constant("second_level", np.array([2]), TensorProto.INT64)]
        else:
            equal = []
            if levels:
                equal.append(
                    graph.constant(
                        "levels", np.arange(1, levels + 1), TensorProto.INT64
                    )
                )
            if pre.missing_levels_[c]:
                equal.append(
                    graph.constant("missing", np.array([-1]), TensorProto.INT64)
                )
        targets = equal[0] if len(equal) == 1 else graph.node("Concat", equal, axis=0)
        hot = graph.node("Equal", [codes, targets])
        blocks.append(graph.node("Cast", [hot], to=TensorProto.DOUBLE))
    start = sum(_widths(pre))
    indices = {start + i: index for i, index in indices.items()}
    blocks += coded
    z = blocks[0] if len(blocks) == 1 else graph.node("Concat", blocks, axis=1)
    return z, indices


def _widths(pre):
    """Widths of the output blocks before the codes."""
    yield pre.numeric_features_.size + pre.missing_indicators_.size
    for c in np.flatnonzero(pre.one_hot_):
        yield pre._one_hot_width(c)


def _cast(graph, x, dtype, output=None):
    """``x`` (double) in ``dtype``; into ``output`` when given."""
    if np.dtype(dtype) == np.float64:
        return x if output is None else graph.node("Identity", [x], output)
    return graph.node("Cast", [x], output, to=TensorProto.FLOAT)


def convert_tabular_preprocessor(scope, operator, container):
    """Write ``TabularPreprocessor.transform`` into the ONNX graph."""
    pre = operator.raw_operator
    graph = _Graph(scope, container, np.float64)
    z, _ = _preprocess(graph, operator.inputs, pre)
    _cast(graph, z, pre._output_dtype(), operator.outputs[0].full_name)


# -- the networks and the blend -----------------------------------------------------
def _spread(graph, proba, known, classes):
    """Put the probabilities of ``known`` classes in the columns of ``classes``."""
    if known.size == classes.size:
        return proba
    spread = np.zeros((known.size, classes.size))
    spread[np.arange(known.size), np.searchsorted(classes, known)] = 1.0
    return graph.node("MatMul", [proba, graph.constant("spread", spread)])


def _members_output(graph, net_graph, z, model, classifier):
    """Return the members' weighted mean: probabilities or predictions, double.

    The pack's raw scores ``(k, n, outputs)`` go through each member's link,
    then the ensemble's weights average them as one MatMul.
    """
    network, params, stats = fitted_network(model)
    raw = _raw_scores(net_graph, z, network, params, stats)
    k = network.n_members
    if classifier and network.loss.name == "log_loss":
        raw = net_graph.node("Softmax", [raw], axis=-1)
    elif classifier and model._multilabel:  # a sigmoid per label
        raw = net_graph.node("Sigmoid", [raw])
    elif classifier:  # binary: two sigmoids, as skdeep.onnx converts DeepNet*
        both = net_graph.node("Concat", [net_graph.node("Neg", [raw]), raw], axis=-1)
        raw = net_graph.node("Sigmoid", [both])
    if net_graph.proto != graph.proto:
        raw = graph.node("Cast", [raw], to=TensorProto.DOUBLE)
    width = model.classes_.size if classifier else model.n_outputs_

    def shape(*dims):
        return graph.constant("shape", np.array(dims), TensorProto.INT64)

    rows = graph.node("Reshape", [raw, shape(k, -1)])
    weights = np.asarray(model.ensemble_weights_, np.float64).reshape(1, k)
    mean = graph.node("MatMul", [graph.constant("ensemble_weights", weights), rows])
    return graph.node("Reshape", [mean, shape(-1, width)])


def _linear_output(graph, z, indices, model):
    """Return the linear model's probabilities or prediction, as ``predict`` does."""
    linear = model.linear_
    coef, intercept = linear_coefficients(linear)
    n_columns = len(model.preprocessor_.get_feature_names_out())
    kept = np.setdiff1d(np.arange(n_columns), list(indices))
    terms = []
    if kept.size:
        index = graph.constant("kept", kept, TensorProto.INT64)
        x = graph.node("Gather", [z, index], axis=1)
        terms.append(
            graph.node("MatMul", [x, graph.constant("coef", coef[:, : kept.size].T)])
        )
    offset = kept.size
    for column, n_codes in model.preprocessor_.embedded_categories_.items():
        table = graph.constant("coef", coef[:, offset : offset + n_codes].T)
        terms.append(graph.node("Gather", [table, indices[column]], axis=0))
        offset += n_codes
    scores = terms[0]
    for term in terms[1:]:
        scores = graph.node("Add", [scores, term])
    scores = graph.node("Add", [scores, graph.constant("intercept", intercept)])
    if not hasattr(model, "classes_"):
        return scores
    if model._multilabel:  # a logistic regression per label
        return graph.node("Sigmoid", [scores])
    if coef.shape[0] == 1:  # LogisticRegression's binary case
        p = graph.node("Sigmoid", [scores])
        q = graph.node("Sub", [graph.constant("one", 1.0), p])
        proba = graph.node("Concat", [q, p], axis=1)
    else:
        proba = graph.node("Softmax", [scores], axis=1)
    return _spread(graph, proba, np.asarray(linear.classes_), model.classes_)


def convert_tabular_net(scope, operator, container):
    """Write a fitted TabularNetClassifier or TabularNetRegressor into the graph."""
    model = operator.raw_operator
    classifier = hasattr(model, "classes_")
    dtype = _dtype(model)
    graph = _Graph(scope, container, np.float64)
    net_graph = _Graph(scope, container, dtype)
    z64, indices = _preprocess(graph, operator.inputs, model.preprocessor_)
    z = _cast(graph, z64, dtype)
    # The linear model reads the matrix in the model's type, as predict does.
    z_linear = z64
    if dtype != np.float64:
        z_linear = graph.node("Cast", [z], to=TensorProto.DOUBLE)
    out = _members_output(graph, net_graph, z, model, classifier)
    if model.linear_ is not None and model.blend_weight_ < 1:
        linear = _linear_output(graph, z_linear, indices, model)
        weight = model.blend_weight_
        out = graph.node(
            "Add",
            [
                graph.node("Mul", [out, graph.constant("weight", weight)]),
                graph.node(
                    "Mul", [linear, graph.constant("linear_weight", 1 - weight)]
                ),
            ],
        )
    names = [output.full_name for output in operator.outputs]
    if classifier:
        _cast(graph, out, dtype, names[1])
        if model._multilabel:  # a label where its probability is above 0.5
            positive = graph.node("Greater", [out, graph.constant("half", 0.5)])
            graph.node("Cast", [positive], names[0], to=TensorProto.INT64)
        else:
            _labels(graph, out, get_label_classes(scope, model), names[0])
        return
    y = graph.node("Mul", [out, graph.constant("target_scale", model.target_scale_)])
    y = graph.node("Add", [y, graph.constant("target_mean", model.target_mean_)])
    low, high = model.target_range_
    y = graph.node("Max", [y, graph.constant("target_min", low)])
    y = graph.node("Min", [y, graph.constant("target_max", high)])
    _cast(graph, y, dtype, names[0])
