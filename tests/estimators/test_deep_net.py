import inspect
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from _reference import assert_same_network
from sklearn.base import clone
from sklearn.datasets import (
    load_digits,
    make_classification,
    make_multilabel_classification,
)
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError

from skdeep import DeepNetClassifier
from skdeep.nn import Network

# Fixed-budget comparisons stop at max_iter on purpose.
fixed_budget = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def small():
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


MLP_SETTINGS = [
    dict(solver="adam"),
    dict(solver="sgd", learning_rate_init=0.05),
    dict(
        solver="sgd",
        nesterovs_momentum=False,
        learning_rate="invscaling",
        learning_rate_init=0.2,
    ),
    dict(
        solver="sgd",
        momentum=0.0,
        learning_rate="adaptive",
        n_iter_no_change=1,
        tol=0.5,
    ),
    dict(solver="lbfgs", activation="tanh"),
    dict(solver="adam", activation="logistic", alpha=0.1, batch_size=64),
]


@fixed_budget
@pytest.mark.parametrize("params", MLP_SETTINGS, ids=repr)
def test_trains_the_same_network_as_mlpclassifier(small, params):
    X, y = small
    common = dict(hidden_layer_sizes=(16, 8), max_iter=8, random_state=0, **params)
    ours = DeepNetClassifier(**common).fit(X, y)
    ref = MLPClassifier(**common).fit(X, y)
    assert_same_network(ours, ref)
    np.testing.assert_allclose(
        ours.loss_curve_ if params["solver"] != "lbfgs" else ours.loss_,
        ref.loss_curve_ if params["solver"] != "lbfgs" else ref.loss_,
        rtol=1e-7,
    )
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(
        ours.predict_proba(X), ref.predict_proba(X), rtol=1e-6, atol=1e-9
    )
    for name in ["n_layers_", "n_outputs_", "out_activation_", "t_", "n_features_in_"]:
        assert getattr(ours, name) == getattr(ref, name), name
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, ref.validation_scores_)


@fixed_budget
@pytest.mark.parametrize("shuffle", [True, False])
def test_early_stopping_matches_mlpclassifier_on_binary_targets(shuffle):
    # MLPClassifier stratifies its held-out split for binary targets only;
    # there the two splits, and so the two runs, are the same.
    X, y = make_classification(n_samples=300, n_features=6, random_state=2)
    common = dict(
        hidden_layer_sizes=(10,),
        early_stopping=True,
        shuffle=shuffle,
        max_iter=15,
        random_state=0,
    )
    ours = DeepNetClassifier(**common).fit(X, y)
    ref = MLPClassifier(**common).fit(X, y)
    np.testing.assert_allclose(ours.validation_scores_, ref.validation_scores_)
    assert ours.best_validation_score_ == ref.best_validation_score_
    assert_same_network(ours, ref)


@fixed_budget
@pytest.mark.skipif(
    "sample_weight" not in inspect.signature(MLPClassifier.fit).parameters,
    reason="MLPClassifier takes sample_weight from scikit-learn 1.7",
)
@pytest.mark.parametrize("target", ["binary", "multilabel"])
def test_same_network_as_mlpclassifier_binary_and_multilabel(target):
    if target == "binary":
        X, y = make_classification(n_samples=200, n_features=6, random_state=1)
    else:
        X, y = make_multilabel_classification(
            n_samples=200, n_features=6, random_state=1
        )
    common = dict(hidden_layer_sizes=(10,), max_iter=6, random_state=3)
    sw = np.random.RandomState(0).uniform(0.5, 2, size=len(X))
    ours = DeepNetClassifier(**common).fit(X, y, sample_weight=sw)
    ref = MLPClassifier(**common).fit(X, y, sample_weight=sw)
    assert_same_network(ours, ref)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-6)


@pytest.mark.slow
@fixed_budget
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_cross_validated_accuracy_matches_mlpclassifier(digits, solver):
    X, y = digits
    params = dict(hidden_layer_sizes=(64,), solver=solver, max_iter=60, random_state=0)
    if solver == "sgd":
        params["learning_rate_init"] = 0.05
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(DeepNetClassifier(**params), X, y, cv=cv).mean()
    ref = cross_val_score(MLPClassifier(**params), X, y, cv=cv).mean()
    assert abs(ours - ref) <= 0.01
    assert ours > 0.9


@fixed_budget
def test_float32_is_kept_end_to_end(small):
    X, y = small
    est = DeepNetClassifier((16,), max_iter=30, random_state=0).fit(
        X.astype(np.float32), y
    )
    assert all(c.dtype == np.float32 for c in est.coefs_ + est.intercepts_)
    assert est.predict_proba(X.astype(np.float32)).dtype == np.float32
    # float64 input to a float32 model is computed in the model's dtype.
    assert est.predict_proba(X).dtype == np.float32
    ref = DeepNetClassifier((16,), max_iter=30, random_state=0).fit(X, y)
    assert ref.coefs_[0].dtype == np.float64
    np.testing.assert_allclose(est.predict_proba(X), ref.predict_proba(X), atol=1e-3)


@fixed_budget
def test_lbfgs_float32(small):
    X, y = small
    est = DeepNetClassifier((8,), solver="lbfgs", max_iter=50, random_state=0)
    est.fit(X.astype(np.float32), y)
    assert est.coefs_[0].dtype == np.float32 and est.score(X, y) > 0.8


@fixed_budget
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_continues_fit_exactly(small, solver):
    X, y = small
    params = dict(hidden_layer_sizes=(8,), solver=solver, shuffle=False, random_state=0)
    whole = DeepNetClassifier(max_iter=3, **params).fit(X, y)
    parts = DeepNetClassifier(**params)
    for _ in range(3):
        parts.partial_fit(X, y, classes=np.unique(y))
    assert_same_network(parts, whole, rtol=1e-12, atol=0)
    assert parts.loss_curve_ == pytest.approx(whole.loss_curve_)
    assert parts.t_ == whole.t_ == 3 * len(X)


@fixed_budget
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_warm_start_carries_the_optimizer_state(small, solver):
    X, y = small
    params = dict(hidden_layer_sizes=(8,), solver=solver, shuffle=False, random_state=0)
    whole = DeepNetClassifier(max_iter=5, **params).fit(X, y)
    warm = DeepNetClassifier(max_iter=3, warm_start=True, **params).fit(X, y)
    warm.set_params(max_iter=2).fit(X, y)
    # Adam's moments and step count (or SGD's velocity) continue: the two
    # fits are one run of five epochs.
    assert_same_network(warm, whole, rtol=1e-12, atol=0)
    assert warm.loss_curve_ == pytest.approx(whole.loss_curve_)
    assert warm.n_iter_ == 2


@fixed_budget
def test_fit_without_warm_start_restarts(small):
    X, y = small
    est = DeepNetClassifier((8,), max_iter=3, random_state=0).fit(X, y)
    first = [c.copy() for c in est.coefs_]
    est.fit(X, y)
    assert_same_network(
        est, type("R", (), {"coefs_": first, "intercepts_": est.intercepts_})()
    )
    assert len(est.loss_curve_) == 3


def test_partial_fit_checks_classes(small):
    X, y = small
    est = DeepNetClassifier((4,))
    with pytest.raises(ValueError, match="classes must be passed"):
        est.partial_fit(X, y)
    est.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert est.n_outputs_ == 3 and list(est.classes_) == [0, 1, 2]
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        est.partial_fit(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        est.partial_fit(X, y, classes=[0, 1, 2, 3])
    assert not hasattr(DeepNetClassifier(solver="lbfgs"), "partial_fit")


@fixed_budget
def test_warm_start_rejects_new_classes(small):
    X, y = small
    est = DeepNetClassifier((4,), max_iter=2, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used"):
        est.fit(X[y < 2], y[y < 2])


@fixed_budget
def test_class_weight_equals_sample_weight(small):
    X, y = small
    cw = {0: 2.0, 1: 0.5, 2: 1.0}
    a = DeepNetClassifier((8,), max_iter=5, class_weight=cw, random_state=0).fit(X, y)
    sw = np.array([cw[c] for c in y])
    b = DeepNetClassifier((8,), max_iter=5, random_state=0).fit(X, y, sample_weight=sw)
    assert_same_network(a, b, rtol=1e-12, atol=0)


@fixed_budget
def test_balanced_class_weight_shifts_predictions_to_rare_class():
    X, y = make_classification(
        n_samples=600, n_features=5, weights=[0.9, 0.1], flip_y=0.1, random_state=0
    )
    plain = DeepNetClassifier((8,), max_iter=50, random_state=0).fit(X, y)
    balanced = DeepNetClassifier(
        (8,), max_iter=50, random_state=0, class_weight="balanced"
    ).fit(X, y)
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


def test_class_weight_with_unknown_label_is_an_error(small):
    X, y = small
    with pytest.raises(ValueError, match="not in the training labels"):
        DeepNetClassifier(class_weight={5: 2.0}).fit(X, y)


@fixed_budget
def test_zero_weight_minibatches_are_skipped(small):
    X, y = small
    sw = np.ones(len(y))
    sw[:100] = 0  # the whole first batch
    est = DeepNetClassifier(
        (8,), batch_size=100, shuffle=False, max_iter=3, random_state=0
    )
    est.fit(X, y, sample_weight=sw)
    ref = DeepNetClassifier(
        (8,), batch_size=100, shuffle=False, max_iter=3, random_state=0
    )
    ref.fit(X[100:], y[100:])
    # Skipping the all-zero batch is training on the remaining batches; the
    # loss is averaged over all rows, so only the weights are compared.
    assert_same_network(est, ref, rtol=1e-10, atol=1e-12)


@fixed_budget
def test_early_stopping_keeps_the_best_validation_weights(digits):
    X, y = digits
    est = DeepNetClassifier(
        (32,), early_stopping=True, n_iter_no_change=3, max_iter=100, random_state=0
    ).fit(X, y)
    assert est.n_iter_ < 100
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    # Recreate the held-out split (stratified, 10%, drawn right after the
    # initial weights from the same generator) and score the restored
    # weights on it.
    rng = check_random_state(0)
    Network([64, 32, 10]).init_params(rng, np.float64)
    _, val = train_test_split(
        np.arange(len(y)),
        test_size=int(np.ceil(0.1 * len(y))),
        stratify=y,
        random_state=rng,
    )
    assert est.score(X[val], y[val]) == pytest.approx(est.best_validation_score_)
    assert est.best_loss_ is None


def test_verbose_prints_mlp_lines(small, capsys):
    X, y = small
    DeepNetClassifier((4,), max_iter=5, verbose=True, tol=1e9, n_iter_no_change=1).fit(
        X, y
    )
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Iteration 2, loss = " in out
    assert "Stopping." in out


@fixed_budget
def test_sparse_input_matches_dense(small):
    X, y = small
    X = np.where(np.abs(X) > 1, X, 0.0)
    dense = DeepNetClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    for fmt in (sp.csr_matrix, sp.csc_matrix):
        sparse = DeepNetClassifier((8,), max_iter=5, random_state=0).fit(fmt(X), y)
        assert_same_network(sparse, dense, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(sparse.predict_proba(fmt(X)), dense.predict_proba(X))


@fixed_budget
def test_string_labels_and_multilabel(small):
    X, y = small
    labels = np.array(["setosa", "b", "a"], dtype=object)[y]
    est = DeepNetClassifier((8,), max_iter=20, random_state=0).fit(X, labels)
    assert list(est.classes_) == ["a", "b", "setosa"]
    assert set(est.predict(X)) <= set(est.classes_)
    proba = est.predict_proba(X)
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])

    Y = np.stack([y == 0, y == 1, y > 0], axis=1).astype(int)
    ml = DeepNetClassifier((8,), max_iter=20, random_state=0).fit(X, Y)
    assert ml.predict(X).shape == Y.shape and set(np.unique(ml.predict(X))) <= {0, 1}
    assert ml.predict_proba(X).shape == Y.shape
    np.testing.assert_array_equal(
        ml.predict(X), (ml.predict_proba(X) > 0.5).astype(int)
    )


def test_predict_log_proba_and_decision_function(small):
    X, y = small
    est = DeepNetClassifier((8,), solver="lbfgs", random_state=0, max_iter=500).fit(
        X, y
    )
    np.testing.assert_allclose(np.exp(est.predict_log_proba(X)), est.predict_proba(X))
    scores = est.decision_function(X)
    np.testing.assert_array_equal(est.classes_[scores.argmax(axis=1)], est.predict(X))
    yb = (y > 0).astype(int)
    binary = DeepNetClassifier((8,), solver="lbfgs", random_state=0, max_iter=500).fit(
        X, yb
    )
    assert binary.decision_function(X).shape == (len(X),)
    np.testing.assert_array_equal(
        binary.predict(X), (binary.decision_function(X) > 0).astype(int)
    )


def test_chunked_prediction_equals_one_chunk(small, monkeypatch):
    from skdeep.training import _inference

    X, y = small
    est = DeepNetClassifier((8,), solver="lbfgs", random_state=0, max_iter=500).fit(
        X, y
    )
    whole = est.predict_proba(X)
    monkeypatch.setattr(_inference, "PREDICT_BUFFER_BYTES", 8 * 8 * 10)  # 64-row chunks
    np.testing.assert_allclose(est.predict_proba(X), whole, rtol=1e-12)


def test_lbfgs_chunked_gradient_equals_one_chunk(small, monkeypatch):
    from skdeep.training import _lbfgs

    X, y = small
    whole = DeepNetClassifier((8,), solver="lbfgs", random_state=0, max_iter=20)
    with pytest.warns(Warning):
        whole.fit(X, y)
    monkeypatch.setattr(_lbfgs, "LBFGS_BUFFER_BYTES", 8 * 8 * 10)
    chunked = DeepNetClassifier((8,), solver="lbfgs", random_state=0, max_iter=20)
    with pytest.warns(Warning):
        chunked.fit(X, y)
    assert_same_network(chunked, whole, rtol=1e-8, atol=1e-10)


@fixed_budget
def test_clone_pickle_and_determinism(small):
    X, y = small
    est = DeepNetClassifier((8, 4), max_iter=5, random_state=7)
    fitted = clone(est).fit(X, y)
    again = clone(est).fit(X, y)
    assert_same_network(again, fitted, rtol=0, atol=0)
    other = clone(est).set_params(random_state=8).fit(X, y)
    assert not np.allclose(other.coefs_[0], fitted.coefs_[0])
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    # A restored model keeps training from where it was.
    restored.set_params(warm_start=True, max_iter=1).fit(X, y)
    fitted.set_params(warm_start=True, max_iter=1).fit(X, y)
    assert_same_network(restored, fitted, rtol=0, atol=0)
    assert "coefs_" not in clone(fitted).__dict__


@pytest.mark.slow
@fixed_budget
def test_pipeline_and_grid_search_in_parallel(digits):
    X, y = digits
    pipe = make_pipeline(
        StandardScaler(), DeepNetClassifier(max_iter=30, random_state=0)
    )
    grid = GridSearchCV(
        pipe,
        {
            "deepnetclassifier__hidden_layer_sizes": [(16,), (32,)],
            "deepnetclassifier__alpha": [1e-4, 1e-2],
        },
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert grid.best_score_ > 0.85
    assert set(grid.cv_results_["param_deepnetclassifier__alpha"]) == {1e-4, 1e-2}


@fixed_budget
def test_inputs_are_not_modified(small):
    X, y = small
    sw = np.linspace(0.5, 2, len(y))
    X0, y0, sw0 = X.copy(), y.copy(), sw.copy()
    est = DeepNetClassifier((8,), max_iter=3, early_stopping=True, random_state=0)
    est.fit(X, y, sample_weight=sw)
    est.predict_proba(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, sw0)


@pytest.mark.parametrize("sizes", [(0,), (10, -1), (3.5,), ("a",), 0])
def test_invalid_hidden_layer_sizes(small, sizes):
    X, y = small
    with pytest.raises(InvalidParameterError, match="hidden_layer_sizes"):
        DeepNetClassifier(hidden_layer_sizes=sizes).fit(X, y)


def test_clear_errors_for_bad_targets_and_weights(small):
    X, y = small
    with pytest.raises(ValueError, match="at least 2 classes.*only one class"):
        DeepNetClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="Unknown label type"):
        DeepNetClassifier().fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="[Nn]egative"):
        DeepNetClassifier().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="at least one non-zero"):
        DeepNetClassifier().fit(X, y, sample_weight=np.zeros(len(y)))


@fixed_budget
def test_predict_checks_number_of_features(small):
    X, y = small
    est = DeepNetClassifier((4,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :3])


@fixed_budget
def test_hyperparameters_changed_before_a_warm_start_take_effect(small):
    X, y = small
    # Plain full-batch gradient descent: a step is exactly -learning_rate * g.
    params = dict(
        hidden_layer_sizes=(8,),
        solver="sgd",
        momentum=0.0,
        batch_size=len(X),
        shuffle=False,
        learning_rate_init=0.01,
        max_iter=3,
        random_state=0,
    )
    start = DeepNetClassifier(**params).fit(X, y)
    steps = {}
    for rate in (0.01, 0.1):
        est = clone(start).set_params(warm_start=True, max_iter=1)
        est.__dict__.update(pickle.loads(pickle.dumps(start)).__dict__)
        est.set_params(learning_rate_init=rate, warm_start=True, max_iter=1).fit(X, y)
        steps[rate] = est.coefs_[0] - start.coefs_[0]
        assert est._solver_state["learning_rate"] == rate
    np.testing.assert_allclose(steps[0.1], 10 * steps[0.01], rtol=1e-10)


@fixed_budget
def test_an_unchanged_schedule_carries_its_rate(small):
    X, y = small
    est = DeepNetClassifier(
        (8,),
        learning_rate="adaptive",
        n_iter_no_change=1,
        tol=10.0,
        max_iter=5,
        warm_start=True,
        random_state=0,
    ).fit(X, y)
    lowered = est._solver_state["learning_rate"]
    assert lowered < 0.001
    # tol and n_iter_no_change are not the schedule's: the lowered rate stays.
    est.set_params(max_iter=1, tol=0.0, n_iter_no_change=100).fit(X, y)
    assert est._solver_state["learning_rate"] == lowered
    est.set_params(learning_rate_init=0.002).fit(X, y)  # a new rate: restart
    assert est._solver_state["learning_rate"] == 0.002


@fixed_budget
@pytest.mark.parametrize("weighted", [False, True])
def test_balanced_class_weight_is_scikit_learns_formula(small, weighted):
    # n_samples / (n_classes * count): dividing by n_classes only shows through
    # the penalty (the loss is a weighted mean), hence alpha > 0.
    from sklearn.utils.class_weight import compute_class_weight

    X, y = small
    X, y = X[:200], np.where(y[:200] == 2, 2, y[:200] % 2)  # unbalanced classes
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y)) if weighted else None
    classes = np.unique(y)
    if (
        weighted
        and "sample_weight" not in inspect.signature(compute_class_weight).parameters
    ):
        pytest.skip("compute_class_weight takes sample_weight from scikit-learn 1.7")
    extra = {} if sw is None else {"sample_weight": sw}
    weights = compute_class_weight("balanced", classes=classes, y=y, **extra)
    params = dict(hidden_layer_sizes=(8,), alpha=1.0, max_iter=5, random_state=0)
    balanced = DeepNetClassifier(class_weight="balanced", **params)
    explicit_weights = dict(zip(classes, weights, strict=True))
    explicit = DeepNetClassifier(class_weight=explicit_weights, **params)
    assert_same_network(
        balanced.fit(X, y, sample_weight=sw),
        explicit.fit(X, y, sample_weight=sw),
        rtol=1e-10,
        atol=0,
    )


@fixed_budget
def test_the_early_stopping_split_is_scored_with_its_sample_weights(digits):
    X, y = digits
    sw = np.random.RandomState(1).uniform(0.1, 3.0, len(y))
    est = DeepNetClassifier(
        (16,), early_stopping=True, n_iter_no_change=3, max_iter=30, random_state=0
    ).fit(X, y, sample_weight=sw)
    rng = check_random_state(0)
    Network([64, 16, 10]).init_params(rng, np.float64)
    _, val = train_test_split(
        np.arange(len(y)),
        test_size=int(np.ceil(0.1 * len(y))),
        stratify=y,
        random_state=rng,
    )
    weighted = est.score(X[val], y[val], sample_weight=sw[val])
    assert est.best_validation_score_ == pytest.approx(weighted)
    assert weighted != pytest.approx(est.score(X[val], y[val]))


def test_a_class_too_small_to_stratify_is_an_error(small):
    # MLPClassifier raises scikit-learn's error for binary targets (its own
    # test_early_stopping_stratified runs in test_sklearn_mlp_suite); skdeep
    # stratifies every classification target, so it raises for all of them.
    X, y = small
    labels = np.array(["Adelie", "Chinstrap", "Gentoo"], dtype=object)[y]
    labels[0] = "Macaroni"  # a class with a single sample
    est = DeepNetClassifier((4,), early_stopping=True)
    with pytest.raises(
        ValueError,
        # scikit-learn's own sentence changed in 1.7 ("classes"; the list).
        match=r"The least populated class.* only 1 member.*[^.]\. With "
        r"early_stopping=True.*class Macaroni has a single sample\. Pass X_val",
    ):
        est.fit(X, labels)
    assert not hasattr(est, "classes_")
    # The ways out work.
    est.set_params(early_stopping=False, max_iter=2)
    with pytest.warns(Warning):
        est.fit(X, labels)
