"""The networks of a tabular model: one pack, trained as one.

The pack holds ``n_ensembles`` configurations times ``n_folds`` folds:
member ``(c, f)`` is configuration ``c`` (the recipe, or hyperparameters
sampled around it) trained on every row but fold ``f``'s, and judged, for
its early stopping and best epoch, on fold ``f``. Each member draws its
weights, dropout masks and shuffles from its own seed, so the pack trains
what that many separate networks would.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ...nn import LOSSES, Network
from ...optim import Adam, LearningRateSchedule
from ...training import (
    Members,
    Problem,
    Settings,
    TrainState,
    fit_pack,
    ntk_step_factors,
    start_solver,
)
from .._params import input_layers
from ._recipe import MEMBER, ROLE_FACTORS, SAMPLED, auto_batch_size, auto_epochs

__all__ = [
    "Configurations",
    "build_pack",
    "loss_of",
    "network_options",
    "sample_configurations",
    "train_pack",
]


class Configurations(NamedTuple):
    """Each configuration's factors of the recipe's hyperparameters."""

    learning_rate: np.ndarray  # factor of learning_rate_init, (n_ensembles,)
    weight_decay: np.ndarray  # factor of weight_decay
    dropout: np.ndarray  # the dropout rate itself


def sample_configurations(estimator, rng) -> Configurations:
    """Return the configurations: the recipe's, then sampled around it.

    Without ``sample_hyperparameters`` every configuration is the recipe's
    (they differ by their seeds only); with it, the first is the recipe's and
    the others draw their learning rate, weight decay and dropout from the
    ranges of :data:`~._recipe.SAMPLED`.
    """
    n = estimator.n_ensembles
    learning = np.ones(n)
    decay = np.ones(n)
    dropout = np.full(n, float(estimator.dropout))
    if estimator.sample_hyperparameters and n > 1:
        low, high = SAMPLED["learning_rate"]
        learning[1:] = np.exp(rng.uniform(np.log(low), np.log(high), n - 1))
        low, high = SAMPLED["weight_decay"]
        decay[1:] = np.exp(rng.uniform(np.log(low), np.log(high), n - 1))
        low, high = SAMPLED["dropout"]
        dropout[1:] = rng.uniform(low, high, n - 1)
    return Configurations(learning, decay, dropout)


def network_options(estimator, pre, n_members: int) -> dict:
    """Return what rebuilds the pack: its input layers, width and members.

    The embedding kind's own settings come from ``skdeep.nn.EMBEDDINGS``; the
    options name only the user's overrides and the table's columns.
    """
    embedding = None
    if estimator.embedding is not None and pre.n_numeric_out_:
        embedding = {
            "kind": estimator.embedding,
            **(estimator.embedding_options or {}),
            "columns": list(range(pre.n_numeric_out_)),
        }
    if pre.embedded_categories_:
        embedding = {"kind": None} if embedding is None else embedding
        embedding.update(
            categories=dict(pre.embedded_categories_),
            category_units=estimator.category_units,
        )
    return {
        "front_scale": bool(estimator.front_scale),
        "embedding": embedding,
        "n_members": n_members,
        "n_inputs": len(pre.get_feature_names_out()),
    }


def build_pack(estimator, options, n_outputs: int, loss, dropout) -> Network:
    """Return the pack of the estimator's networks, untrained.

    ``dropout`` is each member's rate, shape ``(n_members,)``.
    """
    n_inputs, k = options["n_inputs"], options["n_members"]
    hidden = tuple(estimator.hidden_layer_sizes)
    return Network(
        [n_inputs, *hidden, n_outputs],
        estimator.activation,
        loss,
        dropout=np.asarray(dropout, dtype=float).reshape(k, 1),
        input_layers=input_layers(
            n_inputs, options["front_scale"], options["embedding"], k
        ),
        n_members=k,
    )


def train_pack(estimator, pack, data, members: Members, max_time=None, observer=None):
    """Train the pack; return its state, its progress and the outcome.

    Parameters
    ----------
    estimator : BaseTabularNet
        Its hyperparameters.
    pack : Network
        From :func:`build_pack`.
    data : tuple
        ``(Z, encoded targets, sample weights)``: every row.
    members : Members
        Each member's rows, factors and random source; a member draws its
        initial weights, then its dropout seed, then its shuffles from it,
        as a separate network seeded so would.
    max_time : float or None, default=None
        Seconds the training may take (what is left of ``max_time``).
    observer : Observer or None, default=None
        Told of every epoch (scikit-learn's callbacks).
    """
    Z, target, sample_weight = data
    dtype = Z.dtype
    sources = members.rngs
    params = pack.init_params(sources, dtype, MEMBER["weight_init"])
    if pack.uses_dropout:
        pack.set_dropout_seed(
            [int(source.randint(np.iinfo(np.int32).max)) for source in sources]
        )
    state = TrainState(params, pack.init_stats(dtype))
    n_train = max(len(rows) for rows in members.train_rows)
    batch_size = estimator.batch_size
    if batch_size == "auto":
        batch_size = auto_batch_size(n_train)
    max_iter = estimator.max_iter
    if max_iter == "auto":
        max_iter = auto_epochs(Z.shape[0])
    settings = Settings(
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=np.inf,
        verbose=int(estimator.verbose),
        batch_size=min(batch_size, n_train),
        optimizer=Adam(beta_1=estimator.beta_1, beta_2=estimator.beta_2),
        schedule=LearningRateSchedule(
            estimator.learning_rate, estimator.learning_rate_init
        ),
        weight_decay=estimator.weight_decay,
        weight_decay_schedule=estimator.weight_decay_schedule,
        dropout_schedule=estimator.dropout_schedule,
        step_factors=ntk_step_factors(
            {**ROLE_FACTORS, **(estimator.learning_rate_factors or {})}
        ),
        patience=estimator.patience,
        max_time=max_time,
    )
    start_solver(state, settings.optimizer, settings.schedule, {"solver": "adam"})
    problem = Problem(pack, Z, target, sample_weight, MEMBER["alpha"])
    progress, outcome = fit_pack(problem, state, members, settings, observer)
    return state, progress, outcome


def loss_of(name: str, **options):
    """Return the training loss of that name, with its options."""
    return LOSSES[name](**options)
