"""The delivery loop: fan out the outbox, claim deliveries, POST them signed, record outcomes.

Runs next to the controllers (a runtime companion) in every process that runs them. Delivery
is at least once: a delivery row is deleted only after the listener answered 2xx, so a crash
between the POST and that commit sends it again (with the same eventId). The deliveries of one
subscription and entity are sent one after the other, in order; a failure stops that line
until its retry, with exponential back-off, and a subscriber down for longer than
`park_after_s` has its deliveries parked (see store.failed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlalchemy import Connection

from cascade.events import store
from cascade.events.callbacks import CallbackPolicy
from cascade.events.dispatch import Dispatcher
from cascade.events.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from cascade.storage.database import Database

log = logging.getLogger(__name__)
POLICY_CACHE_S = 30.0  # how long a callback host's check holds before it is resolved again


@dataclass(frozen=True)
class DeliverySettings:
    timeout_s: float = 5.0
    backoff_ms: int = 1_000
    backoff_max_ms: int = 60_000
    park_after_s: float = 3_600.0
    poll_interval_s: float = 0.1
    concurrency: int = 64  # lines (subscription, entity) sent at once
    per_subscription: int = 16  # of which at most this many for one subscription
    lease_ms: int = 60_000


@dataclass
class _Outcome:
    delivered: list[int]
    failed: list[tuple[store.Delivery, str]]
    released: list[int]


class EventSender:
    """Delivers this database's events to hub subscribers until stopped."""

    def __init__(
        self,
        database: Database,
        dispatcher: Dispatcher,
        settings: DeliverySettings | None = None,
        client_factory: Callable[[], httpx.AsyncClient] | None = None,
        policy: CallbackPolicy | None = None,
    ) -> None:
        self.policy = policy
        self._refusals: dict[str, tuple[str | None, float]] = {}
        self.database = database
        self.dispatcher = dispatcher
        self.settings = settings or DeliverySettings()
        self.owner = f"events-{uuid.uuid4().hex[:12]}"
        self._client_factory = client_factory
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lines: set[asyncio.Task[None]] = set()
        self._busy: dict[str, int] = defaultdict(int)  # lines in flight per subscription
        self.delivered = 0  # deliveries this process completed (for logs and tests)

    async def start(self) -> None:
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._loop(), name="cascade-events")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        """Look for new events now (called after commits in this process)."""
        self._wake.set()

    # --- the loop ---------------------------------------------------------------------------

    async def _loop(self) -> None:
        client = self._client()
        try:
            while True:
                try:
                    progressed = await self._round(client)
                except Exception:
                    log.exception("event delivery round failed")
                    progressed = False
                if not progressed:
                    await self._idle()
        finally:
            if self._lines:
                for line in self._lines:
                    line.cancel()
                await asyncio.gather(*self._lines, return_exceptions=True)
            await client.aclose()

    def _client(self) -> httpx.AsyncClient:
        if self._client_factory is not None:
            return self._client_factory()
        limits = httpx.Limits(
            max_connections=self.settings.concurrency, max_keepalive_connections=32
        )
        return httpx.AsyncClient(timeout=self.settings.timeout_s, limits=limits)

    async def _round(self, client: httpx.AsyncClient) -> bool:
        moment = store.now_ms()
        if not await self.database.read(lambda c: store.has_work(c, moment)):
            return False
        fanned = await self.database.write(self.dispatcher.fan_out)
        free = self.settings.concurrency - len(self._lines)
        lines: list[list[store.Delivery]] = []
        if free > 0:
            cap = self.settings.per_subscription
            exclude = [name for name, busy in self._busy.items() if busy >= cap]
            lines = await self.database.write(lambda c: self._claim(c, exclude))
        for line in lines:
            self._busy[line[0].subscription] += 1
            task = asyncio.create_task(self._send_line(client, line))
            self._lines.add(task)
            task.add_done_callback(self._lines.discard)
        return fanned >= self.dispatcher.batch or bool(lines)

    def _claim(self, connection: Connection, exclude: list[str]) -> list[list[store.Delivery]]:
        """Claim deliveries and group them in lines; a subscription gets at most
        `per_subscription` lines at once, so a slow listener holds up only itself."""
        settings = self.settings
        claimed = store.claim(
            connection,
            self.owner,
            lease_ms=settings.lease_ms,
            limit=settings.concurrency * 4,
            exclude=exclude,
        )
        kept: list[list[store.Delivery]] = []
        skipped: list[int] = []
        new_lines: dict[str, int] = defaultdict(int)
        for line in _lines_of(claimed):
            subscription = line[0].subscription
            if self._busy[subscription] + new_lines[subscription] >= settings.per_subscription:
                skipped.extend(delivery.pk for delivery in line)
                continue
            new_lines[subscription] += 1
            kept.append(line)
        store.released(connection, skipped)
        return kept

    async def _idle(self) -> None:
        timeout = self.settings.poll_interval_s
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    # --- one line: a subscription's deliveries for one entity, in order ----------------------

    async def _send_line(self, client: httpx.AsyncClient, line: list[store.Delivery]) -> None:
        outcome = _Outcome([], [], [])
        try:
            for index, delivery in enumerate(line):
                error = await self._post(client, delivery)
                if error is None:
                    outcome.delivered.append(delivery.pk)
                    continue
                outcome.failed.append((delivery, error))
                outcome.released.extend(d.pk for d in line[index + 1 :])
                break
            await self.database.write(lambda c: self._record(c, outcome))
            self.delivered += len(outcome.delivered)
            self._wake.set()
        finally:
            self._busy[line[0].subscription] -= 1

    async def _post(self, client: httpx.AsyncClient, delivery: store.Delivery) -> str | None:
        refusal = await self._refusal(delivery.callback)
        if refusal is not None:
            return refusal
        body = delivery.body.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            EVENT_ID_HEADER: delivery.event_id,
            EVENT_TYPE_HEADER: delivery.event_type,
            TIMESTAMP_HEADER: timestamp,
        }
        if delivery.secret:
            headers[SIGNATURE_HEADER] = sign(delivery.secret, timestamp, body)
        try:
            response = await client.post(delivery.callback, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:500]
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    async def _refusal(self, callback: str) -> str | None:
        """The callback policy's answer, kept for a while (names are resolved off the loop)."""
        if self.policy is None:
            return None
        cached = self._refusals.get(callback)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        refusal = await asyncio.to_thread(self.policy.refusal, callback)
        self._refusals[callback] = (refusal, time.monotonic() + POLICY_CACHE_S)
        return refusal

    def _record(self, connection: Connection, outcome: _Outcome) -> None:
        store.delivered(connection, outcome.delivered)
        store.released(connection, outcome.released)
        settings = self.settings
        for delivery, error in outcome.failed:
            retry_at = store.now_ms() + self.backoff_ms(delivery.attempts)
            park_after_ms = int(settings.park_after_s * 1000)
            if store.failed(connection, delivery, error, retry_at, park_after_ms):
                log.warning(
                    "subscription %s stays unreachable (%s): its events are parked",
                    delivery.subscription,
                    error,
                )

    def backoff_ms(self, attempts: int) -> int:
        settings = self.settings
        return int(min(settings.backoff_max_ms, settings.backoff_ms * 2 ** min(attempts, 20)))


def _lines_of(claimed: list[store.Delivery]) -> list[list[store.Delivery]]:
    """Claimed deliveries grouped by (subscription, entity), each group in event order."""
    lines: dict[tuple[str, str], list[store.Delivery]] = {}
    for delivery in claimed:
        lines.setdefault((delivery.subscription, delivery.entity), []).append(delivery)
    return list(lines.values())
