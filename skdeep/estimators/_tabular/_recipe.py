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

__all__ = ["CLASSIFIER", "MEMBER", "REGRESSOR", "ROLE_FACTORS"]

#: Defaults both tasks share.
_COMMON = {
    "hidden_layer_sizes": (256, 256, 256),  # hidden_sizes=[256] * 3
    "dropout": 0.15,  # p_drop
    "dropout_schedule": "flat_cosine",  # p_drop_sched='flat_cos'
    "learning_rate": "coslog4",  # lr_sched
    "weight_decay": 0.02,  # wd
    "weight_decay_schedule": "flat_cosine",  # wd_sched='flat_cos'
    "beta_1": 0.9,  # Adam's default momentum (opt='adam')
    "beta_2": 0.95,  # sq_mom
    "batch_size": 256,  # batch_size (pytabkit's default)
    "max_iter": 256,  # n_epochs
    "validation_fraction": 0.2,  # pytabkit's default validation split
    "front_scale": True,  # add_front_scale
    "embedding": "pbld",  # num_emb_type (its sizes: skdeep.nn.EMBEDDINGS)
    "max_one_hot": 9,  # max_one_hot_cat_size
    "category_units": 8,  # embedding_size
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

#: Learning-rate factors by parameter role: bias_lr_factor, scale_lr_factor
#: (the front scale), plr_lr_factor (the embeddings).
ROLE_FACTORS = {"biases": 0.1, "scales": 6.0, "embeddings": 0.1}

#: How every member trains, whatever the parameters: Adam (opt='adam'), no
#: L2 penalty (decoupled weight decay instead), LeCun-normal weights and zero
#: biases (weight_init_mode='std' in the NTK parametrisation; RealMLP's
#: 'he+5' bias initialisation is not reproduced), learning rates and decay
#: per layer as the NTK parametrisation has them (ntk_step_factors).
MEMBER = {"alpha": 0.0, "weight_init": "lecun_normal"}
