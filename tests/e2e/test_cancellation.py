"""Cancellation through a real `cascade serve`: of an order the controllers have not looked at
yet, and of many orders at every stage while the server is SIGKILLed and restarted.

After the kills, every cancel request has ended and each order ended consistently with it:
cancel `done` and the order `cancelled` with everything it did undone (no allocation held,
nothing applied on the simulated network, no inventory or activation active), or cancel
`terminatedWithError` and the order `completed` with everything delivered. The random
schedule's seed is in the assertion messages (CASCADE_TEST_SEED replays it).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, create_engine, delete

from cascade.storage.tables import work_item
from tests.conftest import fresh_database_url
from tests.e2e.fulfilment import (
    CRASH_ENVIRONMENT,
    PO,
    SO,
    order_mix,
    place,
    wait_for_empty_queue,
    wait_until_ended,
)
from tests.e2e.server import free_port, running_server
from tests.fulfilment.undone import delivered, undone
from tests.waiting import HTTP_TIMEOUT_S, PATIENCE_S

CANCEL_PO = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"
CANCEL_SO = "/tmf-api/serviceOrdering/v4/cancelServiceOrder"
CANCEL_RO = "/tmf-api/resourceOrderingManagement/v4/cancelResourceOrder"
ENVIRONMENT = CRASH_ENVIRONMENT
PLACING_RUNS = 4
ORDERS_PER_RUN = 5
RACE_ROUNDS = 12


def run_sql(database_url: str, job: Callable[[Connection], Any]) -> Any:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            return job(connection)
    finally:
        engine.dispose()


def getter(client: httpx.Client) -> Callable[[str], Any]:
    def get(path: str) -> Any:
        response = client.get(path)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.json()

    return get


def wait_tasks(base: str, ids: list[str], timeout: float = PATIENCE_S) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base, timeout=10) as client:
        while True:
            tasks = {i: client.get(f"{CANCEL_PO}/{i}").json() for i in ids}
            running = [t["state"] for t in tasks.values() if t["state"] not in _TASK_ENDS]
            if not running:
                return tasks
            assert time.monotonic() < deadline, f"{len(running)} cancels still running"
            time.sleep(0.2)


_TASK_ENDS = ("done", "terminatedWithError")


def test_an_acknowledged_order_is_just_cancelled(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(url, port, "--demo", "--no-controllers"):
        (order_id,) = place(base, order_mix(1))
        answer = httpx.post(
            f"{base}{CANCEL_PO}", json={"productOrder": {"id": order_id}}, timeout=HTTP_TIMEOUT_S
        )
        assert answer.status_code == 201, answer.text
        task = answer.json()
    # COM has not looked at the order yet: only the cancel is waiting for a controller.
    run_sql(url, lambda c: c.execute(delete(work_item).where(work_item.c.kind == "productOrder")))
    with running_server(url, port, "--no-migrate"):
        (ended,) = wait_tasks(base, [task["id"]]).values()
        assert ended["state"] == "done" and ended["effectiveCancellationDate"]
        order = httpx.get(f"{base}{PO}/{order_id}", timeout=HTTP_TIMEOUT_S).json()
        assert order["state"] == "cancelled"
        assert [i["state"] for i in order["productOrderItem"]] == ["cancelled"]
        assert (
            httpx.get(
                f"{base}{SO}", params={"externalReference.id": order_id}, timeout=HTTP_TIMEOUT_S
            ).json()
            == []
        )
        wait_for_empty_queue(url)


def test_cancellations_survive_repeated_sigkill(backend: str, tmp_path: Path) -> None:
    seed = int(os.environ.get("CASCADE_TEST_SEED", time.time_ns() % 1_000_000))
    chance = random.Random(seed)
    url = fresh_database_url(backend, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    tasks: dict[str, str] = {}  # order id -> cancel task id
    for run in range(chance.randint(7, 9)):
        options = ("--demo",) if run == 0 else ("--no-migrate",)
        with running_server(url, port, *options, environment=ENVIRONMENT, log=log) as server:
            if run < PLACING_RUNS:
                for order_id in place(base, order_mix(ORDERS_PER_RUN)):
                    time.sleep(chance.uniform(0.0, 0.25))  # cancels land at every stage
                    body = {"productOrder": {"id": order_id}}
                    answer = httpx.post(f"{base}{CANCEL_PO}", json=body, timeout=10)
                    assert answer.status_code == 201, (seed, answer.text)
                    tasks[order_id] = answer.json()["id"]
            time.sleep(chance.uniform(0.05, 0.4))
            server.kill()
    with running_server(url, port, "--no-migrate", environment=ENVIRONMENT, log=log):
        ended = wait_tasks(base, list(tasks.values()))
        orders = wait_until_ended(base, list(tasks))
        wait_for_empty_queue(url)
        with httpx.Client(base_url=base, timeout=30) as client:
            for order in orders:
                outcome = (ended[tasks[order["id"]]]["state"], order["state"])
                if outcome == ("done", "cancelled"):
                    undone(getter(client), lambda job: run_sql(url, job), order["id"])
                else:
                    assert outcome == ("terminatedWithError", "completed"), (seed, outcome)
                    delivered(getter(client), lambda job: run_sql(url, job), order["id"])
            _no_cancellation_left_running(client, seed)
        outcomes = Counter(t["state"] for t in ended.values())
        assert outcomes["done"] > 0, (seed, outcomes)  # rollbacks did run across the kills


def test_cancel_racing_completion_in_two_processes(backend: str, tmp_path: Path) -> None:
    """Two server processes share the work: the cancel step and the step that completes the
    order may run in different processes at the same moment; the order row decides."""
    seed = int(os.environ.get("CASCADE_TEST_SEED", time.time_ns() % 1_000_000))
    chance = random.Random(seed)
    url = fresh_database_url(backend, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tasks: dict[str, str] = {}
    with running_server(url, port, "--demo", "--workers", "2", environment=ENVIRONMENT):
        for _ in range(RACE_ROUNDS):
            (order_id,) = place(base, order_mix(1))
            time.sleep(chance.uniform(0.3, 0.9))  # around the moment it completes
            answer = httpx.post(
                f"{base}{CANCEL_PO}",
                json={"productOrder": {"id": order_id}},
                timeout=HTTP_TIMEOUT_S,
            )
            assert answer.status_code == 201, (seed, answer.text)
            tasks[order_id] = answer.json()["id"]
        ended = wait_tasks(base, list(tasks.values()))
        orders = wait_until_ended(base, list(tasks))
        with httpx.Client(base_url=base, timeout=30) as client:
            for order in orders:
                outcome = (ended[tasks[order["id"]]]["state"], order["state"])
                if outcome == ("done", "cancelled"):
                    undone(getter(client), lambda job: run_sql(url, job), order["id"])
                else:
                    assert outcome == ("terminatedWithError", "completed"), (seed, outcome)
                    delivered(getter(client), lambda job: run_sql(url, job), order["id"])


def _no_cancellation_left_running(client: httpx.Client, seed: int) -> None:
    for path in (CANCEL_PO, CANCEL_SO, CANCEL_RO):
        states = {t["state"] for t in client.get(path, params={"limit": "1000"}).json()}
        assert states <= set(_TASK_ENDS), (seed, path, states)
    for path in (PO, SO, "/tmf-api/resourceOrderingManagement/v4/resourceOrder"):
        states = {o["state"] for o in client.get(path, params={"limit": "1000"}).json()}
        assert not states & {"assessingCancellation", "pendingCancellation"}, (seed, path)
