"""Layer rules (docs/architecture.md): an app imports only from its own or lower layers,
and handlers do not reach into models' managers directly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# An app imports only from apps of a strictly lower layer. The domains are layered too: the
# learning platform hangs on the library (lessons it recommends, the catalogue its graph is
# aligned to), and live classes hang on both (the lesson taught, recordings filed in the
# library, the in-class quiz items). Nothing of a lower layer may reach up.
LAYERS = {
    "core": 0,
    "audit": 1,
    "accounts": 2,
    "orgs": 3,
    "notifications": 3,
    "roster": 4,
    "courses": 4,
    "library": 4,
    "learning": 5,
    "live": 6,
    "portal": 7,
    "demo": 7,
}


def python_files(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / "tongke" / app).rglob("*.py") if "migrations" not in p.parts)


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    apps = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "tongke" and len(parts) > 1:
                apps.add(parts[1])
    return apps


def test_every_app_has_a_layer():
    apps = {p.name for p in (ROOT / "tongke").iterdir() if (p / "apps.py").exists()}
    assert apps == set(LAYERS)


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_apps_import_only_downwards(app):
    wrong = []
    for path in python_files(app):
        if "tests" in path.parts:
            continue
        for other in imported_apps(path):
            if other in LAYERS and other != app and LAYERS[other] >= LAYERS[app]:
                wrong.append(f"{path.relative_to(ROOT)} imports tongke.{other}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_handlers_do_not_query_models_directly(app):
    offenders = []
    handlers = [*(ROOT / "tongke" / app).glob("*views.py"), *(ROOT / "tongke" / app).glob("api.py")]
    for path in handlers:
        if ".objects." in path.read_text():
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"use a selector or an access_* policy in {offenders}"


def _module_graph() -> dict[str, set[str]]:
    """Every product module and the product modules it imports (at any depth of the file,
    function-local imports included: a cycle hidden in a function is still a cycle)."""
    modules: dict[str, Path] = {}
    for path in (ROOT / "tongke").rglob("*.py"):
        rel = path.relative_to(ROOT)
        if {"migrations", "tests"} & set(rel.parts):
            continue
        name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_import_cycles():
    """Task modules import services, never the other way (they enqueue by name)."""
    assert not _cycles(_module_graph())


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
