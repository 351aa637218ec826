"""Cancelling orders through the HTTP API at each stage, and everything they did undone."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cascade.settings import Settings
from cascade.storage.allocations import allocations
from tests.fulfilment.conftest import FAST, PO, SO, Chain, broadband, offering_item
from tests.fulfilment.undone import RO, TMF640, delivered, tree_of, undone
from tests.gate import Gate
from tests.waiting import until

CANCEL_PO = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"
CANCEL_SO = "/tmf-api/serviceOrdering/v4/cancelServiceOrder"
CANCEL_RO = "/tmf-api/resourceOrderingManagement/v4/cancelResourceOrder"
ENDED = ("done", "terminatedWithError")
RESOURCE_SPEC = "/tmf-api/resourceCatalog/v4/resourceSpecification"
SERVICE_SPEC = "/tmf-api/serviceCatalogManagement/v4/serviceSpecification"


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    # A test that cancels a running order closes the gate of the activation it must find
    # running before placing the order: the cancel goes down the layers, a controller step
    # each, which took over 2 s on a loaded machine; no latency is sure to outlast that.
    return replace(FAST, simulator_gate=gate.setting)


def get_or_none(chain: Chain, path: str) -> Any:
    response = chain.client.get(path)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    return response.json()


def read(chain: Chain) -> Any:
    return chain.cascade.database.read_sync


def cancel(chain: Chain, order_id: str, path: str = CANCEL_PO, ref: str = "productOrder") -> Any:
    response = chain.client.post(path, json={ref: {"id": order_id}, "cancellationReason": "test"})
    assert response.status_code == 201, response.text
    task = response.json()
    assert task["state"] in ("acknowledged", "accepted")
    return task


def wait_task(chain: Chain, path: str, task_id: str) -> Any:
    return until(
        lambda: (task := chain.get(f"{path}/{task_id}"))["state"] in ENDED and task,
        f"the end of task {task_id}",
    )


def test_cancel_while_resource_orders_run_undoes_everything(chain: Chain, gate: Gate) -> None:
    gate.close("rs-gpon-port")  # the port's resource order runs until cancelled
    placed = chain.place(broadband())

    def resource_order_running() -> bool:
        sos = chain.get(SO, **{"externalReference.id": placed["id"]})
        ros = sos and chain.get(RO, **{"externalReference.id": sos[0]["id"]})
        return bool(ros) and ros[0]["state"] == "inProgress"

    chain.until(resource_order_running)
    task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "done"
    tree = undone(lambda p: get_or_none(chain, p), read(chain), placed["id"])
    assert [so["state"] for so in tree.service_orders] == ["cancelled"]
    assert [ro["state"] for ro in tree.resource_orders] == ["cancelled"]
    order = chain.get(f"{PO}/{placed['id']}")
    assert [i["state"] for i in order["productOrderItem"]] == ["cancelled"]
    assert order["cancellationDate"] and order["cancellationReason"] == "test"
    # The service order was cancelled through its own layer's task, which reports done.
    (inner,) = chain.get(CANCEL_SO, **{"serviceOrder.id": tree.service_orders[0]["id"]})
    assert inner["state"] == "done"
    # Each layer's notes name the client's request once, with its reason: no request of a
    # layer wrapped around the one above ("cancelled by request X (cancelled by request Y").
    why = f"cancelled by request {task['id']} (test)"
    for layer in (order, *tree.service_orders, *tree.resource_orders):
        texts = [note["text"] for note in layer["note"]]
        assert f"cancelled: {why}" in texts, texts
        assert all(text.count("cancelled by request") <= 1 for text in texts), texts


def test_cancel_after_part_of_the_items_was_activated(chain: Chain, gate: Gate) -> None:
    # Item 2 (IPTV) relies on item 1 (broadband): item 1 completes while 2's video is held.
    gate.close("rfs-multicast-video")
    placed = chain.place(
        broadband("1"),
        {
            **offering_item("2", "po-iptv", channelPackage="Premium"),
            "productOrderItemRelationship": [{"id": "1", "relationshipType": "reliesOn"}],
        },
    )
    path = f"{PO}/{placed['id']}"
    chain.until(lambda: chain.get(path)["productOrderItem"][0]["state"] == "completed")
    before = tree_of(lambda p: get_or_none(chain, p), chain.get(path))
    assert get_or_none(chain, f"/tmf-api/productInventory/v4/product/{before.products[0]}")
    task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "done"
    tree = undone(lambda p: get_or_none(chain, p), read(chain), placed["id"])
    order = chain.get(path)
    # The delivered item stays completed (it was), but its product is terminated.
    assert [i["state"] for i in order["productOrderItem"]] == ["completed", "cancelled"]
    assert sorted(so["state"] for so in tree.service_orders) == ["cancelled", "completed"]
    completed = next(so for so in tree.service_orders if so["state"] == "completed")
    assert any("undone" in note["text"] for note in completed["note"])
    assert len(tree.resources) == 4  # port, VLAN, address, multicast VLAN: all released


def test_a_completed_order_cannot_be_cancelled(chain: Chain) -> None:
    placed = chain.place(broadband())
    assert chain.wait_for(placed["id"])["state"] == "completed"
    task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "terminatedWithError"
    order = chain.get(f"{PO}/{placed['id']}")
    assert order["state"] == "completed"
    refused = [n["text"] for n in order["note"] if task["id"] in n["text"]]
    assert refused and "a completed order cannot be cancelled" in refused[0]
    delivered(lambda p: get_or_none(chain, p), read(chain), placed["id"])


def test_duplicate_cancel_requests_start_one_rollback(chain: Chain, gate: Gate) -> None:
    gate.close("rs-gpon-port")  # the order still runs when cancelled
    placed = chain.place(broadband())
    body = {"productOrder": {"id": placed["id"]}}
    key = {"Idempotency-Key": "cancel-once"}
    first = chain.client.post(CANCEL_PO, json=body, headers=key)
    assert first.status_code == 201, first.text
    replayed = chain.client.post(CANCEL_PO, json=body, headers=key)  # a retry: the same task
    assert (replayed.status_code, replayed.json()["id"]) == (201, first.json()["id"])
    first = first.json()
    again = chain.client.post(CANCEL_PO, json=body)  # another request: refused while it runs
    assert again.status_code == 409, again.text
    assert first["id"] in again.json()["message"]
    assert wait_task(chain, CANCEL_PO, first["id"])["state"] == "done"
    tasks = chain.get(CANCEL_PO, **{"productOrder.id": placed["id"]})
    assert [t["id"] for t in tasks] == [first["id"]]
    late = chain.client.post(CANCEL_PO, json=body)  # done now: the same answer, 409 naming it
    assert (late.status_code, late.json()["code"]) == (409, again.json()["code"])
    assert late.json()["referenceError"] == again.json()["referenceError"] == first["href"]
    assert [t["id"] for t in chain.get(CANCEL_PO, **{"productOrder.id": placed["id"]})] == [
        first["id"]
    ]
    replayed = chain.client.post(CANCEL_PO, json=body, headers=key)  # the key: still the 201
    assert (replayed.status_code, replayed.json()["id"]) == (201, first["id"])
    undone(lambda p: get_or_none(chain, p), read(chain), placed["id"])


def test_bad_cancel_requests_are_refused_and_change_nothing(chain: Chain) -> None:
    missing = chain.client.post(CANCEL_PO, json={"productOrder": {"id": "no-such-order"}})
    assert missing.status_code == 400, missing.text  # TMF622 lists 400, not 404, for a POST
    assert missing.json()["code"] == "unknownReference"
    assert "no-such-order" in missing.json()["message"]
    no_target = chain.client.post(CANCEL_PO, json={"cancellationReason": "x"})
    assert no_target.status_code == 400
    for path in (CANCEL_PO, CANCEL_SO, CANCEL_RO):
        assert chain.get(path) == []


def test_a_service_order_cancelled_directly(chain: Chain, gate: Gate) -> None:
    gate.close("rs-gpon-port")  # the service order runs until cancelled
    placed = chain.place(broadband())
    chain.until(lambda: bool(chain.get(SO, **{"externalReference.id": placed["id"]})))
    (service_order,) = chain.get(SO, **{"externalReference.id": placed["id"]})
    task = cancel(chain, service_order["id"], CANCEL_SO, "serviceOrder")
    ended = wait_task(chain, CANCEL_SO, task["id"])
    assert ended["state"] == "done" and ended["completionMessage"]
    assert chain.get(f"{SO}/{service_order['id']}")["state"] == "cancelled"
    # The product order hears of it: its item fails, naming the cancelled service order.
    order = chain.wait_for(placed["id"])
    assert order["state"] == "failed"
    assert any("cancelled" in note["text"] for note in order["note"])
    for resource_order in chain.get(RO, **{"externalReference.id": service_order["id"]}):
        assert resource_order["state"] == "cancelled"


def test_a_resource_order_cancelled_directly(chain: Chain, gate: Gate) -> None:
    gate.close("rs-gpon-port")  # the port's resource order runs until cancelled
    placed = chain.place(broadband())
    found: list[dict[str, Any]] = []

    def resource_order() -> bool:
        sos = chain.get(SO, **{"externalReference.id": placed["id"]})
        found[:] = sos and chain.get(RO, **{"externalReference.id": sos[0]["id"]})
        return bool(found) and found[0]["state"] == "inProgress"

    chain.until(resource_order)
    task = cancel(chain, found[0]["id"], CANCEL_RO, "resourceOrder")
    assert wait_task(chain, CANCEL_RO, task["id"])["state"] == "done"
    assert chain.wait_for(placed["id"])["state"] == "failed"
    tree = tree_of(lambda p: get_or_none(chain, p), chain.get(f"{PO}/{placed['id']}"))
    assert [ro["state"] for ro in tree.resource_orders] == ["cancelled"]
    held = read(chain)(lambda c: [a.owner for a in allocations(c)])
    assert not set(held) & set(tree.owners)


def test_a_point_of_no_return_refuses_the_cancel(chain: Chain, gate: Gate) -> None:
    spec_path = f"{RESOURCE_SPEC}/rs-sim-card"
    spec = chain.get(spec_path)
    marker = {
        "name": "pointOfNoReturn",
        "valueType": "string",
        "configurable": False,
        "resourceSpecCharacteristicValue": [{"valueType": "string", "value": "activation"}],
    }
    characteristics = [*spec["resourceSpecCharacteristic"], marker]
    patched = chain.client.patch(
        spec_path,
        json={"resourceSpecCharacteristic": characteristics},
        headers={"content-type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    gate.close("rfs-mobile-subscription")  # the order runs past the SIM card's activation
    placed = chain.place(offering_item("1", "po-mobile-line"))
    path = f"{PO}/{placed['id']}"

    def sim_activated() -> bool:
        tree = tree_of(lambda p: get_or_none(chain, p), chain.get(path))
        return bool(tree.resource_orders) and tree.resource_orders[0]["state"] == "completed"

    chain.until(sim_activated)
    task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "terminatedWithError"
    order = chain.get(path)
    assert any("point of no return" in n["text"] for n in order["note"]), order["note"]
    gate.open()
    assert chain.wait_for(placed["id"])["state"] == "completed"


def test_a_point_of_no_return_on_a_service_specification(chain: Chain, gate: Gate) -> None:
    spec_path = f"{SERVICE_SPEC}/rfs-gpon-access"
    marker = {
        "name": "pointOfNoReturn",
        "valueType": "string",
        "configurable": False,
        "characteristicValueSpecification": [{"valueType": "string", "value": "activation"}],
    }
    patched = chain.client.patch(
        spec_path,
        json={"specCharacteristic": [marker]},
        headers={"content-type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    gate.close("rfs-qos-profile")  # the order runs past the access's activation
    placed = chain.place(broadband())
    path = f"{PO}/{placed['id']}"

    def access_activated() -> bool:
        tree = tree_of(lambda p: get_or_none(chain, p), chain.get(path))
        states = [get_or_none(chain, f"{TMF640}/{s}") for s in tree.services]
        return any(
            s and s["serviceSpecification"]["id"] == "rfs-gpon-access" and s["state"] == "active"
            for s in states
        )

    chain.until(access_activated)
    assert chain.get(path)["state"] == "inProgress"  # the QoS profile is still activating
    task = cancel(chain, placed["id"])
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "terminatedWithError"
    notes = [n["text"] for n in chain.get(path)["note"]]
    assert any("point of no return" in n and "GPON Access" in n for n in notes), notes
    gate.open()
    assert chain.wait_for(placed["id"])["state"] == "completed"
