"""Two `cascade worker` processes accept product orders at the same moment, on one PostgreSQL
database: of two orders changing the same product, exactly one is accepted.

The products are delivered first (workers on a quick network). Then two workers start whose
network takes an hour to re-configure a QoS profile, so an accepted change stays `inProgress`
for the whole test: whatever the interleaving, the other change of its product finds it
running, and must be rejected as in the sequential case, naming it. Without a guarantee that
holds across processes, both workers could accept their order in the same instant.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_ENV, fresh_database_url
from tests.e2e.fulfilment import PO, broadband, place, running_worker, wait_until_ended
from tests.e2e.server import free_port, running_server

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"),
]
PRODUCTS = 4
QUICK = {"CASCADE_LEASE_MS": "5000", "CASCADE_POLL_INTERVAL_S": "0.05"}
STUCK = {
    **QUICK,
    "CASCADE_SIMULATOR_SPECIFICATIONS": json.dumps({"rfs-qos-profile": {"latency_ms": 3_600_000}}),
}


def modify(product_id: str, speed: int) -> dict[str, Any]:
    item = {
        "id": "1",
        "action": "modify",
        "product": {
            "id": product_id,
            "productCharacteristic": [{"name": "downloadSpeed", "value": speed}],
        },
    }
    return {"productOrderItem": [item]}


def _post_all(base: str, bodies: list[dict[str, Any]]) -> list[str]:
    """POST the orders at once; their ids, in the order of `bodies`."""

    async def post_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            return await asyncio.gather(*(client.post(PO, json=body) for body in bodies))

    responses = asyncio.run(post_all())
    assert [r.status_code for r in responses] == [201] * len(bodies), responses[0].text
    return [str(r.json()["id"]) for r in responses]


def _until_checked(base: str, ids: list[str], timeout: float = 60.0) -> dict[str, Any]:
    """The orders once none is `acknowledged` any more (each was accepted or rejected)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base, timeout=10) as client:
        while True:
            orders = {i: client.get(f"{PO}/{i}").json() for i in ids}
            if all(o["state"] != "acknowledged" for o in orders.values()):
                return orders
            assert time.monotonic() < deadline, [o["state"] for o in orders.values()]
            time.sleep(0.1)


def test_two_workers_never_accept_two_changes_of_one_product(tmp_path: Path) -> None:
    url = fresh_database_url("postgresql", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(url, port, "--demo", "--no-controllers", environment=QUICK):
        with running_worker(url, QUICK, tmp_path / "deliver.log"):
            added = place(base, [{"productOrderItem": [broadband()]} for _ in range(PRODUCTS)])
            delivered = wait_until_ended(base, list(added), timeout=120)
        assert [o["state"] for o in delivered] == ["completed"] * PRODUCTS
        products = [o["productOrderItem"][0]["product"]["id"] for o in delivered]
        with (
            running_worker(url, STUCK, tmp_path / "worker-1.log"),
            running_worker(url, STUCK, tmp_path / "worker-2.log"),
        ):
            # Both changes of each product are posted at once, and taken by either worker.
            ids = _post_all(base, [modify(p, speed) for p in products for speed in (100, 1000)])
            orders = _until_checked(base, ids)
    for n, product_id in enumerate(products):
        pair = [orders[ids[2 * n]], orders[ids[2 * n + 1]]]
        states = sorted(o["state"] for o in pair)
        assert states == ["inProgress", "rejected"], (product_id, states)
        accepted = next(o for o in pair if o["state"] == "inProgress")
        rejected = next(o for o in pair if o["state"] == "rejected")
        notes = [note["text"] for note in rejected["note"]]
        assert f"being changed by product order {accepted['id']}" in notes[0], notes
