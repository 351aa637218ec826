"""What a cancelled product order must leave behind, read through the TMF APIs and the tables.

`undone` walks the order's tree (service orders by `externalReference.id`, their resource
orders likewise) and asserts that nothing it did is still in effect: no product, service or
resource record active, no TMF640/TMF702 activation active, no allocation held and nothing
applied on the simulated network. `delivered` asserts the opposite for a completed order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from cascade.fulfilment.layers.ids import child_id, product_ids
from cascade.storage.tables import allocation, simulated_network

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
SO = "/tmf-api/serviceOrdering/v4/serviceOrder"
RO = "/tmf-api/resourceOrderingManagement/v4/resourceOrder"
PRODUCT = "/tmf-api/productInventory/v4/product"
SERVICE = "/tmf-api/serviceInventory/v4/service"
RESOURCE = "/tmf-api/resourceInventoryManagement/v4/resource"
TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4/service"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"

Get = Callable[[str], Any]  # GET path -> JSON body, or None on 404


@dataclass
class Tree:
    """Everything a product order made, by id."""

    service_orders: list[dict[str, Any]] = field(default_factory=list)
    resource_orders: list[dict[str, Any]] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)  # TMF640 activation = TMF638 record id
    resources: list[str] = field(default_factory=list)  # TMF702 activation = TMF639 record id
    owners: list[str] = field(default_factory=list)  # allocation owners


def tree_of(get: Get, order: dict[str, Any]) -> Tree:
    tree = Tree()
    for item in order["productOrderItem"]:
        tree.products.extend(product_ids(order["id"], item))  # one per copy (quantity)
    tree.service_orders = get(f"{SO}?externalReference.id={order['id']}")
    for service_order in tree.service_orders:
        for item in service_order["serviceOrderItem"]:
            tree.services.append(child_id(service_order["id"], str(item["id"]), "service"))
        found = get(f"{RO}?externalReference.id={service_order['id']}")
        tree.resource_orders.extend(found)
    for resource_order in tree.resource_orders:
        for item in resource_order["orderItem"]:
            tree.resources.append(item["resource"]["id"])
            tree.owners.append(f"{resource_order['id']}/{item['id']}")
    return tree


def undone(get: Get, read: Callable[[Callable[[Connection], Any]], Any], order_id: str) -> Tree:
    """Assert the cancelled order left nothing in effect; returns its tree."""
    order = get(f"{PO}/{order_id}")
    assert order["state"] == "cancelled", (order["state"], order.get("note"))
    tree = tree_of(get, order)
    for service_order in tree.service_orders:
        assert service_order["state"] in ("cancelled", "completed", "failed"), service_order
    for resource_order in tree.resource_orders:
        assert resource_order["state"] in ("cancelled", "completed", "failed"), resource_order
    for product_id in tree.products:
        product = get(f"{PRODUCT}/{product_id}")
        assert product is None or product["status"] == "terminated", product
    for service_id in tree.services:
        for path in (SERVICE, TMF640):
            service = get(f"{path}/{service_id}")
            assert service is None or service["state"] in ("terminated", "inactive"), service
    for resource_id in tree.resources:
        for path in (RESOURCE, TMF702):
            resource = get(f"{path}/{resource_id}")
            assert resource is None or resource["resourceStatus"] in ("standby", "alarm"), resource
    held, applied = read(lambda c: _held(c, tree))
    assert held == [], f"allocations still held: {held}"
    assert applied == [], f"activations still on the network: {applied}"
    return tree


def delivered(get: Get, read: Callable[[Callable[[Connection], Any]], Any], order_id: str) -> Tree:
    """Assert a completed order's products, services and resources are all in effect."""
    order = get(f"{PO}/{order_id}")
    assert order["state"] == "completed", order["state"]
    tree = tree_of(get, order)
    assert all(get(f"{PRODUCT}/{p}")["status"] == "active" for p in tree.products)
    assert all(get(f"{SERVICE}/{s}")["state"] == "active" for s in tree.services)
    assert all(get(f"{RESOURCE}/{r}")["resourceStatus"] == "available" for r in tree.resources)
    held, _ = read(lambda c: _held(c, tree))
    assert held, "a delivered order holds its allocations"
    return tree


def _held(connection: Connection, tree: Tree) -> tuple[list[str], list[str]]:
    owners = [
        row.owner
        for row in connection.execute(
            select(allocation.c.owner).where(allocation.c.owner.in_(tree.owners))
        )
    ]
    activations = tree.services + tree.resources
    applied = [
        row.activation
        for row in connection.execute(
            select(simulated_network.c.activation).where(
                simulated_network.c.activation.in_(activations)
            )
        )
    ]
    return owners, applied
