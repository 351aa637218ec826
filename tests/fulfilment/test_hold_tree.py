"""Holding an order holds the work below it; releasing it resumes the whole tree (issue 15).

The issue's example: a product order PATCHed `held` while its service and resource orders
ran, and they went on to `completed` underneath. Each test holds the access port's activation
at the simulated network's gate until the order is held, then opens it: the network could
finish, only the hold keeps the tree. It waits for conditions: until the controllers have
looked at every order of the tree (the work queue has nothing left for it), then checks that
nothing moved.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from cascade.settings import Settings
from cascade.storage.tables import work_item
from tests.fulfilment.conftest import FAST, PO, RO, SO, Chain, broadband
from tests.gate import Gate

MERGE = {"content-type": "application/merge-patch+json"}


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    gate.close("rs-gpon-port")  # its resource order runs until the test opens the gate
    return replace(FAST, simulator_gate=gate.setting)


def children(chain: Chain, path: str, parent_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = chain.get(path, **{"externalReference.id": parent_id})
    return found


def tree(chain: Chain, order_id: str) -> dict[str, str]:
    """Every order of the tree by id, with its state."""
    states = {order_id: chain.get(f"{PO}/{order_id}")["state"]}
    for service_order in children(chain, SO, order_id):
        states[service_order["id"]] = service_order["state"]
        for resource_order in children(chain, RO, service_order["id"]):
            states[resource_order["id"]] = resource_order["state"]
    return states


def looked_at(chain: Chain, ids: set[str]) -> bool:
    """Whether the controllers have no work left for any of these orders."""
    rows = chain.cascade.database.read_sync(
        lambda c: c.execute(select(work_item.c.entity_id)).scalars().all()
    )
    return not ids & set(rows)


def running_resource_order(chain: Chain, order_id: str) -> bool:
    states = tree(chain, order_id)
    return len(states) > 2 and "inProgress" in list(states.values())[2:]


def test_a_held_product_order_holds_its_tree_and_its_release_resumes_it(
    chain: Chain, gate: Gate
) -> None:
    placed = chain.place(broadband())
    chain.until(lambda: running_resource_order(chain, placed["id"]))
    held = chain.client.patch(f"{PO}/{placed['id']}", json={"state": "held"}, headers=MERGE)
    assert held.status_code == 200, held.text
    gate.open()
    at_hold = tree(chain, placed["id"])
    below = {i: s for i, s in at_hold.items() if i != placed["id"]}
    assert "held" in below.values() and "completed" not in list(below.values())[:1]
    assert set(below.values()) <= {"held", "acknowledged", "completed"}

    chain.until(lambda: looked_at(chain, set(at_hold)))
    assert tree(chain, placed["id"]) == at_hold  # nothing below went on

    released = chain.client.patch(
        f"{PO}/{placed['id']}", json={"state": "inProgress"}, headers=MERGE
    )
    assert released.status_code == 200, released.text
    assert chain.wait_for(placed["id"])["state"] == "completed"
    assert set(tree(chain, placed["id"]).values()) == {"completed"}


def test_a_held_service_order_holds_its_resource_orders(chain: Chain, gate: Gate) -> None:
    placed = chain.place(broadband())
    chain.until(lambda: running_resource_order(chain, placed["id"]))
    (service_order,) = children(chain, SO, placed["id"])
    url = f"{SO}/{service_order['id']}"
    assert chain.client.patch(url, json={"state": "held"}, headers=MERGE).status_code == 200
    gate.open()
    below = {r["id"]: r["state"] for r in children(chain, RO, service_order["id"])}
    assert "held" in below.values() and set(below.values()) <= {"held", "completed"}

    chain.until(lambda: looked_at(chain, {placed["id"], service_order["id"], *below}))
    assert {r["id"]: r["state"] for r in children(chain, RO, service_order["id"])} == below
    assert chain.get(url)["state"] == "held"
    assert chain.get(f"{PO}/{placed['id']}")["state"] == "inProgress"

    assert chain.client.patch(url, json={"state": "inProgress"}, headers=MERGE).status_code == 200
    assert chain.wait_for(placed["id"])["state"] == "completed"
