"""A client POSTs to TMF640 /service and TMF702 /resource: activation through the driver,
answered 201 when it is done at once, else 202 with the monitor that follows it to the end."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import msgspec
import pytest
from sqlalchemy import func, select

from cascade.settings import Settings
from cascade.storage.tables import simulated_network, work_item
from tests.fulfilment.conftest import FAST, PO, Chain, broadband
from tests.gate import Gate

TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4"
SPEC = {"id": "rfs-qos", "name": "QoS"}
SERVICE = {
    "name": "QoS profile for a client",
    "state": "active",
    "serviceSpecification": SPEC,
    "serviceCharacteristic": [{"name": "profile", "value": "gold"}],
}
RESOURCE = {
    "name": "VLAN 100",
    "resourceSpecification": {
        "id": "rs-vlan",
        "href": "http://catalog.example/resourceSpecification/rs-vlan",
        "name": "VLAN",
    },
    "resourceCharacteristic": [{"name": "vlanId", "value": 100}],
}
ZERO_LATENCY = FAST
SLOW = replace(FAST, simulator_latency_ms=300)
REFUSING = replace(FAST, simulator_failure_rate=1.0, activation_attempts=2)


def _post(chain: Chain, path: str, body: dict[str, Any], **headers: str) -> Any:
    return chain.client.post(path, json=body, headers=headers)


def _activations_done(chain: Chain) -> int:
    return chain.cascade.database.read_sync(
        lambda c: c.execute(select(func.count()).select_from(simulated_network)).scalar_one()
    )


@pytest.mark.parametrize("chain_settings", [ZERO_LATENCY])
def test_an_activation_done_at_once_answers_201_with_the_active_entity(chain: Chain) -> None:
    response = _post(chain, f"{TMF640}/service", SERVICE)
    assert response.status_code == 201, response.text
    service = response.json()
    assert service["state"] == "active"
    assert service["hasStarted"] is True and service["startDate"]
    assert response.headers["Location"] == service["href"]
    assert chain.get(f"{TMF640}/service/{service['id']}") == service
    (monitor,) = chain.get(f"{TMF640}/monitor", sourceHref=service["href"])
    assert monitor["state"] == "Completed"
    assert monitor["response"]["statusCode"] == "201"
    assert msgspec.json.decode(monitor["response"]["body"])["state"] == "active"

    response = _post(chain, f"{TMF702}/resource", RESOURCE)
    assert response.status_code == 201, response.text
    resource = response.json()
    assert resource["resourceStatus"] == "available"
    assert resource["resourceCharacteristic"][0]["value"] == 100
    assert _activations_done(chain) == 2


@pytest.mark.parametrize("chain_settings", [SLOW])
@pytest.mark.parametrize(
    ("api", "collection", "body", "attribute", "done"),
    [
        (TMF640, "service", SERVICE, "state", "active"),
        (TMF702, "resource", RESOURCE, "resourceStatus", "available"),
    ],
)
def test_an_activation_that_takes_time_answers_202_with_a_monitor_that_completes(
    chain: Chain, api: str, collection: str, body: dict[str, Any], attribute: str, done: str
) -> None:
    response = _post(chain, f"{api}/{collection}", body)
    assert response.status_code == 202, response.text
    monitor = response.json()
    assert monitor["state"] == "InProgress"
    assert monitor["@type"] == "Monitor"
    assert response.headers["Location"] == monitor["href"]
    assert monitor["sourceHref"].startswith(f"{chain.client.base_url}{api}/{collection}/")

    monitor_path = monitor["href"].removeprefix(str(chain.client.base_url))
    chain.until(lambda: chain.get(monitor_path)["state"] != "InProgress")
    assert chain.get(monitor_path)["state"] == "Completed"
    entity = chain.get(monitor["sourceHref"].removeprefix(str(chain.client.base_url)))
    assert entity[attribute] == done
    assert entity["name"] == body["name"]
    assert _activations_done(chain) == 1  # followed to its end, activated once


@pytest.mark.parametrize("chain_settings", [SLOW])
def test_an_idempotency_key_replays_the_202_and_activates_once(chain: Chain) -> None:
    first = _post(chain, f"{TMF640}/service", SERVICE, **{"Idempotency-Key": "client-7"})
    again = _post(chain, f"{TMF640}/service", SERVICE, **{"Idempotency-Key": "client-7"})
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    monitor_path = first.headers["Location"].removeprefix(str(chain.client.base_url))
    chain.until(lambda: chain.get(monitor_path)["state"] == "Completed")
    assert len(chain.get(f"{TMF640}/service")) == 1
    assert _activations_done(chain) == 1


@pytest.mark.parametrize("chain_settings", [REFUSING])
def test_a_refused_activation_ends_in_error_after_the_attempts(chain: Chain) -> None:
    response = _post(chain, f"{TMF640}/service", SERVICE)
    assert response.status_code == 202, response.text
    monitor = response.json()
    assert monitor["state"] == "InProgress"  # the first attempt failed; another one follows
    monitor_path = monitor["href"].removeprefix(str(chain.client.base_url))
    chain.until(lambda: chain.get(monitor_path)["state"] != "InProgress")
    monitor = chain.get(monitor_path)
    assert monitor["state"] == "InError"
    assert monitor["response"]["statusCode"] == "500"
    error = msgspec.json.decode(monitor["response"]["body"])
    assert "after 2 attempt(s)" in error["message"]
    assert "simulated network refused rfs-qos" in error["message"]
    service = chain.get(monitor["sourceHref"].removeprefix(str(chain.client.base_url)))
    assert service["state"] == "inactive"
    assert [n["text"] for n in service["note"]] == [
        "activation attempt failed: simulated network refused rfs-qos (attempt 1)",
        "activation failed after 2 attempt(s): simulated network refused rfs-qos",
    ]


@pytest.mark.parametrize("chain_settings", [replace(REFUSING, activation_attempts=1)])
def test_a_first_attempt_that_fails_for_good_answers_202_in_error(chain: Chain) -> None:
    response = _post(chain, f"{TMF702}/resource", RESOURCE)
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "InError"
    resource = chain.get(response.json()["sourceHref"].removeprefix(str(chain.client.base_url)))
    assert resource["resourceStatus"] == "alarm"


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    """The tests that do not choose settings of their own get the gate."""
    return replace(FAST, simulator_gate=gate.setting)


def test_activations_of_orders_are_left_to_their_order_controllers(
    chain: Chain, gate: Gate
) -> None:
    gate.close()  # every activation waits: the order's work is seen while it is in flight
    placed = chain.place(broadband())
    kinds: set[str] = set()

    def work() -> set[str]:
        rows = chain.cascade.database.read_sync(
            lambda c: c.execute(select(work_item.c.kind)).scalars().all()
        )
        kinds.update(rows)
        return kinds

    chain.until(lambda: "resourceOrder" in work())
    gate.open()
    chain.until(lambda: bool(work()) and chain.get(f"{PO}/{placed['id']}")["state"] == "completed")
    assert not kinds & {"serviceActivation", "resourceActivation"}
    services = chain.get(f"{TMF640}/service")
    assert services and all(s["state"] == "active" for s in services)
    assert all("serviceOrderItem" in s for s in services)
