"""`cascade serve --workers 2`: two processes on one port and one SQLite file.

Concurrent creates through both processes all land (their writers queue on the write lock),
and a SIGKILL of the supervisor takes the workers down with it, so that a restart finds the
port free and every acknowledged order stored.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.waiting import HTTP_TIMEOUT_S, PATIENCE_S

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"


def workers_of(supervisor: int) -> list[int]:
    """The pids of the supervisor's `cascade.serving worker` children."""
    found = []
    for task in Path(f"/proc/{supervisor}/task").glob("*"):
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if b"cascade.serving" in command and b"worker" in command:
                found.append(int(child))
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


async def place_orders(base: str, count: int) -> list[str]:
    body = {"productOrderItem": [{"id": "1", "action": "add"}]}
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        responses = await asyncio.gather(*(client.post(ORDERS, json=body) for _ in range(count)))
    assert [r.status_code for r in responses] == [201] * count
    return [r.json()["id"] for r in responses]


def test_two_workers_serve_one_database_and_die_with_their_supervisor(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    options = ("--workers", "2", "--no-controllers")
    with running_server(url, port, *options, log=log) as supervisor:
        workers = workers_of(supervisor.pid)
        ids = asyncio.run(place_orders(base, 200))
        supervisor.kill()
        supervisor.wait(timeout=10)
        deadline = time.monotonic() + PATIENCE_S
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        still_running = [pid for pid in workers if alive(pid)]

    assert len(workers) == 2, log.read_text()[-2000:]
    assert still_running == []
    with running_server(url, port, *options, log=log):
        listed = httpx.get(
            base + ORDERS, params={"limit": 1000, "fields": "id"}, timeout=HTTP_TIMEOUT_S
        )
        assert listed.headers["X-Total-Count"] == "200"
        assert {order["id"] for order in listed.json()} == set(ids)
