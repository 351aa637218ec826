"""A product order flows down to the (simulated) network and its state flows back up."""

from __future__ import annotations

from typing import Any

from cascade.apis import ALL_APIS
from tests.api.official_schemas import OfficialSchemas
from tests.fulfilment.conftest import RO, SO, Chain, broadband, offering_item

SPEC = {api.code: api.spec_file for api in ALL_APIS}
PRODUCT = "/tmf-api/productInventory/v4/product"
SERVICE = "/tmf-api/serviceInventory/v4/service"
RESOURCE = "/tmf-api/resourceInventoryManagement/v4/resource"
ACTIVATED_SERVICE = "/tmf-api/ServiceActivationAndConfiguration/v4/service"
ACTIVATED_RESOURCE = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"


def characteristics(entity: dict[str, Any], key: str) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in entity.get(key, [])}


def test_broadband_order_completes_through_every_layer(
    chain: Chain, official: OfficialSchemas
) -> None:
    placed = chain.place(
        broadband(speed=1000),
        relatedParty=[{"id": "cust-1", "role": "customer", "@referredType": "Individual"}],
    )
    order = chain.wait_for(placed["id"])
    assert order["state"] == "completed", order.get("note")
    assert order["completionDate"] >= order["orderDate"]
    (item,) = order["productOrderItem"]
    assert item["state"] == "completed"
    official.check(SPEC["tmf622"], "ProductOrder", order)

    product = chain.get(f"{PRODUCT}/{item['product']['id']}")
    official.check(SPEC["tmf637"], "Product", product)
    assert product["status"] == "active"
    assert characteristics(product, "productCharacteristic")["downloadSpeed"] == 1000
    assert product["productOrderItem"][0]["productOrderId"] == order["id"]
    assert product["relatedParty"][0]["id"] == "cust-1"

    (service_order,) = chain.get(SO, **{"externalReference.id": order["id"]})
    official.check(SPEC["tmf641"], "ServiceOrder", service_order)
    assert service_order["state"] == "completed"
    services = {
        i["service"]["serviceSpecification"]["id"]: i for i in service_order["serviceOrderItem"]
    }
    assert set(services) == {"cfs-internet-access", "rfs-gpon-access", "rfs-qos-profile"}
    assert all(i["state"] == "completed" for i in services.values())
    assert {m["name"] for m in service_order["milestone"]} == {"serviceOrderItemCompleted"}

    cfs = chain.get(f"{SERVICE}/{services['cfs-internet-access']['service']['id']}")
    official.check(SPEC["tmf638"], "Service", cfs)
    assert product["realizingService"][0]["id"] == cfs["id"]
    assert {s["id"] for s in cfs["supportingService"]} == {
        services["rfs-gpon-access"]["service"]["id"],
        services["rfs-qos-profile"]["service"]["id"],
    }
    qos = chain.get(f"{ACTIVATED_SERVICE}/{services['rfs-qos-profile']['service']['id']}")
    assert qos["state"] == "active"
    assert characteristics(qos, "serviceCharacteristic")["downloadSpeed"] == 1000

    (resource_order,) = chain.get(RO, **{"externalReference.id": service_order["id"]})
    official.check(SPEC["tmf652"], "ResourceOrder", resource_order)
    assert resource_order["state"] == "completed"
    access = chain.get(f"{SERVICE}/{services['rfs-gpon-access']['service']['id']}")
    assert {r["id"] for r in access["supportingResource"]} == {
        i["resource"]["id"] for i in resource_order["orderItem"]
    }
    values: dict[str, Any] = {}
    for resource_item in resource_order["orderItem"]:
        record = chain.get(f"{RESOURCE}/{resource_item['resource']['id']}")
        official.check(SPEC["tmf639"], "Resource", record)
        activation = chain.get(f"{ACTIVATED_RESOURCE}/{record['id']}")
        assert activation["resourceStatus"] == "available"
        values.update(characteristics(record, "resourceCharacteristic"))
    assert {"oltId", "portNumber", "vlanId", "ipv4Address"} <= set(values)


def test_a_bundle_fulfils_the_add_on_after_what_it_relies_on(chain: Chain) -> None:
    iptv = offering_item("2", "po-iptv", channelPackage="Premium")
    iptv["productOrderItemRelationship"] = [{"id": "1", "relationshipType": "reliesOn"}]
    mobile = offering_item("3", "po-mobile-line")
    placed = chain.place(broadband("1"), iptv, mobile)
    order = chain.wait_for(placed["id"])
    assert order["state"] == "completed", order.get("note")
    service_orders = chain.get(SO, **{"externalReference.id": order["id"]})
    assert len(service_orders) == 3
    by_item = {
        next(
            r["id"]
            for r in so["externalReference"]
            if r["externalReferenceType"] == "ProductOrderItem"
        ): so
        for so in service_orders
    }
    # The add-on's service order was placed only once the broadband item had completed.
    broadband_done = max(m["milestoneDate"] for m in by_item["1"]["milestone"])
    assert by_item["2"]["orderDate"] >= broadband_done
    assert by_item["3"]["orderDate"] < broadband_done  # independent: ran alongside


def test_an_order_the_catalog_cannot_fulfil_is_rejected_and_creates_nothing(chain: Chain) -> None:
    placed = chain.place(broadband("1", speed=300), offering_item("2", "po-nonexistent"))
    order = chain.wait_for(placed["id"])
    assert order["state"] == "rejected"
    assert {i["state"] for i in order["productOrderItem"]} == {"rejected"}
    notes = " | ".join(n["text"] for n in order["note"])
    assert "300" in notes and "not one of" in notes
    assert "po-nonexistent" in notes
    assert chain.get(SO, **{"externalReference.id": order["id"]}) == []
    assert chain.get(PRODUCT) == []


def test_a_service_order_posted_directly_is_checked_against_the_service_catalog(
    chain: Chain,
) -> None:
    response = chain.client.post(
        SO,
        json={
            "serviceOrderItem": [
                {"id": "1", "action": "add", "service": {"serviceSpecification": {"id": "nope"}}}
            ]
        },
    )
    assert response.status_code == 201
    order = chain.wait_for(response.json()["id"], SO)
    assert order["state"] == "rejected"
    assert (
        "serviceSpecification 'nope' is not in the catalog" in order["errorMessage"][0]["message"]
    )


def test_a_service_order_posted_directly_is_fulfilled(chain: Chain) -> None:
    response = chain.client.post(
        SO,
        json={
            "serviceOrderItem": [
                {
                    "id": "1",
                    "action": "add",
                    "service": {
                        "serviceSpecification": {"id": "rfs-static-ip-assignment"},
                    },
                }
            ]
        },
    )
    order = chain.wait_for(response.json()["id"], SO)
    assert order["state"] == "completed", order.get("errorMessage")
    service = order["serviceOrderItem"][0]["service"]
    assert characteristics(service, "serviceCharacteristic")["ipv4Address"].count(".") == 3


def test_the_tree_shows_every_node_with_its_state(chain: Chain) -> None:
    placed = chain.place(broadband())
    chain.wait_for(placed["id"])
    tree = chain.get(f"/cascade/productOrder/{placed['id']}/tree")
    assert tree["state"] == "completed"
    (item,) = tree["items"]
    service_order = item["serviceOrder"]
    assert service_order["state"] == "completed"
    states = {i["service"]["name"]: i for i in service_order["items"]}
    access = states["GPON Access"]
    assert access["activation"]["state"] == "active"
    resources = access["resourceOrder"]["items"]
    assert [r["activation"]["state"] for r in resources] == ["available"] * 3
    assert chain.client.get("/cascade/productOrder/nope/tree").status_code == 404
