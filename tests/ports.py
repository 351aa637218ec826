"""Ports for servers a test starts in another process: free, and kept free until bound.

A port the kernel picks for port 0 comes from its ephemeral range, which it also hands out to
the source port of every outgoing connection and to other processes binding port 0. Between a
test probing such a port and its server process binding it, anyone may take it. So test ports
come from below the ephemeral range (`net.ipv4.ip_local_port_range`), where the kernel never
picks a port by itself, and each is reserved against the other test sessions on the machine
(other worktrees, CI jobs) by a lock on a file in the temp dir, held until this process ends.
A test may restart a server on its port: nobody else is given it meanwhile.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import socket
import tempfile
from pathlib import Path

LOCKS = Path(tempfile.gettempdir()) / "cascade-test-ports"
SPAN = 10_000  # how many ports below the ephemeral range tests draw from
_held: dict[int, int] = {}  # port -> the descriptor of its lock file, open for the session
_chance = random.Random()  # its own: tests that seed the global generator do not steer it


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _lock(port: int) -> bool:
    """Reserve `port` for this process's life; False if another session holds it."""
    if not LOCKS.is_dir():
        LOCKS.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):  # made by someone else meanwhile
            LOCKS.chmod(0o1777)  # any user's sessions share it, like /tmp
    try:  # read-only is enough for flock, and works on another user's file
        fd = os.open(LOCKS / f"{port}.lock", os.O_CREAT | os.O_RDONLY, 0o644)
    except OSError:  # no lock file for this user: the range alone keeps the kernel off it
        _held[port] = -1
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    _held[port] = fd
    return True


def _bindable(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _any_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on, that no other test session and no port-0 bind will take."""
    high = _ephemeral_low()
    low = max(1024, high - SPAN)
    if high - low < 1000:  # an ephemeral range down to the privileged ports: nothing below it
        return _any_port(host)
    for _ in range(1000):
        port = _chance.randrange(low, high)
        if port in _held or not _lock(port):
            continue
        if _bindable(host, port):
            return port
    raise RuntimeError(f"no free port in {low}-{high - 1} (see {LOCKS})")
