"""One cancellation per order, with the fulfilment running: a refused cancel is final and its
duplicates are told so, and a client's cancel of a child order and the parent's cancellation
never both run on it (fulfilment/cancellation/claim.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.fulfilment.cancellation.claim import DUPLICATE, claim_for_parent
from cascade.fulfilment.layers.registry import internal_task_id
from cascade.settings import Settings
from cascade.storage import claims
from tests.fulfilment.conftest import FAST, PO, SO, Chain, broadband
from tests.fulfilment.test_cancellation import CANCEL_PO, CANCEL_SO, cancel, get_or_none, wait_task
from tests.gate import Gate


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    # The access service is held at the gate: cancels land while the service order runs.
    gate.close("rfs-gpon-access")
    return replace(FAST, simulator_gate=gate.setting)


def _running_service_order(chain: Chain, order_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def running() -> bool:
        found[:] = chain.get(SO, **{"externalReference.id": order_id})
        return bool(found) and found[0]["state"] == "inProgress"

    chain.until(running)
    return found[0]


def _assert_duplicate(response: Any, task: dict[str, Any]) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["code"] == DUPLICATE
    assert response.json()["referenceError"] == task["href"]
    assert task["id"] in response.json()["message"]


def test_a_refused_cancel_is_final_and_every_later_request_is_told_so(
    chain: Chain, gate: Gate
) -> None:
    gate.open()  # this one cancels a completed order
    placed = chain.place(broadband())
    assert chain.wait_for(placed["id"])["state"] == "completed"
    task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "terminatedWithError"
    body = {"productOrder": {"id": placed["id"]}, "cancellationReason": "again"}
    for _ in range(2):
        _assert_duplicate(chain.client.post(CANCEL_PO, json=body), task)
    assert [t["id"] for t in chain.get(CANCEL_PO, **{"productOrder.id": placed["id"]})] == [
        task["id"]
    ]
    assert chain.get(f"{PO}/{placed['id']}")["state"] == "completed"


def test_a_client_cancel_of_a_child_order_after_the_parents_names_the_parents(
    chain: Chain,
) -> None:
    placed = chain.place(broadband())
    service_order = _running_service_order(chain, placed["id"])
    parent_task = cancel(chain, placed["id"])
    # The parent's cancellation asks for the child's cancel task (its own, derived id).
    path = f"{CANCEL_SO}/{internal_task_id(service_order['id'])}"
    chain.until(lambda: get_or_none(chain, path) is not None)
    answer = chain.client.post(CANCEL_SO, json={"serviceOrder": {"id": service_order["id"]}})
    _assert_duplicate(answer, chain.get(path))
    assert wait_task(chain, CANCEL_PO, parent_task["id"])["state"] == "done"
    assert chain.get(f"{SO}/{service_order['id']}")["state"] == "cancelled"


def test_the_parents_cancellation_leaves_a_clients_cancel_of_the_child_to_run(
    chain: Chain,
) -> None:
    placed = chain.place(broadband())
    service_order = _running_service_order(chain, placed["id"])
    child_task = cancel(chain, service_order["id"], CANCEL_SO, "serviceOrder")
    parent_task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_SO, child_task["id"])["state"] == "done"
    wait_task(chain, CANCEL_PO, parent_task["id"])  # done, or refused: the order failed first
    assert chain.get(f"{SO}/{service_order['id']}")["state"] == "cancelled"
    tasks = chain.get(CANCEL_SO, **{"serviceOrder.id": service_order["id"]})
    assert [t["id"] for t in tasks] == [child_task["id"]]  # the child was cancelled once


@pytest.mark.parametrize("state", ["accepted", "inProgress", "done", "terminatedWithError"])
def test_the_parents_cancel_task_takes_the_claim_only_from_a_refused_request(
    cascade: Cascade, state: str
) -> None:
    """A client's cancel of a child order that runs (or ran) keeps the claim; a refused one
    gives it to the parent's own cancel task, which the parent decided before it was refused."""
    tasks = cascade.repositories[kinds.CANCEL_SERVICE_ORDER]
    internal = internal_task_id("so-1")

    def job(connection: Connection) -> tuple[bool, str | None]:
        document = {"id": "client-task", "href": tasks.href_of("client-task"), "state": state}
        tasks.insert_as_is(connection, {**document, "serviceOrder": {"id": "so-1"}})
        assert claims.take(connection, tasks.kind.name, "so-1", "client-task") == "client-task"
        placed = claim_for_parent(connection, tasks, "so-1", internal)
        return placed, claims.holder_of(connection, tasks.kind.name, "so-1")

    placed, holder = cascade.database.write_sync(job)
    refused = state == "terminatedWithError"
    assert (placed, holder) == (refused, internal if refused else "client-task")
