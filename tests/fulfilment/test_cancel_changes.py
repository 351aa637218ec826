"""Cancelling an order that changes an installed product stops it and never retires what the
customer already had; what its `modify` items changed is put back (ADR 0032): the network and
the TMF637/638/639 records (and TMF640/702 entities) end as they were before the order."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.fulfilment.activation.simulated import SimulatedNetwork
from cascade.fulfilment.cancellation.revert import Reverts
from cascade.settings import Settings
from cascade.tmf.declarations import Kind
from tests.fulfilment.conftest import FAST, SO, Chain, broadband
from tests.fulfilment.test_cancellation import CANCEL_PO, cancel, wait_task
from tests.fulfilment.test_change_claims_in_sequence import change_claims
from tests.fulfilment.test_lifecycle import (
    ACTIVATED_RESOURCE,
    ACTIVATED_SERVICE,
    PRODUCT,
    RESOURCE,
    SERVICE,
    change,
    fulfilled,
    network,
    owners,
    product_of,
    resources_of,
    service_tree,
    values,
)
from tests.gate import Gate

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
# What a modify may change, and what says whether a thing is in service.
PRODUCT_SHOWS = ("status", "productOffering", "productSpecification", "productCharacteristic")
SERVICE_SHOWS = ("state", "serviceCharacteristic", "supportingService", "supportingResource")
RESOURCE_SHOWS = (
    "resourceCharacteristic",
    "resourceStatus",
    "administrativeState",
    "operationalState",
    "usageState",
)


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def shown(document: dict[str, Any], attributes: tuple[str, ...]) -> dict[str, Any]:
    return {key: document.get(key) for key in attributes}


def installed(chain: Chain, product_id: str) -> dict[str, Any]:
    """What the inventories and activation entities show of the product, by href."""
    product = chain.get(f"{PRODUCT}/{product_id}")
    seen: dict[str, Any] = {"product": shown(product, (*PRODUCT_SHOWS, "realizingService"))}
    services = service_tree(chain, product_id)
    for service in services.values():
        seen[service["href"]] = shown(service, SERVICE_SHOWS)
        activation = chain.client.get(f"{ACTIVATED_SERVICE}/{service['id']}")
        if activation.status_code != 404:  # a CFS has no TMF640 entity
            seen[f"tmf640/{service['id']}"] = shown(activation.json(), SERVICE_SHOWS)
    for resource in resources_of(chain, services):
        seen[resource["href"]] = shown(resource, RESOURCE_SHOWS)
        activation = chain.get(f"{ACTIVATED_RESOURCE}/{resource['id']}")
        seen[f"tmf702/{resource['id']}"] = shown(activation, RESOURCE_SHOWS)
    return seen


def stored(chain: Chain, kind: Kind, entity_id: str) -> dict[str, Any]:
    """The document as Cascade stores it (not as a client is shown it)."""
    repository = chain.cascade.repositories[kind]
    found = chain.cascade.database.read_sync(lambda c: repository.get(c, entity_id))
    assert found is not None
    document: dict[str, Any] = json.loads(found.doc)
    return document


def cancelled(chain: Chain, order_id: str) -> dict[str, Any]:
    task = cancel(chain, order_id)
    ended = wait_task(chain, CANCEL_PO, task["id"])
    order: dict[str, Any] = chain.get(f"{PO}/{order_id}")
    assert (ended["state"], order["state"]) == ("done", "cancelled"), order
    return order


def test_cancelling_a_speed_upgrade_keeps_the_installed_product(chain: Chain, gate: Gate) -> None:
    added = fulfilled(chain, broadband(speed=500))
    product_id = product_of(added)
    services = service_tree(chain, product_id)
    resources = resources_of(chain, services)
    held = owners(chain)
    configured = network(chain)
    before = installed(chain, product_id)

    gate.close("rfs-qos-profile")  # the QoS re-configuration is in flight when cancelled
    upgrade = chain.place(change("1", "modify", product_id, downloadSpeed=1000))
    chain.until(lambda: len(network(chain)) > len(configured))  # asked of the network
    assert change_claims(chain)["productChange"] == {product_id: upgrade["id"]}
    cancelled(chain, upgrade["id"])

    # The customer's product, services and resources are still in place, as they were.
    assert chain.get(f"{PRODUCT}/{product_id}")["status"] == "active"
    for service in services.values():
        assert chain.get(f"{SERVICE}/{service['id']}")["state"] == "active", service["name"]
    for resource in resources:
        record = chain.get(f"{RESOURCE}/{resource['id']}")
        assert record["resourceStatus"] != "standby", record
    assert owners(chain) == held
    assert installed(chain, product_id) == before
    # The re-configuration that was waiting is withdrawn: opening the gate applies nothing.
    assert network(chain) == configured
    gate.open()
    assert network(chain) == configured
    assert change_claims(chain) == {}  # the cancelled orders gave their claims back (ADR 0029)


def test_cancelling_an_applied_speed_upgrade_puts_the_old_configuration_back(
    chain: Chain, gate: Gate
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    held = owners(chain)
    configured = network(chain)
    before = installed(chain, product_id)
    qos_id = service_tree(chain, product_id)["rfs-qos-profile"]["id"]

    # The order's second item (a new line) is held at its access, so the order still runs
    # once the upgrade (item 1) is applied everywhere.
    gate.close("rfs-gpon-access")
    upgrade = chain.place(change("1", "modify", product_id, downloadSpeed=1000), broadband("2"))
    chain.until(
        lambda: (
            values(chain.get(f"{PRODUCT}/{product_id}"), "productCharacteristic").get(
                "downloadSpeed"
            )
            == 1000
        )
    )
    applied = installed(chain, product_id)
    assert applied != before
    assert values(chain.get(f"{ACTIVATED_SERVICE}/{qos_id}"), "serviceCharacteristic") == {
        "downloadSpeed": 1000,
        "uploadSpeed": 500,
    }
    assert {"downloadSpeed": 1000, "uploadSpeed": 500} in network(chain).values()
    assert chain.get(f"{PO}/{upgrade['id']}")["state"] == "inProgress"

    order = cancelled(chain, upgrade["id"])

    # The product, its services and resources are back on what they had before the order.
    assert installed(chain, product_id) == before
    assert network(chain) == configured
    assert owners(chain) == held
    # The upgrade stays completed (it happened), and is marked undone where it was applied.
    assert next(i["state"] for i in order["productOrderItem"] if i["id"] == "1") == "completed"
    (service_order,) = [
        placed
        for placed in chain.get(SO, **{"externalReference.id": upgrade["id"]})
        if any(i["service"].get("id") == qos_id for i in placed["serviceOrderItem"])
    ]
    assert any("undone" in n["text"] for n in service_order["note"])
    qos = chain.get(f"{SERVICE}/{qos_id}")
    assert "undone" in qos["note"][-1]["text"]
    assert qos["serviceOrderItem"][-1]["serviceOrderId"] == service_order["id"]
    qos_item = qos["serviceOrderItem"][-1]["itemId"]
    # What the item kept (stored, ADR 0033: no client sees it) is the configuration from
    # before the order.
    service_order = stored(chain, kinds.SERVICE_ORDER, service_order["id"])
    order = stored(chain, kinds.PRODUCT_ORDER, order["id"])
    (kept,) = [i["cascadeBefore"] for i in service_order["serviceOrderItem"] if i["id"] == qos_item]
    assert values(kept["activation"], "serviceCharacteristic")["downloadSpeed"] == 500

    # The undo is idempotent: a step run again (after a crash, say) changes nothing.
    again(chain, order, service_order)
    assert installed(chain, product_id) == before
    assert network(chain) == configured
    gate.open()
    assert network(chain) == configured


def again(chain: Chain, order: dict[str, Any], service_order: dict[str, Any]) -> None:
    """Every revert of the orders run once more, as a step run twice would."""
    reverts = Reverts(chain.cascade.repositories, SimulatedNetwork())

    def run(connection: Connection) -> None:
        for item in service_order["serviceOrderItem"]:
            assert reverts.service_item(connection, service_order, item, "again")
        for item in order["productOrderItem"]:
            reverts.product_item(connection, item)

    chain.cascade.database.write_sync(run)
