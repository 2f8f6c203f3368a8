"""The NumPy engine: layers, activations, losses, initializers, the network.

This package depends on NumPy and SciPy only; it never imports scikit-learn
(a test enforces it), so it can be read, tested and reused on its own.
"""

from ._vectors import Vectors
from .activations import ACTIVATIONS, Activation, get_activation
from .initializers import INITIALIZERS
from .layers import (
    DECAYED_ROLES,
    EMBEDDINGS,
    ROLES,
    ActivationLayer,
    BatchNorm,
    CategoryEmbedding,
    Dense,
    Dropout,
    FrontScale,
    Layer,
    PeriodicEmbedding,
)
from .losses import (
    LOSSES,
    REGRESSION_LOSSES,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    PinballLoss,
    PoissonDeviance,
    SquaredError,
    plain_loss,
)
from .network import BatchNormStats, Network, Params, Workspace

__all__ = [
    "ACTIVATIONS",
    "DECAYED_ROLES",
    "EMBEDDINGS",
    "ROLES",
    "Activation",
    "ActivationLayer",
    "BatchNorm",
    "BatchNormStats",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "CategoryEmbedding",
    "Dense",
    "Dropout",
    "FrontScale",
    "INITIALIZERS",
    "LOSSES",
    "Layer",
    "Network",
    "Params",
    "PeriodicEmbedding",
    "PinballLoss",
    "PoissonDeviance",
    "REGRESSION_LOSSES",
    "SquaredError",
    "Vectors",
    "Workspace",
    "get_activation",
    "plain_loss",
]
