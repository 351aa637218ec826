"""A client's PATCH cannot change or remove an order item that has started (ADR 0039): only
its state (hold, release). Items not yet started stay the client's to change, to add or to
remove, and an item sent back as it was shown (v4 or v5) is no change."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cascade.bootstrap import Cascade
from tests.api.test_state_transitions import (
    JSON_PATCH,
    KINDS,
    PRODUCT,
    Client,
    Kind,
    as_controller,
    create,
    unchanged,
)

V5_PRODUCT_ORDER = "/tmf-api/productOrderingManagement/v5/productOrder"
CODE = "startedItemUnchangeable"


def changed(kind: Kind, item: dict[str, Any]) -> dict[str, Any]:
    """The item asking for something else: another offering, or a quantity it did not give."""
    if kind is PRODUCT:
        return {**item, "productOffering": {"id": "po-iptv"}}
    return {**item, "quantity": 1}


def set_item_states(cascade: Cascade, kind: Kind, id_: str, state: str, *ids: str) -> None:
    """The order running and its items `ids` (all when none named) in `state`, as a
    controller leaves them."""

    def change(document: dict[str, Any]) -> None:
        document["state"] = "inProgress"
        for item in document[kind.items]:
            if not ids or item["id"] in ids:
                item["state"] = state

    as_controller(cascade, kind, id_, change)


def assert_started_refused(response: Any, *mentions: str) -> None:
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == CODE
    assert body["status"] == "409"
    assert {"code", "reason", "message", "status"} <= set(body)
    for text in mentions:
        assert text in body["message"], body


@pytest.mark.parametrize("state", ["inProgress", "held", "completed", "failed"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_started_item_cannot_be_changed_or_removed(
    client: Client, cascade: Cascade, kind: Kind, state: str
) -> None:
    # Not started yet: the same change is the client's to make.
    waiting = create(client, kind)
    items = [changed(kind, waiting[kind.items][0]), *waiting[kind.items][1:]]
    accepted = client.patch(f"{kind.url}/{waiting['id']}", json={kind.items: items})
    assert accepted.status_code == 200, accepted.text

    order = create(client, kind)
    set_item_states(cascade, kind, order["id"], state)
    url = f"{kind.url}/{order['id']}"
    before = client.get(url)
    shown = before.json()[kind.items]

    items = [changed(kind, shown[0]), *shown[1:]]
    refused = client.patch(url, json={kind.items: items})
    assert_started_refused(refused, f" 1 is '{state}'", "changes its ", "cancel the order")
    assert_started_refused(client.patch(url, json={kind.items: shown[1:]}), "removes it")
    removal = [{"op": "remove", "path": f"/{kind.items}/0"}]
    assert_started_refused(client.patch(url, json=removal, headers=JSON_PATCH), "removes it")
    unchanged(client, url, before)


@pytest.mark.parametrize("kind", KINDS)
def test_what_stays_the_clients_on_a_started_order(
    client: Client, cascade: Cascade, kind: Kind
) -> None:
    body = copy.deepcopy(kind.body)
    first = body[kind.items][0]
    body[kind.items] = [{**first, "id": "1"}, {**copy.deepcopy(first), "id": "2"}]
    order = create(client, kind, body)
    set_item_states(cascade, kind, order["id"], "inProgress", "1")
    url = f"{kind.url}/{order['id']}"

    def shown() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = client.get(url).json()[kind.items]
        return items

    # The items sent back as they were shown (a GET-then-PATCH) change nothing of them.
    again = client.patch(url, json={kind.items: shown(), "description": "re-sent"})
    assert again.status_code == 200, again.text
    # Item 2 has not started: it may be changed, and removed.
    started, waiting = shown()
    assert waiting["state"] == "acknowledged"
    changed_waiting = client.patch(url, json={kind.items: [started, changed(kind, waiting)]})
    assert changed_waiting.status_code == 200, changed_waiting.text
    removed = client.patch(url, json={kind.items: [started]})
    assert removed.status_code == 200, removed.text
    # A new item may be added beside the started one; the started one may be held.
    added = client.patch(url, json={kind.items: [started, {**first, "id": "3"}]})
    assert added.status_code == 200, added.text
    assert [i["id"] for i in added.json()[kind.items]] == ["1", "3"]
    hold = [{"op": "replace", "path": f"/{kind.items}/0/state", "value": "held"}]
    held = client.patch(url, json=hold, headers=JSON_PATCH)
    assert held.status_code == 200, held.text
    assert held.json()[kind.items][0]["state"] == "held"


def test_the_same_through_v5(client: Client, cascade: Cascade) -> None:
    order = create(client, PRODUCT)
    set_item_states(cascade, PRODUCT, order["id"], "inProgress")
    url = f"{V5_PRODUCT_ORDER}/{order['id']}"
    before = client.get(url)
    shown = before.json()["productOrderItem"]
    assert all("@type" in item for item in shown)  # the v5 form: every object typed

    again = client.patch(url, json={"productOrderItem": shown})
    assert again.status_code == 200, again.text
    before = client.get(url)
    items = [{**shown[0], "productOffering": {"id": "po-iptv", "@type": "ProductOfferingRef"}}]
    refused = client.patch(url, json={"productOrderItem": [*items, *shown[1:]]})
    assert_started_refused(refused, "changes its productOffering")
    assert_started_refused(client.patch(url, json={"productOrderItem": shown[1:]}), "removes it")
    unchanged(client, url, before)


MALLORY = [{"id": "party-99", "role": "customer", "@referredType": "Individual"}]


@pytest.mark.parametrize("kind", KINDS)
def test_the_parties_are_passed_down_once_an_item_has_started(
    client: Client, cascade: Cascade, kind: Kind
) -> None:
    # No item started: the order's parties are the client's to change.
    waiting = create(client, kind)
    url = f"{kind.url}/{waiting['id']}"
    accepted = client.patch(url, json={"relatedParty": MALLORY})
    assert accepted.status_code == 200, accepted.text

    order = create(client, kind)
    set_item_states(cascade, kind, order["id"], "inProgress")
    url = f"{kind.url}/{order['id']}"
    before = client.get(url)
    refused = client.patch(url, json={"relatedParty": MALLORY, "description": "moved"})
    assert_started_refused(refused, "This order has started: its relatedParty")
    unchanged(client, url, before)
    # The same parties sent back change nothing.
    again = client.patch(url, json={"relatedParty": before.json()["relatedParty"]})
    assert again.status_code == 200, again.text


def test_the_parties_through_v5(client: Client, cascade: Cascade) -> None:
    order = create(client, PRODUCT)
    set_item_states(cascade, PRODUCT, order["id"], "inProgress")
    url = f"{V5_PRODUCT_ORDER}/{order['id']}"
    shown = client.get(url).json()["relatedParty"]
    again = client.patch(url, json={"relatedParty": shown})
    assert again.status_code == 200, again.text
    other = [{**shown[0], "partyOrPartyRole": {**shown[0]["partyOrPartyRole"], "id": "x"}}]
    assert_started_refused(client.patch(url, json={"relatedParty": other}), "relatedParty")


def test_a_started_item_given_back_in_its_clients_own_words_is_unchanged(
    client: Client, cascade: Cascade
) -> None:
    """The same instant written another way (the client's own offset) is the same item: the
    items are compared once the patched order's dates are in their stored form."""
    body = copy.deepcopy(PRODUCT.body)
    body["productOrderItem"][0]["product"] = {"startDate": "2026-12-01T09:00:00+01:00"}
    order = create(client, PRODUCT, body)
    set_item_states(cascade, PRODUCT, order["id"], "inProgress")
    url = f"{PRODUCT.url}/{order['id']}"
    shown = client.get(url).json()["productOrderItem"]
    assert shown[0]["product"]["startDate"] == "2026-12-01T08:00:00.000Z"
    given_back = [{**shown[0], "product": {"startDate": "2026-12-01T09:00:00+01:00"}}]
    again = client.patch(url, json={"productOrderItem": [*given_back, *shown[1:]]})
    assert again.status_code == 200, again.text
    later = [{**shown[0], "product": {"startDate": "2026-12-01T09:00:01+01:00"}}]
    refused = client.patch(url, json={"productOrderItem": [*later, *shown[1:]]})
    assert_started_refused(refused, "changes its product")


def test_a_patch_from_a_stale_get_is_told_to_get_again(client: Client, cascade: Cascade) -> None:
    """A client sending back the items as a GET showed them before the order started (and a
    controller named the product since) is told why, and what If-Match would have said."""
    order = create(client, PRODUCT)
    url = f"{PRODUCT.url}/{order['id']}"
    stale = client.get(url)

    def started(document: dict[str, Any]) -> None:
        document["state"] = "inProgress"
        for item in document[PRODUCT.items]:
            item["state"] = "inProgress"
            item["product"] = {**item.get("product", {}), "id": f"p-{item['id']}"}

    as_controller(cascade, PRODUCT, order["id"], started)
    before = client.get(url)
    items = {PRODUCT.items: stale.json()[PRODUCT.items]}
    assert_started_refused(client.patch(url, json=items), "changes its product", "GET it again")
    guarded = client.patch(url, json=items, headers={"If-Match": stale.headers["ETag"]})
    assert guarded.status_code == 412, guarded.text
    unchanged(client, url, before)
