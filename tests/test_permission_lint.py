"""Permission rules live in ``policies.py`` and only there (conventions rule 4), the way Zulip
lints its access rules: this test reads every product module's syntax tree and fails when

- a ``can_*`` or ``access_*`` function, or a ``*_visible_to`` filter, is defined outside a
  ``policies.py``;
- a module outside ``orgs`` uses a private name of ``orgs.policies`` (its scope primitives are
  its public API);
- a handler (``api.py``, ``views``, a WebSocket consumer) or a write module (``services``, and the
  other modules that write) repeats a permission check itself: reads a person's roles and
  scopes through the org tree's scope primitives, or tests ``is_superuser``. Those questions
  are asked of a policy (``can_*``, ``access_*``, ``*_visible_to``)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TONGKE = ROOT / "tongke"

# The org tree's scope primitives: who holds which role where. Only policies compose them.
SCOPE_PRIMITIVES = {
    "grants_of",
    "role_paths",
    "admin_paths",
    "region_admin_paths",
    "teaching_paths",
    "child_ids",
    "children_class_paths",
    "member_paths",
    "person_scope_paths",
    "is_admin",
}
# (``under_paths``, ``is_within`` and ``ancestor_paths`` are tree geometry, not roles: anyone
# may ask whether one place lies inside another.)
# Modules that only read, or only set data up, may compose visibility themselves.
READ_OR_SETUP = ("selectors", "demo", "management", "templatetags", "migrations", "tests", "kt")


def product_modules() -> list[Path]:
    return sorted(
        p
        for p in TONGKE.rglob("*.py")
        if not ({"migrations", "tests"} & set(p.relative_to(TONGKE).parts))
    )


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def is_policies(path: Path) -> bool:
    return path.name == "policies.py"


def is_checked_for_repeats(path: Path) -> bool:
    parts = set(path.relative_to(TONGKE).parts)
    return not (is_policies(path) or any(p.removesuffix(".py") in READ_OR_SETUP for p in parts))


def test_policy_functions_are_defined_only_in_policies():
    wrong = []
    for path in product_modules():
        if is_policies(path):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                node.name.startswith(("can_", "access_")) or node.name.endswith("_visible_to")
            ):
                wrong.append(f"{rel(path)}:{node.lineno} defines {node.name}")
    assert not wrong, "\n".join(wrong)


def _orgs_policies_aliases(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Names bound to the module ``tongke.orgs.policies``, and names imported from it."""
    modules, names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "tongke.orgs":
            for a in node.names:
                if a.name == "policies":
                    modules.add(a.asname or a.name)
        elif isinstance(node, ast.ImportFrom) and node.module == "tongke.orgs.policies":
            names |= {a.asname or a.name for a in node.names}
            for a in node.names:
                if a.name.startswith("_"):
                    names.add("!" + a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "tongke.orgs.policies" and a.asname:
                    modules.add(a.asname)
    return modules, names


def test_no_app_uses_private_helpers_of_orgs_policies():
    wrong = []
    for path in product_modules():
        if path.relative_to(TONGKE).parts[0] == "orgs":
            continue
        tree = ast.parse(path.read_text())
        modules, names = _orgs_policies_aliases(tree)
        wrong += [f"{rel(path)} imports {n[1:]}" for n in names if n.startswith("!")]
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
            ):
                wrong.append(f"{rel(path)}:{node.lineno} uses orgs.policies.{node.attr}")
    assert not wrong, "\n".join(wrong)


def repeated_checks(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    modules, names = _orgs_policies_aliases(tree)
    if path.relative_to(TONGKE).parts[0] == "orgs":
        modules, names = set(), set()  # the org tree's own modules ask their own policies
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "is_superuser":
            found.append(f"{rel(path)}:{node.lineno} tests is_superuser")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr in SCOPE_PRIMITIVES
        ):
            found.append(f"{rel(path)}:{node.lineno} calls orgs.policies.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in names and node.id in SCOPE_PRIMITIVES:
            found.append(f"{rel(path)}:{node.lineno} calls {node.id}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "is_superuser"
        ):
            found.append(f"{rel(path)}:{node.lineno} tests is_superuser")
    return found


def test_handlers_and_services_ask_policies_instead_of_repeating_checks():
    wrong = [
        f
        for path in product_modules()
        if is_checked_for_repeats(path)
        for f in repeated_checks(path)
    ]
    assert not wrong, "ask a policy (can_*, access_*, *_visible_to) instead:\n" + "\n".join(wrong)


def test_the_lint_sees_a_repeated_check(tmp_path):
    """The lint is not vacuous: a service that reads admin paths itself is caught."""
    bad = TONGKE / "courses" / "_lint_probe.py"
    bad.write_text(
        "from tongke.orgs import policies as org\n\n"
        "def drop(actor, school):\n"
        "    if getattr(actor, 'is_superuser', False):\n"
        "        return True\n"
        "    return org.is_within(school.path, org.admin_paths(actor)) or actor.is_superuser\n"
    )
    try:
        found = repeated_checks(bad)
    finally:
        bad.unlink()
    assert len(found) == 3, found  # getattr, admin_paths, .is_superuser
