"""Cancellation rules that need no database: when a cancel is refused, and the order of undoing.

A cancel request is refused when the order has ended (a completed order is not cancelled: it
is ceased by a new order), when another cancellation already has it, or when one of the
specifications it delivered marks a point of no return that has been passed. What an order
did is undone in reverse dependency order: an item that relies on others is undone before
the items it relies on (the IPTV service before the broadband access it runs over).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from cascade.domain.states import (
    ASSESSING_CANCELLATION,
    CANCELLED,
    COMPLETED,
    FAILED,
    PARTIAL,
    PENDING_CANCELLATION,
    REJECTED,
    RUNNING,
)

# The characteristic a TMF633/TMF634 specification declares to mark its point of no return,
# and the only point Cascade knows: once a service or resource of it has been activated.
POINT_OF_NO_RETURN = "pointOfNoReturn"
AFTER_ACTIVATION = "activation"
CANCELLING = (ASSESSING_CANCELLATION, PENDING_CANCELLATION)

_ENDED_BECAUSE = {
    COMPLETED: "a completed order cannot be cancelled (cease what it delivered instead)",
    PARTIAL: "an order that ended partial cannot be cancelled",
    FAILED: "an order that failed cannot be cancelled",
    REJECTED: "a rejected order cannot be cancelled",
    CANCELLED: "the order is already cancelled",
}

T = TypeVar("T")


def refusal(order_state: str) -> str | None:
    """Why the order's state refuses a new cancel request, or None when it may go ahead."""
    if order_state in RUNNING:
        return None
    if order_state in CANCELLING:
        return "another cancellation of this order is in progress"
    return _ENDED_BECAUSE.get(order_state, f"an order in state '{order_state}' cannot be cancelled")


def undo_order(
    items: Sequence[T], key: Callable[[T], str], needs: Callable[[T], Iterable[str]]
) -> list[T]:
    """`items` ordered for undoing: every item comes before the items it relies on.

    A plain reverse topological order; items in a cycle (refused at acceptance, so never
    fulfilled) and unrelated items keep their reverse position.
    """
    by_key = {key(item): item for item in items}
    done: set[str] = set()
    forward: list[T] = []

    def visit(item: T, path: frozenset[str]) -> None:
        name = key(item)
        if name in done or name in path:
            return
        for other in needs(item):
            if other in by_key:
                visit(by_key[other], path | {name})
        done.add(name)
        forward.append(item)

    for item in items:
        visit(item, frozenset())
    return forward[::-1]


def marks_point_of_no_return(specification: Mapping[str, Any] | None, attribute: str) -> bool:
    """Whether a catalog specification's characteristics (`attribute`: `specCharacteristic`,
    `resourceSpecCharacteristic`) mark a point of no return at activation, as
    `{"name": "pointOfNoReturn", "...Value": [{"value": "activation"}]}` (no value: activation).
    """
    for characteristic in (specification or {}).get(attribute) or ():
        if not isinstance(characteristic, Mapping):
            continue
        if characteristic.get("name") != POINT_OF_NO_RETURN:
            continue
        values = [v for key in _VALUE_KEYS for v in characteristic.get(key) or ()]
        return not values or any(
            isinstance(v, Mapping) and v.get("value") == AFTER_ACTIVATION for v in values
        )
    return False


_VALUE_KEYS = ("characteristicValueSpecification", "resourceSpecCharacteristicValue")
