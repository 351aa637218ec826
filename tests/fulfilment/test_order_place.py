"""Where a product is delivered (`product.place`) travels down with it: every service the
product order asks for and every resource those ask for, the TMF640/TMF702 activations the
network driver gets, and the TMF637, TMF638 and TMF639 records."""

from __future__ import annotations

from tests.fulfilment.conftest import RO, SO, Chain, broadband

PRODUCT = "/tmf-api/productInventory/v4/product"
SERVICE = "/tmf-api/serviceInventory/v4/service"
RESOURCE = "/tmf-api/resourceInventoryManagement/v4/resource"
ACTIVATED = "/tmf-api/ServiceActivationAndConfiguration/v4/service"
ACTIVATED_RESOURCE = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"
PLACE = [{"id": "addr-7", "role": "installationAddress", "@referredType": "GeographicAddress"}]


def test_the_place_of_a_product_reaches_its_services_and_records(chain: Chain) -> None:
    item = broadband("1")
    item["product"]["place"] = PLACE
    order = chain.wait_for(chain.place(item)["id"])
    assert order["state"] == "completed", order.get("note")
    product = chain.get(f"{PRODUCT}/{order['productOrderItem'][0]['product']['id']}")
    assert product["place"] == PLACE
    (service_order,) = chain.get(SO, **{"externalReference.id": order["id"]})
    services = [each["service"] for each in service_order["serviceOrderItem"]]
    assert len(services) == 3
    for service in services:
        assert service["place"] == PLACE
        assert chain.get(f"{SERVICE}/{service['id']}")["place"] == PLACE
    activated = chain.get(ACTIVATED)
    assert activated and all(each["place"] == PLACE for each in activated)
    (resource_order,) = chain.get(RO, **{"externalReference.id": service_order["id"]})
    resources = [each["resource"] for each in resource_order["orderItem"]]
    assert resources
    for resource in resources:
        assert resource["place"] == PLACE[0]  # a TMF652 resource has one place
        assert chain.get(f"{RESOURCE}/{resource['id']}")["place"] == PLACE[0]
        assert chain.get(f"{ACTIVATED_RESOURCE}/{resource['id']}")["place"] == PLACE[0]
