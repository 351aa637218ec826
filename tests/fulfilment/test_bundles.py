"""Bundles (ADR 0021): a bundle item of the demo "Broadband + IPTV" offering whose
`bundles` relationships name its member items completes once they have, with a TMF637
product `isBundle: true` related (`bundled`) to the member products, each related back
(`isBundled`); the TMF620 bundledProductOfferingOption limits reject an order that breaks
them, with nothing made downstream; cancelling undoes every member; a bundle is ceased with
its members."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, PO, SO, Chain, broadband, offering_item
from tests.fulfilment.test_cancellation import CANCEL_PO, cancel, get_or_none, read, wait_task
from tests.fulfilment.undone import PRODUCT, delivered, undone
from tests.gate import Gate

BUNDLE = "po-broadband-iptv"


def iptv(item_id: str) -> dict[str, Any]:
    return offering_item(item_id, "po-iptv", channelPackage="Premium")


def bundle(item_id: str, *members: str, offering: str = BUNDLE) -> dict[str, Any]:
    relations = [{"id": member, "relationshipType": "bundles"} for member in members]
    return {
        "id": item_id,
        "action": "add",
        "productOffering": {"id": offering},
        "productOrderItemRelationship": relations,
    }


def notes(order: dict[str, Any]) -> str:
    return " | ".join(note["text"] for note in order.get("note", []))


def ended(chain: Chain, *items: dict[str, Any]) -> dict[str, Any]:
    return chain.wait_for(chain.place(*items)["id"])


def product_of(order: dict[str, Any], item_id: str) -> str:
    item = next(i for i in order["productOrderItem"] if i["id"] == item_id)
    return str(item["product"]["id"])


def relations(product: dict[str, Any], kind: str) -> list[str]:
    return sorted(
        r["product"]["id"]
        for r in product.get("productRelationship", [])
        if r["relationshipType"] == kind
    )


def assert_rejected(chain: Chain, order: dict[str, Any], *reasons: str) -> None:
    assert order["state"] == "rejected", notes(order)
    assert {item["state"] for item in order["productOrderItem"]} == {"rejected"}
    for reason in reasons:
        assert reason in notes(order), notes(order)
    assert chain.get(SO, **{"externalReference.id": order["id"]}) == []
    assert chain.get(PRODUCT) == []


def test_a_bundle_order_completes_with_the_bundle_and_its_members_related(chain: Chain) -> None:
    order = ended(chain, bundle("b", "1", "2"), broadband("1"), iptv("2"))
    assert order["state"] == "completed", notes(order)
    delivered(chain.get, chain.cascade.database.read_sync, order["id"])
    members = sorted([product_of(order, "1"), product_of(order, "2")])
    made = chain.get(f"{PRODUCT}/{product_of(order, 'b')}")
    assert made["isBundle"] is True
    assert made["productOffering"]["id"] == BUNDLE
    assert made["realizingService"] == []  # realised by its members
    assert relations(made, "bundled") == members
    for member in members:
        product = chain.get(f"{PRODUCT}/{member}")
        assert product["isBundle"] is False
        assert relations(product, "isBundled") == [made["id"]]
    # The members' service orders only: a bundle has no services of its own.
    assert len(chain.get(SO, **{"externalReference.id": order["id"]})) == 2


def test_bundle_limits_and_membership_reject_the_order_with_a_reason_each(chain: Chain) -> None:
    # No IPTV (at least 1), a mobile line the bundle does not list.
    order = ended(
        chain, bundle("b", "1", "3"), broadband("1"), offering_item("3", "po-mobile-line")
    )
    assert_rejected(
        chain,
        order,
        "item b: the bundle takes at least 1 of 'IPTV Add-on' (po-iptv); the order has 0",
        "item 3: productOffering 'po-mobile-line' is not one the bundle of item b bundles",
    )
    # Two broadbands where it takes one: by two items, or by one item's quantity.
    too_many = ended(chain, bundle("b", "1", "2", "3"), broadband("1"), iptv("2"), broadband("3"))
    above = "item b: the bundle takes at most 1 of 'Fibre Broadband' (po-fibre-broadband); "
    assert_rejected(chain, too_many, f"{above}the order has 2")
    doubled = ended(chain, bundle("b", "1", "2"), {**broadband("1"), "quantity": 2}, iptv("2"))
    assert_rejected(chain, doubled, f"{above}the order has 2")


def test_a_member_of_two_bundles_rejects_the_order(chain: Chain) -> None:
    order = ended(
        chain, bundle("a", "1", "2"), bundle("b", "1", "3"), broadband("1"), iptv("2"), iptv("3")
    )
    assert_rejected(chain, order, "item 1 is bundled by item a and by item b")


def test_bundles_on_an_offering_that_is_no_bundle_rejects_the_order(chain: Chain) -> None:
    order = ended(chain, bundle("x", "1", offering="po-mobile-line"), broadband("1"))
    assert_rejected(chain, order, "item x: productOffering 'po-mobile-line' is not a bundle")


def test_a_bundle_is_ceased_with_its_members_in_one_order(chain: Chain) -> None:
    order = ended(chain, bundle("b", "1", "2"), broadband("1"), iptv("2"))
    assert order["state"] == "completed", notes(order)
    ids = {item: product_of(order, item) for item in ("b", "1", "2")}
    cease = {item: {"id": item, "action": "delete", "product": {"id": ids[item]}} for item in ids}
    alone = ended(chain, cease["b"])
    assert alone["state"] == "rejected", notes(alone)
    assert f"product '{ids['b']}' is relied on by product" in notes(alone)
    member_alone = ended(chain, cease["2"])
    assert member_alone["state"] == "rejected", notes(member_alone)
    modify = {"id": "m", "action": "modify", "product": {"id": ids["b"]}}
    refused = ended(chain, modify)
    assert "is a bundle, which has nothing of its own to modify" in notes(refused)
    together = ended(chain, *cease.values())
    assert together["state"] == "completed", notes(together)
    assert {chain.get(f"{PRODUCT}/{pid}")["status"] for pid in ids.values()} == {"terminated"}


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    """A cancel test closes the gate of the activation it must find running (docs/testing.md)."""
    return replace(FAST, simulator_gate=gate.setting)


def test_cancelling_a_bundle_order_mid_flight_undoes_every_member(chain: Chain, gate: Gate) -> None:
    gate.close("rfs-multicast-video")  # running until cancelled
    placed = chain.place(bundle("b", "1", "2"), broadband("1"), iptv("2"))
    path = f"{PO}/{placed['id']}"

    def broadband_done() -> bool:
        items = {i["id"]: i["state"] for i in chain.get(path)["productOrderItem"]}
        return bool(items["1"] == "completed")

    chain.until(broadband_done)
    assert chain.get(path)["productOrderItem"][0]["state"] != "completed"  # the bundle waits
    task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "done"
    tree = undone(lambda path: get_or_none(chain, path), read(chain), placed["id"])
    assert len(tree.products) == 3
    assert [p["status"] for p in chain.get(PRODUCT)] == ["terminated"]  # the broadband
