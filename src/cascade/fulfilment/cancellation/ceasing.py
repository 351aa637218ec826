"""A cease is the point of no return of its order: no cancel is accepted once it has started.

What a `delete` item takes down (a TMF640/702 deactivation, a released allocation, TMF637/638/
639 records ended) is not undone by a cancellation: bringing it back would be a new activation
with new allocations (the released values may be another customer's by then). Instead a
delete item changes nothing until no cancellation of its order can be accepted any more
(ADR 0034): before its first change, the step takes the cancellation claims (claim.py) of its
order and of every order above it stored here, root first, for a holder that is no cancel task
(`cease:<order id>`). A claim held by a cancellation that runs makes the item wait (the
cancellation decides, and stops the order before anything is taken down); one held by a
refused cancellation is taken over. From then on a client's cancel request is accepted as a
task and refused in its first step (`refusal`), as for any point of no return. Taking a claim
is serialised with a cancel request's own by the claim's primary key (storage/claims.py), so
a cancel and a cease never both go ahead. The claims go with their orders, as every
cancellation claim does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.domain.states import TERMINATED_WITH_ERROR
from cascade.fulfilment.integrity.references import parent_order
from cascade.fulfilment.layers.registry import Layer, parent_of
from cascade.repositories import Repositories
from cascade.storage import claims

MARK = "cease:"  # a cancellation claim held for a cease, not by a cancel task
CEASE_WAIT_MS = 250  # how often a cease waiting on a running cancellation looks again
CEASE_PASSED = "a cease has started; the order can no longer be cancelled"


def is_cease(holder: str | None) -> bool:
    """Whether a cancellation claim's holder is a cease's (not a cancel task)."""
    return holder is not None and holder.startswith(MARK)


def refusal(connection: Connection, layer: Layer, order_id: str) -> str | None:
    """Why a cancel request of the order is refused because a cease in its tree started."""
    holder = claims.holder_of(connection, layer.task_kind.name, order_id)
    if not is_cease(holder):
        return None
    assert holder is not None
    return (
        f"past its point of no return: order {holder.removeprefix(MARK)} has started taking"
        " down what it ceases, which a cancellation would not bring back (ADR 0034)"
    )


class Ceasing:
    """The claims a cease takes before it changes anything."""

    def __init__(self, repositories: Repositories) -> None:
        self.repositories = repositories

    def start(self, connection: Connection, layer: Layer, order: Mapping[str, Any]) -> str | None:
        """Take the cancellation claims of the order's tree for its cease; None when the cease
        may go on (the claims are the cease's), else why it waits (a cancellation runs)."""
        holder = MARK + str(order["id"])
        taken: list[tuple[str, str]] = []
        for tree_layer, order_id in self._tree(connection, layer, order):
            scope = tree_layer.task_kind.name
            held = claims.take(connection, scope, order_id, holder)
            if held == holder:
                taken.append((scope, order_id))
                continue
            if is_cease(held):
                continue  # another cease of the tree passed it already
            task = self.repositories[tree_layer.task_kind].peek(connection, held)
            if task is None or task.get("state") == TERMINATED_WITH_ERROR:
                claims.hand_over(connection, scope, order_id, holder)  # refused: over
                taken.append((scope, order_id))
                continue
            for scope_taken, subject in taken:
                claims.release(connection, scope_taken, subject, holder)
            return f"cancel request {held} of {tree_layer.reference} {order_id} is {task['state']}"
        return None

    def _tree(
        self, connection: Connection, layer: Layer, order: Mapping[str, Any]
    ) -> list[tuple[Layer, str]]:
        """The order and the orders above it stored here, root first."""
        found = [(layer, str(order["id"]))]
        current: Mapping[str, Any] | None = order
        current_layer: Layer | None = layer
        while current is not None and current_layer is not None:
            above = parent_of(current_layer)
            current = parent_order(connection, self.repositories, current_layer, current)
            if current is None or above is None:
                break
            found.append((above, str(current["id"])))
            current_layer = above
        return found[::-1]
