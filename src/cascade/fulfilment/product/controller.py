"""COM: the TMF622 product order controller.

An acknowledged order is checked against the catalogs as a whole (decomposition): if anything
is wrong it is rejected with a note per reason and nothing is created downstream. The products
it changes are claimed in the same transaction (changes/claims.py), so two orders changing one
product are never both accepted. Otherwise each item gets its own TMF641 service order once
the items it relies on have completed (independent items run in parallel), and completes when
that service order does, with its product recorded in TMF637. An `add` of quantity N gets N
service orders and N products; a bundle item waits for its members and, having no services
of its own, records its bundle product then (ADR 0021). A cease whose product is realised by
no live service (a bundle's) places no service order: it ends the product here, once the
order's cancellation claim is the cease's (ADR 0034).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cascade.apis import kinds
from cascade.domain.bundles import bundle_problems, members_of
from cascade.domain.change_order import cease_after, plan_order
from cascade.domain.changes import plan_item
from cascade.domain.characteristics import as_characteristics, as_values
from cascade.domain.decomposition import (
    CFS,
    Catalog,
    ProductItemPlan,
    Rejected,
    item_dependencies,
)
from cascade.domain.offering_rules import offering_problems
from cascade.domain.states import COMPLETED, IN_PROGRESS
from cascade.fulfilment.cancellation.ceasing import CEASE_WAIT_MS, Ceasing
from cascade.fulfilment.changes.claims import PRODUCT_CHANGES
from cascade.fulfilment.changes.installed import (
    busy_products,
    customer_products,
    dependent_products,
    installed_products,
)
from cascade.fulfilment.changes.product import complete_change, relied_on
from cascade.fulfilment.layers.catalog import CatalogCache
from cascade.fulfilment.layers.children import ChildOrders
from cascade.fulfilment.layers.documents import (
    add_note,
    external_reference,
    move,
    notes_text,
    parties,
)
from cascade.fulfilment.layers.ids import product_ids, service_order_ids
from cascade.fulfilment.layers.inventory import record_product
from cascade.fulfilment.layers.registry import PRODUCT
from cascade.fulfilment.layers.skeleton import OrderController, OrderStep
from cascade.fulfilment.product.bundle import bundled, member_products, relate_members
from cascade.fulfilment.product.progress import (
    COMPLETED as SERVICE_ORDERS_COMPLETED,
)
from cascade.fulfilment.product.progress import (
    PLACED,
    add_error_message,
    add_milestone,
)
from cascade.repositories import Repositories

PRODUCT_REF = {"@referredType": "Product"}


class ProductOrderController(OrderController):
    layer = PRODUCT

    def __init__(
        self,
        repositories: Repositories,
        catalog_cache: CatalogCache | None,
        service_orders: ChildOrders,
    ) -> None:
        super().__init__(repositories, catalog_cache)
        self.service_orders = service_orders
        self.inventory = repositories[kinds.PRODUCT]
        self.ceasing = Ceasing(repositories)

    def problems(self, step: OrderStep) -> list[str]:
        """The order planned as a whole against the catalogs and what is installed."""
        order, connection = step.order, step.connection
        items = self.items(order)
        installed = installed_products(connection, self.repositories, items)
        # The claims hold under concurrency; the query finds orders accepted before them.
        busy = {
            **busy_products(connection, self.orders, order),
            **PRODUCT_CHANGES.take(connection, self.orders, order),
        }
        dependents = dependent_products(connection, self.inventory, items)
        owned = customer_products(connection, self.inventory, order)
        named = {pid: str(product.offering.get("id")) for pid, product in installed.items()}
        catalog = step.catalog
        problems = [
            *bundle_problems(items, catalog.product_offering),
            *offering_problems(items, owned, named, catalog.product_offering),
        ]
        try:
            plan_order(order, catalog, installed, busy, dependents)
        except Rejected as rejected:
            problems = [*rejected.reasons, *problems]
        if problems:
            PRODUCT_CHANGES.give_back(connection, order)  # a refused order gives its claims back
        return problems

    def record_failure(self, order: dict[str, Any], item: Mapping[str, Any], reason: str) -> None:
        """The note every layer writes, and the v5 error message naming the item."""
        super().record_failure(order, item, reason)
        add_error_message(order, item, reason)

    def specification(self, item: Mapping[str, Any], catalog: Catalog) -> Mapping[str, Any] | None:
        offering = catalog.product_offering(str((item.get("productOffering") or {}).get("id")))
        spec_id = ((offering or {}).get("productSpecification") or {}).get("id")
        return catalog.product_specification(str(spec_id)) if spec_id else None

    def relies_on(
        self, step: OrderStep, item: Mapping[str, Any], by_id: Mapping[str, Any]
    ) -> Sequence[str]:
        """What the item's relationships name; a cease also waits for the ceases, in this
        order, of the products relying on its own."""
        if item.get("action") != "delete":
            return tuple(item_dependencies(item))
        ceases = [other for other in by_id.values() if other.get("action") == "delete"]
        installed = installed_products(step.connection, self.repositories, ceases)
        return (*item_dependencies(item), *cease_after(item, ceases, installed))

    def advance_item(
        self,
        step: OrderStep,
        item: dict[str, Any],
        needs: Sequence[dict[str, Any]],
        context: dict[str, Any],
    ) -> bool:
        order, connection = step.order, step.connection
        installed = installed_products(connection, self.repositories, [item])
        try:
            plan = plan_item(item, step.catalog, installed)
        except Rejected as rejected:  # the catalog or inventory changed since acceptance
            return self.fail_item(order, item, "; ".join(rejected.reasons))
        if plan.action == "noChange":  # context for the other items: nothing to do
            product = item.setdefault("product", {})
            product.update(href=self.inventory.href_of(str(product["id"])), **PRODUCT_REF)
            move(item, PRODUCT.item_machine, IN_PROGRESS)
            return move(item, PRODUCT.item_machine, COMPLETED)
        if plan.action == "delete" and not plan.services and not self._may_cease(step):
            return False  # a cancellation decides first (cancellation/ceasing.py)
        service_orders = self._service_orders(step, item, plan)
        if isinstance(service_orders, bool):  # placed, still running, or failed
            return service_orders
        if service_orders:
            add_milestone(order, item, SERVICE_ORDERS_COMPLETED)
        if plan.action != "add":
            done = service_orders[0] if service_orders else {}
            complete_change(connection, self.inventory, order, item, plan, done)
            return move(item, PRODUCT.item_machine, COMPLETED)
        self._complete_item(step, item, plan, service_orders, needs)
        return True

    def _may_cease(self, step: OrderStep) -> bool:
        """Whether a cease with no service order may end its product now: the order's
        cancellation claim is the cease's from then on (ADR 0034), so no cancel is accepted
        once the product is ended; False (a look again soon) while a cancellation runs."""
        if self.ceasing.start(step.connection, PRODUCT, step.order) is None:
            return True
        step.look_again_at(step.context.now_ms + CEASE_WAIT_MS)
        return False

    def _service_orders(
        self, step: OrderStep, item: dict[str, Any], plan: ProductItemPlan
    ) -> list[Mapping[str, Any]] | bool:
        """The item's TMF641 service orders (one per copy; none when the plan has no
        services, as a bundle's), once all completed; else whether the item changed."""
        order, connection = step.order, step.connection
        ids = service_order_ids(order["id"], item) if plan.services else []
        done: list[Mapping[str, Any]] = []
        placed = False
        for copy, service_order_id in enumerate(ids, start=1):
            service_order = self.service_orders.orders.peek(connection, service_order_id)
            if service_order is None:
                body = _service_order(order, item, plan, (copy, len(ids)))
                self.service_orders.place(connection, body, service_order_id)
                add_milestone(order, item, PLACED)
                placed = True
                continue
            state = str(service_order.get("state"))
            if state in PRODUCT.ended_badly:
                reason = f"service order {service_order_id} {state}: {notes_text(service_order)}"
                return self.fail_item(order, item, reason)
            if state == COMPLETED:
                done.append(service_order)
        started = move(item, PRODUCT.item_machine, IN_PROGRESS)
        return started or placed if len(done) < len(ids) else done

    def _complete_item(
        self,
        step: OrderStep,
        item: dict[str, Any],
        plan: ProductItemPlan,
        service_orders: Sequence[Mapping[str, Any]],
        needs: Sequence[dict[str, Any]],
    ) -> None:
        """Record the item's products in TMF637 (one per copy; a bundle's, related to its
        members') and name the first on the item."""
        order, connection = step.order, step.connection
        members = member_products(order["id"], item, needs) if plan.bundle else []
        member_items = set(members_of(item))
        relations = [
            *relied_on([need for need in needs if str(need.get("id")) not in member_items]),
            *bundled(self.inventory, members),
        ]
        ids = product_ids(order["id"], item)
        records = [
            self._record(step, item, plan, product_id, done, relations)
            for product_id, done in zip(ids, service_orders or [{}] * len(ids), strict=True)
        ]
        if plan.bundle:
            relate_members(connection, self.inventory, records[0]["id"], members)
        product = item.setdefault("product", {})
        product.update(
            {"id": records[0]["id"], "href": records[0]["href"], "@referredType": "Product"}
        )
        product["productCharacteristic"] = records[0].get("productCharacteristic", [])
        if len(records) > 1:
            made = ", ".join(str(record["id"]) for record in records)
            add_note(order, f"item {item['id']}: quantity {len(records)}: products {made}")
        move(item, PRODUCT.item_machine, COMPLETED)

    def _record(
        self,
        step: OrderStep,
        item: Mapping[str, Any],
        plan: ProductItemPlan,
        product_id: str,
        service_order: Mapping[str, Any],
        relations: Sequence[Mapping[str, Any]],
    ) -> dict[str, Any]:
        """One TMF637 product of the item, realised by the CFSs of its service order."""
        order = step.order
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
        return record_product(
            step.connection,
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
            relationships=relations,
            place=(item.get("product") or {}).get("place") or (),
            is_bundle=plan.bundle,
        )


def _service_order(
    order: Mapping[str, Any],
    item: Mapping[str, Any],
    plan: ProductItemPlan,
    copy: tuple[int, int] = (1, 1),
) -> dict[str, Any]:
    service_items = []
    place = (item.get("product") or {}).get("place")  # where it is delivered: every service
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
        if place and service.action == "add":
            service_item["service"]["place"] = place
        if service.relies_on:
            service_item["serviceOrderItemRelationship"] = [
                {"relationshipType": "reliesOn", "orderItem": {"id": other, "itemId": other}}
                for other in service.relies_on
            ]
        service_items.append(service_item)
    body: dict[str, Any] = {
        "description": f"Services for product order {order['id']} item {item['id']}"
        + (f" (product {copy[0]} of {copy[1]})" if copy[1] > 1 else ""),
        "externalReference": external_reference(order, str(item["id"]), "ProductOrder"),
        "serviceOrderItem": service_items,
    }
    if order.get("relatedParty"):
        body["relatedParty"] = parties(order)
    for key in ("priority", "requestedStartDate", "requestedCompletionDate"):
        if order.get(key):
            body[key] = order[key]
    return body
