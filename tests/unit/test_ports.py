"""Test ports: below the kernel's ephemeral range, and not handed to another test session."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from tests import ports

ROOT = Path(__file__).resolve().parents[2]


def test_a_port_is_free_below_the_ephemeral_range_and_kept_from_other_sessions() -> None:
    port = ports.free_port()
    assert port < ports._ephemeral_low()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))  # free: the server process can bind it
    other_session = subprocess.run(
        [sys.executable, "-c", f"from tests import ports; print(ports._lock({port}))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert other_session.stdout.strip() == "False"
    assert ports.free_port() != port  # nor given twice in this session
