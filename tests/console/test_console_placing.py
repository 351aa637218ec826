"""Placing a test order from an offering's catalog page (issue 16's plus), on both databases:
the characteristics as a form, posted through the API's create with the viewer's caller."""

from __future__ import annotations

from cascade.bootstrap import Cascade
from cascade.catalogs import demo_catalog
from tests.api.chain_records import PO
from tests.console.helpers import Client, post_form

OFFERING = "/console/catalog/po-fibre-broadband"


def test_a_test_order_from_the_offering_form(client: Client, cascade: Cascade) -> None:
    cascade.catalogs.load(demo_catalog())
    page = client.get(OFFERING).text
    assert 'id="test-order"' in page and 'name="char.downloadSpeed"' in page
    placed = post_form(
        client,
        f"{OFFERING}/order",
        OFFERING,
        party="acme",
        externalId="from-the-form",
        **{"char.downloadSpeed": "500"},
    )
    assert "Test order" in placed.text and "placed" in placed.text
    orders = client.get(PO, params={"externalId": "from-the-form"}).json()
    assert len(orders) == 1
    order = orders[0]
    assert order["id"] in placed.text  # the page it leads to is the new order's
    item = order["productOrderItem"][0]
    assert item["productOffering"]["id"] == "po-fibre-broadband" and item["action"] == "add"
    assert item["product"]["productCharacteristic"] == [{"name": "downloadSpeed", "value": 500}]
    assert order["relatedParty"][0]["id"] == "acme"


def test_a_test_order_for_no_offering_is_refused(client: Client, cascade: Cascade) -> None:
    cascade.catalogs.load(demo_catalog())
    refused = post_form(client, "/console/catalog/no-such-offering/order", OFFERING)
    assert "Refused (404" in refused.text
    assert client.get(PO).json() == []
