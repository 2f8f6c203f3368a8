"""scikit-learn's common estimator checks, nothing excused.

The checks fit on small random data with default iteration budgets, where
not converging is the expected outcome, so ConvergenceWarning (and only it)
is not turned into an error here; every other warning still is.
"""

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

from skdeep import DeepNetClassifier, LogisticUnit

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
]
# Not here: early_stopping=True. Its random held-out split of repeated rows is
# not a split of weighted rows, so check_sample_weight_equivalence cannot
# hold; tests/estimators/test_deep_net.py covers early stopping instead.


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_dataframe_column_names_consistency(estimator):
    pytest.importorskip("pandas")
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)
