"""predict_proba throughput and peak memory, DeepNetClassifier vs MLPClassifier.

Both models get the same trained weights (skdeep reproduces MLPClassifier's
training for a given random_state), so the comparison is pure inference.
Peak memory is the largest NumPy allocation footprint seen by ``tracemalloc``
during the call, beyond the output array itself. Usage::

    python benchmarks/bench_predict.py [--rows 100000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import tracemalloc
import warnings
from functools import partial

import numpy as np
from _common import interleaved, machine_summary, median, print_table
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier

from skdeep import DeepNetClassifier


def _matmul_floor(model, X, chunk=4096):
    """Only the products X @ W of every layer, chunk by chunk, into buffers."""
    buffers = [np.empty((chunk, c.shape[1]), X.dtype) for c in model.coefs_]

    def run():
        for start in range(0, len(X), chunk):
            inputs = X[start : start + chunk]
            for coef, buf in zip(model.coefs_, buffers, strict=True):
                out = buf[: len(inputs)]
                np.dot(inputs, coef, out=out)
                inputs = out

    return run


def peak_extra_mb(fn, output_bytes):
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak - output_bytes) / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(machine_summary(), "\n")

    rows = []
    for hidden, dtype in [
        ((256, 128), np.float64),
        ((256, 128), np.float32),
        ((512, 512), np.float64),
    ]:
        X, y = make_classification(
            n_samples=2000,
            n_features=100,
            n_informative=50,
            n_classes=10,
            random_state=0,
        )
        X = X.astype(dtype)
        params = dict(hidden_layer_sizes=hidden, max_iter=2, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = DeepNetClassifier(**params).fit(X, y)
            ref = MLPClassifier(**params).fit(X, y)
        X_big = np.random.RandomState(1).normal(size=(args.rows, 100)).astype(dtype)
        np.testing.assert_allclose(
            ours.predict_proba(X_big[:1000]),
            ref.predict_proba(X_big[:1000]),
            rtol=1e-4,
            atol=1e-6,
        )
        results = interleaved(
            {
                "matmul floor": _matmul_floor(ours, X_big),
                "skdeep DeepNetClassifier": partial(ours.predict_proba, X_big),
                "sklearn MLPClassifier": partial(ref.predict_proba, X_big),
            },
            args.repeats,
        )
        out_bytes = args.rows * 10 * np.dtype(dtype).itemsize
        ref_time = median(results["sklearn MLPClassifier"][0])
        for name, model in [
            ("matmul floor", None),
            ("skdeep DeepNetClassifier", ours),
            ("sklearn MLPClassifier", ref),
        ]:
            t = median(results[name][0])
            mem = (
                float("nan")
                if model is None
                else peak_extra_mb(partial(model.predict_proba, X_big), out_bytes)
            )
            rows.append(
                [
                    f"{hidden} {np.dtype(dtype).name}",
                    name,
                    f"{t:.3f}",
                    f"{args.rows / t / 1e6:.2f}",
                    f"{ref_time / t:.2f}x",
                    f"{mem:.1f}",
                ]
            )
    print_table(
        [
            "network",
            "system",
            f"predict_proba {args.rows} rows, s",
            "M rows/s",
            "speed-up vs MLP",
            "peak MB beyond output",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
