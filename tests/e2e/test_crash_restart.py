"""A crash (SIGKILL) of the server loses nothing it has acknowledged."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.waiting import HTTP_TIMEOUT_S

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"
HUB = "/tmf-api/productOrderingManagement/v4/hub"


async def _place_orders(base: str, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        body = {"productOrderItem": [{"id": "1", "action": "add"}]}
        responses = await asyncio.gather(*(client.post(ORDERS, json=body) for _ in range(count)))
    assert all(r.status_code == 201 for r in responses)
    return [r.json()["id"] for r in responses]


def test_acknowledged_orders_and_subscriptions_survive_sigkill(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(url, port) as server:
        ids = asyncio.run(_place_orders(base, 200))
        hub = httpx.post(
            base + HUB, json={"callback": "http://127.0.0.1:1/cb"}, timeout=HTTP_TIMEOUT_S
        ).json()
        patched = httpx.patch(
            f"{base}{ORDERS}/{ids[0]}", json={"description": "changed"}, timeout=HTTP_TIMEOUT_S
        )
        assert patched.status_code == 200
        server.kill()  # no shutdown, no chance to flush anything
    with running_server(url, port):
        listed = httpx.get(
            base + ORDERS, params={"limit": 1000, "fields": "state"}, timeout=HTTP_TIMEOUT_S
        )
        assert listed.headers["X-Total-Count"] == "200"
        assert {order["id"] for order in listed.json()} == set(ids)
        assert (
            httpx.get(f"{base}{ORDERS}/{ids[0]}", timeout=HTTP_TIMEOUT_S).json()["description"]
            == "changed"
        )
        secret = hub.pop("secret")  # shown once, at creation
        kept = httpx.get(f"{base}{HUB}/{hub['id']}", timeout=HTTP_TIMEOUT_S).json()
        assert kept == hub and secret not in str(kept)
