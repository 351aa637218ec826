"""Changes to products that exist, through the HTTP API: cease, modify, noChange + add-on."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from cascade.apis import ALL_APIS
from cascade.fulfilment.activation.simulated import SimulatedBehaviour, SimulatedNetwork
from cascade.storage.tables import allocation, simulated_network
from tests.api.official_schemas import OfficialSchemas
from tests.fulfilment.conftest import RO, SO, Chain, broadband, offering_item

SPEC = {api.code: api.spec_file for api in ALL_APIS}
PRODUCT = "/tmf-api/productInventory/v4/product"
SERVICE = "/tmf-api/serviceInventory/v4/service"
RESOURCE = "/tmf-api/resourceInventoryManagement/v4/resource"
ACTIVATED_SERVICE = "/tmf-api/ServiceActivationAndConfiguration/v4/service"
ACTIVATED_RESOURCE = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"


def values(entity: dict[str, Any], key: str) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in entity.get(key, [])}


def change(item_id: str, action: str, product_id: str, **characteristics: Any) -> dict[str, Any]:
    product: dict[str, Any] = {"id": product_id}
    if characteristics:
        product["productCharacteristic"] = [
            {"name": name, "value": value} for name, value in characteristics.items()
        ]
    return {"id": item_id, "action": action, "product": product}


def fulfilled(chain: Chain, *items: dict[str, Any]) -> dict[str, Any]:
    order = chain.wait_for(chain.place(*items)["id"])
    assert order["state"] == "completed", order.get("note")
    return order


def product_of(order: dict[str, Any], item_id: str = "1") -> str:
    item = next(i for i in order["productOrderItem"] if i["id"] == item_id)
    return str(item["product"]["id"])


def owners(chain: Chain) -> set[str]:
    rows = chain.cascade.database.read_sync(lambda c: c.execute(select(allocation.c.owner)).all())
    return {row.owner for row in rows}


def network(chain: Chain) -> dict[str, dict[str, Any]]:
    rows = chain.cascade.database.read_sync(
        lambda c: c.execute(
            select(simulated_network.c.activation, simulated_network.c.request)
        ).all()
    )
    return {row.activation: json.loads(row.request) for row in rows}


def items_ended(service_order: dict[str, Any]) -> dict[str, str]:
    """When each item's milestone was reached (the order's own, like the `pointOfNoReturn`
    a cease passes, name no item)."""
    return {
        m["serviceOrderItem"][0]["id"]: m["milestoneDate"]
        for m in service_order["milestone"]
        if m.get("serviceOrderItem")
    }


def service_tree(chain: Chain, product_id: str) -> dict[str, dict[str, Any]]:
    """The product's services by specification id, as TMF638 has them."""
    product = chain.get(f"{PRODUCT}/{product_id}")
    found: dict[str, dict[str, Any]] = {}
    todo = [ref["id"] for ref in product["realizingService"]]
    while todo:
        service = chain.get(f"{SERVICE}/{todo.pop()}")
        found[service["serviceSpecification"]["id"]] = service
        todo.extend(ref["id"] for ref in service.get("supportingService", []))
    return found


def _reread(chain: Chain) -> Any:
    return lambda resource: chain.get(f"{RESOURCE}/{resource['id']}")


def resources_of(chain: Chain, services: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        chain.get(f"{RESOURCE}/{ref['id']}")
        for service in services.values()
        for ref in service.get("supportingResource", [])
    ]


def test_cease_deactivates_releases_and_terminates_in_dependency_order(
    chain: Chain, official: OfficialSchemas
) -> None:
    added = fulfilled(chain, broadband(speed=1000))
    product_id = product_of(added)
    services = service_tree(chain, product_id)
    resources = resources_of(chain, services)
    assert len(resources) == 3 and len(owners(chain)) == 3
    configured = set(network(chain))

    ceased = fulfilled(chain, change("1", "delete", product_id))

    product = chain.get(f"{PRODUCT}/{product_id}")
    official.check(SPEC["tmf637"], "Product", product)
    assert product["status"] == "terminated" and product["terminationDate"]
    assert [(i["productOrderId"], i["orderItemAction"]) for i in product["productOrderItem"]] == [
        (added["id"], "add"),
        (ceased["id"], "delete"),
    ]
    for service in services.values():
        record = chain.get(f"{SERVICE}/{service['id']}")
        official.check(SPEC["tmf638"], "Service", record)
        assert record["state"] == "terminated" and record["endDate"], record["name"]
        assert record["serviceOrderItem"][-1]["itemAction"] == "delete"
    for name in ("rfs-gpon-access", "rfs-qos-profile"):
        activation = chain.get(f"{ACTIVATED_SERVICE}/{services[name]['id']}")
        assert activation["state"] == "terminated" and activation["endDate"]
    for resource in resources:
        record = chain.get(f"{RESOURCE}/{resource['id']}")
        official.check(SPEC["tmf639"], "Resource", record)
        assert (record["administrativeState"], record["operationalState"]) == ("locked", "disable")
        assert record["usageState"] == "idle" and record["endOperatingDate"]
        activation = chain.get(f"{ACTIVATED_RESOURCE}/{resource['id']}")
        assert activation["administrativeState"] == "locked"
    # Every value is back in its pool; nothing of the product is configured any more.
    assert owners(chain) == set()
    assert configured & set(network(chain)) == set()

    # Dependency order: the CFS ended before the RFS it relied on, the RFS after its resources.
    (service_order,) = chain.get(SO, **{"externalReference.id": ceased["id"]})
    assert {i["action"] for i in service_order["serviceOrderItem"]} == {"delete"}
    ended = items_ended(service_order)
    by_spec = {
        i["service"]["serviceSpecification"]["id"]: i["id"]
        for i in service_order["serviceOrderItem"]
    }
    assert ended[by_spec["cfs-internet-access"]] <= ended[by_spec["rfs-gpon-access"]]
    (resource_order,) = chain.get(RO, **{"externalReference.id": service_order["id"]})
    assert resource_order["completionDate"] <= ended[by_spec["rfs-gpon-access"]]
    # The access service was deactivated before the resources it depends on were ceased.
    access_ended = chain.get(f"{ACTIVATED_SERVICE}/{services['rfs-gpon-access']['id']}")["endDate"]
    assert all(access_ended <= r["endOperatingDate"] for r in map(_reread(chain), resources))
    assert [i["action"] for i in resource_order["orderItem"]] == ["delete"] * 3

    # The values are free again: the next order can take them.
    again = fulfilled(chain, broadband(speed=100))
    assert len(owners(chain)) == 3
    assert product_of(again) != product_id


def test_a_change_of_a_product_that_does_not_exist_or_ended_is_rejected(chain: Chain) -> None:
    missing = chain.wait_for(chain.place(change("1", "delete", "no-such-product"))["id"])
    assert missing["state"] == "rejected"
    assert "'no-such-product' is not in the product inventory" in missing["note"][0]["text"]
    product_id = product_of(fulfilled(chain, broadband()))
    fulfilled(chain, change("1", "delete", product_id))
    for action in ("delete", "modify", "noChange"):
        order = chain.wait_for(chain.place(change("1", action, product_id))["id"])
        assert order["state"] == "rejected", action
        assert f"product '{product_id}' is terminated" in order["note"][0]["text"]
        assert chain.get(SO, **{"externalReference.id": order["id"]}) == []
    unnamed = chain.wait_for(chain.place({"id": "1", "action": "modify"})["id"])
    assert "needs product.id" in unnamed["note"][0]["text"]


def test_speed_upgrade_reconfigures_qos_and_allocates_nothing(
    chain: Chain, official: OfficialSchemas
) -> None:
    added = fulfilled(chain, broadband(speed=500))
    product_id = product_of(added)
    before = service_tree(chain, product_id)
    held = owners(chain)
    resources = chain.get(RESOURCE)

    upgraded = fulfilled(chain, change("1", "modify", product_id, downloadSpeed=1000))
    official.check(SPEC["tmf622"], "ProductOrder", upgraded)

    (service_order,) = chain.get(SO, **{"externalReference.id": upgraded["id"]})
    official.check(SPEC["tmf641"], "ServiceOrder", service_order)
    actions = {
        i["service"]["serviceSpecification"]["id"]: (i["action"], i["service"]["id"])
        for i in service_order["serviceOrderItem"]
    }
    assert actions == {
        "cfs-internet-access": ("modify", before["cfs-internet-access"]["id"]),
        "rfs-qos-profile": ("modify", before["rfs-qos-profile"]["id"]),
        "rfs-gpon-access": ("noChange", before["rfs-gpon-access"]["id"]),
    }
    # No resource order, no new resource, no new allocation.
    assert chain.get(RO, **{"externalReference.id": service_order["id"]}) == []
    assert owners(chain) == held
    assert chain.get(RESOURCE) == resources

    qos_id = before["rfs-qos-profile"]["id"]
    qos = chain.get(f"{ACTIVATED_SERVICE}/{qos_id}")
    assert qos["state"] == "active"
    assert values(qos, "serviceCharacteristic") == {"downloadSpeed": 1000, "uploadSpeed": 500}
    assert "re-configured by service order" in qos["note"][-1]["text"]
    configured = network(chain)
    assert configured[qos_id]["downloadSpeed"] == 500  # the first configuration, as it was
    assert [r for r in configured.values() if r.get("downloadSpeed") == 1000] == [
        {"downloadSpeed": 1000, "uploadSpeed": 500}
    ]

    after = service_tree(chain, product_id)
    assert {k: v["id"] for k, v in after.items()} == {k: v["id"] for k, v in before.items()}
    assert values(after["rfs-qos-profile"], "serviceCharacteristic")["downloadSpeed"] == 1000
    assert values(after["cfs-internet-access"], "serviceCharacteristic")["downloadSpeed"] == 1000
    assert after["rfs-qos-profile"]["serviceOrderItem"][-1]["itemAction"] == "modify"
    assert after["rfs-gpon-access"] == before["rfs-gpon-access"]  # noChange touched nothing

    product = chain.get(f"{PRODUCT}/{product_id}")
    official.check(SPEC["tmf637"], "Product", product)
    assert product["status"] == "active"
    assert values(product, "productCharacteristic") == {"downloadSpeed": 1000, "uploadSpeed": 500}
    assert [(i["productOrderId"], i["orderItemAction"]) for i in product["productOrderItem"]] == [
        (added["id"], "add"),
        (upgraded["id"], "modify"),
    ]
    (item,) = upgraded["productOrderItem"]
    assert item["product"]["id"] == product_id
    tree = chain.get(f"/cascade/productOrder/{upgraded['id']}/tree")
    nodes = {i["service"]["id"]: i for i in tree["items"][0]["serviceOrder"]["items"]}
    assert nodes[qos_id]["action"] == "modify"
    assert nodes[qos_id]["activation"]["state"] == "active"
    assert nodes[qos_id]["resourceOrder"] is None


def test_a_modify_with_a_value_the_catalog_refuses_is_rejected_and_changes_nothing(
    chain: Chain,
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    before = chain.get(f"{PRODUCT}/{product_id}")
    order = chain.wait_for(chain.place(change("1", "modify", product_id, downloadSpeed=300))["id"])
    assert order["state"] == "rejected"
    assert "300" in order["note"][0]["text"] and "not one of" in order["note"][0]["text"]
    assert chain.get(SO, **{"externalReference.id": order["id"]}) == []
    assert chain.get(f"{PRODUCT}/{product_id}") == before


def test_adding_iptv_to_broadband_adds_only_the_add_on(chain: Chain) -> None:
    added = fulfilled(chain, broadband(speed=500))
    product_id = product_of(added)
    broadband_before = chain.get(f"{PRODUCT}/{product_id}")
    services_before = service_tree(chain, product_id)
    held = owners(chain)

    iptv = offering_item("2", "po-iptv", channelPackage="Premium")
    iptv["productOrderItemRelationship"] = [{"id": "1", "relationshipType": "reliesOn"}]
    bundle = fulfilled(chain, change("1", "noChange", product_id), iptv)

    # The noChange item is context: no service order, the broadband product untouched.
    (service_order,) = chain.get(SO, **{"externalReference.id": bundle["id"]})
    assert {
        i["service"]["serviceSpecification"]["id"] for i in service_order["serviceOrderItem"]
    } == {
        "cfs-iptv",
        "rfs-multicast-video",
    }
    assert {i["action"] for i in service_order["serviceOrderItem"]} == {"add"}
    assert chain.get(f"{PRODUCT}/{product_id}") == broadband_before
    assert service_tree(chain, product_id) == services_before
    assert bundle["productOrderItem"][0]["product"]["id"] == product_id
    # Only the add-on's resource was allocated.
    new = owners(chain) - held
    assert held <= owners(chain) and len(new) == 1
    iptv_product = chain.get(f"{PRODUCT}/{product_of(bundle, '2')}")
    assert iptv_product["status"] == "active"
    assert values(iptv_product, "productCharacteristic") == {"channelPackage": "Premium"}


def test_dsl_to_fibre_migration_adds_the_new_access_then_releases_the_old(
    chain: Chain, official: OfficialSchemas
) -> None:
    dsl = offering_item("1", "po-broadband", accessTechnology="DSL", downloadSpeed=100)
    added = fulfilled(chain, dsl)
    product_id = product_of(added)
    before = service_tree(chain, product_id)
    assert set(before) == {"cfs-broadband-internet", "rfs-dsl-access", "rfs-qos-profile"}
    dsl_resources = resources_of(chain, {"dsl": before["rfs-dsl-access"]})
    dsl_owners = owners(chain)
    assert len(dsl_owners) == 2  # DSL port, IPv4 address

    migrated = fulfilled(chain, change("1", "modify", product_id, accessTechnology="FTTP"))

    after = service_tree(chain, product_id)
    assert set(after) == {"cfs-broadband-internet", "rfs-gpon-access", "rfs-qos-profile"}
    assert after["cfs-broadband-internet"]["id"] == before["cfs-broadband-internet"]["id"]
    assert after["rfs-qos-profile"] == before["rfs-qos-profile"]  # speed unchanged: untouched
    cfs = after["cfs-broadband-internet"]
    official.check(SPEC["tmf638"], "Service", cfs)
    assert values(cfs, "serviceCharacteristic")["accessTechnology"] == "FTTP"
    gpon = after["rfs-gpon-access"]
    assert gpon["state"] == "active"
    assert len(resources_of(chain, {"gpon": gpon})) == 3  # port, VLAN, IPv4 address
    # The old access is gone: service terminated, its resources ended, its values released.
    old = chain.get(f"{SERVICE}/{before['rfs-dsl-access']['id']}")
    assert old["state"] == "terminated" and old["endDate"]
    for resource in dsl_resources:
        assert chain.get(f"{RESOURCE}/{resource['id']}")["endOperatingDate"]
    assert owners(chain).isdisjoint(dsl_owners) and len(owners(chain)) == 3
    # ... and only once the new one was active and the CFS moved onto it.
    (service_order,) = chain.get(SO, **{"externalReference.id": migrated["id"]})
    by_spec = {
        i["service"]["serviceSpecification"]["id"]: i for i in service_order["serviceOrderItem"]
    }
    assert {k: i["action"] for k, i in by_spec.items()} == {
        "cfs-broadband-internet": "modify",
        "rfs-gpon-access": "add",
        "rfs-qos-profile": "noChange",
        "rfs-dsl-access": "delete",
    }
    ended = items_ended(service_order)
    assert ended[by_spec["rfs-gpon-access"]["id"]] <= ended[by_spec["cfs-broadband-internet"]["id"]]
    assert ended[by_spec["cfs-broadband-internet"]["id"]] <= ended[by_spec["rfs-dsl-access"]["id"]]

    product = chain.get(f"{PRODUCT}/{product_id}")
    assert values(product, "productCharacteristic")["accessTechnology"] == "FTTP"
    assert [i["orderItemAction"] for i in product["productOrderItem"]] == ["add", "modify"]


def test_a_refused_reconfiguration_is_retried_then_fails_and_leaves_the_product(
    chain: Chain,
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    qos_id = service_tree(chain, product_id)["rfs-qos-profile"]["id"]
    network = chain.cascade.chain.driver
    assert isinstance(network, SimulatedNetwork)
    network.by_specification = {"rfs-qos-profile": SimulatedBehaviour(failure_rate=1.0)}
    order = chain.wait_for(chain.place(change("1", "modify", product_id, downloadSpeed=1000))["id"])
    assert order["state"] == "failed"
    attempts = chain.cascade.settings.activation_attempts
    assert f"re-configuration failed after {attempts} attempt(s)" in order["note"][0]["text"]
    activation = chain.get(f"{ACTIVATED_SERVICE}/{qos_id}")
    assert len([n for n in activation["note"] if "re-configuration" in n["text"]]) == attempts - 1
    assert values(activation, "serviceCharacteristic")["downloadSpeed"] == 500
    product = chain.get(f"{PRODUCT}/{product_id}")
    assert values(product, "productCharacteristic")["downloadSpeed"] == 500
    assert [i["orderItemAction"] for i in product["productOrderItem"]] == ["add"]

    network.by_specification = {}  # the network accepts again: the same change goes through
    fulfilled(chain, change("1", "modify", product_id, downloadSpeed=1000))
    product = chain.get(f"{PRODUCT}/{product_id}")
    assert values(product, "productCharacteristic")["downloadSpeed"] == 1000


def test_a_service_order_posted_directly_can_modify_a_service_or_is_refused(chain: Chain) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    qos_id = service_tree(chain, product_id)["rfs-qos-profile"]["id"]

    def modify(service_id: str) -> dict[str, Any]:
        item = {
            "id": "1",
            "action": "modify",
            "service": {
                "id": service_id,
                "serviceSpecification": {"id": "rfs-qos-profile"},
                "serviceCharacteristic": [{"name": "uploadSpeed", "value": 100}],
            },
        }
        response = chain.client.post(SO, json={"serviceOrderItem": [item]})
        assert response.status_code == 201, response.text
        return chain.wait_for(response.json()["id"], SO)

    done = modify(qos_id)
    assert done["state"] == "completed", done.get("errorMessage")
    qos = chain.get(f"{ACTIVATED_SERVICE}/{qos_id}")
    assert values(qos, "serviceCharacteristic") == {"downloadSpeed": 500, "uploadSpeed": 100}
    refused = modify("no-such-service")
    assert refused["state"] == "rejected"
    assert (
        "'no-such-service' is not in the service inventory" in refused["errorMessage"][0]["reason"]
    )


def test_an_offering_change_moves_the_product_onto_a_new_cfs_over_the_same_access(
    chain: Chain,
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    before = service_tree(chain, product_id)
    held = owners(chain)
    item = {**change("1", "modify", product_id), "productOffering": {"id": "po-broadband"}}
    fulfilled(chain, item)
    after = service_tree(chain, product_id)
    assert set(after) == {"cfs-broadband-internet", "rfs-gpon-access", "rfs-qos-profile"}
    assert after["rfs-gpon-access"] == before["rfs-gpon-access"]
    assert after["rfs-qos-profile"] == before["rfs-qos-profile"]
    assert owners(chain) == held  # same access, same resources
    old_cfs = chain.get(f"{SERVICE}/{before['cfs-internet-access']['id']}")
    assert old_cfs["state"] == "terminated"
    product = chain.get(f"{PRODUCT}/{product_id}")
    assert product["productOffering"]["id"] == "po-broadband"
    assert values(product, "productCharacteristic") == {
        "accessTechnology": "FTTP",
        "downloadSpeed": 500,
        "uploadSpeed": 500,
    }


def test_a_product_an_add_on_relies_on_is_ceased_only_with_it_and_after_it(
    chain: Chain, official: OfficialSchemas
) -> None:
    broadband_id = product_of(fulfilled(chain, broadband(speed=500)))
    iptv = offering_item("2", "po-iptv")
    iptv["productOrderItemRelationship"] = [{"id": "1", "relationshipType": "reliesOn"}]
    iptv_id = product_of(fulfilled(chain, change("1", "noChange", broadband_id), iptv), "2")
    iptv_product = chain.get(f"{PRODUCT}/{iptv_id}")
    official.check(SPEC["tmf637"], "Product", iptv_product)
    (relation,) = iptv_product["productRelationship"]
    assert (relation["relationshipType"], relation["product"]["id"]) == ("reliesOn", broadband_id)

    alone = chain.wait_for(chain.place(change("1", "delete", broadband_id))["id"])
    assert alone["state"] == "rejected"
    assert f"relied on by product '{iptv_id}'" in alone["note"][0]["text"]
    assert chain.get(f"{PRODUCT}/{broadband_id}")["status"] == "active"

    both = fulfilled(chain, change("1", "delete", broadband_id), change("2", "delete", iptv_id))
    assert {chain.get(f"{PRODUCT}/{p}")["status"] for p in (broadband_id, iptv_id)} == {
        "terminated"
    }
    by_item = {
        next(
            r["id"] for r in so["externalReference"] if r["externalReferenceType"].endswith("Item")
        ): so
        for so in chain.get(SO, **{"externalReference.id": both["id"]})
    }
    # What depends on something goes first: the add-on's cease ended before the broadband's began.
    assert by_item["2"]["completionDate"] <= by_item["1"]["orderDate"]
    assert owners(chain) == set()
