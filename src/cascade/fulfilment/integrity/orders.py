"""A client's DELETE of a product, service or resource order (TMF622, TMF641, TMF652).

An order that has not ended is driven by its controller and may have placed child orders and
configured the network: deleting it would leave that work without an owner, so it is refused
(409) and the cancel operation named instead. An ended order is deleted only once nothing
hangs from it and its parent has ended too: the orders it placed are deleted first (bottom
up), so no child's `externalReference` ever names an order that is gone, and a running parent
would place a deleted child again; nor while another order of its layer names it (a resource
order that ceases names the one that made the resources). Nor while what its `add` items
made is still live: a cease finds a service's resources through the resource order that
made them (changes/service.py), so the orders are history only once the records are ceased.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.fulfilment.integrity.live import is_live
from cascade.fulfilment.integrity.references import child_orders, ids, parent_order, referring
from cascade.fulfilment.layers.registry import PRODUCT, RESOURCE, SERVICE, Layer, parent_of
from cascade.repositories import Repositories
from cascade.tmf.declarations import Kind
from cascade.tmf.errors import TmfError

# Per layer: what an item names the record it made by, and that record's kind.
MADE: dict[str, tuple[str, Kind]] = {
    PRODUCT.name: ("product", kinds.PRODUCT),
    SERVICE.name: ("service", kinds.SERVICE),
    RESOURCE.name: ("resource", kinds.RESOURCE),
}


class OrderDeletes:
    """The DELETE check of one layer's orders."""

    def __init__(self, layer: Layer, repositories: Repositories) -> None:
        self.layer = layer
        self.repositories = repositories

    def check(self, connection: Connection, order: dict[str, Any]) -> None:
        """Refuse (409) deleting an order that runs, or that orders above or below need."""
        layer, state = self.layer, str(order.get("state"))
        name = f"{layer.referred_type} {order.get('id')}"
        if not layer.machine.is_terminal(state):
            raise TmfError(
                409,
                "orderNotEnded",
                f"{name} is {state}: an order that has not ended cannot be deleted; "
                f"cancel it with POST /{layer.task_kind.name} instead",
            )
        self._refuse_running_parent(connection, order, name)
        self._refuse_made_live(connection, order, name)
        self._refuse_named(connection, str(order.get("id")), name)

    def _refuse_running_parent(
        self, connection: Connection, order: dict[str, Any], name: str
    ) -> None:
        parent = parent_order(connection, self.repositories, self.layer, order)
        parent_layer = parent_of(self.layer)
        if parent is None or parent_layer is None:
            return
        parent_state = str(parent.get("state"))
        if not parent_layer.machine.is_terminal(parent_state):
            raise TmfError(
                409,
                "parentOrderNotEnded",
                f"{name} was placed by {parent_layer.referred_type} {parent['id']}, "
                f"which is {parent_state}: it cannot be deleted before that order ends",
            )

    def _refuse_named(self, connection: Connection, order_id: str, name: str) -> None:
        """Refuse while child orders, or orders of this layer, name it."""
        children = child_orders(connection, self.repositories, self.layer, order_id)
        if children:
            raise TmfError(
                409,
                "childOrdersExist",
                f"{name} placed orders that still exist ({ids(children)}): "
                "delete them first, so that none names an order that is gone",
            )
        if parent_of(self.layer) is None:  # TMF622 orders have no externalReference
            return
        orders = self.repositories[self.layer.order_kind]
        naming = referring(connection, orders, "externalReference.id", order_id)
        if naming:
            raise TmfError(
                409,
                "orderNamedByOrders",
                f"{name} is named in the externalReference of {ids(naming)} (a cease names "
                "the order that made what it ceases): delete those first",
            )

    def _refuse_made_live(self, connection: Connection, order: dict[str, Any], name: str) -> None:
        attribute, kind = MADE[self.layer.name]
        records = self.repositories[kind]
        live = []
        for item in order.get(self.layer.items) or ():
            made_id = (item.get(attribute) or {}).get("id") if item.get("action") == "add" else None
            record = records.peek(connection, str(made_id)) if made_id else None
            if record is not None and is_live(kind, record):
                live.append(record)
        if live:
            raise TmfError(
                409,
                "madeRecordsLive",
                f"{name} made {kind.name} {ids(live)}, which is still live: cease it with an "
                "order whose item has action delete first (the cease finds what to take off "
                "the network through the orders that made it)",
            )
