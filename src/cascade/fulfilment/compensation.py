"""Undoing what an order did, layer by layer, each call idempotent and inside one transaction.

- A resource order: for its items in reverse order, the TMF702 activation is deactivated (on
  the network, waiting for a remote driver to confirm, and in the entity), the TMF639 record
  retired, the allocation released.
- A service order: for its items in reverse dependency order, the TMF640 activation is
  deactivated and the TMF638 record retired, then the item's resource order is undone.
- A product order: for its items in reverse dependency order, the TMF637 product is retired,
  then the item's service order is undone.

A child order still running is cancelled through its own layer's cancel task (a derived id,
so asking again finds it) and waited for; a child that has ended is undone in place, with a
note (or, when its layer is another component, by a `delete` order: components/undo.py).
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
from cascade.fulfilment.drivers import Deactivating
from cascade.fulfilment.ids import child_id
from cascade.fulfilment.layers import PRODUCT, RESOURCE, SERVICE, Layer, internal_task_id
from cascade.fulfilment.orders import add_note
from cascade.repositories import Repositories
from cascade.storage import work
from cascade.storage.allocations import release
from cascade.tmf.declarations import Kind
from cascade.tmf.instants import now_instant

Retired = Callable[[], dict[str, Any]]
# How an ended child of another component's layer is undone (components/undo.py).
UndoEnded = Callable[[Connection, Mapping[str, Any], str], bool]


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
        driver: object,
        remote: tuple[Layer, UndoEnded] | None = None,
    ) -> None:
        self.repositories = repositories
        self.driver = driver if isinstance(driver, Deactivating) else None
        self.remote = remote  # the layer that is another component, and how its undo is asked

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
            item_id = str(item["id"])
            product_id = child_id(order["id"], item_id, "product")
            # TMF637 products carry no note: terminationDate and the order say why.
            self._retire(kinds.PRODUCT, connection, product_id, _product_retired, None)
            if not self.undo_child(SERVICE, connection, child_id(order["id"], item_id), why):
                return False
        return True

    def undo_service_order(self, connection: Connection, order: dict[str, Any], why: str) -> bool:
        items = order.get("serviceOrderItem") or []
        for item in undo_order(items, _id, _service_needs):
            item_id = str(item["id"])
            service_id = child_id(order["id"], item_id, "service")
            retired = _service_retired
            if not self._deactivate(kinds.SERVICE_ACTIVATION, connection, service_id, retired, why):
                return False
            self._retire(kinds.SERVICE, connection, service_id, _service_retired, why)
            if not self.undo_child(RESOURCE, connection, child_id(order["id"], item_id), why):
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

    def undo_child(self, layer: Layer, connection: Connection, order_id: str, why: str) -> bool:
        """Cancel a running child through its cancel task, or undo an ended one in place."""
        orders = self.repositories[layer.order_kind]
        child = orders.peek(connection, order_id)
        if child is None:
            return True
        state = str(child.get("state"))
        if state == CANCELLED:
            return True
        if state in CANCELLING:
            return False  # its cancellation runs and will wake us when it ends
        if state in RUNNING:
            self._ask_cancel(layer, connection, child, why)
            return False
        if self.remote is not None and self.remote[0] is layer:
            return self.remote[1](connection, child, why)
        loaded = orders.load(connection, order_id)
        assert loaded is not None
        if not self.undo(layer, connection, loaded.document, why):
            return False
        if _noted(loaded.document, f"undone ({state} when undone): {why}"):
            orders.save(connection, loaded)
        return True

    def _ask_cancel(
        self, layer: Layer, connection: Connection, child: Mapping[str, Any], why: str
    ) -> None:
        tasks = self.repositories[layer.task_kind]
        task_id = internal_task_id(str(child["id"]))
        if tasks.peek(connection, task_id) is not None:
            return
        reference = {"id": child["id"], "href": child["href"], "@referredType": layer.referred_type}
        body = {layer.reference: reference, "cancellationReason": why}
        tasks.insert(connection, body, id_=task_id)
        work.schedule(connection, layer.task_kind.name, task_id)

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
