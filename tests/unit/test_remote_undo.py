"""What the undo of a child in another component says, it says on the order being undone as
the cancellation holds it: written to the store apart, the cancellation's save of its own
copy right after dropped it (components/undo.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cascade.components.undo import RemoteUndo
from cascade.fulfilment.layers.documents import external_reference
from cascade.fulfilment.layers.registry import SERVICE, internal_task_id


@dataclass
class Documents:
    """A repository's `peek`, over documents in memory."""

    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    def peek(self, connection: Any, id_: str) -> dict[str, Any] | None:
        return self.by_id.get(id_)


@dataclass
class Children:
    """The mirrored service orders' port, as RemoteUndo uses it."""

    layer: Any = SERVICE
    orders: Documents = field(default_factory=Documents)
    tasks: Documents = field(default_factory=Documents)
    placed: list[str] = field(default_factory=list)

    def place(self, connection: Any, body: dict[str, Any], id_: str) -> None:
        self.placed.append(id_)


PARENT = {"id": "po-1", "href": "/productOrder/po-1", "state": "pendingCancellation"}


def child(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "so-1",
        "state": "completed",
        "externalReference": external_reference(PARENT, "1", "ProductOrder"),
        "serviceOrderItem": list(items),
    }


def notes(parent: dict[str, Any]) -> list[str]:
    return [note["text"] for note in parent.get("note", [])]


def test_a_completed_remote_modify_is_noted_on_the_order_being_undone() -> None:
    parent = dict(PARENT)
    modify = {"id": "1", "action": "modify", "state": "completed", "service": {"id": "qos-1"}}
    children = Children()
    assert RemoteUndo(children)(None, child(modify), "cancelled", parent)  # type: ignore[arg-type]
    (said,) = notes(parent)
    assert "service order so-1 re-configured service qos-1 in the next component" in said
    assert said.endswith("it stays")
    assert children.placed == []  # nothing to cease: it added nothing


def test_a_refused_cancel_is_noted_on_the_order_being_undone() -> None:
    parent = dict(PARENT)
    added = {"id": "1", "action": "add", "state": "completed", "service": {"id": "cfs-1"}}
    children = Children()
    children.tasks.by_id[internal_task_id("so-1")] = {
        "state": "terminatedWithError",
        "completionMessage": "past its point of no return",
    }
    assert RemoteUndo(children)(None, child(added), "cancelled", parent)  # type: ignore[arg-type]
    (said,) = notes(parent)
    assert said.startswith("ServiceOrder so-1 refused its cancellation")
    assert children.placed == []  # what it did stays: no cease ordered
