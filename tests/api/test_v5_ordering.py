"""TMF622 v5 beside v4 (docs/versions.md): the TMF630 contract run against the v5 resources,
the official examples placed through v5 and read through v4, and the reverse, @type-driven
validation, and the interactive docs."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import pytest
from litestar.testing import TestClient

from cascade.tmf.patching import JSON_PATCH, JSON_PATCH_QUERY
from cascade.tmf.spec import load_swagger
from tests.api.contract import ResourceContract, api_by_code
from tests.api.official_schemas import OfficialSchemas
from tests.api.test_resources import CancelContract

Client = TestClient[Any]
V4 = "/tmf-api/productOrderingManagement/v4"
V5 = "/tmf-api/productOrderingManagement/v5"
V5_FILE = "TMF622-ProductOrdering-v5.0.0.oas.yaml"
V4_FILE = "TMF622-ProductOrdering-v4.0.0.swagger.json"
PARTY = {
    "role": "customer",
    "partyOrPartyRole": {
        "id": "party-42",
        "name": "Alice",
        "@type": "PartyRef",
        "@referredType": "Individual",
    },
    "@type": "RelatedPartyRefOrPartyRoleRef",
}


def example(name: str, *, corrected: bool = True) -> dict[str, Any]:
    """A request body of the official v5 file's examples (`CreateProductOrder1`), with its
    `@type` errata corrected (docs/versions.md): the file's examples name classes its
    discriminator mappings do not have."""
    examples = load_swagger(V5_FILE)["components"]["examples"]
    value: dict[str, Any] = copy.deepcopy(examples[f"{name}_request"]["value"])
    if corrected:
        for item_ in value["productOrderItem"]:
            for relationship in item_.get("productOrderItemRelationship", []):
                relationship["@type"] = "OrderItemRelationship"  # ProductOrderItemRelationship
            product = item_.get("product")
            if product and product["@type"] not in ("Product", "ProductRef"):
                product["@type"] = "Product"  # UNI
    return value


def without_item_states(order: dict[str, Any]) -> dict[str, Any]:
    order = copy.deepcopy(order)
    pending = list(order.get("productOrderItem", []))
    while pending:
        one = pending.pop()
        one.pop("state", None)
        pending.extend(one.get("productOrderItem", []))
    return order


def item(id_: str, offering: str) -> dict[str, Any]:
    return {
        "id": id_,
        "action": "add",
        "productOffering": {"id": offering, "@type": "ProductOfferingRef"},
        "@type": "ProductOrderItem",
    }


class TestProductOrderV5(ResourceContract):
    api_code, resource_name = "tmf622v5", "productOrder"
    body: ClassVar[dict[str, Any]] = {
        "@type": "ProductOrder",
        "externalId": [{"id": "ext-1", "@type": "ExternalIdentifier"}],
        "relatedParty": [PARTY],
        "requestedStartDate": "2026-12-01T09:00:00+01:00",
        "productOrderItem": [item("1", "po-fibre-broadband"), item("2", "po-iptv")],
    }
    text_attribute = "description"
    dotted = ("relatedParty.partyOrPartyRole.id", "party-42")
    wrong_type: ClassVar[dict[str, Any]] = {
        "productOrderItem": [{**item("1", "x"), "action": "explode"}]
    }
    server_set: ClassVar[dict[str, str]] = {"state": "acknowledged"}
    ended: ClassVar[dict[str, Any]] = {"state": "completed"}
    non_patchable = ("id", "href", "creationDate")
    renamed: ClassVar[dict[str, str]] = {"orderDate": "creationDate"}
    hub_body: ClassVar[dict[str, Any]] = {
        "callback": "http://127.0.0.1:9/listener",
        "@type": "Hub",
    }


class TestCancelProductOrderV5(CancelContract):
    api_code, resource_name = "tmf622v5", "cancelProductOrder"
    body: ClassVar[dict[str, Any]] = {
        "@type": "CancelProductOrder",
        "productOrder": {"id": "order-1", "@type": "ProductOrderRef"},
        "requestedCancellationDate": "2026-12-01T00:00:00Z",
    }
    text_attribute = "cancellationReason"
    dotted = ("productOrder.id", "order-1")
    wrong_type: ClassVar[dict[str, Any]] = {"productOrder": "order-1"}
    server_set: ClassVar[dict[str, str]] = {"state": "acknowledged"}
    hub_body = TestProductOrderV5.hub_body


@pytest.mark.parametrize("name", ["CreateProductOrder1", "CreateProductOrder2"])
def test_official_example_placed_in_v5_reads_in_v4(
    client: Client, official: OfficialSchemas, name: str
) -> None:
    """What the client sent comes back in v5 as sent; v4 shows the same order in its terms."""
    body = example(name)
    answer = client.post(f"{V5}/productOrder", json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    official.check(V5_FILE, "ProductOrder", created)
    # As sent, but for the states the server gives the items.
    assert without_item_states({k: created[k] for k in body}) == body
    v4 = client.get(f"{V4}/productOrder/{created['id']}").json()
    official.check(V4_FILE, "ProductOrder", v4)
    assert v4["orderDate"] == created["creationDate"]
    assert v4["externalId"] == body["externalId"][0]["id"]
    assert [p["id"] for p in v4["relatedParty"]] == [
        p["partyOrPartyRole"]["id"] for p in body["relatedParty"]
    ]
    assert client.get(created["href"]).json() == created


def test_v4_order_shown_in_v5_terms(client: Client, official: OfficialSchemas) -> None:
    """A v4 order has no @type on its parts, an untyped characteristic value, a flat party:
    v5 names every class, types the value, and nests the party."""
    body = {
        "externalId": "E-1",
        "relatedParty": [{"id": "p1", "@referredType": "Individual", "role": "customer"}],
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "productOffering": {"id": "po-1"},
                "product": {
                    "productCharacteristic": [
                        {"name": "speed", "value": 100},
                        {"name": "colour", "value": "blue"},
                        {"name": "ports", "value": [1, 2]},
                    ]
                },
            }
        ],
    }
    placed = client.post(f"{V4}/productOrder", json=body).json()
    shown = client.get(f"{V5}/productOrder/{placed['id']}").json()
    official.check(V5_FILE, "ProductOrder", shown)
    assert shown["creationDate"] == placed["orderDate"] and "orderDate" not in shown
    assert shown["externalId"] == [{"@type": "ExternalIdentifier", "id": "E-1"}]
    assert shown["relatedParty"] == [
        {
            "role": "customer",
            "partyOrPartyRole": {"id": "p1", "@referredType": "Individual", "@type": "PartyRef"},
            "@type": "RelatedPartyRefOrPartyRoleRef",
        }
    ]
    characteristics = shown["productOrderItem"][0]["product"]["productCharacteristic"]
    assert [c["@type"] for c in characteristics] == [
        "IntegerCharacteristic",
        "StringCharacteristic",
        "IntegerArrayCharacteristic",
    ]
    assert shown["productOrderItem"][0]["@type"] == "ProductOrderItem"
    # Unchanged in v4: the v5 view adds nothing to what is stored.
    assert client.get(f"{V4}/productOrder/{placed['id']}").json() == placed


def test_v5_patch_is_seen_in_v4_and_the_reverse(client: Client) -> None:
    created = client.post(f"{V5}/productOrder", json=TestProductOrderV5.body).json()
    url4, url5 = f"{V4}/productOrder/{created['id']}", f"{V5}/productOrder/{created['id']}"
    patched = client.patch(url5, json={"description": "from v5"}, params={"fields": "description"})
    assert patched.status_code == 200, patched.text
    assert patched.json() == {
        "id": created["id"],
        "href": created["href"],
        "description": "from v5",
    }
    assert client.get(url4).json()["description"] == "from v5"
    assert client.patch(url4, json={"priority": "2"}).status_code == 200
    assert client.get(url5).json()["priority"] == "2"
    assert client.get(url5).json()["externalId"] == TestProductOrderV5.body["externalId"]


def test_requested_initial_state_and_v5_only_attributes_kept(client: Client) -> None:
    """v5-only attributes are stored and shown in v4 as they are (marked extensions)."""
    relation = {"id": "other", "relationshipType": "dependsOn", "@type": "OrderRelationship"}
    body = {**TestProductOrderV5.body, "orderRelationship": [relation]}
    created = client.post(f"{V5}/productOrder", json=body, params={"fields": "state"}).json()
    assert set(created) == {"id", "href", "state"}
    v4 = client.get(f"{V4}/productOrder/{created['id']}").json()
    assert v4["orderRelationship"] == [relation]
    v5 = client.get(f"{V5}/productOrder/{created['id']}").json()
    assert v5["orderRelationship"] == [relation]


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("CreateProductOrder1", "productOrderItem[3].productOrderItemRelationship[0].@type"),
        ("CreateProductOrder2", "productOrderItem[0].product.@type"),
    ],
)
def test_a_type_outside_the_mapping_is_refused(client: Client, name: str, where: str) -> None:
    """As the official examples have them: a class the file does not define is a clear 400."""
    refused = client.post(f"{V5}/productOrder", json=example(name, corrected=False))
    assert refused.status_code == 400, refused.text
    assert f"{where} must be one of" in refused.json()["message"]
    assert client.get(f"{V5}/productOrder").json() == []


def test_type_required_and_subclass_validated(client: Client) -> None:
    """@type where the file requires it, and the subclass it names, with a clear 400."""
    body = TestProductOrderV5.body
    untyped = {k: v for k, v in body.items() if k != "@type"}
    refused = client.post(f"{V5}/productOrder", json=untyped)
    assert refused.status_code == 400
    assert "@type" in refused.json()["message"]
    wrong_value = copy.deepcopy(body)
    wrong_value["productOrderItem"][0]["product"] = {
        "@type": "Product",
        "productCharacteristic": [
            {"@type": "IntegerCharacteristic", "name": "speed", "value": "fast"}
        ],
    }
    refused = client.post(f"{V5}/productOrder", json=wrong_value)
    assert refused.status_code == 400
    assert "value must be integer" in refused.json()["message"]
    no_type = copy.deepcopy(body)
    no_type["productOrderItem"][0]["product"] = {"name": "x"}
    refused = client.post(f"{V5}/productOrder", json=no_type)
    assert refused.status_code == 400
    assert "product must contain ['@type']" in refused.json()["message"]
    assert client.get(f"{V4}/productOrder").json() == []


def test_docs_and_description(client: Client) -> None:
    assert "/docs/tmf622v5" in client.get("/docs").text
    assert client.get("/docs/tmf622v5").status_code == 200
    described = client.get(f"{V5}/openapi.json").json()
    assert described["openapi"] == "3.0.1"
    assert described["servers"] == [{"url": f"http://testserver.local{V5}"}]
    assert not [p for p in described["paths"] if p.startswith("/listener")]
    # v4 describes what it keeps of v5 orders as marked extensions.
    v4 = client.get(f"{V4}/openapi.json").json()["definitions"]["ProductOrder"]["properties"]
    assert v4["requestedInitialState"]["x-cascade-extension"] is True
    api = api_by_code("tmf622v5")
    assert api.operations(api.resource("productOrder")) == {
        "list",
        "create",
        "retrieve",
        "patch",
        "delete",
    }
    assert api.operations(api.resource("cancelProductOrder")) == {"list", "create", "retrieve"}


def test_patch_media_types_of_the_v5_file(client: Client, official: OfficialSchemas) -> None:
    """Merge patch, JSON Patch and JSON Patch Query as the file lists them; a query that
    selects nothing is a 400 that changes nothing; every error is the v5 Error. v4's file
    lists no JSON Patch Query: a 400 there."""
    created = client.post(f"{V5}/productOrder", json=TestProductOrderV5.body).json()
    url = f"{V5}/productOrder/{created['id']}"
    operations = [{"op": "add", "path": "/productOrderItem/0/quantity", "value": 2}]
    patched = client.patch(url, json=operations, headers={"content-type": JSON_PATCH})
    assert patched.status_code == 200, patched.text
    assert patched.json()["productOrderItem"][0]["quantity"] == 2
    query = [{"op": "add", "path": "/productOrderItem[?(@.id=='2')]/quantity", "value": 3}]
    queried = client.patch(url, json=query, headers={"content-type": JSON_PATCH_QUERY})
    assert queried.status_code == 200, queried.text
    assert [i.get("quantity") for i in queried.json()["productOrderItem"]] == [2, 3]
    nothing = [{"op": "replace", "path": "/productOrderItem/quantity?id=9", "value": 4}]
    refused = client.patch(url, json=nothing, headers={"content-type": JSON_PATCH_QUERY})
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalidPatch"
    assert "selects nothing" in refused.json()["message"]
    official.check(V5_FILE, "Error", refused.json())
    assert [i.get("quantity") for i in client.get(url).json()["productOrderItem"]] == [2, 3]
    v4 = client.patch(
        f"{V4}/productOrder/{created['id']}", json=query, headers={"content-type": JSON_PATCH_QUERY}
    )
    assert (v4.status_code, v4.json()["code"]) == (400, "unsupportedPatchFormat")


def test_in_progress_accepted_is_not_a_state_cascade_enters(client: Client) -> None:
    """The v5 file lists `inProgress.accepted` without saying what it is (docs/versions.md):
    a client cannot move an order there, and the order is left as it was."""
    created = client.post(f"{V5}/productOrder", json=TestProductOrderV5.body).json()
    url = f"{V5}/productOrder/{created['id']}"
    refused = client.patch(url, json={"state": "inProgress.accepted"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "invalidStateTransition"
    assert client.get(url).json()["state"] == created["state"] == "acknowledged"
