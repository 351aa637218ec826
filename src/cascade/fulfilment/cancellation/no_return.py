"""Whether an order has passed a point of no return that its catalog specifications mark.

A TMF633 service specification or TMF634 resource specification marks one with a
`pointOfNoReturn` characteristic of value `activation` (cascade.domain.compensation): once a
service or resource of that specification has been activated for the order (its TMF640/TMF702
entity is active/available), a cancel request for the order, or for any order above it, is
refused. Only reads, inside the cancel step's transaction. When the layer below is another
component its activations are not here: a completed item of the mirrored order stands for
them (an item completes once its activation is on), and SOM records a `pointOfNoReturn`
milestone on its service order as soon as it passes one, which COM reads from its mirror
(the resources below it live in ROM, out of COM's sight).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.compensation import marks_point_of_no_return
from cascade.fulfilment.layers.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.layers.ids import child_id, service_order_ids
from cascade.fulfilment.layers.registry import PRODUCT, SERVICE, Layer
from cascade.repositories import Repositories

MILESTONE = "pointOfNoReturn"  # a TMF641 milestone: SOM says its order passed one
REMOTE_MODIFY = (
    "re-configured {what} in the next component, and a cancellation cannot put a completed"
    " re-configuration back from here (ADR 0032); to undo it, order the old values"
)


class PointOfNoReturn:
    def __init__(
        self,
        repositories: Repositories,
        cache: CatalogCache | None = None,
        mirrored: Layer | None = None,
    ) -> None:
        self.repositories = repositories
        self.cache = cache
        self.mirrored = mirrored  # the layer below that runs in another component, if one

    def passed(self, layer: Layer, connection: Connection, order: Mapping[str, Any]) -> str | None:
        """Why the order can no longer be cancelled, or None."""
        catalog = StoredCatalog(connection, self.repositories, self.cache)
        if layer is PRODUCT:
            return self._product(connection, catalog, order)
        if layer is SERVICE:
            return self._service(connection, catalog, order)
        return self._resource(connection, catalog, order)

    def marked(self, connection: Connection, order: Mapping[str, Any]) -> bool:
        """Whether a service order's catalog marks any point of no return (no reads of the
        order's children: worth asking `passed` only when this is True)."""
        catalog = StoredCatalog(connection, self.repositories, self.cache)
        for item in order.get("serviceOrderItem") or ():
            _, specification = _service_specification(catalog, item)
            if marks_point_of_no_return(specification, "specCharacteristic"):
                return True
            for ref in (specification or {}).get("resourceSpecification") or ():
                resource = catalog.resource_specification(str(ref.get("id")))
                if marks_point_of_no_return(resource, "resourceSpecCharacteristic"):
                    return True
        return False

    def _product(
        self, connection: Connection, catalog: StoredCatalog, order: Mapping[str, Any]
    ) -> str | None:
        for item in order.get("productOrderItem") or ():
            for child_order_id in service_order_ids(order["id"], item):  # one per copy
                child = self.repositories[SERVICE.order_kind].peek(connection, child_order_id)
                if child is None:
                    continue
                # SOM's milestone says so even when the resources live in ROM, out of sight.
                found = _passed_milestone(child) or self._service(connection, catalog, child)
                if found is None and self.mirrored is SERVICE:
                    found = remote_modify(child)
                if found is not None:
                    return f"item {item.get('id')}: {found}"
        return None

    def _service(
        self, connection: Connection, catalog: StoredCatalog, order: Mapping[str, Any]
    ) -> str | None:
        for item in order.get("serviceOrderItem") or ():
            item_id = str(item.get("id"))
            spec_ref, specification = _service_specification(catalog, item)
            if marks_point_of_no_return(specification, "specCharacteristic"):
                service_id = child_id(order["id"], item_id, "service")
                activation = self.repositories[kinds.SERVICE_ACTIVATION].peek(
                    connection, service_id
                )
                if _activated(activation, item, "state", "active"):
                    return _passed("service", service_id, spec_ref)
            child = self.repositories[kinds.RESOURCE_ORDER].peek(
                connection, child_id(order["id"], item_id)
            )
            found = None if child is None else self._resource(connection, catalog, child)
            if found is not None:
                return found
        return None

    def _resource(
        self, connection: Connection, catalog: StoredCatalog, order: Mapping[str, Any]
    ) -> str | None:
        for item in order.get("orderItem") or ():
            resource = item.get("resource") or {}
            spec_ref = resource.get("resourceSpecification") or {}
            specification = catalog.resource_specification(str(spec_ref.get("id")))
            if not marks_point_of_no_return(specification, "resourceSpecCharacteristic"):
                continue
            activation_id = str(resource.get("id") or child_id(order["id"], str(item.get("id"))))
            activation = self.repositories[kinds.RESOURCE_ACTIVATION].peek(
                connection, activation_id
            )
            if _activated(activation, item, "resourceStatus", "available"):
                return _passed("resource", activation_id, spec_ref)
        return None


def remote_modify(child: Mapping[str, Any]) -> str | None:
    """Why a mirrored service order's completed `modify` items cannot be undone from here:
    the component that ran them keeps what they overwrote, and a completed order is undone
    across components by a `delete` order (components/undo.py), which does not revert."""
    modified = [
        str((item.get("service") or {}).get("id") or item.get("id"))
        for item in child.get("serviceOrderItem") or ()
        if item.get("action") == "modify" and item.get("state") == "completed"
    ]
    if not modified:
        return None
    what = ("service " if len(modified) == 1 else "services ") + ", ".join(modified)
    return f"service order {child.get('id')} " + REMOTE_MODIFY.format(what=what)


def _service_specification(
    catalog: StoredCatalog, item: Mapping[str, Any]
) -> tuple[Mapping[str, Any], Mapping[str, Any] | None]:
    """A service order item's specification reference, and the specification it names."""
    spec_ref = (item.get("service") or {}).get("serviceSpecification") or {}
    return spec_ref, catalog.service_specification(str(spec_ref.get("id")))


def _passed_milestone(order: Mapping[str, Any]) -> str | None:
    for milestone in order.get("milestone") or ():
        if milestone.get("name") == MILESTONE:
            return str(milestone.get("message") or "past its point of no return")
    return None


def _activated(
    activation: Mapping[str, Any] | None, item: Mapping[str, Any], attribute: str, active: str
) -> bool:
    """Whether the item's activation is on: its TMF640/TMF702 entity says so, or, when the
    entity lives in another component (the order is a mirror), the item has completed."""
    if activation is not None:
        return activation.get(attribute) == active
    return item.get("state") == "completed"


def _passed(what: str, id_: str, spec_ref: Mapping[str, Any]) -> str:
    name = spec_ref.get("name") or spec_ref.get("id")
    return (
        f"{what} {id_} ({name}) has been activated, past the point of no return"
        " its specification marks"
    )
