"""TMF637, TMF638 and TMF639 v5 beside v4 (docs/versions.md): the TMF630 contract run against
each v5 inventory resource, the official examples written through v5 and read through v4, and
records written through v4 read through v5."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import pytest
from litestar.testing import TestClient

from cascade.tmf.spec import load_swagger
from tests.api.contract import ResourceContract, api_by_code
from tests.api.official_schemas import OfficialSchemas

Client = TestClient[Any]
PRODUCTS4 = "/tmf-api/productInventory/v4/product"
PRODUCTS5 = "/tmf-api/productInventory/v5/product"
PRODUCT5_FILE = "TMF637-ProductInventory-v5.0.0.oas.yaml"
PRODUCT4_FILE = "TMF637-ProductInventory-v4.0.0.swagger.json"
PARTY5 = {
    "role": "customer",
    "partyOrPartyRole": {
        "id": "party-42",
        "name": "Alice",
        "@type": "PartyRef",
        "@referredType": "Individual",
    },
    "@type": "RelatedPartyOrPartyRole",
}
SERVICES4 = "/tmf-api/serviceInventory/v4/service"
SERVICES5 = "/tmf-api/serviceInventory/v5/service"
SERVICE5_FILE = "TMF638-ServiceInventory-v5.0.0.oas.yaml"
SERVICE4_FILE = "TMF638-ServiceInventory-v4.0.0.swagger.json"
RESOURCES4 = "/tmf-api/resourceInventoryManagement/v4/resource"
RESOURCES5 = "/tmf-api/resourceInventoryManagement/v5/resource"
RESOURCE5_FILE = "TMF639-ResourceInventory-v5.0.0.oas.yaml"
RESOURCE4_FILE = "TMF639-ResourceInventory-v4.0.0.swagger.json"
SPEC = {"id": "ss-1", "name": "Access"}
HUB5: dict[str, Any] = {"callback": "http://127.0.0.1:9/listener", "@type": "Hub"}


def official_example(filename: str, name: str) -> dict[str, Any]:
    value: dict[str, Any] = copy.deepcopy(
        load_swagger(filename)["components"]["examples"][name]["value"]
    )
    return value


class TestProductInventoryV5(ResourceContract):
    api_code, resource_name = "tmf637v5", "product"
    body: ClassVar[dict[str, Any]] = {
        "@type": "Product",
        "status": "active",
        "name": "Fibre",
        "productOffering": {"id": "po-1", "@type": "ProductOfferingRef"},
        "relatedParty": [PARTY5],
    }
    text_attribute = "description"
    dotted = ("relatedParty.partyOrPartyRole.id", "party-42")
    wrong_type: ClassVar[dict[str, Any]] = {"status": "sleeping"}
    ended: ClassVar[dict[str, Any]] = {"status": "terminated"}
    hub_body = HUB5


class TestServiceInventoryV5(ResourceContract):
    api_code, resource_name = "tmf638v5", "service"
    body: ClassVar[dict[str, Any]] = {
        "@type": "Service",
        "state": "active",
        "serviceSpecification": {**SPEC, "@type": "ServiceSpecificationRef"},
        "relatedParty": [{**PARTY5, "@type": "RelatedPartyRefOrPartyRoleRef"}],
    }
    text_attribute = "description"
    dotted = ("relatedParty.partyOrPartyRole.id", "party-42")
    wrong_type: ClassVar[dict[str, Any]] = {"isStateful": "yes"}
    ended: ClassVar[dict[str, Any]] = {"state": "terminated"}
    hub_body = HUB5


class TestResourceInventoryV5(ResourceContract):
    api_code, resource_name = "tmf639v5", "resource"
    body: ClassVar[dict[str, Any]] = {
        "@type": "Resource",
        "name": "vlan-100",
        "resourceSpecification": {**SPEC, "@type": "ResourceSpecificationRef"},
        "relatedParty": [{**PARTY5, "@type": "RelatedPartyRefOrPartyRoleRef"}],
    }
    text_attribute = "description"
    dotted = ("relatedParty.partyOrPartyRole.id", "party-42")
    wrong_type: ClassVar[dict[str, Any]] = {"administrativeState": "exploded"}
    hub_body = HUB5


def test_official_product_example_written_in_v5_reads_in_v4(
    client: Client, official: OfficialSchemas
) -> None:
    body = official_example(PRODUCT5_FILE, "CreateProduct_request")
    # The service it names must exist (Cascade refuses a dangling inventory reference).
    service = client.post(SERVICES4, json={"state": "active", "serviceSpecification": SPEC})
    body["realizingService"][0]["id"] = service.json()["id"]
    answer = client.post(PRODUCTS5, json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    official.check(PRODUCT5_FILE, "Product", created)
    assert {k: created[k] for k in body} == body
    v4 = client.get(f"{PRODUCTS4}/{created['id']}").json()
    official.check(PRODUCT4_FILE, "Product", v4)
    assert v4["relatedParty"] == [
        {
            "role": "User",
            "id": "45hj-999",
            "href": "https://host:port/partyManagement/v5/individual/45hj-999",
            "name": "Louise",
            "@referredType": "Individual",
            "@type": "RelatedParty",
        }
    ]
    assert v4["place"][0]["id"] == "9912" and "place" not in v4["place"][0]
    assert client.get(created["href"]).json() == created


def test_an_agreement_item_goes_both_ways(client: Client, official: OfficialSchemas) -> None:
    """v5's `AgreementItemRef` (`agreementId`, no `id`) is v4's `AgreementRef` (`id`
    required): stored as the v4 one with `agreementItemId` kept, shown back as given."""
    item = {
        "agreementId": "agr-7",
        "agreementItemId": "3",
        "agreementName": "Framework",
        "agreementHref": "https://host/agreementManagement/v4/agreement/agr-7",
        "@type": "AgreementItemRef",
    }
    body = {"@type": "Product", "status": "active", "name": "Fibre", "agreementItem": [item]}
    answer = client.post(PRODUCTS5, json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    official.check(PRODUCT5_FILE, "Product", created)
    assert created["agreementItem"] == [item]
    v4 = client.get(f"{PRODUCTS4}/{created['id']}").json()
    official.check(PRODUCT4_FILE, "Product", v4)
    assert v4["agreement"] == [
        {
            "id": "agr-7",
            "agreementItemId": "3",
            "name": "Framework",
            "href": "https://host/agreementManagement/v4/agreement/agr-7",
            "@type": "AgreementItemRef",
        }
    ]
    found = client.get(PRODUCTS5, params={"agreementItem.agreementId": "agr-7"}).json()
    assert [p["id"] for p in found] == [created["id"]]


def test_v4_product_shown_in_v5_terms(client: Client, official: OfficialSchemas) -> None:
    """A record as Cascade's controllers write it (tests/api/chain_records.py), seen in v5."""
    body = {
        "status": "active",
        "name": "Fibre",
        "agreement": [{"id": "a-1"}],
        "productOrderItem": [
            {"productOrderId": "o-1", "orderItemId": "1", "orderItemAction": "add"}
        ],
        "productCharacteristic": [{"name": "downloadSpeed", "value": 500}],
        "relatedParty": [{"id": "p1", "role": "customer", "@referredType": "Individual"}],
    }
    placed = client.post(PRODUCTS4, json=body).json()
    shown = client.get(f"{PRODUCTS5}/{placed['id']}").json()
    official.check(PRODUCT5_FILE, "Product", shown)
    assert shown["agreementItem"] == [{"agreementId": "a-1", "@type": "AgreementItemRef"}]
    assert shown["productOrderItem"] == [
        {
            "orderId": "o-1",
            "orderItemId": "1",
            "orderItemAction": "add",
            "@type": "RelatedOrderItem",
        }
    ]
    assert shown["productCharacteristic"][0]["@type"] == "IntegerCharacteristic"
    assert shown["relatedParty"][0]["partyOrPartyRole"]["id"] == "p1"
    listed = client.get(PRODUCTS5, params={"productOrderItem.orderId": "o-1"}).json()
    assert [p["id"] for p in listed] == [placed["id"]]
    assert client.get(f"{PRODUCTS4}/{placed['id']}").json() == placed


def test_inventory_docs_served(client: Client) -> None:
    for code in ("tmf637v5", "tmf638v5", "tmf639v5"):
        api = api_by_code(code)
        assert client.get(f"/docs/{code}").status_code == 200
        described = client.get(f"{api.base_path}/openapi.json").json()
        assert described["openapi"] == "3.0.1"
        (resource,) = api.resources
        assert api.operations(resource) == {"list", "create", "retrieve", "patch", "delete"}


@pytest.mark.parametrize("code", ["tmf637v5", "tmf638v5", "tmf639v5"])
def test_type_required(client: Client, code: str) -> None:
    api = api_by_code(code)
    (resource,) = api.resources
    refused = client.post(f"{api.base_path}/{resource.name}", json={"name": "x"})
    assert refused.status_code == 400, refused.text
    assert "@type" in refused.json()["message"]


def test_official_service_example_written_in_v5_reads_in_v4(
    client: Client, official: OfficialSchemas
) -> None:
    body = official_example(SERVICE5_FILE, "Create_Service_request")
    # Erratum of the example: its feature names `featureCharacteritic` (sic); v5's Feature
    # defines `featureCharacteristic`, which v4's Feature requires.
    feature = body["feature"][0]
    feature["featureCharacteristic"] = feature.pop("featureCharacteritic")
    related = client.post(SERVICES4, json={"state": "active", "serviceSpecification": SPEC})
    body["serviceRelationship"][0]["service"]["id"] = related.json()["id"]
    answer = client.post(SERVICES5, json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    official.check(SERVICE5_FILE, "Service", created)
    assert {k: created[k] for k in body} == body
    v4 = client.get(f"{SERVICES4}/{created['id']}").json()
    official.check(SERVICE4_FILE, "Service", v4)
    assert v4["relatedParty"][0]["id"] == "456" and v4["place"][0]["id"] == "2435"
    assert client.get(created["href"]).json() == created


def test_v4_service_shown_in_v5_terms(client: Client, official: OfficialSchemas) -> None:
    """A record as Cascade's controllers write it (fulfilment/layers/inventory.py)."""
    body = {
        "state": "active",
        "category": "CFS",
        "serviceSpecification": SPEC,
        "serviceCharacteristic": [{"name": "vlan", "value": 100}],
        "serviceOrderItem": [{"serviceOrderId": "so-1", "itemId": "1", "itemAction": "add"}],
        "relatedParty": [{"id": "p1", "role": "customer", "@referredType": "Individual"}],
    }
    placed = client.post(SERVICES4, json=body).json()
    shown = client.get(f"{SERVICES5}/{placed['id']}").json()
    official.check(SERVICE5_FILE, "Service", shown)
    assert shown["serviceCharacteristic"][0]["@type"] == "IntegerCharacteristic"
    assert shown["serviceOrderItem"][0]["@type"] == "RelatedServiceOrderItem"
    assert shown["relatedParty"][0]["partyOrPartyRole"]["id"] == "p1"
    listed = client.get(SERVICES5, params={"relatedParty.partyOrPartyRole.id": "p1"}).json()
    assert [s["id"] for s in listed] == [placed["id"]]
    assert client.get(f"{SERVICES4}/{placed['id']}").json() == placed


def test_official_resource_example_written_in_v5_reads_in_v4(
    client: Client, official: OfficialSchemas
) -> None:
    body = official_example(RESOURCE5_FILE, "CreateResource_with_references_to_SubResource_request")
    # Erratum of the example: its specification's href starts with a space (not a URI).
    body["resourceSpecification"]["href"] = body["resourceSpecification"]["href"].strip()
    for relationship in body.get("resourceRelationship", []):  # they must exist
        target = client.post(RESOURCES4, json={"name": "part", "resourceSpecification": SPEC})
        relationship["resource"]["id"] = target.json()["id"]
    answer = client.post(RESOURCES5, json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    official.check(RESOURCE5_FILE, "Resource", created)
    assert {k: created[k] for k in body} == body
    v4 = client.get(f"{RESOURCES4}/{created['id']}").json()
    official.check(RESOURCE4_FILE, "Resource", v4)
    assert v4["relatedParty"][0]["name"] == "John Doe"
    assert v4["place"]["role"] == "installationAddress" and "place" not in v4["place"]  # one
    assert client.get(created["href"]).json() == created


def test_v4_resource_shown_in_v5_terms(client: Client, official: OfficialSchemas) -> None:
    """A record as Cascade's controllers write it; v4's resourceStatus said by a v5 status."""
    body = {
        "name": "gpon-port-1",
        "resourceStatus": "available",
        "resourceSpecification": SPEC,
        "resourceCharacteristic": [{"name": "port", "value": 3}],
        "relatedParty": [{"id": "p1", "role": "customer", "@referredType": "Individual"}],
    }
    placed = client.post(RESOURCES4, json=body).json()
    shown = client.get(f"{RESOURCES5}/{placed['id']}").json()
    official.check(RESOURCE5_FILE, "Resource", shown)
    assert shown["@type"] == "Resource" and shown["availabilityStatus"] == "online"
    assert "resourceStatus" not in shown
    assert shown["resourceCharacteristic"][0]["@type"] == "IntegerCharacteristic"
    listed = client.get(RESOURCES5, params={"relatedParty.partyOrPartyRole.id": "p1"}).json()
    assert [r["id"] for r in listed] == [placed["id"]]
    assert client.get(f"{RESOURCES4}/{placed['id']}").json() == placed


def test_resource_statuses_between_v4_and_v5(client: Client, official: OfficialSchemas) -> None:
    """v5's statuses written through v5 are v4's resourceStatus (and kept under their v5
    names where v4 has no value); a v4 change of resourceStatus is what v5 then shows."""
    body = {
        "@type": "LogicalResource",
        "name": "vlan-7",
        "availabilityStatus": "online",
        "controlStatus": "suspended",
        "allocationStatus": "allocated",
        "administrativeState": "shuttingDown",
    }
    created = client.post(RESOURCES5, json=body).json()
    url4, url5 = f"{RESOURCES4}/{created['id']}", f"{RESOURCES5}/{created['id']}"
    v4 = client.get(url4).json()
    official.check(RESOURCE4_FILE, "Resource", v4)
    assert (v4["resourceStatus"], v4["administrativeState"]) == ("suspended", "shutdown")
    assert (v4["availabilityStatus"], v4["allocationStatus"]) == ("online", "allocated")
    assert {k: created[k] for k in body} == body and "resourceStatus" not in created
    lifted = client.patch(url5, json={"controlStatus": None})  # merge patch: removed
    assert lifted.status_code == 200, lifted.text
    assert client.get(url4).json()["resourceStatus"] == "available"
    patched = client.patch(url4, json={"resourceStatus": "standby"})
    assert patched.status_code == 200, patched.text
    shown = client.get(url5).json()
    official.check(RESOURCE5_FILE, "Resource", shown)
    assert shown["standbyStatus"] == "coldStandby" and "availabilityStatus" not in shown
    assert shown["allocationStatus"] == "allocated"
