"""How one epoch of DeepNetClassifier.fit scales with rows and with width.

Fit time should grow linearly in n_samples: the table reports seconds per
million rows, which should stay flat, and its deviation from the first row.
On a shared machine a neighbour's load inflates some runs (never deflates
them), so the fastest run is shown beside the median: linearity is best read
from the fastest runs.
Usage::

    python benchmarks/bench_scaling.py [--max-rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import interleaved, machine_summary, median, print_table
from sklearn.neural_network import MLPClassifier

from skdeep import DeepNetClassifier


def data(n, n_features=100, n_classes=10, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    w = rng.normal(size=(n_features, n_classes))
    y = np.argmax(X @ w + rng.gumbel(size=(n, n_classes)), axis=1)
    return X, y


def one_epoch(cls, X, y, hidden):
    return lambda: cls(
        hidden_layer_sizes=hidden, max_iter=1, batch_size=200, random_state=0
    ).fit(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(machine_summary(), "\n")

    rows, base = [], None
    for n in [10_000, 100_000, args.max_rows]:
        X, y = data(n)
        runners = {"skdeep": one_epoch(DeepNetClassifier, X, y, (256, 128))}
        if n <= 100_000:
            runners["sklearn"] = one_epoch(MLPClassifier, X, y, (256, 128))
        res = interleaved(runners, args.repeats)
        t = median(res["skdeep"][0])
        per_m = min(res["skdeep"][0]) / n * 1e6
        base = base or per_m
        mlp = median(res["sklearn"][0]) if "sklearn" in res else None
        rows.append(
            [
                "rows",
                f"{n:,}",
                "(256, 128)",
                f"{t:.3f}",
                f"{min(res['skdeep'][0]):.3f}",
                f"{per_m:.2f}",
                f"{100 * (per_m / base - 1):+.1f}%",
                "" if mlp is None else f"{mlp / t:.2f}x",
            ]
        )
    X, y = data(20_000)
    base = None
    for width in [64, 128, 256, 512, 1024]:
        res = interleaved(
            {
                "skdeep": one_epoch(DeepNetClassifier, X, y, (width, width)),
                "sklearn": one_epoch(MLPClassifier, X, y, (width, width)),
            },
            args.repeats,
        )
        t = median(res["skdeep"][0])
        rows.append(
            [
                "width",
                "20,000",
                f"({width}, {width})",
                f"{t:.3f}",
                f"{min(res['skdeep'][0]):.3f}",
                f"{min(res['skdeep'][0]) / 20_000 * 1e6:.2f}",
                "",
                f"{median(res['sklearn'][0]) / t:.2f}x",
            ]
        )
    print_table(
        [
            "vary",
            "rows",
            "hidden",
            "1 epoch s (median)",
            "fastest s",
            "fastest s per 1M rows",
            "vs first",
            "speed-up vs MLP",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
