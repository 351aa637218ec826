"""SIGKILL during fulfilment, many times over: every order still ends exactly as it would have.

A real `cascade serve` fulfils product orders against a slow simulated network and is killed
(SIGKILL) 50-400 ms after it came up, then started again, 9 to 12 times. The first runs each
place a few orders before the kill comes, so kills land at every stage of fulfilment (an
order needs over 500 ms); the last runs only recover. A short lease lets each new process take
over the work the killed one held. Then the server runs to the end, and `check_fulfilled`
asserts the outcome: every order completed with the tree an undisturbed run gives, no value
allocated twice, no activation applied twice, an inventory record for every item, an empty
work queue. The random schedule's seed is in the assertion messages (CASCADE_TEST_SEED
replays it).
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from tests.conftest import fresh_database_url
from tests.e2e.fulfilment import (
    CRASH_ENVIRONMENT,
    check_fulfilled,
    order_mix,
    place,
    queue_length,
    wait_for_empty_queue,
    wait_until_ended,
)
from tests.e2e.server import free_port, running_server

ENVIRONMENT = CRASH_ENVIRONMENT
PLACING_RUNS = 7  # runs that place orders before they are killed; later runs only recover
ORDERS_PER_RUN = 6


def test_orders_survive_repeated_sigkill_mid_fulfilment(backend: str, tmp_path: Path) -> None:
    seed = int(os.environ.get("CASCADE_TEST_SEED", time.time_ns() % 1_000_000))
    chance = random.Random(seed)
    url = fresh_database_url(backend, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    placed: dict[str, list[str]] = {}
    for run in range(chance.randint(9, 12)):
        options = ("--demo",) if run == 0 else ("--no-migrate",)
        with running_server(url, port, *options, environment=ENVIRONMENT, log=log) as server:
            if run < PLACING_RUNS:
                placed |= place(base, order_mix(ORDERS_PER_RUN))
            time.sleep(chance.uniform(0.05, 0.4))
            server.kill()
        if run < PLACING_RUNS:  # the orders just placed cannot have been fulfilled yet
            assert queue_length(url) > 0, f"run {run} was killed with nothing to do (seed {seed})"
    with running_server(url, port, "--no-migrate", environment=ENVIRONMENT, log=log):
        orders = wait_until_ended(base, list(placed))
        assert [o["state"] for o in orders] == ["completed"] * len(orders), f"seed {seed}"
        wait_for_empty_queue(url)
        check_fulfilled(base, url, placed)
