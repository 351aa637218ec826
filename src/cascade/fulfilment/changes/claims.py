"""One running change per product, service and resource, held by the database (storage/claims.py).

An order that changes something that exists (a TMF637 product, a TMF638 service, a TMF639
resource) claims it -- scope `productChange`, `serviceChange` or `resourceChange`, subject the
entity's id, holder the order id -- in the transaction that accepts the order, so two orders
accepted at the same moment, by two processes, cannot both pass: the second one's claim waits
for the first one's transaction and then finds it held. A claim holds while its order runs
(`RUNNING`); a claim whose order has ended (or not started: an order deferred to its start
date) is handed over to the next order that asks, so a claim left behind is harmless. Still, an
order gives its claims back in the transaction that ends it (`release_ended`: the skeleton's
roll-up, a cancellation), so that the table holds the running orders' claims only (ADR 0029),
and an order refused for any reason gives back the claims it took.

The three layers differ only in what they name (`ChangeClaims`): the item array, the entity
each item names, and which actions claim it. A product's `noChange` item claims it (it is the
context an add-on is planned on, so it must not be ceased meanwhile); a service's or a
resource's `noChange` changes and plans nothing, and claims nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from cascade.fulfilment.layers.registry import PRODUCT, RESOURCE, SERVICE, Layer
from cascade.repositories import Repository
from cascade.storage import claims

# Order states in which an order may still change what it names: it holds its claims.
RUNNING = ("inProgress", "held", "pending", "assessingCancellation", "pendingCancellation")


@dataclass(frozen=True)
class ChangeClaims:
    """What one layer's orders claim: the entity (`layer.name`) its change items name."""

    layer: Layer
    actions: frozenset[str]  # the item actions that claim the entity they name

    @property
    def scope(self) -> str:
        return f"{self.layer.name}Change"

    def take(
        self, connection: Connection, orders: Repository, order: Mapping[str, Any]
    ) -> dict[str, str]:
        """Claim what the order changes; what another running order holds, by id (its holder).

        Subjects are claimed in id order, so two orders claiming the same ones never deadlock.
        """
        order_id = str(order["id"])
        busy: dict[str, str] = {}
        for subject in self.subjects(order):
            holder = claims.take(connection, self.scope, subject, order_id)
            if holder == order_id:
                continue
            other = orders.peek(connection, holder)
            if other is not None and other.get("state") in RUNNING:
                busy[subject] = holder
            else:
                claims.hand_over(connection, self.scope, subject, order_id)
        return busy

    def give_back(self, connection: Connection, order: Mapping[str, Any]) -> None:
        """Give back the claims the order holds (it was refused)."""
        for subject in self.subjects(order):
            claims.release(connection, self.scope, subject, str(order["id"]))

    def accept(
        self,
        connection: Connection,
        orders: Repository,
        order: Mapping[str, Any],
        problems: list[str],
    ) -> list[str]:
        """Why the order is refused: `problems` (its own checks), else what another running
        order is changing; its claims are taken when nothing else refuses it, and given back
        when anything does."""
        if not problems:
            problems = self.refusals(order, self.take(connection, orders, order))
        if problems:
            self.give_back(connection, order)
        return problems

    def refusals(self, order: Mapping[str, Any], busy: Mapping[str, str]) -> list[str]:
        """One reason per change item naming an entity that another running order changes."""
        entity, layer = self.layer.name, self.layer
        return [
            f"item {item.get('id')}: {entity} '{subject}' is being changed by {entity} order "
            f"{busy[subject]}; place this change once that order has ended"
            for item in order.get(layer.items) or ()
            if (subject := self._subject(item)) is not None and subject in busy
        ]

    def subjects(self, order: Mapping[str, Any]) -> list[str]:
        """The ids of what the order's claiming items name, sorted."""
        found = {self._subject(item) for item in order.get(self.layer.items) or ()}
        return sorted(subject for subject in found if subject is not None)

    def _subject(self, item: Mapping[str, Any]) -> str | None:
        if not isinstance(item, Mapping) or item.get("action") not in self.actions:
            return None
        named = (item.get(self.layer.name) or {}).get("id")
        return str(named) if named else None


CHANGES = frozenset({"modify", "delete"})
PRODUCT_CHANGES = ChangeClaims(PRODUCT, CHANGES | {"noChange"})
SERVICE_CHANGES = ChangeClaims(SERVICE, CHANGES)
RESOURCE_CHANGES = ChangeClaims(RESOURCE, CHANGES)
_BY_LAYER = {
    claims_.layer.name: claims_ for claims_ in (PRODUCT_CHANGES, SERVICE_CHANGES, RESOURCE_CHANGES)
}


def release_ended(connection: Connection, layer: Layer, order: Mapping[str, Any]) -> None:
    """Give back the claims of an order that has just ended (a terminal state): nobody can be
    refused by them any more (a claim whose order does not run is handed over to the next
    order that asks), so the rows would only pile up."""
    if layer.machine.is_terminal(str(order.get("state"))):
        _BY_LAYER[layer.name].give_back(connection, order)


def forget_order(connection: Connection, layer: Layer, order_id: str) -> None:
    """Drop every claim of a deleted order (any an order ended before `release_ended` kept)."""
    claims.forget_holder(connection, _BY_LAYER[layer.name].scope, order_id)
