"""The code stays easy to live in: no function over 60 lines, no module over 400."""

from __future__ import annotations

import ast
from pathlib import Path

import cascade

ROOT = Path(cascade.__file__).parent
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400


def too_long(path: Path, root: Path = ROOT) -> list[str]:
    """What in the module is too long, a line each."""
    text = path.read_text()
    name = path.relative_to(root)
    found = []
    if len(text.splitlines()) > MAX_MODULE_LINES:
        found.append(f"{name}: {len(text.splitlines())} lines")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}: {node.name} is {length} lines")
    return found


def test_no_long_functions_or_modules() -> None:
    assert [problem for path in sorted(ROOT.rglob("*.py")) for problem in too_long(path)] == []


def test_the_check_finds_a_long_function_and_module(tmp_path: Path) -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_FUNCTION_LINES))
    spread = "\n".join(f"y{n} = {n}" for n in range(MAX_MODULE_LINES))
    module = tmp_path / "long.py"
    module.write_text(f"def long() -> None:\n{body}\n{spread}\n")
    assert too_long(module, tmp_path) == ["long.py: 461 lines", "long.py: long is 61 lines"]
