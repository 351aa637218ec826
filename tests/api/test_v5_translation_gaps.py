"""Valid v5 bodies the translation once refused or stored wrongly, found by
tests/api/test_v5_valid_bodies.py; each case is a row of docs/versions.md's tables."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.api import test_v5_inventories as inventories
from tests.api.official_schemas import OfficialSchemas
from tests.api.test_v5_ordering import item

Client = TestClient[Any]
ORDERS4 = "/tmf-api/productOrderingManagement/v4/productOrder"
ORDERS5 = "/tmf-api/productOrderingManagement/v5/productOrder"
ORDER4_FILE = "TMF622-ProductOrdering-v4.0.0.swagger.json"
QUOTE_ITEM = {"quoteId": "q-1", "quoteItemId": "qi-2", "@type": "QuoteItemRef"}
QUALIFICATION_ITEM = {
    "productOfferingQualificationId": "poq-1",
    "itemId": "poqi-3",
    "@type": "ProductOfferingQualificationItemRef",
}


def test_an_items_quote_and_qualification_item_references_are_v4s_with_their_item_id(
    client: Client, official: OfficialSchemas
) -> None:
    """v5 names the item's id `quoteItemId` and `itemId`, v4 `id` (which it requires): a
    v5 order item naming a quote's or a qualification's item was a 400."""
    placed = {
        **item("1", "po-fibre-broadband"),
        "quoteItem": QUOTE_ITEM,
        "productOfferingQualificationItem": QUALIFICATION_ITEM,
    }
    answer = client.post(ORDERS5, json={"@type": "ProductOrder", "productOrderItem": [placed]})
    assert answer.status_code == 201, answer.text
    shown = answer.json()["productOrderItem"][0]
    assert shown["quoteItem"] == QUOTE_ITEM
    assert shown["productOfferingQualificationItem"] == QUALIFICATION_ITEM
    stored = client.get(f"{ORDERS4}/{answer.json()['id']}").json()
    official.check_shape(ORDER4_FILE, "ProductOrder", stored)
    v4_item = stored["productOrderItem"][0]
    assert v4_item["quoteItem"] == {"quoteId": "q-1", "id": "qi-2", "@type": "QuoteItemRef"}
    assert v4_item["productOfferingQualificationItem"]["id"] == "poqi-3"
    found = client.get(ORDERS5, params={"productOrderItem.quoteItem.quoteItemId": "qi-2"})
    assert [o["id"] for o in found.json()] == [answer.json()["id"]]


def test_a_service_state_v4_has_no_value_for_is_refused_not_stored(client: Client) -> None:
    """TMF638 v5's ServiceStateType adds `suspended`, which v4's lacks: a record's state is
    the client's (no state machine sets it), so v4 must hold it. It was stored, and v4 then
    answered a document its own file refuses."""
    body = {**inventories.TestServiceInventoryV5.body, "state": "suspended"}
    answer = client.post(inventories.SERVICES5, json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["code"] == "invalidBody"
    assert error["message"].startswith("Service.state must be one of")
    assert "stored, it would break TMF638 Service Inventory v4.0.0" in error["message"]
    assert client.get(inventories.SERVICES4).json() == []


def test_an_item_state_v4_has_no_value_for_is_the_servers_to_set(client: Client) -> None:
    """TMF622 v5's item states add `partial`, which v4's lack. A create sets every item's
    state (`acknowledged`), whatever the body says, and a PATCH's are the item state
    machine's, as the order's own state: the stored-form check leaves them to the server.
    It refused the create."""
    placed = [{**item("1", "po-fibre-broadband"), "state": "partial"}, item("2", "po-iptv")]
    answer = client.post(ORDERS5, json={"@type": "ProductOrder", "productOrderItem": placed})
    assert answer.status_code == 201, answer.text
    assert [i["state"] for i in answer.json()["productOrderItem"]] == ["acknowledged"] * 2
