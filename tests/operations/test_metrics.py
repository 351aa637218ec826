"""`/metrics` after real orders: parsed with prometheus_client's parser, its figures match what
happened (orders by state, steps, HTTP requests, the work queue, pool usage)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Connection, func, select

from cascade.bootstrap import Cascade
from cascade.domain.pools import pool_for
from cascade.storage import work
from cascade.storage.tables import allocation
from tests.fulfilment.conftest import FAST, PO, RO, SO, Chain, broadband, running_chain
from tests.operations.scrape import Samples, by_label, parse, value
from tests.waiting import until

RS = "/tmf-api/resourceCatalog/v4/resourceSpecification"
ORDERS = 3


@pytest.fixture
def chain(database_url: str) -> Iterator[Chain]:
    with running_chain(database_url, FAST) as running:
        yield running


def scrape(client: TestClient[Any]) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


def states(chain: Chain, path: str) -> dict[str, float]:
    """How many orders of a collection are in each state, as the TMF API lists them."""
    counted: dict[str, float] = {}
    for order in chain.get(path, limit="1000"):
        counted[order["state"]] = counted.get(order["state"], 0) + 1
    return counted


def test_metrics_match_the_orders_placed(chain: Chain) -> None:
    before = scrape(chain.client)
    placed = [chain.place(broadband())["id"] for _ in range(ORDERS)]
    for order_id in placed:
        assert chain.wait_for(order_id)["state"] == "completed"
    until(lambda: chain.cascade.database.read_sync(work.pending) == 0, "an empty work queue")
    after = scrape(chain.client)

    assert value(after, "cascade_database_up") == 1
    for kind, path in (("productOrder", PO), ("serviceOrder", SO), ("resourceOrder", RO)):
        gauges = {s: n for s, n in _orders(after, kind).items()}
        assert gauges == states(chain, path), kind
    assert _orders(after, "productOrder") == {"completed": ORDERS}
    assert value(after, "cascade_work_items") == 0
    assert value(after, "cascade_work_items_due") == 0
    assert value(after, "cascade_work_oldest_due_seconds") == 0

    created = "cascade_http_requests_total"
    labels = {"route": "tmf622.productOrder.create", "method": "POST", "status": "201"}
    assert value(after, created, **labels) - value(before, created, **labels) == ORDERS
    for kind in ("productOrder", "serviceOrder", "resourceOrder"):
        committed = _delta(before, after, "cascade_steps_total", kind=kind, outcome="committed")
        failed = _delta(before, after, "cascade_steps_total", kind=kind, outcome="failed")
        timed = _delta(before, after, "cascade_step_duration_seconds_count", kind=kind)
        assert committed >= ORDERS, kind  # each order took at least one step
        assert timed == committed + failed, kind


def test_pool_usage_equals_the_allocations(chain: Chain) -> None:
    for order_id in [chain.place(broadband())["id"] for _ in range(2)]:
        assert chain.wait_for(order_id)["state"] == "completed"
    samples = scrape(chain.client)
    held = chain.cascade.database.read_sync(_allocations)
    assert held, "the broadband orders allocated nothing"
    assert by_label(samples, "cascade_pool_allocated", "pool") == held
    for pool, count in held.items():
        specification = chain.get(f"{RS}/{pool.split('|', 1)[0]}")
        definition = pool_for(specification)
        assert definition is not None
        free = value(samples, "cascade_pool_free", pool=pool)
        assert free == definition.size - count, pool
        assert value(samples, "cascade_pool_size", pool=pool) == definition.size


def test_the_queue_shows_work_nobody_takes(cascade: Cascade) -> None:
    """Controllers off: an order placed waits in the queue, and the scrape says so."""
    with TestClient(cascade.app, base_url="http://testserver.local") as client:
        response = client.post(PO, json={"productOrderItem": [broadband()]})
        assert response.status_code == 201, response.text
        samples = scrape(client)
        missing = client.get(f"{PO}/no-such-order")
        assert missing.status_code == 404
        again = scrape(client)
    assert _orders(samples, "productOrder") == {"acknowledged": 1}
    assert value(samples, "cascade_work_items") == 1
    assert value(samples, "cascade_work_items_due") == 1
    assert value(samples, "cascade_work_oldest_due_seconds") >= 0
    labels = {"route": "tmf622.productOrder.retrieve", "method": "GET", "status": "404"}
    assert _delta(samples, again, "cascade_http_requests_total", **labels) == 1


def _orders(samples: Samples, kind: str) -> dict[str, float]:
    return {
        dict(key[1])["state"]: n
        for key, n in samples.items()
        if key[0] == "cascade_orders" and dict(key[1])["kind"] == kind
    }


def _delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def _allocations(connection: Connection) -> dict[str, float]:
    rows = connection.execute(select(allocation.c.pool, func.count()).group_by(allocation.c.pool))
    return {pool: float(count) for pool, count in rows}
