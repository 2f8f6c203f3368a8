"""The demo behind ``python -m skdeep``: skdeep beside scikit-learn on digits."""

from __future__ import annotations

import time
import warnings

__all__ = ["run_demo"]


def run_demo(random_state: int = 0, file=None) -> list[dict]:
    """Train skdeep's estimators and their scikit-learn peers on digits.

    Fits :class:`~skdeep.LogisticUnit` beside
    :class:`~sklearn.linear_model.LogisticRegression`, and
    :class:`~skdeep.DeepNetClassifier` beside
    :class:`~sklearn.neural_network.MLPClassifier`, with the same parameters,
    on scikit-learn's bundled 8x8 digits (standardised, 25% held out), and
    prints held-out accuracy and fit time.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the split and of the networks.
    file : file-like, default=None
        Where to print the table (standard output by default).

    Returns
    -------
    rows : list of dict
        One dict per model with keys ``'model'``, ``'accuracy'`` and
        ``'fit_seconds'``.
    """
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    from . import DeepNetClassifier, LogisticUnit

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=random_state
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    net = dict(hidden_layer_sizes=(128, 64), max_iter=60, random_state=random_state)
    models = [
        ("skdeep LogisticUnit (lbfgs)", LogisticUnit(alpha=1.0, max_iter=500)),
        ("sklearn LogisticRegression", LogisticRegression(C=1.0, max_iter=500)),
        ("skdeep DeepNetClassifier (adam)", DeepNetClassifier(**net)),
        ("sklearn MLPClassifier (adam)", MLPClassifier(**net)),
    ]
    rows = []
    for name, model in models:
        with warnings.catch_warnings():
            # A fixed epoch budget is the point of the comparison.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
        rows.append(
            {
                "model": name,
                "accuracy": model.score(X_test, y_test),
                "fit_seconds": seconds,
            }
        )

    n_train, n_features = X_train.shape
    print(
        f"Digits: {n_train} training and {len(X_test)} test images, "
        f"{n_features} features, 10 classes.\n",
        file=file,
    )
    print(f"{'model':<34} {'accuracy':>9} {'fit time':>10}", file=file)
    print("-" * 55, file=file)
    for row in rows:
        print(
            f"{row['model']:<34} {row['accuracy']:>9.4f} {row['fit_seconds']:>9.3f}s",
            file=file,
        )
    return rows
