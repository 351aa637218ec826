"""The rules an order's items must meet from the request alone (domain/order_items.py), for
product, service and resource orders alike."""

from __future__ import annotations

from typing import Any

import pytest

from cascade.apis.v4.ordering import PRODUCT_ITEMS, RESOURCE_ITEMS, SERVICE_ITEMS
from cascade.domain.order_items import ItemNames, item_problems


def product(item_id: str, *relies_on: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "action": "add", **extra}
    if relies_on:
        item["productOrderItemRelationship"] = [
            {"id": other, "relationshipType": "reliesOn"} for other in relies_on
        ]
    return item


def service(item_id: str, *relies_on: str, order: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "action": "add", "service": {}}
    refs = [
        {"itemId": other, **({"serviceOrderId": order} if order else {})} for other in relies_on
    ]
    if refs:
        item["serviceOrderItemRelationship"] = [
            {"relationshipType": "reliesOn", "orderItem": ref} for ref in refs
        ]
    return item


def products(*items: dict[str, Any]) -> list[str]:
    return item_problems({"productOrderItem": list(items)}, PRODUCT_ITEMS)


def test_sound_items_have_no_problem() -> None:
    assert products(product("1"), product("2", "1"), product("3", "1", "2")) == []
    assert (
        item_problems({"serviceOrderItem": [service("1"), service("2", "1")]}, SERVICE_ITEMS) == []
    )


def test_two_items_with_one_id_are_refused() -> None:
    (problem,) = products(product("1"), product("1"))
    assert problem == "item id 1 is used by 2 items; item ids must be unique within an order"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ((product("1", "9"),), "names item 9, which is not in the order"),
        ((product("1", "1"),), "names the item itself"),
        ((product("1", "2"), product("2", "1")), "items 1, 2 wait for each other in a circle"),
        (
            (product("1", "3"), product("2", "1"), product("3", "2")),
            "items 1, 3, 2 wait for each other in a circle",
        ),
    ],
)
def test_relationships_name_other_items_of_the_order(
    items: tuple[dict[str, Any], ...], expected: str
) -> None:
    problems = products(*items)
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_relationship_of_any_type_names_an_item_of_the_order() -> None:
    item = product("1")
    item["productOrderItemRelationship"] = [{"id": "7", "relationshipType": "bundles"}]
    assert products(item) == [
        "item 1: productOrderItemRelationship names item 7, which is not in the order"
    ]


@pytest.mark.parametrize("quantity", [0, -1, True, "2"])
def test_a_quantity_that_is_no_count_is_refused(quantity: Any) -> None:
    (problem,) = products(product("1", quantity=quantity))
    assert f"item 1: quantity {quantity} is not a whole number of at least 1" in problem
    assert products(product("1", quantity=1)) == []


def test_a_product_add_may_make_many_but_a_change_names_one() -> None:
    assert products(product("1", quantity=100)) == []
    (above,) = products(product("1", quantity=101))
    assert "item 1: quantity 101 is more than 100" in above
    for action in ("modify", "delete", "noChange"):
        (problem,) = products(product("1", quantity=2, action=action))
        assert f"item 1: quantity 2 on a '{action}' item: a change names one product" in problem


def test_a_bundle_item_waits_for_its_members_and_no_circle_is_allowed() -> None:
    bundle = product("b")
    bundle["productOrderItemRelationship"] = [{"id": "1", "relationshipType": "bundles"}]
    assert products(bundle, product("1")) == []
    assert "items 1, b wait for each other in a circle" in products(bundle, product("1", "b"))[0]


def test_nested_items_are_refused() -> None:
    (problem,) = products(product("1", productOrderItem=[product("1.1")]))
    assert "item 1: nested productOrderItem (bundles) are not supported" in problem


def test_service_items_name_items_of_the_same_order() -> None:
    names = SERVICE_ITEMS
    assert item_problems({"serviceOrderItem": [service("1", "2")]}, names) == [
        "item 1: serviceOrderItemRelationship names item 2, which is not in the order"
    ]
    (problem,) = item_problems(
        {"serviceOrderItem": [service("1", "2", order="other"), service("2")]}, names
    )
    assert "names item 2 of order other; only items of this order can be related" in problem
    loose = service("1")
    loose["serviceOrderItemRelationship"] = [{"relationshipType": "reliesOn", "orderItem": {}}]
    assert item_problems({"serviceOrderItem": [loose]}, names) == [
        "item 1: serviceOrderItemRelationship names no item"
    ]
    loose["serviceOrderItemRelationship"][0]["orderItem"] = {"id": "1", "itemId": "2"}
    assert item_problems({"serviceOrderItem": [loose, service("2")]}, names) == [
        "item 1: serviceOrderItemRelationship names one item by itemId and another by id"
    ]


def test_resource_items_follow_the_same_rules() -> None:
    names: ItemNames = RESOURCE_ITEMS
    one = {"id": "1", "action": "add", "resource": {}}
    two = {
        "id": "2",
        "action": "add",
        "quantity": 3,
        "orderItemRelationship": [{"relationshipType": "reliesOn", "orderItem": {"itemId": "2"}}],
    }
    problems = item_problems({"orderItem": [one, one, two]}, names)
    assert problems == [
        "item id 1 is used by 2 items; item ids must be unique within an order",
        "item 2: quantity 3 is not supported: an item delivers exactly one; "
        "order that many items instead",
        "item 2: orderItemRelationship names the item itself",
    ]


def test_a_long_chain_of_dependencies_is_no_recursion_limit() -> None:
    items = [product("0"), *(product(str(n), str(n - 1)) for n in range(1, 1000))]
    assert products(*items) == []
    items[0] = product("0", "999")
    (problem,) = products(*items)
    assert problem.startswith("items 0, 999, 998")
