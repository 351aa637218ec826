"""Quantity (ADR 0021): an `add` item of quantity N makes N products, each with its own
service order, each recorded in TMF637 naming the item; the first keeps the ids an item of
quantity 1 has; a change item of another quantity is refused at POST, nothing stored."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cascade.fulfilment.layers.ids import child_id
from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, PO, SO, Chain, offering_item
from tests.fulfilment.test_cancellation import CANCEL_PO, cancel, get_or_none, read, wait_task
from tests.fulfilment.undone import PRODUCT, delivered, undone
from tests.gate import Gate


def notes(order: dict[str, Any]) -> str:
    return " | ".join(note["text"] for note in order.get("note", []))


def test_quantity_three_makes_three_products_and_three_service_orders(chain: Chain) -> None:
    item = {**offering_item("1", "po-mobile-line"), "quantity": 3}
    order = chain.wait_for(chain.place(item)["id"])
    assert order["state"] == "completed", notes(order)
    delivered(chain.get, chain.cascade.database.read_sync, order["id"])
    service_orders = chain.get(SO, **{"externalReference.id": order["id"]})
    assert len(service_orders) == 3
    assert {so["state"] for so in service_orders} == {"completed"}
    assert child_id(order["id"], "1") in {so["id"] for so in service_orders}  # as for 1
    products = chain.get(PRODUCT)
    assert len(products) == 3
    for product in products:
        (made_by,) = product["productOrderItem"]
        assert (made_by["productOrderId"], made_by["orderItemId"]) == (order["id"], "1")
        assert product["status"] == "active"
    # Three numbers, one per line: each product is its own delivery.
    services = {p["realizingService"][0]["id"] for p in products}
    assert len(services) == 3
    first = order["productOrderItem"][0]["product"]["id"]
    assert first == child_id(order["id"], "1", "product")
    listed = f"item 1: quantity 3: products {first}, "
    assert listed in notes(order)
    assert all(p["id"] in notes(order) for p in products)
    (node,) = chain.get(f"/cascade/productOrder/{order['id']}/tree")["items"]
    shown = [node["serviceOrder"], *node["moreServiceOrders"]]
    assert sorted(so["id"] for so in shown) == sorted(so["id"] for so in service_orders)


def test_quantity_two_on_a_delete_is_refused_and_nothing_is_stored(chain: Chain) -> None:
    item = {"id": "1", "action": "delete", "quantity": 2, "product": {"id": "p-1"}}
    response = chain.client.post(PO, json={"productOrderItem": [item]})
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "invalidOrderItem"
    assert "item 1: quantity 2 on a 'delete' item" in error["message"]
    assert chain.get(PO) == []


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    """A cancel test closes the gate of the activation it must find running (docs/testing.md)."""
    return replace(FAST, simulator_gate=gate.setting)


def test_cancelling_undoes_every_copy(chain: Chain, gate: Gate) -> None:
    gate.close("rfs-mobile-subscription")  # running until cancelled
    placed = chain.place({**offering_item("1", "po-mobile-line"), "quantity": 2})

    def both_running() -> bool:
        found = chain.get(SO, **{"externalReference.id": placed["id"]})
        return len(found) == 2 and all(so["state"] == "inProgress" for so in found)

    chain.until(both_running)
    task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "done"
    tree = undone(lambda path: get_or_none(chain, path), read(chain), placed["id"])
    assert [so["state"] for so in tree.service_orders] == ["cancelled", "cancelled"]
    assert len(tree.products) == 2
