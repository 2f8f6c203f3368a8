"""scikit-learn's own MLPRegressor tests, run on DeepNetRegressor.

scikit-learn ships its tests: ``sklearn/neural_network/tests/test_mlp.py``.
Every test function there that uses ``MLPRegressor`` is called here with the
module's ``MLPRegressor`` replaced by ``DeepNetRegressor`` for the duration of
the call; its ``parametrize`` marks are expanded (dropping the
``MLPClassifier`` cases) and its ``filterwarnings`` marks applied. Nothing is
copied: whatever scikit-learn version is installed is what runs.

Every such test runs, except where skdeep deliberately does something else:
those are listed below with the reason, and a test of skdeep's behaviour
stands beside each. (None of the regression tests inspects private
internals; the one that does, ``test_gradient``, is the classifier's.) A
test scikit-learn adds later runs here automatically.
"""

import importlib
import inspect
import itertools
import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skdeep import DeepNetRegressor

reference = pytest.importorskip("sklearn.neural_network.tests.test_mlp")

# Where skdeep differs on purpose; the test beside each name checks skdeep.
DIFFERENT = {
    "test_nonfinite_params": "training that overflows raises skdeep's "
    "'Training diverged' ValueError (cause and remedy), not MLP's message",
    "test_mlp_diverging_loss": "a diverging fit raises a ValueError and leaves "
    "the estimator as it was, where MLP finishes with NaN validation scores",
}
# The seeds scikit-learn's global_random_seed fixture would draw from.
SEEDS = (0, 42)


def _regression_tests():
    for name, func in inspect.getmembers(reference, inspect.isfunction):
        if name.startswith("test_") and "MLPRegressor" in inspect.getsource(func):
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
        if any(value is MLPClassifier for value in kwargs.values()):
            continue
        yield {
            k: DeepNetRegressor if v is MLPRegressor else v for k, v in kwargs.items()
        }


def _cases():
    for name, func in _regression_tests():
        if name in DIFFERENT:
            continue
        for i, kwargs in enumerate(_expand(func)):
            yield pytest.param(name, kwargs, id=f"{name}[{i}]")


def _warning_filters(func):
    """The test's filterwarnings marks, as (action, category) pairs."""
    for mark in getattr(func, "pytestmark", []):
        if mark.name == "filterwarnings":
            action, _, category = (mark.args[0].split(":") + ["", ""])[:3]
            module, _, cls = category.rpartition(".")
            yield action, getattr(importlib.import_module(module), cls)


@pytest.mark.parametrize("name, kwargs", list(_cases()))
def test_sklearn_regression_test_passes(name, kwargs, monkeypatch, request):
    func = getattr(reference, name)
    for fixture in ("tmp_path", "capsys"):
        if fixture in inspect.signature(func).parameters:
            kwargs[fixture] = request.getfixturevalue(fixture)
    monkeypatch.setattr(reference, "MLPRegressor", DeepNetRegressor)
    fits, original = [], DeepNetRegressor._fit

    def counted(self, *args, **kw):
        fits.append(type(self))
        return original(self, *args, **kw)

    monkeypatch.setattr(DeepNetRegressor, "_fit", counted)
    with warnings.catch_warnings():
        for action, category in _warning_filters(func):
            warnings.simplefilter(action, category)
        func(**kwargs)
    assert fits, "the test never trained a DeepNetRegressor"


def test_every_regression_test_is_collected():
    names = {name for name, _ in _regression_tests()}
    assert len(names) >= 10, sorted(names)
    for name in names - set(DIFFERENT):
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
