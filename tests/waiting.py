"""Waiting in tests: for a condition, never for a time.

Every wait polls a condition and returns as soon as it holds. Its deadline only bounds a hang:
it is far beyond what a loaded two-core machine needs (other test sessions, a core burner), so
reaching it means the behaviour under test is broken, not that the machine was slow.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

PATIENCE_S = 120.0
"""How long a test waits for something that normally takes well under a second."""


def until(
    check: Callable[[], T],
    what: str = "condition",
    timeout: float = PATIENCE_S,
    interval: float = 0.02,
) -> T:
    """Poll `check` until it returns something truthy, and return that.

    After `timeout` seconds an AssertionError names `what` and the last value seen.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout:g}s (last: {found!r})")
        time.sleep(interval)


HTTP_TIMEOUT_S = 30.0
"""How long a test's HTTP client waits for a server process's answer (httpx's default, 5 s,
is not enough for a freshly started process on a loaded machine)."""

STARTUP_S = 300.0
"""How long a server process may take to answer its first request: imports, migrations and
the app's build are seconds of CPU, which took 90 s on two cores at a load of 13."""
