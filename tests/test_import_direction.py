"""Imports point one way: each top-level package imports only the packages of ours that its row
of docs/architecture.md's "Layers and imports" table names, so the table and the code cannot
drift apart. Every import counts, at the top of a module or inside a function."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# | `assets/` | what it owns | `models`, `senders`, `warehouse` |
_ROW = re.compile(r"^\| `(?P<package>\w+)/` \|.*\| (?P<imports>[^|]+) \|$")


def layer_table() -> dict[str, set[str]]:
    """Each package in the table, in its order, and the packages of ours it may import."""
    section = ARCHITECTURE.read_text(encoding="utf-8").split("\n## Layers and imports\n")[1]
    allowed: dict[str, set[str]] = {}
    for line in section.split("\n## ")[0].splitlines():
        row = _ROW.match(line)
        if row is None:
            continue
        imports = row["imports"].strip()
        if imports == "everything above":
            allowed[row["package"]] = set(allowed)
        else:
            allowed[row["package"]] = set(re.findall(r"`(\w+)`", imports))
    return allowed


LAYERS = layer_table()


def our_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}


def imports_of_ours(path: Path) -> list[tuple[int, str]]:
    """(line, package) for every absolute import in the module of a package of ours."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names]
    return [(line, package) for line, package in found if package in LAYERS]


def test_every_package_has_a_row_in_the_table():
    assert sorted(our_packages()) == sorted(LAYERS)


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_a_package_imports_only_what_its_row_allows(package):
    allowed = LAYERS[package] | {package}
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, f"no module found under {package}/"

    wrong = [
        f"{module.relative_to(ROOT)}:{line} imports {imported}"
        for module in modules
        for line, imported in imports_of_ours(module)
        if imported not in allowed
    ]

    assert not wrong, f"{package}/ may import only {sorted(allowed)}:\n" + "\n".join(wrong)


def test_the_tracking_service_imports_neither_assets_nor_the_code_location():
    assert LAYERS["tracking"].isdisjoint({"assets", "orchestration"})
