"""Clients' DELETE and PATCH of TMF637 products, TMF638 services and TMF639 resources.

The records are the chain's memory of what is on the network: a product is realized by
services, a service is supported by services and resources, a resource holds a pool's value.
A live record, or one something else still names, is not deleted (409): what it stands for
would stay on the network with nothing left to cease it. A PATCH that ends a record while
what it is built from is still live, or while live records rely on it, and one that rewires
a live record's realizing or supporting references, is refused the same way: ceasing and
changing go through orders, which end the chain bottom up. Ended records nothing names stay
deletable. A client's POST naming a record that does not exist in those references, or an
entry with no id (a record given by value), is a bad request (400): the chain would start
from nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.fulfilment.integrity.live import is_live, state_of
from cascade.fulfilment.integrity.references import ids, referring, running_orders
from cascade.fulfilment.layers.registry import PRODUCT, RESOURCE, SERVICE, Layer
from cascade.repositories import Created, Repositories
from cascade.storage.allocations import allocation_of
from cascade.tmf.declarations import Kind
from cascade.tmf.errors import TmfError, bad_request


@dataclass(frozen=True)
class Links:
    """How records of one kind hang together with the rest of the chain."""

    name: str  # Product, Service, Resource
    below: tuple[tuple[str, Kind], ...]  # attribute -> the kind of the records it names
    above: tuple[tuple[Kind, str], ...]  # the kinds naming this one, and where
    orders: tuple[Layer, str]  # the orders that change it, and where they name it
    activation: Kind | None  # the activation sharing the record's id


LINKS: dict[Kind, Links] = {
    kinds.PRODUCT: Links(
        "Product",
        below=(("realizingService", kinds.SERVICE),),
        above=((kinds.PRODUCT, "productRelationship.product.id"),),
        orders=(PRODUCT, "productOrderItem.product.id"),
        activation=None,
    ),
    kinds.SERVICE: Links(
        "Service",
        below=(("supportingService", kinds.SERVICE), ("supportingResource", kinds.RESOURCE)),
        above=((kinds.PRODUCT, "realizingService.id"), (kinds.SERVICE, "supportingService.id")),
        orders=(SERVICE, "serviceOrderItem.service.id"),
        activation=kinds.SERVICE_ACTIVATION,
    ),
    kinds.RESOURCE: Links(
        "Resource",
        below=(),
        above=((kinds.SERVICE, "supportingResource.id"),),
        orders=(RESOURCE, "orderItem.resource.id"),
        activation=kinds.RESOURCE_ACTIVATION,
    ),
}
# The note ROM leaves on a resource it recorded: the order item that owns its pool value.
_ORIGIN = re.compile(r"^resource order (\S+) item (\S+)$")


class InventoryIntegrity:
    """The DELETE check and the PATCH hook of one inventory kind."""

    def __init__(self, kind: Kind, repositories: Repositories) -> None:
        self.kind = kind
        self.links = LINKS[kind]
        self.repositories = repositories

    def create(self, connection: Connection, body: dict[str, Any]) -> Created:
        """A client's POST: stored once every record its references name exists (else 400)."""
        self._refuse_unknown(connection, body)
        return Created(self.repositories[self.kind].insert(connection, body))

    def _refuse_unknown(
        self,
        connection: Connection,
        record: Mapping[str, Any],
        known: Mapping[str, Any] | None = None,
    ) -> None:
        """400 for a reference naming no record (`known`: the record before a PATCH, whose
        references are not looked up again)."""
        for attribute, kind in self.links.below:
            _refuse_without_id(record, attribute, kind)
            before = set(_ids_at(known or {}, attribute))
            missing = [
                i
                for i in _ids_at(record, attribute)
                if i not in before and self._peek(connection, kind, i) is None
            ]
            if missing:
                raise bad_request(
                    f"{attribute} names {kind.name} {', '.join(missing)}, which does not exist",
                    "unknownReference",
                )

    def check_delete(self, connection: Connection, record: dict[str, Any]) -> None:
        name = f"{self.links.name} {record.get('id')}"
        layer = self.links.orders[0]
        if is_live(self.kind, record):
            raise TmfError(
                409,
                "recordLive",
                f"{name} is live ({state_of(self.kind, record)}): cease it with a "
                f"{layer.order_kind.name} whose item has action delete, then delete it",
            )
        self._refuse_referrers(connection, record, live_only=False)
        layer, path = self.links.orders
        running = running_orders(connection, self.repositories, layer, path, str(record["id"]))
        if running:
            raise TmfError(
                409,
                "recordInRunningOrder",
                f"{name} is named by {layer.referred_type} {ids(running)}, which has not ended",
            )
        self._refuse_allocation(connection, record, name)

    def patched(
        self, connection: Connection, before: Mapping[str, Any], after: Mapping[str, Any]
    ) -> None:
        """Refuse a client's PATCH that names a record that does not exist (400, as a POST)
        or would orphan state (409); the job rolls back."""
        if not is_live(self.kind, before):
            self._refuse_unknown(connection, after, known=before)
            return
        name = f"{self.links.name} {after.get('id')}"
        for attribute, _ in self.links.below:
            if _ids_at(before, attribute) != _ids_at(after, attribute):
                raise TmfError(
                    409,
                    "chainReferenceChanged",
                    f"{attribute} of {name}, which is live, is the order chain's: change it "
                    f"with a {self.links.orders[0].order_kind.name}",
                )
        if not is_live(self.kind, after):
            self._refuse_ending(connection, after, name)

    def _refuse_ending(self, connection: Connection, record: Mapping[str, Any], name: str) -> None:
        self._refuse_referrers(connection, record, live_only=True)
        for attribute, kind in self.links.below:
            live = [
                found
                for found in (self._peek(connection, kind, i) for i in _ids_at(record, attribute))
                if found is not None and is_live(kind, found)
            ]
            if live:
                raise TmfError(
                    409,
                    "recordsBelowLive",
                    f"{name} cannot end while its {attribute} {ids(live)} is live: cease it "
                    f"with a {self.links.orders[0].order_kind.name} whose item has action "
                    "delete, which takes them off the network",
                )
        activation = self.links.activation
        if activation is not None:
            found = self._peek(connection, activation, str(record["id"]))
            if found is not None and is_live(activation, found):
                raise TmfError(
                    409,
                    "activationLive",
                    f"{name} cannot end while its {activation.name} activation is live "
                    f"({state_of(activation, found)}): cease it with an order",
                )
        self._refuse_allocation(connection, record, name)

    def _refuse_referrers(
        self, connection: Connection, record: Mapping[str, Any], live_only: bool
    ) -> None:
        for kind, path in self.links.above:
            found = referring(connection, self.repositories[kind], path, str(record["id"]))
            if live_only:
                found = [each for each in found if is_live(kind, each)]
            if found:
                raise TmfError(
                    409,
                    "recordInUse",
                    f"{self.links.name} {record.get('id')} is named by {kind.name} "
                    f"{ids(found)} ({path}): {'cease' if live_only else 'delete'} those first",
                )

    def _refuse_allocation(
        self, connection: Connection, record: Mapping[str, Any], name: str
    ) -> None:
        if self.kind != kinds.RESOURCE:
            return
        for note in record.get("note") or ():
            origin = _ORIGIN.match(str(note.get("text") if isinstance(note, Mapping) else ""))
            if origin is None:
                continue
            held = allocation_of(connection, f"{origin[1]}/{origin[2]}")
            if held is not None:
                raise TmfError(
                    409,
                    "allocationHeld",
                    f"{name} still holds its value from pool {held.pool}: cease it with a "
                    "resourceOrder whose item has action delete, which releases it",
                )

    def _peek(self, connection: Connection, kind: Kind, id_: str) -> dict[str, Any] | None:
        return self.repositories[kind].peek(connection, id_)


def _refuse_without_id(record: Mapping[str, Any], attribute: str, kind: Kind) -> None:
    """A 400 for an entry that names no record: one given by value (TMF638 v5's
    `supportingService` is a `ServiceRefOrValue`), which Cascade does not create."""
    refs = record.get(attribute)
    for index, ref in enumerate(refs if isinstance(refs, list) else ()):
        if isinstance(ref, Mapping) and ref.get("id") in (None, ""):
            raise bad_request(
                f"{attribute}[{index}] has no id: {attribute} names {kind.name} records that "
                f"exist, by id (a {kind.name} given by value is not created)",
                "unknownReference",
            )


def _ids_at(record: Mapping[str, Any], attribute: str) -> list[str]:
    refs = record.get(attribute)
    if not isinstance(refs, list):
        return []
    return sorted(str(ref.get("id")) for ref in refs if isinstance(ref, Mapping))
