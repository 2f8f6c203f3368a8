"""scikit-learn's own MLPClassifier and MLPRegressor tests, run on skdeep.

scikit-learn ships its tests: ``sklearn/neural_network/tests/test_mlp.py``.
Every test function there is called here with the module's ``MLPClassifier``
and ``MLPRegressor`` replaced by ``DeepNetClassifier`` and
``DeepNetRegressor`` for the duration of the call; its ``parametrize`` marks
are expanded (with the same replacement in their values) and its
``filterwarnings`` marks applied. Nothing is copied: whatever scikit-learn
version is installed is what runs.

Every test runs, except those that read or write MLP's private internals,
and those where skdeep deliberately does something else: both are listed
below with the reason, and a test of skdeep's behaviour stands beside each
difference. A test scikit-learn adds later runs here automatically.
"""

import importlib
import inspect
import itertools
import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skdeep import DeepNetClassifier, DeepNetRegressor
from skdeep.estimators._base import BaseNetwork

reference = pytest.importorskip("sklearn.neural_network.tests.test_mlp")

OURS = {MLPClassifier: DeepNetClassifier, MLPRegressor: DeepNetRegressor}
# Tests that use MLP's private methods and attributes.
PRIVATE = {
    "test_gradient": "calls MLPClassifier._loss_grad_lbfgs",
    "test_fit": "sets MLPClassifier._coef_grads and other internals",
    "test_adaptive_learning_rate": "reads MLPClassifier._optimizer",
    "test_learning_rate_warmstart": "reads MLPClassifier._optimizer",
}
# Where skdeep differs on purpose (None: for every estimator the test takes);
# the tests at the end of this module check skdeep's behaviour.
DIFFERENT = {
    ("test_nonfinite_params", None): "training that overflows raises skdeep's "
    "'Training diverged' ValueError (cause and remedy), not MLP's message",
    ("test_mlp_diverging_loss", None): "a diverging fit raises a ValueError and "
    "leaves the estimator as it was; MLP finishes with NaN validation scores",
    ("test_preserve_feature_names", DeepNetClassifier): "a target with a single "
    "class is an error for skdeep's classifiers; MLPClassifier trains on it",
}
# The seeds scikit-learn's global_random_seed fixture would draw from.
SEEDS = (0, 42)


def _mlp_tests():
    for name, func in inspect.getmembers(reference, inspect.isfunction):
        source = inspect.getsource(func)
        if name.startswith("test_") and (
            "MLPClassifier" in source or "MLPRegressor" in source
        ):
            yield name, func


def _expand(func):
    """The keyword arguments of every case of a test's parametrize marks."""
    axes = []
    for mark in getattr(func, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = [n.strip() for n in mark.args[0].split(",")]
        cases = []
        for value in mark.args[1]:
            value = getattr(value, "values", value)  # a pytest.param
            value = value if len(names) > 1 else (value,)
            cases.append(dict(zip(names, value, strict=True)))
        axes.append(cases)
    if "global_random_seed" in inspect.signature(func).parameters:
        axes.append([{"global_random_seed": seed} for seed in SEEDS])
    for combination in itertools.product(*axes):
        kwargs = {k: v for case in combination for k, v in case.items()}
        yield {
            k: OURS.get(v, v) if isinstance(v, type) else v for k, v in kwargs.items()
        }


def _different(name, kwargs):
    estimators = [v for v in kwargs.values() if isinstance(v, type)]
    return (name, None) in DIFFERENT or any(
        (name, est) in DIFFERENT for est in estimators
    )


def _cases():
    for name, func in _mlp_tests():
        if name in PRIVATE:
            continue
        for i, kwargs in enumerate(_expand(func)):
            if not _different(name, kwargs):
                yield pytest.param(name, kwargs, id=f"{name}[{i}]")


def _warning_filters(func):
    """The test's filterwarnings marks, as (action, category) pairs."""
    for mark in getattr(func, "pytestmark", []):
        if mark.name == "filterwarnings":
            action, _, category = (mark.args[0].split(":") + ["", ""])[:3]
            module, _, cls = category.rpartition(".")
            yield action, getattr(importlib.import_module(module), cls)


@pytest.mark.parametrize("name, kwargs", list(_cases()))
def test_sklearn_mlp_test_passes(name, kwargs, monkeypatch, request):
    func = getattr(reference, name)
    for fixture in ("tmp_path", "capsys"):
        if fixture in inspect.signature(func).parameters:
            kwargs[fixture] = request.getfixturevalue(fixture)
    for theirs, ours in OURS.items():
        monkeypatch.setattr(reference, theirs.__name__, ours)
    fits, original = [], BaseNetwork._fit

    def counted(self, *args, **kw):
        fits.append(type(self))
        return original(self, *args, **kw)

    monkeypatch.setattr(BaseNetwork, "_fit", counted)
    with warnings.catch_warnings():
        for action, category in _warning_filters(func):
            warnings.simplefilter(action, category)
        func(**kwargs)
    assert fits, "the test never trained a skdeep estimator"


def test_every_test_is_collected_or_explained():
    names = {name for name, _ in _mlp_tests()}
    assert len(names) >= 25, sorted(names)
    for name in names - set(PRIVATE):
        assert list(_expand(getattr(reference, name))), name


# -- where skdeep differs ---------------------------------------------------------
def test_overflowing_input_is_reported_as_divergence():
    # test_nonfinite_params: scikit-learn expects its own message.
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    est = DeepNetRegressor()
    with pytest.raises(ValueError, match="Training diverged.*scale the input"):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")


def test_diverging_loss_raises_and_keeps_the_estimator():
    # test_mlp_diverging_loss: MLPRegressor ends with NaN validation scores.
    X, y = reference.X_iris, reference.y_iris
    est = DeepNetRegressor(
        hidden_layer_sizes=100,
        activation="identity",
        solver="sgd",
        learning_rate_init=1,
        max_iter=20,
        early_stopping=True,
        random_state=0,
    )
    with pytest.raises(ValueError, match="Training diverged.*learning_rate_init"):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")


def test_a_single_class_is_an_error():
    # test_preserve_feature_names trains MLPClassifier on one class.
    X = np.random.RandomState(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="at least 2 classes.*only one class: 1"):
        DeepNetClassifier(early_stopping=True).fit(X, np.full(10, 1))
