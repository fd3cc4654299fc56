"""The layer rules of design.md, checked by reading every import in the package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gui"
# What each layer may import from inside the package (imports go downward only).
ALLOWED = {
    "core": {"core"},
    "client": {"client", "core"},
    "services": {"services", "core"},
    "sandbox": {"sandbox", "core"},
    "qt": {"qt", "client", "services", "core"},
    "widgets": {"widgets", "qt", "client", "services", "core"},
}
QT_FREE = ("core", "client", "sandbox", "services")


def imports_of(path: Path, package_parts: list[str] | None = None) -> list[tuple[str, int]]:
    """Absolute module names imported by a file, with relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package_parts is None:
        package_parts = ["gui", *path.relative_to(PACKAGE).parent.parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((name, node.lineno))
    return found


def layer_files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", QT_FREE)
def test_layer_never_imports_qt(layer):
    offenders = [f"{p.relative_to(PACKAGE)}:{line} imports {name}"
                 for p in layer_files(layer) for name, line in imports_of(p)
                 if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")]
    assert layer_files(layer), f"gui/{layer} has no modules"
    assert offenders == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_downward(layer):
    offenders = []
    for path in layer_files(layer):
        for name, line in imports_of(path):
            parts = name.split(".")
            if parts[0] == "gui" and len(parts) > 1 and parts[1] in ALLOWED | {"app": set()}:
                if parts[1] not in ALLOWED[layer]:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{line} imports {name}")
    assert offenders == []


def test_the_check_sees_a_forbidden_import(tmp_path):
    """The walker resolves relative imports, so a Qt import in core could not slip by."""
    fake = tmp_path / "probe.py"
    fake.write_text("from ..widgets import main_window\nimport PySide6.QtCore\n", encoding="utf-8")
    names = [n for n, _ in imports_of(fake, ["gui", "core"])]
    assert names == ["gui.widgets", "PySide6.QtCore"]
