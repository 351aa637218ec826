"""The chain through the v5 inventories: a broadband order placed through TMF622 v5 whose
product, services and resources are read through TMF637, TMF638 and TMF639 v5 (and v4), and
after a cease through v5 are seen ended in both (docs/versions.md)."""

from __future__ import annotations

from typing import Any

from cascade.apis import ALL_APIS
from tests.api.official_schemas import OfficialSchemas
from tests.fulfilment.conftest import Chain
from tests.fulfilment.test_v5_chain import PO5, broadband_v5

SPEC = {api.code: api.spec_file for api in ALL_APIS}
V4 = {
    "product": "/tmf-api/productInventory/v4/product",
    "service": "/tmf-api/serviceInventory/v4/service",
    "resource": "/tmf-api/resourceInventoryManagement/v4/resource",
}
V5 = {name: path.replace("/v4/", "/v5/") for name, path in V4.items()}
ENTITY = {"product": ("tmf637", "Product"), "service": ("tmf638", "Service")}
ENTITY["resource"] = ("tmf639", "Resource")


def both(chain: Chain, official: OfficialSchemas, name: str, id_: str) -> tuple[Any, Any]:
    """The record through v4 and through v5, each valid against its official file."""
    code, entity = ENTITY[name]
    v4, v5 = chain.get(f"{V4[name]}/{id_}"), chain.get(f"{V5[name]}/{id_}")
    official.check(SPEC[code], entity, v4)
    official.check(SPEC[f"{code}v5"], entity, v5)
    assert v5["href"].endswith(f"{V5[name]}/{id_}") and v5["@type"] == v4.get("@type", entity)
    return v4, v5


def tree(chain: Chain, official: OfficialSchemas, product_id: str) -> dict[str, list[Any]]:
    """Every record of the product, as (v4, v5) pairs, walked through the v5 links."""
    found: dict[str, list[Any]] = {"product": [both(chain, official, "product", product_id)]}
    todo = [ref["id"] for ref in found["product"][0][1]["realizingService"]]
    found["service"], found["resource"] = [], []
    while todo:
        pair = both(chain, official, "service", todo.pop())
        found["service"].append(pair)
        todo.extend(ref["id"] for ref in pair[1].get("supportingService", []))
        for ref in pair[1].get("supportingResource", []):
            found["resource"].append(both(chain, official, "resource", ref["id"]))
    return found


def placed_v5(chain: Chain, body: dict[str, Any]) -> dict[str, Any]:
    response = chain.client.post(PO5, json=body)
    assert response.status_code == 201, response.text
    done: dict[str, Any] = chain.wait_for(response.json()["id"], PO5)
    assert done["state"] == "completed", done.get("note")
    return done


def test_v5_order_read_through_v5_inventories_and_ceased(
    chain: Chain, official: OfficialSchemas
) -> None:
    added = placed_v5(chain, broadband_v5(speed=1000))
    product_id = added["productOrderItem"][0]["product"]["id"]
    records = tree(chain, official, product_id)
    assert len(records["service"]) >= 2 and len(records["resource"]) == 3
    (product4, product5) = records["product"][0]
    assert product5["status"] == product4["status"] == "active"
    assert product5["productOrderItem"] == [
        {
            "orderItemId": "1",
            "orderId": added["id"],
            "orderHref": product4["productOrderItem"][0]["productOrderHref"],
            "orderItemAction": "add",
            "@referredType": "ProductOrderItem",
            "@type": "RelatedOrderItem",
        }
    ]
    for resource4, resource5 in records["resource"]:  # activated: said by v5's statuses
        assert resource4["resourceStatus"] == "available" and "resourceStatus" not in resource5
        assert resource5["availabilityStatus"] == "online"
        assert (resource5["operationalState"], resource5["administrativeState"]) == (
            "enabled",
            "unlocked",
        )
    speed = next(c for c in product5["productCharacteristic"] if c["name"] == "downloadSpeed")
    assert speed["@type"] == "IntegerCharacteristic" and speed["value"] == 1000

    cease = {
        "@type": "ProductOrder",
        "productOrderItem": [
            {
                "@type": "ProductOrderItem",
                "id": "1",
                "action": "delete",
                "product": {"@type": "ProductRef", "id": product_id},
            }
        ],
    }
    placed_v5(chain, cease)
    ended = tree(chain, official, product_id)
    (product4, product5) = ended["product"][0]
    assert product4["status"] == product5["status"] == "terminated"
    assert product5["terminationDate"] == product4["terminationDate"]
    assert [i["orderItemAction"] for i in product5["productOrderItem"]] == ["add", "delete"]
    for service4, service5 in ended["service"]:
        assert service4["state"] == service5["state"] == "terminated"
    for resource4, resource5 in ended["resource"]:
        assert resource4["operationalState"] == "disable"
        assert resource5["operationalState"] == "disabled"
        assert resource5["administrativeState"] == resource4["administrativeState"] == "locked"
        assert resource4["resourceStatus"] == "standby" and "availabilityStatus" not in resource5
        assert resource5["standbyStatus"] == "coldStandby"
