"""The tabular networks export with one input per raw column, and agree."""

import copy

import numpy as np
import pytest

rt = pytest.importorskip("onnxruntime")
skdeep_onnx = pytest.importorskip("skdeep.onnx")
pd = pytest.importorskip("pandas")

import skl2onnx  # noqa: E402
from onnx import TensorProto  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skdeep import (  # noqa: E402
    DeepNetClassifier,
    TabularNetClassifier,
    TabularNetRegressor,
)
from skdeep.onnx import to_onnx  # noqa: E402
from skdeep.onnx._tabular import tabular_input_types  # noqa: E402
from skdeep.preprocessing import TabularPreprocessor  # noqa: E402

TOLERANCE = {"float32": 1e-5, "float64": 1e-10}
NUMERIC = ["num", "skewed", "count"]


def _frame(n, rng):
    big = [f"L{i}" for i in range(14)]
    return pd.DataFrame(
        {
            "num": np.where(rng.rand(n) < 0.15, np.nan, rng.normal(size=n)),
            "skewed": np.where(
                rng.rand(n) < 0.1, np.nan, 100 * rng.exponential(size=n)
            ),
            "count": rng.randint(0, 6, n),
            "small": pd.Series(rng.choice(["x", "y", "z", None], n), dtype=object),
            "two": rng.choice(["p", "q"], n),
            "big": pd.Categorical(rng.choice(big + [None], n)),
            "flag": rng.rand(n) < 0.5,
        }
    )


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = _frame(150, rng)
    signal = np.nan_to_num(X["num"].to_numpy()) + (X["two"] == "p") - X["flag"]
    signal += X["big"].isin(["L1", "L2", "L3"]).to_numpy() * 1.5
    # Rows to predict: training rows, then missing and unseen values.
    extra = pd.DataFrame(
        {
            "num": [np.nan, 0.5, 40.0, -3.0, np.nan],
            "skewed": [np.nan, np.nan, 1e4, 5.0, 0.0],
            "count": [0, 9, 2, 3, 1],
            "small": [None, "w", "x", None, "z"],
            "two": ["q", "r", None, "p", "q"],
            "big": ["L99", None, "L3", "L0", "L13"],
            "flag": [True, False, None, True, False],
        }
    )
    X_test = pd.concat([X.head(20).astype(object), extra], ignore_index=True)
    for column in NUMERIC:
        X_test[column] = X_test[column].astype(np.float64)
    return X, signal.to_numpy(dtype=np.float64), X_test


def _feeds(X, dtype):
    """The raw columns as the graph takes them: "" for a missing category."""
    feeds = {}
    for column in X.columns:
        if column in NUMERIC:
            values = X[column].to_numpy(dtype=dtype, na_value=np.nan)
        else:
            values = np.array(
                ["" if pd.isna(v) else str(v) for v in X[column]], dtype=object
            )
        feeds[column] = values.reshape(-1, 1)
    return feeds


def _run(graph, feeds):
    session = rt.InferenceSession(
        graph.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, feeds)


def _target(task, signal):
    if task == "binary":
        return (signal > 0.5).astype(int)
    if task == "multiclass":
        names = np.array(["low", "mid", "high"], dtype=object)
        return names[np.digitize(signal, [0.0, 1.0])]
    if task == "multilabel":
        return np.column_stack([signal > 0.5, signal > 1.5, signal < -1]).astype(int)
    if task == "two targets":
        return np.column_stack([signal, 100 - 3 * signal**2])
    return signal


REGRESSION = {
    "regression": {},
    "two targets": {},
    "quantile": {"loss": "quantile", "quantile": 0.7},
}


_FITTED = {}


def _fitted(task, dtype, linear_blend, data):
    key = task, dtype, linear_blend
    if key not in _FITTED:
        X, signal, _ = data
        cls = TabularNetRegressor if task in REGRESSION else TabularNetClassifier
        model = cls(
            **REGRESSION.get(task, {}),
            hidden_layer_sizes=(16,),
            max_iter=5,
            n_ensembles=2,
            linear_blend=linear_blend,
            dtype=dtype,
            random_state=0,
        )
        _FITTED[key] = model.fit(X, _target(task, signal))
    return _FITTED[key]


@pytest.mark.parametrize(
    "task",
    ["binary", "multiclass", "multilabel", "regression", "two targets", "quantile"],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("blend", ["none", "fitted", "forced"])
def test_tabular_net_matches_predictions(task, dtype, blend, data):
    X, _, X_test = data
    model = _fitted(task, dtype, blend != "none", data)
    if blend == "forced":  # a blend strictly between the two models
        model = copy.deepcopy(model)
        model.blend_weight_ = 0.35
    graph = to_onnx(model, X[:2])
    inputs = {i.name: i.type.tensor_type for i in graph.graph.input}
    assert list(inputs) == list(X.columns)
    float_type = TensorProto.FLOAT if dtype == "float32" else TensorProto.DOUBLE
    for name, tensor in inputs.items():
        kind = float_type if name in NUMERIC else TensorProto.STRING
        assert tensor.elem_type == kind
        assert [d.dim_value for d in tensor.shape.dim] == [0, 1]
    outputs = _run(graph, _feeds(X_test, dtype))
    if task in REGRESSION:
        assert [o.name for o in graph.graph.output] == ["variable"]
        expected = model.predict(X_test).reshape(len(X_test), -1)
        assert outputs[0].shape == expected.shape
        np.testing.assert_allclose(
            outputs[0], expected, rtol=0, atol=TOLERANCE[dtype] * np.abs(expected).max()
        )
        return
    assert [o.name for o in graph.graph.output] == ["label", "probabilities"]
    label, proba = outputs
    np.testing.assert_allclose(
        proba, model.predict_proba(X_test), rtol=0, atol=TOLERANCE[dtype]
    )
    np.testing.assert_array_equal(label, model.predict(X_test))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "params",
    [{}, {"clip": None}, {"max_one_hot": 0}, {"max_one_hot": 100}],
    ids=["default", "unclipped", "all coded", "all one-hot"],
)
def test_preprocessor_matches_transform(dtype, params, data):
    X, _, X_test = data
    pre = TabularPreprocessor(dtype=dtype, **params).fit(X)
    graph = to_onnx(pre, X[:1])
    assert [i.name for i in graph.graph.input] == list(X.columns)
    (out,) = _run(graph, _feeds(X_test, dtype))
    expected = pre.transform(X_test)
    assert out.dtype == expected.dtype
    tolerance = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expected, rtol=tolerance, atol=tolerance)


def test_array_fitted_model_has_one_input(data):
    X, signal, X_test = data
    numbers = X[NUMERIC].to_numpy(dtype=np.float64)
    model = TabularNetClassifier(
        hidden_layer_sizes=(16,), max_iter=5, random_state=0
    ).fit(numbers, _target("binary", signal))
    graph = to_onnx(model, numbers[:1])
    (tensor,) = [i for i in graph.graph.input]
    assert tensor.name == "X"
    assert [d.dim_value for d in tensor.type.tensor_type.shape.dim] == [0, 3]
    rows = X_test[NUMERIC].to_numpy(dtype=np.float64)
    label, proba = _run(graph, {"X": rows.astype(np.float32)})
    np.testing.assert_allclose(proba, model.predict_proba(rows), atol=1e-5)
    np.testing.assert_array_equal(label, model.predict(rows))


def test_skl2onnx_zipmap(data):
    # skl2onnx's own conventions: output_label and a ZipMap of probabilities.
    X, _, X_test = data
    model = _fitted("multiclass", "float32", True, data)
    graph = skl2onnx.to_onnx(model, initial_types=tabular_input_types(model, X))
    assert [o.name for o in graph.graph.output] == [
        "output_label",
        "output_probability",
    ]
    label, proba = _run(graph, _feeds(X_test, np.float32))
    expected = model.predict_proba(X_test)
    table = np.array([[row[c] for c in model.classes_] for row in proba])
    np.testing.assert_allclose(table, expected, atol=1e-5)
    np.testing.assert_array_equal(label, model.predict(X_test))


def test_pipeline_with_preprocessor_first(data):
    X, signal, X_test = data
    pipeline = make_pipeline(
        TabularPreprocessor(dtype=np.float32),
        DeepNetClassifier((8,), max_iter=5, random_state=0),
    )
    with pytest.warns(ConvergenceWarning):
        pipeline.fit(X, _target("binary", signal))
    graph = to_onnx(pipeline, X[:1])
    assert [i.name for i in graph.graph.input] == list(X.columns)
    label, proba = _run(graph, _feeds(X_test, np.float32))
    np.testing.assert_allclose(proba, pipeline.predict_proba(X_test), atol=1e-5)
    np.testing.assert_array_equal(label, pipeline.predict(X_test))


def test_sample_with_other_columns_is_refused(data):
    X, _, _ = data
    pre = TabularPreprocessor().fit(X)
    with pytest.raises(ValueError, match="columns"):
        to_onnx(pre, X[list(reversed(X.columns))][:1])


def test_date_columns_are_refused_in_one_line(data):
    X, _, _ = data
    X = X.assign(when=pd.date_range("2024-01-01", periods=len(X), freq="D"))
    pre = TabularPreprocessor().fit(X)
    with pytest.raises(ValueError, match="Column 'when' holds dates") as info:
        to_onnx(pre, X[:1])
    assert "\n" not in str(info.value)


def test_empty_string_level_warns():
    X = pd.DataFrame({"c": ["", "a", "b", "a", None]})
    pre = TabularPreprocessor().fit(X)
    with pytest.warns(UserWarning, match="empty string"):
        graph = to_onnx(pre, X[:1])
    (out,) = _run(graph, {"c": np.array([["a"], [""], ["zz"]], dtype=object)})
    expected = pre.transform(pd.DataFrame({"c": ["a", "", "zz"]}))
    np.testing.assert_allclose(out, expected)
