"""The asyncio task that performs the HTTP driver's activations, outside any transaction.

It claims due `remote_activation` rows under a lease (several processes may run one: on
PostgreSQL rows are claimed with SKIP LOCKED), makes one HTTP exchange per row (the POST, or a
GET of the monitor or entity it follows), and records what the answer means (see
remote_answers): the next exchange and when, or the outcome. An outcome schedules the work item
whose step asked for the activation, in the same transaction, and wakes the controllers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Connection, and_, case, func, or_, select, update

from cascade.background import BackgroundLoop
from cascade.fulfilment.http_changes import release_waiting
from cascade.fulfilment.remote_answers import (
    Answer,
    Next,
    Retry,
    after_follow,
    after_patch,
    after_post,
)
from cascade.storage import work
from cascade.storage.database import Database
from cascade.storage.tables import remote_activation
from cascade.tmf.instants import now_instant

log = logging.getLogger(__name__)
ACTIVE_PHASES = ("post", "patch", "follow")
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
PATCH_HEADERS = {"Content-Type": "application/merge-patch+json"}


@dataclass(frozen=True)
class SenderSettings:
    timeout_s: float = 10.0
    retries: int = 2  # transient failures (timeouts, 5xx...) an attempt survives
    backoff_ms: int = 500
    follow_ms: int = 500  # between two GETs of a monitor or entity still in progress
    poll_interval_s: float = 0.5  # for rows other processes recorded
    concurrency: int = 16
    authorization: str | None = None  # the Authorization header the endpoints expect

    @property
    def lease_ms(self) -> int:
        return int(self.timeout_s * 1000) + 10_000


class HttpSender(BackgroundLoop):
    """Runs with the controllers (a Runtime companion) until stopped."""

    task_name = "cascade-http-activations"

    def __init__(
        self,
        database: Database,
        settings: SenderSettings,
        on_outcome: Callable[[], None] = lambda: None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.settings = settings
        self.on_outcome = on_outcome  # the runtime's wake
        self.owner = f"sender-{uuid.uuid4().hex[:12]}"
        self.retry = Retry(settings.retries, settings.backoff_ms, settings.follow_ms)
        self.exchanges = 0  # HTTP exchanges made (for logs and tests)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._running: set[asyncio.Task[None]] = set()

    # --- lifecycle --------------------------------------------------------------------------

    async def _starting(self) -> None:
        headers = dict(HEADERS)
        if self.settings.authorization:
            headers["Authorization"] = self.settings.authorization
        self._client = httpx.AsyncClient(
            timeout=self.settings.timeout_s, transport=self._transport, headers=headers
        )

    async def _stopped(self) -> None:
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # --- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        slots = asyncio.Semaphore(self.settings.concurrency)
        while True:
            try:
                free = max(1, self.settings.concurrency - len(self._running))
                claimed = await self.database.write(partial(self._claim, limit=free))
            except Exception:
                log.exception("claiming remote activations failed")
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
        self._clear_wake()
        timeout = self.settings.poll_interval_s
        try:
            due = await self.database.read(_next_due)
        except Exception:
            log.exception("reading the next remote activation failed")
            due = None
        if due is not None:
            timeout = min(timeout, max(0.0, (due - work.now_ms()) / 1000))
        await self._wait(timeout)

    def _claim(self, connection: Connection, limit: int) -> list[Any]:
        now = work.now_ms()
        table = remote_activation
        query = (
            select(table)
            .where(
                table.c.phase.in_(ACTIVE_PHASES),
                table.c.due_ms <= now,
                or_(table.c.lease_until_ms.is_(None), table.c.lease_until_ms < now),
            )
            .order_by(table.c.due_ms)
            .limit(limit)
        )
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = connection.execute(query).all()
        for row in rows:
            connection.execute(
                update(table)
                .where(table.c.activation == row.activation)
                .values(lease_owner=self.owner, lease_until_ms=now + self.settings.lease_ms)
            )
        return list(rows)

    # --- one exchange -----------------------------------------------------------------------

    async def _exchange(self, row: Any) -> None:
        try:
            if row.phase == "post":
                answer = await self._send("POST", row.url, row.body, row.idempotency_key)
                decided = after_post(row.target, row.url, answer, row.tries, self.retry)
            elif row.phase == "patch":
                answer = await self._send("PATCH", row.url, row.body, row.idempotency_key)
                decided = after_patch(row.operation, row.url, answer, row.tries, self.retry)
            else:
                answer = await self._send("GET", row.follow_href)
                decided = after_follow(
                    row.target, row.follow_href, row.follows, answer, row.tries, self.retry
                )
            ended = await self.database.write(lambda c: self._record(c, row, decided))
        except Exception:
            log.exception("remote activation %s failed unexpectedly", row.activation)
            return  # the lease runs out and the row is taken again
        if decided.phase == "failed":
            log.warning("remote activation %s: %s", row.activation, decided.reason)
        if ended:
            self.on_outcome()
        self._wake.set()  # the row's next exchange may be due before the loop would look

    async def _send(
        self, method: str, url: str, body: str | None = None, key: str | None = None
    ) -> Answer:
        client = self._client
        assert client is not None, "the sender is not started"
        headers = {"Idempotency-Key": key} if key else {}
        if method == "PATCH":
            headers.update(PATCH_HEADERS)
        self.exchanges += 1
        try:
            response = await client.request(method, url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Answer(error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        return Answer(response.status_code, response.content, response.headers.get("location"))

    def _record(self, connection: Connection, row: Any, decided: Next) -> bool:
        """Store the decision (if this sender still holds the row); True for an outcome."""
        table = remote_activation
        ended = decided.phase in ("done", "failed")
        values: dict[str, Any] = {
            "phase": decided.phase,
            "tries": decided.tries,
            "due_ms": work.now_ms() + decided.delay_ms,
            "lease_owner": None,
            "lease_until_ms": None,
            "reason": decided.reason,
            "updated_at": now_instant(),
        }
        if decided.phase == "follow":
            values.update(follow_href=decided.follow_href, follows=decided.follows)
        if ended:
            values.update(retriable=decided.retriable, key_spent=decided.key_spent)
        if decided.remote_href:
            values["remote_href"] = decided.remote_href
        changed = connection.execute(
            update(table)
            .where(
                table.c.activation == row.activation,
                and_(table.c.lease_owner == self.owner, table.c.phase == row.phase),
            )
            .values(**values)
            .returning(table.c.wake_kind, table.c.wake_id)
        ).first()
        if changed is None:
            return False  # the lease ran out and someone else took the row
        if ended and changed.wake_kind and changed.wake_id:
            work.schedule(connection, changed.wake_kind, changed.wake_id)
        if ended and row.operation == "activate":
            release_waiting(connection, row.activation)  # a deactivation waited for this outcome
        return ended


def _next_due(connection: Connection) -> int | None:
    """When the next row can be claimed (a leased row: when its lease runs out)."""
    table = remote_activation
    free_at = case(
        (table.c.lease_until_ms > table.c.due_ms, table.c.lease_until_ms), else_=table.c.due_ms
    )
    due: int | None = connection.execute(
        select(func.min(free_at)).where(table.c.phase.in_(ACTIVE_PHASES))
    ).scalar()
    return due
