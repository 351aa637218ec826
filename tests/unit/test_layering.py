"""The dependency rules of docs/architecture.md, checked on every module of `cascade`.

Each package may import only the packages listed for it below; a package not listed is a
failure (a new one must be placed), and so is an allowed edge that would close a cycle. The
rules that matter most: `domain` imports nothing of Cascade, nor anything outside the
standard library; `tmf` knows no orders and no database; `storage` knows no fulfilment;
`fulfilment` knows no entry point (`cli`, `web`), no component, no front end, no events or
security, and not the composition root.
"""

from __future__ import annotations

import ast
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import cascade

ROOT = Path(cascade.__file__).parent
LOWEST = {"domain", "tmf", "storage", "repositories", "apis"}
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    # Metrics and traces (prometheus_client, OpenTelemetry): nothing of Cascade.
    "telemetry": set(),
    "tmf": {"domain"},
    "storage": {"domain", "tmf", "telemetry"},
    "repositories": {"tmf", "storage"},
    "apis": {"domain", "tmf"},
    "catalogs": {"tmf", "storage", "repositories"},
    "background": {"storage"},
    "frontend": {"tmf", "storage", "repositories"},
    "events": {"tmf", "storage", "repositories", "background", "telemetry"},
    "security": {"domain", "tmf", "storage", "repositories", "apis", "frontend"},
    "settings": {"security"},
    "fulfilment": {"domain", "tmf", "storage", "repositories", "apis", "background", "telemetry"},
    "components": {
        *LOWEST,
        "background",
        "events",
        "fulfilment",
        "settings",
        "telemetry",
    },
    "web": {
        *LOWEST,
        "frontend",
        "events",
        "security",
        "fulfilment",
        "components",
        "telemetry",
    },
    # The operator console: pages over the front end's resources, with security's sign-in.
    "console": {*LOWEST, "frontend", "events", "security", "fulfilment"},
    "bootstrap": {
        *LOWEST,
        "catalogs",
        "console",
        "background",
        "frontend",
        "events",
        "security",
        "settings",
        "fulfilment",
        "components",
        "web",
        "telemetry",
    },
    # Serving processes (uvicorn, a supervisor and its workers): the CLI's, kept apart from
    # it so that a worker process does not load the command line's libraries.
    "serving": {"settings", "bootstrap", "telemetry"},
    "cli": {
        *LOWEST,
        "catalogs",
        "events",
        "security",
        "settings",
        "components",
        "bootstrap",
        "web",
        "serving",
        "telemetry",
    },
    "migrations": {"storage"},
    "demo": set(),
}


def package_of(path: Path) -> str:
    """`cascade/fulfilment/layers/skeleton.py` -> fulfilment; `cascade/settings.py` -> settings."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return parts[0]


def imported_modules(path: Path) -> set[str]:
    """Every module a module imports (functions' imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def cascade_imports(path: Path) -> set[str]:
    """The Cascade packages a module imports."""
    return {name.split(".")[1] for name in imported_modules(path) if name.startswith("cascade.")}


def modules() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def test_every_package_has_its_place() -> None:
    assert {package_of(path) for path in modules()} - {"__init__"} <= set(ALLOWED)


def test_every_import_follows_the_rules() -> None:
    offenders = []
    for path in modules():
        package = package_of(path)
        if package == "__init__":
            continue
        for imported in cascade_imports(path) - {package}:
            if imported not in ALLOWED.get(package, set()):
                offenders.append(f"{path.relative_to(ROOT)} imports cascade.{imported}")
    assert offenders == []


def test_the_rules_have_no_cycle() -> None:
    try:
        tuple(TopologicalSorter(ALLOWED).static_order())
    except CycleError as cycle:  # pragma: no cover - the failure message is the point
        raise AssertionError(f"the allowed imports form a cycle: {cycle.args[1]}") from None


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = []
    for path in sorted((ROOT / "domain").glob("*.py")):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top == "cascade" and not module.startswith("cascade.domain"):
                offenders.append(f"{path.name}: {module}")
            if top != "cascade" and top not in sys.stdlib_module_names:
                offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    """The check itself: a fulfilment module importing a component would be reported."""
    module = tmp_path / "bad.py"
    module.write_text("from cascade.components.mirror import Mirrors\nimport cascade.web.app\n")
    assert cascade_imports(module) == {"components", "web"}
    assert not {"components", "web"} <= ALLOWED["fulfilment"]
