"""A client's DELETE never leaves live network state without an owner (issue 15, section 2).

Orders (TMF622, TMF641, TMF652) that run, that orders above or below need, or whose records
are live; TMF640/TMF702 activations on the network: refused with 409 and a TMF Error, and
nothing changes. Once ended, and deleted from the bottom up, they go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from tests.api.chain_records import (
    CEASED_RESOURCE,
    LIVE_RESOURCE,
    MERGE,
    PO,
    RESOURCE_ACTIVATIONS,
    RO,
    SERVICE_ACTIVATIONS,
    SO,
    error_of,
    product_order,
    resource,
    resource_order,
    service_order,
    store,
)
from tests.api.test_resources import SPEC_REF

Client = TestClient[Any]
MakeOrder = Callable[[Cascade, str], dict[str, Any]]
ORDERS: dict[str, tuple[str, MakeOrder, str]] = {
    "productOrder": (PO, product_order, "cancelProductOrder"),
    "serviceOrder": (SO, service_order, "cancelServiceOrder"),
    "resourceOrder": (RO, resource_order, "cancelResourceOrder"),
}


def refused(client: Client, url: str, code: str) -> dict[str, Any]:
    """DELETE answers 409 with `code`, and the entity is there as it was."""
    before = client.get(url)
    assert before.status_code == 200
    body = error_of(client.delete(url), 409, code)
    after = client.get(url)
    assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]
    return body


@pytest.mark.parametrize("name", list(ORDERS))
@pytest.mark.parametrize(
    "state", ["acknowledged", "inProgress", "held", "pending", "assessingCancellation"]
)
def test_an_order_that_has_not_ended_is_not_deleted(
    client: Client, cascade: Cascade, name: str, state: str
) -> None:
    path, make, cancel = ORDERS[name]
    order = make(cascade, state)
    body = refused(client, f"{path}/{order['id']}", "orderNotEnded")
    assert state in body["message"] and cancel in body["message"]


def test_an_ended_tree_is_deleted_from_the_bottom_up(client: Client, cascade: Cascade) -> None:
    """No child order is ever left naming an order that is gone."""
    po = product_order(cascade, "completed")
    so = service_order(cascade, "completed", po)
    ro = resource_order(cascade, "failed", so)
    assert so["id"] in refused(client, f"{PO}/{po['id']}", "childOrdersExist")["message"]
    assert ro["id"] in refused(client, f"{SO}/{so['id']}", "childOrdersExist")["message"]
    for path, order in ((RO, ro), (SO, so), (PO, po)):
        assert client.delete(f"{path}/{order['id']}").status_code == 204
        assert client.get(f"{path}/{order['id']}").status_code == 404


def test_an_ended_child_of_a_running_order_is_not_deleted(client: Client, cascade: Cascade) -> None:
    """Its parent would place it again, or wait for it."""
    po = product_order(cascade, "inProgress")
    so = service_order(cascade, "failed", po)
    body = refused(client, f"{SO}/{so['id']}", "parentOrderNotEnded")
    assert po["id"] in body["message"] and "inProgress" in body["message"]


def test_an_order_whose_records_are_live_is_not_deleted(client: Client, cascade: Cascade) -> None:
    """A cease finds a service's resources through the resource order that made them."""
    port = resource(cascade, **LIVE_RESOURCE)
    ro = resource_order(cascade, "completed", None, resource_id=port["id"])
    assert port["id"] in refused(client, f"{RO}/{ro['id']}", "madeRecordsLive")["message"]
    store_ceased(cascade, port["id"])
    assert client.delete(f"{RO}/{ro['id']}").status_code == 204


def store_ceased(cascade: Cascade, resource_id: str) -> None:
    resources = cascade.repositories[kinds.RESOURCE]

    def job(connection: Any) -> None:
        loaded = resources.load(connection, resource_id)
        assert loaded is not None
        loaded.document.update(CEASED_RESOURCE)
        resources.save(connection, loaded)

    cascade.database.write_sync(job)


def test_a_service_activation_on_the_network_is_deactivated_before_it_is_deleted(
    client: Client, cascade: Cascade
) -> None:
    body = {"state": "active", "serviceSpecification": SPEC_REF}
    created = client.post(SERVICE_ACTIVATIONS, json=body)
    assert created.status_code == 201, created.text  # the simulated network answers at once
    url = f"{SERVICE_ACTIVATIONS}/{created.json()['id']}"
    assert client.get(url).json()["state"] == "active"
    assert "PATCH" in refused(client, url, "activationLive")["message"]
    ended = client.patch(url, json={"state": "terminated"}, headers=MERGE)
    assert ended.status_code == 200, ended.text
    assert client.delete(url).status_code == 204


def test_a_resource_activation_on_the_network_is_deactivated_before_it_is_deleted(
    client: Client, cascade: Cascade
) -> None:
    body = {"name": "vlan-100", "resourceSpecification": SPEC_REF}
    created = client.post(RESOURCE_ACTIVATIONS, json=body)
    assert created.status_code == 201, created.text
    url = f"{RESOURCE_ACTIVATIONS}/{created.json()['id']}"
    assert client.get(url).json()["resourceStatus"] == "available"
    refused(client, url, "activationLive")
    locked = client.patch(url, json={"administrativeState": "locked"}, headers=MERGE)
    assert locked.status_code == 200, locked.text
    assert client.delete(url).status_code == 204


def test_an_ended_order_without_children_is_deleted(client: Client, cascade: Cascade) -> None:
    for path, make, _ in ORDERS.values():
        order = make(cascade, "cancelled")
        assert client.delete(f"{path}/{order['id']}").status_code == 204


def test_an_order_a_cease_names_is_not_deleted_before_the_cease(
    client: Client, cascade: Cascade
) -> None:
    made = resource_order(cascade, "completed")
    origin = {"entityType": "ResourceOrder", "id": made["id"], "owner": "Cascade"}
    cease = store(cascade, kinds.RESOURCE_ORDER, {"orderItem": [], "externalReference": [origin]})
    assert cease["id"] in refused(client, f"{RO}/{made['id']}", "orderNamedByOrders")["message"]
