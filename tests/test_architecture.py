"""The package's import structure: no cycles, layers import only downward, importing it has no side effects.

Every module is parsed with `ast`; imports inside functions count (an import deferred into a function is
still a dependency, and a cycle through it is still a cycle).
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "fem_laminate"
# lowest first; a module may import its own layer or lower ones
LAYERS = ["units errors suggest", "model", "analytic", "physics", "post", "process", "case sizing schema", "job",
          "studies", "cli"]
LAYER = {name: i for i, group in enumerate(LAYERS) for name in group.split()}


def module_name(path: Path) -> str:
    parts = ("fem_laminate",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """fem_laminate modules `name` imports anywhere in its source (top level, functions, classes)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            # `from pkg import mod` imports the submodule pkg.mod when there is one
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in MODULES:  # `import fem_laminate.physics.fe.elastic as e`, or a name in a module
                t = t.rsplit(".", 1)[0] if "." in t else ""
            if t and t != name:
                found.add(t)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def layer_of(name: str) -> int:
    parts = name.split(".")
    if len(parts) == 1:  # the package itself: a lazy facade over case and job, at the top
        return len(LAYERS)
    return LAYER[parts[1]]


def test_every_module_has_a_layer():
    unplaced = [n for n in MODULES if len(n.split(".")) > 1 and n.split(".")[1] not in LAYER]
    assert not unplaced, f"modules in no layer of LAYERS: {unplaced}"


def test_no_import_cycles():
    state, cycles = {}, []

    def visit(n, stack):
        state[n] = "open"
        stack.append(n)
        for m in sorted(GRAPH[n]):
            if state.get(m) == "open":
                cycles.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m, stack)
        stack.pop()
        state[n] = "done"

    for n in sorted(GRAPH):
        if n not in state:
            visit(n, [])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_layers_import_only_downward():
    bad = [f"{a} ({LAYERS[layer_of(a)] if layer_of(a) < len(LAYERS) else 'package'}) imports {b} "
           f"({LAYERS[layer_of(b)]})"
           for a, deps in sorted(GRAPH.items()) for b in sorted(deps) if layer_of(b) > layer_of(a)]
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_the_parser_sees_function_level_and_relative_imports():
    """The checks above would pass vacuously if the parser missed imports: spot-check known edges."""
    assert "fem_laminate.physics.fe.elastic" in GRAPH["fem_laminate.physics.models.laminate"]
    assert "fem_laminate.model.materials" in GRAPH["fem_laminate.physics.correlations.bonding"]  # inside a function
    assert "fem_laminate.job" in GRAPH["fem_laminate"]  # lazy, inside __getattr__


@pytest.mark.parametrize("module", ["fem_laminate", "fem_laminate.physics.fe.elastic"])
def test_import_has_no_matplotlib_side_effect(module):
    code = (f"import sys, os; os.environ.pop('MPLBACKEND', None); import {module}; "
            "print('matplotlib' in sys.modules, 'MPLBACKEND' in os.environ)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT.parent).stdout.split()
    assert out == ["False", "False"]
