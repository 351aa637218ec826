"""An order entering `pending` (it needs something from outside) publishes its
InformationRequiredEvent after the StateChangeEvent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.api.official_schemas import OfficialSchemas
from tests.events.conftest import EVENTS_FAST, SPEC_FILES, Listener, subscribe
from tests.fulfilment.conftest import PO, SO, Chain, broadband

MERGE = {"content-type": "application/merge-patch+json"}
WANTED = "eventType=ServiceOrderStateChangeEvent,ServiceOrderInformationRequiredEvent"


@pytest.fixture
def chain_settings() -> Settings:
    # The access port takes a while to activate, so the service order is still running.
    return replace(EVENTS_FAST, simulator_specifications='{"rs-gpon-port": {"latency_ms": 400}}')


def test_a_service_order_put_pending_asks_for_information(
    chain: Chain, listener: Listener, official: OfficialSchemas
) -> None:
    subscribe(chain.client, "tmf641", listener.url(), query=WANTED)
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
