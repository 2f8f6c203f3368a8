"""Layers of the network; one file per layer kind, one interface for all.

A new layer kind is a :class:`Layer` subclass in a file of its own, exported
here, and placed in the stack by :class:`skdeep.nn.Network`.
"""

from ._activation import ActivationLayer
from ._base import (
    DECAYED_ROLES,
    ROLES,
    Layer,
    LayerContext,
    ParamSpec,
    Pass,
    row_sums,
)
from ._batch_norm import BatchNorm, BatchNormCache
from ._category import CategoryEmbedding
from ._dense import Dense
from ._dropout import Dropout
from ._front_scale import FrontScale
from ._periodic import EMBEDDINGS, PeriodicEmbedding

__all__ = [
    "DECAYED_ROLES",
    "EMBEDDINGS",
    "ROLES",
    "ActivationLayer",
    "BatchNorm",
    "BatchNormCache",
    "CategoryEmbedding",
    "Dense",
    "Dropout",
    "FrontScale",
    "PeriodicEmbedding",
    "Layer",
    "LayerContext",
    "ParamSpec",
    "Pass",
    "row_sums",
]
