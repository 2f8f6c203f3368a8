"""scikit-learn's callbacks: one task per epoch (or L-BFGS iteration)."""

import numpy as np
import pytest

callback = pytest.importorskip("sklearn.callback")
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    return StandardScaler().fit_transform(X), y


def _rows(monitor):
    return monitor.get_logs(select="most_recent").data_as_pandas


@pytest.mark.parametrize("solver, task", [("adam", "epoch"), ("lbfgs", "iteration")])
def test_scoring_monitor_logs_a_score_per_epoch(data, solver, task):
    X, y = data
    monitor = callback.ScoringMonitor(scoring="accuracy")
    net = DeepNetClassifier(
        (8,), solver=solver, learning_rate_init=0.05, max_iter=6, random_state=0
    )
    net.set_callbacks(monitor).fit(X, y)
    rows = _rows(monitor)
    epochs = rows[rows.task_name == task]
    assert len(epochs) == net.n_iter_ == 6
    assert list(epochs.task_id) == list(range(6))
    # Each score is that of the network as it was at the end of the epoch:
    # the last one is the fitted model's.
    assert epochs.accuracy.iloc[-1] == pytest.approx(net.score(X, y))
    assert epochs.accuracy.iloc[-1] > epochs.accuracy.iloc[0]
    root = rows[rows.task_name == "fit"]
    assert len(root) == 1 and root.accuracy.iloc[0] == pytest.approx(net.score(X, y))


def test_scores_follow_the_training_when_weighted(data):
    X, y = data
    sw = np.where(y == 1, 3.0, 1.0)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    unit = LogisticUnit(
        solver="sgd", max_iter=4, learning_rate_init=0.05, random_state=0
    )
    unit.set_callbacks(monitor).fit(X, y, sample_weight=sw)
    epochs = _rows(monitor).query("task_name == 'epoch'")
    assert epochs.accuracy.iloc[-1] == pytest.approx(unit.score(X, y, sample_weight=sw))


class StopAfter:
    """A callback that asks to stop at the end of the n-th epoch."""

    def __init__(self, n):
        self.n, self.seen = n, []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        self.torn_down = True

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name in ("epoch", "iteration"):
            self.seen.append(fitted_estimator.predict_proba(np.zeros((1, 6))))
            return len(self.seen) >= self.n
        return False


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_a_callback_can_stop_training(data, solver):
    X, y = data
    stop = StopAfter(3)
    net = DeepNetClassifier((8,), solver=solver, max_iter=50, random_state=0)
    net.set_callbacks(stop).fit(X, y)  # no ConvergenceWarning: it was asked
    assert net.n_iter_ == 3 and len(net.loss_curve_) == 3
    assert stop.torn_down
    # fitted_estimator was a snapshot: it did not move with later epochs.
    assert not np.allclose(stop.seen[0], stop.seen[2])
    np.testing.assert_allclose(stop.seen[-1], net.predict_proba(np.zeros((1, 6))))


def test_nested_in_pipeline_and_grid_search(data):
    X, y = data
    monitor = callback.ScoringMonitor(scoring="accuracy")
    net = DeepNetClassifier((8,), max_iter=3, random_state=0).set_callbacks(monitor)
    grid = GridSearchCV(
        make_pipeline(StandardScaler(), net),
        {"deepnetclassifier__alpha": [1e-4, 1e-2]},
        cv=2,
    )
    grid.set_callbacks(callback.ProgressBar())
    grid.fit(X, y)
    rows = monitor.get_logs(select="most_recent").data_as_pandas
    epochs = rows[rows.task_name == "epoch"]
    # 2 candidates x 2 folds, and the refit: 5 fits of 3 epochs each.
    assert len(epochs) == 5 * 3
    assert epochs.accuracy.between(0, 1).all()


def test_progress_bar_on_its_own(data, capsys):
    X, y = data
    net = DeepNetClassifier((8,), max_iter=3, random_state=0)
    net.set_callbacks(callback.ProgressBar()).fit(X, y)
    assert net.n_iter_ == 3


def test_partial_fit_is_one_epoch_task(data):
    X, y = data
    monitor = callback.ScoringMonitor(scoring="accuracy")
    net = DeepNetClassifier((8,), random_state=0).set_callbacks(monitor)
    net.partial_fit(X, y, classes=[0, 1])
    epochs = _rows(monitor).query("task_name == 'epoch'")
    assert len(epochs) == 1


def test_estimators_work_without_the_callback_module(data, monkeypatch):
    from skdeep.estimators import _base
    from skdeep.utils import _sklearn

    # What older scikit-learn gets: a context that does nothing.
    monkeypatch.setattr(
        _base.BaseNetwork,
        "_init_callback_context",
        lambda self, **kwargs: _sklearn._NoCallbackContext(),
    )
    X, y = data
    assert DeepNetClassifier((8,), max_iter=3).fit(X, y).n_iter_ == 3


@pytest.mark.parametrize("solver, task", [("adam", "epoch"), ("lbfgs", "iteration")])
def test_scoring_monitor_logs_r2_for_the_regressor(data, solver, task):
    X, _ = data
    y = X[:, 0] - 2 * X[:, 1]
    monitor = callback.ScoringMonitor(scoring="r2")
    net = DeepNetRegressor(
        hidden_layer_sizes=(8,),
        solver=solver,
        learning_rate_init=0.05,
        max_iter=6,
        random_state=0,
    )
    net.set_callbacks(monitor).fit(X, y)
    epochs = _rows(monitor).query(f"task_name == '{task}'")
    assert len(epochs) == net.n_iter_ == 6
    assert epochs.r2.iloc[-1] == pytest.approx(net.score(X, y))
    assert epochs.r2.iloc[-1] > epochs.r2.iloc[0]
