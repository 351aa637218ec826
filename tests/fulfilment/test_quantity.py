"""Quantity (ADR 0021): an `add` item of quantity N makes N products, each with its own
service order, each recorded in TMF637 naming the item; the first keeps the ids an item of
quantity 1 has; a change item of another quantity is refused at POST, nothing stored."""

from __future__ import annotations

from typing import Any

from cascade.fulfilment.layers.ids import child_id
from tests.fulfilment.conftest import PO, SO, Chain, offering_item
from tests.fulfilment.undone import PRODUCT, delivered


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


def test_quantity_two_on_a_delete_is_refused_and_nothing_is_stored(chain: Chain) -> None:
    item = {"id": "1", "action": "delete", "quantity": 2, "product": {"id": "p-1"}}
    response = chain.client.post(PO, json={"productOrderItem": [item]})
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "invalidOrderItem"
    assert "item 1: quantity 2 on a 'delete' item" in error["message"]
    assert chain.get(PO) == []
