"""A worker process learns of new work from another process at once (PostgreSQL LISTEN/NOTIFY,
ADR 0027), not at its next poll.

`cascade serve --no-controllers` takes the order; one `cascade worker` runs the controllers.
Both poll only once an hour, so the order can complete within the test's patience only if the
server's commit wakes the worker.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from cascade.background.notices import libpq_url
from cascade.storage.work import WORK_CHANNEL
from tests.conftest import POSTGRES_ENV, fresh_database_url
from tests.e2e.fulfilment import (
    order_mix,
    place,
    running_worker,
    wait_for_empty_queue,
    wait_until_ended,
)
from tests.e2e.server import free_port, running_server
from tests.waiting import until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"),
]
AN_HOUR = {"CASCADE_POLL_INTERVAL_S": "3600"}
# Far under the hour of the poll, far over what the order takes when woken.
WOKEN_WITHIN_S = 60.0


def _listening(url: str) -> bool:
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        found = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND query = %s",
            (f'LISTEN "{WORK_CHANNEL}"',),
        ).fetchone()
    return found is not None and found[0] > 0


def test_a_worker_polling_hourly_completes_orders_placed_on_the_server(tmp_path: Path) -> None:
    """Three orders, each placed once the one before has completed and the queue is empty:
    the worker is then waiting for its hourly poll (the first order might still meet its
    first look for work, the next ones cannot)."""
    url = fresh_database_url("postgresql", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        running_server(url, port, "--demo", "--no-controllers", environment=AN_HOUR),
        running_worker(url, AN_HOUR, tmp_path / "worker.log"),
    ):
        until(lambda: _listening(url), "the worker listening")
        for body in order_mix(3):
            placed = place(base, [body])
            (order,) = wait_until_ended(base, list(placed), timeout=WOKEN_WITHIN_S)
            assert order["state"] == "completed"
            wait_for_empty_queue(url)
