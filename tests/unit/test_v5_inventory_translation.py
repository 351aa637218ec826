"""TMF637, TMF638 and TMF639 v5 <-> stored (v4) translation, round-tripped with real documents:
the official v5 examples and records as Cascade's controllers write them (docs/versions.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cascade.apis.v5.product import ProductView
from cascade.apis.v5.resource import ResourceView
from cascade.apis.v5.service import ServiceView
from cascade.tmf.declarations import View
from cascade.tmf.spec import load_swagger

PRODUCT_FILE = "TMF637-ProductInventory-v5.0.0.oas.yaml"
SERVICE_FILE = "TMF638-ServiceInventory-v5.0.0.oas.yaml"
RESOURCE_FILE = "TMF639-ResourceInventory-v5.0.0.oas.yaml"
# A resource record as fulfilment/layers/inventory.py writes it.
RESOURCE_RECORD: dict[str, Any] = {
    "id": "r-1",
    "href": "http://x/tmf-api/resourceInventoryManagement/v4/resource/r-1",
    "name": "gpon-port",
    "resourceSpecification": {"id": "rs-gpon-port", "name": "GPON port"},
    "resourceCharacteristic": [{"name": "port", "value": 3}],
    "resourceStatus": "available",
    "administrativeState": "unlocked",
    "startOperatingDate": "2026-01-01T00:00:00.000Z",
    "relatedParty": [{"id": "p1", "role": "customer", "@referredType": "Individual"}],
    "place": {"id": "pl-1", "role": "installationAddress"},
    "operationalState": "enable",
}
# A service record as fulfilment/layers/inventory.py record_service writes it.
SERVICE_RECORD: dict[str, Any] = {
    "id": "svc-1",
    "href": "http://x/tmf-api/serviceInventory/v4/service/svc-1",
    "name": "Access",
    "category": "CFS",
    "serviceSpecification": {"id": "ss-1", "name": "Access"},
    "serviceCharacteristic": [{"name": "vlan", "value": 100}, {"name": "mode", "value": "gpon"}],
    "state": "active",
    "hasStarted": True,
    "isServiceEnabled": True,
    "startDate": "2026-01-01T00:00:00.000Z",
    "serviceOrderItem": [{"serviceOrderId": "so-1", "itemId": "1", "itemAction": "add"}],
    "supportingResource": [{"id": "r-1", "href": "http://x/r/r-1", "@referredType": "Resource"}],
    "supportingService": [{"id": "svc-0", "href": "http://x/s/svc-0"}],
    "relatedParty": [{"id": "p1", "role": "customer", "@referredType": "Individual"}],
    "place": [{"id": "pl-1", "role": "installationAddress"}],
}
# A product record as fulfilment/layers/inventory.py record_product writes it.
PRODUCT_RECORD: dict[str, Any] = {
    "id": "prod-1",
    "href": "http://x/tmf-api/productInventory/v4/product/prod-1",
    "name": "Fibre broadband",
    "isBundle": False,
    "productOffering": {"id": "po-fibre-broadband", "name": "Fibre broadband"},
    "productSpecification": {"id": "ps-fibre", "name": "Fibre"},
    "productCharacteristic": [{"name": "downloadSpeed", "value": 500}],
    "status": "active",
    "startDate": "2026-01-01T00:00:00.000Z",
    "realizingService": [{"id": "svc-1", "href": "http://x/s/svc-1", "@referredType": "Service"}],
    "productOrderItem": [
        {
            "orderItemId": "1",
            "productOrderId": "o-1",
            "productOrderHref": "http://x/o/o-1",
            "orderItemAction": "add",
            "@referredType": "ProductOrderItem",
        }
    ],
    "productRelationship": [{"relationshipType": "reliesOn", "product": {"id": "prod-0"}}],
    "relatedParty": [{"id": "p1", "role": "customer", "@referredType": "Individual"}],
    "agreement": [{"id": "a-1"}],
}


def examples(filename: str, *names: str) -> list[dict[str, Any]]:
    found = load_swagger(filename)["components"]["examples"]
    return [copy.deepcopy(found[name]["value"]) for name in names]


def untyped(value: Any) -> Any:
    """The value without the `@type`s a v5 view adds (and v4 leaves optional)."""
    if isinstance(value, list):
        return [untyped(v) for v in value]
    if isinstance(value, dict):
        return {k: untyped(v) for k, v in value.items() if k != "@type"}
    return value


def round_trips(view: View, document: dict[str, Any]) -> None:
    """A v5 document stored and shown again is itself, and so is one more trip."""
    stored = view.to_stored(copy.deepcopy(document))
    assert view.from_stored(stored) == document
    assert view.to_stored(view.from_stored(stored)) == stored


@pytest.mark.parametrize(
    "document",
    examples(
        PRODUCT_FILE,
        "CreateProduct_request",
        "RetrieveProduct1_response",
        "RetrieveProduct2_response",
    ),
)
def test_official_products_round_trip(document: dict[str, Any]) -> None:
    round_trips(ProductView(), document)


def test_a_recorded_product_is_stored_unchanged_after_a_trip_through_v5() -> None:
    view = ProductView()
    shown = view.from_stored(copy.deepcopy(PRODUCT_RECORD))
    assert shown["agreementItem"] == [{"agreementId": "a-1", "@type": "AgreementItemRef"}]
    assert shown["productOrderItem"][0]["orderId"] == "o-1"
    assert shown["productRelationship"] == [
        {"relationshipType": "reliesOn", "id": "prod-0", "@type": "ProductRelationship"}
    ]
    assert shown["productCharacteristic"][0]["@type"] == "IntegerCharacteristic"
    back = view.to_stored(shown)
    assert untyped(back) == untyped(PRODUCT_RECORD)


@pytest.mark.parametrize(
    "document",
    examples(
        SERVICE_FILE,
        "Create_Service_request",
        "Service_retrieve_example_response",
        "Service_Intent_retrieve_example_response",
    ),
)
def test_official_services_round_trip(document: dict[str, Any]) -> None:
    round_trips(ServiceView(), document)


def test_a_recorded_service_is_stored_unchanged_after_a_trip_through_v5() -> None:
    view = ServiceView()
    shown = view.from_stored(copy.deepcopy(SERVICE_RECORD))
    assert [c["@type"] for c in shown["serviceCharacteristic"]] == [
        "IntegerCharacteristic",
        "StringCharacteristic",
    ]
    assert shown["place"][0]["place"] == {"id": "pl-1", "@type": "PlaceRef"}
    assert shown["supportingService"][0]["@type"] == "ServiceRef"
    back = view.to_stored(shown)
    assert untyped(back) == untyped(SERVICE_RECORD)


@pytest.mark.parametrize(
    "document",
    examples(
        RESOURCE_FILE,
        "CreateResource_with_references_to_SubResource_request",
        "Resource_retrieve_example_response",
    ),
)
def test_official_resources_round_trip(document: dict[str, Any]) -> None:
    round_trips(ResourceView(), document)


def test_a_recorded_resource_is_stored_unchanged_after_a_trip_through_v5() -> None:
    view = ResourceView()
    shown = view.from_stored(copy.deepcopy(RESOURCE_RECORD))
    assert shown["place"] == [
        {
            "role": "installationAddress",
            "place": {"id": "pl-1", "@type": "PlaceRef"},
            "@type": "RelatedPlaceRef",
        }
    ]
    assert "resourceStatus" not in shown and shown["availabilityStatus"] == "online"
    assert shown["operationalState"] == "enabled"
    back = view.to_stored(shown)
    assert untyped(back) == untyped(RESOURCE_RECORD)


def test_several_v5_places_are_kept_beside_the_v4_one() -> None:
    view = ResourceView()
    places = [
        {"role": role, "place": {"id": id_, "@type": "PlaceRef"}, "@type": "RelatedPlaceRef"}
        for role, id_ in (("installationAddress", "pl-1"), ("billingAddress", "pl-2"))
    ]
    stored = view.to_stored({"@type": "Resource", "name": "x", "place": places})
    assert stored["place"] == {
        "role": "installationAddress",
        "id": "pl-1",
        "@type": "RelatedPlaceRefOrValue",
    }
    assert view.from_stored(stored)["place"] == places
    stored["place"] = {"id": "pl-9"}  # changed through v4: v4's place wins
    assert view.from_stored(stored)["place"][0]["place"]["id"] == "pl-9"
