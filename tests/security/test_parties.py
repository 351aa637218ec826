"""Partner isolation: a party-bound client sees and changes only its own orders; another
party's order answers 404 in every operation, as if it did not exist."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import (
    CANCEL_PO,
    PO,
    PO_HUB,
    Client,
    NewKey,
    assert_error,
    order_body,
)

ORDERING = "productOrdering hub:write"


@pytest.fixture
def acme(new_key: NewKey) -> dict[str, str]:
    return new_key(ORDERING, party="acme")


@pytest.fixture
def globex(new_key: NewKey) -> dict[str, str]:
    return new_key(ORDERING, party="globex")


def create_order(client: Client, headers: dict[str, str], *parties: str) -> dict[str, Any]:
    response = client.post(PO, json=order_body(*parties), headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_another_partys_order_cannot_be_read(
    apikey_client: Client, acme: dict[str, str], globex: dict[str, str]
) -> None:
    order = create_order(apikey_client, acme, "acme")
    assert apikey_client.get(f"{PO}/{order['id']}", headers=acme).status_code == 200
    body = assert_error(apikey_client.get(f"{PO}/{order['id']}", headers=globex), 404)
    assert body["code"] == "notFound"
    assert_error(apikey_client.get(f"{PO}/{order['id']}?fields=state", headers=globex), 404)
    tree = f"/cascade/productOrder/{order['id']}/tree"
    assert_error(apikey_client.get(tree, headers=globex), 404)


def test_lists_and_filters_show_only_the_partys_orders(
    apikey_client: Client, acme: dict[str, str], globex: dict[str, str], new_key: NewKey
) -> None:
    mine = create_order(apikey_client, acme, "acme")
    shared = create_order(apikey_client, acme, "acme", "globex")
    theirs = create_order(apikey_client, globex, "globex")

    def ids(headers: dict[str, str], query: str = "") -> set[str]:
        response = apikey_client.get(f"{PO}{query}", headers=headers)
        assert response.status_code == 200, response.text
        assert int(response.headers["X-Total-Count"]) == len(response.json())
        return {order["id"] for order in response.json()}

    assert ids(acme) == {mine["id"], shared["id"]}
    assert ids(globex) == {shared["id"], theirs["id"]}
    assert ids(globex, "?relatedParty.id=acme") == {shared["id"]}
    assert ids(globex, f"?id={mine['id']}") == set()
    page = apikey_client.get(f"{PO}?state=acknowledged&limit=1&offset=1", headers=globex)
    assert page.headers["X-Total-Count"] == "2"
    assert {order["id"] for order in page.json()} <= {shared["id"], theirs["id"]}
    everyone = new_key("productOrdering:read")  # not bound to a party
    assert ids(everyone) == {mine["id"], shared["id"], theirs["id"]}


def test_another_partys_order_cannot_be_patched_or_deleted(
    apikey_client: Client, acme: dict[str, str], globex: dict[str, str]
) -> None:
    order = create_order(apikey_client, acme, "acme")
    url = f"{PO}/{order['id']}"
    patch = {"description": "taken over"}
    assert_error(apikey_client.patch(url, json=patch, headers=globex), 404)
    assert_error(apikey_client.patch(url, json=patch, headers={**globex, "If-Match": '"1"'}), 404)
    assert_error(apikey_client.delete(url, headers=globex), 404)
    assert apikey_client.get(url, headers=acme).json() == order  # unchanged
    assert apikey_client.patch(url, json=patch, headers=acme).status_code == 200


def test_a_party_must_name_itself_and_cannot_patch_itself_out(
    apikey_client: Client, acme: dict[str, str]
) -> None:
    body = assert_error(apikey_client.post(PO, json=order_body("globex"), headers=acme), 403)
    assert "acme" in body["message"]
    assert_error(apikey_client.post(PO, json=order_body(), headers=acme), 403)
    order = create_order(apikey_client, acme, "acme")
    away = {"relatedParty": [{"id": "globex", "@referredType": "Organization"}]}
    assert_error(apikey_client.patch(f"{PO}/{order['id']}", json=away, headers=acme), 403)


def test_only_the_partys_own_orders_can_be_cancelled(
    apikey_client: Client, acme: dict[str, str], globex: dict[str, str]
) -> None:
    order = create_order(apikey_client, acme, "acme")
    cancel = {"productOrder": {"id": order["id"]}, "cancellationReason": "changed my mind"}
    refused = assert_error(apikey_client.post(CANCEL_PO, json=cancel, headers=globex), 400)
    assert refused["code"] == "unknownReference"  # exactly as for an order that does not exist
    created = apikey_client.post(CANCEL_PO, json=cancel, headers=acme)
    assert created.status_code == 201, created.text
    task = created.json()
    assert [t["id"] for t in apikey_client.get(CANCEL_PO, headers=acme).json()] == [task["id"]]
    assert apikey_client.get(CANCEL_PO, headers=globex).json() == []
    assert_error(apikey_client.get(f"{CANCEL_PO}/{task['id']}", headers=globex), 404)
    assert apikey_client.get(f"{CANCEL_PO}/{task['id']}", headers=acme).status_code == 200


def test_hub_subscriptions_belong_to_their_party(
    apikey_client: Client, acme: dict[str, str], globex: dict[str, str], new_key: NewKey
) -> None:
    hub = {"callback": "http://acme.example.test/events"}
    created = apikey_client.post(PO_HUB, json=hub, headers=acme)
    assert created.status_code == 201, created.text
    subscription = created.json()
    url = f"{PO_HUB}/{subscription['id']}"
    assert [s["id"] for s in apikey_client.get(PO_HUB, headers=acme).json()] == [subscription["id"]]
    assert apikey_client.get(PO_HUB, headers=globex).json() == []
    assert_error(apikey_client.get(url, headers=globex), 404)
    assert_error(apikey_client.delete(url, headers=globex), 404)
    assert apikey_client.get(url, headers=acme).status_code == 200
    admin = new_key("admin")
    assert len(apikey_client.get(PO_HUB, headers=admin).json()) == 1
    assert apikey_client.delete(url, headers=acme).status_code == 204


def test_idempotency_keys_do_not_cross_parties(
    apikey_client: Client, acme: dict[str, str], globex: dict[str, str]
) -> None:
    key = {"Idempotency-Key": "same-key"}
    first = apikey_client.post(PO, json=order_body("acme", "globex"), headers={**acme, **key})
    second = apikey_client.post(PO, json=order_body("acme", "globex"), headers={**globex, **key})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


def test_a_partys_v5_list_keeps_a_derived_filter(apikey_client: Client, new_key: NewKey) -> None:
    """Narrowed to the party's resources, a v5 filter on a derived status still applies
    (ADR 0035): `availabilityStatus=online` finds the party's `available` resource only."""
    acme = new_key("inventory", party="acme")
    v4 = "/tmf-api/resourceInventoryManagement/v4/resource"
    party = [{"id": "acme", "role": "owner", "@referredType": "Organization"}]
    made = {}
    for status in ("available", "standby"):
        body = {"name": status, "resourceStatus": status, "relatedParty": party}
        created = apikey_client.post(v4, json=body, headers=acme)
        assert created.status_code == 201, created.text
        made[status] = created.json()["id"]
    listed = apikey_client.get(
        "/tmf-api/resourceInventoryManagement/v5/resource?availabilityStatus=online",
        headers=acme,
    )
    assert listed.status_code == 200, listed.text
    assert [r["id"] for r in listed.json()] == [made["available"]]
