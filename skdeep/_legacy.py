"""Model files of earlier layouts: one clear error instead of a missing module.

A pickle (or joblib, or skops) file names the module and class of every
object it holds. Where a class has moved since a file was written, loading
the file would stop at Python's bare ``ModuleNotFoundError``; the finder
here answers for the modules that are gone and raises
:class:`~skdeep.exceptions.ModelVersionError`, which says the model must be
refit. The deep nets' modules have not moved: their files still load.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys

from .exceptions import ModelVersionError

__all__ = ["REMOVED_MODULES", "install"]

#: Modules of skdeep 0.1 that model files may name and that are gone: the
#: tabular networks' classes (their fitted state changed with the move).
REMOVED_MODULES = frozenset(
    {
        "skdeep.estimators._tabular_classifier",
        "skdeep.estimators._tabular_regressor",
    }
)
#: Classes of skdeep 0.1 in modules that still exist.
REMOVED_CLASSES = frozenset(
    {
        "skdeep.estimators._tabular._ClassifierMember",
        "skdeep.estimators._tabular._RegressorMember",
    }
)


class _RemovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the removed modules; loading one raises ModelVersionError."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in REMOVED_MODULES:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise ModelVersionError(module.__name__)


def install() -> None:
    """Add the finder to ``sys.meta_path`` (once), after Python's own."""
    if not any(isinstance(finder, _RemovedModules) for finder in sys.meta_path):
        sys.meta_path.append(_RemovedModules())


def removed_class(module: str, name: str):
    """Raise ModelVersionError for a removed class of a module that exists."""
    if f"{module}.{name}" in REMOVED_CLASSES:
        raise ModelVersionError(f"{module}.{name}")
    raise AttributeError(f"module {module!r} has no attribute {name!r}")
