"""A cancel that races the order's completion ends one way or the other, never half.

Each round places an order and cancels it after a random delay spread around the moment it
completes. Either the order completed, the cancel ended `terminatedWithError` and everything
is delivered; or the cancel is `done`, the order `cancelled` and everything undone.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, Chain, broadband
from tests.fulfilment.test_cancellation import CANCEL_PO, cancel, get_or_none, read, wait_task
from tests.fulfilment.undone import delivered, undone

ROUNDS = 12


@pytest.fixture
def chain_settings() -> Settings:
    # The order completes about 200 ms after it is placed (port, then access service).
    slow = {"rs-gpon-port": {"latency_ms": 100}, "rfs-gpon-access": {"latency_ms": 100}}
    return replace(FAST, simulator_specifications=json.dumps(slow))


def test_cancel_racing_completion_ends_consistently(chain: Chain) -> None:
    seed = int(os.environ.get("CASCADE_TEST_SEED", time.time_ns() % 1_000_000))
    chance = random.Random(seed)
    outcomes: Counter[str] = Counter()
    for _ in range(ROUNDS):
        placed = chain.place(broadband())
        time.sleep(chance.uniform(0.0, 0.4))
        task = cancel(chain, placed["id"])
        ended = wait_task(chain, CANCEL_PO, task["id"])["state"]
        order = chain.wait_for(placed["id"])
        outcomes[f"{ended}/{order['state']}"] += 1
        get = lambda path: get_or_none(chain, path)  # noqa: E731
        if ended == "done":
            undone(get, read(chain), placed["id"])
        else:
            assert order["state"] == "completed", (seed, order["state"])
            delivered(get, read(chain), placed["id"])
    assert set(outcomes) <= {"done/cancelled", "terminatedWithError/completed"}, (seed, outcomes)
