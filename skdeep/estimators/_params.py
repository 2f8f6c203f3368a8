"""Hyperparameters: their constraints, derived from the registries.

Option names come from one registry each (``skdeep.optim.OPTIMIZERS``,
``skdeep.optim.SCHEDULES``, ``skdeep.nn.ACTIVATIONS``,
``skdeep.nn.INITIALIZERS``), so a new solver, schedule, activation or
initializer is accepted by every estimator without touching this file.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np

from ..nn import (
    ACTIVATIONS,
    EMBEDDINGS,
    INITIALIZERS,
    ROLES,
    CategoryEmbedding,
    FrontScale,
    PeriodicEmbedding,
)
from ..optim import OPTIMIZERS, SCHEDULES, SHAPES
from ..utils._sklearn import Interval, InvalidParameterError, Options, StrOptions

__all__ = [
    "EMBEDDING_OPTIONS",
    "NETWORK_CONSTRAINTS",
    "Architecture",
    "PARAMETER_CONSTRAINTS",
    "check_embedding_keys",
    "check_learning_rate_factors",
    "STOCHASTIC_SOLVERS",
    "WEIGHT_INITS",
    "input_layers",
    "stochastic_solver",
    "validate_architecture",
]

#: Solvers that make minibatch updates (and have ``partial_fit``).
STOCHASTIC_SOLVERS = tuple(OPTIMIZERS)
#: ``weight_init`` options; 'auto' is MLPClassifier's scheme.
WEIGHT_INITS = (
    "auto",
    *(name for name in INITIALIZERS if name not in ("glorot_uniform_sklearn", "zeros")),
)


def stochastic_solver(estimator) -> bool:
    """Tell whether ``partial_fit`` is available (an ``available_if`` check)."""
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{estimator.solver} is not stochastic."
        )
    return True


PARAMETER_CONSTRAINTS: dict = {
    "solver": [StrOptions({"lbfgs", *STOCHASTIC_SOLVERS})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "learning_rate": [StrOptions(set(SCHEDULES))],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "scoring": [str, callable, None],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "weight_decay_schedule": [StrOptions(set(SHAPES))],
    "learning_rate_warmup": [Interval(Real, 0, 1, closed="left")],
    "learning_rate_factors": [dict, None],
}

#: Constraints of the deep nets' network options (LogisticUnit has none).
NETWORK_CONSTRAINTS: dict = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "weight_init": [StrOptions(set(WEIGHT_INITS))],
    "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    "batch_norm": ["boolean"],
    "dropout_schedule": [StrOptions(set(SHAPES))],
    "front_scale": ["boolean"],
    "embedding": [StrOptions(set(EMBEDDINGS)), None],
    "embedding_options": [dict, None],
}


class Architecture(NamedTuple):
    """The network an estimator asks for."""

    hidden_layer_sizes: tuple
    activation: str = "relu"
    fit_intercept: bool = True
    dropout: float | tuple = 0.0
    batch_norm: bool = False
    init: str = "glorot_uniform_sklearn"  # a key of skdeep.nn.INITIALIZERS
    front_scale: bool = False
    embedding: dict | None = None  # embedding kind and options, if any


def validate_architecture(estimator) -> Architecture:
    """Check the network options beyond what the constraints can express.

    Parameters
    ----------
    estimator : BaseNetwork
        Its ``_architecture()`` gives the options.

    Returns
    -------
    arch : Architecture
        The options, with ``hidden_layer_sizes`` as a tuple of ints.
    """
    arch = estimator._architecture()
    name = type(estimator).__name__
    hidden = arch.hidden_layer_sizes
    sizes = [hidden] if isinstance(hidden, Integral) else list(hidden)
    if not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in sizes
    ):
        raise InvalidParameterError(
            "The 'hidden_layer_sizes' parameter of "
            f"{name} must be a positive int or a sequence of "
            f"positive ints. Got {hidden!r} instead."
        )
    arch = arch._replace(hidden_layer_sizes=tuple(int(s) for s in sizes))
    dropout = arch.dropout
    rates = [dropout] if np.ndim(dropout) == 0 else list(dropout)
    if (np.ndim(dropout) != 0 and len(rates) != len(sizes)) or not all(
        isinstance(r, Real) and 0 <= r < 1 for r in rates
    ):
        raise InvalidParameterError(
            f"The 'dropout' parameter of {name} must be a float "
            "in [0, 1) or a sequence of such floats, one per hidden layer "
            f"({len(sizes)} here). Got {dropout!r} instead."
        )
    if estimator.solver == "lbfgs" and any(r > 0 for r in rates):
        raise ValueError(
            "dropout needs a stochastic solver ('sgd', 'adam' or 'rmsprop'): "
            "L-BFGS needs the same objective at every evaluation."
        )
    _check_training_options(estimator)
    if arch.embedding is not None:
        arch = arch._replace(embedding=_embedding_options(estimator, arch.embedding))
    return arch


#: Keys of ``embedding_options``: PeriodicEmbedding's sizes, the numeric
#: columns to embed, and the categorical columns' codes (CategoryEmbedding).
EMBEDDING_OPTIONS = (
    "n_frequencies",
    "n_units",
    "sigma",
    "columns",
    "categories",
    "category_units",
)


def check_embedding_keys(name: str, options: dict, allowed=EMBEDDING_OPTIONS):
    """Raise if ``embedding_options`` has keys other than ``allowed``.

    Parameters
    ----------
    name : str
        The estimator's class name, for the message.
    options : dict
        The user's ``embedding_options`` (without ``'kind'``).
    allowed : sequence of str, default=EMBEDDING_OPTIONS
        The keys the estimator takes.
    """
    unknown = sorted(set(map(str, options)) - set(allowed))
    if unknown:
        raise InvalidParameterError(
            f"The 'embedding_options' parameter of {name} "
            f"has unknown keys {unknown}; expected some of {list(allowed)}."
        )


def _embedding_options(estimator, options: dict) -> dict:
    """Check ``embedding_options``; return them with the kind under 'kind'."""
    name = type(estimator).__name__
    options = dict(options)
    kind = options.pop("kind", None)
    check_embedding_keys(name, options)
    categories = options.get("categories")
    if categories is not None:
        if not isinstance(categories, dict) or not all(
            isinstance(c, Integral) and isinstance(k, Integral) and c >= 0 and k >= 1
            for c, k in categories.items()
        ):
            raise InvalidParameterError(
                f"The 'categories' embedding option of {name} must map column "
                "indices to numbers of codes (positive ints); got "
                f"{categories!r}."
            )
        options["categories"] = {int(c): int(k) for c, k in categories.items()}
    return {"kind": kind, **options}


def input_layers(
    n_features: int,
    front_scale: bool,
    embedding: dict | None,
    n_members: int | None = None,
) -> list:
    """Return the layers before the first Dense layer that the options ask for.

    In order: the categorical columns' embeddings (their outputs go after
    the other columns, which keep their order), the front scale, the
    numeric embedding (of ``columns``, by default every column that is not
    categorical); for a pack of ``n_members``, each member's own.
    """
    layers = []
    k = n_members
    if not embedding:
        return [FrontScale(n_features, n_members=k)] if front_scale else []
    options = dict(embedding)
    # Fitted before 'kind' was recorded: the periodic embedding was the only one.
    kind = options.pop("kind", "periodic")
    categories = options.pop("categories", None)
    category_units = options.pop("category_units", 8)
    columns = options.pop("columns", None)
    width, kept = n_features, np.arange(n_features)
    if categories:
        coded = sorted(categories)
        if coded[-1] >= n_features:
            raise ValueError(
                f"embedding_options['categories'] names column {coded[-1]}, but "
                f"X has {n_features} features."
            )
        layer = CategoryEmbedding(
            n_features, coded, [categories[c] for c in coded], category_units, k
        )
        layers.append(layer)
        width, kept = layer.n_outputs, layer.passthrough
    if front_scale:
        layers.append(FrontScale(width, n_members=k))
    if kind is not None:
        if columns is None:
            embedded = np.arange(kept.size)
        else:
            columns = np.asarray(columns, dtype=np.intp).reshape(-1)
            if not np.isin(columns, kept).all():
                raise ValueError(
                    "embedding_options['columns'] must name numeric columns of X "
                    f"(not categorical, below {n_features}); got {columns.tolist()}."
                )
            embedded = np.searchsorted(kept, columns)
        if embedded.size:
            settings = {**EMBEDDINGS[kind], **options}
            layers.append(
                PeriodicEmbedding(width, embedded=embedded, n_members=k, **settings)
            )
    return layers


def check_learning_rate_factors(name: str, factors: dict | None) -> None:
    """Raise if ``learning_rate_factors`` names unknown roles or bad factors.

    Parameters
    ----------
    name : str
        The estimator's class name, for the message.
    factors : dict or None
        Role -> non-negative number.
    """
    if factors is None:
        return
    bad = {k: v for k, v in factors.items() if k not in ROLES}
    if bad:
        raise InvalidParameterError(
            f"The 'learning_rate_factors' parameter of {name} has unknown "
            f"parameter groups {sorted(map(str, bad))}; expected some of "
            f"{list(ROLES)}."
        )
    for role, value in factors.items():
        if isinstance(value, bool) or not isinstance(value, Real) or value < 0:
            raise InvalidParameterError(
                f"The 'learning_rate_factors' parameter of {name} must map "
                f"parameter groups to non-negative numbers. Got {value!r} for "
                f"{role!r}."
            )


def _check_training_options(estimator) -> None:
    """Check the training options that the constraints cannot express."""
    factors = estimator.learning_rate_factors
    check_learning_rate_factors(type(estimator).__name__, factors)
    if estimator.solver == "lbfgs":
        stochastic_only = {
            "weight_decay": estimator.weight_decay != 0,
            "learning_rate_factors": factors is not None,
        }
        used = [name for name, set_ in stochastic_only.items() if set_]
        if used:
            raise ValueError(
                f"{', '.join(used)} need(s) a stochastic solver ('sgd', 'adam' or "
                "'rmsprop'); L-BFGS has no learning rate or decoupled decay. Use "
                "alpha for an L2 penalty with L-BFGS."
            )
