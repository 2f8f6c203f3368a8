"""sample_weight routed through Pipeline and GridSearchCV."""

import numpy as np
import pytest
import sklearn
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier, DeepNetRegressor, LogisticUnit


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] + 0.5 * rng.normal(size=120) > 0).astype(int)
    return X, y, rng.uniform(0.1, 3, 120)


def test_sample_weight_reaches_the_estimator_in_a_pipeline(routing):
    X, y, sw = _data()
    unit = LogisticUnit(alpha=1.0).set_fit_request(sample_weight=True)
    pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), unit)
    pipe.fit(X, y, sample_weight=sw)
    direct = LogisticUnit(alpha=1.0).fit(
        StandardScaler().fit_transform(X), y, sample_weight=sw
    )
    np.testing.assert_allclose(pipe[-1].coef_, direct.coef_)
    unweighted = LogisticUnit(alpha=1.0).fit(StandardScaler().fit_transform(X), y)
    assert not np.allclose(pipe[-1].coef_, unweighted.coef_)


def test_grid_search_routes_fit_and_score_weights(routing):
    X, y, sw = _data()
    est = (
        LogisticUnit()
        .set_fit_request(sample_weight=True)
        .set_score_request(sample_weight=True)
    )
    grid = GridSearchCV(est, {"alpha": [0.1, 10.0]}, cv=3).fit(X, y, sample_weight=sw)
    assert grid.best_estimator_.coef_.shape == (1, 4)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_and_validation_requests(routing):
    X, y, sw = _data()
    net = DeepNetClassifier((4,), random_state=0)
    net.set_partial_fit_request(sample_weight=True, classes=True)
    net.set_fit_request(sample_weight=True, X_val=True, y_val=True)
    requests = net.get_metadata_routing()
    assert requests.fit.requests["X_val"] is True
    assert requests.partial_fit.requests["classes"] is True
    scaler = StandardScaler().set_fit_request(sample_weight=False)
    pipe = make_pipeline(scaler, net.set_params(max_iter=3))
    pipe.fit(X, y, sample_weight=sw, X_val=X[:20], y_val=y[:20])
    assert len(pipe[-1].validation_scores_) == 3


def test_unrequested_weights_are_an_error(routing):
    X, y, sw = _data()
    pipe = make_pipeline(StandardScaler(), LogisticUnit())
    with pytest.raises(Exception, match="sample_weight"):
        pipe.fit(X, y, sample_weight=sw)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_routes_weights_and_validation_data(routing):
    X, _, sw = _data()
    y = X[:, 0] - X[:, 1]
    net = DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    net.set_fit_request(sample_weight=True, X_val=True, y_val=True)
    net.set_score_request(sample_weight=True)
    scaler = StandardScaler().set_fit_request(sample_weight=False)
    pipe = make_pipeline(scaler, net)
    pipe.fit(X, y, sample_weight=sw, X_val=X[:20], y_val=y[:20])
    assert len(pipe[-1].validation_scores_) == 3
    direct = DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    direct.fit(pipe[0].transform(X), y, sample_weight=sw)
    np.testing.assert_allclose(pipe[-1].coefs_[0], direct.coefs_[0])
    grid = GridSearchCV(
        DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        .set_fit_request(sample_weight=True)
        .set_score_request(sample_weight=True),
        {"alpha": [1e-4, 1.0]},
        cv=3,
    ).fit(X, y, sample_weight=sw)
    assert grid.best_estimator_.n_outputs_ == 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_validation_data_through_a_pipeline_needs_transform_input(routing):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline

    X, y = load_digits(return_X_y=True)  # raw pixels, 0 to 16
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)

    def pipeline(**kwargs):
        net = DeepNetClassifier((32,), max_iter=5, random_state=0)
        net.set_fit_request(X_val=True, y_val=True)
        return Pipeline([("scale", StandardScaler()), ("net", net)], **kwargs)

    # transform_input: X_val goes through the fitted scaler, as X does, so the
    # network's validation score is the pipeline's score on those rows.
    right = pipeline(transform_input=["X_val"])
    right.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert right[-1].validation_scores_[-1] == pytest.approx(right.score(X_val, y_val))
    # Without it, the network judges raw pixels it was never trained on.
    raw = pipeline().fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert raw.score(X_val, y_val) == right.score(X_val, y_val)
    assert raw[-1].validation_scores_[-1] < raw.score(X_val, y_val) - 0.05
