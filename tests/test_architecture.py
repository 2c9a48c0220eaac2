"""Layer rules (docs/architecture.md): an app imports only from its own or lower layers,
and handlers do not reach into models' managers directly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {
    "core": 0,
    "audit": 1,
    "accounts": 2,
    "orgs": 3,
    "notifications": 3,
    "roster": 4,
    "courses": 4,
    "library": 4,
    "learning": 4,
    "live": 4,
    "portal": 5,
    "demo": 5,
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
            if other in LAYERS and LAYERS[other] > LAYERS[app]:
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
