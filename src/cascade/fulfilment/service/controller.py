"""SOM: the TMF641 service order controller.

Each item waits for the items it relies on (`serviceOrderItemRelationship`). A resource-facing
service whose specification needs resources gets a TMF652 resource order first; then it is
activated through TMF640. A customer-facing service is complete when the services it relies on
are. Completed services are recorded in TMF638; the order's state rolls up from its items, with
milestones and error messages as they happen, and the product order that asked is told.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cascade.apis import kinds
from cascade.domain.characteristics import as_characteristics, as_values, resolve, rules_of
from cascade.domain.decomposition import CFS, DEPENDS_ON, RFS, Catalog
from cascade.domain.states import COMPLETED, IN_PROGRESS
from cascade.fulfilment.activation.activator import Activator
from cascade.fulfilment.cancellation.ceasing import CEASE_PASSED, CEASE_WAIT_MS, Ceasing
from cascade.fulfilment.cancellation.no_return import MILESTONE, PointOfNoReturn
from cascade.fulfilment.changes.claims import SERVICE_CHANGES
from cascade.fulfilment.changes.service import Change, ServiceChanges, change_problems
from cascade.fulfilment.layers.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.layers.children import ChildOrders
from cascade.fulfilment.layers.documents import external_ids, move, notes_text, parties
from cascade.fulfilment.layers.ids import child_id
from cascade.fulfilment.layers.inventory import record_service
from cascade.fulfilment.layers.registry import SERVICE
from cascade.fulfilment.layers.skeleton import OrderController, OrderStep
from cascade.fulfilment.service.records import (
    milestone_named,
    record_error,
    record_milestone,
    record_passed,
)
from cascade.repositories import Repositories

ITEM_COMPLETED = "serviceOrderItemCompleted"


class ServiceOrderController(OrderController):
    layer = SERVICE
    records_start = True

    def __init__(
        self,
        repositories: Repositories,
        activator: Activator,
        catalog_cache: CatalogCache | None,
        no_return: PointOfNoReturn | None,
        resource_orders: ChildOrders,
    ) -> None:
        super().__init__(repositories, catalog_cache)
        self.no_return = no_return
        self.resource_orders = resource_orders
        self.inventory = repositories[kinds.SERVICE]
        self.resources = repositories[kinds.RESOURCE]
        self.activator = activator
        self.changes = ServiceChanges(repositories, activator, resource_orders)
        self.ceasing = Ceasing(repositories)

    # --- the order as a whole ---------------------------------------------------------------

    def problems(self, step: OrderStep) -> list[str]:
        """The order's checks, then the services it changes claimed (changes/claims.py)."""
        items, connection = self.items(step.order), step.connection
        problems = _problems(items, step.catalog) + change_problems(
            connection, self.inventory, items, self.activator.driver
        )
        return SERVICE_CHANGES.accept(connection, self.orders, step.order, problems)

    def record_refusal(self, order: dict[str, Any], problems: Sequence[str]) -> None:
        for problem in problems:
            record_error(order, None, "invalidServiceOrder", problem)

    def record_failure(self, order: dict[str, Any], item: Mapping[str, Any], reason: str) -> None:
        record_error(order, item, "serviceOrderItemFailed", reason)
        record_milestone(order, item, "serviceOrderItemFailed", "failed")

    def specification(self, item: Mapping[str, Any], catalog: Catalog) -> Mapping[str, Any] | None:
        spec_id = ((item.get("service") or {}).get("serviceSpecification") or {}).get("id")
        return catalog.service_specification(str(spec_id)) if spec_id else None

    def relies_on(
        self, step: OrderStep, item: Mapping[str, Any], by_id: Mapping[str, Any]
    ) -> Sequence[str]:
        return _relies_on(item)

    def after_items(self, step: OrderStep) -> bool:
        """A `pointOfNoReturn` milestone once the order passed one its catalog marks: the
        product order above sees it, wherever this order's resources live."""
        order, connection = step.order, step.connection
        if self.no_return is None or milestone_named(order, MILESTONE) is not None:
            return False
        if not self.no_return.marked(connection, order):
            return False
        reason = self.no_return.passed(SERVICE, connection, order)
        if reason is None:
            return False
        record_passed(order, MILESTONE, reason)
        return True

    # --- one item ---------------------------------------------------------------------------

    def advance_item(
        self,
        step: OrderStep,
        item: dict[str, Any],
        needs: Sequence[dict[str, Any]],
        context: dict[str, Any],
    ) -> bool:
        if item.get("action") != "add":
            noted = self._may_cease(step) if item.get("action") == "delete" else False
            if noted is None:
                return False  # a cancellation decides first (cancellation/ceasing.py)
            now_ms = step.context.now_ms
            change = self.changes.advance(step.connection, step.order, item, needs, now_ms)
            # A before kept just now by an item already running, its change pending, may be
            # the step's only change: saved all the same (test_kept_while_pending.py).
            return self._settle_change(step, item, change) or change.kept or noted
        changed = move(item, SERVICE.item_machine, IN_PROGRESS)
        service = item.setdefault("service", {})
        spec_ref = service.get("serviceSpecification") or {}
        specification = step.catalog.service_specification(str(spec_ref.get("id")))
        assert specification is not None  # checked when the order was accepted
        values = as_values(service.get("serviceCharacteristic"))
        resources = self._resources(step, item, specification, values)
        if resources is None or isinstance(resources, str):
            return self.fail_item(step.order, item, resources) if resources else changed
        supporting = _supporting_services(needs, values, specification)
        category = CFS if specification.get("serviceSpecRelationship") else RFS
        if category == RFS:
            outcome = self._activate(step, item, spec_ref, values, resources)
            if outcome == "pending":
                return changed
            if outcome is not None:
                return self.fail_item(step.order, item, outcome)
        self._complete(step, item, category, values, resources, supporting)
        return True

    def _may_cease(self, step: OrderStep) -> bool | None:
        """None while a cancellation of the order's tree runs (it decides first); else the
        order's and its parents' cancellations are the cease's from now on (ADR 0034), and
        True when the `pointOfNoReturn` milestone that says so was recorded just now."""
        waiting = self.ceasing.start(step.connection, SERVICE, step.order)
        if waiting is not None:
            step.look_again_at(step.context.now_ms + CEASE_WAIT_MS)
            return None
        if milestone_named(step.order, MILESTONE) is not None:
            return False
        record_passed(step.order, MILESTONE, CEASE_PASSED)
        return True

    def _resources(
        self,
        step: OrderStep,
        item: Mapping[str, Any],
        specification: Mapping[str, Any],
        values: dict[str, Any],
    ) -> list[dict[str, Any]] | str | None:
        """The resources the item's service is supported by, once its resource order has
        completed (their values fill the service's); None while it runs; why it failed."""
        if not specification.get("resourceSpecification"):
            return []
        resource_order = self._resource_order(step, item, specification)
        state = str(resource_order.get("state"))
        if state not in (COMPLETED, *SERVICE.ended_badly):
            return None
        if state != COMPLETED:
            return f"resource order {resource_order['id']} {state}: {notes_text(resource_order)}"
        supporting: list[dict[str, Any]] = []
        for resource_item in resource_order.get("orderItem") or ():
            resource = resource_item.get("resource") or {}
            supporting.append(
                {"id": resource["id"], "href": resource["href"], "@referredType": "Resource"}
            )
            _flow_up(values, as_values(resource.get("resourceCharacteristic")), specification)
        return supporting

    def _activate(
        self,
        step: OrderStep,
        item: Mapping[str, Any],
        spec_ref: Mapping[str, Any],
        values: Mapping[str, Any],
        resources: list[dict[str, Any]],
    ) -> str | None:
        """Activate a resource-facing service through TMF640 (idempotent per item): None
        when it is active, "pending" while it is not yet (a step is asked for), else why."""
        order = step.order
        body: dict[str, Any] = {
            "name": str(spec_ref.get("name", "service")),
            "category": RFS,
            "serviceSpecification": dict(spec_ref),
            "serviceCharacteristic": as_characteristics(values),
            "serviceOrderItem": [_order_item(order, item)],
        }
        if resources:
            body["supportingResource"] = resources
        if order.get("relatedParty"):
            body["relatedParty"] = parties(order)
        place = (item.get("service") or {}).get("place")
        if place:  # where the service is delivered: the driver is told
            body["place"] = place
        service_id = child_id(order["id"], str(item["id"]), "service")
        outcome = self.activator.advance(
            step.connection, service_id, body, str(spec_ref.get("id")), values, step.context.now_ms
        )
        if outcome.state == "pending":
            step.look_again_at(outcome.again_at_ms)
            return "pending"
        if outcome.state == "failed":
            return outcome.reason or "activation failed"
        return None

    def _complete(
        self,
        step: OrderStep,
        item: dict[str, Any],
        category: str,
        values: Mapping[str, Any],
        resources: list[dict[str, Any]],
        supporting: list[dict[str, Any]],
    ) -> None:
        """Record the service in TMF638 and complete the item."""
        order, service = step.order, item["service"]
        spec_ref = service.get("serviceSpecification") or {}
        record = record_service(
            step.connection,
            self.inventory,
            child_id(order["id"], str(item["id"]), "service"),
            specification=spec_ref,
            category=category,
            values=values,
            supporting_resources=resources,
            supporting_services=supporting,
            order_item=_order_item(order, item),
            related_party=parties(order),
            place=service.get("place") or (),
        )
        item["service"] = {
            **service,
            "id": record["id"],
            "href": record["href"],
            "category": category,
            "state": "active",
            "serviceCharacteristic": as_characteristics(values),
        }
        move(item, SERVICE.item_machine, COMPLETED)
        record_milestone(order, item, ITEM_COMPLETED, "completed")

    def _resource_order(
        self, step: OrderStep, item: Mapping[str, Any], specification: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The resource order this item asked for, placed now if it has not been yet."""
        order, connection = step.order, step.connection
        resource_order_id = child_id(order["id"], str(item["id"]))
        existing = self.resource_orders.orders.peek(connection, resource_order_id)
        if existing is not None:
            return existing
        resource_items = []
        places: list[Any] = (item.get("service") or {}).get("place") or []
        for position, ref in enumerate(specification.get("resourceSpecification") or (), 1):
            resource_id = child_id(resource_order_id, str(position))
            resource: dict[str, Any] = {
                "id": resource_id,
                "href": self.resources.href_of(resource_id),
                "resourceSpecification": dict(ref),
                "@referredType": "Resource",
            }
            if len(places) == 1:  # a TMF652 resource has one place: the service's only one
                resource["place"] = places[0]
            resource_items.append({"id": str(position), "action": "add", "resource": resource})
        body: dict[str, Any] = {
            "description": f"Resources for service order {order['id']} item {item['id']}",
            "externalReference": external_ids(order, str(item["id"]), "ServiceOrder"),
            "orderItem": resource_items,
        }
        if order.get("relatedParty"):
            body["relatedParty"] = parties(order)
        self.resource_orders.place(connection, body, resource_order_id)
        placed = self.resource_orders.orders.peek(connection, resource_order_id)
        assert placed is not None
        return placed

    def _settle_change(self, step: OrderStep, item: dict[str, Any], change: Change) -> bool:
        """Record the outcome of a change item's step (see changes/service.py)."""
        changed = move(item, SERVICE.item_machine, IN_PROGRESS)
        if change.state == "pending":
            step.look_again_at(change.due)
            return changed
        if change.state == "failed":
            return self.fail_item(step.order, item, change.reason or "the change failed")
        move(item, SERVICE.item_machine, COMPLETED)
        record_milestone(step.order, item, ITEM_COMPLETED, "completed")
        return True


def _order_item(order: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """How a record names the service order item it was made for (TMF638, TMF640)."""
    item_id = str(item["id"])
    return {
        "id": item_id,
        "itemId": item_id,
        "serviceOrderId": order["id"],
        "serviceOrderHref": order["href"],
        "itemAction": item.get("action"),
    }


def _supporting_services(
    needs: Sequence[Mapping[str, Any]], values: dict[str, Any], specification: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The services of the items relied on (a CFS's RFS), their values flowing up."""
    supporting = []
    for need in needs:
        need_service = need.get("service") or {}
        supporting.append(
            {"id": need_service["id"], "href": need_service["href"], "@referredType": "Service"}
        )
        _flow_up(values, as_values(need_service.get("serviceCharacteristic")), specification)
    return supporting


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
