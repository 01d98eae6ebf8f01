"""The shape of the house: no blueprint imports another, no import circle between modules, and
the words for codes in app/labels.py alone."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from tests.source_files import parse

APP = Path(__file__).resolve().parents[2] / "app"
BLUEPRINTS = APP / "blueprints"
# What every blueprint may import: the layer itself, the page kit, the HTTP guard, safe redirects.
SHARED = {
    "app.blueprints",
    "app.kit",
    "app.guard",
    "app.redirects",
}


def _module(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module(path): path for path in APP.rglob("*.py")}


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The app modules a file imports (`from a.b import c` counts a.b.c when c is a module)."""
    tree = parse(path)
    found = set()
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in _modules() else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in _modules()}


def blueprint_crossings() -> list[str]:
    crossings = []
    for folder in sorted(p for p in BLUEPRINTS.iterdir() if (p / "__init__.py").is_file()):
        own = f"app.blueprints.{folder.name}"
        for path in sorted(folder.rglob("*.py")):
            for name in sorted(_imports(path)):
                package = ".".join(name.split(".")[:3])
                if name.startswith("app.blueprints.") and package not in SHARED and package != own:
                    crossings.append(f"{path.relative_to(APP.parent)} imports {name}")
    return crossings


def test_no_blueprint_imports_another():
    assert blueprint_crossings() == []


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circle_between_modules():
    """Imports at module level form no circle, except a blueprint package with its own view modules
    (the package makes `bp`, then imports the modules that register on it)."""
    graph = {
        name: _imports(path, top_level_only=True) - {name} for name, path in _modules().items()
    }
    bad = []
    for group in _circles(graph):
        packages = {".".join(name.split(".")[:3]) for name in group}
        if not (len(packages) == 1 and next(iter(packages)).startswith("app.blueprints.")):
            bad.append(sorted(group))
    assert bad == []


def test_the_words_for_codes_live_in_labels_only():
    """No module but app/labels.py holds a table of words for codes (a dict named *_LABELS, WORDS or *_TEXT)."""
    tables = []
    for name, path in _modules().items():
        if name == "app.labels":
            continue
        for node in parse(path).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                for target in node.targets:
                    if isinstance(target, ast.Name) and re.search(
                        r"LABELS$|^WORDS$|_TEXT$", target.id
                    ):
                        tables.append(f"{name}.{target.id}")
    assert tables == []


def test_the_policy_asks_no_service_not_even_inside_a_function():
    """The scope helpers (app/services/access.py) apply the policy's rules; the policy never imports
    them back, not even lazily (the check above reads module-level imports only)."""
    assert "app.policy" in _imports(APP / "services" / "access.py", top_level_only=True)
    assert sorted(n for n in _imports(APP / "policy.py") if n.startswith("app.services")) == []
