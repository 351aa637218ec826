"""COM: the TMF622 product order controller.

An acknowledged order is checked against the catalogs as a whole (decomposition): if anything
is wrong it is rejected with a note per reason and nothing is created downstream. Otherwise each
item gets its own TMF641 service order once the items it relies on have completed (independent
items run in parallel), and completes when that service order does, with its product recorded
in TMF637.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.change_order import cease_after, plan_order
from cascade.domain.changes import plan_item
from cascade.domain.characteristics import as_characteristics, as_values
from cascade.domain.decomposition import (
    CFS,
    ProductItemPlan,
    Rejected,
    item_dependencies,
)
from cascade.domain.states import PRODUCT_ORDER, PRODUCT_ORDER_ITEM
from cascade.fulfilment.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.controller import OrderController
from cascade.fulfilment.ids import child_id
from cascade.fulfilment.installed import (
    busy_products,
    dependent_products,
    installed_products,
)
from cascade.fulfilment.inventory import record_product
from cascade.fulfilment.orders import (
    add_note,
    external_reference,
    move,
    notes_text,
    parties,
    reject,
    settle_order,
)
from cascade.fulfilment.product_changes import complete_change, relied_on
from cascade.fulfilment.runtime import DONE, StepContext, StepResult
from cascade.fulfilment.waiting import RELEASED, WAITING, defer_start, settle_manual_steps
from cascade.repositories import Repositories

ENDED_BADLY = ("failed", "rejected", "cancelled", "partial")
PRODUCT_REF = {"@referredType": "Product"}


class ProductOrderController(OrderController):
    kind = kinds.PRODUCT_ORDER
    machine = PRODUCT_ORDER

    def __init__(
        self, repositories: Repositories, catalog_cache: CatalogCache | None = None
    ) -> None:
        super().__init__(repositories, catalog_cache)
        self.service_orders = repositories[kinds.SERVICE_ORDER]
        self.inventory = repositories[kinds.PRODUCT]

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        opened = self.open(connection, entity_id)
        if opened is None:
            return DONE
        loaded, catalog = opened
        order = loaded.document
        state = str(order.get("state"))
        items = order.get("productOrderItem") or []
        changed = False
        if state == "acknowledged":
            installed = installed_products(connection, self.repositories, items)
            busy = busy_products(connection, self.orders, order)
            dependents = dependent_products(connection, self.inventory, items)
            try:
                plan_order(order, catalog, installed, busy, dependents)
            except Rejected as rejected:
                reject(order, items, PRODUCT_ORDER, PRODUCT_ORDER_ITEM)
                for reason in rejected.reasons:
                    add_note(order, reason)
                self.orders.save(connection, loaded)
                return DONE
            if (start := defer_start(order, context.now_ms)) is not None:  # waiting.py
                self.orders.save(connection, loaded)
                return StepResult(start)
            move(order, PRODUCT_ORDER, "inProgress")
            changed = True
        if (waits := settle_manual_steps(order, items, catalog)) == WAITING:
            self.orders.save(connection, loaded)
            return DONE
        changed |= waits == RELEASED
        by_id = {str(item.get("id")): item for item in items}
        progress = True
        while progress:  # a completed item may release the items that rely on it
            progress = False
            for item in items:
                progress |= self._advance_item(connection, order, item, by_id, catalog)
            changed |= progress
        changed |= settle_order(order, PRODUCT_ORDER, items)
        if changed:
            self.orders.save(connection, loaded)
        return DONE

    def _advance_item(
        self,
        connection: Connection,
        order: dict[str, Any],
        item: dict[str, Any],
        by_id: Mapping[str, dict[str, Any]],
        catalog: StoredCatalog,
    ) -> bool:
        if item.get("state") in ("held", "pending"):  # an operator holds this item
            return False
        if PRODUCT_ORDER_ITEM.is_terminal(str(item.get("state"))):
            return False
        after = (*item_dependencies(item), *self._cease_after(connection, item, by_id))
        needs = [by_id[i] for i in after if i in by_id]
        failed = [n for n in needs if n.get("state") in ENDED_BADLY]
        if failed:
            return _fail_item(
                order, item, f"relies on item {failed[0]['id']}, which ended {failed[0]['state']}"
            )
        if any(n.get("state") != "completed" for n in needs):
            return False
        installed = installed_products(connection, self.repositories, [item])
        try:
            plan = plan_item(item, catalog, installed)
        except Rejected as rejected:  # the catalog or inventory changed since acceptance
            return _fail_item(order, item, "; ".join(rejected.reasons))
        if plan.action == "noChange":  # context for the other items: nothing to do
            product = item.setdefault("product", {})
            product.update(href=self.inventory.href_of(str(product["id"])), **PRODUCT_REF)
            move(item, PRODUCT_ORDER_ITEM, "inProgress")
            return move(item, PRODUCT_ORDER_ITEM, "completed")
        service_order_id = child_id(order["id"], str(item["id"]))
        service_order = self.service_orders.peek(connection, service_order_id)
        if service_order is None:
            body = _service_order(order, item, plan)
            self.service_orders.insert(connection, body, id_=service_order_id)
            return move(item, PRODUCT_ORDER_ITEM, "inProgress")
        state = str(service_order.get("state"))
        if state in ENDED_BADLY:
            reason = f"service order {service_order_id} {state}: {notes_text(service_order)}"
            return _fail_item(order, item, reason)
        if state != "completed":
            return move(item, PRODUCT_ORDER_ITEM, "inProgress")
        if plan.action != "add":
            complete_change(connection, self.inventory, order, item, plan, service_order)
            return move(item, PRODUCT_ORDER_ITEM, "completed")
        self._complete_item(connection, order, item, plan, service_order, relied_on(needs))
        return True

    def _cease_after(
        self, connection: Connection, item: Mapping[str, Any], by_id: Mapping[str, Any]
    ) -> tuple[str, ...]:
        """A cease waits for the ceases, in this order, of the products relying on its own."""
        if item.get("action") != "delete":
            return ()
        ceases = [other for other in by_id.values() if other.get("action") == "delete"]
        return cease_after(item, ceases, installed_products(connection, self.repositories, ceases))

    def _complete_item(
        self,
        connection: Connection,
        order: dict[str, Any],
        item: dict[str, Any],
        plan: ProductItemPlan,
        service_order: Mapping[str, Any],
        relies_on: list[dict[str, Any]],
    ) -> None:
        values = dict(plan.characteristics)
        realizing = []
        for service_item in service_order.get("serviceOrderItem") or ():
            service = service_item.get("service") or {}
            if service.get("category") != CFS:
                continue
            realizing.append(
                {"id": service["id"], "href": service["href"], "@referredType": "Service"}
            )
            for name, value in as_values(service.get("serviceCharacteristic")).items():
                values.setdefault(name, value)
        product_id = child_id(order["id"], str(item["id"]), "product")
        record = record_product(
            connection,
            self.inventory,
            product_id,
            offering=plan.offering,
            specification=plan.specification,
            values={k: v for k, v in values.items() if k in plan.declared},
            realizing_services=realizing,
            order_item={
                "orderItemId": str(item["id"]),
                "productOrderId": order["id"],
                "productOrderHref": order["href"],
                "orderItemAction": item.get("action"),
                "@referredType": "ProductOrderItem",
            },
            related_party=parties(order),
            relationships=relies_on,
        )
        product = item.setdefault("product", {})
        product.update({"id": record["id"], "href": record["href"], "@referredType": "Product"})
        product["productCharacteristic"] = record.get("productCharacteristic", [])
        move(item, PRODUCT_ORDER_ITEM, "completed")


def _service_order(
    order: Mapping[str, Any], item: Mapping[str, Any], plan: ProductItemPlan
) -> dict[str, Any]:
    service_items = []
    for service in plan.services:
        service_item: dict[str, Any] = {
            "id": service.id,
            "action": service.action,
            "service": {
                **(service.existing or {}),
                "name": str(service.specification.get("name", "service")),
                "category": service.category,
                "serviceSpecification": service.specification,
                "serviceCharacteristic": as_characteristics(service.characteristics),
            },
        }
        if service.relies_on:
            service_item["serviceOrderItemRelationship"] = [
                {"relationshipType": "reliesOn", "orderItem": {"id": other, "itemId": other}}
                for other in service.relies_on
            ]
        service_items.append(service_item)
    body: dict[str, Any] = {
        "description": f"Services for product order {order['id']} item {item['id']}",
        "externalReference": external_reference(order, str(item["id"]), "ProductOrder"),
        "serviceOrderItem": service_items,
    }
    if order.get("relatedParty"):
        body["relatedParty"] = parties(order)
    for key in ("priority", "requestedStartDate", "requestedCompletionDate"):
        if order.get(key):
            body[key] = order[key]
    return body


def _fail_item(order: dict[str, Any], item: dict[str, Any], reason: str) -> bool:
    if item.get("state") == "acknowledged":
        move(item, PRODUCT_ORDER_ITEM, "inProgress")
    move(item, PRODUCT_ORDER_ITEM, "failed")
    add_note(order, f"item {item['id']}: {reason}")
    return True
