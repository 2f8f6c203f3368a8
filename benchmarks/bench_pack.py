"""Per-epoch time of k networks packed, k separate networks, and the products alone.

TabularNet's network: a front scale, PBLD embeddings of every input column,
three SELU layers of 256 units with dropout 0.15 (flat-then-cosine), two
outputs read by softmax with label smoothing, Adam with RealMLP's per-layer
rates (``ntk_step_factors``), weight decay and the ``'coslog4'`` schedule.

For each shape (batch size, input features), dtype and thread count:

- *packed*: one pack of ``k`` members trained by ``skdeep.training.fit_pack``
  (each member its own rows, shuffles and dropout masks);
- *separate*: ``k`` single networks, one after the other, each trained by
  ``skdeep.training.fit_stochastic`` (the deep nets' engine, which
  TabularNet used for its ``n_ensembles`` before packs);
- *products*: only the matrix products of the same epoch (forward products,
  weight gradients, input gradients of every Dense layer but the first), as
  stacked ``np.matmul`` calls over the ``k`` members: the floor.

The members train on 4,096 rows and are judged on 256 held-out rows after
every epoch (which both ways pay). Every system runs ``--epochs`` epochs
``--repeats`` times, round-robin in one process; the table reports the median
time per epoch and the ratios. A last table times a pack of 8 whose 4
members diverge in their first epoch (a learning rate of 1e30) and leave the
pack: its later epochs against those of a pack of 8 that all train.

Usage::

    python benchmarks/bench_pack.py [--quick] [--repeats 3] [--epochs 3]
        [--batches 64,256] [--ks 1,5] [--threads 1]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from _common import machine_summary, median, print_table
from threadpoolctl import threadpool_limits

from skdeep.nn import EMBEDDINGS, FrontScale, Network, PeriodicEmbedding
from skdeep.optim import Adam, LearningRateSchedule
from skdeep.training import (
    Members,
    Problem,
    Progress,
    Settings,
    TrainState,
    Validation,
    fit_pack,
    fit_stochastic,
    ntk_step_factors,
    start_solver,
)

HIDDEN = (256, 256, 256)
N_TRAIN, N_VAL = 4096, 256


def network(n_features, n_members=None):
    inputs = [
        FrontScale(n_features, n_members=n_members),
        PeriodicEmbedding(n_features, **EMBEDDINGS["pbld"], n_members=n_members),
    ]
    return Network(
        [n_features, *HIDDEN, 2],
        "selu",
        "log_loss",
        dropout=0.15,
        input_layers=inputs,
        n_members=n_members,
    )


def settings(epochs, batch_size, **extra):
    return Settings(
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=np.inf,
        early_stopping=True,
        batch_size=batch_size,
        optimizer=Adam(beta_2=0.95),
        schedule=LearningRateSchedule("coslog4", 0.04),
        weight_decay=0.02,
        weight_decay_schedule="flat_cosine",
        dropout_schedule="flat_cosine",
        step_factors=ntk_step_factors({"biases": 0.1, "scales": 6.0}),
        **extra,
    )


def start(net, dtype, seeds, run):
    sources = [np.random.RandomState(s) for s in seeds]
    params = net.init_params(sources if net.n_members else sources[0], dtype)
    state = TrainState(params, net.init_stats(dtype))
    net.set_dropout_seed(seeds if net.n_members else seeds[0])
    start_solver(state, run.optimizer, run.schedule, {"solver": "adam"})
    return state


def data(n_features, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N_TRAIN + N_VAL, n_features)).astype(dtype)
    y = (X[:, 0] + np.sin(X[:, 1]) > 0).astype(np.intp)
    return X, y


def packed_runner(X, y, k, batch, epochs, dtype, learning_rates=None):
    rows = np.arange(N_TRAIN)
    val = np.arange(N_TRAIN, N_TRAIN + N_VAL)

    def run():
        net = network(X.shape[1], k)
        config = settings(epochs, batch)
        state = start(net, dtype, list(range(k)), config)
        members = Members(
            [rows] * k,
            [val] * k,
            [np.random.RandomState(m) for m in range(k)],
            learning_rates=learning_rates,
        )
        with np.errstate(all="ignore"):  # members made to diverge
            progress, _ = fit_pack(
                Problem(net, X, y, None, 0.0), state, members, config
            )
        return progress

    return run


def separate_runner(X, y, k, batch, epochs, dtype):
    def negative_loss(raw, y_val, sw):
        from skdeep.nn import LOSSES

        return -LOSSES["log_loss"]().loss_gradient(raw, y_val, 1 / len(raw))

    def run():
        for m in range(k):
            net = network(X.shape[1])
            config = settings(epochs, batch, rng=np.random.RandomState(m))
            state = start(net, dtype, [m], config)
            problem = Problem(net, X[:N_TRAIN], y[:N_TRAIN], None, 0.0)
            problem.validation = Validation(
                X[N_TRAIN:], y[N_TRAIN:], None, negative_loss
            )
            progress = Progress(validation_scores=[], best_validation_score=-np.inf)
            fit_stochastic(problem, state, progress, config)

    return run


def products_runner(n_features, k, batch, epochs, dtype):
    """Only the products of the Dense layers of ``epochs`` epochs, k stacked."""
    rng = np.random.RandomState(0)
    width = n_features * (EMBEDDINGS["pbld"]["n_units"] + 1)  # PBLD's output
    units = [width, *HIDDEN, 2]
    weights = [
        rng.normal(size=(k, a, b)).astype(dtype)
        for a, b in zip(units[:-1], units[1:], strict=True)
    ]
    acts = [rng.normal(size=(k, batch, n)).astype(dtype) for n in units]
    deltas = [np.empty_like(a) for a in acts]
    grads = [np.empty_like(w) for w in weights]
    n_batches = -(-N_TRAIN // batch)

    def run():
        for _ in range(epochs * n_batches):
            for i, w in enumerate(weights):
                np.matmul(acts[i], w, out=acts[i + 1])
            for i in range(len(weights) - 1, -1, -1):
                np.matmul(acts[i].swapaxes(1, 2), acts[i + 1], out=grads[i])
                if i > 0:
                    np.matmul(acts[i + 1], weights[i].swapaxes(1, 2), out=deltas[i])

    return run


def per_epoch(runners, repeats, epochs):
    """Median seconds per epoch of each runner, timed round-robin."""
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            begin = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - begin) / epochs)
    return {name: median(t) for name, t in times.items()}


def _integers(text):
    return [int(part) for part in text.split(",")] if text else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="batch 256, k 1 and 8")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batches", help="batch sizes, e.g. 64,256")
    parser.add_argument("--ks", help="pack sizes, e.g. 1,5")
    parser.add_argument("--threads", help="BLAS threads, e.g. 1,2")
    args = parser.parse_args()
    batches = [256] if args.quick else [128, 256, 512, 1024]
    features = [10, 100]
    ks = [1, 8] if args.quick else [1, 4, 8, 16]
    dtypes = [np.float32] if args.quick else [np.float32, np.float64]
    threads = [1] if args.quick else [1, 2]
    # A grid of one's own: these replace the defaults (or --quick's).
    batches = _integers(args.batches) or batches
    ks = _integers(args.ks) or ks
    threads = _integers(args.threads) or threads
    print(machine_summary())
    print(
        f"{N_TRAIN} training rows, {N_VAL} held-out rows, {args.epochs} epochs, "
        f"median of {args.repeats} round-robin runs\n"
    )
    rows = []
    for n_threads, dtype, n_features, batch in itertools.product(
        threads, dtypes, features, batches
    ):
        X, y = data(n_features, dtype)
        with threadpool_limits(n_threads):
            for k in ks:
                epochs = args.epochs
                timings = per_epoch(
                    {
                        "packed": packed_runner(X, y, k, batch, epochs, dtype),
                        "separate": separate_runner(X, y, k, batch, epochs, dtype),
                        "products": products_runner(
                            n_features, k, batch, epochs, dtype
                        ),
                    },
                    args.repeats,
                    epochs,
                )
                rows.append(
                    [
                        n_threads,
                        np.dtype(dtype).name,
                        n_features,
                        batch,
                        k,
                        f"{timings['packed'] * 1e3:.1f}",
                        f"{timings['separate'] * 1e3:.1f}",
                        f"{timings['products'] * 1e3:.1f}",
                        f"{timings['packed'] / timings['separate']:.2f}x",
                        f"{timings['packed'] / timings['products']:.2f}x",
                    ]
                )
                print(" | ".join(str(c) for c in rows[-1]), flush=True)
    print()
    print_table(
        [
            "threads",
            "dtype",
            "features",
            "batch",
            "k",
            "packed ms/epoch",
            "separate ms/epoch",
            "products ms/epoch",
            "packed / separate",
            "packed / products",
        ],
        rows,
    )
    # Members leaving: 4 of 8 members diverge in their first epoch and leave.
    print()
    leaving = []
    for dtype in dtypes:
        X, y = data(10, dtype)
        rates = np.array([1.0, 1e30] * 4)
        whole, half = [], []
        with threadpool_limits(1):
            for _ in range(args.repeats):
                whole += packed_runner(X, y, 8, 256, 8, dtype)().epoch_seconds[1:]
                progress = packed_runner(X, y, 8, 256, 8, dtype, rates)()
                half += progress.epoch_seconds[1:]
        full, half = median(whole), median(half)
        members = progress.n_iter.tolist()
        leaving.append(
            [
                np.dtype(dtype).name,
                f"{full * 1e3:.1f}",
                f"{half * 1e3:.1f}",
                f"{half / full:.2f}x",
                members,
            ]
        )
    print_table(
        [
            "dtype",
            "8 members, ms/epoch",
            "after 4 left, ms/epoch",
            "ratio",
            "epochs per member",
        ],
        leaving,
    )


if __name__ == "__main__":
    main()
