"""The command line: ``python -m skdeep`` (the demo), ``fit``, ``predict``, ``export``.

``_main`` parses the options and runs the commands, ``_tables`` reads CSV
files and builds the preprocessing, ``_model_files`` writes and safely loads
skops files, ``_demo`` is what ``python -m skdeep`` shows without a command.
"""

from ._demo import run_demo
from ._main import main
from ._model_files import load_model, trusted_types
from ._tables import build_pipeline, infer_task

__all__ = [
    "build_pipeline",
    "infer_task",
    "load_model",
    "main",
    "run_demo",
    "trusted_types",
]
