"""A v5 write is checked against the v4 schema of the same resource too (docs/versions.md,
ADR 0026): the stored document is the one v4 shows, so what v5 allows and v4's file refuses
(a `@schemaLocation` that is not a URI: v4 declares `format: uri`, v5 a plain string) is a
400 that changes nothing, on create and on PATCH, in each of the six v5 APIs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api import test_v5_inventories as inventories
from tests.api import test_v5_ordering as ordering
from tests.api.test_v5_catalogs import body as catalog_body

Client = TestClient[Any]
NOT_A_URI = "not a uri"
BAD = {"@schemaLocation": NOT_A_URI}
CASES = [
    ("/tmf-api/productOrderingManagement/v5/productOrder", ordering.TestProductOrderV5.body, BAD),
    (
        "/tmf-api/productCatalogManagement/v5/productCatalog",
        catalog_body("ProductCatalog"),
        BAD,
    ),
    ("/tmf-api/resourceCatalog/v5/resourceCatalog", catalog_body("ResourceCatalog"), BAD),
    ("/tmf-api/productInventory/v5/product", inventories.TestProductInventoryV5.body, BAD),
    (
        # TMF638 v4's Service has no `@schemaLocation`; its references do.
        "/tmf-api/serviceInventory/v5/service",
        inventories.TestServiceInventoryV5.body,
        {
            "serviceSpecification": {
                "id": "ss-1",
                "@type": "ServiceSpecificationRef",
                "@schemaLocation": NOT_A_URI,
            }
        },
    ),
    (
        "/tmf-api/resourceInventoryManagement/v5/resource",
        inventories.TestResourceInventoryV5.body,
        BAD,
    ),
]
IDS = [collection.split("/")[2] for collection, _, _ in CASES]


def refused(answer: Any) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert (error["code"], error["status"]) == ("invalidBody", "400")
    assert "must be uri" in error["message"]
    assert " v4" in error["message"]


@pytest.mark.parametrize(("collection", "body", "bad"), CASES, ids=IDS)
def test_a_create_v4_could_not_show_is_refused(
    client: Client, collection: str, body: dict[str, Any], bad: dict[str, Any]
) -> None:
    refused(client.post(collection, json={**body, **bad}))
    assert client.get(collection).json() == []
    assert client.post(collection, json=body).status_code == 201


@pytest.mark.parametrize(("collection", "body", "bad"), CASES, ids=IDS)
def test_a_patch_v4_could_not_show_is_refused(
    client: Client, collection: str, body: dict[str, Any], bad: dict[str, Any]
) -> None:
    created = client.post(collection, json=body)
    assert created.status_code == 201, created.text
    url = f"{collection}/{created.json()['id']}"
    before = client.get(url)
    media = {"Content-Type": "application/merge-patch+json"}
    refused(client.patch(url, content=_json(bad), headers=media))
    operations = [{"op": "add", "path": f"/{name}", "value": v} for name, v in bad.items()]
    json_patch = {"Content-Type": "application/json-patch+json"}
    refused(client.patch(url, content=_json(operations), headers=json_patch))
    after = client.get(url)
    assert (after.json(), after.headers["ETag"]) == (before.json(), before.headers["ETag"])


def test_v4_stays_valid_when_v5_stores_a_uri(client: Client) -> None:
    """A URI is stored and shown through both versions as given."""
    collection = "/tmf-api/productInventory/v5/product"
    location = "https://example.com/schemas/Product.json"
    created = client.post(
        collection, json={**inventories.TestProductInventoryV5.body, "@schemaLocation": location}
    )
    assert created.status_code == 201, created.text
    v4 = client.get(f"/tmf-api/productInventory/v4/product/{created.json()['id']}")
    assert v4.json()["@schemaLocation"] == location


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()
