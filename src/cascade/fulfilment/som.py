"""SOM: the TMF641 service order controller.

Each item waits for the items it relies on (`serviceOrderItemRelationship`). A resource-facing
service whose specification needs resources gets a TMF652 resource order first; then it is
activated through TMF640. A customer-facing service is complete when the services it relies on
are. Completed services are recorded in TMF638; the order's state rolls up from its items, with
milestones and error messages as they happen, and the product order that asked is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.characteristics import as_characteristics, as_values, resolve, rules_of
from cascade.domain.decomposition import CFS, DEPENDS_ON, RFS
from cascade.domain.states import SERVICE_ORDER, SERVICE_ORDER_ITEM
from cascade.fulfilment.activations import ActivationOutcome, Activator
from cascade.fulfilment.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.controller import OrderController
from cascade.fulfilment.ids import child_id
from cascade.fulfilment.inventory import record_service
from cascade.fulfilment.layers import SERVICE as SERVICE_LAYER
from cascade.fulfilment.no_return import MILESTONE, PointOfNoReturn
from cascade.fulfilment.orders import (
    add_note,
    external_ids,
    move,
    notes_text,
    parent_of,
    parties,
    reject,
    settle_order,
)
from cascade.fulfilment.runtime import DONE, StepContext, StepResult
from cascade.fulfilment.service_changes import Change, ServiceChanges, change_problems
from cascade.fulfilment.waiting import (
    RELEASED,
    SERVICE_ORDERS,
    WAITING,
    defer_start,
    settle_manual_steps,
)
from cascade.repositories import Repositories
from cascade.storage import work
from cascade.tmf.instants import now_instant

ENDED_BADLY = ("failed", "rejected", "cancelled", "partial")


class ServiceOrderController(OrderController):
    kind = kinds.SERVICE_ORDER
    machine = SERVICE_ORDER

    def __init__(
        self,
        repositories: Repositories,
        activator: Activator,
        catalog_cache: CatalogCache | None = None,
        no_return: PointOfNoReturn | None = None,
    ) -> None:
        super().__init__(repositories, catalog_cache)
        self.no_return = no_return
        self.resource_orders = repositories[kinds.RESOURCE_ORDER]
        self.inventory = repositories[kinds.SERVICE]
        self.resources = repositories[kinds.RESOURCE]
        self.activator = activator
        self.changes = ServiceChanges(repositories, activator)

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        opened = self.open(connection, entity_id)
        if opened is None:
            return DONE
        loaded, catalog = opened
        order = loaded.document
        state = str(order.get("state"))
        items = order.get("serviceOrderItem") or []
        changed = False
        if state == "acknowledged":
            problems = _problems(items, catalog) + change_problems(
                connection, self.inventory, items, self.activator.driver
            )
            if problems:
                reject(order, items, SERVICE_ORDER, SERVICE_ORDER_ITEM)
                for problem in problems:
                    _error(order, None, "invalidServiceOrder", problem)
                _tell_parent(connection, order)
                self.orders.save(connection, loaded)
                return DONE
            if (start := defer_start(order, context.now_ms)) is not None:  # waiting.py
                self.orders.save(connection, loaded)
                return StepResult(start)
            move(order, SERVICE_ORDER, "inProgress")
            order["startDate"] = now_instant()
            changed = True
        if (waits := settle_manual_steps(order, items, catalog, SERVICE_ORDERS)) == WAITING:
            self.orders.save(connection, loaded)
            return DONE
        changed |= waits == RELEASED
        by_id = {str(item.get("id")): item for item in items}
        again: int | None = None
        progress = True
        while progress:  # an item may unblock the items that rely on it, in the same step
            progress = False
            for item in items:
                item_changed, due = self._advance_item(
                    connection, order, item, by_id, catalog, context
                )
                progress |= item_changed
                if due is not None:
                    again = due if again is None else min(again, due)
            changed |= progress
        changed |= self._mark_no_return(connection, order)
        if settle_order(order, SERVICE_ORDER, items):
            changed = True
            _tell_parent(connection, order)
        if changed:
            self.orders.save(connection, loaded)
        return StepResult(again)

    def _mark_no_return(self, connection: Connection, order: dict[str, Any]) -> bool:
        """A `pointOfNoReturn` milestone once the order passed one its catalog marks: the
        product order above sees it, wherever this order's resources live."""
        if self.no_return is None or _milestone_named(order, MILESTONE) is not None:
            return False
        if not self.no_return.marked(connection, order):
            return False
        reason = self.no_return.passed(SERVICE_LAYER, connection, order)
        if reason is None:
            return False
        order.setdefault("milestone", []).append(
            {
                "id": MILESTONE,
                "name": MILESTONE,
                "status": "passed",
                "message": reason,
                "milestoneDate": now_instant(),
            }
        )
        return True

    def _advance_item(
        self,
        connection: Connection,
        order: dict[str, Any],
        item: dict[str, Any],
        by_id: Mapping[str, dict[str, Any]],
        catalog: StoredCatalog,
        context: StepContext,
    ) -> tuple[bool, int | None]:
        state = str(item.get("state"))
        if state in ("held", "pending") or SERVICE_ORDER_ITEM.is_terminal(state):
            return False, None  # held by an operator, or ended
        item_id = str(item["id"])
        needs = [by_id[i] for i in _relies_on(item) if i in by_id]
        failed = [n for n in needs if n.get("state") in ENDED_BADLY]
        if failed:
            reason = f"relies on item {failed[0]['id']}, which ended {failed[0]['state']}"
            return _fail_item(order, item, reason), None
        if any(n.get("state") != "completed" for n in needs):
            return False, None
        if item.get("action") != "add":
            change = self.changes.advance(connection, order, item, needs, context.now_ms)
            return _settle_change(order, item, change)
        changed = move(item, SERVICE_ORDER_ITEM, "inProgress")
        service = item.setdefault("service", {})
        spec_ref = service.get("serviceSpecification") or {}
        specification = catalog.service_specification(str(spec_ref.get("id")))
        assert specification is not None  # checked when the order was accepted
        values = as_values(service.get("serviceCharacteristic"))
        service_id = child_id(order["id"], item_id, "service")
        supporting_resources: list[dict[str, Any]] = []
        if specification.get("resourceSpecification"):
            resource_order = self._resource_order(connection, order, item, specification)
            state = str(resource_order.get("state"))
            if state not in ("completed", *ENDED_BADLY):
                return changed, None
            if state != "completed":
                reason = (
                    f"resource order {resource_order['id']} {state}: {notes_text(resource_order)}"
                )
                return _fail_item(order, item, reason), None
            for resource_item in resource_order.get("orderItem") or ():
                resource = resource_item.get("resource") or {}
                supporting_resources.append(
                    {"id": resource["id"], "href": resource["href"], "@referredType": "Resource"}
                )
                _flow_up(values, as_values(resource.get("resourceCharacteristic")), specification)
        supporting_services: list[dict[str, Any]] = []
        for need in needs:
            need_service = need.get("service") or {}
            supporting_services.append(
                {"id": need_service["id"], "href": need_service["href"], "@referredType": "Service"}
            )
            _flow_up(values, as_values(need_service.get("serviceCharacteristic")), specification)
        category = CFS if specification.get("serviceSpecRelationship") else RFS
        order_item = {
            "id": item_id,
            "itemId": item_id,
            "serviceOrderId": order["id"],
            "serviceOrderHref": order["href"],
            "itemAction": item.get("action"),
        }
        if category == RFS:
            outcome = self._activate(
                connection,
                order,
                service_id,
                spec_ref,
                values,
                order_item,
                supporting_resources,
                context,
            )
            if outcome.state == "pending":
                return changed, outcome.again_at_ms
            if outcome.state == "failed":
                return _fail_item(order, item, outcome.reason or "activation failed"), None
        record = record_service(
            connection,
            self.inventory,
            service_id,
            specification=spec_ref,
            category=category,
            values=values,
            supporting_resources=supporting_resources,
            supporting_services=supporting_services,
            order_item=order_item,
            related_party=parties(order),
        )
        item["service"] = {
            **service,
            "id": record["id"],
            "href": record["href"],
            "category": category,
            "state": "active",
            "serviceCharacteristic": as_characteristics(values),
        }
        move(item, SERVICE_ORDER_ITEM, "completed")
        _milestone(order, item, "serviceOrderItemCompleted", "completed")
        return True, None

    def _activate(
        self,
        connection: Connection,
        order: Mapping[str, Any],
        service_id: str,
        spec_ref: Mapping[str, Any],
        values: Mapping[str, Any],
        order_item: Mapping[str, Any],
        supporting_resources: list[dict[str, Any]],
        context: StepContext,
    ) -> ActivationOutcome:
        """Activate a resource-facing service through TMF640 (idempotent per item)."""
        body: dict[str, Any] = {
            "name": str(spec_ref.get("name", "service")),
            "category": RFS,
            "serviceSpecification": dict(spec_ref),
            "serviceCharacteristic": as_characteristics(values),
            "serviceOrderItem": [dict(order_item)],
        }
        if supporting_resources:
            body["supportingResource"] = supporting_resources
        if order.get("relatedParty"):
            body["relatedParty"] = parties(order)
        return self.activator.advance(
            connection, service_id, body, str(spec_ref.get("id")), values, context.now_ms
        )

    def _resource_order(
        self,
        connection: Connection,
        order: Mapping[str, Any],
        item: Mapping[str, Any],
        specification: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The resource order this item asked for, placed now if it has not been yet."""
        resource_order_id = child_id(order["id"], str(item["id"]))
        existing = self.resource_orders.peek(connection, resource_order_id)
        if existing is not None:
            return existing
        resource_items = []
        for position, ref in enumerate(specification.get("resourceSpecification") or (), 1):
            resource_id = child_id(resource_order_id, str(position))
            resource: dict[str, Any] = {
                "id": resource_id,
                "href": self.resources.href_of(resource_id),
                "resourceSpecification": dict(ref),
                "@referredType": "Resource",
            }
            resource_items.append({"id": str(position), "action": "add", "resource": resource})
        body: dict[str, Any] = {
            "description": f"Resources for service order {order['id']} item {item['id']}",
            "externalReference": external_ids(order, str(item["id"]), "ServiceOrder"),
            "orderItem": resource_items,
        }
        if order.get("relatedParty"):
            body["relatedParty"] = parties(order)
        self.resource_orders.insert(connection, body, id_=resource_order_id)
        placed = self.resource_orders.peek(connection, resource_order_id)
        assert placed is not None
        return placed


def _relies_on(item: Mapping[str, Any]) -> list[str]:
    return [
        str(
            (relation.get("orderItem") or {}).get("itemId")
            or (relation.get("orderItem") or {}).get("id")
        )
        for relation in item.get("serviceOrderItemRelationship") or ()
        if relation.get("relationshipType") in DEPENDS_ON
    ]


def _flow_up(
    values: dict[str, Any], found: Mapping[str, Any], specification: Mapping[str, Any]
) -> None:
    """Values set below (an allocated address, say) fill the service's own characteristics."""
    for name in (str(c.get("name")) for c in specification.get("specCharacteristic") or ()):
        if name not in values and name in found:
            values[name] = found[name]


def _problems(items: list[dict[str, Any]], catalog: StoredCatalog) -> list[str]:
    problems: list[str] = []
    ids = {str(item.get("id")) for item in items}
    for item in items:
        label = f"item {item.get('id')}"
        for needed in _relies_on(item):
            if needed not in ids:
                problems.append(f"{label} relies on unknown item {needed}")
        service = item.get("service") or {}
        spec_id = (service.get("serviceSpecification") or {}).get("id")
        specification = catalog.service_specification(str(spec_id)) if spec_id else None
        if specification is None:
            problems.append(f"{label}: serviceSpecification '{spec_id}' is not in the catalog")
            continue
        given = as_values(service.get("serviceCharacteristic"))
        rules = rules_of(specification.get("specCharacteristic"))
        if item.get("action") != "add":  # a change carries only what changes
            rules = {name: rule for name, rule in rules.items() if name in given}
        _, found = resolve(given, rules, label)
        problems.extend(found)
    if not items:
        problems.append("the order has no serviceOrderItem")
    return problems


def _settle_change(
    order: dict[str, Any], item: dict[str, Any], change: Change
) -> tuple[bool, int | None]:
    """Record the outcome of a change item's step (see service_changes.py)."""
    changed = move(item, SERVICE_ORDER_ITEM, "inProgress")
    if change.state == "pending":
        return changed, change.due
    if change.state == "failed":
        return _fail_item(order, item, change.reason or "the change failed"), None
    move(item, SERVICE_ORDER_ITEM, "completed")
    _milestone(order, item, "serviceOrderItemCompleted", "completed")
    return True, None


def _fail_item(order: dict[str, Any], item: dict[str, Any], reason: str) -> bool:
    if item.get("state") == "acknowledged":
        move(item, SERVICE_ORDER_ITEM, "inProgress")
    move(item, SERVICE_ORDER_ITEM, "failed")
    _error(order, item, "serviceOrderItemFailed", reason)
    _milestone(order, item, "serviceOrderItemFailed", "failed")
    return True


def _item_ref(order: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(item["id"]),
        "itemId": str(item["id"]),
        "serviceOrderId": order["id"],
        "serviceOrderHref": order["href"],
    }


def _error(order: dict[str, Any], item: Mapping[str, Any] | None, code: str, message: str) -> None:
    entry: dict[str, Any] = {
        "code": code,
        "reason": message if item is None else f"item {item['id']}: {message}",
        "message": message,
        "status": "failed" if item is not None else "rejected",
        "timestamp": now_instant(),
    }
    if item is not None:
        entry["serviceOrderItem"] = [_item_ref(order, item)]
    order.setdefault("errorMessage", []).append(entry)
    add_note(order, entry["reason"])


def _milestone(order: dict[str, Any], item: Mapping[str, Any], name: str, status: str) -> None:
    order.setdefault("milestone", []).append(
        {
            "id": f"{item['id']}-{status}",
            "name": name,
            "status": status,
            "milestoneDate": now_instant(),
            "serviceOrderItem": [_item_ref(order, item)],
        }
    )


def _milestone_named(order: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((m for m in order.get("milestone") or () if m.get("name") == name), None)


def _tell_parent(connection: Connection, order: Mapping[str, Any]) -> None:
    parent = parent_of(order, "ProductOrder")
    if parent is not None:
        work.schedule(connection, kinds.PRODUCT_ORDER.name, parent[0])
