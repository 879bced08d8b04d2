"""The package's layout: imports run one way, and only through public sklearn API.

These tests read the source (no import), so they are fast and name the line
that breaks a rule.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skbinary"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))

# Each module's layer: a module may import only from its own layer or below.
LAYERS = {
    "_version": 0, "_tf": 0, "_network": 0, "_engine": 0, "_container": 1, "_checks": 1,
    "_csvdata": 1,
    "_hooks": 1, "callbacks": 2, "_fitted": 2, "_params": 2, "_fitdata": 3, "_trainers": 4,
    "_scikeras": 2, "_onnx": 2, "_persistence": 5, "_classifier": 6,
    "tabular": 7, "cli": 8, "__main__": 9, "__init__": 9,
}
# metrics and plotting (and their private modules) sit in the middle, below the
# estimator (its learned threshold uses choose_threshold) and above _checks.
MIDDLE = 2


def _layer(module):
    if module in LAYERS:
        return LAYERS[module]
    return MIDDLE  # metrics, plotting and the private modules they import


def _imports(module):
    """``(line, imported module)`` of every package import in ``module``'s source."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            for name in names:
                yield node.lineno, name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] == "skbinary":
                yield node.lineno, parts[1] if len(parts) > 1 else "__init__"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "skbinary":
                    yield node.lineno, "__init__"


@pytest.mark.parametrize("module", [m for m in MODULES if m != "__init__"])
def test_no_module_imports_the_package_init(module):
    bad = [(line, name) for line, name in _imports(module)
           if name not in MODULES or name == "__init__"]
    assert not bad, f"skbinary/{module}.py imports from the package __init__: {bad}"


@pytest.mark.parametrize("module", MODULES)
def test_imports_run_one_way(module):
    upward = [(line, name) for line, name in _imports(module)
              if name in MODULES and _layer(name) > _layer(module)]
    assert not upward, f"skbinary/{module}.py imports upward: {upward}"


def test_no_import_cycle():
    graph = {m: {name for _, name in _imports(m) if name in MODULES and name != m}
             for m in MODULES}
    state = {}

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                pytest.fail(f"import cycle: {' -> '.join(path + [dep])}")
            if dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for module in MODULES:
        if module not in state:
            visit(module, [module])


@pytest.mark.parametrize("module", MODULES)
def test_only_public_sklearn_api(module):
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    private = [node.lineno for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.module
               and node.module.startswith("sklearn")
               and any(part.startswith("_") for part in node.module.split("."))]
    assert not private, f"skbinary/{module}.py imports private sklearn modules: {private}"


def test_metrics_and_plotting_do_not_start_tensorflow():
    code = ("import sys, skbinary.metrics, skbinary.plotting; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
