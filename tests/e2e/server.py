"""Running `cascade serve` as a real process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from tests.ports import free_port
from tests.waiting import STARTUP_S

__all__ = ["free_port", "running_server"]


@contextmanager
def running_server(
    database_url: str,
    port: int,
    *extra: str,
    environment: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start the all-in-one server and wait until it answers; kill it (SIGKILL) at the end.

    `environment` adds variables (CASCADE_LEASE_MS, say); `log` receives the server's stderr
    (appended), for servers that log more than a pipe nobody reads can hold.
    """
    with ExitStack() as files:
        errors = files.enter_context(log.open("ab")) if log is not None else subprocess.PIPE
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cascade.cli",
                "serve",
                "--database",
                database_url,
                "--port",
                str(port),
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env={**os.environ, **(environment or {}), "PYTHONUNBUFFERED": "1"},
        )
        try:
            deadline = time.monotonic() + STARTUP_S
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    process.wait(timeout=10)
                    raise RuntimeError(f"server did not start: {_errors(process, log)[-2000:]}")
                time.sleep(0.1)
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)


def _errors(process: subprocess.Popen[bytes], log: Path | None) -> str:
    if log is not None:
        return log.read_text(errors="replace")
    return process.stderr.read().decode() if process.stderr else ""
