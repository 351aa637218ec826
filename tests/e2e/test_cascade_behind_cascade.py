"""Two real servers: Cascade A, configured by CASCADE_ACTIVATION_* variables, activates through
Cascade B's TMF640/TMF702 endpoints; B's own simulated network answers with monitors."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.waiting import PATIENCE_S

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4"


def _wait_for(client: httpx.Client, path: str, done: set[str], timeout: float = PATIENCE_S) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(path).json()
        if body["state"] in done:
            return body
        assert time.monotonic() < deadline, f"{path} still {body['state']}"
        time.sleep(0.05)


def test_a_cascade_fulfils_an_order_through_another(tmp_path: Path) -> None:
    port_a, port_b = free_port(), free_port()
    b_url = f"http://127.0.0.1:{port_b}"
    fast = {"CASCADE_POLL_INTERVAL_S": "0.05", "CASCADE_ACTIVATION_BACKOFF_MS": "50"}
    behind = {**fast, "CASCADE_SIMULATOR_LATENCY_MS": "100"}
    in_front = {
        **fast,
        "CASCADE_ACTIVATION_DRIVER": "http",
        "CASCADE_ACTIVATION_SERVICE_URL": f"{b_url}{TMF640}",
        "CASCADE_ACTIVATION_RESOURCE_URL": f"{b_url}{TMF702}",
        "CASCADE_ACTIVATION_FOLLOW_MS": "50",
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    database_a = fresh_database_url("sqlite", tmp_path / "a")
    database_b = fresh_database_url("sqlite", tmp_path / "b")
    log = tmp_path / "servers.log"
    with (
        running_server(database_b, port_b, environment=behind, log=log),
        running_server(database_a, port_a, "--demo", environment=in_front, log=log),
        httpx.Client(base_url=f"http://127.0.0.1:{port_a}", timeout=10) as a,
        httpx.Client(base_url=b_url, timeout=10) as b,
    ):
        item = {
            "id": "1",
            "action": "add",
            "productOffering": {"id": "po-fibre-broadband"},
            "product": {"productCharacteristic": [{"name": "downloadSpeed", "value": 500}]},
        }
        placed = a.post(PO, json={"productOrderItem": [item]})
        assert placed.status_code == 201, placed.text
        order = _wait_for(a, f"{PO}/{placed.json()['id']}", {"completed", "failed", "partial"})
        assert order["state"] == "completed", order.get("note")

        for api, collection in ((TMF640, "service"), (TMF702, "resource")):
            here = a.get(f"{api}/{collection}").json()
            there = b.get(f"{api}/{collection}").json()
            assert here and len(there) == len(here)  # each activation done once, over there
            assert {m["state"] for m in b.get(f"{api}/monitor").json()} == {"Completed"}
            assert {m["state"] for m in a.get(f"{api}/monitor").json()} == {"Completed"}
