"""skl2onnx converters for skdeep's estimators: the fitted network as a graph.

The graph follows the fitted network's layers, one conversion per layer kind:
``Dense`` is a MatMul and an Add; ``BatchNorm`` is folded into the Dense
before it (inference uses fixed statistics, so it is an affine map); an
activation is its ONNX operator (GELU exactly, through Erf); ``Dropout`` is
the identity at inference. The loss's link then gives the outputs, named as
skl2onnx names scikit-learn's: classifiers ``label`` and ``probabilities``
(a plain tensor, no ZipMap), regressors ``variable``.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto
from skl2onnx import get_model_alias
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from skl2onnx.common.utils_classifier import get_label_classes

from ..estimators import fitted_network
from ..nn.activations import SELU_ALPHA, SELU_SCALE
from ..nn.layers import (
    ActivationLayer,
    BatchNorm,
    CategoryEmbedding,
    Dense,
    Dropout,
    FrontScale,
    PeriodicEmbedding,
)

__all__ = [
    "convert",
    "parse_regressor",
    "shape_classifier",
    "shape_regressor",
]


# -- parsers: the outputs, named as skl2onnx names them -------------------------
def _float_type(input_type):
    return (
        DoubleTensorType
        if isinstance(input_type, DoubleTensorType)
        else FloatTensorType
    )


def _label_type(classes):
    if classes.dtype.kind in "biu" or (
        classes.dtype.kind == "f" and np.array_equal(classes, np.round(classes))
    ):
        return Int64TensorType
    if classes.dtype.kind in "UO":
        return StringTensorType
    raise NotImplementedError(
        f"Class labels of dtype {classes.dtype} cannot be exported to ONNX; "
        "encode them as integers or strings."
    )


def parse_regressor(scope, model, inputs, custom_parsers=None):
    """Declare a regressor's output: ``variable``."""
    operator = scope.declare_local_operator(get_model_alias(type(model)), model)
    operator.inputs = inputs
    floats = _float_type(inputs[0].type)()
    operator.outputs.append(scope.declare_local_variable("variable", floats))
    return operator.outputs


def shape_classifier(operator):
    """Set the output types and shapes: labels (N,), or (N, n_labels)."""
    n = operator.inputs[0].get_first_dimension()
    model = operator.raw_operator
    k = len(model.classes_)
    if _multilabel(model):
        operator.outputs[0].type = Int64TensorType([n, k])
    else:
        # skl2onnx's default parser declares int64 labels; the classes (or,
        # with the option nocl, their indices) decide.
        classes = get_label_classes(operator.scope_inst, model)
        operator.outputs[0].type = _label_type(np.asarray(classes))([n])
    operator.outputs[1].type.shape = [n, k]


def _multilabel(model) -> bool:
    network, _, _ = fitted_network(model)
    return network.loss.name == "binary_log_loss" and network.layer_units[-1] > 1


def shape_regressor(operator):
    """Set the output shape: (N, n_outputs)."""
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type.shape = [n, operator.raw_operator.n_outputs_]


# -- the converter -----------------------------------------------------------------
class _Graph:
    """Adds nodes and initializers in one dtype, with unique names."""

    def __init__(self, scope, container, dtype):
        self.scope, self.container, self.dtype = scope, container, np.dtype(dtype)
        self.proto = (
            TensorProto.DOUBLE if self.dtype == np.float64 else TensorProto.FLOAT
        )

    def constant(self, name, values, proto=None):
        values = np.asarray(values)
        unique = self.scope.get_unique_variable_name(name)
        if proto is None:
            proto, values = self.proto, values.astype(self.dtype)
        flat = values.ravel().tolist()
        self.container.add_initializer(unique, proto, list(values.shape), flat)
        return unique

    def node(self, op_type, inputs, output=None, op_domain="", **attrs):
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        name = self.scope.get_unique_operator_name(op_type)
        self.container.add_node(
            op_type, inputs, [output], name=name, op_domain=op_domain, **attrs
        )
        return output


def _dense(graph, x, coef, intercept, batch_norm=None):
    """``x @ W + b``, with a following batch norm folded into W and b.

    A pack's weights, ``(k, n_in, n_out)``, multiply its ``(k, n, n_in)``
    input in one batched MatMul.
    """
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    if batch_norm is not None:
        (scale, offset), (mean, var), epsilon = batch_norm
        a = np.asarray(scale, np.float64) / np.sqrt(
            np.asarray(var, np.float64) + epsilon
        )
        coef = coef * a[..., None, :]
        intercept = (intercept - mean) * a + offset
    if coef.ndim == 3:
        intercept = intercept[:, None, :]
    z = graph.node("MatMul", [x, graph.constant("coef", coef)])
    return graph.node("Add", [z, graph.constant("intercept", intercept)])


def _exponential_linear(graph, x, alpha, scale):
    """``scale * (max(x, 0) + alpha * (exp(min(x, 0)) - 1))``: ELU and SELU."""
    negative = graph.node("Min", [x, graph.constant("zero", 0.0)])
    one = graph.constant("one", 1.0)
    curve = graph.node("Sub", [graph.node("Exp", [negative]), one])
    if alpha != 1:
        curve = graph.node("Mul", [curve, graph.constant("alpha", alpha)])
    out = graph.node("Add", [graph.node("Relu", [x]), curve])
    if scale != 1:
        out = graph.node("Mul", [out, graph.constant("scale", scale)])
    return out


def _activation(graph, x, name):
    if name == "identity":
        return x
    if name == "gelu":  # exact: x * Phi(x) = x (1 + erf(x / sqrt 2)) / 2
        scaled = graph.node("Mul", [x, graph.constant("inv_sqrt2", 1 / np.sqrt(2.0))])
        if graph.proto == TensorProto.DOUBLE:
            # onnxruntime has Erf for float32 only: that one node is float32
            # (its relative error, ~1e-7, is far below the tolerance of tests).
            single = graph.node("Cast", [scaled], to=TensorProto.FLOAT)
            erf = graph.node("Cast", [graph.node("Erf", [single])], to=graph.proto)
        else:
            erf = graph.node("Erf", [scaled])
        one_plus = graph.node("Add", [erf, graph.constant("one", 1.0)])
        half_x = graph.node("Mul", [x, graph.constant("half", 0.5)])
        return graph.node("Mul", [half_x, one_plus])
    # ELU, SELU and Mish are composed of operators that onnxruntime has in
    # double too (its Elu, Selu and Softplus kernels are float32 only).
    if name in ("elu", "selu"):
        alpha, scale = (1.0, 1.0) if name == "elu" else (SELU_ALPHA, SELU_SCALE)
        return _exponential_linear(graph, x, alpha, scale)
    if name == "mish":  # x tanh(softplus(x)), softplus = max(x, 0) + log(1 + e^-|x|)
        tail = graph.node("Exp", [graph.node("Neg", [graph.node("Abs", [x])])])
        tail = graph.node(
            "Log", [graph.node("Add", [tail, graph.constant("one", 1.0)])]
        )
        softplus = graph.node("Add", [graph.node("Relu", [x]), tail])
        return graph.node("Mul", [x, graph.node("Tanh", [softplus])])
    simple = {
        "logistic": ("Sigmoid", {}),
        "tanh": ("Tanh", {}),
        "relu": ("Relu", {}),
        "leaky_relu": ("LeakyRelu", {"alpha": 0.01}),
    }
    if name not in simple:
        raise NotImplementedError(f"No ONNX conversion for the activation {name!r}.")
    op_type, attrs = simple[name]
    return graph.node(op_type, [x], **attrs)


def _periodic_embedding(graph, x, layer, params):
    """Embed the columns as :class:`~skdeep.nn.PeriodicEmbedding.infer` does.

    A pack's input is ``(k, n, features)``, its parameters have a leading
    member axis, and every axis below is one further right.
    """
    values = [np.asarray(p, np.float64) for p in params]
    if layer.phases:
        frequencies, phases, coefs, intercepts = values
    else:
        frequencies, coefs, intercepts = values
    f = layer.n_embedded
    lead = list(frequencies.shape[:-2])  # [k] for a pack
    m = len(lead)

    def columns(indices):
        index = graph.constant("columns", np.asarray(indices), TensorProto.INT64)
        return graph.node("Gather", [x, index], axis=-1)

    def shape(*dims):
        return graph.constant("shape", np.array([*lead, *dims]), TensorProto.INT64)

    def by_row(values):  # (.., f, K) -> (.., 1, f, K): broadcast over rows
        return values.reshape(*lead, 1, *values.shape[m:])

    embedded = graph.node("Reshape", [columns(layer.embedded), shape(-1, f, 1)])
    angles = graph.node(
        "Mul",
        [embedded, graph.constant("frequencies", by_row(2 * np.pi * frequencies))],
    )
    if layer.phases:
        angles = graph.node("Add", [angles, graph.constant("phases", by_row(phases))])
        codes = graph.node("Cos", [angles])
    else:
        codes = graph.node(
            "Concat",
            [graph.node("Sin", [angles]), graph.node("Cos", [angles])],
            axis=-1,
        )
    swap = [*range(m), m + 1, m, m + 2]  # rows <-> features
    by_feature = graph.node("Transpose", [codes], perm=swap)
    z = graph.node("MatMul", [by_feature, graph.constant("embedding_coefs", coefs)])
    z = graph.node(
        "Add",
        [z, graph.constant("embedding_intercepts", intercepts[..., None, :])],
    )
    if layer.activation:
        z = graph.node("Relu", [z])
    rows = graph.node("Transpose", [z], perm=swap)
    if layer.keep_input:
        rows = graph.node("Concat", [rows, embedded], axis=-1)
    out = graph.node("Reshape", [rows, shape(-1, f * layer.width)])
    if layer.passthrough.size:
        out = graph.node("Concat", [out, columns(layer.passthrough)], axis=-1)
    return out


def _category_embedding(graph, x, layer, params):
    """Look codes up as :class:`~skdeep.nn.CategoryEmbedding.infer` does.

    A pack's tables, ``(k, rows, units)``, are one table of ``k * rows``
    rows: member m's codes are shifted by ``m * rows``.
    """
    table = np.asarray(params[0], np.float64)
    lead = list(table.shape[:-2])
    index = graph.constant("columns", layer.embedded, TensorProto.INT64)
    codes = graph.node("Gather", [x, index], axis=-1)
    limits = graph.constant("cardinalities", layer.cardinalities.astype(np.float64))
    zero = graph.constant("zero", np.zeros(1))
    valid = graph.node(
        "And",
        [
            graph.node("GreaterOrEqual", [codes, zero]),
            graph.node("Less", [codes, limits]),
        ],
    )
    codes = graph.node("Where", [valid, codes, zero])  # NaN and unseen: code 0
    rows = graph.node("Cast", [codes], to=TensorProto.INT64)
    offsets = layer.offsets
    if lead:
        n_rows = table.shape[-2]
        offsets = offsets + (np.arange(lead[0]) * n_rows)[:, None, None]
        table = table.reshape(-1, table.shape[-1])
    rows = graph.node(
        "Add", [rows, graph.constant("offsets", offsets, TensorProto.INT64)]
    )
    emb = graph.node("Gather", [graph.constant("category_embeddings", table), rows])
    width = layer.n_embedded * layer.n_units
    shape = graph.constant("shape", np.array([*lead, -1, width]), TensorProto.INT64)
    out = graph.node("Reshape", [emb, shape])
    if layer.passthrough.size:
        kept = graph.constant("columns", layer.passthrough, TensorProto.INT64)
        out = graph.node(
            "Concat", [graph.node("Gather", [x, kept], axis=-1), out], axis=-1
        )
    return out


def _raw_scores(graph, x, network, params, stats):
    """Add the network's raw scores, layer by layer (see the module docstring).

    For a pack, the rows are first repeated for every member, ``(k, n,
    features)``, and the result is every member's raw scores, ``(k, n,
    outputs)``.
    """
    layers, views, state = network.layers, params.layers, stats.layers
    if network.n_members is not None:
        members = np.array([network.n_members, 1, 1])
        repeat = graph.constant("members", members, TensorProto.INT64)
        x = graph.node("Expand", [x, repeat])
    i = 0
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, Dense):
            coef, intercept = views[i]
            if intercept is None:
                intercept = np.zeros(coef.shape[:-2] + coef.shape[-1:])
            following = layers[i + 1] if i + 1 < len(layers) else None
            folded = None
            if isinstance(following, BatchNorm):
                folded = (views[i + 1], state[i + 1], following.epsilon)
                i += 1  # the batch norm is part of this Dense now
            x = _dense(graph, x, coef, intercept, folded)
        elif isinstance(layer, ActivationLayer):
            x = _activation(graph, x, layer.activation.name)
        elif isinstance(layer, FrontScale):
            scales = np.asarray(views[i][0])
            scales = scales if scales.ndim == 1 else scales[:, None, :]
            x = graph.node("Mul", [x, graph.constant("front_scales", scales)])
        elif isinstance(layer, PeriodicEmbedding):
            x = _periodic_embedding(graph, x, layer, views[i])
        elif isinstance(layer, CategoryEmbedding):
            x = _category_embedding(graph, x, layer, views[i])
        elif not isinstance(layer, Dropout):  # dropout: the identity at inference
            raise NotImplementedError(
                f"No ONNX conversion for the layer {type(layer).__name__}."
            )
        i += 1
    return x


def convert(scope, operator, container):
    """Write the fitted network and its link into the ONNX graph."""
    model = operator.raw_operator
    network, params, stats = fitted_network(model)
    x = operator.inputs[0].full_name
    input_type = operator.inputs[0].type
    dtype = np.float64 if isinstance(input_type, DoubleTensorType) else np.float32
    graph = _Graph(scope, container, dtype)
    if not isinstance(input_type, (FloatTensorType, DoubleTensorType)):
        x = graph.node("Cast", [x], to=graph.proto)
    raw = _raw_scores(graph, x, network, params, stats)
    outputs = [output.full_name for output in operator.outputs]
    loss = network.loss.name
    if loss in ("squared_error", "quantile"):  # the output read as it is
        graph.node("Identity", [raw], outputs[0])
    elif loss == "poisson":
        graph.node("Exp", [raw], outputs[0])
    elif loss == "log_loss":
        graph.node("Softmax", [raw], outputs[1], axis=1)
        _labels(graph, raw, get_label_classes(scope, model), outputs[0])
    elif network.layer_units[-1] == 1:  # binary: two sigmoids, exact in both tails
        negative = graph.node("Neg", [raw])
        both = graph.node("Concat", [negative, raw], axis=1)
        graph.node("Sigmoid", [both], outputs[1])
        _labels(graph, both, get_label_classes(scope, model), outputs[0])
    else:  # multilabel: one sigmoid per label, a label where the score is > 0
        graph.node("Sigmoid", [raw], outputs[1])
        positive = graph.node("Greater", [raw, graph.constant("zero", 0.0)])
        graph.node("Cast", [positive], outputs[0], to=TensorProto.INT64)


def _labels(graph, scores, classes, output):
    """``classes[argmax(scores)]``: the first of tied scores, as NumPy picks."""
    classes = np.asarray(classes)
    index = graph.node("ArgMax", [scores], axis=1, keepdims=0)
    if _label_type(classes) is StringTensorType:
        table = graph.constant(
            "classes",
            np.array([str(c).encode() for c in classes], dtype=object),
            TensorProto.STRING,
        )
    else:
        table = graph.constant("classes", classes.astype(np.int64), TensorProto.INT64)
    graph.node("Gather", [table, index], output, axis=0)
