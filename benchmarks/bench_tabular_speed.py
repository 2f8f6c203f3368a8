"""Fit time of TabularNet against pytabkit's RealMLP-TD, side by side.

``bench_tabular.py`` records fit times, but across runs and processes; this
script times the two on the same rows in one process, interleaved and
repeated, and prints the ratio (RealMLP-TD's time over TabularNet's). Both
train RealMLP-TD's recipe: TabularNet with ``RECIPE`` below (one network of
3 x 256 units, 256 epochs of 256 rows on the ``'coslog4'`` schedule, the
best epoch on a 20% hold-out, no folds, patience or linear model; its own
defaults are cheaper), so the ratio is the cost of the framework around the
matrix products. Needs the ``bench`` extra (pytabkit, PyTorch).

Run it single-threaded (both libraries follow OMP_NUM_THREADS)::

    OMP_NUM_THREADS=1 python benchmarks/bench_tabular_speed.py \\
        [--datasets diabetes,titanic] [--repeats 2] [--rows 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import interleaved, machine_summary  # noqa: E402
from bench_tabular import TABLES, available_models, load_table  # noqa: E402

#: TabularNet set to RealMLP-TD's recipe (pytabkit's defaults).
RECIPE = {
    "hidden_layer_sizes": (256, 256, 256),
    "max_iter": 256,
    "learning_rate": "coslog4",
    "batch_size": 256,
    "n_folds": 1,
    "patience": None,
    "linear_blend": False,
}


def main():
    """Time both models on each table and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="diabetes,titanic,wage")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--rows", type=int, default=2000, help="training rows at most (default 2000)"
    )
    args = parser.parse_args()
    models, unavailable = available_models()
    missing = [m for m in ("tabular", "realmlp") if m not in models]
    if missing:
        sys.exit(f"needs {', '.join(missing)}: {unavailable}")
    print(machine_summary())
    print(f"{models['tabular'][0]} with {RECIPE}; {models['realmlp'][0]}\n")
    recipe = models["tabular("][1](**RECIPE)
    print("| table | training rows | TabularNet fit, s | RealMLP-TD fit, s | ratio |")
    print("|---|---|---|---|---|")
    for name in args.datasets.split(","):
        table = TABLES[name]
        X, y = load_table(table)
        n = min(args.rows, len(X))
        X, y = X.iloc[:n], y[:n]

        def runner(model_name, X=X, y=y, task=table.task):
            build = recipe if model_name == "tabular" else models[model_name][1]

            def run():
                model = build(task, 0)
                model.fit(X, y)
                return model

            return run

        timings = interleaved(
            {"tabular": runner("tabular"), "realmlp": runner("realmlp")}, args.repeats
        )
        ours = statistics.median(timings["tabular"][0])
        theirs = statistics.median(timings["realmlp"][0])
        print(
            f"| {name} | {n} | {ours:.2f} | {theirs:.2f} | {theirs / ours:.2f}x |",
            flush=True,
        )
    print(f"\nmedian of {args.repeats} fits each, interleaved; numpy {np.__version__}")


if __name__ == "__main__":
    main()
