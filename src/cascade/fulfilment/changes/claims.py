"""One running change per installed product, held by the database (storage/claims.py).

A product order that modifies or deletes a product claims it (scope `productChange`, subject
the product id, holder the order id) in the transaction that accepts the order, so two orders
accepted at the same moment, by two processes, cannot both pass: the second one's claim waits
for the first one's transaction and then finds it held. A claim holds while its order runs
(`installed.RUNNING`); a claim whose order has ended (or not started: an order deferred to its
start date) is handed over to the next order that asks, so claims need no release when an
order ends, however it ends. An order refused for any reason gives back the claims it took.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.domain.changes import product_id_of
from cascade.fulfilment.changes.installed import RUNNING
from cascade.repositories import Repository
from cascade.storage import claims

SCOPE = "productChange"


def claim_products(
    connection: Connection, orders: Repository, order: Mapping[str, Any]
) -> dict[str, str]:
    """Claim the products the order changes; those another running order holds, by product.

    Products are claimed in id order, so two orders claiming the same ones never deadlock.
    """
    order_id = str(order["id"])
    busy: dict[str, str] = {}
    for product_id in changed_products(order):
        holder = claims.take(connection, SCOPE, product_id, order_id)
        if holder == order_id:
            continue
        other = orders.peek(connection, holder)
        if other is not None and other.get("state") in RUNNING:
            busy[product_id] = holder
        else:
            claims.hand_over(connection, SCOPE, product_id, order_id)
    return busy


def release_products(connection: Connection, order: Mapping[str, Any]) -> None:
    """Give back the claims the order holds (it was refused)."""
    for product_id in changed_products(order):
        claims.release(connection, SCOPE, product_id, str(order["id"]))


def changed_products(order: Mapping[str, Any]) -> list[str]:
    """The products the order's modify, delete and noChange items name, sorted."""
    found = {
        product_id
        for item in order.get("productOrderItem") or ()
        if item.get("action") != "add" and (product_id := product_id_of(item)) is not None
    }
    return sorted(found)
