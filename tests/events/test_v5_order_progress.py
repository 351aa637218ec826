"""TMF622 v5's three product order events (issue 17): COM records milestones when an item's
service orders are placed and complete, and an error message when an item fails; a v5 hub
gets one `ProductOrderMilestoneEvent` or `ProductOrderErrorMessageEvent` per change that
adds entries, a v4 hub none (v4 has no such events) while v4 shows the lists as marked
extensions (docs/versions.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from cascade.settings import Settings
from tests.api.official_schemas import OfficialSchemas
from tests.events.conftest import (
    EVENTS_FAST,
    PO_HUB,
    Listener,
    Received,
    outbox_and_deliveries,
    until,
)
from tests.fulfilment.conftest import Chain, broadband, offering_item

V5 = "/tmf-api/productOrderingManagement/v5"
V5_FILE = "TMF622-ProductOrdering-v5.0.0.oas.yaml"
V4_FILE = "TMF622-ProductOrdering-v4.0.0.swagger.json"
MILESTONE, ERROR = "ProductOrderMilestoneEvent", "ProductOrderErrorMessageEvent"
JEOPARDY = "ProductOrderJeopardyAlertEvent"


@pytest.fixture
def chain_settings() -> Settings:
    # SIM cards always fail to activate: the mobile line item fails, the broadband completes.
    return replace(
        EVENTS_FAST,
        activation_attempts=3,
        simulator_specifications='{"rs-sim-card": {"failure_rate": 1.0}}',
    )


def of_type(found: list[Received], event_type: str) -> list[dict[str, Any]]:
    return [r.event for r in found if r.event_type == event_type]


def test_milestones_and_error_messages_reach_a_v5_hub_once_per_change(
    chain: Chain, listener: Listener, official: OfficialSchemas
) -> None:
    v5_hub = {"callback": listener.url("/v5"), "@type": "Hub"}
    assert chain.client.post(f"{V5}/hub", json=v5_hub).status_code == 201
    assert chain.client.post(PO_HUB, json={"callback": listener.url("/v4")}).status_code == 201
    placed = chain.place(broadband("1"), offering_item("2", "po-mobile-line"))
    order = chain.wait_for(placed["id"])
    assert order["state"] == "partial"
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="every event delivered")

    milestones = order["productOrderMilestone"]
    reached = sorted(
        (m["productOrderItem"][0]["productOrderItemId"], m["name"]) for m in milestones
    )
    assert reached == [
        ("1", "serviceOrdersCompleted"),
        ("1", "serviceOrdersPlaced"),
        ("2", "serviceOrdersPlaced"),
    ]
    [error] = order["productOrderErrorMessage"]
    assert error["productOrderItem"][0]["productOrderItemId"] == "2"
    assert "rs-sim-card" in error["message"]
    official.check(V4_FILE, "ProductOrder", order)  # v4: marked extensions

    received = listener.received("/v5")
    ids = Counter(r.event["eventId"] for r in received)
    assert [i for i, n in ids.items() if n > 1] == []
    # One event per change that added entries: each carries more than the one before.
    counts = sorted(
        len(e["event"]["productOrder"]["productOrderMilestone"])
        for e in of_type(received, MILESTONE)
    )
    assert counts and len(set(counts)) == len(counts) and counts[-1] == len(milestones)
    [error_event] = of_type(received, ERROR)
    shown = error_event["event"]["productOrder"]
    assert shown["productOrderErrorMessage"] == [error]
    for envelope in [*of_type(received, MILESTONE), error_event]:
        official.check(V5_FILE, envelope["@type"], envelope)
    v5 = chain.get(f"{V5}/productOrder/{placed['id']}")
    official.check(V5_FILE, "ProductOrder", v5)
    assert v5["productOrderMilestone"] == milestones
    v4_types = {r.event_type for r in listener.received("/v4")}
    assert not v4_types & {MILESTONE, ERROR, JEOPARDY}


SPEC = "/tmf-api/productCatalogManagement/v4/productSpecification/ps-fibre-broadband"
MERGE = {"content-type": "application/merge-patch+json"}


def test_a_manual_step_is_a_jeopardy_alert_and_its_release_a_milestone(
    chain: Chain, listener: Listener, official: OfficialSchemas
) -> None:
    steps = [{"name": "site survey", "kind": "manualStep"}]
    declared = chain.client.patch(SPEC, json={"cascadeManualSteps": steps}, headers=MERGE)
    assert declared.status_code == 200, declared.text
    v5_hub = {"callback": listener.url("/v5"), "@type": "Hub"}
    assert chain.client.post(f"{V5}/hub", json=v5_hub).status_code == 201
    placed = chain.place(broadband())
    url = f"{V5}/productOrder/{placed['id']}"
    chain.until(lambda: chain.get(url)["state"] == "pending")
    found = listener.wait(lambda found: bool(of_type(found, JEOPARDY)), "/v5")
    [alert] = of_type(found, JEOPARDY)
    official.check(V5_FILE, JEOPARDY, alert)
    [shown] = alert["event"]["productOrder"]["productOrderJeopardyAlert"]
    assert shown["jeopardyType"] == "manualStep" and "site survey" in shown["message"]
    released = chain.client.patch(url, json={"state": "inProgress"}, headers=MERGE)
    assert released.status_code == 200, released.text
    assert chain.wait_for(placed["id"], f"{V5}/productOrder")["state"] == "completed"
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="every event delivered")
    received = listener.received("/v5")
    assert len(of_type(received, JEOPARDY)) == 1
    done = chain.get(url)
    official.check(V5_FILE, "ProductOrder", done)
    names = [m["name"] for m in done["productOrderMilestone"]]
    assert names == ["manualStepDone", "serviceOrdersPlaced", "serviceOrdersCompleted"]
