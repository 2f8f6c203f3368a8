"""scikit-learn's common estimator checks; excused: two, in float32 only.

The checks fit on small random data with default iteration budgets, where
not converging is the expected outcome, so ConvergenceWarning (and only it)
is not turned into an error here; every other warning still is.
"""

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    check_regressor_multioutput,
    estimator_checks_generator,
    parametrize_with_checks,
)

from skdeep import (
    DeepNetClassifier,
    DeepNetRegressor,
    LogisticUnit,
    TabularNetClassifier,
    TabularNetRegressor,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = [
    LogisticUnit(),
    LogisticUnit(solver="sgd", learning_rate_init=0.1, max_iter=300),
    LogisticUnit(solver="adam", learning_rate_init=0.1, max_iter=300),
    LogisticUnit(class_weight="balanced"),
    DeepNetClassifier(),
    DeepNetClassifier(solver="lbfgs", hidden_layer_sizes=(20, 10)),
    DeepNetClassifier(
        solver="sgd", activation="tanh", learning_rate_init=0.05, max_iter=300
    ),
    DeepNetClassifier(hidden_layer_sizes=(), solver="lbfgs"),
    DeepNetClassifier((16, 8), activation="logistic", learning_rate_init=0.01),
    DeepNetClassifier((32,), dropout=0.2),
    DeepNetClassifier((16, 8), batch_norm=True),
    DeepNetClassifier((16,), solver="rmsprop", learning_rate="adaptive"),
    DeepNetClassifier((16,), activation="gelu", weight_init="he_normal"),
    DeepNetClassifier(
        (16, 8),
        activation="elu",
        batch_norm=True,
        dropout=(0.3, 0.1),
        solver="sgd",
        learning_rate_init=0.05,
    ),
    LogisticUnit(solver="rmsprop", learning_rate_init=0.01),
    LogisticUnit(
        solver="adam", learning_rate_init=0.1, label_smoothing=0.1, weight_decay=0.01
    ),
    DeepNetClassifier(
        (16,),
        activation="selu",
        front_scale=True,
        embedding="periodic",
        embedding_options={"n_frequencies": 4, "n_units": 4, "sigma": 0.1},
        label_smoothing=0.1,
        learning_rate_init=0.01,
        weight_decay=0.02,
        weight_decay_schedule="flat_cosine",
        learning_rate="coslog4",
        learning_rate_factors={"biases": 0.1, "scales": 6.0},
        beta_2=0.95,
    ),
    DeepNetClassifier(
        (16,),
        activation="mish",
        dropout=0.15,
        dropout_schedule="flat_cosine",
        learning_rate="cosine",
        learning_rate_warmup=0.1,
        scoring="roc_auc",
    ),
    DeepNetRegressor(),
    DeepNetRegressor(hidden_layer_sizes=(20, 10), solver="lbfgs"),
    DeepNetRegressor(hidden_layer_sizes=(16, 8), batch_norm=True, dropout=0.1),
    DeepNetRegressor(
        hidden_layer_sizes=(16,),
        solver="sgd",
        activation="tanh",
        learning_rate_init=0.01,
    ),
    DeepNetRegressor(
        hidden_layer_sizes=(16,),
        activation="mish",
        front_scale=True,
        embedding="periodic",
        embedding_options={"n_frequencies": 4, "n_units": 4},
        weight_decay=0.02,
        learning_rate="coslog4",
        scoring="loss",
    ),
    DeepNetRegressor(
        hidden_layer_sizes=(16,),
        solver="rmsprop",
        activation="gelu",
        weight_init="he_normal",
        learning_rate="adaptive",
    ),
    # RealMLP's recipe at a small size; float64, so that the sample-weight
    # equivalence holds to the checks' tolerance.
    TabularNetClassifier((16, 16), max_iter=20, dtype="float64"),
    TabularNetClassifier(
        (16,), max_iter=10, n_ensembles=2, embedding=None, dtype="float64"
    ),
    TabularNetRegressor((16, 16), max_iter=20, dtype="float64"),
]
# Not here: early_stopping=True. Its random held-out split of repeated rows is
# not a split of weighted rows, so check_sample_weight_equivalence cannot
# hold; tests/estimators/test_deep_net.py covers early stopping instead.


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# TabularNet's float32 default: every check, except the two sample-weight
# equivalences, whose rtol=1e-7 is below float32's rounding (a relative
# 6e-8 per operation, over every step of training). The equivalence itself
# holds to float32's precision: tests/estimators/test_tabular.py.
FLOAT32_ROUNDING = {
    name: "rtol=1e-7 is below float32's rounding"
    for name in (
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
    )
}


@parametrize_with_checks(
    [
        TabularNetClassifier((16, 16), max_iter=20),
        TabularNetRegressor((16, 16), max_iter=20),
    ],
    expected_failed_checks=lambda estimator: FLOAT32_ROUNDING,
)
def test_tabular_float32_default(estimator, check):
    check(estimator)


# Poisson: every common check but one. check_regressor_multioutput draws its
# targets from make_regression, negative ones included, even for an
# estimator tagged positive_only (scikit-learn's positive-only regressors are
# all single-output, so the check never needed to). Negative counts are an
# error for loss='poisson', so that check is replaced by the one below, which
# asserts the same on non-negative targets. L-BFGS: check_regressors_train
# gives 200 Adam steps, too few for the log link (MLPRegressor scores the
# same 0.38 there).
POISSON = DeepNetRegressor(loss="poisson", solver="lbfgs")
POISSON_CHECKS = [
    check
    for _, check in estimator_checks_generator(POISSON, mark="skip")
    if getattr(check, "func", check) is not check_regressor_multioutput
]


@pytest.mark.parametrize(
    "check",
    POISSON_CHECKS,
    ids=[getattr(c, "func", c).__name__ for c in POISSON_CHECKS],
)
def test_poisson_regressor_passes_the_common_checks(check):
    check(POISSON)


def test_poisson_regressor_predicts_several_outputs():
    # check_regressor_multioutput's assertions, on non-negative targets.
    X, y = make_regression(random_state=42, n_targets=5, n_samples=11, n_features=10)
    y = np.abs(y)
    estimator = DeepNetRegressor(loss="poisson", solver="lbfgs").fit(X, y)
    y_pred = estimator.predict(X)
    assert y_pred.dtype == np.dtype("float64")
    assert y_pred.shape == y.shape
    assert estimator.__sklearn_tags__().target_tags.positive_only


@pytest.mark.parametrize("estimator", [*ESTIMATORS, POISSON], ids=repr)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", [*ESTIMATORS, POISSON], ids=repr)
def test_dataframe_column_names_consistency(estimator):
    pytest.importorskip("pandas")
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)
