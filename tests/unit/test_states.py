"""The order, item and cancel-task state machines, the roll-up, and the generated diagram page."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cascade.domain import states
from cascade.domain.states import (
    ALL,
    CANCEL_PRODUCT_ORDER,
    CANCEL_RESOURCE_ORDER,
    CANCEL_SERVICE_ORDER,
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
    RESOURCE_ORDER,
    RESOURCE_ORDER_ITEM,
    SERVICE_ORDER,
    SERVICE_ORDER_ITEM,
    IllegalTransition,
    StateMachine,
    roll_up,
)

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "src" / "cascade" / "specs"
STATES_PAGE = ROOT / "docs" / "states.md"

ORDER_TABLE = {
    "acknowledged": {"inProgress", "rejected", "assessingCancellation"},
    "inProgress": {"pending", "held", "completed", "failed", "partial", "assessingCancellation"},
    "pending": {"inProgress", "assessingCancellation"},
    "held": {"inProgress", "assessingCancellation"},
    "assessingCancellation": {
        "pendingCancellation",
        "acknowledged",
        "inProgress",
        "pending",
        "held",
    },
    "pendingCancellation": {"cancelled"},
    "rejected": set(),
    "completed": set(),
    "failed": set(),
    "partial": set(),
    "cancelled": set(),
}
ITEM_TABLE = {
    state: nexts - {"partial"} for state, nexts in ORDER_TABLE.items() if state != "partial"
}
SERVICE_ITEM_TABLE = {**ITEM_TABLE, "inProgress": ORDER_TABLE["inProgress"], "partial": set()}


def task_table(initial: str) -> dict[str, set[str]]:
    return {
        initial: {"inProgress", "terminatedWithError"},
        "inProgress": {"done", "terminatedWithError"},
        "done": set(),
        "terminatedWithError": set(),
    }


EXPECTED: dict[str, dict[str, set[str]]] = {
    # TMF622 v5: a draft (requestedInitialState) goes to acknowledged, nowhere else.
    "ProductOrder": {"draft": {"acknowledged"}, **ORDER_TABLE},
    "ProductOrderItem": ITEM_TABLE,
    "ServiceOrder": ORDER_TABLE,
    "ServiceOrderItem": SERVICE_ITEM_TABLE,
    "ResourceOrder": ORDER_TABLE,
    "ResourceOrderItem": ITEM_TABLE,
    "CancelProductOrder": task_table("acknowledged"),
    "CancelServiceOrder": task_table("accepted"),
    "CancelResourceOrder": task_table("acknowledged"),
}
MANUAL = {("inProgress", "held"), ("inProgress", "pending"), ("held", "inProgress")}
MANUAL |= {("pending", "inProgress")}
MANUAL |= {("draft", "acknowledged")}  # TMF622 v5: a client starts its draft order
# TMF622 v5: a client may ask for an order to begin as a draft (requestedInitialState).
OTHER_INITIAL = {"ProductOrder": "draft"}
# What TMF622 v5 adds to the v4 order states: `draft` (Cascade does not distinguish
# `inProgress.accepted` from `inProgress`, docs/versions.md).
V5_ONLY = {"ProductOrder": {"draft"}}


def pairs(machine: StateMachine) -> list[tuple[str, str]]:
    return list(itertools.permutations(machine.states, 2))


@pytest.mark.parametrize("machine", ALL, ids=lambda m: m.name)
def test_every_listed_transition_is_allowed_and_nothing_else(machine: StateMachine) -> None:
    table = EXPECTED[machine.name]
    assert set(machine.states) == set(table)
    for current, target in pairs(machine):
        if target in table[current]:
            machine.check(current, target)
        else:
            with pytest.raises(IllegalTransition) as raised:
                machine.check(current, target)
            error = raised.value
            assert (error.machine, error.current, error.target) == (machine.name, current, target)
            assert set(error.allowed) == table[current]
            for state in table[current]:
                assert state in str(error)


@pytest.mark.parametrize("machine", ALL, ids=lambda m: m.name)
def test_staying_put_is_always_allowed(machine: StateMachine) -> None:
    for state in machine.states:
        machine.check(state, state)
        machine.check_manual(state, state)


@pytest.mark.parametrize("machine", ALL, ids=lambda m: m.name)
def test_terminal_states_have_no_exits(machine: StateMachine) -> None:
    assert machine.terminal == {s for s, nexts in EXPECTED[machine.name].items() if not nexts}
    for state in machine.terminal:
        assert machine.is_terminal(state)
        assert machine.allowed_from(state) == ()
        for target in machine.states:
            if target != state:
                with pytest.raises(IllegalTransition, match=r"allowed next states .*: none"):
                    machine.check(state, target)
    assert not machine.is_terminal(machine.initial)


@pytest.mark.parametrize("machine", ALL, ids=lambda m: m.name)
def test_every_state_is_reachable_and_every_path_can_end(machine: StateMachine) -> None:
    starts = {machine.initial, OTHER_INITIAL.get(machine.name, machine.initial)}
    reached, frontier = set(starts), list(starts)
    while frontier:
        for target in machine.allowed_from(frontier.pop()):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(machine.states)
    for state in machine.states:  # from anywhere, some terminal state is reachable
        seen, todo = {state}, [state]
        while todo and not any(machine.is_terminal(s) for s in seen):
            for target in machine.allowed_from(todo.pop()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        assert any(machine.is_terminal(s) for s in seen), state


@pytest.mark.parametrize("machine", ALL[:6], ids=lambda m: m.name)
def test_clients_only_hold_and_release(machine: StateMachine) -> None:
    for current, target in pairs(machine):
        if (current, target) in MANUAL:
            machine.check_manual(current, target)
            machine.check(current, target)
        else:
            with pytest.raises(IllegalTransition) as raised:
                machine.check_manual(current, target)
            assert set(raised.value.allowed) == {t for c, t in MANUAL if c == current}


@pytest.mark.parametrize("machine", ALL[6:], ids=lambda m: m.name)
def test_clients_make_no_cancel_task_transition(machine: StateMachine) -> None:
    for current, target in pairs(machine):
        with pytest.raises(IllegalTransition):
            machine.check_manual(current, target)


def test_unknown_states_are_refused_with_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition, match="allowed next states from 'bogus': none"):
        RESOURCE_ORDER.check("bogus", "inProgress")
    with pytest.raises(IllegalTransition) as raised:
        RESOURCE_ORDER.check("acknowledged", "bogus")
    assert raised.value.allowed == ("assessingCancellation", "inProgress", "rejected")
    assert not RESOURCE_ORDER.is_terminal("bogus")


def test_a_table_that_contradicts_itself_is_refused() -> None:
    with pytest.raises(ValueError, match="terminal"):
        StateMachine("X", "a", {"a": frozenset({"b"}), "b": frozenset()}, frozenset())
    with pytest.raises(ValueError, match="unknown"):
        StateMachine("X", "a", {"a": frozenset({"c"})}, frozenset())
    with pytest.raises(ValueError, match="manual"):
        StateMachine(
            "X",
            "a",
            {"a": frozenset({"b"}), "b": frozenset()},
            frozenset({"b"}),
            {"b": frozenset({"a"})},
        )


def spec_enum(spec_file: str, definition: str) -> set[str]:
    swagger = json.loads((SPECS / spec_file).read_text())
    return set(swagger["definitions"][definition]["enum"])


@pytest.mark.parametrize(
    ("machine", "spec_file", "definition"),
    [
        (PRODUCT_ORDER, "TMF622-ProductOrdering-v4.0.0.swagger.json", "ProductOrderStateType"),
        (
            PRODUCT_ORDER_ITEM,
            "TMF622-ProductOrdering-v4.0.0.swagger.json",
            "ProductOrderItemStateType",
        ),
        (SERVICE_ORDER, "TMF641-ServiceOrdering-v4.1.0.swagger.json", "ServiceOrderStateType"),
        (
            SERVICE_ORDER_ITEM,
            "TMF641-ServiceOrdering-v4.1.0.swagger.json",
            "ServiceOrderItemStateType",
        ),
        (CANCEL_PRODUCT_ORDER, "TMF622-ProductOrdering-v4.0.0.swagger.json", "TaskStateType"),
        (CANCEL_SERVICE_ORDER, "TMF641-ServiceOrdering-v4.1.0.swagger.json", "TaskStateType"),
        (CANCEL_RESOURCE_ORDER, "TMF652-ResourceOrdering-v4.0.0.swagger.json", "TaskStateType"),
    ],
    ids=lambda value: value.name if isinstance(value, StateMachine) else "",
)
def test_states_are_the_wire_values_of_the_spec(
    machine: StateMachine, spec_file: str, definition: str
) -> None:
    v4 = set(machine.states) - V5_ONLY.get(machine.name, set())
    assert v4 == spec_enum(spec_file, definition)


def test_resource_orders_use_the_product_order_values() -> None:
    # TMF652 leaves `state` free text; its user guide uses the TMF622 values.
    assert set(RESOURCE_ORDER.states) == set(PRODUCT_ORDER.states) - V5_ONLY["ProductOrder"]
    assert set(RESOURCE_ORDER_ITEM.states) == set(PRODUCT_ORDER_ITEM.states)


# --- roll-up --------------------------------------------------------------------------------

ITEM_STATES = sorted(set(SERVICE_ORDER_ITEM.states))
RUNNING = [s for s in ITEM_STATES if not SERVICE_ORDER_ITEM.is_terminal(s)]
ENDED = [s for s in ITEM_STATES if SERVICE_ORDER_ITEM.is_terminal(s)]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], None),
        (["completed"], "completed"),
        (["completed", "completed"], "completed"),
        (["failed"], "failed"),
        (["failed", "cancelled"], "failed"),
        (["failed", "rejected"], "failed"),
        (["rejected", "cancelled"], "failed"),
        (["rejected", "rejected"], "rejected"),
        (["cancelled", "cancelled"], None),
        (["completed", "failed"], "partial"),
        (["completed", "cancelled"], "partial"),
        (["completed", "rejected"], "partial"),
        (["partial"], "partial"),
        (["partial", "completed"], "partial"),
        (["partial", "failed"], "partial"),
        (["completed", "inProgress"], None),
        (["failed", "held"], None),
        (["completed", "pendingCancellation"], None),
        (["completed", "unheardOf"], None),
    ],
)
def test_roll_up_examples(items: list[str], expected: str | None) -> None:
    assert roll_up(items) == expected
    assert roll_up(iter(items)) == expected  # any iterable, read once


@given(st.lists(st.sampled_from(ITEM_STATES), max_size=8))
def test_roll_up_properties(items: list[str]) -> None:
    result = roll_up(items)
    counts = Counter(items)
    assert result == roll_up(list(reversed(items)))  # order of items does not count
    if not items or any(s in RUNNING for s in items):
        assert result is None
        return
    if set(items) == {"cancelled"}:
        assert result is None
    elif set(items) == {"completed"}:
        assert result == "completed"
    elif set(items) == {"rejected"}:
        assert result == "rejected"
    elif counts["completed"] + counts["partial"] == 0:
        assert result == "failed"
    else:
        assert result == "partial"
    # Whatever it says is a state every order may end in from inProgress (or acknowledged).
    assert result is None or result in (*PRODUCT_ORDER.allowed_from("inProgress"), "rejected")


@given(st.lists(st.sampled_from(ENDED), min_size=1), st.sampled_from(RUNNING))
def test_one_running_item_keeps_the_order_running(items: list[str], running: str) -> None:
    assert roll_up([*items, running]) is None


@given(st.lists(st.sampled_from(ENDED), min_size=1))
def test_adding_a_completed_item_never_makes_it_failed(items: list[str]) -> None:
    assert roll_up([*items, "completed"]) in ("completed", "partial")


# --- generated page ---------------------------------------------------------------------------


def test_mermaid_lists_every_transition() -> None:
    text = PRODUCT_ORDER.mermaid()
    assert text.startswith("stateDiagram-v2\n    [*] --> acknowledged")
    edges = [line.strip() for line in text.splitlines()[2:]]
    arrows = {tuple(e.split(" : ")[0].split(" --> ")) for e in edges if "[*]" not in e}
    expected = {(c, t) for c, nexts in ORDER_TABLE.items() for t in nexts}
    assert arrows == {*expected, ("draft", "acknowledged")}
    assert "held --> inProgress : PATCH" in edges
    assert "completed --> [*]" in edges


def test_docs_states_page_is_up_to_date() -> None:
    current = STATES_PAGE.read_text() if STATES_PAGE.exists() else ""
    assert current == states.document(), (
        "docs/states.md is out of date with src/cascade/domain/states.py; regenerate it with\n"
        "    .venv/bin/python -m cascade.domain.states > docs/states.md"
    )
