"""Orders that wait for something outside: entering `pending` publishes an
InformationRequiredEvent after the StateChangeEvent; a TMF641 order's jeopardy alert and
release milestone publish its JeopardyEvent and MilestoneEvent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.api.official_schemas import OfficialSchemas
from tests.events.conftest import EVENTS_FAST, SPEC_FILES, Listener, Received, subscribe
from tests.fulfilment.conftest import PO, SO, Chain, broadband
from tests.gate import Gate

MERGE = {"content-type": "application/merge-patch+json"}
WANTED = "eventType=ServiceOrderStateChangeEvent,ServiceOrderInformationRequiredEvent"


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(EVENTS_FAST, simulator_gate=gate.setting)


def test_a_service_order_put_pending_asks_for_information(
    chain: Chain, listener: Listener, official: OfficialSchemas, gate: Gate
) -> None:
    subscribe(chain.client, "tmf641", listener.url(), query=WANTED)
    gate.close("rs-gpon-port")  # the service order runs until the test opens the gate
    placed = chain.place(broadband())
    chain.until(
        lambda: (
            [s["state"] for s in chain.get(SO, **{"externalReference.id": placed["id"]})]
            == ["inProgress"]
        )
    )
    (order,) = chain.get(SO, **{"externalReference.id": placed["id"]})
    url = f"{SO}/{order['id']}"
    pending = chain.client.patch(url, json={"state": "pending"}, headers=MERGE)
    assert pending.status_code == 200, pending.text
    found = listener.wait(
        lambda r: any(x.event_type == "ServiceOrderInformationRequiredEvent" for x in r),
        what="the information required event",
    )
    for r in found:
        official.check(SPEC_FILES["tmf641"], r.event_type, r.event)
    mine = [(r.event_type, r.event["event"]["serviceOrder"]["state"]) for r in found]
    assert mine[-2:] == [
        ("ServiceOrderStateChangeEvent", "pending"),
        ("ServiceOrderInformationRequiredEvent", "pending"),
    ]
    gate.open()
    resumed = chain.client.patch(url, json={"state": "inProgress"}, headers=MERGE)
    assert resumed.status_code == 200, resumed.text
    assert chain.wait_for(placed["id"], PO)["state"] == "completed"
    listener.wait(
        lambda r: (
            ("ServiceOrderStateChangeEvent", "completed")
            in [(x.event_type, x.event["event"]["serviceOrder"]["state"]) for x in r]
        ),
        what="the completed service order",
    )
    kinds = [r.event_type for r in listener.received()]
    assert kinds.count("ServiceOrderInformationRequiredEvent") == 1, kinds


SERVICE_SPEC = "/tmf-api/serviceCatalogManagement/v4/serviceSpecification/rfs-qos-profile"
PRODUCT_SPEC = "/tmf-api/productCatalogManagement/v4/productSpecification/ps-fibre-broadband"


def test_manual_steps_publish_jeopardy_information_and_milestone_events(
    chain: Chain, listener: Listener, official: OfficialSchemas
) -> None:
    steps = {"cascadeManualSteps": [{"name": "QoS sign-off"}]}
    assert chain.client.patch(SERVICE_SPEC, json=steps, headers=MERGE).status_code == 200
    subscribe(chain.client, "tmf641", listener.url("/som"))
    placed = chain.place(broadband())
    chain.until(
        lambda: (
            [s["state"] for s in chain.get(SO, **{"externalReference.id": placed["id"]})]
            == ["pending"]
        )
    )
    (order,) = chain.get(SO, **{"externalReference.id": placed["id"]})

    def types_of(found: list[Received]) -> list[str]:
        return [r.event_type for r in found]

    found = listener.wait(
        lambda r: (
            {"ServiceOrderJeopardyEvent", "ServiceOrderInformationRequiredEvent"}
            <= set(types_of(r))
        ),
        what="jeopardy and information required events",
    )
    released = chain.client.patch(
        f"{SO}/{order['id']}", json={"state": "inProgress"}, headers=MERGE
    )
    assert released.status_code == 200, released.text
    assert chain.wait_for(placed["id"], PO)["state"] == "completed"
    found = listener.wait(
        lambda r: (
            ("ServiceOrderStateChangeEvent", "completed")
            in [(x.event_type, x.event["event"]["serviceOrder"]["state"]) for x in r]
        ),
        what="the completed service order",
    )
    for r in found:
        official.check(SPEC_FILES["tmf641"], r.event_type, r.event)
    jeopardy = next(r for r in found if r.event_type == "ServiceOrderJeopardyEvent")
    (alert,) = jeopardy.event["event"]["serviceOrder"]["jeopardyAlert"]
    assert alert["name"] == "QoS sign-off (manualStep)"
    assert types_of(found).count("ServiceOrderJeopardyEvent") == 1
    assert types_of(found).count("ServiceOrderInformationRequiredEvent") == 1
    assert "ServiceOrderMilestoneEvent" in types_of(found)


def test_a_product_order_waiting_for_a_manual_step_asks_for_information(
    chain: Chain, listener: Listener, official: OfficialSchemas
) -> None:
    steps = {"cascadeManualSteps": [{"name": "site survey", "kind": "manualStep"}]}
    assert chain.client.patch(PRODUCT_SPEC, json=steps, headers=MERGE).status_code == 200
    subscribe(chain.client, "tmf622", listener.url(), query="eventType=" + ",".join(PO_TYPES))
    placed = chain.place(broadband())
    found = listener.wait(
        lambda r: "ProductOrderInformationRequiredEvent" in [x.event_type for x in r],
        what="the product order's information required event",
    )
    assert [(r.event_type, r.event["event"]["productOrder"]["state"]) for r in found] == [
        ("ProductOrderStateChangeEvent", "pending"),
        ("ProductOrderInformationRequiredEvent", "pending"),
    ]
    for r in found:
        official.check(SPEC_FILES["tmf622"], r.event_type, r.event)
    assert {r.event["event"]["productOrder"]["id"] for r in found} == {placed["id"]}


PO_TYPES = ("ProductOrderStateChangeEvent", "ProductOrderInformationRequiredEvent")
