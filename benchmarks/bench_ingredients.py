"""What each training ingredient costs per epoch, against the plain network.

Workload W1 of ``bench_fit.py`` (20,000 x 100 features, 10 classes,
``(256, 128)``, Adam, batch 200), 5 epochs, float64 and float32. Each row adds
one ingredient to the plain network (scikit-learn's defaults otherwise), and
the last row all of them together; the table gives the median time per
epoch and its ratio to the plain network's, all timed round-robin in one
process. The ingredient rows of the periodic embedding and the front scale
change the network itself: the embedding's first hidden layer sees
``n_features * n_units`` inputs instead of ``n_features``.

Usage::

    python benchmarks/bench_ingredients.py [--repeats 3] [--dtype float32]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import interleaved, machine_summary, median, print_table
from bench_fit import WORKLOADS, fit_params, make_data

from skdeep import DeepNetClassifier

EPOCHS = 5
INGREDIENTS = {
    "plain": {},
    "activation='selu'": {"activation": "selu"},
    "activation='mish'": {"activation": "mish"},
    "label_smoothing=0.1": {"label_smoothing": 0.1},
    "weight_decay=0.02": {"weight_decay": 0.02},
    "learning_rate='coslog4'": {"learning_rate": "coslog4"},
    "weight_decay + flat_cosine": {
        "weight_decay": 0.02,
        "weight_decay_schedule": "flat_cosine",
    },
    "dropout=0.15": {"dropout": 0.15},
    "dropout + flat_cosine": {"dropout": 0.15, "dropout_schedule": "flat_cosine"},
    "learning_rate_factors": {"learning_rate_factors": {"biases": 0.1}},
    "front_scale=True": {"front_scale": True},
    "embedding='periodic'": {"embedding": "periodic"},
    "early_stopping, scoring='loss'": {"early_stopping": True, "scoring": "loss"},
}
INGREDIENTS["all of them"] = {
    key: value
    for name, options in INGREDIENTS.items()
    if name not in ("activation='mish'",)
    for key, value in options.items()
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dtype", choices=["float64", "float32"], default=None)
    args = parser.parse_args()
    print(machine_summary())
    spec = dict(WORKLOADS["W1"], epochs=EPOCHS)
    dtypes = [args.dtype] if args.dtype else ["float64", "float32"]
    rows = []
    for dtype in dtypes:
        X_train, X_test, y_train, y_test = make_data(spec, np.dtype(dtype))
        params = fit_params(spec)

        def fit(options, X=X_train, y=y_train, params=params):
            return lambda: DeepNetClassifier(**{**params, **options}).fit(X, y)

        runners = {name: fit(options) for name, options in INGREDIENTS.items()}
        results = interleaved(runners, args.repeats)
        plain = median(results["plain"][0]) / results["plain"][1].n_iter_
        for name, (times, model) in results.items():
            per_epoch = median(times) / model.n_iter_
            rows.append(
                [
                    f"W1 {dtype}",
                    name,
                    f"{1000 * per_epoch:.0f}",
                    f"{per_epoch / plain:.2f}x",
                    f"{model.score(X_test, y_test):.4f}",
                ]
            )
    print_table(
        ["workload", "ingredient", "ms per epoch", "x plain", "held-out acc"], rows
    )


if __name__ == "__main__":
    main()
