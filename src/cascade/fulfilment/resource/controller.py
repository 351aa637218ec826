"""ROM: the TMF652 resource order controller.

For each order item, in order (an item that relies on another, by `orderItemRelationship`,
waits for it): allocate the resource's values from its pool (the values of the
items before it are the context, so a VLAN is taken on the OLT of the port allocated just
before), activate it through TMF702, and record it in TMF639. The order's state rolls up from
its items; when it ends, the service order that asked for it is told.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.apis.v4.ordering import RESOURCE_ITEMS
from cascade.domain.characteristics import as_characteristics, as_values
from cascade.domain.order_items import related
from cascade.domain.pools import MissingScope, pool_for
from cascade.domain.states import COMPLETED, IN_PROGRESS
from cascade.fulfilment.activation.activator import Activator
from cascade.fulfilment.cancellation.ceasing import CEASE_WAIT_MS, Ceasing
from cascade.fulfilment.changes.cease import ORIGIN, cease_resource, origin_order, unable
from cascade.fulfilment.changes.claims import RESOURCE_CHANGES
from cascade.fulfilment.layers.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.layers.documents import move, parties
from cascade.fulfilment.layers.ids import child_id
from cascade.fulfilment.layers.inventory import record_resource
from cascade.fulfilment.layers.registry import RESOURCE
from cascade.fulfilment.layers.skeleton import OrderController, OrderStep
from cascade.repositories import Repositories
from cascade.storage.allocations import PoolExhausted, allocate, allocation_of, release

VALUES_SO_FAR = "values"  # the item context: what the items before this one were given


class ResourceOrderController(OrderController):
    layer = RESOURCE
    repeats = False  # one pass, in order: each item's values are the next one's context
    records_start = True

    def __init__(
        self,
        repositories: Repositories,
        activator: Activator,
        catalog_cache: CatalogCache | None,
    ) -> None:
        super().__init__(repositories, catalog_cache)
        self.inventory = repositories[kinds.RESOURCE]
        self.activator = activator
        self.ceasing = Ceasing(repositories)

    def problems(self, step: OrderStep) -> list[str]:
        """The order's checks, then the resources it ceases claimed (changes/claims.py)."""
        problems = self._problems(step.connection, step.order, step.catalog)
        return RESOURCE_CHANGES.accept(step.connection, self.orders, step.order, problems)

    def relies_on(
        self, step: OrderStep, item: Mapping[str, Any], by_id: Mapping[str, Any]
    ) -> Sequence[str]:
        """The items its `orderItemRelationship` says it waits for (dependency types)."""
        found = (related(r, RESOURCE_ITEMS) for r in item.get("orderItemRelationship") or ())
        return [each.item_id for each in found if each.waits and each.item_id is not None]

    def after_items(self, step: OrderStep) -> bool:
        """One pass goes in order; an item that waited for one later in the order is looked
        at again at once when the pass changed something (what it waited for may be done)."""
        if step.changed and any(self.relies_on(step, item, {}) for item in self.items(step.order)):
            step.look_again_at(step.context.now_ms)
        return False

    def item_context(self) -> dict[str, Any]:
        return {VALUES_SO_FAR: {}}

    def passed_over(self, item: Mapping[str, Any], context: dict[str, Any]) -> None:
        given = as_values((item.get("resource") or {}).get("resourceCharacteristic"))
        context[VALUES_SO_FAR].update(given)

    def advance_item(
        self,
        step: OrderStep,
        item: dict[str, Any],
        needs: Sequence[dict[str, Any]],
        context: dict[str, Any],
    ) -> bool:
        if item.get("action") == "delete":
            return self._cease(step, item)
        resource = item.setdefault("resource", {})
        spec_ref = resource.get("resourceSpecification") or item.get("resourceSpecification") or {}
        specification = step.catalog.resource_specification(str(spec_ref.get("id")))
        assert specification is not None  # checked when the order was accepted
        changed = move(item, RESOURCE.item_machine, IN_PROGRESS)
        values = self._allocated(step, item, specification, context[VALUES_SO_FAR])
        if isinstance(values, str):
            return self.fail_item(step.order, item, values)
        context[VALUES_SO_FAR].update(values)
        order = step.order
        activation_id = str(resource.get("id") or child_id(order["id"], str(item["id"])))
        body = {
            "name": f"{specification.get('name', 'resource')} for resource order {order['id']}",
            "resourceSpecification": dict(spec_ref),
            "resourceCharacteristic": as_characteristics(values),
        }
        if order.get("relatedParty"):
            body["relatedParty"] = parties(order)
        if resource.get("place"):  # where the resource is: the driver is told
            body["place"] = resource["place"]
        outcome = self.activator.advance(
            step.connection,
            activation_id,
            body,
            str(spec_ref.get("id")),
            values,
            step.context.now_ms,
        )
        if outcome.state == "pending":
            step.look_again_at(outcome.again_at_ms)
            return changed
        if outcome.state == "failed":
            # Nothing was configured: the value goes back to the pool.
            release(step.connection, _owner(order, item))
            return self.fail_item(order, item, outcome.reason or "activation failed")
        self._complete(step, item, activation_id, spec_ref, values)
        return True

    def _cease(self, step: OrderStep, item: dict[str, Any]) -> bool:
        """A `delete` item: deactivated, released and ended (changes/cease.py), once no
        cancellation of the order's tree can be accepted (cancellation/ceasing.py)."""
        if self.ceasing.start(step.connection, RESOURCE, step.order) is not None:
            step.look_again_at(step.context.now_ms + CEASE_WAIT_MS)
            return False  # a cancellation of the tree runs: it decides first
        status = cease_resource(
            step.connection, self.repositories, self.activator.driver, step.order, item
        )
        if status.state == "failed":
            return self.fail_item(step.order, item, status.reason or "deactivation failed")
        changed = move(item, RESOURCE.item_machine, IN_PROGRESS)
        if status.state == "pending":  # the driver wakes this step when it is done
            step.look_again_at(status.ready_ms)
            return changed
        return move(item, RESOURCE.item_machine, COMPLETED) or changed

    def _allocated(
        self,
        step: OrderStep,
        item: Mapping[str, Any],
        specification: Mapping[str, Any],
        values_so_far: Mapping[str, Any],
    ) -> dict[str, Any] | str:
        """The item's values with what its pool gave it (allocated once); or why not."""
        given = as_values((item.get("resource") or {}).get("resourceCharacteristic"))
        values = dict(given)
        owner = _owner(step.order, item)
        held = allocation_of(step.connection, owner)
        definition = pool_for(specification)
        if held is not None:  # allocated by an earlier step: its context may have gone since
            values.update(held.values)
        elif definition is not None:
            try:
                context = {**values_so_far, **given}
                allocation = allocate(step.connection, definition, context, owner)
            except (PoolExhausted, MissingScope) as exc:
                return str(exc)
            values.update(allocation.values)
        return values

    def _complete(
        self,
        step: OrderStep,
        item: dict[str, Any],
        activation_id: str,
        spec_ref: Mapping[str, Any],
        values: Mapping[str, Any],
    ) -> None:
        """Record the resource in TMF639 and complete the item."""
        order = step.order
        record = record_resource(
            step.connection,
            self.inventory,
            activation_id,
            specification=spec_ref,
            values=values,
            related_party=parties(order),
            origin=f"resource order {order['id']} item {item['id']}",
            place=item["resource"].get("place"),
        )
        item["resource"] = {
            **item["resource"],
            "id": record["id"],
            "href": record["href"],
            "resourceCharacteristic": as_characteristics(values),
            "@referredType": "Resource",
        }
        move(item, RESOURCE.item_machine, COMPLETED)

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
                continue
            specification = catalog.resource_specification(str(ref["id"]))
            if specification is None:
                problems.append(
                    f"{label}: resourceSpecification '{ref['id']}' is not in the catalog"
                )
                continue
            problems.extend(_chosen_values(label, resource, specification))
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


def _chosen_values(
    label: str, resource: Mapping[str, Any], specification: Mapping[str, Any]
) -> list[str]:
    """Values an item gives for what its pool sets: the pool's would replace them."""
    try:
        pool = pool_for(specification)
    except ValueError:
        return []  # an unreadable pool declaration fails the step that allocates
    if pool is None:
        return []
    given = as_values(resource.get("resourceCharacteristic"))
    fixed = dict(pool.fixed)
    return [
        f"{label}: resourceCharacteristic '{name}' is allocated from the pool of "
        f"'{pool.specification_id}'; choosing a value is not supported"
        for name in [each.name for each in pool.allocated]
        if name in given
    ] + [
        f"{label}: resourceCharacteristic '{name}' of '{pool.specification_id}' is always "
        f"{fixed[name]!r}"
        for name in fixed
        if name in given and given[name] != fixed[name]
    ]


def _owner(order: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """Who holds an item's allocation: the item of the order that made the resource."""
    return f"{order['id']}/{item['id']}"
