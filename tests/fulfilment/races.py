"""Two writers accept two orders at the same moment: the race is made, not hoped for.

Two Cascades on one database (each its own writer connection, as two processes have) run one
layer's acceptance step of one order each. The first writer's transaction is held open after
its step, before its commit, while the second one's step runs: on PostgreSQL the second waits
on the first one's claim (the race sees it waiting on a lock, or done), on SQLite it waits for
the database write lock. Then the first commits.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from sqlalchemy import Connection, text

from cascade.bootstrap import Cascade
from cascade.fulfilment.layers.skeleton import OrderController
from cascade.fulfilment.runtime import StepContext

TIMEOUT_S = 60.0


def controller(cascade: Cascade, kind: type[OrderController]) -> OrderController:
    """The cascade's controller of one layer."""
    return next(c for c in cascade.chain.controllers if isinstance(c, kind))


def now() -> StepContext:
    return StepContext(now_ms=time.time_ns() // 1_000_000, attempts=0)


def waiting_on_a_lock(cascade: Cascade) -> bool:
    """Whether another PostgreSQL session waits on a lock (the second writer's claim)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )
    return bool(cascade.database.read_sync(lambda c: c.execute(query).scalar_one()))


def accept_at_once(
    first: Cascade, second: Cascade, kind: type[OrderController], ids: tuple[str, str]
) -> None:
    """Step `ids[0]` on the first writer, held open before its commit, while the second writer
    steps `ids[1]`; returns once both transactions have ended."""
    stepped = threading.Event()
    release = threading.Event()

    def held_step(connection: Connection) -> None:
        controller(first, kind).step(connection, ids[0], now())
        stepped.set()
        assert release.wait(TIMEOUT_S), "never released"  # the commit comes after this

    def step(connection: Connection) -> None:
        controller(second, kind).step(connection, ids[1], now())

    held: Future[None] = first.database.submit_write(held_step)
    assert stepped.wait(TIMEOUT_S)
    racing: Future[None] = second.database.submit_write(step)
    if first.database.engine.dialect.name == "postgresql":
        deadline = time.monotonic() + TIMEOUT_S
        while not (racing.done() or waiting_on_a_lock(first)):
            assert time.monotonic() < deadline, "the second step neither waited nor ended"
            time.sleep(0.01)
    release.set()
    held.result(TIMEOUT_S)
    racing.result(TIMEOUT_S)
