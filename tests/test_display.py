import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skdeep import DeepNetClassifier, LogisticUnit, TrainingCurveDisplay  # noqa: E402


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_loss_and_validation_curves(data):
    X, y = data
    net = DeepNetClassifier((8,), early_stopping=True, max_iter=15, random_state=0)
    net.fit(X, y)
    display = TrainingCurveDisplay.from_estimator(net)
    loss_line, score_line = display.lines_
    np.testing.assert_array_equal(loss_line.get_ydata(), net.loss_curve_)
    np.testing.assert_array_equal(loss_line.get_xdata(), np.arange(1, net.n_iter_ + 1))
    np.testing.assert_array_equal(score_line.get_ydata(), net.validation_scores_)
    assert score_line.axes is display.ax_score_ is not display.ax_
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "epoch"
    assert "DeepNetClassifier" in loss_line.get_label()


def test_loss_only_on_given_axes_and_from_curves(data):
    X, y = data
    unit = LogisticUnit().fit(X, y)  # L-BFGS: a loss per iteration
    fig, ax = plt.subplots()
    display = TrainingCurveDisplay.from_estimator(
        unit, ax=ax, name="unit", loss_kwargs={"color": "k"}
    )
    assert display.ax_ is ax and display.ax_score_ is None
    assert (
        len(display.lines_) == 1
        and display.lines_[0].get_label() == "unit training loss"
    )
    again = TrainingCurveDisplay(
        loss_curve=[3, 2, 1], validation_scores=[0.5, 0.6, 0.7]
    )
    assert len(again.plot().lines_) == 2


def test_unfitted_estimator_is_an_error():
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(DeepNetClassifier())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pipelines_and_regressors(data):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skdeep import DeepNetRegressor

    X, y = data
    pipe = make_pipeline(StandardScaler(), DeepNetClassifier((8,), max_iter=4))
    display = TrainingCurveDisplay.from_estimator(pipe.fit(X, y))
    assert len(display.lines_[0].get_ydata()) == 4
    assert "DeepNetClassifier" in display.lines_[0].get_label()
    # Three epochs: the ticks are 1, 2, 3 and nothing in between.
    ticks = display.ax_.get_xticks()
    assert np.array_equal(ticks, np.round(ticks))

    regressor = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), DeepNetRegressor(max_iter=3)),
        transformer=StandardScaler(),
    ).fit(X, X[:, 0] * 100)
    shown = TrainingCurveDisplay.from_estimator(regressor)
    assert "DeepNetRegressor" in shown.lines_[0].get_label()
    net = DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=3)
    net.fit(X, X[:, 0], X_val=X, y_val=X[:, 0])
    scored = TrainingCurveDisplay.from_estimator(net)
    assert scored.ax_score_.get_ylabel() == "validation R^2"


def test_other_estimators_are_refused_by_name(data):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X, y = data
    for est in (LogisticRegression().fit(X, y), make_pipeline(LogisticRegression())):
        with pytest.raises(TypeError, match="needs a fitted LogisticUnit, .* got"):
            TrainingCurveDisplay.from_estimator(est)
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(make_pipeline(DeepNetClassifier()))


def test_tabular_net_shows_its_first_network():
    from sklearn.datasets import load_breast_cancer

    from skdeep import TabularNetClassifier

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    model = TabularNetClassifier((16,), max_iter=5, random_state=0).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(model)
    assert display.estimator_name == "TabularNetClassifier"
    assert display.score_name == "validation loss, negated"
    assert list(display.loss_curve) == model.loss_curve_
