"""The bundle rules of domain/bundles.py: members from the bundle's list, within the TMF620
bundledProductOfferingOption limits (quantities count), one bundle per member."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cascade.domain.bundles import bundle_problems, members_of


def option(offering: str, lower: int | None = None, upper: int | None = None) -> dict[str, Any]:
    limits = {}
    if lower is not None:
        limits["numberRelOfferLowerLimit"] = lower
    if upper is not None:
        limits["numberRelOfferUpperLimit"] = upper
    return {"id": offering, "bundledProductOfferingOption": limits}


OFFERINGS: dict[str, Mapping[str, Any]] = {
    "bundle": {
        "id": "bundle",
        "isBundle": True,
        "bundledProductOffering": [option("bb", 1, 1), option("tv", 0, 2), option("ip")],
    },
    "other-bundle": {"id": "other-bundle", "isBundle": True, "bundledProductOffering": []},
    "bb": {"id": "bb"},
    "tv": {"id": "tv"},
    "ip": {"id": "ip"},
    "mobile": {"id": "mobile"},
}


def add(item_id: str, offering: str, *bundles: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "action": "add", "productOffering": {"id": offering}}
    if bundles:
        item["productOrderItemRelationship"] = [
            {"id": member, "relationshipType": "bundles"} for member in bundles
        ]
    return {**item, **extra}


def problems(*items: dict[str, Any]) -> list[str]:
    return bundle_problems(items, OFFERINGS.get)


def test_a_bundle_within_its_limits_has_no_problem() -> None:
    assert problems(add("b", "bundle", "1", "2"), add("1", "bb"), add("2", "tv", quantity=2)) == []
    assert problems(add("b", "bundle", "1"), add("1", "bb"), add("9", "mobile")) == []
    assert members_of(add("b", "bundle", "1", "1", "2")) == ("1", "2")


def test_limits_count_quantities() -> None:
    assert problems(add("b", "bundle", "2"), add("2", "tv")) == [
        "item b: the bundle takes at least 1 of 'bb' (bb); the order has 0"
    ]
    assert problems(add("b", "bundle", "1", "2"), add("1", "bb"), add("2", "tv", quantity=3)) == [
        "item b: the bundle takes at most 2 of 'tv' (tv); the order has 3"
    ]


def test_members_must_be_listed_added_and_no_bundles() -> None:
    found = problems(
        add("b", "bundle", "1", "2", "3"),
        add("1", "bb"),
        add("2", "mobile"),
        {"id": "3", "action": "delete", "productOffering": {"id": "tv"}},
    )
    assert found == [
        "item 2: productOffering 'mobile' is not one the bundle of item b bundles "
        "(it bundles: bb, ip, tv)",
        "item 3: a bundle member is added with its bundle (item b)",
    ]


def test_a_member_belongs_to_one_bundle() -> None:
    found = problems(add("a", "bundle", "1"), add("b", "bundle", "1"), add("1", "bb"))
    assert found == ["item 1 is bundled by item a and by item b; a member belongs to one bundle"]


def test_a_bundle_item_is_one_add_with_members() -> None:
    assert problems(add("b", "bundle", "1", quantity=2), add("1", "bb")) == [
        "item b: a bundle item has quantity 1; order each bundle as an item of its own, "
        "with its members"
    ]
    assert problems(add("b", "bundle")) == [
        "item b: the bundle names no member items (relationshipType bundles)",
        "item b: the bundle takes at least 1 of 'bb' (bb); the order has 0",
    ]
    assert problems(add("x", "mobile", "1"), add("1", "bb")) == [
        "item x: productOffering 'mobile' is not a bundle, so it bundles no items"
    ]
