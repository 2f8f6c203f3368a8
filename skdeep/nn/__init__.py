"""The NumPy engine: layers, activations, losses, initializers, the network.

This package depends on NumPy and SciPy only; it never imports scikit-learn
(a test enforces it), so it can be read, tested and reused on its own.
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .initializers import INITIALIZERS, glorot_uniform_sklearn
from .layers import Dense
from .losses import LOSSES, BinaryCrossEntropy, CategoricalCrossEntropy
from .network import Network, Params, Workspace

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Dense",
    "INITIALIZERS",
    "LOSSES",
    "Network",
    "Params",
    "Workspace",
    "get_activation",
    "glorot_uniform_sklearn",
]
