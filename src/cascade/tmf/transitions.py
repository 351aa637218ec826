"""What a client's PATCH may change of an order's states and items.

Clients may make only a machine's `manual` transitions (an operator holding or releasing an
order or an item); the controllers make the rest and check them themselves. An order's items,
nested ones included, are matched by their `id` path; an item without `id` by its position.
A refused change is a 409 `invalidStateTransition` naming the current state and the next
states a client may set.

An item that has started (any state but its initial one) is being carried out, or was: what
it asks is on the network, in the orders below and in the inventory. A PATCH that changes
anything of it but its state, or removes it, would make the order say what was not done (or
leave what was done without the item that owns it), so it is refused: 409
`startedItemUnchangeable` (ADR 0039). Items not yet started stay the client's to change. So
does the order's `relatedParty` until an item starts; after, its parties are in what the
items made (`Kind.passed_down`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

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


def check_started_items(kind: Kind, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Refuse a PATCH that changes (other than by its state) or removes a started item, or
    changes what the order passes down (`relatedParty`) once an item has started.

    `before` and `after` are the order as this API version shows it, before and after the
    patch: the same form, so an item the client sent back as it got it is unchanged.
    """
    machine = kind.item_state_machine
    if machine is None:
        return
    started = [_check_started(machine, items, before, after) for items in kind.item_states]
    changed = [name for name in kind.passed_down if before.get(name) != after.get(name)]
    if any(started) and changed:
        raise TmfError(
            409,
            "startedItemUnchangeable",
            f"This order has started: its {', '.join(changed)} went into the orders and"
            " records its items made, so a PATCH that changes it is refused. To change it,"
            " cancel the order or place another one.",
        )


def _check_started(
    machine: StateMachine, items: ItemState, before: Mapping[str, Any], after: Mapping[str, Any]
) -> bool:
    """Refuse a change of a started item of `items.array`; whether any has started."""
    patched = dict(_items(after, items, ()))
    started = False
    for path, item in _items(before, items, ()):
        state = item.get(items.attribute)
        if state in (None, items.initial):
            continue
        started = True
        where = f"{machine.name} {'/'.join(path)}"
        now = patched.get(path)
        if now is None:
            _refuse_started(where, state, "removes it")
        ignored = (items.attribute, items.array)
        changed = sorted(
            key
            for key in item.keys() | now.keys()
            if key not in ignored and item.get(key) != now.get(key)
        )
        if changed:
            _refuse_started(where, state, f"changes its {', '.join(changed)}")
    return started


def _refuse_started(where: str, state: Any, what: str) -> NoReturn:
    raise TmfError(
        409,
        "startedItemUnchangeable",
        f"{where} is '{state}': it has started, and what it asks is being carried out or was,"
        f" so a PATCH that {what} is refused (only its state may be changed, to hold or"
        " release it). To change what was ordered, cancel the order or place another one."
        " If the PATCH gives the item back as an earlier GET showed it, the order has moved"
        " on since: GET it again (an If-Match with that GET's ETag is refused with 412"
        " instead).",
    )


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
    for path, item in _items(document, items, parent):
        yield path, item.get(items.attribute)


def _items(
    document: Mapping[str, Any], items: ItemState, parent: ItemPath
) -> Iterator[tuple[ItemPath, Mapping[str, Any]]]:
    """(id path, item) of every item in `items.array`, nested items after their parent."""
    members = document.get(items.array)
    if not isinstance(members, list):
        return
    for position, item in enumerate(members):
        if not isinstance(item, Mapping):
            continue
        key = str(item["id"]) if item.get("id") is not None else f"#{position}"
        path = (*parent, key)
        yield path, item
        yield from _items(item, items, path)
