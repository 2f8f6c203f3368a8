"""Scale-out on a real Dask cluster (worker processes on loopback)."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")

import joblib  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skdeep import DeepNetClassifier, DeepNetRegressor  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 5))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def test_grid_search_on_the_cluster_equals_the_local_one(client, data):
    X, y = data
    grid = dict(alpha=[1e-4, 1e-2], hidden_layer_sizes=[(4,), (8,)])
    make = lambda: GridSearchCV(  # noqa: E731
        DeepNetClassifier(max_iter=20, random_state=0), grid, cv=3, n_jobs=-1
    )
    local = make().fit(X, y)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            remote = make().fit(X, y)
    assert len(tasks.data) >= 12  # 4 candidates x 3 folds ran on the workers
    assert {t["worker"] for t in tasks.data} <= set(client.scheduler_info()["workers"])
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_


def test_incremental_partial_fit_block_by_block(client, data):
    X, y = data
    X_blocks = da.from_array(X, chunks=(100, 5))
    y_blocks = da.from_array(y, chunks=100)
    params = dict(hidden_layer_sizes=(8,), shuffle=False, random_state=0)
    wrapper = dask_ml_wrappers.Incremental(
        DeepNetClassifier(**params), scoring="accuracy", shuffle_blocks=False
    )
    wrapper.fit(X_blocks, y_blocks, classes=[0, 1])
    fitted = wrapper.estimator_
    # One pass per block, in order: the same as calling partial_fit by hand.
    manual = DeepNetClassifier(**params)
    for start in range(0, 400, 100):
        manual.partial_fit(
            X[start : start + 100], y[start : start + 100], classes=[0, 1]
        )
    assert len(fitted.loss_curve_) == 4 and fitted.t_ == 400
    for a, b in zip(fitted.coefs_, manual.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert 0 <= wrapper.score(X_blocks, y_blocks) <= 1


def test_incremental_regression_block_by_block(client, data):
    X, _ = data
    y = X[:, 0] - X[:, 1]
    params = dict(hidden_layer_sizes=(8,), shuffle=False, random_state=0)
    wrapper = dask_ml_wrappers.Incremental(
        DeepNetRegressor(**params), scoring="r2", shuffle_blocks=False
    )
    wrapper.fit(da.from_array(X, chunks=(100, 5)), da.from_array(y, chunks=100))
    manual = DeepNetRegressor(**params)
    for start in range(0, 400, 100):
        manual.partial_fit(X[start : start + 100], y[start : start + 100])
    assert wrapper.estimator_.t_ == 400
    np.testing.assert_allclose(
        wrapper.estimator_.predict(X), manual.predict(X), rtol=1e-12
    )
