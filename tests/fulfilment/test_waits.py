"""Orders that wait: for a manual step the catalog declares (pending until released), for a
catalog declaration that cannot be read (held), and for their requestedStartDate."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fulfilment.conftest import PO, SO, Chain, broadband

SPEC = "/tmf-api/productCatalogManagement/v4/productSpecification/ps-fibre-broadband"
MERGE = {"content-type": "application/merge-patch+json"}
SURVEY = [{"name": "site survey", "kind": "manualStep"}]


def declare(chain: Chain, steps: Any) -> None:
    response = chain.client.patch(SPEC, json={"cascadeManualSteps": steps}, headers=MERGE)
    assert response.status_code == 200, response.text


def service_orders(chain: Chain, order_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = chain.get(SO, **{"externalReference.id": order_id})
    return found


def in_an_hour() -> str:
    return (datetime.now(UTC) + timedelta(hours=1)).isoformat()


def patch_state(chain: Chain, order_id: str, state: str) -> Any:
    return chain.client.patch(f"{PO}/{order_id}", json={"state": state}, headers=MERGE)


def test_a_manual_step_holds_the_order_pending_until_a_patch_releases_it(chain: Chain) -> None:
    declare(chain, SURVEY)
    placed = chain.place(broadband())
    path = f"{PO}/{placed['id']}"
    chain.until(lambda: chain.get(path)["state"] == "pending")
    time.sleep(0.3)  # several polls: nothing moves while it waits
    order = chain.get(path)
    assert order["state"] == "pending"
    assert order["productOrderItem"][0]["state"] == "pending"
    (note,) = order["note"]
    assert note["id"] == "cascade-wait-1" and "site survey (manualStep)" in note["text"]
    assert service_orders(chain, placed["id"]) == []

    refused = patch_state(chain, placed["id"], "completed")  # not for a client to set
    assert refused.status_code == 409 and refused.json()["code"] == "invalidStateTransition"
    assert chain.get(path) == order  # a refused change changes nothing

    assert patch_state(chain, placed["id"], "inProgress").status_code == 200
    done = chain.wait_for(placed["id"])
    assert done["state"] == "completed"
    assert [n["id"] for n in done["note"]] == ["cascade-wait-1", "cascade-released-1"]
    assert len(service_orders(chain, placed["id"])) == 1


def test_an_appointment_the_item_names_meets_the_step(chain: Chain) -> None:
    declare(chain, [{"name": "installer visit", "kind": "appointment"}])
    item = {**broadband(), "appointment": {"id": "appt-7", "href": "http://x.test/appt-7"}}
    placed = chain.place(item)
    assert chain.wait_for(placed["id"])["state"] == "completed"
    waiting = chain.place(broadband())
    chain.until(lambda: chain.get(f"{PO}/{waiting['id']}")["state"] == "pending")
    assert "installer visit (appointment)" in chain.get(f"{PO}/{waiting['id']}")["note"][0]["text"]


def test_a_declaration_that_cannot_be_read_holds_the_order(chain: Chain) -> None:
    declare(chain, [{"kind": "visit"}])
    placed = chain.place(broadband())
    path = f"{PO}/{placed['id']}"
    chain.until(lambda: chain.get(path)["state"] == "held")
    (note,) = chain.get(path)["note"]
    assert "cascadeManualSteps" in note["text"] and "ps-fibre-broadband" in note["text"]
    assert service_orders(chain, placed["id"]) == []
    declare(chain, None)  # the catalog is fixed (merge patch: the attribute is removed)
    time.sleep(2.1)  # the controllers' catalog cache (2 s) sees the fix too
    assert patch_state(chain, placed["id"], "inProgress").status_code == 200
    assert chain.wait_for(placed["id"])["state"] == "completed"


def test_a_future_requested_start_date_holds_the_order_until_then(chain: Chain) -> None:
    # Far enough ahead that no machine is slow enough to reach it during the checks; then it
    # is brought to a second from now, and the order must wait for that.
    placed = chain.place(broadband(), requestedStartDate=in_an_hour())
    path = f"{PO}/{placed['id']}"
    chain.until(lambda: bool(chain.get(path).get("note")))
    order = chain.get(path)
    assert order["state"] == "acknowledged"
    assert order["note"][0]["id"] == "cascade-start"
    assert service_orders(chain, placed["id"]) == []
    refused = patch_state(chain, placed["id"], "inProgress")  # no client may start it early
    assert refused.status_code == 409
    start = datetime.now(UTC) + timedelta(seconds=1)
    moved = chain.client.patch(path, json={"requestedStartDate": start.isoformat()}, headers=MERGE)
    assert moved.status_code == 200, moved.text
    assert chain.wait_for(placed["id"])["state"] == "completed"
    (service_order,) = service_orders(chain, placed["id"])
    assert datetime.fromisoformat(service_order["orderDate"]) >= start


def test_a_past_or_absent_start_date_starts_at_once(chain: Chain) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    placed = chain.place(broadband(), requestedStartDate=past)
    done = chain.wait_for(placed["id"])
    assert done["state"] == "completed" and "note" not in done


def test_moving_the_start_date_earlier_starts_the_order_at_once(chain: Chain) -> None:
    start = datetime.now(UTC) + timedelta(hours=1)
    placed = chain.place(broadband(), requestedStartDate=start.isoformat())
    path = f"{PO}/{placed['id']}"
    chain.until(lambda: bool(chain.get(path).get("note")))
    later = (start + timedelta(hours=1)).isoformat()
    moved = chain.client.patch(path, json={"requestedStartDate": later}, headers=MERGE)
    assert moved.status_code == 200, moved.text
    chain.until(lambda: later[:16] in chain.get(path)["note"][0]["text"])
    assert len(chain.get(path)["note"]) == 1 and chain.get(path)["state"] == "acknowledged"
    now = datetime.now(UTC).isoformat()
    assert (
        chain.client.patch(path, json={"requestedStartDate": now}, headers=MERGE).status_code == 200
    )
    assert chain.wait_for(placed["id"])["state"] == "completed"


SERVICE_SPEC = "/tmf-api/serviceCatalogManagement/v4/serviceSpecification/rfs-qos-profile"
STATIC_IP = {"serviceSpecification": {"id": "rfs-static-ip-assignment"}}


def test_a_service_specifications_step_holds_the_service_order_with_a_jeopardy_alert(
    chain: Chain,
) -> None:
    survey = {"cascadeManualSteps": [{"name": "QoS sign-off"}]}
    assert chain.client.patch(SERVICE_SPEC, json=survey, headers=MERGE).status_code == 200
    placed = chain.place(broadband())
    chain.until(lambda: [so["state"] for so in service_orders(chain, placed["id"])] == ["pending"])
    (service_order,) = service_orders(chain, placed["id"])
    (alert,) = service_order["jeopardyAlert"]
    assert alert["jeopardyType"] == "manualStep" and alert["name"] == "QoS sign-off (manualStep)"
    waiting = [i for i in service_order["serviceOrderItem"] if i["state"] == "pending"]
    assert [i["service"]["name"] for i in waiting] == ["QoS Profile"]
    assert "cascade order release --service-order" in service_order["note"][0]["text"]
    assert chain.get(f"{PO}/{placed['id']}")["state"] == "inProgress"  # the product order runs

    path = f"{SO}/{service_order['id']}"
    assert chain.client.patch(path, json={"state": "inProgress"}, headers=MERGE).status_code == 200
    assert chain.wait_for(placed["id"])["state"] == "completed"
    released = chain.get(path)
    assert [m["name"] for m in released["milestone"] if m.get("id", "").startswith("cascade")] == [
        "manualStepDone"
    ]


def test_a_service_order_posted_with_a_future_start_waits_for_it(chain: Chain) -> None:
    body = {
        "requestedStartDate": in_an_hour(),
        "serviceOrderItem": [{"id": "1", "action": "add", "service": STATIC_IP}],
    }
    response = chain.client.post(SO, json=body)
    assert response.status_code == 201, response.text
    path = f"{SO}/{response.json()['id']}"
    chain.until(lambda: bool(chain.get(path).get("note")))
    assert chain.get(path)["state"] == "acknowledged"
    start = datetime.now(UTC) + timedelta(seconds=1)  # brought near, as in the test above
    moved = chain.client.patch(path, json={"requestedStartDate": start.isoformat()}, headers=MERGE)
    assert moved.status_code == 200, moved.text
    done = chain.wait_for(response.json()["id"], SO)
    assert done["state"] == "completed"
    assert datetime.fromisoformat(done["startDate"]) >= start
