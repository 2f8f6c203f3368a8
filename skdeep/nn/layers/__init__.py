"""Layers of the network; one file per layer kind."""

from ._dense import Dense

__all__ = ["Dense"]
