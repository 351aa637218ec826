"""Putting back what a cancelled order's `modify` items changed (ADR 0032).

A modify item keeps what it changes from before it changes anything (`changes/before.py`);
an item that kept nothing changed nothing. The undo puts it back:

- SOM, an RFS: the network is re-configured to the old values through the driver, as a
  re-configuration of its own key that `reverts` the modify's (the simulated network takes
  the change back, applied or pending; the HTTP driver PATCHes the old values once the
  modify's PATCH has settled); then the TMF640 entity and the TMF638 record get their old
  attributes back, with a note. A CFS: its TMF638 record gets them back.
- COM: the TMF637 product gets back its offering, specification, characteristics and
  realizing services (TMF637 products carry no note; the order item says why).

Every call is idempotent: the revert's key finds the request already made, and putting back
what is there already changes nothing. The records keep the order item in their history
(`serviceOrderItem`, `productOrderItem`): the order did run, and was undone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.changes import product_id_of
from cascade.domain.characteristics import as_values
from cascade.domain.decomposition import RFS
from cascade.fulfilment.activation.port import (
    ActivationDriver,
    Capability,
    DriverStatus,
    Reconfiguration,
    unsupported,
)
from cascade.fulfilment.changes import before
from cascade.fulfilment.changes.service import modify_key
from cascade.fulfilment.layers.documents import add_note
from cascade.fulfilment.layers.ids import child_id
from cascade.repositories import Repositories, Repository


class Reverts:
    """The undo of modify items over the inventories, re-configuring through `driver`."""

    def __init__(self, repositories: Repositories, driver: ActivationDriver) -> None:
        self.services = repositories[kinds.SERVICE]
        self.activations = repositories[kinds.SERVICE_ACTIVATION]
        self.products = repositories[kinds.PRODUCT]
        self.driver = driver

    def service_item(
        self, connection: Connection, order: Mapping[str, Any], item: Mapping[str, Any], why: str
    ) -> bool:
        """Put back what a service order item changed; False while the driver is at it."""
        record = before.kept(item)
        if item.get("action") != "modify" or record is None:
            return True
        service_id = str((item.get("service") or {}).get("id"))
        current = self.services.peek(connection, service_id)
        if current is None:
            return True
        text = f"re-configuration by service order {order['id']} item {item['id']} undone: {why}"
        activation = before.kept(item, "activation")
        if current.get("category") == RFS and activation is not None:
            status = self._reconfigure(connection, order, item, current, activation)
            if status.state == "pending":
                return False  # the driver's outcome, or the cancellation's re-look, comes back
            if status.state == "failed":
                text = f"{text}; the network was not put back ({status.reason}), do it by hand"
            attributes = before.ACTIVATION_ATTRIBUTES
            _restore(self.activations, connection, service_id, activation, attributes, text)
        _restore(self.services, connection, service_id, record, before.SERVICE_ATTRIBUTES, text)
        return True

    def product_item(self, connection: Connection, item: Mapping[str, Any]) -> None:
        """Put back what a product order item changed in its TMF637 product."""
        record = before.kept(item)
        product_id = product_id_of(item)
        if item.get("action") != "modify" or record is None or product_id is None:
            return
        attributes = before.PRODUCT_ATTRIBUTES
        _restore(self.products, connection, product_id, record, attributes, None)

    def _reconfigure(
        self,
        connection: Connection,
        order: Mapping[str, Any],
        item: Mapping[str, Any],
        service: Mapping[str, Any],
        activation: Mapping[str, Any],
    ) -> DriverStatus:
        """The network back on the activation's old values (a re-configuration of its own)."""
        if Capability.RECONFIGURE not in self.driver.capabilities:
            return unsupported(self.driver, Capability.RECONFIGURE)
        order_id, item_id = str(order["id"]), str(item["id"])
        values = as_values(activation.get("serviceCharacteristic"))
        spec_id = (service.get("serviceSpecification") or {}).get("id")
        change = Reconfiguration(
            key=child_id(order_id, item_id, "revert"),
            activation_id=str(service["id"]),
            target="service",
            specification_id=str(spec_id) if spec_id else None,
            characteristics=values,
            reverts=modify_key(order_id, item_id),
        )
        return self.driver.reconfigure(connection, change)


def _restore(
    records: Repository,
    connection: Connection,
    id_: str,
    kept: Mapping[str, Any],
    attributes: Sequence[str],
    text: str | None,
) -> None:
    """The record's kept attributes put back, with a note when anything changed (once)."""
    loaded = records.load(connection, id_)
    if loaded is None or not before.restore(loaded.document, kept, attributes):
        return
    if text is not None:
        add_note(loaded.document, text)
    records.save(connection, loaded)
