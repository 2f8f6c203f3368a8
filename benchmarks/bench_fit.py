"""Fit time of DeepNetClassifier against MLPClassifier, and the matmul floor.

Workload W1: ``make_classification(n_samples=20000, n_features=100,
n_informative=50, n_classes=10)``, standardised, 20% held out for accuracy;
``hidden_layer_sizes=(256, 128)``, Adam, ``batch_size=200``, 10 epochs
(``tol=0`` and a large ``n_iter_no_change`` so that all epochs run), in
float64 and float32. Workload W2 is a small, wide-input problem where
per-batch overhead dominates: 5,000 x 20 features, (64,) hidden units,
batch 64, 20 epochs. Workload R1 is W1's shape for regression:
``make_regression(n_samples=20000, n_features=100, n_informative=50,
noise=10)``, features and target standardised, one output, held-out R^2;
DeepNetRegressor against MLPRegressor. Workload SW is small and wide, where
the element-wise work weighs most: 4,000 x 40 (of 5,000, 10 classes),
``(256, 256)``, batch 200, 20 epochs.

The second table times each network kind (plain, ``dropout=0.2``,
``batch_norm=True``, ``activation='gelu'``) in skdeep and in PyTorch's CPU
training loop on the same layers (Linear, BatchNorm1d, the activation,
Dropout; Adam; cross-entropy; if PyTorch is installed), on W1 and SW.

The *matmul floor* is the time of only the matrix products one epoch needs
at those shapes (forward products, weight gradients, and input gradients for
every layer but the first), times the number of epochs.

Every system is timed ``--repeats`` times, round-robin in one process, and the
table reports medians and ratios. Usage::

    python benchmarks/bench_fit.py [--repeats 5] [--quick]
"""

from __future__ import annotations

import argparse
from functools import partial

import numpy as np
from _common import interleaved, machine_summary, median, print_table
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier, DeepNetRegressor

WORKLOADS = {
    "W1": dict(
        data=dict(n_samples=20000, n_features=100, n_informative=50, n_classes=10),
        hidden=(256, 128),
        batch_size=200,
        epochs=10,
    ),
    "W2": dict(
        data=dict(n_samples=5000, n_features=20, n_informative=10, n_classes=3),
        hidden=(64,),
        batch_size=64,
        epochs=20,
    ),
    "SW": dict(
        data=dict(n_samples=5000, n_features=40, n_informative=20, n_classes=10),
        hidden=(256, 256),
        batch_size=200,
        epochs=20,
    ),
    "R1": dict(
        data=dict(n_samples=20000, n_features=100, n_informative=50, noise=10.0),
        hidden=(256, 128),
        batch_size=200,
        epochs=10,
        regression=True,
    ),
}


def make_data(spec, dtype, random_state=0):
    if spec.get("regression"):
        X, y = make_regression(random_state=random_state, **spec["data"])
        y = (y - y.mean()) / y.std()
        stratify = None
    else:
        X, y = make_classification(random_state=random_state, **spec["data"])
        stratify = y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=random_state, stratify=stratify
    )
    scaler = StandardScaler().fit(X_train)
    return (
        scaler.transform(X_train).astype(dtype),
        scaler.transform(X_test).astype(dtype),
        y_train,
        y_test,
    )


def matmul_floor(n_samples, layer_units, batch_size, epochs, dtype):
    """Run only the matrix products of ``epochs`` epochs; return the runner."""
    rng = np.random.RandomState(0)
    weights = [
        rng.normal(size=(a, b)).astype(dtype)
        for a, b in zip(layer_units[:-1], layer_units[1:], strict=True)
    ]
    acts = [rng.normal(size=(batch_size, n)).astype(dtype) for n in layer_units]
    deltas = [np.empty_like(a) for a in acts]
    grads = [np.empty_like(w) for w in weights]
    n_batches = -(-n_samples // batch_size)

    def run():
        for _ in range(epochs * n_batches):
            for i, w in enumerate(weights):
                np.dot(acts[i], w, out=acts[i + 1])
            for i in range(len(weights) - 1, -1, -1):
                np.dot(acts[i].T, acts[i + 1], out=grads[i])
                if i > 0:
                    np.dot(acts[i + 1], weights[i].T, out=deltas[i])

    return run


def fit_params(spec):
    """The estimators' parameters for a workload: Adam, every epoch run."""
    return dict(
        hidden_layer_sizes=spec["hidden"],
        solver="adam",
        batch_size=spec["batch_size"],
        max_iter=spec["epochs"],
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
    )


def bench(name, spec, dtype, repeats):
    X_train, X_test, y_train, y_test = make_data(spec, dtype)
    params = fit_params(spec)
    regression = spec.get("regression", False)
    n_outputs = 1 if regression else len(np.unique(y_train))
    units = [X_train.shape[1], *spec["hidden"], n_outputs]
    ours, theirs = (
        (DeepNetRegressor, MLPRegressor)
        if regression
        else (DeepNetClassifier, MLPClassifier)
    )
    reference = f"sklearn {theirs.__name__}"

    def fit(cls):
        return lambda: cls(**params).fit(X_train, y_train)

    runners = {
        "matmul floor": matmul_floor(
            len(X_train), units, spec["batch_size"], spec["epochs"], dtype
        ),
        f"skdeep {ours.__name__}": fit(ours),
        reference: fit(theirs),
    }
    results = interleaved(runners, repeats)
    floor = median(results["matmul floor"][0])
    mlp = median(results[reference][0])
    rows = []
    for system, (times, model) in results.items():
        t = median(times)
        acc = "" if model is None else f"{_accuracy(model, X_test, y_test):.4f}"
        rows.append(
            [
                f"{name} {np.dtype(dtype).name}",
                system,
                f"{t:.3f}",
                f"{t / floor:.2f}x",
                f"{mlp / t:.2f}x",
                acc,
            ]
        )
    return rows


def _accuracy(model, X, y):
    """Held-out accuracy (classifiers) or R^2 (regressors)."""
    if callable(model):  # torch: a predict function
        return float(np.mean(model(X) == y))
    return model.score(X, y)


KINDS = {
    "plain": {},
    "dropout=0.2": {"dropout": 0.2},
    "batch_norm": {"batch_norm": True},
    "gelu": {"activation": "gelu"},
}


def _torch_runner(X, y, spec, dtype, kind):
    """The same network in PyTorch's CPU training loop, or None without it."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    Xt, yt = torch.from_numpy(X).to(torch_dtype), torch.from_numpy(y).long()
    options = KINDS[kind]

    def run():
        layers, n_in = [], X.shape[1]
        for n in spec["hidden"]:
            layers.append(torch.nn.Linear(n_in, n))
            if options.get("batch_norm"):
                layers.append(torch.nn.BatchNorm1d(n, momentum=0.1, eps=1e-5))
            gelu = options.get("activation") == "gelu"
            layers.append(torch.nn.GELU() if gelu else torch.nn.ReLU())
            if options.get("dropout"):
                layers.append(torch.nn.Dropout(options["dropout"]))
            n_in = n
        layers.append(torch.nn.Linear(n_in, int(y.max()) + 1))
        net = torch.nn.Sequential(*layers).to(torch_dtype)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=0.0)
        loss_fn = torch.nn.CrossEntropyLoss()
        bs = spec["batch_size"]
        net.train()
        for _ in range(spec["epochs"]):
            perm = torch.randperm(len(Xt))
            for start in range(0, len(Xt), bs):
                idx = perm[start : start + bs]
                opt.zero_grad()
                loss_fn(net(Xt[idx]), yt[idx]).backward()
                opt.step()
        net.eval()

        def predict(X_new):
            with torch.no_grad():
                out = net(torch.from_numpy(X_new).to(torch_dtype))
            return out.argmax(1).numpy()

        return predict

    return run


def bench_kinds(name, spec, dtype, repeats):
    """Each network kind in skdeep and in PyTorch, interleaved."""
    X_train, X_test, y_train, y_test = make_data(spec, dtype)
    params = fit_params(spec)
    runners = {}
    for kind, options in KINDS.items():
        runners[f"skdeep {kind}"] = partial(
            lambda o: DeepNetClassifier(**params, **o).fit(X_train, y_train), options
        )
        torch_runner = _torch_runner(X_train, y_train, spec, dtype, kind)
        if torch_runner is not None:
            runners[f"torch {kind}"] = torch_runner
    results = interleaved(runners, repeats)
    plain = median(results["skdeep plain"][0])
    rows = []
    for kind in KINDS:
        ours = median(results[f"skdeep {kind}"][0])
        theirs = results.get(f"torch {kind}")
        torch_time = median(theirs[0]) if theirs else None
        rows.append(
            [
                f"{name} {np.dtype(dtype).name}",
                kind,
                f"{ours:.3f}",
                f"{ours / plain:.2f}x",
                "" if torch_time is None else f"{torch_time:.3f}",
                "" if torch_time is None else f"{torch_time / ours:.2f}x",
                f"{_accuracy(results[f'skdeep {kind}'][1], X_test, y_test):.4f}",
                ""
                if torch_time is None
                else f"{_accuracy(theirs[1], X_test, y_test):.4f}",
            ]
        )
    return rows


def bench_logistic(repeats):
    """LogisticUnit (L-BFGS) against LogisticRegression on bundled data sets."""
    from sklearn.datasets import load_breast_cancer, load_digits
    from sklearn.linear_model import LogisticRegression

    from skdeep import LogisticUnit

    rows = []
    for loader in (load_breast_cancer, load_digits):
        X, y = loader(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        unit, reference = LogisticUnit(alpha=1.0), LogisticRegression(C=1.0)
        results = interleaved(
            {
                "skdeep LogisticUnit": partial(unit.fit, X, y),
                "sklearn LogisticRegression": partial(reference.fit, X, y),
            },
            repeats,
        )
        ref = median(results["sklearn LogisticRegression"][0])
        for system, (times, model) in results.items():
            t = median(times)
            rows.append(
                [
                    loader.__name__.removeprefix("load_"),
                    system,
                    f"{t * 1e3:.1f}",
                    f"{t / ref:.2f}x",
                    int(np.max(model.n_iter_)),
                    f"{model.score(X, y):.4f}",
                ]
            )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="W1 float64 only, 3 runs")
    parser.add_argument(
        "--only", help="comma-separated workloads to run (e.g. W1,R1); default all"
    )
    parser.add_argument(
        "--tables",
        default="main,kinds,logistic",
        help="which tables: main, kinds, logistic (comma-separated)",
    )
    args = parser.parse_args(argv)
    tables = args.tables.split(",")
    print(machine_summary(), "\n")
    cases = [
        ("W1", np.float64),
        ("W1", np.float32),
        ("W2", np.float64),
        ("R1", np.float64),
        ("R1", np.float32),
    ]
    kind_cases = [
        ("W1", np.float64),
        ("W1", np.float32),
        ("SW", np.float64),
        ("SW", np.float32),
    ]
    repeats = args.repeats
    if args.only:
        chosen = args.only.split(",")
        cases = [case for case in cases if case[0] in chosen]
        kind_cases = [case for case in kind_cases if case[0] in chosen]
    if args.quick:
        cases, kind_cases, repeats = cases[:1], kind_cases[:1], 3
    if "main" in tables and cases:
        rows = []
        for name, dtype in cases:
            rows += bench(name, WORKLOADS[name], dtype, repeats)
        print_table(
            [
                "workload",
                "system",
                "fit s (median)",
                "x matmul floor",
                "speed-up vs sklearn",
                "held-out acc / R^2",
            ],
            rows,
        )
        print()
    if "kinds" in tables and kind_cases:
        rows = []
        for name, dtype in kind_cases:
            rows += bench_kinds(name, WORKLOADS[name], dtype, repeats)
        print_table(
            [
                "workload",
                "network",
                "skdeep s",
                "x skdeep plain",
                "PyTorch s",
                "speed-up vs PyTorch",
                "skdeep acc",
                "PyTorch acc",
            ],
            rows,
        )
        print()
    if "logistic" in tables:
        print_table(
            [
                "data",
                "system",
                "fit ms (median)",
                "time vs LogisticRegression",
                "iterations",
                "train acc",
            ],
            bench_logistic(max(repeats, 5)),
        )


if __name__ == "__main__":
    main()
