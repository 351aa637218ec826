"""What the benchmark scripts share: a free port, server instants, waiting for a server."""

from __future__ import annotations

import asyncio
import socket
from datetime import datetime

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def instant(text: str) -> float:
    """A TMF date-time (`...Z`) as a POSIX timestamp."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def wait_ready(url: str) -> None:
    """Until `url` answers at all (120 s at most: a loaded machine starts servers slowly)."""
    async with httpx.AsyncClient() as client:
        for _ in range(1200):
            try:
                await client.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not start")
