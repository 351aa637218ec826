"""ROM: the TMF652 resource order controller.

For each order item, in order: allocate the resource's values from its pool (the values of the
items before it are the context, so a VLAN is taken on the OLT of the port allocated just
before), activate it through TMF702, and record it in TMF639. The order's state rolls up from
its items; when it ends, the service order that asked for it is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.characteristics import as_characteristics, as_values
from cascade.domain.pools import MissingScope, pool_for
from cascade.domain.states import RESOURCE_ORDER, RESOURCE_ORDER_ITEM
from cascade.fulfilment.activations import Activator
from cascade.fulfilment.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.cease import ORIGIN, cease_resource, origin_order, unable
from cascade.fulfilment.controller import OrderController
from cascade.fulfilment.ids import child_id
from cascade.fulfilment.inventory import record_resource
from cascade.fulfilment.orders import (
    add_note,
    move,
    parent_of,
    parties,
    reject,
    settle_order,
)
from cascade.fulfilment.runtime import DONE, StepContext, StepResult
from cascade.repositories import Repositories
from cascade.storage import work
from cascade.storage.allocations import PoolExhausted, allocate, allocation_of, release
from cascade.tmf.instants import now_instant


class ResourceOrderController(OrderController):
    kind = kinds.RESOURCE_ORDER
    machine = RESOURCE_ORDER

    def __init__(
        self,
        repositories: Repositories,
        activator: Activator,
        catalog_cache: CatalogCache | None = None,
    ) -> None:
        super().__init__(repositories, catalog_cache)
        self.inventory = repositories[kinds.RESOURCE]
        self.activator = activator

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        opened = self.open(connection, entity_id)
        if opened is None:
            return DONE
        loaded, catalog = opened
        order = loaded.document
        state = str(order.get("state"))
        changed = False
        if state == "acknowledged":
            problems = self._problems(connection, order, catalog)
            if problems:
                reject(order, order.get("orderItem") or [], RESOURCE_ORDER, RESOURCE_ORDER_ITEM)
                for problem in problems:
                    add_note(order, problem)
                self._finish(connection, loaded.document)
                self.orders.save(connection, loaded)
                return DONE
            move(order, RESOURCE_ORDER, "inProgress")
            order["startDate"] = now_instant()
            changed = True
        again: int | None = None
        values_so_far: dict[str, Any] = {}
        for item in order.get("orderItem") or ():
            result = self._advance_item(connection, order, item, catalog, values_so_far, context)
            changed |= result[0]
            if result[1] is not None:
                again = result[1] if again is None else min(again, result[1])
        if settle_order(order, RESOURCE_ORDER, order.get("orderItem") or ()):
            changed = True
            self._finish(connection, order)
        if changed:
            self.orders.save(connection, loaded)
        return StepResult(again)

    def _advance_item(
        self,
        connection: Connection,
        order: dict[str, Any],
        item: dict[str, Any],
        catalog: StoredCatalog,
        values_so_far: dict[str, Any],
        context: StepContext,
    ) -> tuple[bool, int | None]:
        resource = item.setdefault("resource", {})
        given = as_values(resource.get("resourceCharacteristic"))
        if item.get("state") in ("held", "pending"):  # an operator holds this item
            values_so_far.update(given)
            return False, None
        if RESOURCE_ORDER_ITEM.is_terminal(str(item.get("state"))):
            values_so_far.update(given)
            return False, None
        if item.get("action") == "delete":
            status = cease_resource(
                connection, self.repositories, self.activator.driver, order, item
            )
            if status.state == "failed":
                return self._fail_item(order, item, status.reason or "deactivation failed"), None
            changed = move(item, RESOURCE_ORDER_ITEM, "inProgress")
            if status.state == "pending":  # the driver wakes this step when it is done
                return changed, status.ready_ms
            return move(item, RESOURCE_ORDER_ITEM, "completed") or changed, None
        spec_ref = resource.get("resourceSpecification") or item.get("resourceSpecification") or {}
        specification = catalog.resource_specification(str(spec_ref.get("id")))
        assert specification is not None  # checked when the order was accepted
        changed = move(item, RESOURCE_ORDER_ITEM, "inProgress")
        owner = f"{order['id']}/{item['id']}"
        values = dict(given)
        definition = pool_for(specification)
        held = allocation_of(connection, owner)
        if held is not None:  # allocated by an earlier step: its context may have gone since
            values.update(held.values)
        elif definition is not None:
            try:
                allocation = allocate(connection, definition, {**values_so_far, **given}, owner)
            except (PoolExhausted, MissingScope) as exc:
                return self._fail_item(order, item, str(exc)), None
            values.update(allocation.values)
        values_so_far.update(values)
        activation_id = str(resource.get("id") or child_id(order["id"], str(item["id"])))
        body = {
            "name": f"{specification.get('name', 'resource')} for resource order {order['id']}",
            "resourceSpecification": dict(spec_ref),
            "resourceCharacteristic": as_characteristics(values),
        }
        if order.get("relatedParty"):
            body["relatedParty"] = parties(order)
        outcome = self.activator.advance(
            connection, activation_id, body, str(spec_ref.get("id")), values, context.now_ms
        )
        if outcome.state == "pending":
            return changed, outcome.again_at_ms
        if outcome.state == "failed":
            release(connection, owner)  # nothing was configured: the value goes back to the pool
            return self._fail_item(order, item, outcome.reason or "activation failed"), None
        record = record_resource(
            connection,
            self.inventory,
            activation_id,
            specification=spec_ref,
            values=values,
            related_party=parties(order),
            origin=f"resource order {order['id']} item {item['id']}",
        )
        item["resource"] = {
            **resource,
            "id": record["id"],
            "href": record["href"],
            "resourceCharacteristic": as_characteristics(values),
            "@referredType": "Resource",
        }
        move(item, RESOURCE_ORDER_ITEM, "completed")
        return True, None

    @staticmethod
    def _fail_item(order: dict[str, Any], item: dict[str, Any], reason: str) -> bool:
        move(item, RESOURCE_ORDER_ITEM, "failed")
        add_note(order, f"item {item.get('id')}: {reason}")
        return True

    def _problems(
        self, connection: Connection, order: Mapping[str, Any], catalog: StoredCatalog
    ) -> list[str]:
        problems = []
        for item in order.get("orderItem") or ():
            label = f"item {item.get('id')}"
            if item.get("action") == "delete":
                problems.extend(self._delete_problems(connection, order, item, label))
                continue
            if item.get("action") != "add":
                problems.append(f"{label}: action '{item.get('action')}' is not supported yet")
            resource = item.get("resource") or {}
            ref = resource.get("resourceSpecification") or item.get("resourceSpecification")
            if not ref or not ref.get("id"):
                problems.append(f"{label} names no resourceSpecification")
            elif catalog.resource_specification(str(ref["id"])) is None:
                problems.append(
                    f"{label}: resourceSpecification '{ref['id']}' is not in the catalog"
                )
        return problems

    def _delete_problems(
        self, connection: Connection, order: Mapping[str, Any], item: Mapping[str, Any], label: str
    ) -> list[str]:
        """A delete item names a TMF639 resource, and the order the one that made it.

        Ceasing a resource that has ended already changes nothing, so it is not refused: a
        cease that failed half-way can be placed again.
        """
        resource_id = (item.get("resource") or {}).get("id")
        record = self.inventory.peek(connection, str(resource_id)) if resource_id else None
        if record is None:
            return [f"{label}: resource '{resource_id}' is not in the resource inventory"]
        if origin_order(order) is None:
            return [f"{label}: the order's externalReference names no {ORIGIN} that made it"]
        cannot = unable(self.activator.driver)
        return [f"{label}: {cannot}"] if cannot else []

    @staticmethod
    def _finish(connection: Connection, order: Mapping[str, Any]) -> None:
        parent = parent_of(order, "ServiceOrder")
        if parent is not None:
            work.schedule(connection, kinds.SERVICE_ORDER.name, parent[0])
