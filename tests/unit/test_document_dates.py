"""The write path's date-time walk (tmf/document_dates.py): every date-time the schema knows
of is normalised, however deep, including through recursive definitions; nothing else moves."""

from __future__ import annotations

from typing import Any

import pytest

from cascade.tmf.document_dates import normalize_dates
from cascade.tmf.errors import TmfError
from cascade.tmf.schema import Shape, ShapeBuilder

DEFINITIONS: dict[str, Any] = {
    "Order": {
        "type": "object",
        "properties": {
            "orderDate": {"type": "string", "format": "date-time"},
            "label": {"type": "string"},
            "note": {"type": "array", "items": {"$ref": "#/definitions/Note"}},
            "item": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
            "plain": {"$ref": "#/definitions/Plain"},
        },
    },
    "Note": {"type": "object", "properties": {"date": {"type": "string", "format": "date-time"}}},
    # An item's own items are items: the only date-time is reached through the cycle.
    "Item": {
        "type": "object",
        "properties": {
            "item": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
            "term": {"$ref": "#/definitions/Term"},
        },
    },
    "Term": {
        "type": "object",
        "properties": {
            "parent": {"$ref": "#/definitions/Item"},
            "ends": {"$ref": "#/definitions/When"},
        },
    },
    "When": {"type": "string", "format": "date-time"},
    "Plain": {"type": "object", "properties": {"since": {"type": "string"}}},
}


def order_shape() -> Shape:
    return ShapeBuilder(DEFINITIONS).definition("Order")


def test_every_date_time_is_normalised_however_deep() -> None:
    document = {
        "orderDate": "2026-01-01T10:00:00+02:00",
        "label": "2026-01-01T10:00:00+02:00",  # a string, not a date-time: left alone
        "note": [{"date": "2026-01-01T08:00:00Z"}, "not an object"],
        "item": [{"item": [{"item": [{"term": {"ends": "2026-03-01T00:00:00-01:00"}}]}]}],
        "plain": {"since": "2026-01-01T10:00:00+02:00"},
    }
    normalize_dates(document, order_shape())
    assert document == {
        "orderDate": "2026-01-01T08:00:00.000Z",
        "label": "2026-01-01T10:00:00+02:00",
        "note": [{"date": "2026-01-01T08:00:00.000Z"}, "not an object"],
        "item": [{"item": [{"item": [{"term": {"ends": "2026-03-01T01:00:00.000Z"}}]}]}],
        "plain": {"since": "2026-01-01T10:00:00+02:00"},
    }


def test_a_date_time_behind_a_cycle_back_to_its_parent_is_found() -> None:
    document = {"item": [{"term": {"parent": {"term": {"ends": "2026-03-01T00:00:00Z"}}}}]}
    normalize_dates(document, order_shape())
    assert document["item"][0]["term"]["parent"]["term"]["ends"] == "2026-03-01T00:00:00.000Z"


def test_canonical_date_times_are_kept_and_values_of_other_types_ignored() -> None:
    document = {"orderDate": "2026-01-01T08:00:00.000Z", "note": [{"date": 12}], "item": {}}
    normalize_dates(document, order_shape())
    assert document == {"orderDate": "2026-01-01T08:00:00.000Z", "note": [{"date": 12}], "item": {}}


@pytest.mark.parametrize(
    "bad",
    ["next tuesday", "2026-02-30T00:00:00.000Z", "2026-13-01T00:00:00.000Z"],
)
def test_a_bad_date_time_is_a_400_naming_the_attribute(bad: str) -> None:
    document = {"item": [{"term": {"ends": bad}}]}
    with pytest.raises(TmfError) as raised:
        normalize_dates(document, order_shape())
    assert (raised.value.status, raised.value.code) == (400, "invalidBody")
    assert raised.value.message.startswith("ends: ")
    assert document["item"][0]["term"]["ends"] == bad
