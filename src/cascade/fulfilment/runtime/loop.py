"""The loop that runs controllers: claim due work, run each step in a transaction, repeat.

A step is a function of a connection and an entity id that looks at the entity, takes the next
step, records it and returns. It runs in one writer transaction together with the release of
its work item, so a crash at any moment leaves either the whole step or none of it; running it
again is always safe. Steps run concurrently (they share group commits); a failing step is
retried with exponential back-off and its error stays visible on the work item.

Leases are renewed while steps run (renewal.py), and fenced: a step whose lease another holder
took over does not commit (`work.LeaseLost`, ADR 0030). In this process one step runs per
entity at a time: a claim that takes an entity whose step still runs here (its lease had run
out) runs nothing; once that step has ended, what is left of the claim's lease is given back.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from cascade.background.loop import BackgroundLoop
from cascade.fulfilment.runtime.renewal import LeaseRenewal
from cascade.fulfilment.runtime.steps import (
    Companion,
    Controller,
    RetryLater,
    StepContext,
    StepResult,
    working_on,
)
from cascade.storage import work
from cascade.storage.allocations import lock_conflict
from cascade.storage.database import Database
from cascade.storage.tables import work_item
from cascade.storage.work import Claim, LeaseLost
from cascade.telemetry import metrics, tracing

log = logging.getLogger(__name__)
FAIL_ATTEMPTS = 3  # tries to record a failed step before leaving it to its lease
# A lost lock conflict is retried within this, however often it was lost: it is contention,
# not a fault, and a minute's back-off would leave orders waiting behind an idle queue.
LOCK_RETRY_MAX_MS = 1_000


@dataclass(frozen=True)
class RuntimeSettings:
    lease_ms: int = 30_000
    poll_interval_s: float = 0.5
    concurrency: int = 64
    backoff_base_ms: int = 200
    backoff_max_ms: int = 60_000


class Runtime(BackgroundLoop):
    """Runs the controllers of this process until stopped.

    `wake()` (look for due work now) is called after every commit that scheduled some, on the
    API's hot path: from the loop's own thread it only sets an event (see BackgroundLoop.wake).
    """

    task_name = "cascade-controllers"

    def __init__(
        self,
        database: Database,
        controllers: Iterable[Controller],
        settings: RuntimeSettings | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.controllers = {controller.kind.name: controller for controller in controllers}
        self.settings = settings or RuntimeSettings()
        self.owner = f"worker-{uuid.uuid4().hex[:12]}"
        self._running: set[asyncio.Task[None]] = set()
        self._under_way: dict[tuple[str, str], Claim] = {}  # the steps running, by entity
        self._again: dict[tuple[str, str], Claim] = {}  # claims of entities whose step runs
        self.renewal = LeaseRenewal(database, self.owner, self.settings.lease_ms, self._held)
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self.steps_done = 0  # steps this process ran and committed (for logs and tests)
        self.leases_lost = 0  # steps rolled back: their leases were taken over (ADR 0030)
        self.companions: list[Companion] = []  # started after the loop, stopped after it
        self.after_step: list[Callable[[], None]] = []  # called when a step committed
        # While tracing: the trace a step joins, by (kind, id): its tree's root order's id,
        # and the traceparent kept by the request that created the tree, if any.
        self.trace_root: Callable[[Connection, str, str], tuple[str, str | None]] | None = None

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is None:
            await super().start()
            for companion in self.companions:
                await companion.start()

    async def stop(self) -> None:
        started = self._task is not None
        await super().stop()
        if started:
            for companion in self.companions:
                await companion.stop()

    def loops(self) -> dict[str, bool]:
        """Whether the controllers' loop and each companion's are running, by task name."""
        found = {self.task_name: self.running}
        for companion in self.companions:
            name = str(getattr(companion, "task_name", type(companion).__name__))
            found[name] = bool(getattr(companion, "running", True))
        return found

    async def _starting(self) -> None:
        await self.renewal.start()

    async def _stopped(self) -> None:
        while self._running:  # the steps under way finish (and commit) before stop returns
            await asyncio.gather(*list(self._running), return_exceptions=True)
        await self.renewal.stop()  # their leases are kept until then

    def _held(self) -> list[tuple[str, str]]:
        """The entities whose leases this process must keep: those whose steps run."""
        return list(self._under_way)

    # --- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                claimed = await self._claim()
            except Exception:
                log.exception("claiming work failed")
                claimed = []
            for item in claimed:
                if item.key in self._under_way:  # its step runs here still: no second run
                    self._again[item.key] = item
                    continue
                await self._slots.acquire()
                self._start(item)
            if claimed:
                continue
            await self._idle()

    async def _claim(self) -> list[Claim]:
        free = max(1, self.settings.concurrency - len(self._running))
        settings = self.settings
        return await self.database.write(
            lambda c: work.claim(c, self.owner, lease_ms=settings.lease_ms, limit=free)
        )

    async def _idle(self) -> None:
        """Until the next item falls due, a wake-up, or the poll interval."""
        await self._idle_until_due(self.database, work.next_due, self.settings.poll_interval_s)

    def _start(self, item: Claim) -> None:
        """Run `item`'s step in a task (it holds a slot until it ends)."""
        self._under_way[item.key] = item
        task = asyncio.create_task(self._step(item))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _step(self, item: Claim) -> None:
        try:
            await self.run_step(item)
            await self._give_back(item.key)
        finally:
            del self._under_way[item.key]
            later = self._again.pop(item.key, None)  # claimed once the lease was given back
            if later is not None:
                self._start(later)  # the slot passes to it
            else:
                self._slots.release()
                self._wake.set()  # on the loop's own thread: a slot is free

    async def _give_back(self, key: tuple[str, str]) -> None:
        """After a step: free the lease of a claim this process made of the same entity while
        the step ran (the step has settled the item; if it is due still, it is claimed anew)."""
        again = self._again.pop(key, None)
        if again is None:
            return
        try:
            await self.database.write(lambda c: work.give_back(c, again))
        except Exception as exc:  # its lease runs out instead
            log.warning("giving back the lease of %s %s failed: %s", *key, exc)

    async def run_step(self, item: Claim) -> None:
        """Run one claimed step, and record its outcome on the work item."""
        controller = self.controllers.get(item.kind)
        if controller is None:
            try:
                await self.database.write(lambda c: work.finish(c, item, None))
            except LeaseLost:
                self._lost(item)
            return
        context = StepContext(work.now_ms(), item.attempts)

        def job(connection: Connection) -> StepResult:
            with working_on(item.kind, item.entity_id), self._traced(connection, item):
                result = controller.step(connection, item.entity_id, context)
            work.finish(connection, item, result.again_at_ms)  # LeaseLost: all rolled back
            return result

        started = time.perf_counter()
        try:
            await self.database.write(job)
            metrics.step_done(item.kind, time.perf_counter() - started, committed=True)
            self.steps_done += 1
            for listener in self.after_step:
                listener()
        except LeaseLost:
            metrics.step_done(item.kind, time.perf_counter() - started, committed=False)
            self._lost(item)
        except Exception as exc:
            metrics.step_done(item.kind, time.perf_counter() - started, committed=False)
            error = f"{type(exc).__name__}: {exc}"
            if lock_conflict(exc):  # crossed locks (PostgreSQL): expected, retried soon
                log.info("step of %s %s lost a lock conflict", item.kind, item.entity_id)
            elif not isinstance(exc, RetryLater):
                log.exception("step of %s %s failed", item.kind, item.entity_id)
            await self._record_failure(item, error, self.retry_delay_ms(item.attempts, exc))

    def _lost(self, item: Claim) -> None:
        """A step whose lease another holder took over: nothing of it was committed."""
        self.leases_lost += 1
        metrics.leases_lost(work_item.name, 1)
        log.warning(
            "the lease of %s %s was taken over while its step ran (%s): the step was rolled "
            "back, the new holder's run counts",
            item.kind,
            item.entity_id,
            item.owner,
        )

    def retry_delay_ms(self, attempts: int, exc: BaseException) -> int:
        """How long a failed step waits: the back-off, but a lost lock conflict comes back
        within LOCK_RETRY_MAX_MS, at a random moment so the losers do not meet again."""
        delay = self.backoff_ms(attempts)
        if lock_conflict(exc):
            return random.randint(1, min(delay, LOCK_RETRY_MAX_MS))
        return delay

    async def _record_failure(self, item: Claim, error: str, delay_ms: int) -> None:
        """Record a failed step for its retry. Recording it can lose a lock conflict too
        (PostgreSQL): it is tried again; if it still cannot be recorded, the item's lease runs
        out and another claim retries the step, so nothing is lost either way."""
        retry_at = work.now_ms() + delay_ms
        for attempt in range(1, FAIL_ATTEMPTS + 1):
            try:
                if not await self.database.write(lambda c: work.fail(c, item, error, retry_at)):
                    self._lost(item)  # the new holder's run counts, not this failure
                return
            except Exception as exc:
                if not lock_conflict(exc) or attempt == FAIL_ATTEMPTS:
                    log.warning(
                        "recording the failed step of %s %s failed (%s); it is retried when "
                        "its lease runs out",
                        item.kind,
                        item.entity_id,
                        exc,
                    )
                    return

    def _traced(self, connection: Connection, item: Claim) -> AbstractContextManager[Any]:
        """The step's span, in its order tree's trace (nothing while tracing is off)."""
        if not tracing.enabled():
            return nullcontext()
        find = self.trace_root
        root, kept = (
            (item.entity_id, None) if find is None else find(connection, item.kind, item.entity_id)
        )
        attributes: dict[str, str | int] = {
            "cascade.kind": item.kind,
            "cascade.entity_id": item.entity_id,
            "cascade.root_order_id": root,
            "cascade.attempts": item.attempts,
        }
        context = tracing.tree_context(root, kept)  # the request that created the tree
        return tracing.span(f"step {item.kind}", attributes, context=context)

    def backoff_ms(self, attempts: int) -> int:
        settings = self.settings
        return int(min(settings.backoff_max_ms, settings.backoff_base_ms * 2 ** min(attempts, 20)))
