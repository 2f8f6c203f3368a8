"""The layering of shared/DESIGN.md, enforced."""

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import skdeep

PACKAGE = Path(skdeep.__file__).parent


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            prefix = "." * node.level
            yield prefix + (node.module or "")


@pytest.mark.parametrize("subpackage", ["nn", "optim"])
def test_engine_never_imports_sklearn_or_the_estimators(subpackage):
    files = sorted((PACKAGE / subpackage).rglob("*.py"))
    assert files
    for path in files:
        for name in _imports(path):
            assert not name.startswith("sklearn"), (path, name)
            assert "estimators" not in name and "utils" not in name, (path, name)


def test_private_sklearn_helpers_are_imported_in_one_place():
    shim = PACKAGE / "utils" / "_sklearn.py"
    for path in PACKAGE.rglob("*.py"):
        if path == shim:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "sklearn"
            ):
                private_module = any(p.startswith("_") for p in node.module.split("."))
                private_name = any(a.name.startswith("_") for a in node.names)
                assert not (private_module or private_name), (path, node.module)


def _public_objects():
    seen = {}
    for module_info in pkgutil.walk_packages(skdeep.__path__, "skdeep."):
        # Public API: what public modules export (private modules such as
        # skdeep._cli are implementation; their names surface via packages).
        if any(part.startswith("_") for part in module_info.name.split(".")):
            continue
        module = importlib.import_module(module_info.name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            own = getattr(obj, "__module__", "").startswith("skdeep")
            if own and (inspect.isclass(obj) or inspect.isfunction(obj)):
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(seen.items())


@pytest.mark.parametrize("qualname, obj", _public_objects())
def test_public_names_have_numpydoc_docstrings(qualname, obj):
    doc = inspect.getdoc(obj)
    assert doc, qualname
    params = [
        p
        for p in inspect.signature(obj).parameters
        if p not in ("self", "args", "kwargs")
    ]
    if params:
        # Records (named tuples, dataclasses) document their fields as
        # attributes.
        assert "Parameters\n----------" in doc or "Attributes\n----------" in doc, (
            qualname
        )
    assert "Examples\n--------" in doc, f"{qualname} needs a doctested example"
    if inspect.isclass(obj):
        for name, member in vars(obj).items():
            if not name.startswith("_") and inspect.isfunction(member):
                assert inspect.getdoc(member), f"{qualname}.{name}"


def test_top_level_exports():
    assert set(skdeep.__all__) >= {"LogisticUnit", "DeepNetClassifier", "__version__"}
