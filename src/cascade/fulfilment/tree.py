"""The whole tree of a product order: every order, item, activation and inventory record it made.

Children are found by the identities the controllers give them (derived from the parent item),
so the tree is read with primary-key look-ups only. The same links exist on the wire: a
service order names its product order in `externalReference`, a resource order its service
order, an activation its service order item (`serviceOrderItem`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.fulfilment.layers.ids import child_id, service_order_ids
from cascade.repositories import Repositories


def order_tree(
    connection: Connection, repositories: Repositories, order_id: str
) -> dict[str, Any] | None:
    order = repositories[kinds.PRODUCT_ORDER].peek(connection, order_id)
    if order is None:
        return None
    items = []
    for item in order.get("productOrderItem") or ():
        found = [
            repositories[kinds.SERVICE_ORDER].peek(connection, service_order_id)
            for service_order_id in service_order_ids(order["id"], item)
        ]
        placed = [_service_order(connection, repositories, each) for each in found if each]
        product = item.get("product") or {}
        node = {
            "id": item.get("id"),
            "action": item.get("action"),
            "state": item.get("state"),
            "productOffering": _offering(connection, repositories, item),
            "product": _ref(product) if product.get("id") else None,
            "serviceOrder": placed[0] if placed else None,
        }
        if len(placed) > 1:  # an item of quantity N: the other copies' service orders
            node["moreServiceOrders"] = placed[1:]
        items.append(node)
    return {**_node(order, "ProductOrder"), "note": order.get("note", []), "items": items}


def _offering(
    connection: Connection, repositories: Repositories, item: Mapping[str, Any]
) -> str | None:
    """The item's offering; a change names only its product: the product's offering then."""
    offering = (item.get("productOffering") or {}).get("id")
    product_id = (item.get("product") or {}).get("id")
    if offering is None and product_id:
        product = repositories[kinds.PRODUCT].peek(connection, str(product_id)) or {}
        offering = (product.get("productOffering") or {}).get("id")
    return None if offering is None else str(offering)


def _service_order(
    connection: Connection, repositories: Repositories, order: Mapping[str, Any]
) -> dict[str, Any]:
    items = []
    for item in order.get("serviceOrderItem") or ():
        item_id = str(item.get("id"))
        service = item.get("service") or {}
        changed = item.get("action") not in (None, "add")  # acts on a service that exists
        activation_id = (
            str(service.get("id")) if changed else child_id(order["id"], item_id, "service")
        )
        activation = repositories[kinds.SERVICE_ACTIVATION].peek(connection, activation_id)
        resource_order = repositories[kinds.RESOURCE_ORDER].peek(
            connection, child_id(order["id"], item_id)
        )
        items.append(
            {
                "id": item_id,
                "action": item.get("action"),
                "state": item.get("state"),
                "service": {
                    "name": service.get("name"),
                    "category": service.get("category"),
                    "id": service.get("id"),
                    "href": service.get("href"),
                },
                "activation": _activation(activation, "state") if activation else None,
                "resourceOrder": _resource_order(connection, repositories, resource_order)
                if resource_order
                else None,
            }
        )
    return {**_node(order, "ServiceOrder"), "items": items}


def _resource_order(
    connection: Connection, repositories: Repositories, order: Mapping[str, Any]
) -> dict[str, Any]:
    items = []
    for item in order.get("orderItem") or ():
        resource = item.get("resource") or {}
        activation = (
            repositories[kinds.RESOURCE_ACTIVATION].peek(connection, str(resource["id"]))
            if resource.get("id")
            else None
        )
        items.append(
            {
                "id": item.get("id"),
                "state": item.get("state"),
                "resource": {
                    "specification": (resource.get("resourceSpecification") or {}).get("name"),
                    "id": resource.get("id"),
                    "characteristic": {
                        c.get("name"): c.get("value")
                        for c in resource.get("resourceCharacteristic") or ()
                    },
                },
                "activation": _activation(activation, "resourceStatus") if activation else None,
            }
        )
    return {**_node(order, "ResourceOrder"), "items": items}


def _node(document: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {
        "@type": kind,
        "id": document.get("id"),
        "href": document.get("href"),
        "state": document.get("state"),
    }


def _activation(document: Mapping[str, Any], attribute: str) -> dict[str, Any]:
    return {
        "id": document.get("id"),
        "href": document.get("href"),
        "state": document.get(attribute),
    }


def _ref(document: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": document.get("id"), "href": document.get("href")}
