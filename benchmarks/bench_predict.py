"""Prediction latency and throughput, skdeep against scikit-learn's MLPs.

Both models of a pair get the same trained weights (skdeep reproduces
MLPClassifier's and MLPRegressor's training for a given random_state), so
the comparison is pure inference.

*Latency*: ``predict_proba`` and ``predict`` of a classifier, and
``predict`` of a regressor, fitted on digits (64 features, scaled to
[0, 1]) through ``(100,)``, on 1, 10 and 1,000 rows: the median time of one
call over many calls, the two systems alternating in blocks.

*Throughput*: ``predict_proba`` on ``--rows`` rows through wider networks.
Peak memory is the largest NumPy allocation footprint seen by
``tracemalloc`` during the call, beyond the output array itself. Usage::

    python benchmarks/bench_predict.py [--rows 100000] [--repeats 5]
        [--tables latency,throughput]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings
from functools import partial

import numpy as np
from _common import interleaved, machine_summary, median, print_table
from sklearn.datasets import load_digits, make_classification
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skdeep import DeepNetClassifier, DeepNetRegressor


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


def _per_call(fn, calls):
    """Seconds of each of ``calls`` calls of ``fn``."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def latency_rows(repeats):
    """One row per (model, method, batch size): median microseconds per call."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    y_reg = X[:, :10].sum(axis=1)  # a smooth target of the pixels
    params = dict(hidden_layer_sizes=(100,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = {
            "classifier": (
                DeepNetClassifier(**params).fit(X, y),
                MLPClassifier(**params).fit(X, y),
            ),
            "regressor": (
                DeepNetRegressor(**params).fit(X, y_reg),
                MLPRegressor(**params).fit(X, y_reg),
            ),
        }
    cases = [
        ("classifier", "predict_proba"),
        ("classifier", "predict"),
        ("regressor", "predict"),
    ]
    rows = []
    for n_rows in (1, 10, 1000):
        X_new = np.ascontiguousarray(X[:n_rows])
        calls = 200 if n_rows < 1000 else 40
        for model, method in cases:
            ours, theirs = (getattr(m, method) for m in pairs[model])
            np.testing.assert_allclose(ours(X_new), theirs(X_new), rtol=1e-6)
            ours_times, theirs_times = [], []
            for _ in range(repeats):  # alternate blocks of calls
                ours_times += _per_call(partial(ours, X_new), calls)
                theirs_times += _per_call(partial(theirs, X_new), calls)
            t_ours, t_theirs = median(ours_times), median(theirs_times)
            rows.append(
                [
                    f"{model} {method}",
                    n_rows,
                    f"{t_ours * 1e6:.1f}",
                    f"{t_theirs * 1e6:.1f}",
                    f"{t_theirs / t_ours:.2f}x",
                ]
            )
    return rows


def throughput_rows(n_rows, repeats):
    """predict_proba on ``n_rows`` rows: time, rows per second, peak memory."""
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
        X_big = np.random.RandomState(1).normal(size=(n_rows, 100)).astype(dtype)
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
            repeats,
        )
        out_bytes = n_rows * 10 * np.dtype(dtype).itemsize
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
                    f"{n_rows / t / 1e6:.2f}",
                    f"{ref_time / t:.2f}x",
                    f"{mem:.1f}",
                ]
            )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--tables",
        default="latency,throughput",
        help="which tables: latency, throughput (comma-separated)",
    )
    args = parser.parse_args(argv)
    tables = args.tables.split(",")
    print(machine_summary(), "\n")
    if "latency" in tables:
        print_table(
            [
                "model, method",
                "rows",
                "skdeep us (median)",
                "sklearn us (median)",
                "speed-up vs sklearn",
            ],
            latency_rows(args.repeats),
        )
        print()
    if "throughput" in tables:
        print_table(
            [
                "network",
                "system",
                f"predict_proba {args.rows} rows, s",
                "M rows/s",
                "speed-up vs MLP",
                "peak MB beyond output",
            ],
            throughput_rows(args.rows, args.repeats),
        )


if __name__ == "__main__":
    main()
