"""The NumPy engine: layers, activations, losses, initializers, the network.

This package depends on NumPy and SciPy only; it never imports scikit-learn
(a test enforces it), so it can be read, tested and reused on its own.
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .initializers import INITIALIZERS
from .layers import BatchNorm, Dense, Dropout
from .losses import LOSSES, BinaryCrossEntropy, CategoricalCrossEntropy
from .network import BatchNormStats, Network, Params, Workspace

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "BatchNorm",
    "BatchNormStats",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Dense",
    "Dropout",
    "INITIALIZERS",
    "LOSSES",
    "Network",
    "Params",
    "Workspace",
    "get_activation",
]
