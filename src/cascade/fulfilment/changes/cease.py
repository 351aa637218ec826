"""Taking things off the network: deactivation, pool release, inventory terminated.

`cease_resource` is ROM's `delete` item: the resource is deactivated through the driver, its
allocation goes back to the pool, its TMF702 activation entity and TMF639 record end locked,
disabled and idle with an `endOperatingDate`. Every part is idempotent (deactivating or
releasing twice does nothing), and all of it happens in the step's one transaction.

The allocation's owner is the item of the resource order that made the resource; a delete
order names that order in its `externalReference` (`entityType: ResourceOrder`) and keeps
the item ids, so the owner is `{that order}/{item id}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.fulfilment.activation.port import (
    ActivationDriver,
    Capability,
    DriverStatus,
    cannot,
    unsupported,
)
from cascade.fulfilment.layers.documents import OWNER, external_ids, parties
from cascade.repositories import Repositories, Repository
from cascade.storage.allocations import release
from cascade.tmf.instants import now_instant

AUTHOR = "Cascade"
ORIGIN = "ResourceOrder"  # the externalReference entityType naming the order that made it
ENDED_RESOURCE = {
    "administrativeState": "locked",
    "operationalState": "disable",
    "usageState": "idle",
    "resourceStatus": "standby",
}


def unable(driver: ActivationDriver) -> str | None:
    """Why the driver cannot take anything off the network, or None when it can."""
    return cannot(driver, Capability.DEACTIVATE)


def deactivate(
    driver: ActivationDriver, connection: Connection, activation_id: str
) -> DriverStatus:
    """Remove an activation's configuration from the network (done, pending or failed)."""
    if Capability.DEACTIVATE in driver.capabilities:
        return driver.deactivate(connection, activation_id)
    return unsupported(driver, Capability.DEACTIVATE)


def origin_order(order: Mapping[str, Any]) -> str | None:
    """The resource order that made what this delete order removes."""
    for ref in order.get("externalReference") or ():
        if ref.get("entityType") == ORIGIN:
            return str(ref.get("id"))
    return None


def cease_resource(
    connection: Connection,
    repositories: Repositories,
    driver: ActivationDriver,
    order: Mapping[str, Any],
    item: Mapping[str, Any],
) -> DriverStatus:
    """Deactivate, release and terminate the item's resource (once the deactivation is done)."""
    resource_id = str((item.get("resource") or {}).get("id"))
    origin = origin_order(order)
    if origin is None:
        reason = "the order does not name the resource order that made the resource"
        return DriverStatus("failed", reason=reason, retriable=False)
    status = deactivate(driver, connection, resource_id)
    if status.state != "done":
        return status
    release(connection, f"{origin}/{item['id']}")
    text = f"ceased by resource order {order['id']} item {item['id']}"
    for kind in (kinds.RESOURCE_ACTIVATION, kinds.RESOURCE):
        end(repositories[kind], connection, resource_id, ENDED_RESOURCE, "endOperatingDate", text)
    return status


def end(
    entities: Repository,
    connection: Connection,
    entity_id: str,
    states: Mapping[str, Any],
    date_attribute: str,
    text: str,
) -> dict[str, Any] | None:
    """Put an entity in its ended states with the end date and a note (once)."""
    loaded = entities.load(connection, entity_id)
    if loaded is None:
        return None
    document = loaded.document
    if document.get(date_attribute) and all(document.get(k) == v for k, v in states.items()):
        return document
    document.update(states)
    document[date_attribute] = now_instant()
    note(document, text)
    entities.save(connection, loaded)
    return document


def note(document: dict[str, Any], text: str) -> None:
    document.setdefault("note", []).append({"author": AUTHOR, "date": now_instant(), "text": text})


def cease_order(
    order: Mapping[str, Any], item: Mapping[str, Any], origin: Mapping[str, Any]
) -> dict[str, Any]:
    """Delete items for the origin order's resources, the last allocated first."""
    items = [
        {
            "id": str(made["id"]),
            "action": "delete",
            "resource": {
                key: made["resource"][key]
                for key in ("id", "href", "resourceSpecification", "@referredType")
                if key in made["resource"]
            },
        }
        for made in reversed(origin.get("orderItem") or [])
    ]
    body: dict[str, Any] = {
        "description": f"Cease resources for service order {order['id']} item {item['id']}",
        "externalReference": [
            *external_ids(order, str(item["id"]), "ServiceOrder"),
            {"entityType": ORIGIN, "id": origin["id"], "owner": OWNER},
        ],
        "orderItem": items,
    }
    if order.get("relatedParty"):
        body["relatedParty"] = parties(order)
    return body
