"""COM enforces what the catalog says offerings need of each other (TMF620
productOfferingRelationship): IPTV requires broadband, in the order or among the customer's
active TMF637 products; a violation rejects the order with the reason in a note, and nothing
is made downstream."""

from __future__ import annotations

from typing import Any

from tests.fulfilment.conftest import SO, Chain, broadband, offering_item

PRODUCT = "/tmf-api/productInventory/v4/product"
OFFERING = "/tmf-api/productCatalogManagement/v4/productOffering"


def customer(party: str) -> dict[str, Any]:
    return {"relatedParty": [{"id": party, "role": "Customer", "@referredType": "Individual"}]}


def iptv(item_id: str = "1") -> dict[str, Any]:
    return offering_item(item_id, "po-iptv", channelPackage="Premium")


def ended(chain: Chain, *items: dict[str, Any], party: str | None = None) -> dict[str, Any]:
    extra = customer(party) if party else {}
    return chain.wait_for(chain.place(*items, **extra)["id"])


def notes(order: dict[str, Any]) -> str:
    return " | ".join(note["text"] for note in order.get("note", []))


def assert_rejected(chain: Chain, order: dict[str, Any], reason: str) -> None:
    assert order["state"] == "rejected", notes(order)
    assert {item["state"] for item in order["productOrderItem"]} == {"rejected"}
    assert reason in notes(order), notes(order)
    assert chain.get(SO, **{"externalReference.id": order["id"]}) == []


REQUIRES = "productOffering 'po-iptv' requires 'Fibre Broadband' (po-fibre-broadband)"


def test_iptv_alone_for_a_customer_without_broadband_is_rejected(chain: Chain) -> None:
    order = ended(chain, iptv(), party="c-1")
    assert_rejected(chain, order, f"item 1: {REQUIRES}")
    assert "neither in the order nor among the customer's active products" in notes(order)
    # A customer owning only a mobile line has no broadband either.
    assert ended(chain, offering_item("1", "po-mobile-line"), party="c-1")["state"] == "completed"
    assert_rejected(chain, ended(chain, iptv(), party="c-1"), REQUIRES)


def test_iptv_with_broadband_in_the_same_order_is_accepted(chain: Chain) -> None:
    order = ended(chain, broadband("1"), iptv("2"), party="c-1")
    assert order["state"] == "completed", notes(order)


def test_iptv_for_a_customer_owning_active_broadband_is_accepted(chain: Chain) -> None:
    first = ended(chain, broadband("1"), party="c-1")
    assert first["state"] == "completed", notes(first)
    order = ended(chain, iptv(), party="c-1")
    assert order["state"] == "completed", notes(order)
    products = chain.get(PRODUCT, **{"relatedParty.id": "c-1"})
    assert sorted(p["productOffering"]["id"] for p in products) == ["po-fibre-broadband", "po-iptv"]
    # Another customer's broadband is not this one's.
    assert_rejected(chain, ended(chain, iptv(), party="c-2"), REQUIRES)


def test_ceasing_the_broadband_an_iptv_requires_is_rejected(chain: Chain) -> None:
    bought = ended(chain, broadband("1"), party="c-1")
    broadband_id = bought["productOrderItem"][0]["product"]["id"]
    assert ended(chain, iptv(), party="c-1")["state"] == "completed"
    cease = {"id": "1", "action": "delete", "product": {"id": broadband_id}}
    order = ended(chain, cease, party="c-1")
    assert_rejected(chain, order, "productOffering 'po-iptv' requires")
    assert "once this order is done" in notes(order)
    assert chain.get(f"{PRODUCT}/{broadband_id}")["status"] == "active"


def test_an_excluded_offering_rejects_the_order(chain: Chain) -> None:
    relation = {"id": "po-broadband", "name": "Broadband", "relationshipType": "excludes"}
    patched = chain.client.patch(
        f"{OFFERING}/po-fibre-broadband",
        json={"productOfferingRelationship": [relation]},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    both = ended(chain, broadband("1"), offering_item("2", "po-broadband"), party="c-1")
    assert_rejected(chain, both, "item 1: productOffering 'po-fibre-broadband' excludes")
