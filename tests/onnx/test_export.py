"""Exported graphs run in onnxruntime and agree with skdeep's predictions."""

import importlib
import sys

import numpy as np
import pytest
import scipy.sparse as sp

rt = pytest.importorskip("onnxruntime")
skdeep_onnx = pytest.importorskip("skdeep.onnx")

import pandas as pd  # noqa: E402
import skl2onnx  # noqa: E402
from sklearn.compose import (  # noqa: E402
    ColumnTransformer,
    TransformedTargetRegressor,
)
from sklearn.datasets import make_classification, make_multilabel_classification  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit  # noqa: E402
from skdeep.nn import ACTIVATIONS  # noqa: E402
from skdeep.onnx import to_onnx  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
TOLERANCE = 1e-5  # probabilities and regression outputs, float32 input


def _run(graph, inputs):
    session = rt.InferenceSession(
        graph.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, inputs)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=200, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def _targets(kind, X, y):
    if kind == "binary":
        return (y > 0).astype(int)
    if kind == "multiclass":
        return y
    if kind == "strings":
        return np.array(["Adelie", "Chinstrap", "Gentoo"], dtype=object)[y]
    if kind == "multilabel":
        return make_multilabel_classification(
            n_samples=len(X), n_features=X.shape[1], n_classes=3, random_state=0
        )[1]
    raise ValueError(kind)


CLASSIFIERS = {
    "deep net": lambda: DeepNetClassifier((8, 6), max_iter=40, random_state=0),
    "batch norm + dropout": lambda: DeepNetClassifier(
        (8, 6), batch_norm=True, dropout=(0.2, 0.1), max_iter=40, random_state=0
    ),
    "batch norm, lbfgs": lambda: DeepNetClassifier(
        (8,), batch_norm=True, solver="lbfgs", max_iter=50, random_state=0
    ),
    "front scale + periodic embedding": lambda: DeepNetClassifier(
        (8,),
        activation="selu",
        front_scale=True,
        embedding="periodic",
        embedding_options={"n_frequencies": 4, "n_units": 3, "sigma": 0.5},
        max_iter=40,
        random_state=0,
    ),
    "logistic unit": lambda: LogisticUnit(),
    "unit without intercept": lambda: LogisticUnit(fit_intercept=False),
}


def _check_classifier(model, X, dtype):
    graph = to_onnx(model, X[:1].astype(dtype))
    assert [o.name for o in graph.graph.output] == ["label", "probabilities"]
    assert all(node.op_type != "ZipMap" for node in graph.graph.node)
    label, proba = _run(graph, {"X": X.astype(dtype)})
    expected = model.predict_proba(X.astype(dtype))
    assert proba.dtype == dtype and proba.shape == expected.shape
    np.testing.assert_allclose(proba, expected, atol=TOLERANCE)
    np.testing.assert_array_equal(label, model.predict(X.astype(dtype)))


CASES = [
    pytest.param(make, kind, id=f"{name}-{kind}")
    for name, make in CLASSIFIERS.items()
    for kind in ("binary", "multiclass", "strings", "multilabel")
    if not (kind == "multilabel" and "unit" in name)  # LogisticUnit: no multilabel
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make, kind", CASES)
def test_classifiers(data, make, kind, dtype):
    X, y = data
    _check_classifier(make().fit(X, _targets(kind, X, y)), X, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation(data, activation, dtype):
    X, y = data
    model = DeepNetClassifier(
        (8, 6), activation=activation, max_iter=40, random_state=0
    ).fit(X.astype(dtype), y)
    _check_classifier(model, X, dtype)


def test_a_sparse_trained_model_takes_dense_input(data):
    X, y = data
    X = np.where(np.abs(X) > 0.5, X, 0.0)
    model = DeepNetClassifier((8,), max_iter=40, random_state=0)
    model.fit(sp.csr_matrix(X), y)
    _check_classifier(model, X, np.float32)


REGRESSORS = {
    "squared error": lambda: DeepNetRegressor(
        hidden_layer_sizes=(8, 6), max_iter=60, random_state=0
    ),
    "mish + front scale + periodic embedding": lambda: DeepNetRegressor(
        hidden_layer_sizes=(8,),
        activation="mish",
        front_scale=True,
        embedding="periodic",
        embedding_options={"n_frequencies": 3, "n_units": 2},
        max_iter=60,
        random_state=0,
    ),
    "poisson": lambda: DeepNetRegressor(
        loss="poisson", hidden_layer_sizes=(8,), max_iter=60, random_state=0
    ),
    "batch norm + dropout + gelu": lambda: DeepNetRegressor(
        hidden_layer_sizes=(8, 6),
        batch_norm=True,
        dropout=0.2,
        activation="gelu",
        max_iter=60,
        random_state=0,
    ),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("make", REGRESSORS.values(), ids=REGRESSORS.keys())
def test_regressors(data, make, n_outputs, dtype):
    X, _ = data
    y = np.abs(X[:, :n_outputs] + 0.5 * X[:, 1:2])
    model = make().fit(X, y if n_outputs > 1 else y[:, 0])
    graph = to_onnx(model, X[:1].astype(dtype))
    assert [o.name for o in graph.graph.output] == ["variable"]
    (variable,) = _run(graph, {"X": X.astype(dtype)})
    expected = model.predict(X.astype(dtype))
    assert variable.dtype == dtype and variable.shape == (len(X), n_outputs)
    np.testing.assert_allclose(
        variable.reshape(expected.shape), expected, rtol=TOLERANCE, atol=TOLERANCE
    )


def _frame(n=240, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10, 0.5, n).astype(np.float32),
            "age": rng.uniform(18, 80, n).astype(np.float32),
            "city": rng.choice(["Lyon", "Oslo", "Quito"], n).astype(object),
        }
    )
    frame.loc[rng.rand(n) < 0.1, "income"] = np.nan
    score = np.log(frame.income.fillna(2e4)) / 2 + (frame.age > 40)
    score += frame.city == "Oslo"
    return frame, score.to_numpy()


def _column_pipeline(final):
    preprocess = ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                ["income", "age"],
            ),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), ["city"]),
        ]
    )
    return make_pipeline(preprocess, final)


def _columns(frame):
    return {name: frame[[name]].to_numpy() for name in frame.columns}


def test_a_column_transformer_pipeline_on_a_dataframe():
    frame, score = _frame()
    label = np.where(score > np.median(score), "approved", "declined")
    model = _column_pipeline(DeepNetClassifier((16,), max_iter=60, random_state=0)).fit(
        frame, label
    )
    graph = to_onnx(model, frame[:1])
    assert [i.name for i in graph.graph.input] == ["income", "age", "city"]
    onnx_label, proba = _run(graph, _columns(frame))
    np.testing.assert_allclose(proba, model.predict_proba(frame), atol=TOLERANCE)
    np.testing.assert_array_equal(onnx_label, model.predict(frame))
    # skl2onnx's own entry point converts it too, once skdeep.onnx is imported,
    # with its conventions for classifiers (a ZipMap unless told otherwise).
    again = skl2onnx.to_onnx(model, frame[:1])
    assert [o.name for o in again.graph.output] == [
        "output_label",
        "output_probability",
    ]
    plain = skl2onnx.to_onnx(
        model, frame[:1], options={DeepNetClassifier: {"zipmap": False}}
    )
    np.testing.assert_allclose(_run(plain, _columns(frame))[1], proba)


def test_a_transformed_target_regressor():
    frame, score = _frame()
    price = 1e5 * score  # a target on a large scale, as the docs advise
    model = TransformedTargetRegressor(
        _column_pipeline(DeepNetRegressor(hidden_layer_sizes=(16,), max_iter=60)),
        transformer=StandardScaler(),
    ).fit(frame, price)
    (variable,) = _run(to_onnx(model, frame[:1]), _columns(frame))
    np.testing.assert_allclose(variable[:, 0], model.predict(frame), rtol=TOLERANCE)


def test_other_target_transformers_are_refused(data):
    from sklearn.preprocessing import MinMaxScaler

    X, y = data
    model = TransformedTargetRegressor(
        DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=5),
        transformer=MinMaxScaler(),
    ).fit(X, y.astype(float))
    with pytest.raises(NotImplementedError, match="with a StandardScaler"):
        to_onnx(model, X[:1].astype(np.float32))


def test_without_the_extra_the_import_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # the import now fails
    monkeypatch.delitem(sys.modules, "skdeep.onnx")
    with pytest.raises(ImportError, match=r"pip install 'skdeep\[onnx\]'"):
        importlib.import_module("skdeep.onnx")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("embedding", [None, "pbld"])
def test_category_and_pbld_embeddings(embedding, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    X[:, 2] = rng.randint(0, 5, 120)
    y = (X[:, 0] + (X[:, 2] == 3) > 0).astype(int)
    net = DeepNetRegressor(
        hidden_layer_sizes=(8,),
        embedding=embedding,
        embedding_options={"categories": {2: 5}, "n_frequencies": 3},
        front_scale=True,
        max_iter=20,
        random_state=0,
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        net.fit(X, y)
    X_test = X[:6].astype(dtype)
    X_test[:3, 2] = [7, -2, 1.5]  # unseen and invalid codes: code 0
    (out,) = _run(to_onnx(net, X_test[:1]), {"X": X_test})
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.ravel(), net.predict(X_test), atol=tolerance)
