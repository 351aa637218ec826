"""PATCH of order and item states through the HTTP app: only hold and release are a client's."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.apis import ALL_APIS
from cascade.bootstrap import Cascade
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from tests.api import test_resources as contracts

Client = TestClient[Any]
JSON_PATCH = {"content-type": "application/json-patch+json"}


@dataclass(frozen=True)
class Kind:
    """One order resource: where it lives, a valid body, and its items array."""

    api_code: str
    name: str
    body: dict[str, Any]
    items: str

    @property
    def api(self) -> ApiSpec:
        return next(api for api in ALL_APIS if api.code == self.api_code)

    @property
    def resource(self) -> ResourceSpec:
        return self.api.resource(self.name)

    @property
    def url(self) -> str:
        return f"{self.api.base_path}/{self.name}"


PRODUCT = Kind("tmf622", "productOrder", contracts.TestProductOrder.body, "productOrderItem")
SERVICE = Kind("tmf641", "serviceOrder", contracts.TestServiceOrder.body, "serviceOrderItem")
RESOURCE = Kind("tmf652", "resourceOrder", contracts.TestResourceOrder.body, "orderItem")
KINDS = [pytest.param(k, id=k.name) for k in (PRODUCT, SERVICE, RESOURCE)]


def create(client: Client, kind: Kind, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(kind.url, json=body or kind.body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def as_controller(
    cascade: Cascade, kind: Kind, id_: str, change: Callable[[dict[str, Any]], None]
) -> None:
    """Change a stored order the way a controller does (no client rules apply)."""
    orders = cascade.repositories[kind.resource.kind]

    def job(connection: Any) -> None:
        loaded = orders.load(connection, id_)
        assert loaded is not None
        change(loaded.document)
        orders.save(connection, loaded)

    cascade.database.write_sync(job)


def start(cascade: Cascade, kind: Kind, id_: str) -> None:
    """Order and every item inProgress, as the controller leaves them once it has started."""

    def change(document: dict[str, Any]) -> None:
        document["state"] = "inProgress"
        for item in document[kind.items]:
            item["state"] = "inProgress"

    as_controller(cascade, kind, id_, change)


def assert_refused(response: Any, *mentions: str) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == "invalidStateTransition"
    assert body["status"] == "409"
    assert {"code", "reason", "message", "status"} <= set(body)
    for text in mentions:
        assert text in body["reason"], body
        assert text in body["message"], body
    return body


def unchanged(client: Client, url: str, before: Any) -> None:
    after = client.get(url)
    assert after.json() == before.json()
    assert after.headers["ETag"] == before.headers["ETag"]


def test_every_order_resource_checks_states_from_its_declared_initial_state() -> None:
    for api in ALL_APIS:
        for resource in api.resources:
            machine = resource.kind.state_machine
            if machine is None:
                continue
            assert resource.kind.initial_state == machine.initial, resource.name
            items = resource.kind.item_state_machine
            for array in resource.kind.item_states:
                assert items is not None, resource.name
                assert array.initial == items.initial, resource.name
    declared = {
        r.name for api in ALL_APIS for r in api.resources if r.kind.state_machine is not None
    }
    assert declared == {
        "productOrder",
        "serviceOrder",
        "resourceOrder",
        "cancelProductOrder",
        "cancelServiceOrder",
        "cancelResourceOrder",
    }


@pytest.mark.parametrize("kind", KINDS)
def test_illegal_state_patch_is_409_and_changes_nothing(client: Client, kind: Kind) -> None:
    order = create(client, kind)
    url = f"{kind.url}/{order['id']}"
    before = client.get(url)
    for target in ("completed", "inProgress", "held", "cancelled"):
        body = assert_refused(client.patch(url, json={"state": target}), "'acknowledged'")
        assert f"to '{target}'" in body["message"]
        assert "may set: none" in body["reason"]
    operations = [{"op": "replace", "path": "/state", "value": "completed"}]
    assert_refused(client.patch(url, json=operations, headers=JSON_PATCH), "'acknowledged'")
    # A refused state change takes the rest of the patch down with it.
    mixed = client.patch(url, json={"description": "new", "state": "completed"})
    assert_refused(mixed)
    unchanged(client, url, before)


@pytest.mark.parametrize("kind", KINDS)
def test_controller_transitions_are_refused_to_clients(
    client: Client, cascade: Cascade, kind: Kind
) -> None:
    order = create(client, kind)
    start(cascade, kind, order["id"])
    url = f"{kind.url}/{order['id']}"
    before = client.get(url)
    for target in ("completed", "failed", "partial", "assessingCancellation", "acknowledged"):
        body = assert_refused(client.patch(url, json={"state": target}), "'inProgress'")
        assert "held, pending" in body["reason"]
        assert "held, pending" in body["message"]
    unchanged(client, url, before)


@pytest.mark.parametrize("kind", KINDS)
def test_hold_and_release_by_patch(client: Client, cascade: Cascade, kind: Kind) -> None:
    order = create(client, kind)
    start(cascade, kind, order["id"])
    url = f"{kind.url}/{order['id']}"
    etag = client.get(url).headers["ETag"]
    held = client.patch(url, json={"state": "held"}, headers={"If-Match": etag})
    assert held.status_code == 200, held.text
    assert held.json()["state"] == "held"
    assert held.headers["ETag"] != etag
    assert_refused(client.patch(url, json={"state": "pending"}), "'held'", "inProgress")
    released = client.patch(
        url, json=[{"op": "replace", "path": "/state", "value": "inProgress"}], headers=JSON_PATCH
    )
    assert released.status_code == 200, released.text
    assert client.get(url).json()["state"] == "inProgress"
    waiting = client.patch(url, json={"state": "pending", "description": "needs a site visit"})
    assert waiting.status_code == 200, waiting.text
    assert client.get(url, params={"fields": "state"}).json()["state"] == "pending"
    assert client.get(kind.url, params={"state": "pending"}).json()[0]["id"] == order["id"]


@pytest.mark.parametrize("kind", KINDS)
def test_terminal_orders_cannot_be_revived(client: Client, cascade: Cascade, kind: Kind) -> None:
    order = create(client, kind)
    as_controller(cascade, kind, order["id"], lambda d: d.update(state="completed"))
    url = f"{kind.url}/{order['id']}"
    before = client.get(url)
    body = assert_refused(client.patch(url, json={"state": "inProgress"}), "'completed'")
    assert "may set: none" in body["reason"]
    unchanged(client, url, before)
    assert client.patch(url, json={"description": "still patchable"}).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_item_states(client: Client, cascade: Cascade, kind: Kind) -> None:
    order = create(client, kind)
    url = f"{kind.url}/{order['id']}"
    before = client.get(url)
    items = copy.deepcopy(order[kind.items])
    items[0]["state"] = "completed"
    body = assert_refused(client.patch(url, json={kind.items: items}), "'acknowledged'")
    machine = kind.resource.kind.item_state_machine
    assert machine is not None
    assert f"{machine.name} 1 " in body["message"]
    operations = [{"op": "replace", "path": f"/{kind.items}/0/state", "value": "held"}]
    assert_refused(client.patch(url, json=operations, headers=JSON_PATCH), "'acknowledged'")
    unchanged(client, url, before)

    start(cascade, kind, order["id"])
    operations = [{"op": "replace", "path": f"/{kind.items}/0/state", "value": "held"}]
    response = client.patch(url, json=operations, headers=JSON_PATCH)
    assert response.status_code == 200, response.text
    assert response.json()[kind.items][0]["state"] == "held"
    assert response.json()["state"] == "inProgress"
    operations = [{"op": "replace", "path": f"/{kind.items}/0/state", "value": "failed"}]
    assert_refused(client.patch(url, json=operations, headers=JSON_PATCH), "'held'", "inProgress")


@pytest.mark.parametrize("kind", KINDS)
def test_items_are_matched_by_id_not_position(client: Client, cascade: Cascade, kind: Kind) -> None:
    body = copy.deepcopy(kind.body)
    first = body[kind.items][0]
    body[kind.items] = [{**first, "id": "1"}, {**copy.deepcopy(first), "id": "2"}]
    order = create(client, kind, body)
    url = f"{kind.url}/{order['id']}"

    def finish_second(document: dict[str, Any]) -> None:
        document["state"] = "inProgress"
        document[kind.items][0]["state"] = "inProgress"
        document[kind.items][1]["state"] = "completed"

    as_controller(cascade, kind, order["id"], finish_second)
    current = client.get(url).json()[kind.items]
    swapped = [current[1], current[0]]  # same states per id, new positions: no change
    response = client.patch(url, json={kind.items: swapped})
    assert response.status_code == 200, response.text
    assert [i["id"] for i in response.json()[kind.items]] == ["2", "1"]
    # Giving item 1 the completed state of the item that used to sit in its place is refused.
    moved = [{**current[0], "state": "completed"}, current[1]]
    assert_refused(client.patch(url, json={kind.items: moved}), "'inProgress'")
    # A new item starts acknowledged; it cannot arrive completed.
    new = {**copy.deepcopy(body[kind.items][0]), "id": "3", "state": "completed"}
    assert_refused(client.patch(url, json={kind.items: [*swapped, new]}), "'acknowledged'")


def test_nested_product_order_items_are_refused(client: Client) -> None:
    """Cascade fulfils an order's own items only, so nested items are refused (issue 15,
    ADR 0017) rather than stored with states no controller would ever move."""
    body = copy.deepcopy(PRODUCT.body)
    body["productOrderItem"][0]["productOrderItem"] = [
        {"id": "1.1", "action": "add", "productOffering": {"id": "po-router"}}
    ]
    refused = client.post(PRODUCT.url, json=body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalidOrderItem"
    order = create(client, PRODUCT)
    url = f"{PRODUCT.url}/{order['id']}"
    nested = [
        {
            "op": "add",
            "path": "/productOrderItem/0/productOrderItem",
            "value": [{"id": "1.1", "action": "add", "productOffering": {"id": "po-router"}}],
        }
    ]
    patched = client.patch(url, json=nested, headers=JSON_PATCH)
    assert patched.status_code == 400, patched.text
    assert "productOrderItem" not in client.get(url).json()["productOrderItem"][0]


def test_free_text_resource_order_states_are_checked_too(client: Client) -> None:
    order = create(client, RESOURCE)
    url = f"{RESOURCE.url}/{order['id']}"
    assert_refused(client.patch(url, json={"state": "switchedOn"}), "'acknowledged'")
    # TMF622 and TMF641 states are enums: an unknown value is a schema error, not a transition.
    service_order = create(client, SERVICE)
    response = client.patch(f"{SERVICE.url}/{service_order['id']}", json={"state": "switchedOn"})
    assert response.status_code == 400, response.text


def test_create_still_sets_the_initial_states(client: Client) -> None:
    body = copy.deepcopy(SERVICE.body)
    body["state"] = "completed"
    body["serviceOrderItem"][0]["state"] = "completed"
    created = create(client, SERVICE, body)
    assert created["state"] == "acknowledged"
    assert created["serviceOrderItem"][0]["state"] == "acknowledged"
