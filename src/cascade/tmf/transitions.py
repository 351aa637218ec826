"""State changes a client makes by PATCH, checked against the kind's state machines.

Clients may make only a machine's `manual` transitions (an operator holding or releasing an
order or an item); the controllers make the rest and check them themselves. An order's items,
nested ones included, are matched by their `id` path; an item without `id` by its position.
A refused change is a 409 `invalidStateTransition` naming the current state and the next
states a client may set.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from cascade.domain.states import IllegalTransition, StateMachine
from cascade.tmf.declarations import ItemState, Kind
from cascade.tmf.errors import TmfError

ABSENT = "(absent)"

ItemPath = tuple[str, ...]


class StateTransitionError(TmfError):
    """409 with an Error body whose `reason` names the current and allowed next states."""

    def __init__(self, where: str, error: IllegalTransition) -> None:
        choices = ", ".join(error.allowed) if error.allowed else "none"
        reason = f"{where} is '{error.current}'; a client may set: {choices}"
        message = (
            f"{where} cannot be changed from '{error.current}' to '{error.target}' by a client."
            f" Next states a client may set from '{error.current}': {choices}."
            " Other transitions are made by Cascade as it fulfils the order;"
            " cancellation goes through the cancel task resource."
        )
        super().__init__(409, "invalidStateTransition", message)
        self.reason = reason

    def body(self) -> dict[str, Any]:
        return {**super().body(), "reason": self.reason}


def check_client_change(kind: Kind, stored: str, patched: Mapping[str, Any]) -> None:
    """Refuse a PATCH whose result changes a state (of the entity or an item) illegally.

    `stored` is the stored document's JSON text; `patched` the document after the patch.
    """
    machine, item_machine = kind.state_machine, kind.item_state_machine
    if machine is None and item_machine is None:
        return
    before: dict[str, Any] = msgspec.json.decode(stored)
    if machine is not None and kind.state is not None:
        _check(machine, machine.name, before.get(kind.state), patched.get(kind.state))
    if item_machine is None:
        return
    for items in kind.item_states:
        old = dict(_item_states(before, items, ()))
        for path, state in _item_states(patched, items, ()):
            where = f"{item_machine.name} {'/'.join(path)}"
            if path in old:
                _check(item_machine, where, old[path], state)
            elif state not in (None, item_machine.initial):
                # A new item starts where every item starts.
                _check(item_machine, where, item_machine.initial, state)


def _check(machine: StateMachine, where: str, current: Any, target: Any) -> None:
    current_text = ABSENT if current is None else str(current)
    target_text = ABSENT if target is None else str(target)
    try:
        machine.check_manual(current_text, target_text)
    except IllegalTransition as error:
        raise StateTransitionError(where, error) from None


def _item_states(
    document: Mapping[str, Any], items: ItemState, parent: ItemPath
) -> Iterator[tuple[ItemPath, Any]]:
    """(id path, state) of every item in `items.array`, nested items after their parent."""
    members = document.get(items.array)
    if not isinstance(members, list):
        return
    for position, item in enumerate(members):
        if not isinstance(item, Mapping):
            continue
        key = str(item["id"]) if item.get("id") is not None else f"#{position}"
        path = (*parent, key)
        yield path, item.get(items.attribute)
        yield from _item_states(item, items, path)
