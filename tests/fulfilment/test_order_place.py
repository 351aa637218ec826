"""Where a product is delivered (`product.place`) travels down with it: every service the
product order asks for, the TMF640 activation the network driver gets, and the TMF638 and
TMF637 records."""

from __future__ import annotations

from tests.fulfilment.conftest import SO, Chain, broadband

PRODUCT = "/tmf-api/productInventory/v4/product"
SERVICE = "/tmf-api/serviceInventory/v4/service"
ACTIVATED = "/tmf-api/ServiceActivationAndConfiguration/v4/service"
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
