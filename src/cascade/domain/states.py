"""The TMF state machines of orders, order items and cancel tasks, as tables of transitions.

Wire values are the specs' (`inProgress`, not IN_PROGRESS). Each machine lists, per state, the
states it may move to; terminal states list none. `check()` raises `IllegalTransition` naming
the allowed next states. `manual` is the subset of transitions a client may make by PATCH (an
operator holding or releasing an order); the controllers make the others. `roll_up()` derives
an order's state from its items' states. The choices are explained in
docs/adr/0005-order-state-machines.md; `python -m cascade.domain.states > docs/states.md`
renders the diagrams.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cascade.domain.chain_page import CHAIN_SECTION

ACKNOWLEDGED = "acknowledged"
ACCEPTED = "accepted"  # TMF641's initial state of a cancel task
REJECTED = "rejected"
PENDING = "pending"
HELD = "held"
IN_PROGRESS = "inProgress"
CANCELLED = "cancelled"
COMPLETED = "completed"
FAILED = "failed"
PARTIAL = "partial"
ASSESSING_CANCELLATION = "assessingCancellation"
PENDING_CANCELLATION = "pendingCancellation"
DONE = "done"
TERMINATED_WITH_ERROR = "terminatedWithError"
DRAFT = "draft"  # TMF622 v5: an order a client is still writing; nothing runs until acknowledged
# States in which an order is stored but not started: its controller is not scheduled.
NOT_STARTED = frozenset({DRAFT})


class IllegalTransition(ValueError):  # noqa: N818 (the name the controllers use)
    """A move the machine does not allow; the message names the allowed next states."""

    def __init__(self, machine: str, current: str, target: str, allowed: tuple[str, ...]) -> None:
        choices = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"{machine} cannot go from '{current}' to '{target}';"
            f" allowed next states from '{current}': {choices}"
        )
        self.machine = machine
        self.current = current
        self.target = target
        self.allowed = allowed


@dataclass(frozen=True)
class StateMachine:
    """One kind's states: `transitions[state]` are the states it may move to next."""

    name: str
    initial: str
    transitions: Mapping[str, frozenset[str]] = field(hash=False)
    terminal: frozenset[str]
    manual: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        states = set(self.transitions)
        if self.initial not in states:
            raise ValueError(f"{self.name}: initial state '{self.initial}' has no row")
        for state, nexts in self.transitions.items():
            if not nexts <= states:
                raise ValueError(f"{self.name}: '{state}' leads to unknown {nexts - states}")
        ends = {state for state, nexts in self.transitions.items() if not nexts}
        if ends != self.terminal:
            raise ValueError(f"{self.name}: terminal {set(self.terminal)} but no exits from {ends}")
        for state, nexts in self.manual.items():
            if not nexts <= self.transitions.get(state, frozenset()):
                raise ValueError(f"{self.name}: manual moves from '{state}' not in the table")

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def allowed_from(self, state: str) -> tuple[str, ...]:
        return tuple(sorted(self.transitions.get(state, frozenset())))

    def check(self, current: str, target: str) -> None:
        """Raise `IllegalTransition` unless `current -> target` is in the table (equal: no-op)."""
        if current == target:
            return
        if target not in self.transitions.get(current, frozenset()):
            raise IllegalTransition(self.name, current, target, self.allowed_from(current))

    def is_terminal(self, state: str) -> bool:
        return state in self.terminal

    def manual_from(self, state: str) -> tuple[str, ...]:
        """The next states a client may set by PATCH."""
        return tuple(sorted(self.manual.get(state, frozenset())))

    def check_manual(self, current: str, target: str) -> None:
        """Like `check`, for a client's change: only the `manual` transitions are allowed."""
        if current == target:
            return
        if target not in self.manual.get(current, frozenset()):
            raise IllegalTransition(self.name, current, target, self.manual_from(current))

    def mermaid(self) -> str:
        """The machine as a Mermaid state diagram; client (PATCH) transitions are labelled."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for state, nexts in self.transitions.items():
            for target in sorted(nexts):
                label = " : PATCH" if target in self.manual.get(state, ()) else ""
                lines.append(f"    {state} --> {target}{label}")
        lines.extend(
            f"    {state} --> [*]" for state in self.transitions if self.is_terminal(state)
        )
        return "\n".join(lines)


def _machine(
    name: str,
    initial: str,
    table: Mapping[str, Iterable[str]],
    manual: Mapping[str, Iterable[str]] | None = None,
) -> StateMachine:
    transitions = {state: frozenset(nexts) for state, nexts in table.items()}
    return StateMachine(
        name,
        initial,
        transitions,
        frozenset(state for state, nexts in transitions.items() if not nexts),
        {state: frozenset(nexts) for state, nexts in (manual or {}).items()},
    )


# Running states an order returns to when a cancellation request is refused.
RUNNING = (ACKNOWLEDGED, IN_PROGRESS, PENDING, HELD)

# TMF622 v4 / TMF641 v4 / TMF652 v4 user guides. A cancellation may be requested in any running
# state; assessing it ends in pendingCancellation (accepted) or back where it was (refused).
_ORDER: dict[str, tuple[str, ...]] = {
    ACKNOWLEDGED: (IN_PROGRESS, REJECTED, ASSESSING_CANCELLATION),
    IN_PROGRESS: (PENDING, HELD, COMPLETED, FAILED, PARTIAL, ASSESSING_CANCELLATION),
    PENDING: (IN_PROGRESS, ASSESSING_CANCELLATION),
    HELD: (IN_PROGRESS, ASSESSING_CANCELLATION),
    ASSESSING_CANCELLATION: (PENDING_CANCELLATION, *RUNNING),
    PENDING_CANCELLATION: (CANCELLED,),
    REJECTED: (),
    COMPLETED: (),
    FAILED: (),
    PARTIAL: (),
    CANCELLED: (),
}
# Items have the same life, without `partial` (TMF622 and TMF652 items end whole or not).
_ITEM = {
    state: tuple(n for n in nexts if n != PARTIAL)
    for state, nexts in _ORDER.items()
    if state != PARTIAL
}
# TMF641 items list `partial`: an item with embedded items can end partly done.
_SERVICE_ITEM = {**_ITEM, IN_PROGRESS: _ORDER[IN_PROGRESS], PARTIAL: ()}
# What an operator does by hand: put a running order (or item) on hold or waiting, release it.
_MANUAL = {IN_PROGRESS: (HELD, PENDING), HELD: (IN_PROGRESS,), PENDING: (IN_PROGRESS,)}

# TMF622 v5: an order requested as `draft` starts when its client moves it to acknowledged.
PRODUCT_ORDER = _machine(
    "ProductOrder",
    ACKNOWLEDGED,
    {DRAFT: (ACKNOWLEDGED,), **_ORDER},
    {DRAFT: (ACKNOWLEDGED,), **_MANUAL},
)
PRODUCT_ORDER_ITEM = _machine("ProductOrderItem", ACKNOWLEDGED, _ITEM, _MANUAL)
SERVICE_ORDER = _machine("ServiceOrder", ACKNOWLEDGED, _ORDER, _MANUAL)
SERVICE_ORDER_ITEM = _machine("ServiceOrderItem", ACKNOWLEDGED, _SERVICE_ITEM, _MANUAL)
RESOURCE_ORDER = _machine("ResourceOrder", ACKNOWLEDGED, _ORDER, _MANUAL)
RESOURCE_ORDER_ITEM = _machine("ResourceOrderItem", ACKNOWLEDGED, _ITEM, _MANUAL)


def _task(name: str, initial: str) -> StateMachine:
    """A cancel task: assessed (inProgress), then done or terminatedWithError (refused)."""
    return _machine(
        name,
        initial,
        {
            initial: (IN_PROGRESS, TERMINATED_WITH_ERROR),
            IN_PROGRESS: (DONE, TERMINATED_WITH_ERROR),
            DONE: (),
            TERMINATED_WITH_ERROR: (),
        },
    )


CANCEL_PRODUCT_ORDER = _task("CancelProductOrder", ACKNOWLEDGED)
CANCEL_SERVICE_ORDER = _task("CancelServiceOrder", ACCEPTED)
CANCEL_RESOURCE_ORDER = _task("CancelResourceOrder", ACKNOWLEDGED)

ALL = (
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
    SERVICE_ORDER,
    SERVICE_ORDER_ITEM,
    RESOURCE_ORDER,
    RESOURCE_ORDER_ITEM,
    CANCEL_PRODUCT_ORDER,
    CANCEL_SERVICE_ORDER,
    CANCEL_RESOURCE_ORDER,
)

# Item states that end an item, and what each says about delivery.
ENDED = frozenset({COMPLETED, PARTIAL, FAILED, REJECTED, CANCELLED})
_DELIVERED = frozenset({COMPLETED, PARTIAL})
_NOT_DELIVERED = frozenset({PARTIAL, FAILED, REJECTED, CANCELLED})


def roll_up(item_states: Iterable[str]) -> str | None:
    """The order state its items imply once every item has ended; None means no change.

    - any item still running (or no items): None;
    - all completed: completed;
    - all rejected: rejected (the order as a whole was refused);
    - all cancelled: None (the cancel task, not the items, moves the order to cancelled);
    - nothing delivered (failed, rejected and cancelled mixed): failed;
    - some delivered and some not (an item `partial` counts as both): partial.
    """
    states = frozenset(item_states)
    if not states or not states <= ENDED:
        return None
    if states == {REJECTED}:
        return REJECTED
    if states == {CANCELLED}:
        return None
    delivered = bool(states & _DELIVERED)
    missing = bool(states & _NOT_DELIVERED)
    if delivered and not missing:
        return COMPLETED
    if missing and not delivered:
        return FAILED
    return PARTIAL


def _rows(machine: StateMachine) -> list[str]:
    rows = ["| from | to (server only) | to (also by client PATCH) |", "| --- | --- | --- |"]
    for state in machine.states:
        manual = machine.manual_from(state)
        server = [s for s in machine.allowed_from(state) if s not in manual]
        to_server = "(terminal)" if machine.is_terminal(state) else ", ".join(server)
        rows.append(f"| {state} | {to_server} | {', '.join(manual)} |")
    return rows


def document() -> str:
    """docs/states.md: every machine as a Mermaid diagram and a table."""
    parts = [
        "# Order state machines",
        "",
        "Generated from `src/cascade/domain/states.py` by",
        "`python -m cascade.domain.states > docs/states.md`; a unit test fails when this page",
        "and the table disagree. Why the machines are what they are:",
        "[ADR 0005](adr/0005-order-state-machines.md).",
        "",
        "Transitions labelled PATCH are the ones a client may make (an operator holding or",
        "releasing work); the controllers make all of them. `[*]` marks the initial state",
        "and the terminal ones.",
        "",
        "Cascade itself puts a product or service order `pending` while a manual step its",
        "catalog declares is to be done, `held` when that declaration fails its check, and keeps",
        "it `acknowledged` until its `requestedStartDate`; a note says why, and a PATCH back to",
        "`inProgress` releases it (see Waiting in [docs/fulfilment.md](fulfilment.md)).",
        "",
        "A cancel task (`POST /cancelProductOrder`, `/cancelServiceOrder`,",
        "`/cancelResourceOrder`) takes its order and the order's running items through",
        "`assessingCancellation` and `pendingCancellation` to `cancelled`, while the task goes",
        "through `inProgress` to `done`. A refused request ends `terminatedWithError` and leaves",
        "the order where it was; the assessment never sends an order back, so the",
        "`assessingCancellation -> running` transitions are unused. An order has at most one",
        "cancel task, ever: a second request is a 409 naming the first, whatever its state, and",
        "a `terminatedWithError` cancellation is final (a new request cannot be tried; only a",
        "parent order's own cancellation takes over from it). See the Cancellation section",
        "of `docs/fulfilment.md`, [ADR 0008](adr/0008-cancellation-and-compensation.md) and",
        "[ADR 0018](adr/0018-one-cancellation-per-order-and-claims.md).",
    ]
    for machine in ALL:
        parts += ["", f"## {machine.name}", "", "```mermaid", machine.mermaid(), "```", ""]
        parts += _rows(machine)
    parts += ["", *CHAIN_SECTION]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(document(), end="")
