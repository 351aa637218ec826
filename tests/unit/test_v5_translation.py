"""TMF622 v5 <-> stored (v4) translation, round-tripped with real documents: the official v5
examples and a v4 order (docs/versions.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema_rs import Draft7Validator, ValidationError

from cascade.apis.v5.common import value_type
from cascade.apis.v5.product import V5_FILE as PRODUCT_FILE
from cascade.apis.v5.product import ProductView
from cascade.apis.v5.product_order import V5_FILE, ProductOrderView
from cascade.tmf.oas3 import to_definitions
from tests.api.official_schemas import OfficialSchemas
from tests.api.test_v5_ordering import example

VIEW = ProductOrderView()
V4_ORDER: dict[str, Any] = {
    "id": "o-1",
    "href": "http://x/productOrder/o-1",
    "@type": "ProductOrder",
    "orderDate": "2026-01-01T00:00:00.000Z",
    "state": "acknowledged",
    "externalId": "E-1",
    "relatedParty": [
        {"id": "p1", "role": "customer", "@referredType": "Individual", "@type": "RelatedParty"}
    ],
    "productOrderItem": [
        {
            "id": "1",
            "action": "add",
            "state": "acknowledged",
            "product": {
                "agreement": [{"id": "a-1"}],
                "productRelationship": [
                    {"relationshipType": "reliesOn", "product": {"id": "prod-9"}}
                ],
                "productCharacteristic": [{"name": "speed", "value": 100}],
            },
        }
    ],
}


@pytest.mark.parametrize("name", ["CreateProductOrder1", "CreateProductOrder2"])
def test_v5_documents_come_back_as_they_were_stored(name: str) -> None:
    body = example(name)
    stored = VIEW.to_stored(body)
    assert VIEW.from_stored(stored) == body
    assert VIEW.from_stored(VIEW.to_stored(VIEW.from_stored(stored))) == body


def test_v5_bodies_are_stored_in_v4_terms() -> None:
    stored = VIEW.to_stored(example("CreateProductOrder2"))
    assert stored["externalId"] == "785"
    assert stored["externalIdentifier"][0]["externalIdentifierType"] == "POnumber"
    seller, customer = stored["relatedParty"]
    assert seller == {
        "role": "Seller",
        "id": "456-dd-df45",
        "href": "https://host:port/partyManagement/v5/individual/456-dd-df45",
        "name": "Joe Doe",
        "@referredType": "Individual",
        "@type": "RelatedParty",
    }
    assert customer["partyOrPartyRole"] == {"@type": "PartyRoleRef"}  # kept for v5


def test_a_v4_order_is_stored_unchanged_after_a_trip_through_v5() -> None:
    """What v4 stored, v5 shows and a v5 PATCH writes back, changes only by what v5 adds:
    `@type`s, typed characteristics and the related party's v5 classes."""
    shown = VIEW.from_stored(copy.deepcopy(V4_ORDER))
    assert shown["creationDate"] == V4_ORDER["orderDate"]
    product = shown["productOrderItem"][0]["product"]
    assert product["agreementItem"] == [{"agreementId": "a-1", "@type": "AgreementItemRef"}]
    assert product["productRelationship"] == [
        {"relationshipType": "reliesOn", "id": "prod-9", "@type": "ProductRelationship"}
    ]
    back = VIEW.to_stored(shown)
    assert back["orderDate"] == V4_ORDER["orderDate"] and "creationDate" not in back
    assert back["externalId"] == "E-1"
    assert back["relatedParty"] == V4_ORDER["relatedParty"]
    relationship = back["productOrderItem"][0]["product"]["productRelationship"][0]
    assert relationship == {"relationshipType": "reliesOn", "product": {"id": "prod-9"}}
    assert back["productOrderItem"][0]["product"]["agreement"][0]["id"] == "a-1"


def test_filters_name_the_stored_attribute() -> None:
    assert VIEW.stored_path("creationDate") == "orderDate"
    assert VIEW.stored_path("relatedParty.partyOrPartyRole.id") == "relatedParty.id"
    assert VIEW.stored_path("description") == "description"


@pytest.mark.parametrize(
    ("value", "typed"),
    [
        ("a", "String"),
        (1, "Integer"),
        (1.5, "Number"),
        (True, "Boolean"),
        ({"a": 1}, "Object"),
        (["a", "b"], "StringArray"),
        ([{"a": 1}], "ObjectArray"),
        ([1, "a"], ""),
        ([[1]], ""),
        (None, ""),
    ],
)
def test_characteristic_classes(value: Any, typed: str) -> None:
    assert value_type(value) == typed


def test_openapi3_conversion() -> None:
    schemas: dict[str, Any] = {
        "Base": {
            "type": "object",
            "properties": {
                "@type": {"type": "string"},
                "note": {"type": "string", "nullable": True},
            },
            "discriminator": {
                "propertyName": "@type",
                "mapping": {"Base": "#/components/schemas/Base", "Sub": "#/components/schemas/Sub"},
            },
        },
        "Sub": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"properties": {"n": {"type": "integer"}}},
            ]
        },
    }
    definitions = to_definitions(schemas)
    assert definitions["Sub"]["allOf"][0] == {"$ref": "#/definitions/Base__base"}
    assert definitions["Base__base"]["properties"]["note"] == {
        "anyOf": [{"type": "null"}, {"type": "string"}]
    }
    dispatch = definitions["Base"]
    assert dispatch["properties"]["@type"]["enum"] == ["Base", "Sub"]
    assert dispatch["x-dispatch"] == {"Sub": "#/definitions/Sub"}
    validate = Draft7Validator({**dispatch, "definitions": definitions}).validate
    validate({"@type": "Base", "n": "any"})
    validate({"@type": "Sub", "n": 1})
    for wrong in ({"@type": "Sub", "n": "x"}, {"@type": "Sub", "note": 1}, {"note": 1}):
        with pytest.raises(ValidationError):
            validate(wrong)


def test_a_dispatcher_of_many_classes_validates_each_against_its_own() -> None:
    """The dispatch is a halving tree of `if`s (cheaper than one `if` per class): every class
    is still validated against its own schema, and the base when `@type` names no subclass."""
    names = [f"C{n}" for n in range(7)]
    schemas: dict[str, Any] = {
        "Base": {
            "properties": {"@type": {"type": "string"}, "v": {}},
            "discriminator": {
                "propertyName": "@type",
                "mapping": {n: f"#/components/schemas/{n}" for n in ["Base", *names]},
            },
        },
        **{
            n: {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"properties": {"v": {"const": n}}},
                ]
            }
            for n in names
        },
    }
    definitions = to_definitions(schemas)
    validate = Draft7Validator({**definitions["Base"], "definitions": definitions}).validate
    for name in names:
        validate({"@type": name, "v": name})
        validate({"@type": "Base", "v": name})
        with pytest.raises(ValidationError, match="was expected"):
            validate({"@type": name, "v": "other"})


def test_a_v4_class_v5_does_not_know_is_shown_as_its_v5_class() -> None:
    """v4 takes any `@type`; a v5 reader refuses a discriminator value its file does not map,
    so v5 shows the class it knows (what is lost: docs/versions.md). The stored order keeps it."""
    stored = copy.deepcopy(V4_ORDER)
    stored["@type"] = "BroadbandOrder"
    stored["productOrderItem"][0]["@type"] = "FibreOrderItem"
    shown = VIEW.from_stored(copy.deepcopy(stored))
    assert shown["@type"] == "ProductOrder"
    assert shown["productOrderItem"][0]["@type"] == "ProductOrderItem"
    OfficialSchemas().check_shape(V5_FILE, "ProductOrder", shown)
    assert stored["@type"] == "BroadbandOrder"


def test_what_a_v5_class_cannot_hold_is_left_out() -> None:
    """v4 takes an object without what its v5 class requires and a product by value holding
    only reference attributes; v5 shows a by-value product as `Product` (a `ProductRef`
    needs an id) and leaves out a relationship naming no product (docs/versions.md)."""
    stored = copy.deepcopy(V4_ORDER)
    product = stored["productOrderItem"][0]["product"]
    product["name"] = "fibre"  # by value, no id: only attributes a reference also has
    del product["agreement"], product["productCharacteristic"]
    product["productRelationship"].append({"relationshipType": "bundled", "product": {}})
    shown = VIEW.from_stored(copy.deepcopy(stored))
    shown_product = shown["productOrderItem"][0]["product"]
    assert shown_product["@type"] == "Product"
    assert [r["id"] for r in shown_product["productRelationship"]] == ["prod-9"]
    OfficialSchemas().check_shape(V5_FILE, "ProductOrder", shown)


def test_what_v5_does_not_list_is_left_out_of_a_product() -> None:
    """TMF637 v4 takes any string as a related order item's action and any number as a
    term's duration; v5 lists the actions and counts durations in integers."""
    stored: dict[str, Any] = {
        "id": "p-1",
        "href": "http://x/product/p-1",
        "status": "active",
        "productOrderItem": [
            {"orderItemId": "1", "productOrderId": "o-1", "orderItemAction": "Add"},
            {"orderItemId": "2", "productOrderId": "o-1", "orderItemAction": "modify"},
        ],
        "productTerm": [{"name": "min", "duration": {"amount": 1.5, "units": "month"}}],
    }
    shown = ProductView().from_stored(copy.deepcopy(stored))
    assert [i.get("orderItemAction") for i in shown["productOrderItem"]] == [None, "modify"]
    assert "amount" not in shown["productTerm"][0]["duration"]
    OfficialSchemas().check_shape(PRODUCT_FILE, "Product", shown)
    stored["productTerm"][0]["duration"]["amount"] = 12.0  # a whole number: shown
    assert ProductView().from_stored(stored)["productTerm"][0]["duration"]["amount"] == 12
