"""The writer thread survives callers that give up on their jobs."""

from __future__ import annotations

import threading

from sqlalchemy import Connection, func, select

from cascade.bootstrap import Cascade
from cascade.storage.tables import work_item


def test_a_cancelled_caller_does_not_stop_the_writer(cascade: Cascade) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(connection: Connection) -> int:
        started.set()
        release.wait(5)
        return 1

    future = cascade.database.submit_write(slow)
    assert started.wait(5)
    assert future.cancel()  # what asyncio does when the awaiting request is cancelled
    release.set()
    count = cascade.database.write_sync(
        lambda c: c.execute(select(func.count()).select_from(work_item)).scalar_one()
    )
    assert count == 0  # the writer served the next job
