"""A background asyncio task with a wake-up: what the controllers' runtime, the HTTP activation
sender and the event sender share (start, stop, a thread-safe `wake`, and waiting for it or a
timeout)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from sqlalchemy import Connection

from cascade.storage.database import Database
from cascade.storage.leases import now_ms

log = logging.getLogger(__name__)


class BackgroundLoop:
    """Subclasses implement `_run` (the loop) and may extend `_starting` and `_stopped`."""

    task_name = "cascade-background"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None  # the thread that runs `_loop`
        self._wake = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._wake = asyncio.Event()
        self._stopping = False
        await self._starting()
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._stopped()
        self._loop = None

    @property
    def running(self) -> bool:
        """Whether the loop's task is started and has not ended (for readiness checks)."""
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Look for work now; safe to call from any thread.

        On the loop's own thread (the API after each committed write, a finished step or
        exchange) the event is set at once: that is cheap. From another thread (the writer's,
        inside a transaction) it is set through `call_soon_threadsafe`, which writes to the
        loop's self-pipe. Before `start` and after `stop` a wake-up has nothing to wake.
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._thread:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    async def _wait(self, timeout: float) -> None:
        """Until woken or `timeout` seconds (clear the wake-up first: see `_clear_wake`).

        On Python 3.11 `wait_for` can swallow a cancellation that arrives as the wake-up does,
        and the loop would never end: a stopping loop is ended here whatever `wait_for` said.
        """
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        if self._stopping:
            raise asyncio.CancelledError

    async def _idle_until_due(
        self,
        database: Database,
        next_due: Callable[[Connection], int | None],
        longest_s: float,
    ) -> None:
        """Until the next row falls due (epoch ms, as `next_due` reads it), a wake-up, or
        `longest_s` seconds; a failed read waits the longest."""
        self._clear_wake()
        timeout = longest_s
        try:
            due = await database.read(next_due)
        except Exception:
            log.exception("%s: reading the next due time failed", self.task_name)
            due = None
        if due is not None:
            timeout = min(timeout, max(0.0, (due - now_ms()) / 1000))
        await self._wait(timeout)  # ends the loop when stopping (wait_for can swallow that)

    def _clear_wake(self) -> None:
        """Call before looking for work: a wake-up from then on is not lost."""
        self._wake.clear()

    async def _starting(self) -> None:
        """Before the loop starts (open clients)."""

    async def _stopped(self) -> None:
        """After the loop ended (wait for what it started, close clients)."""

    async def _run(self) -> None:
        raise NotImplementedError
