"""Two writers accept two orders placed directly at SOM (or ROM) changing one service (or
ceasing one resource) at the same moment: exactly one runs, the other is `rejected` naming it.

The race is made, not hoped for (tests/fulfilment/races.py). The accepted order must still
run when the second one's claim looks at it, or the claim would rightly be handed over: the
racing Cascades' network takes ten minutes to apply anything, so neither order can end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade, build
from cascade.fulfilment.layers.skeleton import OrderController
from cascade.fulfilment.resource.controller import ResourceOrderController
from cascade.fulfilment.service.controller import ServiceOrderController
from tests.conftest import PUBLIC_URL
from tests.fulfilment.conftest import FAST, RO, SO, Chain, broadband, running_chain
from tests.fulfilment.races import accept_at_once
from tests.fulfilment.test_lifecycle import fulfilled, product_of, service_tree
from tests.fulfilment.test_resource_order_items import item

SLOW = {spec: {"latency_ms": 600_000} for spec in ("rfs-qos-profile", "rs-msisdn")}


@dataclass
class Installed:
    qos_id: str  # the TMF638 QoS service of a delivered broadband product
    origin: dict[str, Any]  # a completed TMF652 order that made one MSISDN


@dataclass
class Racers:
    first: Cascade
    second: Cascade
    installed: Installed

    def place(self, client: TestClient[Any], path: str, bodies: list[dict[str, Any]]) -> list[str]:
        ids = []
        for body in bodies:
            placed = client.post(path, json=body)
            assert placed.status_code == 201, placed.text
            ids.append(placed.json()["id"])
        return ids


def _install(chain: Chain) -> Installed:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    response = chain.client.post(RO, json={"orderItem": [item("1", "rs-msisdn")]})
    assert response.status_code == 201, response.text
    origin = chain.wait_for(response.json()["id"], RO)
    assert origin["state"] == "completed", origin.get("note")
    return Installed(service_tree(chain, product_id)["rfs-qos-profile"]["id"], origin)


@pytest.fixture
def racers(database_url: str) -> Iterator[Racers]:
    """Two Cascades without controllers, on a slow network, over what a running chain made."""
    with running_chain(database_url, FAST) as chain:
        installed = _install(chain)
    settings = replace(
        FAST,
        database_url=database_url,
        controllers=False,
        simulator_specifications=json.dumps(SLOW),
    )
    first, second = build(settings), build(settings)
    try:
        yield Racers(first, second, installed)
    finally:
        first.close()
        second.close()


def qos_modify(qos_id: str, upload: int) -> dict[str, Any]:
    """A TMF641 order, as a client posts it, that changes the QoS service's upload speed."""
    service = {
        "id": qos_id,
        "serviceSpecification": {"id": "rfs-qos-profile"},
        "serviceCharacteristic": [{"name": "uploadSpeed", "value": upload}],
    }
    return {"serviceOrderItem": [{"id": "1", "action": "modify", "service": service}]}


def msisdn_cease(origin: dict[str, Any], slow_id: str) -> dict[str, Any]:
    """A TMF652 order that ceases the origin's MSISDN, with a slow add beside it (it runs on)."""
    made = origin["orderItem"][0]["resource"]
    resource = {key: made[key] for key in ("id", "href", "resourceSpecification")}
    slow = item("9", "rs-msisdn")
    slow["resource"].update(id=slow_id, href=f"/resource/{slow_id}")
    return {
        "orderItem": [{"id": "1", "action": "delete", "resource": resource}, slow],
        "externalReference": [{"entityType": "ResourceOrder", "id": origin["id"], "owner": "test"}],
    }


def _race(
    racers: Racers, path: str, kind: type[OrderController], bodies: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    with TestClient(racers.first.app, base_url=PUBLIC_URL) as client:
        first_id, second_id = racers.place(client, path, bodies)
        accept_at_once(racers.first, racers.second, kind, (first_id, second_id))
        accepted, refused = (client.get(f"{path}/{each}").json() for each in (first_id, second_id))
    assert (accepted["state"], refused["state"]) == ("inProgress", "rejected")
    return accepted, refused


def test_two_writers_accepting_changes_of_one_service_at_once_run_one(racers: Racers) -> None:
    qos_id = racers.installed.qos_id
    bodies = [qos_modify(qos_id, 100), qos_modify(qos_id, 200)]
    accepted, refused = _race(racers, SO, ServiceOrderController, bodies)
    (error,) = refused["errorMessage"]
    assert error["code"] == "invalidServiceOrder"
    assert error["reason"] == (
        f"item 1: service '{qos_id}' is being changed by service order {accepted['id']}; "
        "place this change once that order has ended"
    )


def test_two_writers_accepting_ceases_of_one_resource_at_once_run_one(racers: Racers) -> None:
    origin = racers.installed.origin
    bodies = [msisdn_cease(origin, "slow-a"), msisdn_cease(origin, "slow-b")]
    accepted, refused = _race(racers, RO, ResourceOrderController, bodies)
    resource_id = origin["orderItem"][0]["resource"]["id"]
    assert [note["text"] for note in refused["note"]] == [
        f"item 1: resource '{resource_id}' is being changed by resource order {accepted['id']}; "
        "place this change once that order has ended"
    ]
