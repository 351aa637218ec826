"""PostgreSQL notifications that wake a loop of this process when another process has work
for it (LISTEN/NOTIFY, ADR 0027), instead of its waiting for the next poll.

A process that schedules work without running the controllers itself (`cascade serve
--no-controllers`) notifies the channel in the scheduling transaction; PostgreSQL delivers
the notice when that transaction commits, to every listening process. The poll stays as the
fallback: a notice is lost while the listener reconnects, so it wakes its loop once each time
it has (re)connected.

The console's live pages listen the same way for the entities other processes committed events
about (storage/entity_notices.py), each notice's payload handed over as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
RECONNECT_S = 1.0  # between attempts to listen again after the connection failed


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as a libpq connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Notices:
    """Listens on `channel` and calls `wake` for each notice (a Companion of the runtime)."""

    task_name = "cascade-notices"

    def __init__(
        self,
        url: str,
        channel: str,
        wake: Callable[[], None],
        heard: Callable[[str], None] | None = None,
    ) -> None:
        """`heard`: given each notice's payload instead of `wake` (which is still called
        once each time the listener has (re)connected)."""
        self.conninfo = libpq_url(url)
        self.channel = channel
        self.wake = wake
        self.heard = heard
        self.listening = asyncio.Event()  # set while LISTEN is in force (for tests)
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        task = self._task
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            return  # started by another event loop (another lifespan of one app): it stops it
        self._task = None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError) as exc:
                log.warning("listening for %s failed (%s); polling meanwhile", self.channel, exc)
            self.listening.clear()
            await asyncio.sleep(RECONNECT_S)  # a back-off before reconnecting, not a wait for work

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self.listening.set()
            self.wake()  # what was scheduled while nobody listened
            async for notice in conn.notifies():
                if self.heard is None:
                    self.wake()
                else:
                    self.heard(notice.payload)
