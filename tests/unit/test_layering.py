"""`cascade.domain` is pure: it imports nothing of storage, the TMF layer, HTTP or the app."""

from __future__ import annotations

import ast
from pathlib import Path

import cascade.domain

DOMAIN = Path(cascade.domain.__file__).parent
ALLOWED_THIRD_PARTY: frozenset[str] = frozenset()


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    import sys

    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        for module in imported_modules(path):
            top = module.split(".")[0]
            ours = top == "cascade"
            if ours and not module.startswith("cascade.domain"):
                offenders.append(f"{path.name}: {module}")
            if not ours and top not in sys.stdlib_module_names | ALLOWED_THIRD_PARTY:
                offenders.append(f"{path.name}: {module}")
    assert offenders == []
