"""The demo behind ``python -m skdeep``: skdeep beside scikit-learn."""

from __future__ import annotations

import time
import warnings

__all__ = ["run_demo"]


def run_demo(random_state: int = 0, file=None) -> list[dict]:
    """Train skdeep's estimators and their scikit-learn peers side by side.

    Classification on scikit-learn's bundled 8x8 digits:
    :class:`~skdeep.LogisticUnit` beside
    :class:`~sklearn.linear_model.LogisticRegression`, and
    :class:`~skdeep.DeepNetClassifier` beside
    :class:`~sklearn.neural_network.MLPClassifier`. Regression on the bundled
    diabetes data: :class:`~skdeep.DeepNetRegressor` beside
    :class:`~sklearn.neural_network.MLPRegressor`. The same parameters for
    each pair, features (and the regression target) standardised, 25% held
    out; prints the held-out accuracy or :math:`R^2`, and the fit time.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the splits and of the networks.
    file : file-like, default=None
        Where to print the table (standard output by default).

    Returns
    -------
    rows : list of dict
        One dict per model with keys ``'model'``, ``'metric'`` (``'accuracy'``
        or ``'R^2'``), ``'score'`` and ``'fit_seconds'``.
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import StandardScaler

    from .. import DeepNetClassifier, DeepNetRegressor, LogisticUnit

    def split(X, y, **kw):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=random_state, **kw
        )
        scaler = StandardScaler().fit(X_train)
        return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test

    X, y = load_digits(return_X_y=True)
    digits = split(X, y, stratify=y)
    X, y = load_diabetes(return_X_y=True)
    diabetes = split(X, y)

    net = dict(hidden_layer_sizes=(128, 64), max_iter=60, random_state=random_state)
    reg = dict(
        hidden_layer_sizes=(32,),
        solver="lbfgs",
        alpha=30.0,
        max_iter=500,
        random_state=random_state,
    )

    def scaled(regressor):  # the target runs from 25 to 346: standardise it
        return TransformedTargetRegressor(regressor, transformer=StandardScaler())

    models = [
        ("skdeep LogisticUnit (lbfgs)", LogisticUnit(alpha=1.0, max_iter=500), digits),
        ("sklearn LogisticRegression", LogisticRegression(C=1.0, max_iter=500), digits),
        ("skdeep DeepNetClassifier (adam)", DeepNetClassifier(**net), digits),
        ("sklearn MLPClassifier (adam)", MLPClassifier(**net), digits),
        ("skdeep DeepNetRegressor (lbfgs)", scaled(DeepNetRegressor(**reg)), diabetes),
        ("sklearn MLPRegressor (lbfgs)", scaled(MLPRegressor(**reg)), diabetes),
    ]
    rows = []
    for name, model, (X_train, X_test, y_train, y_test) in models:
        with warnings.catch_warnings():
            # A fixed epoch budget is the point of the comparison.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
        rows.append(
            {
                "model": name,
                "metric": "R^2" if "Regressor" in name else "accuracy",
                "score": model.score(X_test, y_test),
                "fit_seconds": seconds,
            }
        )

    n_train, n_features = digits[0].shape
    print(
        f"Digits: {n_train} training and {len(digits[1])} test images, "
        f"{n_features} features, 10 classes. Diabetes: {len(diabetes[0])} training "
        f"and {len(diabetes[1])} test patients, {diabetes[0].shape[1]} features, "
        "a disease-progression score.\n",
        file=file,
    )
    print(f"{'model':<34} {'held-out score':>16} {'fit time':>10}", file=file)
    print("-" * 62, file=file)
    for row in rows:
        score = f"{row['metric']} {row['score']:.4f}"
        print(
            f"{row['model']:<34} {score:>16} {row['fit_seconds']:>9.3f}s",
            file=file,
        )
    return rows
