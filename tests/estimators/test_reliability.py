"""Nothing silently wrong, nothing lost: bad input, extremes, divergence, interrupts."""

import gc
import pickle
import threading
import tracemalloc
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit
from skdeep.nn import Network

fixed_budget = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)
ESTIMATORS = [
    pytest.param(lambda: DeepNetClassifier((8,), max_iter=5), id="deepnet"),
    pytest.param(lambda: LogisticUnit(), id="unit"),
]


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X, y


# -- bad input ---------------------------------------------------------------
@fixed_budget
@pytest.mark.parametrize("make", ESTIMATORS)
@pytest.mark.parametrize(
    "mutate, match",
    [
        (
            lambda X, y: (
                np.where(np.arange(X.size).reshape(X.shape) == 3, np.nan, X),
                y,
            ),
            "Input X contains NaN",
        ),
        (
            lambda X, y: (
                np.where(np.arange(X.size).reshape(X.shape) == 3, np.inf, X),
                y,
            ),
            "Input X contains infinity",
        ),
        (lambda X, y: (X.astype(str).astype(object) + "x", y), "could not convert"),
        (lambda X, y: (X[:, :, None], y), "Found array with dim 3"),
        (lambda X, y: (X[:0], y[:0]), "0 sample"),
        (lambda X, y: (X, np.zeros_like(y)), "only one class"),
        (lambda X, y: (X, y + 0.5 * np.arange(len(y))), "Unknown label type"),
        (lambda X, y: (X[:-1], y), "inconsistent numbers of samples"),
    ],
    ids=["nan", "inf", "strings", "3d", "empty", "one-class", "continuous", "length"],
)
def test_bad_input_is_a_clear_value_error(make, data, mutate, match):
    X, y = mutate(*data)
    with pytest.raises(ValueError, match=match):
        make().fit(X, y)


@pytest.mark.parametrize("make", ESTIMATORS)
def test_bad_sample_weight(make, data):
    X, y = data
    with pytest.raises(ValueError, match="[Nn]egative"):
        make().fit(X, y, sample_weight=np.full(len(y), -1.0))
    with pytest.raises(ValueError, match="sample_weight.shape"):
        make().fit(X, y, sample_weight=np.ones(len(y) + 1))


@fixed_budget
@pytest.mark.parametrize("make", ESTIMATORS)
def test_wrong_number_of_features_at_predict(make, data):
    X, y = data
    est = make().fit(X, y)
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(ValueError, match="X has 5 features, but .* expecting 6"):
            getattr(est, method)(X[:, :5])


@pytest.mark.parametrize(
    "params",
    [
        dict(alpha=-1.0),
        dict(solver="newton"),
        dict(learning_rate_init=0.0),
        dict(batch_size=0),
        dict(max_iter=0),
        dict(momentum=1.5),
        dict(beta_1=1.0),
        dict(validation_fraction=1.0),
        dict(class_weight="auto"),
        dict(hidden_layer_sizes=(0,)),
        dict(hidden_layer_sizes=(10, -3)),
        dict(activation="swish"),
    ],
    ids=repr,
)
def test_invalid_parameters_name_the_parameter(data, params):
    X, y = data
    name = next(iter(params))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        DeepNetClassifier(**params).fit(X, y)


# -- numerical extremes ------------------------------------------------------
@fixed_budget
@pytest.mark.parametrize("scale", [1e6, 1e150])
@pytest.mark.parametrize(
    "make",
    [
        lambda: DeepNetClassifier((16,), max_iter=20, random_state=0),
        lambda: DeepNetClassifier(
            (16,), activation="tanh", solver="lbfgs", max_iter=30
        ),
        lambda: DeepNetClassifier((16,), activation="logistic", solver="sgd"),
        lambda: LogisticUnit(max_iter=30),
    ],
)
def test_huge_inputs_give_finite_normalised_probabilities(data, scale, make):
    X, y = data
    est = make().fit(X * scale, y)
    proba = est.predict_proba(X * scale)
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isfinite(est.predict_log_proba(X * scale)[proba > 0]).all()


@fixed_budget
@pytest.mark.parametrize("scale", [1e6, 1e150])
def test_huge_inputs_that_make_sgd_run_away_are_reported(data, scale):
    # A unit started at zero has a loss of log(3); SGD steps on inputs this
    # large throw it to losses of 1e8 and more: divergence, with the remedy.
    X, y = data
    est = LogisticUnit(solver="sgd", max_iter=20, random_state=0)
    with pytest.raises(ValueError, match="grew from 1.1 .* scale the input"):
        est.fit(X * scale, y)
    assert not hasattr(est, "coef_")
    assert est.fit(X, y).score(X, y) > 0.5  # scaled, the same unit trains


@fixed_budget
def test_float32_extremes(data):
    X, y = data
    X32 = (X * 1e6).astype(np.float32)
    est = DeepNetClassifier((16,), max_iter=10, random_state=0).fit(X32, y)
    proba = est.predict_proba(X32 * np.float32(1e30))
    assert proba.dtype == np.float32 and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


@fixed_budget
def test_input_that_overflows_the_network_is_an_error_not_nan(data):
    X, y = data
    est = LogisticUnit().fit(X, y)
    # Finite inputs whose weighted sum exceeds the float range for every class.
    X_huge = np.sign(est.coef_) * 1e308
    with pytest.raises(ValueError, match="overflowed"):
        est.predict_proba(X_huge)
    # Extreme but representable scores are fine, with exact zeros.
    proba = est.predict_proba(np.sign(est.coef_) * 1e300)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


# -- divergence --------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_divergence_is_reported_and_nothing_is_left_fitted(data, solver):
    X, y = data
    est = DeepNetClassifier(
        (64, 64), solver=solver, learning_rate_init=1e200, max_iter=50, random_state=0
    )
    with pytest.raises(ValueError, match="diverged.*learning_rate_init.*scale"):
        est.fit(X * 1e100, y)
    with pytest.raises(NotFittedError):
        est.predict(X)


@fixed_budget
def test_divergence_during_warm_start_keeps_the_previous_model(data):
    X, y = data
    est = DeepNetClassifier((32,), solver="sgd", max_iter=5, random_state=0)
    est.fit(X, y)
    before = est.predict_proba(X)
    curve = list(est.loss_curve_)
    est.set_params(warm_start=True, learning_rate_init=1e200)
    with pytest.raises(ValueError, match="diverged"):
        est.fit(X * 1e100, y)
    np.testing.assert_array_equal(est.predict_proba(X), before)
    assert est.loss_curve_ == curve and est.learning_rate_init == 1e200


@fixed_budget
def test_a_loss_that_runs_away_while_finite_is_divergence():
    # The report: SGD at learning_rate_init=1e3 on standardized iris ran 12
    # epochs to a loss of 5.9e68 and returned a "fitted" model.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = DeepNetClassifier(solver="sgd", learning_rate_init=1e3, random_state=0)
    with pytest.raises(ValueError, match=r"grew from 1\.1 to .* in epoch 2, more "):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")
    # Warm-started, the previous model is kept.
    est.set_params(learning_rate_init=0.01, max_iter=30).fit(X, y)
    before = est.predict_proba(X)
    est.set_params(warm_start=True, learning_rate_init=1e3)
    with pytest.raises(ValueError, match="Lower learning_rate_init"):
        est.fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), before)
    reg = DeepNetRegressor(learning_rate_init=1e6, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="Training diverged: the training loss grew"):
        reg.fit(X, X[:, 0])


@fixed_budget
def test_no_runaway_from_a_near_perfect_warm_start():
    # The loss at the start is ~0; the floor (the loss of a zero output)
    # keeps ordinary noise from looking like a runaway.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    est = DeepNetRegressor(
        hidden_layer_sizes=(8,),
        activation="identity",
        solver="lbfgs",
        alpha=0.0,
        tol=1e-12,
    ).fit(X, y)
    assert est.loss_ < 1e-8
    est.set_params(solver="adam", warm_start=True, learning_rate_init=0.01, max_iter=5)
    est.fit(X, y)
    assert est.n_iter_ == 5 and est.score(X, y) > 0.99


# -- interruption ------------------------------------------------------------
class _InterruptAfter:
    """Wrap an update rule so that its n-th update raises KeyboardInterrupt."""

    def __init__(self, optimizer, n):
        self.optimizer, self.n, self.calls = optimizer, n, 0

    def init(self, params):
        return self.optimizer.init(params)

    def update(self, *args):
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt
        self.optimizer.update(*args)


@fixed_budget
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_interrupt_keeps_the_last_completed_epoch(data, solver, monkeypatch):
    X, y = data
    params = dict(
        hidden_layer_sizes=(8,),
        solver=solver,
        batch_size=40,
        shuffle=False,
        random_state=0,
        max_iter=10,
    )
    original = DeepNetClassifier._make_optimizer
    # 6 batches per epoch: the 15th update is in the middle of epoch 3.
    monkeypatch.setattr(
        DeepNetClassifier,
        "_make_optimizer",
        lambda self: _InterruptAfter(original(self), 15),
    )
    est = DeepNetClassifier(**params)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    monkeypatch.undo()
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2 and est.t_ == 2 * len(X)
    two = DeepNetClassifier(**{**params, "max_iter": 2}).fit(X, y)
    for a, b in zip(
        est.coefs_ + est.intercepts_, two.coefs_ + two.intercepts_, strict=True
    ):
        np.testing.assert_array_equal(a, b)
    assert est.loss_curve_ == two.loss_curve_
    # Training resumes from there as if nothing had happened.
    est.set_params(warm_start=True, max_iter=1).fit(X, y)
    three = DeepNetClassifier(**{**params, "max_iter": 3}).fit(X, y)
    np.testing.assert_allclose(est.coefs_[0], three.coefs_[0], rtol=1e-12)


def test_interrupt_in_partial_fit_keeps_the_previous_call(data, monkeypatch):
    X, y = data
    est = DeepNetClassifier((8,), batch_size=40, shuffle=False, random_state=0)
    est.partial_fit(X, y, classes=np.unique(y))
    before = est.predict_proba(X)
    original = DeepNetClassifier._make_optimizer
    monkeypatch.setattr(
        DeepNetClassifier,
        "_make_optimizer",
        lambda self: _InterruptAfter(original(self), 3),
    )
    state = pickle.dumps(est)
    with pytest.raises(KeyboardInterrupt):
        est.partial_fit(X, y)
    # No epoch of this call completed: the estimator is as it was.
    assert pickle.dumps(est) == state
    np.testing.assert_array_equal(est.predict_proba(X), before)
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 1
    assert est._solver_state["optimizer"]["t"] == 6


@pytest.mark.parametrize("warm", [False, True])
def test_interrupt_in_the_first_epoch_leaves_the_estimator_as_it_was(
    data, monkeypatch, warm
):
    X, y = data
    est = DeepNetClassifier((8,), batch_size=40, max_iter=3, random_state=0)
    if warm:
        with pytest.warns(Warning):
            est.fit(X, y)
        est.set_params(warm_start=True)
    state = pickle.dumps(est)
    original = DeepNetClassifier._make_optimizer
    monkeypatch.setattr(
        DeepNetClassifier,
        "_make_optimizer",
        lambda self: _InterruptAfter(original(self), 3),  # in epoch 1
    )
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert pickle.dumps(est) == state
    if not warm:
        with pytest.raises(NotFittedError):
            est.predict(X)


def test_interrupt_before_the_first_lbfgs_iteration(data, monkeypatch):
    X, y = data

    def interrupting(self, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr(Network, "loss_gradient_chunked", interrupting)
    est = DeepNetClassifier((8,), solver="lbfgs", random_state=0)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    with pytest.raises(NotFittedError):
        est.predict(X)


def test_interrupt_during_lbfgs_keeps_the_last_iterate(data, monkeypatch):
    X, y = data
    calls = {"n": 0}
    original = Network.loss_gradient_chunked

    def interrupting(self, *args):
        calls["n"] += 1
        if calls["n"] == 12:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(Network, "loss_gradient_chunked", interrupting)
    est = DeepNetClassifier((8,), solver="lbfgs", random_state=0)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert 1 <= est.n_iter_ == len(est.loss_curve_) < 12
    proba = est.predict_proba(X)
    assert np.isfinite(proba).all()
    assert est.loss_ == est.loss_curve_[-1]


# -- prediction's fast paths -----------------------------------------------
PREDICTORS = [
    pytest.param(
        lambda: DeepNetClassifier((8,), batch_norm=True, max_iter=5), id="deepnet"
    ),
    pytest.param(
        lambda: DeepNetRegressor(hidden_layer_sizes=(8,), max_iter=5), id="reg"
    ),
    pytest.param(lambda: LogisticUnit(), id="unit"),
]


def _outputs(est, X):
    methods = ("predict", "predict_proba", "decision_function")
    return [getattr(est, m)(X) for m in methods if hasattr(est, m)]


@fixed_budget
@pytest.mark.parametrize("make", PREDICTORS)
def test_arrays_taken_as_they_are_predict_as_validated_ones(make, data, monkeypatch):
    X, y = data
    est = make().fit(X, y)
    inputs = {
        "float64": X,
        "fortran": np.asfortranarray(X),
        "float32": X.astype(np.float32),
        "strided": np.repeat(X, 2, axis=1)[:, ::2],
        "one row": X[:1],
        "ints": np.round(X).astype(int),
        "list": X[:3].tolist(),
    }
    fast = {name: _outputs(est, Xi) for name, Xi in inputs.items()}
    # Now every input goes through scikit-learn's validate_data.
    monkeypatch.setattr(type(est), "_valid_as_is", lambda self, X: False)
    for name, Xi in inputs.items():
        for got, expected in zip(fast[name], _outputs(est, Xi), strict=True):
            np.testing.assert_array_equal(got, expected, err_msg=name)


@fixed_budget
@pytest.mark.parametrize("make", PREDICTORS)
def test_prediction_errors_are_validate_datas(make, data, monkeypatch):
    X, y = data
    est = make().fit(X, y)
    nan, inf = X.copy(), X.copy()
    nan[1, 2], inf[0, 0] = np.nan, -np.inf
    bad = [nan, inf, X[:, :5], X[:0], X[0], X[:, :, None]]

    def messages():
        found = []
        for Xi in bad:
            with pytest.raises(ValueError) as error:
                est.predict(Xi)
            found.append(str(error.value))
        return found

    fast = messages()
    monkeypatch.setattr(type(est), "_valid_as_is", lambda self, X: False)
    assert fast == messages()
    assert "Input X contains NaN" in fast[0] and "infinity" in fast[1]


@fixed_budget
def test_arrays_after_a_fit_on_a_frame_still_warn(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = DeepNetClassifier((8,), max_iter=5, random_state=0).fit(frame, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X)


@fixed_budget
def test_prediction_follows_the_fitted_attributes(data):
    X, y = data
    est = DeepNetClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    before = est.predict_proba(X)
    names = set(vars(est))
    # Changed in place: the network's views are the fitted arrays.
    est.coefs_[1] *= -1
    flipped = est.predict_proba(X)
    assert not np.allclose(flipped, before)
    # Replaced: a new network over the new arrays.
    est.coefs_[1] = -est.coefs_[1]
    np.testing.assert_array_equal(est.predict_proba(X), before)
    est.intercepts_ = [b + 1.0 for b in est.intercepts_]
    shifted = est.predict_proba(X)
    assert not np.allclose(shifted, before)
    reference = DeepNetClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    reference.coefs_, reference.intercepts_ = est.coefs_, est.intercepts_
    np.testing.assert_array_equal(reference.predict_proba(X), shifted)
    # A refit predicts with the new weights, and lets the old ones go;
    # prediction adds no attribute.
    del reference
    old_weights = weakref.ref(est.coefs_[0])
    est.set_params(max_iter=6).fit(X, y)
    gc.collect()
    assert old_weights() is None
    assert est.n_iter_ == 6
    assert set(vars(est)) == names
    np.testing.assert_array_equal(
        est.predict_proba(X),
        DeepNetClassifier((8,), max_iter=6, random_state=0).fit(X, y).predict_proba(X),
    )
    assert b"Network" not in pickle.dumps(est)


# -- concurrency and memory -------------------------------------------------
@fixed_budget
def test_predict_from_many_threads(data):
    X, y = data
    est = DeepNetClassifier((32, 16), max_iter=5, random_state=0).fit(X, y)
    X_big = np.tile(X, (20, 1))
    expected = est.predict_proba(X_big)
    start = threading.Barrier(8)

    def work(_):
        start.wait()
        return [est.predict_proba(X_big) for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        results = [p for batch in pool.map(work, range(8)) for p in batch]
    for proba in results:
        np.testing.assert_array_equal(proba, expected)


@pytest.mark.slow
@fixed_budget
def test_predict_proba_memory_is_bounded():
    rng = np.random.RandomState(0)
    X_small, y_small = rng.normal(size=(64, 50)), rng.randint(0, 4, 64)
    est = DeepNetClassifier((512, 512), max_iter=1, random_state=0)
    est.fit(X_small, y_small)
    X = rng.normal(size=(400_000, 50))
    tracemalloc.start()
    proba = est.predict_proba(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak - proba.nbytes < 200 * 2**20


@fixed_budget
@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_fit_copies_the_training_set_at_most_once(dtype):
    rng = np.random.RandomState(0)
    X = (rng.normal(size=(100_000, 40)) * 10).astype(dtype)
    y = rng.randint(0, 3, len(X))
    tracemalloc.start()
    DeepNetClassifier((16,), max_iter=1, random_state=0).fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    float_bytes = X.size * 8
    copies = 0 if dtype == np.float64 else 1
    assert peak < copies * float_bytes + 0.25 * float_bytes


@fixed_budget
def test_inputs_are_never_written(data):
    X, y = data
    sw = np.linspace(0.5, 2.0, len(y))
    X_val, y_val, sw_val = X[:40].copy(), y[:40].copy(), sw[:40].copy()
    arrays = (X, y, sw, X_val, y_val, sw_val)
    for array in arrays:
        array.flags.writeable = False  # any write would raise
    try:
        for est in (
            DeepNetClassifier((8,), max_iter=3, early_stopping=True, random_state=0),
            DeepNetClassifier((8,), batch_norm=True, dropout=0.2, max_iter=3),
            DeepNetClassifier((8,), solver="lbfgs", max_iter=5),
            LogisticUnit(class_weight="balanced"),
        ):
            est.fit(X, y, sample_weight=sw)
            est.fit(
                X,
                y,
                sample_weight=sw,
                X_val=X_val,
                y_val=y_val,
                sample_weight_val=sw_val,
            )
            est.predict_proba(X)
            est.predict_log_proba(X)
        DeepNetClassifier((8,)).partial_fit(X, y, sample_weight=sw, classes=[0, 1, 2])
    finally:
        for array in arrays:
            array.flags.writeable = True


def test_a_failed_fit_keeps_no_reference_to_the_data(data):
    X, y = data
    est = DeepNetClassifier((64, 64), learning_rate_init=1e200, max_iter=5)
    with pytest.raises(ValueError, match="diverged"):
        est.fit(X * 1e100, y)
    assert not [name for name in vars(est) if name.startswith("_")]
