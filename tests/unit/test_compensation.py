"""Cancellation rules without a database: refusals, the undo order, the point-of-no-return mark."""

from __future__ import annotations

from typing import Any

import pytest

from cascade.domain.compensation import marks_point_of_no_return, refusal, undo_order


@pytest.mark.parametrize("state", ["acknowledged", "inProgress", "pending", "held"])
def test_a_running_order_may_be_cancelled(state: str) -> None:
    assert refusal(state) is None


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("completed", "a completed order cannot be cancelled"),
        ("failed", "failed"),
        ("partial", "partial"),
        ("rejected", "rejected"),
        ("cancelled", "already cancelled"),
        ("assessingCancellation", "another cancellation"),
        ("pendingCancellation", "another cancellation"),
    ],
)
def test_an_ended_or_cancelling_order_is_refused_with_the_reason(state: str, words: str) -> None:
    reason = refusal(state)
    assert reason is not None and words in reason


def _item(id_: str, *needs: str) -> dict[str, Any]:
    return {"id": id_, "needs": list(needs)}


def _order(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in undo_order(items, lambda i: i["id"], lambda i: i["needs"])]


def test_items_are_undone_before_the_items_they_rely_on() -> None:
    # 3 relies on 1; 2 relies on 3: undo 2, then 3, then 1.
    assert _order([_item("1"), _item("2", "3"), _item("3", "1")]) == ["2", "3", "1"]
    assert _order([_item("1"), _item("2")]) == ["2", "1"]  # unrelated: reverse order
    assert _order([_item("1", "2"), _item("2", "1")]) in (["1", "2"], ["2", "1"])  # a cycle
    assert _order([_item("1", "unknown")]) == ["1"]


def test_the_point_of_no_return_mark() -> None:
    mark = {
        "name": "pointOfNoReturn",
        "resourceSpecCharacteristicValue": [{"value": "activation"}],
    }
    resource = {"resourceSpecCharacteristic": [{"name": "vlan"}, mark]}
    assert marks_point_of_no_return(resource, "resourceSpecCharacteristic")
    assert not marks_point_of_no_return(resource, "specCharacteristic")
    service = {
        "specCharacteristic": [
            {"name": "pointOfNoReturn", "characteristicValueSpecification": [{"value": "x"}]}
        ]
    }
    assert not marks_point_of_no_return(service, "specCharacteristic")  # unknown point
    bare = {"specCharacteristic": [{"name": "pointOfNoReturn"}]}
    assert marks_point_of_no_return(bare, "specCharacteristic")
    assert not marks_point_of_no_return(None, "specCharacteristic")
