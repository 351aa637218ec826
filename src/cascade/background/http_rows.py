"""A background loop that claims leased rows and makes each one's HTTP exchange as a task.

What the HTTP activation sender and a component's follower share: an httpx client opened at
start (JSON headers, an optional `Authorization`), at most `concurrency` exchanges at once,
rows claimed in a writer transaction, and, when nothing is due, a wait until the next row is
or a wake-up. Subclasses say what a row is (`_claim`, `_next_due`) and what its exchange does.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any, Protocol

import httpx
from sqlalchemy import Connection

from cascade.background.loop import BackgroundLoop
from cascade.storage.database import Database

log = logging.getLogger(__name__)
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class LoopSettings(Protocol):
    @property
    def timeout_s(self) -> float: ...  # of one exchange
    @property
    def concurrency(self) -> int: ...  # exchanges at once
    @property
    def poll_interval_s(self) -> float: ...  # the longest wait when nothing wakes the loop
    @property
    def authorization(self) -> str | None: ...  # the Authorization header, as is


class HttpWorkLoop(BackgroundLoop):
    def __init__(
        self,
        database: Database,
        settings: LoopSettings,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.concurrency = settings.concurrency
        self.poll_interval_s = settings.poll_interval_s
        self.exchanges = 0  # HTTP exchanges made (for logs and tests)
        self._timeout_s = settings.timeout_s
        self._authorization = settings.authorization
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._running: set[asyncio.Task[None]] = set()

    # --- what a subclass says ---------------------------------------------------------------

    def _claim(self, connection: Connection, limit: int) -> list[Any]:
        raise NotImplementedError

    def _next_due(self, connection: Connection) -> int | None:
        raise NotImplementedError

    async def _exchange(self, row: Any) -> None:
        raise NotImplementedError

    async def _before_claim(self) -> None:
        """Each round, before rows are claimed (the follower subscribes here)."""

    def _longest_wait_s(self) -> float:
        return self.poll_interval_s

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def client(self) -> httpx.AsyncClient:
        assert self._client is not None, f"{self.task_name} is not started"
        return self._client

    async def _starting(self) -> None:
        headers = dict(JSON_HEADERS)
        if self._authorization:
            headers["Authorization"] = self._authorization
        self._client = httpx.AsyncClient(
            timeout=self._timeout_s, transport=self._transport, headers=headers
        )

    async def _stopped(self) -> None:
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # --- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        slots = asyncio.Semaphore(self.concurrency)
        while True:
            await self._before_claim()
            try:
                free = max(1, self.concurrency - len(self._running))
                claimed = await self.database.write(partial(self._claim, limit=free))
            except Exception:
                log.exception("%s: claiming rows failed", self.task_name)
                claimed = []
            for row in claimed:
                await slots.acquire()
                task = asyncio.create_task(self._exchange(row))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
                task.add_done_callback(lambda _: slots.release())
            if not claimed:
                await self._idle()

    async def _idle(self) -> None:
        await self._idle_until_due(self.database, self._next_due, self._longest_wait_s())
