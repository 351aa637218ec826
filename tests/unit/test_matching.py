"""In-memory evaluation of filter conditions (the SQLite fallback and, later, hub queries)."""

from __future__ import annotations

from cascade.apis.v4.ordering import TMF622
from cascade.tmf.matching import matches
from cascade.tmf.query import parse_condition

SHAPE = TMF622.spec.shape("ProductOrder")
ORDER = {
    "state": "inProgress",
    "orderDate": "2026-03-01T00:00:00.000Z",
    "productOrderItem": [
        {"id": "1", "state": "completed", "quantity": 2},
        {"id": "2", "state": "inProgress", "productOrderItem": [{"id": "2.1", "quantity": 5}]},
    ],
}


def check(key: str, value: str) -> bool:
    return matches(ORDER, parse_condition(key, value, SHAPE))


def test_equality_any_element_of_arrays() -> None:
    assert check("productOrderItem.state", "completed")
    assert check("productOrderItem.state", "failed,inProgress")
    assert not check("productOrderItem.state", "failed")


def test_not_equal_means_no_element_equal() -> None:
    assert not check("productOrderItem.state.ne", "completed")
    assert check("productOrderItem.state.ne", "failed")


def test_numbers_and_instants_compare_by_value() -> None:
    assert check("productOrderItem.quantity.gt", "1.5")
    assert not check("productOrderItem.quantity.gt", "2")
    assert check("orderDate.lt", "2026-03-01T02:00:00+01:00")
    assert not check("orderDate.lt", "2026-03-01T01:00:00+01:00")


def test_missing_values_only_match_ne() -> None:
    assert not check("externalId", "x")
    assert check("externalId.ne", "x")
