"""Layers of the network; one file per layer kind."""

from ._batch_norm import BatchNorm, BatchNormCache
from ._dense import Dense
from ._dropout import Dropout

__all__ = ["BatchNorm", "BatchNormCache", "Dense", "Dropout"]
