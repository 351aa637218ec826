"""COM's end of a change: the TMF637 product updated (modify) or terminated (delete).

Written in the transaction that completes the product order item, like `record_product` for
an `add`; the product keeps its id and gains the order item that changed it in
`productOrderItem` (with `orderItemAction`), so its history is the list of orders that made it.
A modify keeps what the record had on the item first (`before.py`), for a cancellation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from cascade.domain.changes import product_id_of
from cascade.domain.characteristics import as_characteristics, as_values
from cascade.domain.decomposition import CFS, ProductItemPlan
from cascade.fulfilment.changes import before
from cascade.repositories import Repository
from cascade.tmf.instants import now_instant


def complete_change(
    connection: Connection,
    products: Repository,
    order: Mapping[str, Any],
    item: dict[str, Any],
    plan: ProductItemPlan,
    service_order: Mapping[str, Any],
) -> None:
    """Write the change to the product record and to the order item's `product`."""
    product_id = product_id_of(item)
    loaded = products.load(connection, str(product_id))
    assert loaded is not None  # checked by the planner in this transaction
    record = loaded.document
    if plan.action == "delete":
        if record.get("status") != "terminated":
            record["status"] = "terminated"
            record["terminationDate"] = now_instant()
    else:
        # What it was, kept on the item (saved with it, once): a cancellation puts it back.
        before.remember(item, record, before.PRODUCT_ATTRIBUTES)
        _apply_modify(record, plan, service_order)
    order_item = {
        "orderItemId": str(item["id"]),
        "productOrderId": order["id"],
        "productOrderHref": order["href"],
        "orderItemAction": plan.action,
        "@referredType": "ProductOrderItem",
    }
    history = record.setdefault("productOrderItem", [])
    if order_item not in history:
        history.append(order_item)
    products.save(connection, loaded)
    product = item.setdefault("product", {})
    product.update({"id": record["id"], "href": record["href"], "@referredType": "Product"})
    product["productCharacteristic"] = record.get("productCharacteristic", [])


def _apply_modify(
    record: dict[str, Any], plan: ProductItemPlan, service_order: Mapping[str, Any]
) -> None:
    values = dict(plan.characteristics)
    realizing = []
    for service_item in service_order.get("serviceOrderItem") or ():
        service = service_item.get("service") or {}
        if service.get("category") != CFS or service_item.get("action") == "delete":
            continue
        realizing.append({"id": service["id"], "href": service["href"], "@referredType": "Service"})
        for name, value in as_values(service.get("serviceCharacteristic")).items():
            values.setdefault(name, value)
    record["productOffering"] = dict(plan.offering)
    record["productSpecification"] = dict(plan.specification)
    record["productCharacteristic"] = as_characteristics(
        {k: v for k, v in values.items() if k in plan.declared}
    )
    record["realizingService"] = realizing


def relied_on(needs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """TMF637 `productRelationship` (`reliesOn`) to the products of the items relied on: an
    add-on names the product it needs, so ceasing that product can be refused while it lives.
    """
    relations = []
    for need in needs:
        product = need.get("product") or {}
        if product.get("id"):
            ref = {"id": product["id"], "@referredType": "Product"}
            if product.get("href"):
                ref["href"] = product["href"]
            relations.append({"relationshipType": "reliesOn", "product": ref})
    return relations
