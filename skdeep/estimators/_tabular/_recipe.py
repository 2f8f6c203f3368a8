"""RealMLP-TD's recipe: every default of the tabular networks, once, with its source.

The values are those of RealMLP-TD (Holzmüller, Grinsztajn & Steinwart,
"Better by Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular
Data", NeurIPS 2024), as its reference implementation ``pytabkit`` sets
them in ``pytabkit/models/sklearn/default_params.py``
(``DefaultParams.RealMLP_TD_CLASS`` and ``RealMLP_TD_REG``); the pytabkit
name of each is in the comment beside it. The two public classes take their
constructor defaults from :data:`CLASSIFIER` and :data:`REGRESSOR`.
"""

from __future__ import annotations

__all__ = [
    "CLASSIFIER",
    "MEMBER",
    "REGRESSOR",
    "ROLE_FACTORS",
    "SAMPLED",
    "auto_batch_size",
    "auto_epochs",
]

#: Defaults both tasks share.
_COMMON = {
    # RealMLP-TD: hidden_sizes=[256] * 3. Half as wide scored as well on the
    # whole panel, in a third of the time (docs/user_guide/tabular.rst).
    "hidden_layer_sizes": (128, 128, 128),
    "dropout": 0.15,  # p_drop
    "dropout_schedule": "flat_cosine",  # p_drop_sched='flat_cos'
    # RealMLP-TD: lr_sched='coslog4' over 256 epochs. One cosine over a
    # short horizon scored better, where members also stop on their own.
    "learning_rate": "cosine",
    "weight_decay": 0.02,  # wd
    "weight_decay_schedule": "flat_cosine",  # wd_sched='flat_cos'
    "beta_1": 0.9,  # Adam's default momentum (opt='adam')
    "beta_2": 0.95,  # sq_mom
    # RealMLP-TD: batch_size=256; pytabkit's batch_size='auto' rule (see
    # auto_batch_size below) scored better on the panel, in less time.
    "batch_size": "auto",
    "max_iter": "auto",  # RealMLP-TD: n_epochs=256; see auto_epochs
    "validation_fraction": 0.2,  # pytabkit's default validation split
    "front_scale": True,  # add_front_scale
    "embedding": "pbld",  # num_emb_type (its sizes: skdeep.nn.EMBEDDINGS)
    "max_one_hot": 9,  # max_one_hot_cat_size
    "category_units": 8,  # embedding_size
    # What skdeep adds, each chosen on the whole benchmark panel
    # (docs/user_guide/tabular.rst gives the ablations):
    "patience": 16,  # epochs without a better held-out loss (TabM's 16)
    "n_folds": 5,  # every row trains 4 of 5 members, each judged on its fold
    "n_ensembles": 1,  # configurations, each bagged over the folds
    "sample_hyperparameters": False,
}

#: TabularNetClassifier's defaults (RealMLP_TD_CLASS).
CLASSIFIER = {
    **_COMMON,
    "activation": "selu",  # act
    "learning_rate_init": 0.04,  # lr
    "label_smoothing": 0.1,  # use_ls=True, ls_eps
}

#: TabularNetRegressor's defaults (RealMLP_TD_REG; the target is
#: standardised and predictions clamped: normalize_output, clamp_output).
REGRESSOR = {
    **_COMMON,
    "activation": "mish",  # act
    "learning_rate_init": 0.2,  # lr
}

#: The ranges of the hyperparameters sampled for the configurations after
#: the first (``sample_hyperparameters=True``): factors of the learning rate
#: and of the weight decay (log-uniform), and the dropout rate (uniform),
#: around RealMLP-TD's values.
SAMPLED = {
    "learning_rate": (0.5, 2.0),
    "weight_decay": (0.25, 4.0),
    "dropout": (0.0, 0.3),
}

#: Learning-rate factors by parameter role: bias_lr_factor, scale_lr_factor
#: (the front scale), plr_lr_factor (the embeddings).
ROLE_FACTORS = {"biases": 0.1, "scales": 6.0, "embeddings": 0.1}

#: How every member trains, whatever the parameters: Adam (opt='adam'), no
#: L2 penalty (decoupled weight decay instead), LeCun-normal weights and zero
#: biases (weight_init_mode='std' in the NTK parametrisation; RealMLP's
#: 'he+5' bias initialisation is not reproduced), learning rates and decay
#: per layer as the NTK parametrisation has them (ntk_step_factors).
MEMBER = {"alpha": 0.0, "weight_init": "lecun_normal"}


def auto_batch_size(n_train: int) -> int:
    """Return pytabkit's 'auto' batch size for a number of training rows.

    pytabkit's ``batch_size='auto'`` (``get_realmlp_auto_batch_size`` in
    ``pytabkit/models/training/nn_creator.py``): 64 rows up to 1,024
    training rows, 128 up to 8,192, 256 up to 30,000, 512 up to 100,000,
    1,024 beyond.
    """
    for limit, size in ((1024, 64), (8192, 128), (30_000, 256), (100_000, 512)):
        if n_train <= limit:
            return size
    return 1024


def auto_epochs(n_rows: int) -> int:
    """Return the epochs of ``max_iter='auto'`` for a table of ``n_rows`` rows.

    32 epochs (the cosine schedule's horizon) up to 20,000 rows, 16 beyond:
    an epoch of a large table is many steps (the ablations of
    docs/user_guide/tabular.rst).
    """
    return 32 if n_rows <= 20_000 else 16
