"""How a layer reaches the orders of the layer below: the child orders port.

A controller places a child order (or asks to cancel one) exactly the same way whether the
next layer runs in this process or is another component; what happens then is the port's:

- `LocalChildren`: the order is inserted here, and the next layer's controller is scheduled
  by its kind's hooks (the composition root's table of kinds);
- a mirrored port (cascade.components.mirror) also records the intent to create it at the
  next component, undoes an ended child by ordering its cease there, and carries a parent's
  hold and release there (ADR 0022).

The child is read back the same way in both: `orders.peek`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import Connection

from cascade.fulfilment.layers.registry import Layer
from cascade.repositories import Repositories, Repository


class ChildOrders(Protocol):
    """The orders and cancel tasks of one layer, as the layer above uses them."""

    @property
    def layer(self) -> Layer: ...

    @property
    def orders(self) -> Repository: ...

    @property
    def tasks(self) -> Repository: ...

    def place(self, connection: Connection, body: dict[str, Any], id_: str) -> None:
        """Create a child order with a derived id (placing it again is the caller's check)."""
        ...

    def ask_cancel(self, connection: Connection, body: dict[str, Any], id_: str) -> None:
        """Create the cancel task of a running child order."""
        ...

    def undo_ended(
        self, connection: Connection, child: Mapping[str, Any], why: str, parent: dict[str, Any]
    ) -> bool | None:
        """Undo a child that has ended: True when done, False while waiting; None when the
        caller undoes it in place (the child is in this process). `parent`: the order being
        undone, as the caller holds it (and saves it): what to say on it goes there."""
        ...

    def carry(self, connection: Connection, child: Mapping[str, Any], state: str) -> bool:
        """Carry the parent's hold (`held`, `pending`) or release (`inProgress`) to a running
        child: True when the port did (or owes nothing), False when the caller moves the child
        in place (it is in this process)."""
        ...


class LocalChildren:
    """The next layer runs in this process: its orders are inserted and driven here."""

    def __init__(self, layer: Layer, repositories: Repositories) -> None:
        self.layer = layer
        self.orders = repositories[layer.order_kind]
        self.tasks = repositories[layer.task_kind]

    def place(self, connection: Connection, body: dict[str, Any], id_: str) -> None:
        self.orders.insert(connection, body, id_=id_)

    def ask_cancel(self, connection: Connection, body: dict[str, Any], id_: str) -> None:
        self.tasks.insert(connection, body, id_=id_)

    def undo_ended(
        self, connection: Connection, child: Mapping[str, Any], why: str, parent: dict[str, Any]
    ) -> bool | None:
        return None

    def carry(self, connection: Connection, child: Mapping[str, Any], state: str) -> bool:
        return False
