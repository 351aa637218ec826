"""SOM's change items: `modify`, `delete` and `noChange` of a service that exists.

The item's `service.id` names the TMF638 service (also the id of its TMF640 activation).

- `noChange`: done at once; the service's current values are the context for the others.
- `modify`: what the service (and its TMF640 entity) had is kept on the item first
  (`before.py`), for a cancellation to put back. Of an RFS: a re-configuration of the
  network (a driver request with its own key, so it is applied once) and a PATCH of the
  TMF640 service with the new characteristics; no new resources. Of a CFS: its values and
  supporting services are brought up to date.
- `delete` of an RFS: it is deactivated, then its resources are ceased by a TMF652 order of
  `delete` items (ROM deactivates and releases them): what depends on something goes first.
  A CFS is just ended (its RFS items wait for it).
  TMF640 and TMF638 end `terminated` with an `endDate`.
Every record gains the service order item that changed it in `serviceOrderItem`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.characteristics import as_characteristics, as_values
from cascade.domain.decomposition import RFS
from cascade.fulfilment.activation.activator import Activator
from cascade.fulfilment.activation.port import (
    ActivationDriver,
    Capability,
    DriverStatus,
    Reconfiguration,
    cannot,
)
from cascade.fulfilment.changes import before
from cascade.fulfilment.changes.cease import cease_order, deactivate, end, note
from cascade.fulfilment.layers.children import ChildOrders
from cascade.fulfilment.layers.documents import notes_text
from cascade.fulfilment.layers.ids import child_id
from cascade.repositories import Loaded, Repositories, Repository
from cascade.tmf.instants import now_instant

ENDED_SERVICE = {"state": "terminated", "isServiceEnabled": False}
ACTIONS = ("add", "modify", "delete", "noChange")
ENDED_ORDER = ("failed", "rejected", "cancelled", "partial")


@dataclass(frozen=True)
class Change:
    state: Literal["done", "pending", "failed"]
    reason: str | None = None
    due: int | None = None
    kept: bool = False  # the item kept what a modify overwrites just now (it must be saved)


class ServiceChanges:
    def __init__(
        self, repositories: Repositories, activator: Activator, resource_orders: ChildOrders
    ) -> None:
        self.inventory = repositories[kinds.SERVICE]
        self.resource_orders = resource_orders
        self.activator = activator

    def advance(
        self,
        connection: Connection,
        order: Mapping[str, Any],
        item: dict[str, Any],
        needs: Sequence[Mapping[str, Any]],
        now_ms: int,
    ) -> Change:
        service_id = str((item.get("service") or {}).get("id"))
        loaded = self.inventory.load(connection, service_id)
        if loaded is None:
            return Change("failed", f"service {service_id} is not in the service inventory")
        action = item.get("action")
        if action == "delete":
            change = self._delete(connection, order, item, loaded)
        elif action == "modify":
            # What it was, kept before anything changes (once): a cancellation puts it back.
            activation = self.activator.entities.peek(connection, service_id)
            kept = before.remember(item, loaded.document, before.SERVICE_ATTRIBUTES, activation)
            change = self._modify(connection, order, item, loaded, needs, now_ms)
            change = replace(change, kept=kept)
        else:
            change = Change("done")
        if change.state == "done":
            _show(item, loaded.document)
        return change

    def _delete(
        self,
        connection: Connection,
        order: Mapping[str, Any],
        item: Mapping[str, Any],
        loaded: Loaded,
    ) -> Change:
        record = loaded.document
        if record.get("state") == "terminated":
            return Change("done")
        if record.get("category") == RFS:
            # What depends on something goes first: the service, then the resources under it.
            status = deactivate(self.activator.driver, connection, str(record["id"]))
            if status.state == "failed":
                return Change("failed", status.reason)
            if status.state == "pending":
                return Change("pending", due=status.ready_ms)
            text = f"deactivated by service order {order['id']} item {item['id']}"
            entities = self.activator.entities
            end(entities, connection, str(record["id"]), ENDED_SERVICE, "endDate", text)
            if record.get("supportingResource"):
                ceased = self._cease_resources(connection, order, item, record)
                if ceased.state != "done":
                    return ceased
        record.update(ENDED_SERVICE)
        record["endDate"] = record.get("endDate") or now_instant()
        _remember(record, order, item)
        self.inventory.save(connection, loaded)
        return Change("done")

    def _cease_resources(
        self,
        connection: Connection,
        order: Mapping[str, Any],
        item: Mapping[str, Any],
        record: Mapping[str, Any],
    ) -> Change:
        """The TMF652 order that ceases the service's resources, placed if it is not yet."""
        resource_order_id = child_id(order["id"], str(item["id"]))
        placed = self.resource_orders.orders.peek(connection, resource_order_id)
        if placed is None:
            origin = self._origin(connection, record)
            if origin is None:
                return Change("failed", f"the resource order of service {record['id']} is gone")
            body = cease_order(order, item, origin)
            self.resource_orders.place(connection, body, resource_order_id)
            return Change("pending")
        state = str(placed.get("state"))
        if state in ENDED_ORDER:
            return Change(
                "failed", f"resource order {resource_order_id} {state}: {notes_text(placed)}"
            )
        return Change("done" if state == "completed" else "pending")

    def _origin(self, connection: Connection, record: Mapping[str, Any]) -> dict[str, Any] | None:
        """The resource order that made the service's resources (from the item that added it)."""
        for made_by in record.get("serviceOrderItem") or ():
            if made_by.get("itemAction") in (None, "add"):
                origin_id = child_id(str(made_by["serviceOrderId"]), str(made_by["itemId"]))
                return self.resource_orders.orders.peek(connection, origin_id)
        return None

    def _modify(
        self,
        connection: Connection,
        order: Mapping[str, Any],
        item: dict[str, Any],
        loaded: Loaded,
        needs: Sequence[Mapping[str, Any]],
        now_ms: int,
    ) -> Change:
        record = loaded.document
        values = {
            **as_values(record.get("serviceCharacteristic")),
            **as_values((item.get("service") or {}).get("serviceCharacteristic")),
        }
        if record.get("category") == RFS:
            configured = self._reconfigure(connection, order, item, record, values, now_ms)
            if configured.state != "done":
                return configured
        else:
            record["supportingService"] = [_reference(n.get("service") or {}) for n in needs]
        record["serviceCharacteristic"] = as_characteristics(values)
        _remember(record, order, item)
        self.inventory.save(connection, loaded)
        return Change("done")

    def _reconfigure(
        self,
        connection: Connection,
        order: Mapping[str, Any],
        item: Mapping[str, Any],
        record: Mapping[str, Any],
        values: Mapping[str, Any],
        now_ms: int,
    ) -> Change:
        """Re-configure the network (once per item), then PATCH the TMF640 service."""
        driver = self.activator.driver
        why = cannot(driver, Capability.RECONFIGURE)
        if why is not None:
            return Change("failed", why)
        spec_id = str((record.get("serviceSpecification") or {}).get("id"))
        key = modify_key(str(order["id"]), str(item["id"]))
        change = Reconfiguration(key, str(record["id"]), "service", spec_id, values)
        status = driver.reconfigure(connection, change)
        activation = self.activator.entities.load(connection, str(record["id"]))
        if status.state == "failed":
            return self._failed_attempt(connection, activation, key, status, now_ms)
        if status.state == "pending":
            return Change("pending", due=status.ready_ms)
        if activation is not None:
            activation.document["serviceCharacteristic"] = as_characteristics(values)
            note(
                activation.document,
                f"re-configured by service order {order['id']} item {item['id']}",
            )
            self.activator.entities.save(connection, activation)
        return Change("done")

    def _failed_attempt(
        self,
        connection: Connection,
        activation: Loaded | None,
        key: str,
        status: DriverStatus,
        now_ms: int,
    ) -> Change:
        """Retry a refused re-configuration with back-off, as activations are; a note each."""
        reason = status.reason or "the re-configuration failed"
        if activation is None:
            return Change("failed", reason)
        marker = f"re-configuration {key} failed: "
        notes = activation.document.get("note") or []
        attempts = 1 + sum(1 for n in notes if str(n.get("text", "")).startswith(marker))
        if not status.retriable or attempts >= self.activator.max_attempts:
            return Change(
                "failed", f"re-configuration failed after {attempts} attempt(s): {reason}"
            )
        note(activation.document, f"{marker}{reason} (attempt {attempts})")
        self.activator.entities.save(connection, activation)
        return Change("pending", reason, now_ms + self.activator.backoff_ms * 2 ** (attempts - 1))


def modify_key(order_id: str, item_id: str) -> str:
    """The key of the re-configuration a service order's modify item asks the driver for."""
    return child_id(order_id, item_id, "modify")


def _remember(record: dict[str, Any], order: Mapping[str, Any], item: Mapping[str, Any]) -> None:
    """Add the service order item that changed the record to its `serviceOrderItem`."""
    made_by = {
        "id": str(item["id"]),
        "itemId": str(item["id"]),
        "serviceOrderId": order["id"],
        "serviceOrderHref": order["href"],
        "itemAction": item.get("action"),
    }
    history = record.setdefault("serviceOrderItem", [])
    if made_by not in history:
        history.append(made_by)


def _show(item: dict[str, Any], record: Mapping[str, Any]) -> None:
    """The item's service as it now is (for the items and product relying on it)."""
    item["service"] = {
        **(item.get("service") or {}),
        "id": record["id"],
        "href": record["href"],
        "category": record.get("category"),
        "state": record.get("state"),
        "serviceCharacteristic": record.get("serviceCharacteristic") or [],
    }


def _reference(service: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": service["id"], "href": service["href"], "@referredType": "Service"}


def change_problems(
    connection: Connection,
    inventory: Repository,
    items: Sequence[Mapping[str, Any]],
    driver: ActivationDriver,
) -> list[str]:
    """Why the items' actions cannot be done: unknown action, no live service to change, or
    a driver that cannot re-configure or deactivate (refused up front: nothing is changed).
    """
    problems: list[str] = []
    needed = {"modify": Capability.RECONFIGURE, "delete": Capability.DEACTIVATE}
    actions = sorted({str(item.get("action")) for item in items} & needed.keys())
    why = cannot(driver, *(needed[action] for action in actions))
    if why is not None:
        problems.append(f"{why}: {' and '.join(actions)} items are refused")
    for item in items:
        label = f"item {item.get('id')}"
        action = item.get("action")
        if action not in ACTIONS:
            problems.append(f"{label}: action '{action}' is not one of {', '.join(ACTIONS)}")
            continue
        if action == "add":
            continue
        service_id = (item.get("service") or {}).get("id")
        record = inventory.peek(connection, str(service_id)) if service_id else None
        if service_id is None:
            problems.append(f"{label}: action '{action}' needs service.id")
        elif record is None:
            problems.append(f"{label}: service '{service_id}' is not in the service inventory")
        elif record.get("state") == "terminated":
            problems.append(f"{label}: service '{service_id}' is terminated")
    return problems
