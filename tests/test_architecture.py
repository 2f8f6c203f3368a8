"""The layering of docs/design.rst, enforced."""

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import skdeep

PACKAGE = Path(skdeep.__file__).parent
ROOT = PACKAGE.parent
# Modules past this many lines want splitting along their seams.
MAX_LINES = 500


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path, top_level_only=False):
    """Absolute names of what a file imports (every name of a from-import)."""
    tree = ast.parse(path.read_text())
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def _files(subpackage=None):
    return sorted((PACKAGE / subpackage if subpackage else PACKAGE).rglob("*.py"))


@pytest.mark.parametrize("subpackage", ["nn", "optim"])
def test_engine_never_imports_sklearn_or_what_is_above_it(subpackage):
    files = _files(subpackage)
    assert files
    for path in files:
        for name in _imports(path):
            assert not name.startswith("sklearn"), (path, name)
            for above in ("estimators", "training", "utils", "preprocessing"):
                assert not name.startswith(f"skdeep.{above}"), (path, name)


def test_training_imports_the_engine_only():
    allowed = ("skdeep.nn", "skdeep.optim", "skdeep.exceptions", "skdeep.training")
    files = _files("training")
    assert files
    for path in files:
        for name in _imports(path):
            assert not name.startswith("sklearn"), (path, name)
            if name.startswith("skdeep"):
                assert name.startswith(allowed), (path, name)


def test_no_module_is_too_long():
    long = {
        str(path.relative_to(ROOT)): n
        for path in _files()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long


def test_estimators_top_level_stays_small():
    modules = [p for p in (PACKAGE / "estimators").glob("*.py")]
    assert len(modules) <= 11, sorted(p.name for p in modules)


def test_no_import_cycle():
    """No cycle among the modules' top-level imports (lazy ones may close one)."""
    known = {_module_name(path): path for path in _files()}
    graph = {
        name: {
            target
            for target in _imports(path, top_level_only=True)
            if target in known and target != name
        }
        for name, path in known.items()
    }
    # A package that imports its own modules is how packages work: those
    # edges from a package to what is inside it are not cycles.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycle = stack[stack.index(target) :] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)


# A Sphinx cross-reference (or a dotted name) into a private module.
_PRIVATE_LINK = re.compile(r"skdeep(?:\.[a-z]\w*)*\._[a-z]\w*(?:\.\w+)+")


def test_docs_link_no_private_module():
    pages = sorted((ROOT / "docs").rglob("*.rst")) + [ROOT / "README.md"]
    for page in pages:
        for line in page.read_text().splitlines():
            for match in _PRIVATE_LINK.findall(line):
                pytest.fail(f"{page.name} links a private module: {match}")


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
def test_public_docstrings_link_no_private_module(qualname, obj):
    docs = [inspect.getdoc(obj) or ""]
    if inspect.isclass(obj):
        docs += [
            inspect.getdoc(member) or ""
            for name, member in vars(obj).items()
            if not name.startswith("_") and inspect.isfunction(member)
        ]
    for doc in docs:
        assert not _PRIVATE_LINK.findall(doc), qualname


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
