"""Two `cascade worker` processes share fulfilment on one PostgreSQL database.

`cascade serve --no-controllers` only takes the orders; two worker processes run the
controllers. Both do part of the work (each says how many steps it ran when it stops), every
order completes, and the outcome is the one a single process gives: no value allocated twice,
no activation applied twice (`check_fulfilled`).
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_ENV, fresh_database_url
from tests.e2e.fulfilment import (
    SLOW_NETWORK,
    check_fulfilled,
    order_mix,
    place,
    running_worker,
    wait_for_empty_queue,
    wait_until_ended,
)
from tests.e2e.server import free_port, running_server
from tests.waiting import PATIENCE_S

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"),
]
ENVIRONMENT = {
    "CASCADE_LEASE_MS": "5000",
    "CASCADE_POLL_INTERVAL_S": "0.1",
    "CASCADE_SIMULATOR_SPECIFICATIONS": SLOW_NETWORK,
}
STOPPED = re.compile(r"worker (\S+) stopped after (\d+) steps")


def test_two_workers_share_the_load_without_allocating_or_activating_twice(
    tmp_path: Path,
) -> None:
    url = fresh_database_url("postgresql", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    outputs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    with (
        running_server(url, port, "--demo", "--no-controllers", environment=ENVIRONMENT, log=log),
        running_worker(url, ENVIRONMENT, outputs[0]) as first,
        running_worker(url, ENVIRONMENT, outputs[1]) as second,
    ):
        placed = place(base, order_mix(40))
        orders = wait_until_ended(base, list(placed))
        assert [o["state"] for o in orders] == ["completed"] * len(orders)
        wait_for_empty_queue(url)
        check_fulfilled(base, url, placed)
        for worker in (first, second):
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=PATIENCE_S) == 0
    steps = {}
    for output in outputs:
        found = STOPPED.search(output.read_text())
        assert found, output.read_text()[-2000:]
        steps[found.group(1)] = int(found.group(2))
    assert len(steps) == 2, steps  # two workers, each with its own identity
    assert all(count > 0 for count in steps.values()), f"a worker did nothing: {steps}"
