"""Two `cascade worker` processes accept product orders at the same moment, on one PostgreSQL
database: of two orders changing the same product, exactly one is accepted.

The products are delivered first (one worker, a quick network). Then two workers start whose
network takes an hour to re-configure a QoS profile, so an accepted change stays `inProgress`
for the whole test: whatever the interleaving, the other change of its product finds it
running, and must be rejected as in the sequential case, naming it. Both changes of every
product are posted at once, once both workers run, and either worker may take either; without
a guarantee that holds across processes, both could accept their order in the same instant.
Orders are posted and read in this process, through a Cascade without controllers. How often
the two workers really meet depends on the machine; tests/fulfilment/test_change_claims.py
makes them meet every time.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import build
from cascade.catalogs import demo_catalog
from cascade.settings import Settings
from cascade.storage.migrate import upgrade
from tests.conftest import POSTGRES_ENV, PUBLIC_URL, fresh_database_url
from tests.e2e.fulfilment import PO, broadband, running_worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"),
]
PRODUCTS = 4
QUICK = {"CASCADE_LEASE_MS": "5000", "CASCADE_POLL_INTERVAL_S": "0.05"}
HOUR_LONG_QOS = json.dumps({"rfs-qos-profile": {"latency_ms": 3_600_000}})
STUCK = {**QUICK, "CASCADE_SIMULATOR_SPECIFICATIONS": HOUR_LONG_QOS}
TIMEOUT_S = 180.0  # generous: the machine may be shared


def modify(product_id: str, speed: int) -> dict[str, Any]:
    characteristic = [{"name": "downloadSpeed", "value": speed}]
    item = {
        "id": "1",
        "action": "modify",
        "product": {"id": product_id, "productCharacteristic": characteristic},
    }
    return {"productOrderItem": [item]}


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[str, TestClient[Any]]]:
    url = fresh_database_url("postgresql", tmp_path)
    upgrade(url)
    cascade = build(Settings(database_url=url, public_url=PUBLIC_URL, controllers=False))
    cascade.catalogs.load(demo_catalog())
    try:
        with TestClient(cascade.app, base_url=PUBLIC_URL) as test_client:
            yield url, test_client
    finally:
        cascade.close()


def _post_at_once(client: TestClient[Any], bodies: list[dict[str, Any]]) -> list[str]:
    barrier = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> str:
        barrier.wait()
        response = client.post(PO, json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def _orders(client: TestClient[Any], ids: list[str]) -> list[dict[str, Any]]:
    return [client.get(f"{PO}/{order_id}").json() for order_id in ids]


def test_two_workers_never_accept_two_changes_of_one_product(
    client: tuple[str, TestClient[Any]], tmp_path: Path
) -> None:
    url, http = client
    with running_worker(url, QUICK, tmp_path / "deliver.log"):
        added = _post_at_once(http, [{"productOrderItem": [broadband()]}] * PRODUCTS)
        _until(
            lambda: all(o["state"] == "completed" for o in _orders(http, added)), "not delivered"
        )
    products = [o["productOrderItem"][0]["product"]["id"] for o in _orders(http, added)]
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    with running_worker(url, STUCK, logs[0]), running_worker(url, STUCK, logs[1]):
        _until(lambda: all("running controllers" in log.read_text() for log in logs), "no start")
        ids = _post_at_once(http, [modify(p, speed) for p in products for speed in (100, 1000)])
        _until(lambda: all(o["state"] != "acknowledged" for o in _orders(http, ids)), "not checked")
        orders = _orders(http, ids)
    for n, product_id in enumerate(products):
        pair = orders[2 * n : 2 * n + 2]
        states = sorted(o["state"] for o in pair)
        assert states == ["inProgress", "rejected"], (product_id, states)
        accepted = next(o for o in pair if o["state"] == "inProgress")
        rejected = next(o for o in pair if o["state"] == "rejected")
        notes = [note["text"] for note in rejected["note"]]
        assert f"being changed by product order {accepted['id']}" in notes[0], notes
