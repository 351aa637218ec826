"""Undoing what an order did, layer by layer, each call idempotent and inside one transaction.

- A resource order: for its items in reverse order, the TMF702 activation is deactivated (on
  the network, waiting for a remote driver to confirm, and in the entity), the TMF639 record
  retired, the allocation released.
- A service order: for its items in reverse dependency order, the TMF640 activation is
  deactivated and the TMF638 record retired, then the item's resource order is undone.
- A product order: for its items in reverse dependency order (a bundle before its members),
  the TMF637 products are retired, then the item's service orders are undone.
- A `modify` item (either layer) gets back what it changed: the configuration, on the
  network and in the records, from before the order (revert.py, ADR 0032).

A child order still running is cancelled through its own layer's cancel task (a derived id,
so asking again finds it) and waited for; when a client's cancel of the child came first,
that one is waited for instead (claim.py). A child that has ended is undone in place, with a
note (or, when its layer is another component, as the child orders port says: a `delete`
order there, components/undo.py).
Each `undo_*` returns True once everything is undone, False while it waits on a child.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.compensation import CANCELLING, undo_order
from cascade.domain.decomposition import DEPENDS_ON, item_dependencies
from cascade.domain.states import CANCELLED, RUNNING
from cascade.fulfilment.activation.port import ActivationDriver, Capability
from cascade.fulfilment.cancellation.claim import claim_for_parent
from cascade.fulfilment.cancellation.revert import Reverts
from cascade.fulfilment.layers.children import ChildOrders
from cascade.fulfilment.layers.documents import add_note
from cascade.fulfilment.layers.ids import child_id, product_ids, service_order_ids
from cascade.fulfilment.layers.registry import PRODUCT, RESOURCE, SERVICE, Layer, internal_task_id
from cascade.repositories import Repositories
from cascade.storage.allocations import release
from cascade.tmf.declarations import Kind
from cascade.tmf.instants import now_instant

Retired = Callable[[], dict[str, Any]]


def _service_retired() -> dict[str, Any]:
    return {"state": "terminated", "isServiceEnabled": False, "endDate": now_instant()}


def _resource_retired() -> dict[str, Any]:
    return {
        "resourceStatus": "standby",
        "administrativeState": "locked",
        "operationalState": "disable",
        "usageState": "idle",
        "endOperatingDate": now_instant(),
    }


def _product_retired() -> dict[str, Any]:
    return {"status": "terminated", "terminationDate": now_instant()}


# Per kind: the attribute that says it is retired, and the states it is left alone in (already
# retired, or an activation that failed and so configured nothing).
_LEFT_ALONE = {
    "state": ("terminated", "inactive"),
    "resourceStatus": ("standby", "alarm"),
    "status": ("terminated",),
}


class Compensation:
    """Undo of orders over the TMF resources (`services`), deactivating through `driver`."""

    def __init__(
        self,
        repositories: Repositories,
        driver: ActivationDriver,
        children: Mapping[str, ChildOrders],
    ) -> None:
        self.repositories = repositories
        self.driver = driver if Capability.DEACTIVATE in driver.capabilities else None
        self.children = children  # by layer name: how each layer's orders are reached
        self.reverts = Reverts(repositories, driver)  # what modify items changed, put back

    def undo(self, layer: Layer, connection: Connection, order: dict[str, Any], why: str) -> bool:
        undo = {
            PRODUCT.order_kind: self.undo_product_order,
            SERVICE.order_kind: self.undo_service_order,
            RESOURCE.order_kind: self.undo_resource_order,
        }[layer.order_kind]
        return undo(connection, order, why)

    def undo_product_order(self, connection: Connection, order: dict[str, Any], why: str) -> bool:
        items = order.get("productOrderItem") or []
        for item in undo_order(items, _id, item_dependencies):
            # Every copy of the item (its quantity); a bundle item has no service order.
            for product_id in product_ids(order["id"], item):
                # TMF637 products carry no note: terminationDate and the order say why.
                self._retire(kinds.PRODUCT, connection, product_id, _product_retired, None)
            self.reverts.product_item(connection, item)
            for service_order_id in service_order_ids(order["id"], item):
                if not self.undo_child(SERVICE, connection, service_order_id, why, order):
                    return False
        return True

    def undo_service_order(self, connection: Connection, order: dict[str, Any], why: str) -> bool:
        items = order.get("serviceOrderItem") or []
        for item in undo_order(items, _id, _service_needs):
            item_id = str(item["id"])
            if not self.reverts.service_item(connection, order, item, why):
                return False
            service_id = child_id(order["id"], item_id, "service")
            retired = _service_retired
            if not self._deactivate(kinds.SERVICE_ACTIVATION, connection, service_id, retired, why):
                return False
            self._retire(kinds.SERVICE, connection, service_id, _service_retired, why)
            resource_order_id = child_id(order["id"], item_id)
            if not self.undo_child(RESOURCE, connection, resource_order_id, why, order):
                return False
        return True

    def undo_resource_order(self, connection: Connection, order: dict[str, Any], why: str) -> bool:
        for item in reversed(order.get("orderItem") or []):
            item_id = str(item.get("id"))
            resource = item.get("resource") or {}
            activation_id = str(resource.get("id") or child_id(order["id"], item_id))
            if not self._deactivate(
                kinds.RESOURCE_ACTIVATION, connection, activation_id, _resource_retired, why
            ):
                return False
            self._retire(kinds.RESOURCE, connection, activation_id, _resource_retired, why)
            release(connection, f"{order['id']}/{item_id}")
        return True

    def undo_child(
        self, layer: Layer, connection: Connection, order_id: str, why: str, parent: dict[str, Any]
    ) -> bool:
        """Cancel a running child through its cancel task, or undo an ended one in place (or
        through the next component, which may note on `parent`, the order being undone)."""
        children = self.children[layer.name]
        orders = children.orders
        child = orders.peek(connection, order_id)
        if child is None:
            return True
        state = str(child.get("state"))
        if state == CANCELLED:
            return True
        if state in CANCELLING:
            return False  # its cancellation runs and will wake us when it ends
        if state in RUNNING:
            _ask_cancel(children, connection, child, why)
            return False
        elsewhere = children.undo_ended(connection, child, why, parent)
        if elsewhere is not None:
            return elsewhere
        loaded = orders.load(connection, order_id)
        assert loaded is not None
        if not self.undo(layer, connection, loaded.document, why):
            return False
        if _noted(loaded.document, f"undone ({state} when undone): {why}"):
            orders.save(connection, loaded)
        return True

    def _deactivate(
        self, kind: Kind, connection: Connection, activation_id: str, retired: Retired, why: str
    ) -> bool:
        """Deactivate and retire the activation entity; False while the driver is at it."""
        entities = self.repositories[kind]
        if entities.peek(connection, activation_id) is None:
            return True
        note = f"deactivated: {why}"
        if self.driver is None:
            note = f"retired: {why}; the activation driver cannot deactivate, undo it by hand"
        else:
            status = self.driver.deactivate(connection, activation_id)
            if status.state == "pending":
                return False  # the driver's outcome wakes the cancellation
            if status.state == "failed":
                note = f"retired: {why}; deactivation failed ({status.reason}), undo it by hand"
        self._retire(kind, connection, activation_id, retired, note)
        return True

    def _retire(
        self, kind: Kind, connection: Connection, id_: str, retired: Retired, why: str | None
    ) -> None:
        records = self.repositories[kind]
        loaded = records.load(connection, id_)
        if loaded is None:
            return
        values = retired()
        attribute = next(key for key in values if key in _LEFT_ALONE)
        if loaded.document.get(attribute) in _LEFT_ALONE[attribute]:
            return
        loaded.document.update(values)
        if why is not None:
            _noted(loaded.document, why)
        records.save(connection, loaded)


def _id(item: Mapping[str, Any]) -> str:
    return str(item.get("id"))


def _service_needs(item: Mapping[str, Any]) -> Iterable[str]:
    for relation in item.get("serviceOrderItemRelationship") or ():
        if relation.get("relationshipType") in DEPENDS_ON:
            target = relation.get("orderItem") or {}
            yield str(target.get("itemId") or target.get("id"))


def _noted(document: dict[str, Any], text: str) -> bool:
    """Add a note unless it is there already; True when added."""
    before = len(document.get("note") or ())
    add_note(document, text)
    return len(document["note"]) > before


def _ask_cancel(
    children: ChildOrders, connection: Connection, child: Mapping[str, Any], why: str
) -> None:
    """The cancel task of a running child (asked once: its id derives from the child's)."""
    task_id = internal_task_id(str(child["id"]))
    if children.tasks.peek(connection, task_id) is not None:
        return
    if not claim_for_parent(connection, children.tasks, str(child["id"]), task_id):
        return  # a client's cancellation of the child runs: it ends the child either way
    layer = children.layer
    reference = {"id": child["id"], "href": child["href"], "@referredType": layer.referred_type}
    body = {layer.reference: reference, "cancellationReason": why}
    children.ask_cancel(connection, body, task_id)
