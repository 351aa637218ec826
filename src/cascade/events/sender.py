"""The delivery loop: fan out the outbox, claim deliveries, POST them signed, record outcomes.

Runs next to the controllers (a runtime companion) in every process that runs them. Delivery
is at least once: a delivery row is deleted only after the listener answered 2xx, so a crash
between the POST and that commit sends it again (with the same eventId). The deliveries of one
subscription and entity (a line) are sent one after the other, in order; a failure stops the
line until its retry, with exponential back-off, and a subscriber down for longer than
`park_after_s` has its deliveries parked (see store.failed). Outcomes are written in one
transaction per round; until then the deliveries stay leased, so a line cannot overtake itself.

The client is aiohttp: with httpx, connection-pool bookkeeping took a third of the sender's
time at a few hundred deliveries per second (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp
from sqlalchemy import Connection

from cascade.background.loop import BackgroundLoop
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
from cascade.telemetry import metrics, tracing
from cascade.telemetry.tracing import CLIENT

log = logging.getLogger(__name__)
POLICY_CACHE_S = 30.0  # how long a callback host's check holds before it is resolved again


@dataclass(frozen=True)
class DeliverySettings:
    timeout_s: float = 5.0
    backoff_ms: int = 1_000
    backoff_max_ms: int = 60_000
    park_after_s: float = 3_600.0
    poll_interval_s: float = 0.1
    concurrency: int = 256  # lines (subscription, entity) sent at once
    per_subscription: int = 64  # of which at most this many for one subscription
    lease_ms: int = 60_000


@dataclass
class Outcomes:
    """What the lines finished since the last round wrote them down."""

    delivered: list[int] = field(default_factory=list)
    failed: list[tuple[store.Delivery, str]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.delivered or self.failed or self.released)


class EventSender(BackgroundLoop):
    """Delivers this database's events to hub subscribers until stopped."""

    task_name = "cascade-events"

    def __init__(
        self,
        database: Database,
        dispatcher: Dispatcher,
        settings: DeliverySettings | None = None,
        policy: CallbackPolicy | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.dispatcher = dispatcher
        self.settings = settings or DeliverySettings()
        self.policy = policy
        self.owner = f"events-{uuid.uuid4().hex[:12]}"
        self._refusals: dict[str, tuple[str | None, float]] = {}
        self._lines: set[asyncio.Task[None]] = set()
        self._busy: dict[str, int] = defaultdict(int)  # lines in flight per subscription
        self._outcomes = Outcomes()
        self.delivered = 0  # deliveries this process completed (for logs and tests)

    # --- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout_s)
        connector = aiohttp.TCPConnector(limit=self.settings.concurrency)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            try:
                while True:
                    self._clear_wake()  # before looking: a wake-up from now on is not lost
                    try:
                        progressed = await self._round(session)
                    except Exception:
                        log.exception("event delivery round failed")
                        progressed = False
                    if not progressed:
                        await self._wait(self.settings.poll_interval_s)
            finally:
                for line in self._lines:
                    line.cancel()
                await asyncio.gather(*self._lines, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await self._write_outcomes()

    async def _round(self, session: aiohttp.ClientSession) -> bool:
        """Write finished outcomes, fan out, claim and start lines; True if it did anything."""
        wrote = await self._write_outcomes()
        moment = store.now_ms()
        work = await self.database.read(lambda c: store.work_now(c, moment))
        fanned = 0
        if work.outbox:
            fanned = await self.database.write(self.dispatcher.fan_out)
        lines: list[list[store.Delivery]] = []
        free = self.settings.concurrency - len(self._lines)
        if (work.due or fanned) and free > 0:
            cap = self.settings.per_subscription
            exclude = [name for name, busy in self._busy.items() if busy >= cap]
            lines = await self.database.write(lambda c: self._claim(c, exclude, free))
        for line in lines:
            self._busy[line[0].subscription] += 1
            task = asyncio.create_task(self._send_line(session, line))
            self._lines.add(task)
            task.add_done_callback(self._lines.discard)
        return wrote or fanned >= self.dispatcher.batch or bool(lines)

    def _claim(
        self, connection: Connection, exclude: list[str], free: int
    ) -> list[list[store.Delivery]]:
        """Claim deliveries and group them in lines; a subscription gets at most
        `per_subscription` lines at once, so a slow listener holds up only itself."""
        settings = self.settings
        claimed = store.claim(
            connection, self.owner, lease_ms=settings.lease_ms, limit=free * 4, exclude=exclude
        )
        kept: list[list[store.Delivery]] = []
        skipped: list[int] = []
        new_lines: dict[str, int] = defaultdict(int)
        for line in _lines_of(claimed):
            subscription = line[0].subscription
            full = self._busy[subscription] + new_lines[subscription] >= settings.per_subscription
            if full or len(kept) >= free:
                skipped.extend(delivery.pk for delivery in line)
                continue
            new_lines[subscription] += 1
            kept.append(line)
        store.released(connection, skipped)
        return kept

    async def _write_outcomes(self) -> bool:
        outcomes, self._outcomes = self._outcomes, Outcomes()
        if not outcomes:
            return False
        try:
            parked = await self.database.write(lambda c: self._record(c, outcomes))
        except Exception:
            # Leases run out and the deliveries are sent again: at least once, never lost.
            log.exception("recording %d delivery outcomes failed", len(outcomes.delivered))
            return False
        self.delivered += len(outcomes.delivered)
        metrics.deliveries("delivered", len(outcomes.delivered))
        metrics.deliveries("failed", len(outcomes.failed) - parked)
        metrics.deliveries("parked", parked)
        return True

    # --- one line: a subscription's deliveries for one entity, in order ----------------------

    async def _send_line(self, session: aiohttp.ClientSession, line: list[store.Delivery]) -> None:
        index = 0
        try:
            for index, delivery in enumerate(line):
                error = await self._post(session, delivery)
                outcomes = self._outcomes  # the round may have swapped it meanwhile
                if error is None:
                    outcomes.delivered.append(delivery.pk)
                    continue
                outcomes.failed.append((delivery, error))
                outcomes.released.extend(d.pk for d in line[index + 1 :])
                break
        except asyncio.CancelledError:
            # Stopping: give back what was not confirmed (sent again soon, not after the lease).
            self._outcomes.released.extend(d.pk for d in line[index:])
            raise
        finally:
            self._busy[line[0].subscription] -= 1
            self._wake.set()  # on the loop's own thread

    async def _post(self, session: aiohttp.ClientSession, delivery: store.Delivery) -> str | None:
        attributes = {"cascade.event_type": delivery.event_type, "cascade.entity": delivery.entity}
        with tracing.span(f"deliver {delivery.event_type}", attributes, kind=CLIENT) as span:
            error = await self._send(session, delivery)
            if error is not None:
                tracing.failed(span, error)
            return error

    async def _send(self, session: aiohttp.ClientSession, delivery: store.Delivery) -> str | None:
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
        tracing.outgoing(headers)  # W3C traceparent, while tracing
        try:
            # No redirects: a callback host allowed by the policy must not lead to one it refuses.
            async with session.post(
                delivery.callback, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return f"{type(exc).__name__}: {exc}"[:500]
        return None if 200 <= status < 300 else f"HTTP {status}"

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

    def _record(self, connection: Connection, outcomes: Outcomes) -> int:
        """Write a round's outcomes; returns how many failures parked their subscription."""
        store.delivered(connection, outcomes.delivered)
        store.released(connection, outcomes.released)
        park_after_ms = int(self.settings.park_after_s * 1000)
        parked = 0
        for delivery, error in outcomes.failed:
            retry_at = store.now_ms() + self.backoff_ms(delivery.attempts)
            if store.failed(connection, delivery, error, retry_at, park_after_ms):
                parked += 1
                log.warning(
                    "subscription %s stays unreachable (%s): its events are parked",
                    delivery.subscription,
                    error,
                )
        return parked

    def backoff_ms(self, attempts: int) -> int:
        settings = self.settings
        return int(min(settings.backoff_max_ms, settings.backoff_ms * 2 ** min(attempts, 20)))


def _lines_of(claimed: list[store.Delivery]) -> list[list[store.Delivery]]:
    """Claimed deliveries grouped by (subscription, entity), each group in event order."""
    lines: dict[tuple[str, str], list[store.Delivery]] = {}
    for delivery in claimed:
        lines.setdefault((delivery.subscription, delivery.entity), []).append(delivery)
    return list(lines.values())
