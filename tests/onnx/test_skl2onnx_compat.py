"""skl2onnx.to_onnx treats skdeep's estimators as it treats scikit-learn's.

The same export code runs on a pipeline ending in MLPClassifier (or
LogisticRegression, MLPRegressor) and on one ending in the skdeep estimator
that replaces it; the outputs have the same names, types and shapes, and the
same values where the models are the same.
"""

import numpy as np
import pytest

rt = pytest.importorskip("onnxruntime")
pytest.importorskip("skdeep.onnx")

import skl2onnx  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), y


def _targets(kind, y):
    if kind == "binary":
        return (y > 0).astype(int)
    if kind == "multiclass":
        return y
    if kind == "strings":
        return np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    return np.stack([y == 0, y == 1, y == 2], axis=1).astype(int)  # multilabel


# Pairs that train the same weights for the same random_state.
PAIRS = {
    "mlp": (
        lambda: MLPClassifier((5,), max_iter=30, random_state=0),
        lambda: DeepNetClassifier((5,), max_iter=30, random_state=0),
    ),
    "logistic": (
        lambda: LogisticRegression(max_iter=500),
        lambda: LogisticUnit(max_iter=500),
    ),
}
OPTIONS = [None, {"zipmap": False}, {"zipmap": "columns"}, {"nocl": True}]


def _signature(graph):
    """Name, kind (tensor, sequence) and element type of each output."""
    rows = []
    for output in graph.graph.output:
        kind = output.type.WhichOneof("value")
        elem = output.type.tensor_type.elem_type if kind == "tensor_type" else None
        rows.append((output.name, kind, elem))
    return rows


def _export(pipe, X, options, by_id):
    model = pipe[-1]
    if options is not None:
        options = {id(model) if by_id else type(model): options}
    graph = skl2onnx.to_onnx(pipe, X[:1], options=options)
    session = rt.InferenceSession(graph.SerializeToString())
    return graph, session.run(None, {"X": X})


def _cases():
    for name in PAIRS:
        for kind in ("binary", "multiclass", "strings", "multilabel"):
            if name == "logistic" and kind == "multilabel":
                continue  # neither LogisticRegression nor LogisticUnit has it
            for options in OPTIONS:
                if options == {"nocl": True} and kind in ("multilabel", "strings"):
                    # skl2onnx refuses nocl for multilabel, and its graph for
                    # MLPClassifier with string labels fails in onnxruntime
                    # (a Cast of the labels); skdeep's is tested below.
                    continue
                yield pytest.param(name, kind, options, id=f"{name}-{kind}-{options}")


@pytest.mark.parametrize("by_id", [False, True], ids=["by-class", "by-id"])
@pytest.mark.parametrize("name, kind, options", list(_cases()))
def test_same_export_code_same_outputs(data, name, kind, options, by_id):
    X, y = data
    target = _targets(kind, y)
    theirs, ours = (
        make_pipeline(StandardScaler(), make()).fit(X, target) for make in PAIRS[name]
    )
    their_graph, their_out = _export(theirs, X, options, by_id)
    our_graph, our_out = _export(ours, X, options, by_id)
    assert _signature(our_graph) == _signature(their_graph)
    assert len(our_out) == len(their_out)
    for mine, reference in zip(our_out, their_out, strict=True):
        if isinstance(reference, list):  # ZipMap: a list of {class: probability}
            assert [sorted(m) for m in mine] == [sorted(r) for r in reference]
            mine = np.array([[m[k] for k in sorted(m)] for m in mine])
            reference = np.array([[r[k] for k in sorted(r)] for r in reference])
        assert mine.shape == reference.shape and mine.dtype == reference.dtype
        if name == "mlp":  # the same weights: the same values
            if mine.dtype.kind == "f":
                np.testing.assert_allclose(mine, reference, atol=1e-5)
            else:
                np.testing.assert_array_equal(mine, reference)


@pytest.mark.parametrize("options", [None, {"zipmap": False}, {"nocl": True}])
def test_labels_and_probabilities_agree_with_the_model(data, options):
    X, y = data
    pipe = make_pipeline(
        StandardScaler(), DeepNetClassifier((5,), max_iter=30, random_state=0)
    ).fit(X, _targets("strings", y))
    graph, (label, proba) = _export(pipe, X, options, by_id=False)
    expected = pipe.predict(X)
    if options == {"nocl": True}:  # indices instead of class labels
        expected = np.searchsorted(pipe[-1].classes_, expected)
    np.testing.assert_array_equal(label, expected)
    if isinstance(proba, list):  # ZipMap: keys are the labels (or indices)
        proba = np.array([[p[c] for c in sorted(p)] for p in proba])
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)


def test_regressor_output_is_mlpregressors(data):
    X, y = data
    target = X[:, 0] * 2 + y
    theirs = make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(5,), max_iter=30, random_state=0),
    ).fit(X, target)
    ours = make_pipeline(
        StandardScaler(),
        DeepNetRegressor(hidden_layer_sizes=(5,), max_iter=30, random_state=0),
    ).fit(X, target)
    their_graph, (their_out,) = _export(theirs, X, None, False)
    our_graph, (our_out,) = _export(ours, X, None, False)
    assert _signature(our_graph) == _signature(their_graph)
    assert our_out.shape == their_out.shape
    np.testing.assert_allclose(our_out, their_out, atol=1e-5)
