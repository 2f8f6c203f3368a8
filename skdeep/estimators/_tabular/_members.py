"""The networks of a tabular model: one pack, trained as one.

The members are RealMLP-TD networks (:mod:`._recipe`) on the preprocessed
matrix; each draws its weights, its dropout masks and its shuffles from its
own seed, so a pack of ``k`` trains what ``k`` separate networks would.
"""

from __future__ import annotations

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
from ._recipe import MEMBER, ROLE_FACTORS

__all__ = ["build_pack", "loss_of", "member_seeds", "network_options", "train_pack"]


def member_seeds(rng, n_members: int) -> list:
    """Draw each member's seed from the estimator's random state."""
    return [int(rng.randint(np.iinfo(np.int32).max)) for _ in range(n_members)]


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


def build_pack(estimator, options, n_outputs: int, loss) -> Network:
    """Return the pack of the estimator's networks, untrained."""
    n_inputs, k = options["n_inputs"], options["n_members"]
    return Network(
        [n_inputs, *estimator.hidden_layer_sizes, n_outputs],
        estimator.activation,
        loss,
        dropout=estimator.dropout,
        input_layers=input_layers(
            n_inputs, options["front_scale"], options["embedding"], k
        ),
        n_members=k,
    )


def train_pack(estimator, pack, data, seeds):
    """Train the pack on ``data``; return the state, the progress, the outcome.

    Parameters
    ----------
    estimator : BaseTabularNet
        Its hyperparameters.
    pack : Network
        From :func:`build_pack`.
    data : tuple
        ``(Z, encoded targets, sample weights, training rows, held-out rows)``.
    seeds : list of int
        One per member: its initial weights, then its dropout masks, then its
        shuffles, as a separate network seeded so would draw them.
    """
    Z, target, sample_weight, train, val = data
    dtype = Z.dtype
    sources = [np.random.RandomState(seed) for seed in seeds]
    params = pack.init_params(sources, dtype, MEMBER["weight_init"])
    if pack.uses_dropout:
        pack.set_dropout_seed(
            [int(source.randint(np.iinfo(np.int32).max)) for source in sources]
        )
    state = TrainState(params, pack.init_stats(dtype))
    settings = Settings(
        max_iter=estimator.max_iter,
        tol=0.0,
        n_iter_no_change=np.inf,
        verbose=bool(estimator.verbose),
        batch_size=min(estimator.batch_size, train.size),
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
    )
    start_solver(state, settings.optimizer, settings.schedule, {"solver": "adam"})
    k = pack.n_members
    members = Members([train] * k, [val] * k, sources)
    problem = Problem(pack, Z, target, sample_weight, MEMBER["alpha"])
    progress, outcome = fit_pack(problem, state, members, settings)
    return state, progress, outcome


def loss_of(name: str, label_smoothing: float = 0.0):
    """Return the training loss (with label smoothing for classification)."""
    if name == "squared_error":
        return LOSSES[name]()
    return LOSSES[name](label_smoothing=label_smoothing)
