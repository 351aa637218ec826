"""The asyncio task that performs the HTTP driver's activations, outside any transaction.

It claims due `remote_activation` rows under a lease (several processes may run one: on
PostgreSQL rows are claimed with SKIP LOCKED), makes one HTTP exchange per row (the POST, or a
GET of the monitor or entity it follows), and records what the answer means (see
answers.py): the next exchange and when, or the outcome. An outcome schedules the work item
whose step asked for the activation, in the same transaction, and wakes the controllers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Connection, and_, update

from cascade.background.http_rows import HttpWorkLoop
from cascade.fulfilment.activation.http.answers import (
    Answer,
    Next,
    Retry,
    after_follow,
    after_patch,
    after_post,
)
from cascade.fulfilment.activation.http.changes import release_waiting
from cascade.storage import work
from cascade.storage.database import Database
from cascade.storage.leases import claim_due, next_free
from cascade.storage.tables import remote_activation
from cascade.tmf.instants import now_instant

log = logging.getLogger(__name__)
ACTIVE_PHASES = ("post", "patch", "follow")
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


class HttpSender(HttpWorkLoop):
    """Runs with the controllers (a Runtime companion) until stopped."""

    task_name = "cascade-http-activations"

    def __init__(
        self,
        database: Database,
        settings: SenderSettings,
        on_outcome: Callable[[], None] = lambda: None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(database, settings, transport)
        self.settings = settings
        self.on_outcome = on_outcome  # the runtime's wake
        self.owner = f"sender-{uuid.uuid4().hex[:12]}"
        self.retry = Retry(settings.retries, settings.backoff_ms, settings.follow_ms)

    def _claim(self, connection: Connection, limit: int) -> list[Any]:
        table = remote_activation
        active = table.c.phase.in_(ACTIVE_PHASES)
        keys = (table.c.activation,)
        return claim_due(connection, table, keys, active, self.owner, self.settings.lease_ms, limit)

    def _next_due(self, connection: Connection) -> int | None:
        return next_free(
            connection, remote_activation, remote_activation.c.phase.in_(ACTIVE_PHASES)
        )

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
        client = self.client
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
