"""Concurrent cancel requests for one order, on each ordering API: exactly one is recorded and
every other one gets the same answer, 409 naming it, whatever the interleaving.

The requests go through two Cascades on one database, each with its own writer connection, as
two processes have: on PostgreSQL their transactions really run at the same moment, on SQLite
they queue on the database's write lock. A barrier releases all the requests at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade, build
from cascade.fulfilment.cancellation.claim import DUPLICATE
from cascade.settings import Settings
from tests.conftest import PUBLIC_URL

REQUESTS = 8
SPEC = {"id": "spec-1", "href": "http://catalog.example/spec-1", "name": "Spec"}
# Per ordering API: the order collection, an order body, the cancel collection, the reference.
APIS = {
    "tmf622": (
        "/tmf-api/productOrderingManagement/v4/productOrder",
        {"productOrderItem": [{"id": "1", "action": "add"}]},
        "/tmf-api/productOrderingManagement/v4/cancelProductOrder",
        "productOrder",
    ),
    "tmf641": (
        "/tmf-api/serviceOrdering/v4/serviceOrder",
        {
            "serviceOrderItem": [
                {"id": "1", "action": "add", "service": {"serviceSpecification": SPEC}}
            ]
        },
        "/tmf-api/serviceOrdering/v4/cancelServiceOrder",
        "serviceOrder",
    ),
    "tmf652": (
        "/tmf-api/resourceOrderingManagement/v4/resourceOrder",
        {
            "orderItem": [
                {
                    "id": "1",
                    "action": "add",
                    "resource": {"id": "r-1", "href": "http://inventory.example/r-1"},
                }
            ]
        },
        "/tmf-api/resourceOrderingManagement/v4/cancelResourceOrder",
        "resourceOrder",
    ),
}


@pytest.fixture
def clients(cascade: Cascade, database_url: str) -> Iterator[list[TestClient[Any]]]:
    """A client on the shared Cascade and one on a second Cascade (its own writer)."""
    second = build(Settings(database_url=database_url, public_url=PUBLIC_URL, controllers=False))
    try:
        with (
            TestClient(cascade.app, base_url=PUBLIC_URL) as first_client,
            TestClient(second.app, base_url=PUBLIC_URL) as second_client,
        ):
            yield [first_client, second_client]
    finally:
        second.close()


def _all_at_once(clients: list[TestClient[Any]], path: str, body: dict[str, Any]) -> list[Any]:
    barrier = threading.Barrier(REQUESTS)

    def post(n: int) -> Any:
        barrier.wait()
        return clients[n % len(clients)].post(path, json=body)

    with ThreadPoolExecutor(REQUESTS) as pool:
        return list(pool.map(post, range(REQUESTS)))


def assert_duplicate(response: Any, task: dict[str, Any]) -> None:
    """The answer every duplicate gets: 409, the code, the task's href and id."""
    assert response.status_code == 409, response.text
    error = response.json()
    assert (error["code"], error["status"], error["reason"]) == (DUPLICATE, "409", "Conflict")
    assert error["referenceError"] == task["href"]
    assert task["id"] in error["message"]


@pytest.mark.parametrize("api", sorted(APIS))
def test_concurrent_cancels_record_one_and_refuse_the_rest_alike(
    api: str, clients: list[TestClient[Any]]
) -> None:
    orders, order_body, cancels, reference = APIS[api]
    created = clients[0].post(orders, json=order_body)
    assert created.status_code == 201, created.text
    body = {reference: {"id": created.json()["id"]}, "cancellationReason": "twice"}
    responses = _all_at_once(clients, cancels, body)
    recorded = [r.json() for r in responses if r.status_code == 201]
    assert len(recorded) == 1, [(r.status_code, r.text) for r in responses]
    (task,) = recorded
    for response in responses:
        if response.status_code != 201:
            assert_duplicate(response, task)
    listed = clients[1].get(cancels, params={f"{reference}.id": created.json()["id"]})
    assert [t["id"] for t in listed.json()] == [task["id"]]
    assert_duplicate(clients[1].post(cancels, json=body), task)  # later: the same answer


def test_a_retry_with_the_idempotency_key_keeps_the_original_answer(
    clients: list[TestClient[Any]],
) -> None:
    orders, order_body, cancels, reference = APIS["tmf622"]
    order = clients[0].post(orders, json=order_body).json()
    body = {reference: {"id": order["id"]}}
    key = {"Idempotency-Key": "cancel-retry"}
    first = clients[0].post(cancels, json=body, headers=key)
    assert first.status_code == 201, first.text
    for client in clients:
        again = client.post(cancels, json=body, headers=key)
        assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
        assert_duplicate(client.post(cancels, json=body), first.json())
