"""An operator's hold and release of an order, carried to the orders below it.

TMF622, TMF641 and TMF652 let a client PATCH a running order `held` (or `pending`) and back
to `inProgress` (docs/states.md). The hold stands for the whole tree: in the PATCH's
transaction every running child order goes the same way, with a note naming the order it
follows, and so on down; their controllers then leave them, so no further resource order or
activation starts (one in flight may finish). A child still `acknowledged` cannot be held
(the machines allow `held` only from `inProgress`): its controller does not start it while
its parent is held (skeleton.py). Releasing the order releases the children that were held
with it, and schedules every child that has not ended. A child is not released while its
parent is held (409): the parent's hold would no longer hold the work below it.

In a component whose next layer runs elsewhere, the children here are mirrors of that
component's orders: the child orders port carries the hold there (ADR 0022), as a PATCH of
the remote order to the same state that the follower sends; the remote component holds its
own tree. The release is carried the same way, to the children the hold was carried to. The
mirror shows the remote state once the follower reads it back. The remote component does
not store this parent, so its `parentOrderHeld` check cannot see the hold (ADR 0022).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.domain.states import HELD, IN_PROGRESS, PENDING
from cascade.fulfilment.integrity.references import child_orders, parent_order
from cascade.fulfilment.layers.children import ChildOrders
from cascade.fulfilment.layers.documents import AUTHOR, move
from cascade.fulfilment.layers.registry import Layer, child_of
from cascade.repositories import Loaded, Repositories, Repository
from cascade.tmf.errors import TmfError
from cascade.tmf.instants import now_instant

HOLDS = (HELD, PENDING)


class Holds:
    """The PATCH hook of one layer's orders: holds and releases go down the tree."""

    def __init__(
        self, layer: Layer, repositories: Repositories, children: Mapping[str, ChildOrders]
    ) -> None:
        self.layer = layer
        self.repositories = repositories
        self.children = children  # the child orders port of each layer, by name

    def patched(
        self, connection: Connection, before: Mapping[str, Any], after: Mapping[str, Any]
    ) -> None:
        old, new = str(before.get("state")), str(after.get("state"))
        if old == new:
            return
        if new in HOLDS:
            self._hold(connection, self.layer, after, new)
        elif new == IN_PROGRESS and old in HOLDS:
            self._refuse_parent_held(connection, after)
            self._release(connection, self.layer, after)

    def _hold(
        self, connection: Connection, layer: Layer, order: Mapping[str, Any], state: str
    ) -> None:
        for child_layer, orders, loaded in self._children(connection, layer, order):
            if child_layer.machine.is_terminal(str(loaded.document.get("state"))):
                continue
            if self._carried(connection, child_layer, loaded.document, state):
                continue  # another component's order: held there, with its own tree
            if loaded.document.get("state") != IN_PROGRESS:
                continue
            move(loaded.document, child_layer.machine, state)
            _note(loaded.document, _held_with(layer, order))
            orders.save(connection, loaded)
            self._hold(connection, child_layer, loaded.document, state)

    def _release(self, connection: Connection, layer: Layer, order: Mapping[str, Any]) -> None:
        for child_layer, orders, loaded in self._children(connection, layer, order):
            document = loaded.document
            if child_layer.machine.is_terminal(str(document["state"])):
                continue
            if self._carried(connection, child_layer, document, IN_PROGRESS):
                continue
            if document.get("state") in HOLDS and follows(document, layer, order):
                move(document, child_layer.machine, IN_PROGRESS)
                _note(document, _released_with(layer, order))
                orders.save(connection, loaded)
                self._release(connection, child_layer, document)
            orders.written(connection, document)  # its controller looks again (if here)

    def _children(
        self, connection: Connection, layer: Layer, order: Mapping[str, Any]
    ) -> Iterator[tuple[Layer, Repository, Loaded]]:
        """The order's child orders as stored, each with its layer and repository."""
        child_layer = child_of(layer)
        if child_layer is None:
            return
        orders = self.repositories[child_layer.order_kind]
        for child in child_orders(connection, self.repositories, layer, str(order["id"])):
            loaded = orders.load(connection, str(child["id"]))
            if loaded is not None:
                yield child_layer, orders, loaded

    def _carried(
        self, connection: Connection, layer: Layer, child: Mapping[str, Any], state: str
    ) -> bool:
        """Whether the child's port carried the hold or release (a mirror); else it is here."""
        port = self.children.get(layer.name)
        return port is not None and port.carry(connection, child, state)

    def _refuse_parent_held(self, connection: Connection, order: Mapping[str, Any]) -> None:
        parent = parent_order(connection, self.repositories, self.layer, order)
        if parent is not None and parent.get("state") in HOLDS:
            raise TmfError(
                409,
                "parentOrderHeld",
                f"{self.layer.referred_type} {order['id']} was placed by order {parent['id']}, "
                f"which is {parent['state']}: release that order, which releases this one",
            )


def follows(child: Mapping[str, Any], layer: Layer, parent: Mapping[str, Any]) -> bool:
    """Whether the child's last hold or release was its parent's (by the notes it left)."""
    marks = (_held_with(layer, parent), _released_with(layer, parent))
    for note in reversed(child.get("note") or ()):
        text = note.get("text") if isinstance(note, Mapping) else None
        if text in marks:
            return bool(text == marks[0])
    return False


def _held_with(layer: Layer, order: Mapping[str, Any]) -> str:
    return f"held with {layer.referred_type} {order['id']}"


def _released_with(layer: Layer, order: Mapping[str, Any]) -> str:
    return f"released with {layer.referred_type} {order['id']}"


def _note(document: dict[str, Any], text: str) -> None:
    """A note always added (a second hold is a second event, unlike add_note's)."""
    document.setdefault("note", []).append({"author": AUTHOR, "date": now_instant(), "text": text})
