"""Two processes on one database report the same database figures: a `cascade worker` with
`--metrics-port` beside the serving process, each scraped over its own listener."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from cascade.storage import work
from tests.e2e.server import free_port
from tests.fulfilment.conftest import FAST, Chain, broadband, running_chain
from tests.operations.scrape import Samples, of_database, parse, value
from tests.waiting import PATIENCE_S, until

ORDERS = 4


@pytest.fixture
def chain(database_url: str) -> Iterator[Chain]:
    with running_chain(database_url, FAST) as running:
        yield running


@pytest.fixture
def worker(chain: Chain, database_url: str, tmp_path: Path) -> Iterator[str]:
    """A `cascade worker` on the chain's database; yields the base URL of its listener."""
    port = free_port()
    command = [sys.executable, "-m", "cascade.cli", "worker", "--database", database_url]
    environment = {"CASCADE_POLL_INTERVAL_S": "0.05", "CASCADE_LEASE_MS": "5000"}
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--metrics-port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **environment, "PYTHONUNBUFFERED": "1"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            until(lambda: _ready(base, process, log), "the worker's /health/ready")
            yield base
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=PATIENCE_S) == 0, log.read_text()[-2000:]
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def _ready(base: str, process: subprocess.Popen[bytes], log: Path) -> bool:
    assert process.poll() is None, log.read_text()[-2000:]
    try:
        return httpx.get(f"{base}/health/ready", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def scrape(get: Callable[[str], httpx.Response]) -> Samples:
    response = get("/metrics")
    assert response.status_code == 200, response.text
    return parse(response.text)


def test_two_processes_report_the_same_database_figures(chain: Chain, worker: str) -> None:
    placed = [chain.place(broadband())["id"] for _ in range(ORDERS)]
    for order_id in placed:
        assert chain.wait_for(order_id)["state"] == "completed"
    until(lambda: chain.cascade.database.read_sync(work.pending) == 0, "an empty work queue")
    here = scrape(chain.client.get)
    there = scrape(lambda path: httpx.get(f"{worker}{path}", timeout=10))
    assert value(here, "cascade_orders", kind="productOrder", state="completed") == ORDERS
    assert of_database(here) == of_database(there)
    worker_live = httpx.get(f"{worker}/health/live", timeout=10)
    assert worker_live.status_code == 200
    # Per-process counters are each process's own: the worker answered /health/ready itself.
    ready = {"route": "health.ready", "method": "GET", "status": "200"}
    assert value(there, "cascade_http_requests_total", **ready) >= 1
