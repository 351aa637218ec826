"""Waiting orders through a real server, SIGKILLed while they wait and while they carry on.

Orders of an offering whose specification declares a manual step go pending; a mobile line
with a requestedStartDate an hour ahead stays acknowledged. The server is killed, comes back,
and they still wait: nothing is made for them. One pending order is released by PATCH, the
other by `cascade order release`, the mobile line's date is brought to a second ahead, and the
server is killed again mid-fulfilment. After the last restart every order completes with
exactly one of everything (`check_fulfilled`), and the mobile line started only once its date
had come.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import fresh_database_url
from tests.e2e.fulfilment import (
    PO,
    SO,
    broadband,
    check_fulfilled,
    mobile_line,
    place,
    wait_for_empty_queue,
    wait_until_ended,
)
from tests.e2e.server import free_port, running_server
from tests.waiting import until

ENVIRONMENT = {"CASCADE_LEASE_MS": "1500", "CASCADE_POLL_INTERVAL_S": "0.1"}
SPEC = "/tmf-api/productCatalogManagement/v4/productSpecification/ps-fibre-broadband"
MERGE = {"content-type": "application/merge-patch+json"}


def _states(client: httpx.Client, ids: list[str]) -> list[str]:
    return [client.get(f"{PO}/{order_id}").json()["state"] for order_id in ids]


def _until(check: Any) -> None:
    until(check, interval=0.1)


def _service_orders(client: httpx.Client, order_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(SO, params={"externalReference.id": order_id}).json()
    return found


def _release_with_cli(base: str, order_id: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cascade.cli", "order", "release", order_id, "--url", base]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_waiting_orders_survive_sigkill_and_carry_on_when_released(
    backend: str, tmp_path: Path
) -> None:
    url = fresh_database_url(backend, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"

    def server(*options: str) -> Any:
        return running_server(url, port, *options, environment=ENVIRONMENT, log=log)

    with server("--demo") as process, httpx.Client(base_url=base, timeout=10) as client:
        steps = {"cascadeManualSteps": [{"name": "site survey"}]}
        assert client.patch(SPEC, json=steps, headers=MERGE).status_code == 200
        an_hour = datetime.now(UTC) + timedelta(hours=1)  # no restart is that slow
        later = {"productOrderItem": [mobile_line()], "requestedStartDate": an_hour.isoformat()}
        surveyed = {"productOrderItem": [broadband()]}
        placed = place(base, [surveyed, surveyed, later])
        pending, (dated,) = list(placed)[:2], list(placed)[2:]
        _until(lambda: _states(client, pending) == ["pending", "pending"])
        _until(lambda: bool(client.get(f"{PO}/{dated}").json().get("note")))
        process.kill()

    with server("--no-migrate") as process, httpx.Client(base_url=base, timeout=10) as client:
        time.sleep(0.5)  # several polls after the restart: nothing moves
        assert _states(client, [*pending, dated]) == ["pending", "pending", "acknowledged"]
        assert all(_service_orders(client, order_id) == [] for order_id in placed)
        released = client.patch(f"{PO}/{pending[0]}", json={"state": "inProgress"}, headers=MERGE)
        assert released.status_code == 200, released.text
        by_cli = _release_with_cli(base, pending[1])
        assert by_cli.returncode == 0, by_cli.stderr
        assert f"product order {pending[1]} released" in by_cli.stdout
        start = datetime.now(UTC) + timedelta(seconds=1)
        soon = {"requestedStartDate": start.isoformat()}
        assert client.patch(f"{PO}/{dated}", json=soon, headers=MERGE).status_code == 200
        time.sleep(0.2)  # killed while the released orders are being fulfilled
        process.kill()

    with server("--no-migrate"), httpx.Client(base_url=base, timeout=10) as client:
        orders = wait_until_ended(base, list(placed))
        assert [o["state"] for o in orders] == ["completed"] * 3, [o.get("note") for o in orders]
        (service_order,) = _service_orders(client, dated)
        assert datetime.fromisoformat(service_order["orderDate"]) >= start
        again = _release_with_cli(base, pending[0])  # a completed order cannot be released
        assert again.returncode == 1 and "409" in again.stderr
        wait_for_empty_queue(url)
        check_fulfilled(base, url, placed)
