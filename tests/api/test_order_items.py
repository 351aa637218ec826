"""An order whose items break a rule the request alone shows is refused with a TMF Error
(400 `invalidOrderItem`) and nothing is stored: product, service and resource orders alike.
A PATCH that would make the items so is refused the same way."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
SO = "/tmf-api/serviceOrdering/v4/serviceOrder"
RO = "/tmf-api/resourceOrderingManagement/v4/resourceOrder"

SERVICE = {"serviceSpecification": {"id": "rfs-static-ip-assignment"}}
RESOURCE = {"id": "r-1", "href": "/r-1", "resourceSpecification": {"id": "rs-vlan"}}


def product_item(item_id: str, *relies_on: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id,
        "action": "add",
        "productOffering": {"id": "po-mobile-line"},
        **extra,
    }
    if relies_on:
        item["productOrderItemRelationship"] = [
            {"id": other, "relationshipType": "reliesOn"} for other in relies_on
        ]
    return item


def service_item(item_id: str, *relies_on: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "action": "add", "service": SERVICE, **extra}
    if relies_on:
        item["serviceOrderItemRelationship"] = [
            {"relationshipType": "reliesOn", "orderItem": {"id": other, "itemId": other}}
            for other in relies_on
        ]
    return item


def resource_item(item_id: str, *relies_on: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "action": "add", "resource": RESOURCE, **extra}
    if relies_on:
        item["orderItemRelationship"] = [
            {"relationshipType": "reliesOn", "orderItem": {"itemId": other}} for other in relies_on
        ]
    return item


ORDERS = {
    PO: ("productOrderItem", product_item),
    SO: ("serviceOrderItem", service_item),
    RO: ("orderItem", resource_item),
}

# (what the case shows, the items, a part of the message) for each of the three orders.
CASES: list[tuple[str, Any, str]] = [
    (
        "duplicate ids",
        lambda make: [make("1"), make("1")],
        "item id 1 is used by 2 items; item ids must be unique within an order",
    ),
    ("unknown item", lambda make: [make("1", "9")], "names item 9, which is not in the order"),
    ("itself", lambda make: [make("1", "1")], "names the item itself"),
    (
        "circle",
        lambda make: [make("1", "2"), make("2", "1")],
        "items 1, 2 wait for each other in a circle",
    ),
    (
        "quantity",
        lambda make: [make("1", quantity=0)],
        "item 1: quantity 0 is not a whole number of at least 1",
    ),
]


def refused(client: TestClient[Any], path: str, body: dict[str, Any], message: str) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "invalidOrderItem"
    assert error["status"] == "400" and error["reason"] == "Bad Request"
    assert message in error["message"], error["message"]


def stored(client: TestClient[Any], path: str) -> int:
    response = client.get(path)
    assert response.status_code == 200
    return int(response.headers["X-Total-Count"])


@pytest.mark.parametrize("path", list(ORDERS))
@pytest.mark.parametrize(("case", "items", "message"), CASES, ids=[c[0] for c in CASES])
def test_unsound_items_are_refused_and_nothing_is_stored(
    client: TestClient[Any], path: str, case: str, items: Any, message: str
) -> None:
    array, make = ORDERS[path]
    refused(client, path, {array: items(make)}, message)
    assert stored(client, path) == 0


def test_the_issue_examples_are_refused(client: TestClient[Any]) -> None:
    """Two adds of the mobile line under one id; a quantity on a change (one product)."""
    mobile = product_item("1")
    refused(client, PO, {"productOrderItem": [mobile, mobile]}, "item ids must be unique")
    cease = {"id": "1", "action": "delete", "quantity": 2, "product": {"id": "p-1"}}
    refused(client, PO, {"productOrderItem": [cease]}, "quantity 2 on a 'delete' item")
    refused(client, PO, {"productOrderItem": [product_item("1", quantity=101)]}, "more than 100")
    assert stored(client, PO) == 0


def test_quantity_makes_many_products_but_one_service_or_resource(
    client: TestClient[Any],
) -> None:
    """TMF622 honours quantity on an add (ADR 0021); TMF641 and TMF652 items make one."""
    response = client.post(PO, json={"productOrderItem": [product_item("1", quantity=5)]})
    assert response.status_code == 201, response.text
    for path in (SO, RO):
        array, make = ORDERS[path]
        refused(client, path, {array: [make("1", quantity=5)]}, "quantity 5 is not supported")


def test_two_changes_of_one_service_or_resource_are_refused(client: TestClient[Any]) -> None:
    """Which of a modify and a delete of one service would it end as? Neither is stored."""
    for path, entity in ((SO, "service"), (RO, "resource")):
        array, make = ORDERS[path]
        modify = make("1", action="modify", **{entity: {"id": "x-1"}})
        cease = make("2", action="delete", **{entity: {"id": "x-1"}})
        message = f"item 2: {entity} 'x-1' is changed by item 1 too"
        refused(client, path, {array: [modify, cease]}, message)
        other = make("3", action="delete", **{entity: {"id": "x-2"}})
        adds = [make("4"), make("5")]  # adds name no existing service or resource
        assert client.post(path, json={array: [modify, other, *adds]}).status_code == 201
    assert stored(client, SO) == stored(client, RO) == 1


def test_nested_items_are_refused(client: TestClient[Any]) -> None:
    nested = product_item("1", productOrderItem=[product_item("2")])
    refused(client, PO, {"productOrderItem": [nested]}, "nested productOrderItem (bundles)")
    nested_service = service_item("1", serviceOrderItem=[service_item("2")])
    refused(client, SO, {"serviceOrderItem": [nested_service]}, "nested serviceOrderItem")
    assert stored(client, PO) == stored(client, SO) == 0


def test_an_item_of_another_service_order_cannot_be_related(client: TestClient[Any]) -> None:
    item = service_item("1")
    item["serviceOrderItemRelationship"] = [
        {
            "relationshipType": "reliesOn",
            "orderItem": {"id": "1", "itemId": "1", "serviceOrderId": "so-9"},
        }
    ]
    refused(client, SO, {"serviceOrderItem": [item]}, "names item 1 of order so-9")


def test_sound_items_are_accepted(client: TestClient[Any]) -> None:
    for path, (array, make) in ORDERS.items():
        body = {array: [make("1", quantity=1), make("2", "1")]}
        response = client.post(path, json=body)
        assert response.status_code == 201, response.text


def test_a_patch_cannot_make_the_items_unsound(client: TestClient[Any]) -> None:
    created = client.post(PO, json={"productOrderItem": [product_item("1"), product_item("2")]})
    assert created.status_code == 201, created.text
    order = created.json()
    items = order["productOrderItem"]
    items[1]["id"] = "1"
    response = client.patch(f"{PO}/{order['id']}", json={"productOrderItem": items})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalidOrderItem"
    after = client.get(f"{PO}/{order['id']}").json()
    assert [item["id"] for item in after["productOrderItem"]] == ["1", "2"]


PLACE = [{"id": "addr-2", "role": "installationAddress"}]
MOVE = {"id": "1", "action": "modify", "product": {"id": "p-1", "place": PLACE}}

# What an order may carry that Cascade would not act on: (path, body, message).
UNHEEDED = [
    (
        PO,
        {"productOrderItem": [product_item("1", product={"product": [{"id": "p-9"}]})]},
        "item 1: product.product is not supported: order each product as an item",
    ),
    (
        PO,
        {"productOrderItem": [MOVE]},
        "item 1: product.place on a 'modify' item is not supported: a product is not moved",
    ),
    (
        SO,
        {
            "serviceOrderItem": [service_item("1")],
            "orderRelationship": [{"id": "so-1", "relationshipType": "dependency"}],
        },
        "orderRelationship is not supported: Cascade does not wait for other service orders",
    ),
    (
        SO,
        {
            "serviceOrderItem": [
                {
                    **service_item("1"),
                    "service": {
                        **SERVICE,
                        "feature": [
                            {
                                "name": "multicast",
                                "featureCharacteristic": [{"name": "groups", "value": 4}],
                            }
                        ],
                    },
                }
            ]
        },
        "item 1: service.feature is not supported",
    ),
    (
        SO,
        {
            "serviceOrderItem": [
                {**service_item("1"), "service": {**SERVICE, "supportingResource": [{"id": "r-1"}]}}
            ]
        },
        "item 1: service.supportingResource on a 'add' item is not supported",
    ),
]


UNHEEDED.append(
    (
        SO,
        {
            "serviceOrderItem": [
                {**service_item("1"), "service": {**SERVICE, "isServiceEnabled": False}}
            ]
        },
        "item 1: service.isServiceEnabled False on a 'add' item is not supported",
    )
)

# What a change overwrote is Cascade's to keep (ADR 0032): a client cannot plant it.
KEPT: dict[str, Any] = {"cascadeBefore": {"record": {"serviceCharacteristic": []}}}
UNHEEDED += [
    (PO, {"productOrderItem": [product_item("1", **KEPT)]}, "item 1: cascadeBefore is not"),
    (SO, {"serviceOrderItem": [service_item("1", **KEPT)]}, "item 1: cascadeBefore is not"),
]


@pytest.mark.parametrize(("path", "body", "message"), UNHEEDED)
def test_what_cascade_would_not_act_on_is_refused(
    client: TestClient[Any], path: str, body: dict[str, Any], message: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "unsupportedAttribute"
    assert message in error["message"], error["message"]
    assert stored(client, path) == 0


def test_what_cascade_acts_on_is_accepted(client: TestClient[Any]) -> None:
    item = product_item("1", product={"place": PLACE})
    assert client.post(PO, json={"productOrderItem": [item]}).status_code == 201
    enabled = {**service_item("1"), "service": {**SERVICE, "isServiceEnabled": True}}
    assert client.post(SO, json={"serviceOrderItem": [enabled]}).status_code == 201
